/*
 * fold — what an event changes in the derived views, in the transaction that stores it:
 * case views (and the status counters), the node registry (enrolments, revocations) and
 * directive views (sent, acknowledged). The same function serves events this node
 * appends and events it receives, so every tier derives the same state from the same log.
 */
#ifndef JIEFEN_FOLD_H
#define JIEFEN_FOLD_H

#include "envelope.h"
#include "jiefen.pb-c.h"
#include "store.h"

/* Applies ev in txn as seen by node `self`. Returns 0, JF_EINVAL if the event cannot
 * apply (a second case_opened, a certificate that does not check, a name too long or empty
 * to be a key), JF_ELATER if it depends on a case event not folded yet, or a store
 * error. */
int fold_apply(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* Folds an event (its envelope bytes as stored) that came over a link (route: from the parent, so
 * also queued down for the children it concerns, see route.h). One that depends on an
 * event not here yet is parked and retried when its case changes; one that does not apply
 * at all stays in the log, logged, changing nothing. Returns 0 or a store error. */
int fold_event(store *st, MDB_txn *txn, const char *self, const envelope *e,
               const uint8_t *bytes, size_t len, int route);

/* 1 if the event is one of a case's own (its file), folded into the case's view. */
int fold_case_kind(const Jiefen__Event *ev);

/* 1 if the case event is parked, waiting for an earlier one. */
int fold_parked(store *st, MDB_txn *txn, const Jiefen__Event *ev);

/* Retries the parked events of a case (after one of its events was folded). */
int fold_unpark(store *st, MDB_txn *txn, const char *self, const char *case_id);

#define FOLD_CASE_ID_MAX 128

/* Decodes a `timers` key (see store.h): kind 'w' (warning to come) or 'd' (limit to come),
 * the limit, and the case id (FOLD_CASE_ID_MAX + 1 bytes). 0 or JF_ECORRUPT. */
int fold_timer_parse(const MDB_val *k, char *kind, int64_t *due, char *case_id);

/* Meta key of the counter of cases in `status` into buf (32 bytes). */
void fold_status_key(int status, char *buf);

/* Reads a case view (NULL if absent); free with case_view_free(). */
int fold_case_get(store *st, MDB_txn *txn, const char *case_id, Jiefen__CaseView **view);

/* Reads a directive view (NULL if absent); free with jiefen__directive_view__free_unpacked. */
int fold_directive_get(store *st, MDB_txn *txn, const char *origin, uint64_t seq,
                       Jiefen__DirectiveView **out);

/* 1 if the directive is meant for `node` (a target, or under one with subtree). */
int fold_directive_addresses(store *st, MDB_txn *txn, const Jiefen__Directive *d,
                             const char *node);

#endif
