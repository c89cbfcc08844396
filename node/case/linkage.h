/*
 * linkage — linkage without ID numbers (issue 17 item 5, docs/ledger.md): the parties'
 * county-wide linkage tags and the court filings reported by them.
 *
 * A tag is BLAKE2b-128 keyed with the county's linkage key ([linkage] key_file, the same
 * file on every node of the county and in the court's and 信访's exchange; distinct from
 * the search index's node key) of the ID number normalised as partyindex_normalise does,
 * in 32 lowercase hex digits. Cases carry their parties' tags in the case_opened event
 * (CaseOpened.linkage_tags), so they travel up with the case; filings are stored as
 * (village node id, date, tag). No ID number is ever stored here.
 */
#ifndef JIEFEN_LINKAGE_H
#define JIEFEN_LINKAGE_H

#include "jiefen.pb-c.h"
#include "store.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define LINKAGE_KEY_LEN 32
#define LINKAGE_TAG_HEX 32      /* a tag's hex digits */
#define LINKAGE_FILINGS_MAX 10000 /* filings in one request */

/* Reads the linkage key file (64 hex digits, mode 0600). 0, -EPERM, -errno or JF_EINVAL. */
int linkage_key_load(const char *path, uint8_t key[LINKAGE_KEY_LEN]);

/* The tag of one ID number into hex (LINKAGE_TAG_HEX + 1 bytes). 0, or JF_EINVAL when the
 * number normalises to nothing. */
int linkage_tag(const uint8_t key[LINKAGE_KEY_LEN], const char *id_number, char *hex);

/* The tags of the parties with an ID number, concatenated, into out (cap at least
 * n * LINKAGE_TAG_HEX + 1). */
void linkage_tags(const uint8_t key[LINKAGE_KEY_LEN], const Jiefen__Party *const *parties,
                  size_t n, char *out, size_t cap);

/* Whether s is one tag: 32 lowercase hex digits. */
int linkage_tag_valid(const char *s);

/* Checks body {"filings": [{"tag", "village", "date": "YYYY-MM-DD"}]} (1 to
 * LINKAGE_FILINGS_MAX filings): 0, or JF_EINVAL with the first fault named in err
 * ("filings", or "filings[I].tag|village|date"). */
int linkage_filings_check(const json_t *body, char *err, size_t errlen);

/* Stores the filings of body {"filings": [{"tag", "village", "date": "YYYY-MM-DD"}]}: all
 * of them, or (JF_EINVAL, the first fault named in err) none. *added: the new ones (one
 * filing reported twice is kept once). 0, JF_EINVAL or a store error. */
int linkage_filings_add(store *st, MDB_txn *txn, const json_t *body, size_t *added, char *err,
                        size_t errlen);

/* Called with each village's filings dated in [from_ms, to_ms) (local dates). */
typedef int (*linkage_village_fn)(const char *village, uint64_t filings, void *arg);

/* The filings in the period by village, villages in id order. 0 or a store error. */
int linkage_filings_each(store *st, MDB_txn *txn, int64_t from_ms, int64_t to_ms,
                         linkage_village_fn fn, void *arg);

#endif
