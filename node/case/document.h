/*
 * document — the documents of a case file (一案一卷): each sealed under its own random key
 * with libsodium's secretstream (DOCUMENT_CHUNK plain bytes per chunk, so neither end needs
 * the whole file in one buffer to seal or open it), the sealed bytes kept as a blob
 * (common/blob.h) named by their hash, and the attachment recorded by a DocAttached event
 * in the case's chain. The file's name, the note and the key are the event's sealed part:
 * encrypted at rest like the parties, boxed to each new holder when the case moves
 * (casefile.h), so moving a case re-boxes a small key and never re-encrypts the blob,
 * whose hash is the same at every tier. Plain bytes never reach the disk.
 */
#ifndef JIEFEN_DOCUMENT_H
#define JIEFEN_DOCUMENT_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "log/eventlog.h"
#include "store.h"

#include <stdint.h>

#define DOCUMENT_CHUNK (64 * 1024)
#define DOCUMENT_KEY_LEN 32
#define DOCUMENT_NAME_MAX 255   /* bytes of a file name */
#define DOCUMENT_NOTE_MAX 2000  /* bytes of a note */

/* Seals len plain bytes into a new blob under dir with a fresh key: the key into key, the
 * blob's hash and length out. 0 or -errno (nothing is left under dir then). */
int document_seal(const char *dir, const uint8_t *plain, size_t len,
                  uint8_t key[DOCUMENT_KEY_LEN], uint8_t hash[CRYPTO_HASH_LEN],
                  uint64_t *sealed_size);

/* Reads the blob `hash` under dir, checks its hash and opens it with key: *plain (the
 * caller frees it, after crypto_wipe) holds *len bytes. 0, JF_ENOTFOUND (not here yet),
 * JF_ECORRUPT (the blob does not hash to its name), JF_ECRYPTO (wrong key or altered
 * bytes) or -errno. */
int document_open(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN],
                  const uint8_t key[DOCUMENT_KEY_LEN], uint8_t **plain, size_t *len);

/* Appends the attachment d of case v (held here) by actor, with s as its sealed part.
 * 0, JF_EINVAL (the case refuses it) or a store error. */
int document_append(eventlog_tx *tx, const Jiefen__CaseView *v, Jiefen__DocAttached *d,
                    Jiefen__DocSecret *s, const char *actor);

/* Calls fn with each document of v this node can read (its sealed part is here or came in a
 * move to it), in file order, until fn returns non-zero (returned). The secret is wiped
 * after the call. */
int document_each(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                  const Jiefen__CaseView *v,
                  int (*fn)(const Jiefen__Event *ev, const Jiefen__DocSecret *s, void *arg),
                  void *arg);

/* The plain bytes of all the documents of v, readable here or not. 0 or a store error. */
int document_total(store *st, MDB_txn *txn, const Jiefen__CaseView *v, uint64_t *total);

#endif
