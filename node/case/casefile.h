/*
 * casefile — the personal data of a case's file (一案一卷) at this node: the sealed parts
 * of its events, read from where this node got them. A part taken in here is in the
 * `sealed` database under this node's at-rest key; a part that came with the case
 * (escalation, hand-down) is inside the move event as a SealedCopy boxed to this node's
 * key. Either way its BLAKE2b hash must equal the sealed_hash the origin signed.
 *
 * When the case moves on, casefile_copies() boxes every part this node can read to the new
 * holder, so the file travels whole and only the holder can open it.
 */
#ifndef JIEFEN_CASEFILE_H
#define JIEFEN_CASEFILE_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "store.h"

/* Calls fn with the plain bytes of each sealed part of the case this node can read, in
 * file order (the bytes are wiped after the call). Parts it cannot read are skipped. */
int casefile_each(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                  const Jiefen__CaseView *v,
                  int (*fn)(const Jiefen__Event *ev, const uint8_t *plain, size_t len,
                            void *arg),
                  void *arg);

/* Boxes every readable sealed part for the node with Ed25519 key `to_pk`. *out is an array
 * of *n copies; free with casefile_copies_free(). 0, -ENOMEM or a store error. */
int casefile_copies(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                    const Jiefen__CaseView *v, const uint8_t to_pk[32],
                    Jiefen__SealedCopy ***out, size_t *n);

/* The plain bytes of the sealed part of this node's own event (origin, seq), as stored here
 * under its at-rest key: *out (malloc'd, *len bytes; the caller wipes and frees it), NULL
 * when there is none this node can read. 0 or -ENOMEM. */
int casefile_own_part(store *st, MDB_txn *txn, const crypto_identity *id, const char *origin,
                      uint64_t seq, uint8_t **out, size_t *len);

void casefile_copies_free(Jiefen__SealedCopy **c, size_t n);

#endif
