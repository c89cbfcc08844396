/* api_followup — GET /api/v1/followups: the follow-up queue (回访), the closed cases held
 * here whose follow-up visit is not recorded yet, read from the to-do index (case/agenda.h)
 * in due order: 待回访 (due) and 回访逾期 (overdue), each with its assignee by name. The
 * record that completes one is the case action `followup` (api_case_act.c). */
#include "api/api_case.h"
#include "api/api_routes.h"
#include "case/agenda.h"
#include "case/caseindex.h"
#include "case/followup.h"
#include "clock.h"

#include <errno.h>
#include <string.h>

#define QUEUE_DEFAULT 100
#define QUEUE_MAX 1000

struct queue_read {
    struct api *api;
    MDB_txn *txn;
    int state;                 /* FOLLOWUP_DUE, FOLLOWUP_OVERDUE, or 0 for both */
    char assignee[ACCOUNT_USER_MAX + 1];
    long limit;
    int64_t now;
    json_t *items;
    uint64_t due, overdue;
};

static json_t *item_json(struct queue_read *q, const Jiefen__CaseView *v, int state)
{
    char link[AGENDA_SUBJECT_MAX + 16];
    snprintf(link, sizeof link, "#/case/%s", v->case_id);
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s, s:I, s:s, s:b, s:s, s:o, s:s}", "id",
                     v->case_id, "summary", v->summary, "category", v->category, "village",
                     v->village, "closed_ms", (json_int_t)v->closed_ms, "result", v->result,
                     "due_ms", (json_int_t)v->followup_due_ms, "state",
                     followup_state_code(state), "overdue", state == FOLLOWUP_OVERDUE,
                     "assignee", v->followup_assignee, "assignee_name",
                     api_user_name(q->api, q->txn, v->followup_assignee), "link", link);
}

static int add_item(const struct agenda_item *it, void *arg)
{
    struct queue_read *q = arg;
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(q->api->dep.st, q->txn, it->subject, &v);
    if (rc || !v)
        return rc;
    int state = followup_state(v, q->now);
    if (state == FOLLOWUP_NONE)   /* closed before follow-ups had due dates: due at closing */
        state = q->now > v->closed_ms ? FOLLOWUP_OVERDUE : FOLLOWUP_DUE;
    int mine = !q->assignee[0] || strcmp(q->assignee, v->followup_assignee) == 0;
    if (mine && (!q->state || q->state == state)) {
        q->due += state == FOLLOWUP_DUE;
        q->overdue += state == FOLLOWUP_OVERDUE;
        if ((long)json_array_size(q->items) < q->limit)
            json_array_append_new(q->items, item_json(q, v, state));
    }
    case_view_free(&v);
    return 0;
}

/* The query: state (due | overdue), assignee (a user name, or "me"), limit. NULL or the
 * name of the bad parameter, with its message in msg. */
static const char *parse_query(struct api_call *c, const char *query, struct queue_read *q,
                               const char **msg)
{
    char state[16];
    if (api_query_limit(query, QUEUE_DEFAULT, QUEUE_MAX, &q->limit))
        return *msg = "limit 应为 1 到 1000 的整数", "limit";
    if (api_query_param(query, "state", state, sizeof state) ||
        (state[0] && strcmp(state, "due") && strcmp(state, "overdue")))
        return *msg = "state 应为 due（待回访）或 overdue（回访逾期）", "state";
    q->state = !state[0] ? 0 : strcmp(state, "due") == 0 ? FOLLOWUP_DUE : FOLLOWUP_OVERDUE;
    if (api_query_param(query, "assignee", q->assignee, sizeof q->assignee))
        return *msg = "assignee 应为用户名或 me", "assignee";
    if (strcmp(q->assignee, "me") == 0)
        snprintf(q->assignee, sizeof q->assignee, "%s",
                 c->who.auth == API_AUTH_SESSION ? c->who.user : "admin");
    return NULL;
}

/* Who may be assigned a follow-up here: the active accounts whose role records it. */
static int add_assignee(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__UserRecord *u = (const Jiefen__UserRecord *)m;
    if (u->disabled ||
        permission_grant(permission_role_parse(u->role), PERM_CASE_FOLLOWUP) == GRANT_NO)
        return 0;
    return json_array_append_new(arg, json_pack("{s:s, s:s}", "user", u->user, "name",
                                                u->name))
               ? -ENOMEM
               : 0;
}

void route_followups(struct api_call *c, const http_request *r, const char *tail)
{
    struct queue_read q = {.api = c->api, .now = clock_now_ms()};
    const char *msg = NULL, *bad = parse_query(c, r->query, &q, &msg);
    (void)tail;
    if (bad)
        return reply_error(c, 400, "invalid_query", bad, "%s", msg);
    json_t *assignees = json_array();
    q.items = json_array();
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &q.txn);
    if (rc == 0) {
        rc = agenda_each(c->api->dep.st, q.txn, AGENDA_FOLLOW_UP, 0, add_item, &q);
        if (rc == 0)
            rc = account_each(c->api->dep.st, q.txn, add_assignee, assignees);
        store_txn_abort(q.txn);
    }
    if (rc) {
        json_decref(q.items);
        json_decref(assignees);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o, s:I, s:I, s:I, s:o}", "items", q.items, "due",
                                 (json_int_t)q.due, "overdue", (json_int_t)q.overdue,
                                 "followup_days", (json_int_t)c->api->dep.cfg->followup_days,
                                 "assignees", assignees));
}
