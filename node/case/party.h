/*
 * party — repeat disputes (重复纠纷) recognised without the parties' ID numbers.
 *
 * A case's signed opening carries, for each party, a tag: BLAKE2b-128 of the ID number
 * keyed with the tree's party key. The root makes the key at `enrol root`; each parent hands
 * it to a child inside the enrolment bundle, boxed to the child's key; each node keeps it
 * sealed at rest. So every node of one tree computes the same tag for the same person, and
 * no one without the key can test a guessed number against a tag (there are too few ID
 * numbers for an unkeyed hash to hide them).
 *
 * The `parties` index (tag, case) is kept by the fold of every opening, at the intake node
 * and at each ancestor. An opening received from a child is also queued for the repeat-party
 * warning rule, which appends an event and so must run in an eventlog operation
 * (party_pending_next), not in the fold.
 */
#ifndef JIEFEN_PARTY_H
#define JIEFEN_PARTY_H

#include "crypto.h"
#include "case/caseindex.h"
#include "log/fold.h"
#include "jiefen.pb-c.h"
#include "store.h"

#define PARTY_KEY_LEN 32
#define PARTY_TAG_LEN 16

/* Makes this node's key (a root's). 0, JF_EINVAL if it has one, or a store error. */
int party_key_create(store *st, MDB_txn *txn, const crypto_identity *id);

/* This node's key into key. 0, JF_ENOTFOUND (none: enrolled before keys existed, or not
 * enrolled yet), JF_ECORRUPT or a store error. */
int party_key_get(store *st, MDB_txn *txn, const crypto_identity *id,
                  uint8_t key[PARTY_KEY_LEN]);

/* The key boxed for the child whose Ed25519 key is child_pk, into out (malloc'd; free
 * out->data). out->len is 0 when this node has no key. 0, -ENOMEM or JF_ECRYPTO. */
int party_key_box(store *st, MDB_txn *txn, const crypto_identity *id,
                  const uint8_t child_pk[32], ProtobufCBinaryData *out);

/* Opens a key boxed to this node (from its enrolment bundle) and keeps it. An empty box
 * keeps nothing. 0, JF_ECRYPTO (not for this node, or damaged) or a store error. */
int party_key_install(store *st, MDB_txn *txn, const crypto_identity *id,
                      const ProtobufCBinaryData *box);

/* The tag of an ID number (upper-case check character, as intake normalises it). */
void party_tag(const uint8_t key[PARTY_KEY_LEN], const char *id_number,
               uint8_t tag[PARTY_TAG_LEN]);

/* Indexes a folded opening's tags; one from another node is queued for the rule. */
int party_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* Calls fn for each case of `tag`, in case id order, until fn returns non-zero (returned). */
int party_each_case(store *st, MDB_txn *txn, const uint8_t tag[PARTY_TAG_LEN],
                    int (*fn)(const char *case_id, void *arg), void *arg);

/* Takes the next queued case off the queue into case_id. 0, JF_ENOTFOUND when the queue
 * is empty, or a store error. */
int party_pending_next(store *st, MDB_txn *txn, char case_id[FOLD_CASE_ID_MAX + 1]);

#endif
