/* api_inbox — GET /api/v1/inbox: what waits for the caller (待办), read from the to-do
 * index (case/agenda.h) and shown with names: each item's kind and its Chinese name, the case,
 * directive or report it is about with its title, the node concerned by name, when it is
 * due, and where the console opens it. A caller sees the kinds its role acts on
 * (inbox.h); a leader only the cases assigned to them. */
#include "api/api_access.h"
#include "api/api_case.h"
#include "api/api_routes.h"
#include "api/inbox.h"
#include "case/access.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/directive.h"
#include "case/agenda.h"
#include "case/hazard.h"
#include "clock.h"
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INBOX_DEFAULT 20   /* items listed per kind */
#define INBOX_MAX 500

struct inbox_read {
    struct api_call *c;
    MDB_txn *txn;
    json_t *items;
    long limit;           /* items listed per kind */
    long listed;
    uint64_t count;       /* of the kind being read, when it has to be counted here */
    uint64_t overdue;     /* of them, past their due time (follow-ups: 回访逾期) */
    int64_t now;
    char node[STORE_ORIGIN_MAX + 1], name[256];   /* the last node named: most are one */
};

static json_t *item_json(struct inbox_read *in, const struct agenda_item *it, const char *about,
                         const char *title, const char *node, const char *link)
{
    int overdue = (it->kind == AGENDA_DUE || it->kind == AGENDA_HAZARD ||
                   it->kind == AGENDA_FOLLOW_UP) && it->due_ms < in->now;
    const char *name = !overdue ? inbox_kind_name(it->kind)
                       : it->kind == AGENDA_FOLLOW_UP ? "回访逾期"
                                                      : "已超期";
    if (strcmp(node, in->node)) {
        api_node_name(in->c->api->dep.st, in->txn, node, in->name, sizeof in->name);
        snprintf(in->node, sizeof in->node, "%s", node);
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:s}",
                     "kind", agenda_kind_code(it->kind), "kind_name",
                     name, "about", about, "id",
                     it->subject, "title", title, "node", node, "node_name", in->name,
                     "due_ms", (json_int_t)it->due_ms, "overdue", overdue, "link", link);
}

/* A case's item; a leader's acknowledgement only on the cases assigned to them. Returns 1
 * if it is the caller's, 0 if not, or an error. */
static int case_item(struct inbox_read *in, const struct agenda_item *it, int list)
{
    Jiefen__CaseView *v = NULL;
    char link[AGENDA_SUBJECT_MAX + 16];
    int rc = caseindex_get(in->c->api->dep.st, in->txn, it->subject, &v);
    if (rc || !v)
        return rc;   /* an item whose case is gone is nobody's */
    const struct api_who *who = &in->c->who;
    int mine = it->kind != AGENDA_LEADER_ACK || who->auth != API_AUTH_SESSION ||
               who->role != ROLE_LEADER || api_leads(in->c, v);
    /* A follow-up is its assignee's: a mediator sees the ones assigned to them (and those
     * assigned to no one), the director all of them. */
    if (it->kind == AGENDA_FOLLOW_UP && who->auth == API_AUTH_SESSION &&
        who->role == ROLE_MEDIATOR && v->followup_assignee[0])
        mine = strcmp(v->followup_assignee, who->user) == 0;
    if (mine && list) {
        snprintf(link, sizeof link, "#/case/%s", it->subject);
        json_array_append_new(in->items, item_json(in, it, "case", v->summary, v->holder, link));
    }
    case_view_free(&v);
    return mine;
}

static int directive_item(struct inbox_read *in, const struct agenda_item *it)
{
    char origin[STORE_ORIGIN_MAX + 1];
    unsigned long long seq;
    Jiefen__DirectiveView *v = NULL;
    if (sscanf(it->subject, "%32[^/]/%llu", origin, &seq) != 2)
        return 0;
    int rc = directive_get(in->c->api->dep.st, in->txn, origin, seq, &v);
    if (rc || !v)
        return rc;
    json_array_append_new(in->items, item_json(in, it, "directive", v->directive->title,
                                               origin, "#/directives"));
    jiefen__directive_view__free_unpacked(v, NULL);
    return 1;
}

static int report_item(struct inbox_read *in, const struct agenda_item *it)
{
    char origin[STORE_ORIGIN_MAX + 1], kind[32], period[32], title[128], link[160];
    if (sscanf(it->subject, "%32[^/]/%31[^/]/%31s", origin, kind, period) != 3)
        return 0;
    snprintf(title, sizeof title, "%s %s", report_kind_name(kind), period);
    snprintf(link, sizeof link, "#/reports?kind=%s&period=%s", kind, period);
    json_array_append_new(in->items, item_json(in, it, "report", title, origin, link));
    return 1;
}

/* A request to copy, print or archive, decided here (摘抄复印报批); the item carries the
 * request so the inbox can decide it in place. */
static int access_item(struct inbox_read *in, const struct agenda_item *it)
{
    char title[512], what[160];
    Jiefen__AccessRequestView *v = NULL;
    int rc = access_request_get(in->c->api->dep.st, in->txn, it->subject, &v);
    if (rc || !v)
        return rc;
    snprintf(title, sizeof title, "%s：%s（%s）", v->case_id,
             api_access_what_name(v->request->what, what, sizeof what), v->request->reason);
    char origin[STORE_ORIGIN_MAX + 1];
    snprintf(origin, sizeof origin, "%.*s", (int)strcspn(it->subject, "/"), it->subject);
    json_t *j = item_json(in, it, "access", title, origin, "#/access");
    json_object_set_new(j, "request", api_access_request_json(in->c->api, in->txn, v));
    json_array_append_new(in->items, j);
    access_request_free(&v);
    return 1;
}

