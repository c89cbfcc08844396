/* api_report — reports up the tree (rule 9) through the API: a draft with the figures of a
 * period, submission by a person (a signed event that travels up), the parent's review
 * (accept, or return with a comment, which travels down), the parent's view of its
 * children (report_status.c), a report as a spreadsheet, and the early warnings. What reads
 * every case (figures, the children's view, an export) runs on the thread pool (work.h);
 * a submission's figures are computed there before its write transaction. See report.h for
 * kinds and periods. */
#include "api/api_ledger.h"
#include "api/api_op.h"
#include "api/api_routes.h"
#include "api/report_names.h"
#include "clock.h"
#include "config.h"
#include "error.h"
#include "report/ledger.h"
#include "report/ledger_export.h"
#include "log/registry.h"
#include "report/report.h"
#include "report/report_status.h"
#include "report/review.h"

#include <sodium.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The figures a submission would carry now (a draft shows them): the draft's, made at the
 * end of the period, or if there is none (or it was returned), the figures as of now. */
static int frozen_figures(store *st, MDB_txn *txn, const char *self,
                          const struct report_period *p, char **out)
{
    Jiefen__ReportView *v = NULL;
    int rc = report_get(st, txn, self, p->kind, p->period, &v);
    if (rc == 0 && v && strcmp(v->state, "draft") == 0) {
        *out = strdup(v->figures);
    } else if (rc == 0) {
        rc = ledger_figures(st, txn, self, p->from_ms, p->to_ms, clock_now_ms(), NULL, out);
    }
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    return rc == 0 && !*out ? -ENOMEM : rc;
}

/* kind/period from a query or body; a missing period means the current one. */
static const char *period_of(const char *kind, const char *period, struct report_period *p)
{
    if (!period[0]) {
        if (!report_kind_valid(kind))
            return REPORT_KINDS_TEXT;
        report_period_at(kind, clock_now_ms(), p);
        return NULL;
    }
    return report_period_parse(kind, period, p);
}

/* kind and period from the query; 0, or -1 once the error is answered. */
static int query_period(struct api_call *c, const http_request *r, struct report_period *p)
{
    char kind[16] = "", period[16] = "";
    http_query_get(r->query, "kind", kind, sizeof kind);
    http_query_get(r->query, "period", period, sizeof period);
    const char *why = period_of(kind, period, p);
    if (!why)
        return 0;
    reply_error(c, 400, "invalid_query", report_kind_valid(kind) ? "period" : "kind", "%s",
                why);
    return -1;
}

/* ---- what a report rests on ---------------------------------------------------------- */

struct prereq {
    store *st;
    MDB_txn *txn;
    const char *self, *child_kind;
    const struct report_period *p;
    json_t *missing_ok;   /* "CHILD/DATE" strings the submitter marks missing */
    json_t *absent;       /* out: what is neither in nor marked missing */
    json_t *list;         /* out: every expected child report with its state */
};

static int check_child_period(struct prereq *q, const Jiefen__NodeInfo *child,
                              const struct report_period *sub)
{
    Jiefen__ReportView *v = NULL;
    char tag[80];
    int rc = report_get(q->st, q->txn, child->node_id, sub->kind, sub->period, &v);
    if (rc)
        return rc;
    snprintf(tag, sizeof tag, "%s/%s", child->node_id, sub->period);
    int marked = 0;
    size_t i;
    json_t *m;
    json_array_foreach(q->missing_ok, i, m) marked |= json_is_string(m) &&
                                                       strcmp(json_string_value(m), tag) == 0;
    json_array_append_new(q->list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "node",
                                             child->node_id, "name", child->name, "kind",
                                             sub->kind, "period", sub->period, "state",
                                             v ? v->state : marked ? "missing" : "absent"));
    /* Sent and not returned counts as in; a returned one waits for its resubmission. */
    int in = v && (strcmp(v->state, "submitted") == 0 || strcmp(v->state, "accepted") == 0);
    if (!in && !marked)
        json_array_append_new(q->absent, json_pack("{s:s, s:s, s:s}", "node", child->node_id,
                                                   "name", child->name, "period",
                                                   sub->period));
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    return 0;
}

