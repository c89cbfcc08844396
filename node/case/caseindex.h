/*
 * caseindex — the case views in the store and the indexes kept with them: the counter of
 * cases per status and the `timers` index of the limits of open cases this node holds
 * (store.h). caseindex_fold() is the fold of every case event (registered with log/fold.h
 * by the node's wiring): it applies the event to its case's view (case.h), keeps the
 * indexes in step (the to-do items too, agenda.h) and, for an opening, the parties' tag
 * index (party.h), all in the transaction that stores the event. The `opened` index puts
 * every view in the order of its opening time, for the case list newest first.
 */
#ifndef JIEFEN_CASEINDEX_H
#define JIEFEN_CASEINDEX_H

#include "jiefen.pb-c.h"
#include "log/fold.h"
#include "store.h"

/* meta key prefix of this node's case serial of a year ("serial:2026" -> u64): intake
 * numbers from it, the fold raises it for this node's own cases taken back from the parent. */
#define CASEINDEX_SERIAL_KEY "serial:"

/* Folds case event ev (case_event_kind) as seen by node `self`. 0, JF_EINVAL (does not
 * apply, or a case id that cannot be a key), JF_ELATER (waits for an earlier event) or a
 * store error. */
int caseindex_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* Reads a case view (NULL if absent); free with case_view_free(). */
int caseindex_get(store *st, MDB_txn *txn, const char *case_id, Jiefen__CaseView **view);

/* Meta key of the counter of cases in `status` into buf (32 bytes). */
void caseindex_status_key(int status, char *buf);

/* Decodes a `timers` key: kind 'w' (warning to come), 'd' (limit to come) or 's' (a
 * department's sign-for limit to come, dept.h) or 'a' (an appointment's reminder to come,
 * appointment.h), the moment, and
 * the case id (FOLD_CASE_ID_MAX + 1 bytes). 0 or JF_ECORRUPT. */
int caseindex_timer_parse(const MDB_val *k, char *kind, int64_t *due, char *case_id);

/* The `opened` key of a case (opening time u64be, then the id) into buf (8 +
 * FOLD_CASE_ID_MAX bytes); its length, or 0 for an id longer than FOLD_CASE_ID_MAX. */
size_t caseindex_opened_key(int64_t opened_ms, const char *case_id, uint8_t *buf);

/* The case id of an `opened` key into case_id (FOLD_CASE_ID_MAX + 1 bytes). 0 or
 * JF_ECORRUPT. */
int caseindex_opened_id(const MDB_val *k, char *case_id);

/* Migrations (case/migrations.c) for stores made before an index existed, each in the
 * caller's transaction and idempotent: every case view gets its `opened` entry; every
 * case view gets the agenda items it gives node `self` (agenda.h). 0 or a store error. */
int caseindex_opened_fill(store *st, MDB_txn *txn);
int caseindex_agenda_fill(store *st, MDB_txn *txn, const char *self);

#endif
