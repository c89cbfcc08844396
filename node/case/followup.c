/* followup — the follow-up visit of a closed case in its view (followup.h). */
#include "case/followup.h"
#include "array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_codes[] = {"", "due", "overdue", "on_time", "late"};

/* A string field of a view, freed as protobuf-c frees it (see case.c). */
static int put_str(char **field, const char *s)
{
    char *copy = strdup(s ? s : "");
    if (!copy)
        return -ENOMEM;
    if (*field && *field != protobuf_c_empty_string)
        free(*field);
    *field = copy;
    return 0;
}

int followup_fold_closed(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__CaseClosed *c = ev->case_closed;
    v->followup_due_ms = c->followup_due_ms;
    v->followup_done_ms = 0;
    return put_str(&v->followup_assignee, c->followup_assignee) ||
                   put_str(&v->followup_method, "") || put_str(&v->followup_performance, "")
               ? -ENOMEM
               : 0;
}

int followup_fold_done(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__FollowUp *f = ev->follow_up;
    v->followup_done_ms = ev->time_ms;
    return put_str(&v->followup_method, f->method) ||
                   put_str(&v->followup_performance, f->performance)
               ? -ENOMEM
               : 0;
}

int followup_has_roster(const Jiefen__CaseView *v, const char *id)
{
    for (size_t i = 0; i < v->n_roster_ids; i++)
        if (strcmp(v->roster_ids[i], id) == 0)
            return 1;
    return 0;
}

int followup_fold_attempt(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const char *id = ev->attempt->roster_id;
    if (!id[0] || followup_has_roster(v, id))
        return 0;
    char **ids = array_one_more(v->roster_ids, v->n_roster_ids, sizeof *ids);
    if (!ids)
        return -ENOMEM;
    v->roster_ids = ids;
    if (!(ids[v->n_roster_ids] = strdup(id)))
        return -ENOMEM;
    v->n_roster_ids++;
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