/* Each child expected to report child_kind, for each of its periods inside ours. */
static int check_child(const Jiefen__NodeInfo *ni, void *arg)
{
    struct prereq *q = arg;
    if (!report_child_expected(ni, q->self, q->child_kind))
        return 0;
    struct report_period sub;
    for (int64_t t = q->p->from_ms; t < q->p->to_ms; t = sub.to_ms) {
        report_period_at(q->child_kind, t, &sub);
        int rc = check_child_period(q, ni, &sub);
        if (rc)
            return rc;
    }
    return 0;
}

static int prerequisites(store *st, MDB_txn *txn, const char *self,
                         const struct report_period *p, json_t *missing_ok, json_t *absent,
                         json_t *list)
{
    const char *ck = report_child_kind(p->kind);
    struct prereq q = {st, txn, self, ck, p, missing_ok, absent, list};
    return ck ? registry_each(st, txn, check_child, &q) : 0;
}

/* ---- draft ------------------------------------------------------------------------- */

static json_t *period_json(const struct report_period *p)
{
    return json_pack("{s:s, s:s, s:I, s:I, s:I}", "kind", p->kind, "period", p->period,
                     "from_ms", (json_int_t)p->from_ms, "to_ms", (json_int_t)p->to_ms, "due_ms",
                     (json_int_t)p->due_ms);
}

/* A read for one period, answered with j->out (period_json, filled in by the work). */
struct period_job {
    struct api_call *c;
    struct report_period p;
    json_t *out;
};

static void period_done(int rc, void *arg)
{
    struct period_job *j = arg;
    if (rc) {
        json_decref(j->out);
        reply_store_error(j->c, rc);
    } else {
        reply_json(j->c, 200, j->out);
    }
    free(j);
}

/* The period of the query, then fn on the thread pool. */
static void period_route(struct api_call *c, const http_request *r, work_fn fn)
{
    struct period_job *j = calloc(1, sizeof *j);
    if (!j)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    if (query_period(c, r, &j->p)) {
        free(j);
        return;
    }
    j->c = c;
    j->out = period_json(&j->p);
    work_read(c->api->dep.work, fn, period_done, j);
}

static int draft_work(MDB_txn *txn, void *arg)
{
    struct period_job *j = arg;
    const struct api *api = j->c->api;
    json_t *absent = json_array(), *list = json_array(), *none = json_array();
    char *frozen = NULL;
    json_t *fig = NULL;
    int rc = frozen_figures(api->dep.st, txn, api->dep.cfg->node_id, &j->p, &frozen);
    if (rc == 0 && !(fig = json_loads(frozen, 0, NULL)))
        rc = -ENOMEM;
    free(frozen);
    if (rc == 0)
        rc = prerequisites(api->dep.st, txn, api->dep.cfg->node_id, &j->p, none, absent, list);
    json_decref(none);
    json_decref(absent);
    if (rc) {
        json_decref(fig);
        json_decref(list);
        return rc;
    }
    json_object_set_new(j->out, "figures", fig);
    json_object_set_new(j->out, "children", list);
    j->out = json_pack("{s:o}", "draft", j->out);
    return 0;
}

void route_report_draft(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    period_route(c, r, draft_work);
}

/* ---- submit ------------------------------------------------------------------------- */

/* The first mark of `missing` that names no child report the period rests on, or NULL. */
static const char *unexpected_mark(json_t *missing, json_t *list)
{
    size_t i, k;
    json_t *m, *e;
    char tag[80];
    json_array_foreach(missing, i, m)
    {
        int found = 0;
        json_array_foreach(list, k, e)
        {
            snprintf(tag, sizeof tag, "%s/%s", api_str(e, "node"), api_str(e, "period"));
            found |= strcmp(tag, json_string_value(m)) == 0;
        }
        if (!found)
            return json_string_value(m);
    }
    return NULL;
}

/* The refusal of a report whose children's reports are not all in, as a sentence that
 * names each child and its dates ("东村（2026-05-09、2026-05-10）、西村（2026-05-09）"),
 * cut short with a count when it would not fit the message. */
static int refuse_pending(struct api_op *o, json_t *absent, const char *child_kind)
{
    char text[sizeof o->msg - 160] = "", more[48] = "";
    size_t len = 0, i, shown = 0, children = 0;
    int full = 0;
    json_t *a;
    const char *prev = "";
    json_array_foreach(absent, i, a)
    {
        const char *node = api_str(a, "node");
        int same = strcmp(prev, node) == 0;
        prev = node;
        children += !same;
        full |= len + 100 > sizeof text; /* room for one more name and date */
        if (full)
            continue;
        shown += !same;
        len += (size_t)snprintf(text + len, sizeof text - len, "%s%s%s%s",
                                same ? "、" : len ? "）、" : "", same ? "" : api_str(a, "name"),
                                same ? "" : "（", api_str(a, "period"));
    }
    if (shown < children)
        snprintf(more, sizeof more, "等 %zu 个下级", children);
    return op_refuse(o, 409, "children_pending", "missing",
                     "下级报告未齐：%s）%s尚未报送%s；请等待报送，或标注缺报并写明原因", text,
                     more, child_kind);
}

