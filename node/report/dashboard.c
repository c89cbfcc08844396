#include "report/dashboard.h"
#include "array.h"
#include "case/case.h"
#include "case/reference.h"
#include "report/ledger.h"
#include "report/report.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The figures of a group of cases taken in. */
struct tally {
    uint64_t taken_in, closed, withdrawn, overdue, escalated;
};

struct village_tally {
    char *name;
    struct tally t;
};

struct dash {
    int64_t now_ms;
    struct report_period weeks[DASHBOARD_WEEKS]; /* oldest first; the last is this week */
    struct tally trend[DASHBOARD_WEEKS];
    struct tally category[64];                   /* this week, by ref_categories index */
    struct village_tally *villages;              /* this week, in order of first intake */
    size_t n_villages, cap_villages;
};

static void count(struct tally *t, const Jiefen__CaseView *v, int64_t now_ms)
{
    int closed = v->status == CASE_STATUS(CLOSED) || v->status == CASE_STATUS(GUIDED);
    t->taken_in++;
    t->closed += closed;
    t->withdrawn += closed && v->withdrawn;
    t->overdue += closed ? v->closed_due_ms > 0 && v->last_closed_ms > v->closed_due_ms
                         : v->due_ms > 0 && v->due_ms < now_ms;
    t->escalated += v->escalations > 0;
}

static struct tally *village(struct dash *d, const char *name)
{
    for (size_t i = 0; i < d->n_villages; i++)
        if (strcmp(d->villages[i].name, name) == 0)
            return &d->villages[i].t;
    struct village_tally *g =
        array_room(d->villages, d->n_villages, &d->cap_villages, sizeof *g, 16);
    if (!g)
        return NULL;
    d->villages = g;
    d->villages[d->n_villages] = (struct village_tally){strdup(name), {0}};
    return d->villages[d->n_villages].name ? &d->villages[d->n_villages++].t : NULL;
}

/* A case taken in during the 12 weeks: its week's trend, and this week's groups. */
static int row(const Jiefen__CaseView *v, void *arg)
{
    struct dash *d = arg;
    int w = DASHBOARD_WEEKS - 1;
    while (w > 0 && v->opened_ms < d->weeks[w].from_ms)
        w--;
    count(&d->trend[w], v, d->now_ms);
    if (w != DASHBOARD_WEEKS - 1)
        return 0;
    int c = ref_index(&ref_categories, v->category);
    if (c >= 0 && (size_t)c < sizeof d->category / sizeof d->category[0])
        count(&d->category[c], v, d->now_ms);
    struct tally *t = village(d, v->village[0] ? v->village : "（未填写）");
    if (!t)
        return -ENOMEM;
    count(t, v, d->now_ms);
    return 0;
}

static json_t *tally_json(const struct tally *t)
{
    return json_pack("{s:I, s:I, s:I, s:o, s:I, s:I}", "taken_in", (json_int_t)t->taken_in,
                     "closed", (json_int_t)t->closed, "withdrawn", (json_int_t)t->withdrawn,
                     "closure_rate",
                     t->taken_in ? json_real((double)t->closed / (double)t->taken_in)
                                 : json_null(),
                     "overdue", (json_int_t)t->overdue, "escalated",
                     (json_int_t)t->escalated);
}

static int by_intake(const void *a, const void *b)
{
    const struct village_tally *x = a, *y = b;
    return x->t.taken_in != y->t.taken_in ? (x->t.taken_in < y->t.taken_in ? 1 : -1)
                                          : strcmp(x->name, y->name);
}

/* This week: the totals, then the categories and villages with intake, most first. */
static json_t *week_json(struct dash *d)
{
    const struct report_period *p = &d->weeks[DASHBOARD_WEEKS - 1];
    json_t *w = tally_json(&d->trend[DASHBOARD_WEEKS - 1]), *cats = json_array(),
           *vills = json_array();
    for (size_t i = 0; i < ref_categories.count && i < 64; i++) {
        if (!d->category[i].taken_in)
            continue;
        json_t *c = tally_json(&d->category[i]);
        json_object_set_new(c, "category", json_string(ref_categories.entries[i].code));
        json_object_set_new(c, "name", json_string(ref_categories.entries[i].name));
        json_array_append_new(cats, c);
    }
    qsort(d->villages, d->n_villages, sizeof *d->villages, by_intake);
    for (size_t i = 0; i < d->n_villages; i++) {
        json_t *v = tally_json(&d->villages[i].t);
        json_object_set_new(v, "village", json_string(d->villages[i].name));
        json_array_append_new(vills, v);
    }
    json_object_set_new(w, "period", json_string(p->period));
    json_object_set_new(w, "from_ms", json_integer(p->from_ms));
    json_object_set_new(w, "to_ms", json_integer(p->to_ms));
    json_object_set_new(w, "by_category", cats);
    json_object_set_new(w, "by_village", vills);
    return w;
}

static json_t *trend_json(const struct dash *d)
{
    json_t *a = json_array();
    for (int i = 0; i < DASHBOARD_WEEKS; i++) {
        json_t *t = tally_json(&d->trend[i]);
        json_object_set_new(t, "period", json_string(d->weeks[i].period));
        json_object_set_new(t, "from_ms", json_integer(d->weeks[i].from_ms));
        json_array_append_new(a, t);
    }
    return a;
}

int dashboard_compute(store *st, MDB_txn *txn, const char *self, int64_t now_ms,
                      json_t **out)
{
    struct dash *d = calloc(1, sizeof *d);
    struct ledger l = {0};
    *out = NULL;
    if (!d)
        return -ENOMEM;
    d->now_ms = now_ms;
    report_period_at("weekly", now_ms, &d->weeks[DASHBOARD_WEEKS - 1]);
    for (int i = DASHBOARD_WEEKS - 2; i >= 0; i--) /* the day before a week is in the last */
        report_period_at("weekly", d->weeks[i + 1].from_ms - 1, &d->weeks[i]);
    int rc = ledger_compute(st, txn, self, d->weeks[0].from_ms,
                            d->weeks[DASHBOARD_WEEKS - 1].to_ms, now_ms, row, d, &l);
    if (rc == 0) {
        /* The ledger's pending and overdue: every case open now, whenever taken in. */
        *out = json_pack("{s:o, s:o, s:I, s:I}", "week", week_json(d), "trend",
                         trend_json(d), "open", (json_int_t)l.pending, "overdue_now",
                         (json_int_t)l.overdue);
        rc = *out ? 0 : -ENOMEM;
    }
    ledger_clear(&l);
    for (size_t i = 0; i < d->n_villages; i++)
        free(d->villages[i].name);
    free(d->villages);
    free(d);
    return rc;
}