/* A hazard whose check-in is overdue (only those are walked). */
static int hazard_item(struct inbox_read *in, const struct agenda_item *it)
{
    Jiefen__HazardView *v = NULL;
    char link[AGENDA_SUBJECT_MAX + 16];
    int rc = hazard_get(in->c->api->dep.st, in->txn, it->subject, &v);
    if (rc || !v)
        return rc;
    snprintf(link, sizeof link, "#/hazard/%s", it->subject);
    json_array_append_new(in->items, item_json(in, it, "hazard", v->hazard->title, v->origin,
                                               link));
    hazard_free(&v);
    return 1;
}

/* One item of the walk: listed while the kind's share lasts; counted when the count is
 * not the index's own (time limits coming due, a leader's own cases). */
static int add_item(const struct agenda_item *it, void *arg)
{
    struct inbox_read *in = arg;
    int counted = it->kind == AGENDA_DUE || it->kind == AGENDA_LEADER_ACK ||
                  it->kind == AGENDA_HAZARD || it->kind == AGENDA_FOLLOW_UP;
    int list = in->listed < in->limit, rc;
    if (!list && !counted)
        return STORE_STOP;
    if (it->kind == AGENDA_DIRECTIVE)
        rc = list ? directive_item(in, it) : 1;
    else if (it->kind == AGENDA_REPORT)
        rc = list ? report_item(in, it) : 1;
    else if (it->kind == AGENDA_ACCESS)
        rc = list ? access_item(in, it) : 1;
    else if (it->kind == AGENDA_HAZARD)
        rc = list ? hazard_item(in, it) : 1;
    else if (it->kind == AGENDA_LEADER_ACK || it->kind == AGENDA_FOLLOW_UP)
        rc = case_item(in, it, list);
    else
        rc = list ? case_item(in, it, 1) : 1;
    if (rc < 0)
        return rc;
    in->listed += rc > 0 && list;
    in->count += rc > 0;
    in->overdue += rc > 0 && it->due_ms < in->now;
    return 0;
}

static int by_due(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "due_ms"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "due_ms"));
    return (x > y) - (x < y);
}

/* The items in due order, the soonest first. */
static json_t *sorted(json_t *items)
{
    size_t n = json_array_size(items);
    json_t **v = malloc((n ? n : 1) * sizeof *v), *out = json_array();
    for (size_t i = 0; v && i < n; i++)
        v[i] = json_array_get(items, i);
    if (v)
        qsort(v, n, sizeof *v, by_due);
    for (size_t i = 0; v && i < n; i++)
        json_array_append(out, v[i]);
    free(v);
    json_decref(items);
    return out;
}

void route_inbox(struct api_call *c, const http_request *r, const char *tail)
{
    struct api *api = c->api;
    char kind_q[32];
    long limit;
    uint64_t counts[AGENDA_N];
    const char *bad = api_query_limit(r->query, INBOX_DEFAULT, INBOX_MAX, &limit);
    (void)tail;
    if (bad)
        return reply_error(c, 400, "invalid_query", bad, "limit 应为 1 到 %d 的整数", INBOX_MAX);
    int only = -1;
    if (api_query_param(r->query, "kind", kind_q, sizeof kind_q) ||
        (kind_q[0] && (only = agenda_kind_parse(kind_q)) < 0))
        return reply_error(c, 400, "invalid_query", "kind", "无此待办类别：%s", kind_q);
    struct inbox_read in = {.c = c, .limit = limit, .now = clock_now_ms()};
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &in.txn);
    if (rc == 0)
        rc = agenda_count(api->dep.st, in.txn, counts);
    /* Time limits count once their warning is due: warn_hours ahead (a day without one). */
    int hours = api->dep.cfg->warn_hours > 0 ? api->dep.cfg->warn_hours : 24;
    json_t *kinds = json_array(), *items = json_array();
    unsigned total = 0;
    in.items = items;
    for (int k = 0; k < AGENDA_N && rc == 0; k++) {
        if (!inbox_kind_allowed(&c->who, k) || (only >= 0 && k != only))
            continue;
        in.listed = 0;
        in.count = in.overdue = 0;
        /* Hazards count once their check-in is overdue. */
        int64_t max_due = k == AGENDA_DUE ? in.now + hours * 3600000LL
                          : k == AGENDA_HAZARD ? in.now : 0;
        rc = agenda_each(api->dep.st, in.txn, k, max_due, add_item, &in);
        int counted = k == AGENDA_DUE || k == AGENDA_LEADER_ACK || k == AGENDA_HAZARD ||
                      k == AGENDA_FOLLOW_UP;
        uint64_t n = counted ? in.count : counts[k];
        total += (unsigned)n;
        json_array_append_new(kinds, json_pack("{s:s, s:s, s:I, s:I}", "kind",
                                               agenda_kind_code(k), "name", inbox_kind_name(k),
                                               "count", (json_int_t)n, "overdue",
                                               (json_int_t)(counted ? in.overdue : 0)));
    }
    store_txn_abort(in.txn);
    if (rc) {
        json_decref(kinds);
        json_decref(items);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o, s:o, s:I}", "items", sorted(items), "kinds", kinds,
                                 "total", (json_int_t)total));
}