static int submit_checks(eventlog_tx *tx, struct api_op *o, const struct report_period *p,
                         json_t *missing)
{
    struct api *api = o->c->api;
    Jiefen__ReportView *v = NULL;
    if (!report_kind_for_tier(p->kind, api->dep.cfg->tier))
        return op_refuse(o, 400, "invalid_field", "kind", "%s级节点不报送 %s 报告",
                         config_tier_name(api->dep.cfg->tier), p->kind);
    if (p->from_ms > tx->now_ms)
        return op_refuse(o, 400, "invalid_field", "period", "报告期 %s 尚未开始", p->period);
    int rc = report_get(tx->st, tx->txn, api->dep.cfg->node_id, p->kind, p->period, &v);
    int again = v && strcmp(v->state, "returned") && strcmp(v->state, "draft");
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    if (rc)
        return rc;
    if (again)
        return op_refuse(o, 409, "already_submitted", "period",
                         "%s 报告（%s）已报送；只有被退回的报告可以重新报送", p->kind, p->period);
    json_t *absent = json_array(), *list = json_array();
    rc = prerequisites(tx->st, tx->txn, api->dep.cfg->node_id, p, missing, absent, list);
    const char *stray = rc == 0 ? unexpected_mark(missing, list) : NULL;
    if (stray)
        rc = op_refuse(o, 400, "invalid_field", "missing",
                       "%s 不是本期应报的下级报告，不能标注缺报（应为 \"下级/日期\"）", stray);
    else if (rc == 0 && json_array_size(absent))
        rc = refuse_pending(o, absent, report_kind_name(report_child_kind(p->kind)));
    json_decref(absent);
    json_decref(list);
    return rc;
}

#define MISSING_REASON_MAX 300

/* One mark of the body's "missing" as its tag "CHILD/YYYY-MM-DD" and reason: a string
 * "CHILD/DATE" or "CHILD/DATE=REASON", or {"node", "period", "reason"}. 0, or -1. */
static int missing_mark(const json_t *x, json_t *tags, json_t *reasons)
{
    char tag[80];
    const char *reason = "";
    if (json_is_object(x)) {
        if (!api_str(x, "node")[0] || !api_str(x, "period")[0])
            return -1;
        snprintf(tag, sizeof tag, "%s/%s", api_str(x, "node"), api_str(x, "period"));
        reason = api_str(x, "reason");
    } else if (json_is_string(x) && json_string_length(x) < 64 + MISSING_REASON_MAX) {
        const char *v = json_string_value(x), *eq = strchr(v, '=');
        size_t n = eq ? (size_t)(eq - v) : strlen(v);
        if (n >= sizeof tag)
            return -1;
        snprintf(tag, sizeof tag, "%.*s", (int)n, v);
        reason = eq ? eq + 1 : "";
    } else {
        return -1;
    }
    if (strlen(tag) > 64 || !strchr(tag, '/') || strlen(reason) > MISSING_REASON_MAX)
        return -1;
    json_array_append_new(tags, json_string(tag));
    json_array_append_new(reasons, json_string(reason));
    return 0;
}

/* The body's "missing" as two arrays the caller frees: the tags and their reasons. */
static int missing_of(struct api_op *o, json_t **tags, json_t **reasons)
{
    json_t *m = json_object_get(o->in, "missing"), *x;
    size_t i;
    *tags = json_array();
    *reasons = json_array();
    if (!*tags || !*reasons)
        return -ENOMEM;
    if (m && (!json_is_array(m) || json_array_size(m) > 1000))
        return op_refuse(o, 400, "invalid_field", "missing",
                         "missing 应为 \"下级/日期\" 或 \"下级/日期=缺报原因\" 的列表");
    json_array_foreach(m, i, x)
    {
        if (missing_mark(x, *tags, *reasons))
            return op_refuse(o, 400, "invalid_field", "missing",
                             "missing 第 %zu 项应为 \"下级/日期\" 或 \"下级/日期=缺报原因\""
                             "（原因最多 %d 字节）",
                             i + 1, MISSING_REASON_MAX);
    }
    return 0;
}

