/*
 * blob — content-addressed files of sealed bytes (the documents of case files), in a
 * directory beside the store: DIR/ab/<hex of BLAKE2b-256>, named by the hash of their
 * bytes, which are ciphertext only (blob knows nothing of keys).
 *
 * A blob is written under a temporary name in DIR/tmp, fsynced, renamed into place and
 * the directory fsynced: once blob_commit() returns 0 it survives kill -9, and a blob at
 * its place is always whole. A blob received in pieces (blob_partial_*) grows in
 * DIR/partial/<hex> (each piece's writeback started as it is appended, the whole fsynced at
 * completion), so a transfer resumes from its length after a restart; when complete it is checked against its hash and only then renamed into place.
 * Errors are negative errno, or JF_ECORRUPT for bytes that do not hash to their name.
 */
#ifndef JIEFEN_BLOB_H
#define JIEFEN_BLOB_H

#include "crypto.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define BLOB_PATH_MAX 4200
#define BLOB_HEX (2 * CRYPTO_HASH_LEN + 1)

typedef struct blob_writer blob_writer;

/* The blob directory of the node whose store is st: "docs" beside the store's directory,
 * into out (BLOB_PATH_MAX bytes). Created (mode 0700) when `create`. 0 or -errno. */
int blob_dir(const store *st, int create, char *out);

/* The place of the blob `hash` under dir, into out (BLOB_PATH_MAX bytes). */
void blob_path(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN], char *out);

/* Starts a new blob under dir. 0 or -errno; *out is the caller's until committed or
 * aborted. */
int blob_writer_new(const char *dir, blob_writer **out);

/* Appends len bytes. 0 or -errno (the writer must then be aborted). */
int blob_write(blob_writer *w, const void *buf, size_t len);

/* Bytes written so far. */
uint64_t blob_written(const blob_writer *w);

/* Makes the blob durable at its place and gives its hash; frees the writer and clears
 * *w whatever the outcome (on error nothing is left behind). 0 or -errno. */
int blob_commit(blob_writer **w, uint8_t hash[CRYPTO_HASH_LEN]);

/* Drops an unfinished blob; accepts NULL and clears the caller's pointer. */
void blob_abort(blob_writer **w);

/* 1 if the blob is at its place, 0 if not. */
int blob_exists(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN]);

/* The length of the blob into *size: 0, JF_ENOTFOUND or -errno. */
int blob_size(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN], uint64_t *size);

/* Reads the blob back and checks its hash: 0, JF_ENOTFOUND, JF_ECORRUPT or -errno. */
int blob_check(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN]);

/* Removes the blob (nothing when absent). 0 or -errno. */
int blob_remove(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN]);

/* Reads up to len bytes of the blob from offset into buf; *got is what was read (0 at the
 * end). 0, JF_ENOTFOUND or -errno. */
int blob_read(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN], uint64_t offset,
              void *buf, size_t len, size_t *got);

/* Length of the partial blob `hash` received so far (0 when none). */
uint64_t blob_partial_size(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN]);

/* Appends a received piece at offset, which must be the partial blob's length (else
 * -ESPIPE: the sender must resume from there), and fsyncs it when `sync`; when not, its
 * writeback is started without waiting (sync_file_range), so the completion's fsync has
 * little left to write. A piece not synced survives kill -9 (it is in the page cache) but
 * maybe not a power cut: then the blob fails its hash when complete and is fetched again.
 * May wait for the disk: not for the loop. 0 or -errno. */
int blob_partial_append(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN],
                        uint64_t offset, const void *buf, size_t len, int sync);

/* Ends a partial blob: fsynced, and if its bytes hash to `hash` renamed into place (0);
 * otherwise removed and JF_ECORRUPT returned, so it is fetched again from 0. */
int blob_partial_finish(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN]);

#endif
