/* api_report — reports up the tree (rule 9) through the API: a draft with the figures of a
 * period, submission by a person (a signed event that travels up), the parent's review
 * (accept, or return with a comment, which travels down), and the parent's view of its
 * children: who has submitted, who is late, and where their figures disagree with what the
 * parent computes from the ledger rows it holds. See report.h for kinds and periods. */
#include "api_internal.h"
#include "clock.h"
#include "config.h"
#include "error.h"
#include "ledger.h"
#include "registry.h"
#include "report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Figures compared between a child's report and the parent's own computation: those fixed
 * once the period is over (pending, risk and the like move with the cases). */
static const char *const FIXED[] = {"taken_in", "closed", "guided", "petitions"};

/* The figures a submission carries: the draft's, made at the end of the period, or if
 * there is none (or it was returned), the figures as of now. */
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
            return "报告类型应为 daily、weekly、monthly 或 ledger";
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
    json_array_append_new(q->list, json_pack("{s:s, s:s, s:s, s:s}", "node", child->node_id,
                                             "kind", sub->kind, "period", sub->period, "state",
                                             v ? v->state : marked ? "missing" : "absent"));
    /* Sent and not returned counts as in; a returned one waits for its resubmission. */
    int in = v && (strcmp(v->state, "submitted") == 0 || strcmp(v->state, "accepted") == 0);
    if (!in && !marked)
        json_array_append_new(q->absent, json_string(tag));
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    return 0;
}

