#include "report/report_status.h"
#include "array.h"
#include "report/ledger.h"
#include "log/registry.h"
#include "report/review.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Figures compared between a child's report and the parent's own computation: those fixed
 * once the period is over (pending, risk and the like move with the cases). */
static const char *const FIXED[] = {"taken_in", "closed", "guided", "petitions"};

static json_t *view_json(const Jiefen__ReportView *v)
{
    json_t *fig = json_loads(v->figures, 0, NULL), *missing = json_array();
    json_t *reasons = json_array();
    for (size_t i = 0; i < v->n_missing; i++) {
        json_array_append_new(missing, json_string(v->missing[i]));
        json_array_append_new(reasons, json_string(i < v->n_missing_reason
                                                       ? v->missing_reason[i] : ""));
    }
    return json_pack("{s:s, s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:o, s:s, s:o, s:s, s:s, s:s,"
                     " s:I, s:I, s:I, s:o, s:s, s:o}",
                     "node", v->origin, "seq", (json_int_t)v->seq, "kind", v->kind, "period",
                     v->period, "from_ms", (json_int_t)v->from_ms, "to_ms", (json_int_t)v->to_ms,
                     "submitted_ms", (json_int_t)v->submitted_ms, "submitted_by", v->actor,
                     "figures", fig ? fig : json_null(), "analysis", v->analysis, "missing",
                     missing, "state", v->state, "comment", v->comment, "reviewer", v->reviewer,
                     "reviewed_ms", (json_int_t)v->reviewed_ms, "generated_ms",
                     (json_int_t)v->generated_ms, "clock_corrected_ms",
                     (json_int_t)v->clock_corrected_ms, "missing_reasons", reasons,
                     "kind_name", report_kind_name(v->kind), "review", review_json(v->review));
}

/* A child expected to report, with its report if it has sent one. */
struct child {
    char *id, *name;
    Jiefen__ReportView *v;
};

struct children {
    store *st;
    MDB_txn *txn;
    const char *self;
    const struct report_period *p;
    struct child *c;
    size_t n, cap;
};

static int collect(const Jiefen__NodeInfo *ni, void *arg)
{
    struct children *s = arg;
    if (!report_child_expected(ni, s->self, s->p->kind))
        return 0;
    struct child *g = array_room(s->c, s->n, &s->cap, sizeof *g, 16);
    if (!g)
        return -ENOMEM;
    s->c = g;
    struct child *c = &s->c[s->n];
    *c = (struct child){strdup(ni->node_id), strdup(ni->name), NULL};
    s->n++;
    if (!c->id || !c->name)
        return -ENOMEM;
    return report_get(s->st, s->txn, c->id, s->p->kind, s->p->period, &c->v);
}

static void children_free(struct children *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->c[i].id);
        free(s->c[i].name);
        if (s->c[i].v)
            jiefen__report_view__free_unpacked(s->c[i].v, NULL);
    }
    free(s->c);
}

/* The child's reported figures that differ from the parent's own computation. */
static json_t *disagreements(const Jiefen__ReportView *v, const struct ledger *mine)
{
    json_t *out = json_array(), *recomputed = ledger_json(mine);
    json_t *theirs = json_loads(v->figures, 0, NULL);
    for (size_t i = 0; recomputed && theirs && i < sizeof FIXED / sizeof FIXED[0]; i++) {
        json_int_t a = json_integer_value(json_object_get(theirs, FIXED[i]));
        json_int_t b = json_integer_value(json_object_get(recomputed, FIXED[i]));
        if (a != b)
            json_array_append_new(out, json_pack("{s:s, s:I, s:I}", "figure", FIXED[i],
                                                 "reported", a, "recomputed", b));
    }
    json_decref(recomputed);
    json_decref(theirs);
    return out;
}

/* The children with a report, and their ledgers as this node computes them. */
static int recompute(const struct children *s, int64_t now_ms, struct ledger **out,
                     const char ***ids, size_t *n)
{
    *n = 0;
    *ids = calloc(s->n + 1, sizeof **ids);
    *out = calloc(s->n + 1, sizeof **out);
    if (!*ids || !*out)
        return -ENOMEM;
    for (size_t i = 0; i < s->n; i++)
        if (s->c[i].v)
            (*ids)[(*n)++] = s->c[i].id;
    if (*n == 0)
        return 0;
    return ledger_compute_many(s->st, s->txn, *ids, *n, s->p->from_ms, s->p->to_ms, now_ms,
                               *out);
}

static json_t *children_json(const struct children *s, const struct ledger *mine,
                             int64_t now_ms)
{
    json_t *list = json_array();
    for (size_t i = 0, k = 0; i < s->n; i++) {
        const struct child *c = &s->c[i];
        json_t *j = c->v ? view_json(c->v)
                         : json_pack("{s:s, s:s}", "node", c->id, "state", "absent");
        json_object_set_new(j, "name", json_string(c->name));
        json_object_set_new(j, "late", json_boolean(c->v ? c->v->submitted_ms > s->p->due_ms
                                                         : now_ms > s->p->due_ms));
        if (c->v)
            json_object_set_new(j, "disagreements", disagreements(c->v, &mine[k++]));
        json_array_append_new(list, j);
    }
    return list;
}

int report_status(store *st, MDB_txn *txn, const char *self, const struct report_period *p,
                  int64_t now_ms, json_t *out)
{
    struct children s = {st, txn, self, p, NULL, 0, 0};
    Jiefen__ReportView *own = NULL;
    struct ledger *mine = NULL;
    const char **ids = NULL;
    size_t n = 0;
    int rc = report_get(st, txn, self, p->kind, p->period, &own);
    if (rc == 0)
        rc = registry_each(st, txn, collect, &s);
    if (rc == 0 && (rc = recompute(&s, now_ms, &mine, &ids, &n)) == 0) {
        json_object_set_new(out, "own", own ? view_json(own) : json_null());
        json_object_set_new(out, "children", children_json(&s, mine, now_ms));
        for (size_t i = 0; i < n; i++)
            ledger_clear(&mine[i]);
    }
    free(mine);
    free(ids);
    if (own)
        jiefen__report_view__free_unpacked(own, NULL);
    children_free(&s);
    return rc;
}