/* The strings of a JSON array of strings, borrowed from it (NULL-terminated), in *out. */
static int strings_of(json_t *a, char ***out)
{
    size_t i;
    json_t *x;
    *out = calloc(json_array_size(a) + 1, sizeof **out);
    if (!*out)
        return -ENOMEM;
    json_array_foreach(a, i, x)(*out)[i] = (char *)json_string_value(x);
    return 0;
}

/* The period a submission's body names; NULL, or why it names none. */
static const char *submit_period(const json_t *in, struct report_period *p)
{
    return api_str(in, "period")[0]
               ? report_period_read(api_str(in, "kind"), api_str(in, "period"), p)
               : "请填写报告期（period，YYYY-MM-DD）";
}

/* The figures the submission carries: the draft's, made at the end of the period, else those
 * computed on the thread pool just before this operation (o->data, see submit_work). A
 * draft seen there and gone now (submitted and returned meanwhile) asks for a new try. */
static int submission_figures(eventlog_tx *tx, struct api_op *o, const struct report_period *p,
                              char **out)
{
    Jiefen__ReportView *v = NULL;
    int rc = report_get(tx->st, tx->txn, o->c->api->dep.cfg->node_id, p->kind, p->period, &v);
    const char *figures = v && strcmp(v->state, "draft") == 0 ? v->figures : o->data;
    *out = NULL;
    if (rc == 0 && !figures)
        rc = op_refuse(o, 409, "state_changed", "period", "报告（%s）的状态刚刚变化，请重新报送",
                       p->period);
    else if (rc == 0 && !(*out = strdup(figures)))
        rc = -ENOMEM;
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    return rc;
}

static int submit_apply(eventlog_tx *tx, struct api_op *o)
{
    struct report_period p;
    const char *why = submit_period(o->in, &p);
    const char *analysis = api_str(o->in, "analysis");
    json_t *tags = NULL, *reasons = NULL;
    char **strs = NULL, **why_missing = NULL, *figures = NULL;
    Jiefen__ReviewRecord *review = NULL;
    struct review_fault rf;
    int rc;
    if (why)
        return op_refuse(o, 400, "invalid_field",
                         report_kind_valid(api_str(o->in, "kind")) ? "period" : "kind", "%s", why);
    if (!analysis[0] || strlen(analysis) > 20000)
        return op_refuse(o, 400, "missing_field", "analysis", "请填写分析研判内容（最多 20000 字节）");
    if ((rc = missing_of(o, &tags, &reasons)) == 0 && (rc = submit_checks(tx, o, &p, tags)) == 0 &&
        (rc = strings_of(tags, &strs)) == 0 && (rc = strings_of(reasons, &why_missing)) == 0 &&
        report_kind_is_review(p.kind) &&
        (rc = review_parse(json_object_get(o->in, "review") ? json_object_get(o->in, "review")
                                                            : o->in,
                           &p, &review, &rf)) == JF_EINVAL)
        rc = op_refuse(o, 400, "invalid_field", rf.field, "%s", rf.message);
    if (rc == 0)
        rc = submission_figures(tx, o, &p, &figures);
    if (rc == 0) {
        Jiefen__ReportSubmitted rs = JIEFEN__REPORT_SUBMITTED__INIT;
        rs.kind = p.kind;
        rs.period = p.period;
        rs.from_ms = p.from_ms;
        rs.to_ms = p.to_ms;
        rs.figures = figures;
        rs.analysis = (char *)analysis;
        rs.missing = strs;
        rs.n_missing = json_array_size(tags);
        rs.missing_reason = why_missing;
        rs.n_missing_reason = json_array_size(reasons);
        rs.review = review;
        Jiefen__Event ev = JIEFEN__EVENT__INIT;
        ev.body_case = JIEFEN__EVENT__BODY_REPORT_SUBMITTED;
        ev.report_submitted = &rs;
        rc = op_append(tx, o, &ev);
        if (rc == 0)
            o->out = json_pack("{s:o}", "report", period_json(&p));
    }
    review_free(&review);
    free(figures);
    free(strs);
    free(why_missing);
    json_decref(tags);
    json_decref(reasons);
    return rc;
}

