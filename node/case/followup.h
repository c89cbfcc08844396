/*
 * followup — the follow-up visit (回访) of a closed case as its view keeps it (the case
 * fold, case.c, stores it: closing sets when it is due and who makes it, the follow-up
 * record completes it): its state at a given time, which the queue, the inbox and the
 * ledger count, whether a record reopens the case, its JSON, and whether a rostered person
 * (名册) was chosen for one of the case's attempts.
 */
#ifndef JIEFEN_FOLLOWUP_H
#define JIEFEN_FOLLOWUP_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "log/eventlog.h"

#include <jansson.h>
#include <stdint.h>

/* The state of a case's last follow-up at now_ms. */
enum followup_state {
    FOLLOWUP_NONE,        /* never closed, reopened and open, or closed before due dates */
    FOLLOWUP_DUE,         /* 待回访: due, not passed */
    FOLLOWUP_OVERDUE,     /* 回访逾期: due date passed, not made */
    FOLLOWUP_ON_TIME,     /* made by its due date */
    FOLLOWUP_LATE,        /* made after it */
};

/* Tells each party of case v with a mobile number this node can read (as node `self`, with
 * id) when the follow-up visit is due (SMS template "follow_up", {date}: due_ms's local
 * date), queued in tx with the closing. 0 or an error (nothing queued). */
int followup_notify(eventlog_tx *tx, const crypto_identity *id, const char *self,
                    const Jiefen__CaseView *v, int64_t due_ms);

/* Whether a follow-up record reopens the case: dissatisfied, or a reopening requested. */
int followup_reopens(const Jiefen__FollowUp *f);

/* The state of v's follow-up at now_ms (enum followup_state). */
int followup_state(const Jiefen__CaseView *v, int64_t now_ms);

/* "due", "overdue", "on_time", "late"; "" for FOLLOWUP_NONE. */
const char *followup_state_code(int state);

/* 1 if roster person `id` is among v's roster_ids. */
int followup_has_roster(const Jiefen__CaseView *v, const char *id);

/* The follow-up as API JSON (docs/api.md, CASE "followup"); JSON null when the case has
 * none. New reference, NULL on allocation failure. */
json_t *followup_json(const Jiefen__CaseView *v, int64_t now_ms);

#endif