/* Each child expected to report child_kind, for each of its periods inside ours. */
static int check_child(const Jiefen__NodeInfo *ni, void *arg)
{
    struct prereq *q = arg;
    if (ni->revoked || strcmp(ni->parent, q->self) ||
        !report_kind_for_tier(q->child_kind, ni->tier))
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

static int prerequisites(store *st, MDB_txn *txn, const char *self, const struct report_period *p,
                         json_t *missing_ok, json_t *absent, json_t *list)
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

void route_report_draft(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct node *n = c->n;
    struct report_period p;
    if (query_period(c, r, &p))
        return;
    MDB_txn *txn;
    int rc = store_txn_begin(n->st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    json_t *absent = json_array(), *list = json_array(), *none = json_array();
    char *frozen = NULL;
    json_t *fig = NULL;
    if ((rc = frozen_figures(n->st, txn, n->cfg.node_id, &p, &frozen)) == 0)
        fig = json_loads(frozen, 0, NULL);
    free(frozen);
    if (rc == 0)
        rc = prerequisites(n->st, txn, n->cfg.node_id, &p, none, absent, list);
    mdb_txn_abort(txn);
    json_decref(none);
    json_decref(absent);
    if (rc) {
        json_decref(fig), json_decref(list);
        return reply_store_error(c, rc);
    }
    json_t *out = period_json(&p);
    json_object_set_new(out, "figures", fig);
    json_object_set_new(out, "children", list);
    reply_json(c, 200, json_pack("{s:o}", "draft", out));
}

/* ---- submit ------------------------------------------------------------------------- */

static int submit_checks(eventlog_tx *tx, struct api_op *o, const struct report_period *p,
                         json_t *missing)
{
    struct node *n = o->c->n;
    Jiefen__ReportView *v = NULL;
    if (!report_kind_for_tier(p->kind, n->cfg.tier))
        return op_refuse(o, 400, "invalid_field", "kind", "%s级节点不报送 %s 报告",
                         config_tier_name(n->cfg.tier), p->kind);
    if (p->from_ms > tx->now_ms)
        return op_refuse(o, 400, "invalid_field", "period", "报告期 %s 尚未开始", p->period);
    int rc = report_get(tx->st, tx->txn, n->cfg.node_id, p->kind, p->period, &v);
    int again = v && strcmp(v->state, "returned") && strcmp(v->state, "draft");
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    if (rc)
        return rc;
    if (again)
        return op_refuse(o, 409, "already_submitted", "period",
                         "%s 报告（%s）已报送；只有被退回的报告可以重新报送", p->kind, p->period);
    json_t *absent = json_array(), *list = json_array();
    rc = prerequisites(tx->st, tx->txn, n->cfg.node_id, p, missing, absent, list);
    char *names = json_array_size(absent) ? json_dumps(absent, JSON_COMPACT) : NULL;
    json_decref(absent);
    json_decref(list);
    if (rc == 0 && names)
        rc = op_refuse(o, 409, "children_pending", "missing",
                       "下级报告未齐：%s；请等待报送，或在 missing 中标注缺报", names);
    free(names);
    return rc;
}

/* The body's "missing": an array of "CHILD/YYYY-MM-DD" strings. */
static int missing_of(struct api_op *o, json_t **out, char ***strs, size_t *n)
{
    json_t *m = json_object_get(o->in, "missing");
    size_t i;
    json_t *x;
    *out = m ? m : json_array();
    if (!m)
        json_object_set_new(o->in, "missing", *out);
    if (!json_is_array(*out))
        return op_refuse(o, 400, "invalid_field", "missing", "missing 应为 \"下级/日期\" 的列表");
    *n = json_array_size(*out);
    *strs = calloc(*n + 1, sizeof **strs);
    if (!*strs)
        return -ENOMEM;
    json_array_foreach(*out, i, x)
    {
        if (!json_is_string(x) || json_string_length(x) > 64)
            return op_refuse(o, 400, "invalid_field", "missing", "missing 应为 \"下级/日期\" 的列表");
        (*strs)[i] = (char *)json_string_value(x);
    }
    return 0;
}

static int submit_apply(eventlog_tx *tx, struct api_op *o)
{
    struct node *n = o->c->n;
    struct report_period p;
    const char *why = op_str(o->in, "period")[0]
                          ? report_period_parse(op_str(o->in, "kind"), op_str(o->in, "period"), &p)
                          : "请填写报告期（period，YYYY-MM-DD）";
    const char *analysis = op_str(o->in, "analysis");
    json_t *missing;
    char **strs = NULL;
    size_t n_missing = 0;
    int rc;
    if (why)
        return op_refuse(o, 400, "invalid_field",
                         report_kind_valid(op_str(o->in, "kind")) ? "period" : "kind", "%s", why);
    if (!analysis[0] || strlen(analysis) > 20000)
        return op_refuse(o, 400, "missing_field", "analysis", "请填写分析研判内容（最多 20000 字节）");
    if ((rc = missing_of(o, &missing, &strs, &n_missing)) ||
        (rc = submit_checks(tx, o, &p, missing))) {
        free(strs);
        return rc;
    }
    char *figures = NULL;
    rc = frozen_figures(tx->st, tx->txn, n->cfg.node_id, &p, &figures);
    if (rc == 0) {
        Jiefen__ReportSubmitted rs = JIEFEN__REPORT_SUBMITTED__INIT;
        rs.kind = p.kind;
        rs.period = p.period;
        rs.from_ms = p.from_ms;
        rs.to_ms = p.to_ms;
        rs.figures = figures;
        rs.analysis = (char *)analysis;
        rs.missing = strs;
        rs.n_missing = n_missing;
        Jiefen__Event ev = JIEFEN__EVENT__INIT;
        ev.body_case = JIEFEN__EVENT__BODY_REPORT_SUBMITTED;
        ev.report_submitted = &rs;
        rc = op_append(tx, o, &ev);
        if (rc == 0)
            o->out = json_pack("{s:o}", "report", period_json(&p));
    }
    free(figures);
    free(strs);
    return rc;
}

void route_report_submit(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, submit_apply, NULL);
}

/* ---- review ------------------------------------------------------------------------- */

static int review_apply(eventlog_tx *tx, struct api_op *o)
{
    struct node *n = o->c->n;
    const char *origin = op_str(o->in, "node"), *comment = op_str(o->in, "comment");
    json_t *acc = json_object_get(o->in, "accepted");
    struct report_period p;
    Jiefen__NodeInfo *child = NULL;
    Jiefen__ReportView *v = NULL;
    const char *why = report_period_parse(op_str(o->in, "kind"), op_str(o->in, "period"), &p);
    if (why)
        return op_refuse(o, 400, "invalid_field", "period", "%s", why);
    if (!json_is_boolean(acc))
        return op_refuse(o, 400, "missing_field", "accepted", "请说明是否接收（accepted: true/false）");
    if (!json_is_true(acc) && !comment[0])
        return op_refuse(o, 400, "missing_field", "comment", "退回报告时请填写退回意见");
    int rc = registry_get(tx->st, tx->txn, origin, &child);
    int mine = rc == 0 && child && strcmp(child->parent, n->cfg.node_id) == 0;
    registry_free(&child);
    if (rc == 0 && !mine)
        return op_refuse(o, 403, "not_parent", "node", "%s 不是本节点的下级，不能审核其报告",
                         origin);
    if (rc || (rc = report_get(tx->st, tx->txn, origin, p.kind, p.period, &v)))
        return rc;
    if (!v || strcmp(v->state, "submitted")) {
        rc = op_refuse(o, 409, "not_submitted", "period", "%s 的 %s 报告（%s）%s", origin, p.kind,
                       p.period, v ? "已审核" : "尚未报送");
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

static json_t *view_json(const Jiefen__ReportView *v)
{
    json_t *fig = json_loads(v->figures, 0, NULL), *missing = json_array();
    for (size_t i = 0; i < v->n_missing; i++)
        json_array_append_new(missing, json_string(v->missing[i]));
    return json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:o, s:s, s:o, s:s, s:s, s:s,"
                     " s:I, s:I}",
                     "node", v->origin, "seq", (json_int_t)v->seq, "kind", v->kind, "period",
                     v->period, "from_ms", (json_int_t)v->from_ms, "to_ms", (json_int_t)v->to_ms,
                     "submitted_ms", (json_int_t)v->submitted_ms, "submitted_by", v->actor,
                     "figures", fig ? fig : json_null(), "analysis", v->analysis, "missing",
                     missing, "state", v->state, "comment", v->comment, "reviewer", v->reviewer,
                     "reviewed_ms", (json_int_t)v->reviewed_ms, "generated_ms",
                     (json_int_t)v->generated_ms);
}

/* The child's reported figures that differ from the parent's own computation. */
static json_t *disagreements(store *st, MDB_txn *txn, const Jiefen__ReportView *v, int *rc)
{
    json_t *out = json_array(), *mine = NULL;
    *rc = ledger_figures(st, txn, v->origin, v->from_ms, v->to_ms, clock_now_ms(), &mine, NULL);
    json_t *theirs = json_loads(v->figures, 0, NULL);
    for (size_t i = 0; mine && theirs && i < sizeof FIXED / sizeof FIXED[0]; i++) {
        json_int_t a = json_integer_value(json_object_get(theirs, FIXED[i]));
        json_int_t b = json_integer_value(json_object_get(mine, FIXED[i]));
        if (a != b)
            json_array_append_new(out, json_pack("{s:s, s:I, s:I}", "figure", FIXED[i],
                                                 "reported", a, "recomputed", b));
    }
    json_decref(mine);
    json_decref(theirs);
    return out;
}

struct status {
    struct node *n;
    MDB_txn *txn;
    const struct report_period *p;
    json_t *children;
    int rc;
};

static int child_status(const Jiefen__NodeInfo *ni, void *arg)
{
    struct status *s = arg;
    Jiefen__ReportView *v = NULL;
    if (ni->revoked || strcmp(ni->parent, s->n->cfg.node_id) ||
        !report_kind_for_tier(s->p->kind, ni->tier))
        return 0;
    int rc = report_get(s->n->st, s->txn, ni->node_id, s->p->kind, s->p->period, &v);
    if (rc)
        return rc;
    json_t *j = v ? view_json(v) : json_pack("{s:s, s:s}", "node", ni->node_id, "state", "absent");
    json_object_set_new(j, "name", json_string(ni->name));
    json_object_set_new(j, "late", json_boolean(v ? v->submitted_ms > s->p->due_ms
                                                    : clock_now_ms() > s->p->due_ms));
    if (v)
        json_object_set_new(j, "disagreements", disagreements(s->n->st, s->txn, v, &rc));
    json_array_append_new(s->children, j);
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    return rc;
}

void route_reports(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct node *n = c->n;
    struct report_period p;
    if (query_period(c, r, &p))
        return;
    struct status s = {n, NULL, &p, json_array(), 0};
    Jiefen__ReportView *own = NULL;
    int rc = store_txn_begin(n->st, MDB_RDONLY, &s.txn);
    if (rc == 0)
        rc = report_get(n->st, s.txn, n->cfg.node_id, p.kind, p.period, &own);
    if (rc == 0)
        rc = registry_each(n->st, s.txn, child_status, &s);
    if (s.txn)
        mdb_txn_abort(s.txn);
    json_t *out = period_json(&p);
    json_object_set_new(out, "own", own ? view_json(own) : json_null());
    json_object_set_new(out, "children", s.children);
    if (own)
        jiefen__report_view__free_unpacked(own, NULL);
    if (rc) {
        json_decref(out);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, out);
}

/* ---- early warnings (预测预警) ------------------------------------------------------ */

#define WARNINGS_MAX 500

static int newest_first(const void *a, const void *b)
{
    json_int_t x = json_integer_value(json_object_get(*(json_t *const *)a, "time_ms"));
    json_int_t y = json_integer_value(json_object_get(*(json_t *const *)b, "time_ms"));
    return (x < y) - (x > y);
}

static json_t *warning_json(const Jiefen__WarningView *v)
{
    const Jiefen__WarningRaised *w = v->warning;
    return json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "node", v->origin,
                     "seq", (json_int_t)v->seq, "time_ms", (json_int_t)v->time_ms, "case_id",
                     v->case_id, "rule", w ? w->rule : "", "village", w ? w->village : "",
                     "category", w ? w->category : "", "count", w ? (int)w->count : 0, "days",
                     w ? (int)w->days : 0, "detail", w ? w->detail : "");
}

/* Every warning of this node's subtree, newest first (at most WARNINGS_MAX). */
void route_warnings(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct node *n = c->n;
    MDB_txn *txn;
    MDB_cursor *cur;
    MDB_val k, d;
    size_t count = 0;
    json_t **all = NULL;
    int rc = store_txn_begin(n->st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    if ((rc = mdb_cursor_open(txn, n->st->warnings, &cur)) == 0) {
        for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
            Jiefen__WarningView *v = jiefen__warning_view__unpack(NULL, d.mv_size, d.mv_data);
            json_t **g = v ? realloc(all, (count + 1) * sizeof *g) : NULL;
            if (g) {
                all = g;
                all[count++] = warning_json(v);
            }
            if (v)
                jiefen__warning_view__free_unpacked(v, NULL);
        }
        mdb_cursor_close(cur);
    }
    mdb_txn_abort(txn);
    if (count)
        qsort(all, count, sizeof *all, newest_first);
    json_t *list = json_array();
    for (size_t i = 0; i < count; i++) {
        if (i < WARNINGS_MAX)
            json_array_append(list, all[i]);
        json_decref(all[i]);
    }
    free(all);
    if (rc != MDB_NOTFOUND) {
        json_decref(list);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o, s:I}", "warnings", list, "total", (json_int_t)count));
}