/* A submission waiting for its figures. */
struct submission {
    struct api_call *c;
    json_t *in;
    struct report_period p;
    char *figures;
};

/* The figures of the period as of now, unless there is a draft (whose figures go) or a
 * report the operation will refuse to replace: read on the thread pool, not in the group
 * commit's write transaction, which would hold every other writer for a whole scan. */
static int submit_work(MDB_txn *txn, void *arg)
{
    struct submission *s = arg;
    const struct api *api = s->c->api;
    Jiefen__ReportView *v = NULL;
    int rc = report_get(api->dep.st, txn, api->dep.cfg->node_id, s->p.kind, s->p.period, &v);
    int compute = !v || strcmp(v->state, "returned") == 0;
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    if (rc == 0 && compute)
        rc = ledger_figures(api->dep.st, txn, api->dep.cfg->node_id, s->p.from_ms, s->p.to_ms,
                            clock_now_ms(), NULL, &s->figures);
    return rc;
}

static void submit_done(int rc, void *arg)
{
    struct submission *s = arg;
    if (rc) {
        reply_store_error(s->c, rc);
        json_decref(s->in);
        free(s->figures);
    } else {
        op_submit_data(s->c, s->in, submit_apply, NULL, s->figures);
    }
    free(s);
}

void route_report_submit(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct report_period p;
    json_t *in = api_body(c, r);
    if (!in)
        return;
    /* A request the operation refuses anyway costs no scan of the cases. */
    if (submit_period(in, &p) || !report_kind_for_tier(p.kind, c->api->dep.cfg->tier) ||
        p.from_ms > clock_now_ms() || !api_str(in, "analysis")[0])
        return op_submit(c, in, submit_apply, NULL);
    struct submission *s = calloc(1, sizeof *s);
    if (!s) {
        json_decref(in);
        return reply_error(c, 500, "internal", NULL, "内存不足");
    }
    *s = (struct submission){c, in, p, NULL};
    work_read(c->api->dep.work, submit_work, submit_done, s);
}

/* ---- review ------------------------------------------------------------------------- */

static int review_apply(eventlog_tx *tx, struct api_op *o)
{
    struct api *api = o->c->api;
    const char *origin = api_str(o->in, "node"), *comment = api_str(o->in, "comment");
    json_t *acc = json_object_get(o->in, "accepted");
    struct report_period p;
    Jiefen__NodeInfo *child = NULL;
    Jiefen__ReportView *v = NULL;
    const char *why =
        report_period_parse(api_str(o->in, "kind"), api_str(o->in, "period"), &p);
    if (why)
        return op_refuse(o, 400, "invalid_field", "period", "%s", why);
    if (!json_is_boolean(acc))
        return op_refuse(o, 400, "missing_field", "accepted", "请说明是否接收（accepted: true/false）");
    if (!json_is_true(acc) && !comment[0])
        return op_refuse(o, 400, "missing_field", "comment", "退回报告时请填写退回意见");
    int rc = registry_get(tx->st, tx->txn, origin, &child);
    int mine = rc == 0 && child && strcmp(child->parent, api->dep.cfg->node_id) == 0;
    char who[200];
    snprintf(who, sizeof who, "%s", child && child->name[0] ? child->name : origin);
    registry_free(&child);
    if (rc == 0 && !mine)
        return op_refuse(o, 403, "not_parent", "node", "%s 不是本节点的下级，不能审核其报告",
                         who);
    if (rc || (rc = report_get(tx->st, tx->txn, origin, p.kind, p.period, &v)))
        return rc;
    if (!v || strcmp(v->state, "submitted")) {
        rc = op_refuse(o, 409, "not_submitted", "period", "%s的%s报告（%s）%s", who,
                       report_kind_name(p.kind), p.period,
                       !v ? "尚未报送" : strcmp(v->state, "returned") ? "已接收" : "已退回，待重新报送");
    } else {
        Jiefen__ReportReviewed rr = JIEFEN__REPORT_REVIEWED__INIT;
        rr.origin = v->origin;
        rr.seq = v->seq;
        rr.accepted = json_is_true(acc);
        rr.comment = (char *)comment;
        Jiefen__Event ev = JIEFEN__EVENT__INIT;
        ev.body_case = JIEFEN__EVENT__BODY_REPORT_REVIEWED;
        ev.report_reviewed = &rr;
        rc = op_append(tx, o, &ev);
    }
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    return rc;
}

void route_report_review(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, review_apply, NULL);
}

