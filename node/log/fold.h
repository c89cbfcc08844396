/*
 * fold — what an event changes in the derived views, in the transaction that stores it.
 * The log knows no domain: each kind of event is folded by the function the node's wiring
 * registers for it at start (fold_set: cases, directives, reports, warnings), and what
 * follows an applied event (queueing it down for the children) by fold_set_applied. The
 * log folds only its own facts: the nodes of the tree and their keys (node_created,
 * child_enrolled, child_revoked, enrolled, rebuild_succession), which it checks every
 * event by.
 *
 * One path serves events this node appends (fold_apply, then fold_appended) and events it
 * receives (fold_event), so every tier derives the same state from the same log. A
 * received event that depends on one not here yet (JF_ELATER) is parked and retried when
 * its case changes.
 *
 * The registrations are the program's rules, not a node's: made once, before any store is
 * used, and the same for every node of the process.
 */
#ifndef JIEFEN_FOLD_H
#define JIEFEN_FOLD_H

#include "envelope.h"
#include "jiefen.pb-c.h"
#include "store.h"

#define FOLD_CASE_ID_MAX 128
#define FOLD_KINDS 128 /* above every Event body case */

/* Folds ev in txn as seen by node `self`: 0, JF_EINVAL (does not apply), JF_ELATER (waits
 * for an earlier event) or a store error. */
typedef int (*fold_fn)(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* Runs after ev, with its envelope bytes as stored, was applied: an event of this node's
 * own, or one from its parent. 0 or a store error. */
typedef int (*fold_applied_fn)(store *st, MDB_txn *txn, const char *self,
                               const Jiefen__Event *ev, const uint8_t *bytes, size_t len);

/* Registers the fold of events of `kind` (a JIEFEN__EVENT__BODY_* value); an event of a
 * kind with no fold does not apply. */
void fold_set(int kind, fold_fn fn);
void fold_set_applied(fold_applied_fn fn);

/* Applies ev in txn as seen by node `self`. Returns 0, JF_EINVAL if the event cannot
 * apply (a second case_opened, a certificate that does not check, a name too long or empty
 * to be a key), JF_ELATER if it depends on a case event not folded yet, or a store
 * error. */
int fold_apply(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* After this node appended ev (folded by fold_apply, its bytes stored): the applied hook,
 * then the parked events of its case. 0 or a store error. */
int fold_appended(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev,
                  const uint8_t *bytes, size_t len);

/* Folds an event (its envelope bytes as stored) that came over a link (route: from the
 * parent, so the applied hook runs). One that depends on an event not here yet is parked
 * and retried when its case changes; one that does not apply at all stays in the log,
 * logged, changing nothing. Returns 0 or a store error. */
int fold_event(store *st, MDB_txn *txn, const char *self, const envelope *e,
               const uint8_t *bytes, size_t len, int route);

/* Records the nodes a certificate and its chain (nearest ancestor first) name, as the
 * fold of this node's own `enrolled` does. Signatures are the caller's to have checked.
 * 0, JF_EINVAL or a store error. */
int fold_enrolment_chain(store *st, MDB_txn *txn, const Jiefen__SignedCert *cert,
                         Jiefen__SignedCert *const *chain, size_t n);

/* 1 if the case event is parked, waiting for an earlier one. */
int fold_parked(store *st, MDB_txn *txn, const Jiefen__Event *ev);

/* Retries the parked events of a case (after one of its events was folded). */
int fold_unpark(store *st, MDB_txn *txn, const char *self, const char *case_id);

/* 1 if name can be a store key of at most max bytes. A signed event that breaks this does
 * not apply (and must not fail the transaction that stores it). */
int fold_valid_name(const char *name, size_t max);

#endif
