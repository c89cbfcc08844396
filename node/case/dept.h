/*
 * dept — departments as participants in a case (一站式, 部门入驻; DESIGN.md rule 12): the
 * fold of the department events into the case view (CaseView.dept, a DeptState) and what
 * the API, the timers, the to-do index and the ledger read of it.
 *
 * The centre holding a case routes it (分流, DeptRouted) to a lead department (牵头) and
 * helpers (协办); a new routing ends the parts of the previous one. Each department signs
 * for its part (签收) by the routing's sign_due_ms or the holder's timer records it overdue
 * (DeptSignOverdue); it may return its part with a reason (退回: by the lead, every part of
 * the routing ends and the case waits in the centre's routing queue, 待分流); it feeds back
 * progress and finally its result (反馈, final), which closes its part. All are the
 * holder's events (case.c refuses them from any other node); a move of the case ends the
 * parts still in hand.
 */
#ifndef JIEFEN_DEPT_H
#define JIEFEN_DEPT_H

#include "jiefen.pb-c.h"

#include <jansson.h>
#include <stdint.h>

/* 1 if body_case (JIEFEN__EVENT__BODY_*) is a department event. */
int dept_kind(int body_case);

/* Applies department event ev to view v (called by case.c's fold once the event is
 * admissible). 0, JF_EINVAL if it cannot apply (unknown department for this case, a part
 * already signed, returned or done, an empty reason or text, a sign limit not after the
 * routing), or -ENOMEM (then v must be discarded). On JF_EINVAL v is unchanged. */
int dept_apply(Jiefen__CaseView *v, const Jiefen__Event *ev);

/* Ends every part still in hand at at_ms (the case moved to another holder). 0. */
int dept_end_parts(Jiefen__CaseView *v, int64_t at_ms);

/* The current (not ended, not returned) part of `department` in v; NULL if none. */
const Jiefen__DeptPart *dept_part(const Jiefen__CaseView *v, const char *department);

/* The state of a part: "to_sign" (待签收), "in_hand" (办理中), "done" (已反馈结果),
 * "returned" (已退回), "ended" (已结束: superseded or moved on). */
const char *dept_part_state(const Jiefen__DeptPart *p);

/* 1 if the part was not signed by its limit: found by the timer, or now_ms past it. */
int dept_part_sign_late(const Jiefen__DeptPart *p, int64_t now_ms);

/* The earliest sign limit of a current unsigned part routed at node `self` that the timer
 * has not recorded overdue yet; 0 if none. */
int64_t dept_sign_next(const Jiefen__CaseView *v, const char *self);

/* The sign limit passed (<= now_ms) of current unsigned parts routed at `self` and not yet
 * recorded overdue: up to max department names into names; returns how many. */
size_t dept_sign_due(const Jiefen__CaseView *v, const char *self, int64_t now_ms,
                     const char **names, size_t max);

/* 1 if a part signed late or recorded overdue is still waiting to be signed at `self`:
 * the centre's director has a to-do (签收逾期); its time in *since. */
int dept_sign_overdue_at(const Jiefen__CaseView *v, const char *self, int64_t *since);

/* The departments' parts and the routing queue state as API JSON (see docs/api.md, CASE
 * "departments"). New reference or NULL. */
json_t *dept_json(const Jiefen__CaseView *v, int64_t now_ms);

/* The details of a department event for a case's history (docs/api.md). New reference. */
json_t *dept_event_json(const Jiefen__Event *ev);

#endif