/* ---- the reports of this node and of its children ------------------------------------ */

static int status_work(MDB_txn *txn, void *arg)
{
    struct period_job *j = arg;
    const struct api *api = j->c->api;
    int rc = report_status(api->dep.st, txn, api->dep.cfg->node_id, &j->p, clock_now_ms(),
                           j->out);
    return rc ? rc : report_names_add_all(api->dep.st, txn, api->dep.cfg->node_id, j->out);
}

void route_reports(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    period_route(c, r, status_work);
}

/* ---- a report as a spreadsheet ------------------------------------------------------- */

struct report_export_job {
    struct api_export e;
    char node[STORE_ORIGIN_MAX + 1];
    struct report_period p;
    int found;
};

static int report_export_work(MDB_txn *txn, void *arg)
{
    struct report_export_job *j = arg;
    const struct api *api = j->e.c->api;
    Jiefen__ReportView *v = NULL;
    Jiefen__NodeInfo *ni = NULL;
    char who[REPORT_NAME_MAX], unit[REPORT_NAME_MAX];
    int rc = report_get(api->dep.st, txn, j->node, j->p.kind, j->p.period, &v);
    if (rc || !(j->found = v != NULL))
        return rc;
    int self = strcmp(j->node, api->dep.cfg->node_id) == 0;
    if (!self)
        rc = registry_get(api->dep.st, txn, j->node, &ni);
    if (rc == 0)   /* the names, once for the export */
        rc = report_names_submitter(api->dep.st, txn, api->dep.cfg->node_id, v->origin, v->seq,
                                    v->actor, who, sizeof who);
    if (rc == 0) {
        struct report_export_req q = {v,
                                      self ? api->dep.cfg->node_name
                                      : ni ? ni->name
                                           : j->node,
                                      who,
                                      report_names_reviewer(api->dep.st, txn, v->reviewer, unit,
                                                            sizeof unit),
                                      j->e.xlsx, api->dep.dir};
        rc = ledger_export_report(&q, &j->e.out, &j->e.len, j->e.err, sizeof j->e.err);
    }
    registry_free(&ni);
    jiefen__report_view__free_unpacked(v, NULL);
    return rc;
}

static void report_export_done(int rc, void *arg)
{
    struct report_export_job *j = arg;
    if (rc == 0 && !j->found)
        reply_error(j->e.c, 404, "not_found", NULL, "没有 %s 的%s报告（%s）", j->node,
                    report_kind_name(j->p.kind), j->p.period);
    else
        api_export_done(&j->e, rc); /* not found: nothing was made */
    free(j);
}

/* GET /api/v1/reports/export?node=&kind=&period=&format=: a report of this node or of its
 * subtree as stored. */
void route_report_export(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct report_export_job q = {.e.c = c}, *j;
    int got = http_query_get(r->query, "node", q.node, sizeof q.node);
    if (got < -1)
        return reply_error(c, 400, "invalid_query", "node", "node 应为节点编号（最多 %d 个字符）",
                           STORE_ORIGIN_MAX);
    if (got <= 0)
        snprintf(q.node, sizeof q.node, "%s", c->api->dep.cfg->node_id);
    if (query_period(c, r, &q.p))
        return;
    if (api_export_format(r->query, &q.e.xlsx))
        return reply_error(c, 400, "invalid_query", "format", "format 应为 xlsx 或 csv");
    snprintf(q.e.filename, sizeof q.e.filename, "report-%s-%s-%s.%s", q.node, q.p.kind,
             q.p.period, q.e.xlsx ? "xlsx" : "csv");
    if (!(j = malloc(sizeof *j)))
        return reply_error(c, 500, "internal", NULL, "内存不足");
    *j = q;
    work_read(c->api->dep.work, report_export_work, report_export_done, j);
}

/* ---- early warnings (预测预警) ------------------------------------------------------ */

#define WARNINGS_DEFAULT 100
#define WARNINGS_MAX 500

static json_t *warning_json(const Jiefen__WarningView *v)
{
    const Jiefen__WarningRaised *w = v->warning;
    return json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "node", v->origin,
                     "seq", (json_int_t)v->seq, "time_ms", (json_int_t)v->time_ms, "case_id",
                     v->case_id, "rule", w ? w->rule : "", "village", w ? w->village : "",
                     "category", w ? w->category : "", "count", w ? (int)w->count : 0, "days",
                     w ? (int)w->days : 0, "detail", w ? w->detail : "");
}

