/*
 * followup — the follow-up visit (回访) of a closed case as its view keeps it: closing sets
 * when it is due and who makes it, the follow-up record completes it (how it was made, the
 * party's satisfaction, whether the agreement was performed), and the rostered people
 * (名册) chosen for the case's attempts are listed once each. Called by the case fold
 * (case.c) with the event already checked there; the state of a follow-up at a given time
 * is what the queue, the inbox and the ledger count.
 */
#ifndef JIEFEN_FOLLOWUP_H
#define JIEFEN_FOLLOWUP_H

#include "jiefen.pb-c.h"

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

/* The fold of a closing (ev a case_closed): a new follow-up, due and assigned as the event
 * says, nothing recorded yet. 0 or -ENOMEM. */
int followup_fold_closed(Jiefen__CaseView *v, const Jiefen__Event *ev);

/* The fold of a follow-up record (ev a follow_up): made at the event's time, as it says.
 * 0 or -ENOMEM. */
int followup_fold_done(Jiefen__CaseView *v, const Jiefen__Event *ev);

/* The fold of an attempt (ev an attempt): its rostered person, if any, joins roster_ids
 * once. 0 or -ENOMEM. */
int followup_fold_attempt(Jiefen__CaseView *v, const Jiefen__Event *ev);

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
