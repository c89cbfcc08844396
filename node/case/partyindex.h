/*
 * partyindex — finding a person (查当事人) without keeping them in clear.
 *
 * Each party of a case this node takes in is indexed under three keyed hashes, one per
 * field (name, ID number, phone), of the field's normalised text: BLAKE2b-128 keyed with
 * the node's search key. That key is a file of its own (DATA/search.key, mode 0600, made
 * at init or on the first start without it), apart from the signing key and from the
 * tree's party key, so the index cannot be tested against guesses by anyone who copies
 * the store alone, and it never leaves the node. The entries are written in the
 * transaction of the case's opening, so they are exactly as durable as the case.
 *
 *   search  'p' field hash(16) case     -> tag(16 or 0 bytes) role: a party of a case
 *           'a' seq:u64be               -> time:u64be field user "\0" name: a search made
 *           'q' case                    -> "": a case that arrived here by a move, its
 *                                          parties not indexed yet (partyarrival.h)
 *
 * The value keeps the party's tree pseudonym (party.h), so a search by name or phone
 * also counts the person's cases elsewhere in the tree without any name crossing a link.
 * Every search is recorded with who, when and which field, never the value.
 */
#ifndef JIEFEN_PARTYINDEX_H
#define JIEFEN_PARTYINDEX_H

#include "case/party.h"
#include "jiefen.pb-c.h"
#include "log/fold.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define PARTYINDEX_KEY_LEN 32
#define PARTYINDEX_HASH_LEN 16
#define PARTYINDEX_TEXT_MAX 256   /* longest normalised value searched */

enum partyindex_field { PARTYINDEX_NAME = 'n', PARTYINDEX_ID = 'i', PARTYINDEX_PHONE = 'p' };

/* Reads a key file: the key in hex, as the admin token is (crypto_token_create), the file
 * readable by its owner only. 0, -EPERM (group or others may read it), -errno, or
 * JF_EINVAL (not 64 hex digits). */
int partyindex_key_read(const char *path, uint8_t key[PARTYINDEX_KEY_LEN]);

/* Reads the search key of data directory `dir` (DATA/search.key), making it first if
 * absent. 0, -EPERM (the file is readable by others: not mode 0600), JF_EINVAL (not a
 * key) or an errno. */
int partyindex_key_load(const char *dir, uint8_t key[PARTYINDEX_KEY_LEN]);

/* The field of a query parameter name ("name", "id_number", "phone"), or 0. */
enum partyindex_field partyindex_field_parse(const char *name);

/* The parameter name of a field ("name", "id_number", "phone"). */
const char *partyindex_field_code(enum partyindex_field f);

/* Normalises `in` for field f into out (cap bytes): full-width forms to half-width,
 * spaces (ASCII and U+3000) dropped; an ID number's letters upper-cased (x → X); a phone
 * without dashes and brackets. 0, or JF_EINVAL if nothing is left or it does not fit. */
int partyindex_normalise(enum partyindex_field f, const char *in, char *out, size_t cap);

/* Indexes the n parties of case_id (tags[i] its pseudonym, NULL if none) in txn. 0 or a
 * store error. */
int partyindex_add(store *st, MDB_txn *txn, const uint8_t key[PARTYINDEX_KEY_LEN],
                   const char *case_id, const Jiefen__Party *const *parties,
                   const uint8_t (*tags)[PARTY_TAG_LEN], size_t n);

/* Queues case_id, which arrived here by a move, for its parties to be indexed
 * (partyarrival.h). 0, JF_EINVAL (id too long) or a store error. */
int partyindex_arrived(store *st, MDB_txn *txn, const char *case_id);

/* Takes the next queued arrival off the queue into case_id. 0, JF_ENOTFOUND when the queue
 * is empty, or a store error. */
int partyindex_arrival_next(store *st, MDB_txn *txn, char case_id[FOLD_CASE_ID_MAX + 1]);

/* One case of a party found by partyindex_find (valid during the callback). */
struct partyindex_hit {
    const char *case_id;
    const char *role;                 /* applicant | respondent | third_party */
    const uint8_t *tag;               /* the tree pseudonym, NULL if the case has none */
};

/* Calls fn for each case of the person whose field f normalises like `value`, in case id
 * order, until fn returns non-zero (returned). JF_EINVAL if value normalises to nothing. */
int partyindex_find(store *st, MDB_txn *txn, const uint8_t key[PARTYINDEX_KEY_LEN],
                    enum partyindex_field f, const char *value,
                    int (*fn)(const struct partyindex_hit *h, void *arg), void *arg);

/* Records a search by user `user` (name: the person's name) on field f at time now_ms.
 * 0 or a store error. */
int partyindex_log(store *st, MDB_txn *txn, int64_t now_ms, enum partyindex_field f,
                   const char *user, const char *name);

/* One recorded search (valid during the callback). */
struct partyindex_entry {
    int64_t time_ms;
    enum partyindex_field field;
    const char *user, *name;
};

/* Calls fn for the recorded searches, newest first, at most limit of them. */
int partyindex_log_each(store *st, MDB_txn *txn, long limit,
                        int (*fn)(const struct partyindex_entry *e, void *arg), void *arg);

#endif