/* A page of warnings, newest first: keys (time, origin, seq) below `below`, down to from. */
struct warning_page {
    uint8_t below[STORE_TIME_KEY_MAX];
    size_t below_len;
    int64_t from;
    long limit;
    json_t *list;
    char next[2 * STORE_TIME_KEY_MAX + 1]; /* hex of the last key when more remain */
    uint64_t total;
};

static int64_t key_time(const MDB_val *k)
{
    uint64_t t = 0;
    for (size_t i = 0; i < 8 && i < k->mv_size; i++)
        t = t << 8 | ((const uint8_t *)k->mv_data)[i];
    return (int64_t)t;
}

static int warning_one(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct warning_page *w = arg;
    if (key_time(key) < w->from)
        return STORE_STOP;
    if ((long)json_array_size(w->list) == w->limit) {
        sodium_bin2hex(w->next, sizeof w->next, w->below, w->below_len);
        return STORE_STOP;
    }
    Jiefen__WarningView *v = jiefen__warning_view__unpack(NULL, val->mv_size, val->mv_data);
    if (!v)
        return JF_ECORRUPT;
    json_array_append_new(w->list, warning_json(v));
    jiefen__warning_view__free_unpacked(v, NULL);
    w->below_len = key->mv_size < sizeof w->below ? key->mv_size : sizeof w->below;
    memcpy(w->below, key->mv_data, w->below_len);
    return 0;
}

/* Walks back from below; stops at `limit` warnings or the first one older than from. */
static int warnings_page(store *st, MDB_txn *txn, struct warning_page *w)
{
    uint8_t from[STORE_TIME_KEY_MAX];
    memcpy(from, w->below, w->below_len);
    struct store_range r = {.from = from, .from_len = w->below_len, .reverse = 1};
    int rc = store_count(txn, st->warnings, &w->total);
    return rc ? rc : store_walk(txn, st->warnings, &r, warning_one, w);
}

/* The query's bounds: from/to (dates), limit, and before (a page's `next`). NULL, or the
 * name of the bad parameter. */
static const char *warnings_query(const char *q, struct warning_page *w)
{
    char before[2 * STORE_TIME_KEY_MAX + 2] = "";
    uint8_t key[STORE_TIME_KEY_MAX];
    size_t len = 0;
    int64_t to = INT64_MAX;
    w->from = 0;
    const char *bad = api_query_dates(q, &w->from, &to);
    if (bad || (bad = api_query_limit(q, WARNINGS_DEFAULT, WARNINGS_MAX, &w->limit)))
        return bad;
    for (int i = 0; i < 8; i++) /* every key of a warning raised before `to` sorts below */
        w->below[i] = (uint8_t)((uint64_t)to >> (56 - 8 * i));
    w->below_len = 8;
    int got = http_query_get(q, "before", before, sizeof before);
    if (got < -1 || (got > 0 && (sodium_hex2bin(key, sizeof key, before, (size_t)got, NULL,
                                                &len, NULL) ||
                                 len < 9)))
        return "before";
    if (got > 0 && memcmp(key, w->below, 8) < 0) { /* the page goes on below `to` */
        memcpy(w->below, key, len);
        w->below_len = len;
    }
    return NULL;
}

static void bad_warnings_query(struct api_call *c, const char *bad)
{
    if (strcmp(bad, "limit") == 0)
        return reply_error(c, 400, "invalid_query", bad, "limit 应为 1 至 %d 的整数",
                           WARNINGS_MAX);
    if (strcmp(bad, "before") == 0)
        return reply_error(c, 400, "invalid_query", bad, "before 应为上一页返回的 next");
    reply_error(c, 400, "invalid_query", bad, "查询参数 %s 应为 YYYY-MM-DD", bad);
}

/* Warnings of this node's subtree, newest first, a page at a time. */
void route_warnings(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct warning_page w = {0};
    MDB_txn *txn;
    const char *bad = warnings_query(r->query, &w);
    if (bad)
        return bad_warnings_query(c, bad);
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    w.list = json_array();
    rc = warnings_page(c->api->dep.st, txn, &w);
    store_txn_abort(txn);
    if (rc) {
        json_decref(w.list);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o, s:o, s:I}", "warnings", w.list, "next",
                                 w.next[0] ? json_string(w.next) : json_null(), "total",
                                 (json_int_t)w.total));
}
