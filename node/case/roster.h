/*
 * roster — the node's rosters (名册) of people's mediators, lawyers, legal advisers and
 * experts: node-local reference data in the store's `roster` database (key: the person's
 * id, "R1", "R2"...), edited by the director and the admin, never in the log. A rostered
 * person's phone is personal data: it is kept sealed with the node's at-rest key
 * (crypto_seal, bound to the person's id), like the parties' data, and is opened only to
 * be shown. People are deactivated, never deleted: the cases name them.
 *
 * The per-person figures are read from the case views: the cases whose attempts chose the
 * person (CaseView.roster_ids), those of them that reached an agreement, and the
 * satisfaction their follow-up visits recorded.
 */
#ifndef JIEFEN_ROSTER_H
#define JIEFEN_ROSTER_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define ROSTER_ID_MAX 15
#define ROSTER_PHONE_MAX 32

/* The person `id` into *out (free with roster_free). 0, JF_ENOTFOUND, JF_ECORRUPT or a
 * store error. */
int roster_get(store *st, MDB_txn *txn, const char *id, Jiefen__RosterRecord **out);

/* Stores r under r->id (a new one or a change). 0 or a store error. */
int roster_put(store *st, MDB_txn *txn, const Jiefen__RosterRecord *r);

/* The next free id ("R" and a number counted in the store) into out. 0 or a store error. */
int roster_next_id(store *st, MDB_txn *txn, char out[ROSTER_ID_MAX + 1]);

/* Calls fn for each person (a RosterRecord) in id order (by number) until it returns
 * non-zero, which ends the walk (STORE_STOP quietly). 0, JF_ECORRUPT or another error. */
int roster_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg);

#define ROSTER_SEALED_MAX (ROSTER_PHONE_MAX + CRYPTO_SEAL_OVERHEAD)

/* Seals `phone` of person `id` into out (ROSTER_SEALED_MAX bytes), its length into *outlen
 * (0 for ""). 0, or JF_EINVAL for a phone over ROSTER_PHONE_MAX bytes. */
int roster_seal_phone(const crypto_identity *cid, const char *id, const char *phone,
                      uint8_t *out, size_t *outlen);

/* The phone of r, opened into buf (len bytes, ROSTER_PHONE_MAX + 1 enough); "" when none.
 * 0 or JF_ECRYPTO. */
int roster_phone(const crypto_identity *id, const Jiefen__RosterRecord *r, char *buf,
                 size_t len);

void roster_free(Jiefen__RosterRecord **r);

/* The figures of one person, from the cases the node holds views of. */
struct roster_figures {
    uint64_t cases, agreements, satisfied, basically_satisfied, dissatisfied;
};

/* The figures of the n people ids[] into out[] (zeroed first), in one walk of the cases.
 * 0, JF_ECORRUPT or a store error. */
int roster_figures(store *st, MDB_txn *txn, const char *const *ids, size_t n,
                   struct roster_figures *out);

#endif
