/* followup — the follow-up visit of a closed case in its view (followup.h). */
#include "case/followup.h"
#include "case/notice.h"
#include "error.h"

#include <string.h>

static const char *const state_codes[] = {"", "due", "overdue", "on_time", "late"};

int followup_has_roster(const Jiefen__CaseView *v, const char *id)
{
    for (size_t i = 0; i < v->n_roster_ids; i++)
        if (strcmp(v->roster_ids[i], id) == 0)
            return 1;
    return 0;
}

int followup_reopens(const Jiefen__FollowUp *f)
{
    return strcmp(f->satisfaction, "dissatisfied") == 0 || f->reopen_requested;
}

int followup_state(const Jiefen__CaseView *v, int64_t now_ms)
{
    if (v->followup_due_ms <= 0)
        return FOLLOWUP_NONE;
    if (v->followup_done_ms > 0)
        return v->followup_done_ms <= v->followup_due_ms ? FOLLOWUP_ON_TIME : FOLLOWUP_LATE;
    if (v->status != JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED)
        return FOLLOWUP_NONE;
    return now_ms > v->followup_due_ms ? FOLLOWUP_OVERDUE : FOLLOWUP_DUE;
}

const char *followup_state_code(int state)
{
    return state >= 0 && state <= FOLLOWUP_LATE ? state_codes[state] : "";
}

json_t *followup_json(const Jiefen__CaseView *v, int64_t now_ms)
{
    int st = followup_state(v, now_ms);
    if (st == FOLLOWUP_NONE)
        return json_null();
    return json_pack("{s:s, s:I, s:s, s:I, s:s, s:s, s:s}", "state", followup_state_code(st),
                     "due_ms", (json_int_t)v->followup_due_ms, "assignee",
                     v->followup_assignee, "done_ms", (json_int_t)v->followup_done_ms,
                     "method", v->followup_method, "performance", v->followup_performance,
                     "satisfaction", v->satisfaction);
}

int followup_notify(eventlog_tx *tx, const crypto_identity *id, const char *self,
                    const Jiefen__CaseView *v, int64_t due_ms)
{
    char date[32], once[160];
    int rc = notice_time(due_ms, 0, date, sizeof date);
    if (rc)
        return rc;
    snprintf(once, sizeof once, "follow_up:%s:%lld", v->case_id, (long long)due_ms);
    struct notify_var var = {"date", date};
    return notice_parties(tx, id, self, v, "follow_up", once, &var, 1);
}
