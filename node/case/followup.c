/* followup — the follow-up visit of a closed case in its view (followup.h). */
#include "case/followup.h"
#include "case/casefile.h"
#include "case/staffnotice.h"
#include "error.h"
#include "outbox/outbox.h"

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

struct notice {
    eventlog_tx *tx;
    struct notify_var date;
};

static int notify_parties(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    struct notice *n = arg;
    if (ev->body_case != JIEFEN__EVENT__BODY_CASE_OPENED)
        return 0;
    Jiefen__Sealed *s = jiefen__sealed__unpack(NULL, len, plain);
    if (!s)
        return JF_ECORRUPT;
    int rc = 0;
    for (size_t i = 0; i < s->n_parties && rc == 0; i++)
        if (outbox_is_mobile(s->parties[i]->phone))
            rc = notify_queue(n->tx, "follow_up", s->parties[i]->phone, ev->case_id, &n->date, 1);
    jiefen__sealed__free_unpacked(s, NULL);
    return rc;
}

int followup_notify(eventlog_tx *tx, const crypto_identity *id, const char *self,
                    const Jiefen__CaseView *v, int64_t due_ms)
{
    char date[32];
    int rc = staffnotice_time(due_ms, 0, date, sizeof date);
    if (rc)
        return rc;
    struct notice n = {tx, {"date", date}};
    return casefile_each(tx->st, tx->txn, id, self, v, notify_parties, &n);
}
