/*
 * agenda — what waits for this node (待办), kept as an index in the store's `agenda` database
 * by the folds, in the transaction that stores each event, so that reading it costs a walk
 * of the items themselves, never a scan of the cases.
 *
 * An item is a kind, a due time and a subject: a case (its id), a directive ("origin/seq")
 * a report ("origin/kind/period") or a hazard (its id). A case gives items by its view (agenda_of_case); the
 * directive and report folds set theirs with agenda_set. Every change is also written to a
 * journal numbered from 1 (a ring of the last AGENDA_JOURNAL changes), which the API streams
 * to the console: a case's journal entry is written on every change of the case, so that a
 * page showing it can be refreshed, whether or not its items changed.
 */
#ifndef JIEFEN_AGENDA_H
#define JIEFEN_AGENDA_H

#include "case/case.h"
#include "store.h"

#include <stdint.h>

enum agenda_kind {
    AGENDA_ROUTE,        /* escalated here from a child, no step taken here yet, or
                          * returned by its lead department (退回): 待分流 */
    AGENDA_TAKE_OVER,    /* handed down here from above, no step taken here yet: 待接办 */
    AGENDA_LEADER,       /* 3221 reached here: a leader to assign (包案) */
    AGENDA_LEADER_ACK,   /* a leader assigned, not acknowledged yet */
    AGENDA_DUE,          /* an open case held here, by its time limit */
    AGENDA_EXTENSION,    /* a child's extension request to decide */
    AGENDA_FOLLOW_UP,    /* closed here, the follow-up visit (回访) not made yet */
    AGENDA_DIRECTIVE,    /* a directive to this node, not acknowledged yet */
    AGENDA_REPORT,       /* a child's report submitted, not reviewed yet */
    AGENDA_ACCESS,       /* a request to copy, print or archive to decide (摘抄复印报批) */
    AGENDA_HAZARD,       /* a hazard watched here (hazard.h), by its next check-in */
    AGENDA_DEPT_OVERDUE, /* a department has not signed for a case by its limit (dept.h) */
    AGENDA_APPOINTMENT,  /* a mediation session set on an open case held here, by its time
                          * (调解预约, appointment.h) */
    AGENDA_N
};

/* What an item is about. */
enum agenda_about {
    AGENDA_ABOUT_CASE, AGENDA_ABOUT_DIRECTIVE, AGENDA_ABOUT_REPORT, AGENDA_ABOUT_ACCESS,
    AGENDA_ABOUT_HAZARD
};

#define AGENDA_JOURNAL 4096
#define AGENDA_SUBJECT_MAX 192

/* "route", "take_over", ...; NULL for an unknown kind. And back: -1 if unknown. */
const char *agenda_kind_code(int kind);
int agenda_kind_parse(const char *code);

/* The items case v gives node `self` (tree: who is whose child): a bitmask of kinds, with
 * each one's due time in due[kind]. 0 for NULL. */
unsigned agenda_of_case(const Jiefen__CaseView *v, const char *self, const case_tree *tree,
                      int64_t due[AGENDA_N]);

/* Replaces a case's items (old_mask/old_due, as agenda_of_case gave them before its event)
 * by new ones, and journals the change of the case. 0 or a store error. */
int agenda_case_update(store *st, MDB_txn *txn, const char *case_id, unsigned old_mask,
                     const int64_t *old_due, unsigned new_mask, const int64_t *new_due);

/* Adds (present) or removes an item of a directive or report; journals it if that changed
 * anything. due_ms must be the same for both (it is part of the key). 0, JF_EINVAL for a
 * subject over AGENDA_SUBJECT_MAX, or a store error. */
int agenda_set(store *st, MDB_txn *txn, int about, int kind, const char *subject,
             int64_t due_ms, int present);

struct agenda_item {
    int kind;
    int64_t due_ms;
    char subject[AGENDA_SUBJECT_MAX + 1];
};

/* Calls fn for the items of `kind` in due order (until fn returns non-zero: STORE_STOP ends
 * the walk quietly, a negative code is returned). With max_due > 0, only those due before
 * it. 0 or an error. */
int agenda_each(store *st, MDB_txn *txn, int kind, int64_t max_due,
              int (*fn)(const struct agenda_item *it, void *arg), void *arg);

/* How many items of each kind (counts[AGENDA_N]). 0 or an error. */
int agenda_count(store *st, MDB_txn *txn, uint64_t counts[AGENDA_N]);

struct agenda_change {
    uint64_t seq;
    int about;
    unsigned added, removed;      /* kinds, as bitmasks */
    char subject[AGENDA_SUBJECT_MAX + 1];
};

/* The journal after `after`, in order, to fn (which may stop it as for agenda_each); *last
 * gets the newest seq (0: none yet) and *first_kept the oldest still kept. */
int agenda_changes(store *st, MDB_txn *txn, uint64_t after,
                 int (*fn)(const struct agenda_change *ch, void *arg), void *arg,
                 uint64_t *last, uint64_t *first_kept);

#endif
