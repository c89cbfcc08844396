#include "report/ledger.h"
#include "array.h"
#include "report/ledger_read.h"
#include "report/name_index.h"
#include "case/case.h"
#include "config.h"
#include "error.h"
#include "case/followup.h"
#include "case/reference.h"
#include "log/registry.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_HOPS 16 /* a parent chain longer than this is a loop in a damaged registry */

/* The nodes whose ledgers are computed, sorted by id for bsearch. */
struct target {
    const char *id;
    struct ledger *l;
};

/* The tree, read once: a million cases must not mean a million registry reads. Each node
 * knows the ledgers a case taken in there counts in (its own and its ancestors'). */
struct tree_node {
    char id[STORE_ORIGIN_MAX + 1];
    char parent[STORE_ORIGIN_MAX + 1];
    int tier;
    struct ledger *in[MAX_HOPS];
    size_t n_in;
};

/* What a case's names are looked up in: the nodes by id, the reference tables by code or
 * name (first match, as ref_index), each found with one hash rather than a search. */
struct lookup {
    struct tree_node *n;
    size_t count, cap;
    struct name_index ids, categories, matters, sources;
    struct target *targets;
    size_t n_targets;
};

static int collect(const Jiefen__NodeInfo *ni, void *arg)
{
    struct lookup *t = arg;
    struct tree_node *g = array_room(t->n, t->count, &t->cap, sizeof *g, 64);
    if (!g)
        return -ENOMEM;
    t->n = g;
    struct tree_node *x = &t->n[t->count++];
    memset(x, 0, sizeof *x);
    snprintf(x->id, sizeof x->id, "%s", ni->node_id);
    snprintf(x->parent, sizeof x->parent, "%s", ni->parent);
    x->tier = ni->tier;
    return 0;
}

static const struct tree_node *find(const struct lookup *t, const char *id)
{
    ssize_t i = name_index_get(&t->ids, id);
    return i < 0 ? NULL : &t->n[i];
}

static int tier_of(const struct lookup *t, const char *id)
{
    const struct tree_node *x = find(t, id);
    return x && x->tier > 0 && x->tier < LEDGER_TIERS ? x->tier : 0;
}

static int is_parent(const struct lookup *t, const char *parent, const char *child)
{
    const struct tree_node *x = find(t, child);
    return x && strcmp(x->parent, parent) == 0;
}

static int by_target(const void *key, const void *elem)
{
    return strcmp(key, ((const struct target *)elem)->id);
}

static int target_order(const void *a, const void *b)
{
    return strcmp(((const struct target *)a)->id, ((const struct target *)b)->id);
}

static struct ledger *target_ledger(const struct lookup *t, const char *id)
{
    const struct target *x = bsearch(id, t->targets, t->n_targets, sizeof *x, by_target);
    return x ? x->l : NULL;
}

/* The indexes, once the registry is read (the nodes no longer move), and the ledgers each
 * node's cases count in, found on the way up from it. */
static int index_tree(struct lookup *t)
{
    int rc = 0;
    for (size_t i = 0; i < t->count && rc == 0; i++)
        rc = name_index_put(&t->ids, t->n[i].id, i);
    if (rc == 0 && (rc = name_index_put_table(&t->categories, &ref_categories)) == 0 &&
        (rc = name_index_put_table(&t->matters, &ref_matter_types)) == 0)
        rc = name_index_put_table(&t->sources, &ref_sources);
    for (size_t i = 0; i < t->count && rc == 0; i++) {
        struct tree_node *x = &t->n[i];
        const char *node = x->id;
        for (int hops = 0; node && node[0] && hops < MAX_HOPS; hops++) {
            struct ledger *l = target_ledger(t, node);
            if (l)
                x->in[x->n_in++] = l;
            const struct tree_node *up = find(t, node);
            node = up ? up->parent : NULL;
        }
    }
    return rc;
}

static void lookup_clear(struct lookup *t)
{
    name_index_clear(&t->ids);
    name_index_clear(&t->categories);
    name_index_clear(&t->matters);
    name_index_clear(&t->sources);
    free(t->n);
    free(t->targets);
}

/* The villages stay in the order first met (the order of the JSON and the sheet); the
 * index finds a name without comparing it to each. */
static int count_village(struct ledger *l, const char *name)
{
    ssize_t i = name_index_get(l->village_index, name);
    if (i >= 0) {
        l->villages[i].n++;
        return 0;
    }
    struct ledger_village *g = array_room(l->villages, l->n_villages, &l->cap_villages,
                                          sizeof *g, 8);
    if (!g)
        return -ENOMEM;
    l->villages = g;
    if (!(g[l->n_villages].name = strdup(name)))
        return -ENOMEM;
    g[l->n_villages].n = 1;
    if (name_index_put(l->village_index, g[l->n_villages].name, l->n_villages)) {
        free(g[l->n_villages].name);
        return -ENOMEM;
    }
    l->n_villages++;
    return 0;
}

static void count_ref(uint64_t *counts, size_t max, const struct name_index *t,
                      const char *code)
{
    ssize_t i = name_index_get(t, code);
    if (i >= 0 && (size_t)i < max)
        counts[i]++;
}

static int agreed(const Jiefen__CaseView *v)
{
    return v->status == CASE_STATUS(RESOLVED) ||
           (v->status == CASE_STATUS(CLOSED) &&
            v->last_outcome == JIEFEN__OUTCOME__OUTCOME_AGREEMENT);
}

/* Taken in during the period: the intake figures and where the case was held. */
static int add_intake(struct ledger *l, const struct lookup *t, const Jiefen__CaseView *v)
{
    l->taken_in++;
    count_ref(l->by_category, 32, &t->categories, v->category);
    count_ref(l->by_matter, 8, &t->matters, v->matter_type);
    count_ref(l->by_source, 8, &t->sources, v->source);
    l->by_tier[tier_of(t, v->opened_at_node)]++;
    l->petitions += strcmp(v->matter_type, "petition") == 0;
    l->resolved += agreed(v);
    /* Each case counts once per tier it reached, and once per tier it went up from. */
    unsigned held = 0, up = 0;
    for (size_t i = 0; i < v->n_period_holders; i++) {
        const char *h = v->period_holders[i];
        held |= 1u << tier_of(t, h);
        if (i + 1 < v->n_period_holders && is_parent(t, v->period_holders[i + 1], h))
            up |= 1u << tier_of(t, h);
    }
    for (int i = 0; i < LEDGER_TIERS; i++) {
        l->held_at_tier[i] += (held >> i) & 1;
        l->escalated_from_tier[i] += (up >> i) & 1;
    }
    return count_village(l, v->village);
}

/* Closed in the period: its last closing, even if a follow-up reopened it since. */
static void add_closed(struct ledger *l, const struct lookup *t, const Jiefen__CaseView *v)
{
    l->closed++;
    l->guided += v->status == CASE_STATUS(GUIDED);
    l->withdrawn += v->withdrawn;
    l->on_time += v->closed_due_ms <= 0 || v->last_closed_ms <= v->closed_due_ms;
    l->closed_at_tier[tier_of(t, v->last_closed_at_node)]++;
    l->satisfied += strcmp(v->satisfaction, "satisfied") == 0;
    l->basically_satisfied += strcmp(v->satisfaction, "basically_satisfied") == 0;
    l->dissatisfied += strcmp(v->satisfaction, "dissatisfied") == 0;
    int fs = followup_state(v, l->now_ms);
    l->followups += fs != FOLLOWUP_NONE;
    l->followup_waiting += fs == FOLLOWUP_DUE;
    l->followup_on_time += fs == FOLLOWUP_ON_TIME;
    l->followup_late += fs == FOLLOWUP_LATE;
    l->followup_overdue += fs == FOLLOWUP_OVERDUE;
}

/* Still open at the end of the period (as far as the current view tells). */
static void add_pending(struct ledger *l, const Jiefen__CaseView *v)
{
    int64_t end = l->to_ms < l->now_ms ? l->to_ms : l->now_ms;
    l->pending++;
    l->overdue += v->due_ms > 0 && v->due_ms < end;
    l->leader_owned += v->leader != NULL;
    l->red += v->risk == JIEFEN__RISK__RISK_RED;
    l->orange += v->risk == JIEFEN__RISK__RISK_ORANGE;
}

/* 司法确认 of a case in the period: its newest application made, a confirmation, its last
 * refusal. */
static void add_confirm(struct ledger *l, const Jiefen__CaseView *v)
{
    const Jiefen__ConfirmState *s = v->confirm;
    int ruled = s && s->ruled_ms >= l->from_ms && s->ruled_ms < l->to_ms;
    if (!s)
        return;
    l->confirm_applied += s->applied_ms >= l->from_ms && s->applied_ms < l->to_ms;
    l->confirm_confirmed += ruled && strcmp(s->decision, "confirmed") == 0;
    l->confirm_refused += s->refused_ms >= l->from_ms && s->refused_ms < l->to_ms;
}

struct walk {
    const struct lookup *t;
    ledger_row_fn row;
    void *row_arg;
};

/* Counts the case in one ledger (l's node is where it was taken in or an ancestor). */
static int add_case(const struct walk *w, struct ledger *l, const Jiefen__CaseView *v)
{
    const struct lookup *t = w->t;
    int closed = v->status == CASE_STATUS(CLOSED) || v->status == CASE_STATUS(GUIDED);
    if (v->opened_ms >= l->to_ms)
        return 0;
    int in_period = v->opened_ms >= l->from_ms;
    int rc = ledger_depts_add(&l->depts, v, l->from_ms, l->to_ms, l->now_ms);
    if (rc == 0)
        rc = ledger_link_add(&l->link, v, in_period, agreed(v) && v->n_period_holders <= 1);
    if (rc)
        return rc;
    add_confirm(l, v);
    if (v->last_closed_ms >= l->from_ms && v->last_closed_ms < l->to_ms)
        add_closed(l, t, v);
    if (!closed || v->closed_ms >= l->to_ms)
        add_pending(l, v);
    if (!in_period)
        return 0;
    rc = add_intake(l, t, v);
    return rc || !w->row ? rc : w->row(v, w->row_arg);
}

/* The case counts in the ledger of each target on the way up from where it was taken in
 * (only its own, if that node is not in the registry). */
static int add_to_targets(const struct walk *w, const Jiefen__CaseView *v)
{
    const struct tree_node *x = find(w->t, v->opened_at_node);
    if (!x) {
        struct ledger *l = v->opened_at_node[0] ? target_ledger(w->t, v->opened_at_node) : NULL;
        return l ? add_case(w, l, v) : 0;
    }
    int rc = 0;
    for (size_t i = 0; i < x->n_in && rc == 0; i++)
        rc = add_case(w, x->in[i], v);
    return rc;
}

/* The fields the ledger reads (add_case and below), then those only the case register's
 * rows add (ledger_export.c's register_row): a row function sees them all. */
static const char *const LEDGER_FIELDS[] = {
    "status", "last_outcome", "category", "matter_type", "source", "village",
    "opened_at_node", "opened_ms", "period_holders", "closed_ms", "last_closed_ms",
    "closed_due_ms", "last_closed_at_node", "satisfaction", "due_ms", "leader", "risk",
    "followup_due_ms", "followup_done_ms", "dept", "confirm", "linkage_tags", "withdrawn",
    "case_id", "department", "holder"};
#define ROW_ONLY_FIELDS 3 /* the last three: not read (nor copied) without rows */

struct case_walk {
    const struct walk *w;
    ledger_read *read;
    uint64_t seen;
    int rc;       /* add_to_targets' non-zero return (a row function's) */
};

static int walk_case(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct case_walk *cw = arg;
    const Jiefen__CaseView *v = ledger_read_view(cw->read, d->mv_data, d->mv_size);
    (void)k;
    cw->rc = v ? add_to_targets(cw->w, v) : JF_ECORRUPT;
    cw->seen++;
    return cw->rc ? STORE_STOP : 0;
}

/* One pass over the views, each read into the same memory: nothing grows with the store. */
static int walk_cases(store *st, MDB_txn *txn, const struct walk *w)
{
    struct case_walk cw = {w, NULL, 0, 0};
    size_t n_fields = sizeof LEDGER_FIELDS / sizeof LEDGER_FIELDS[0];
    cw.read = ledger_read_new(LEDGER_FIELDS, w->row ? n_fields : n_fields - ROW_ONLY_FIELDS,
                              NULL, 0);
    if (!cw.read)
        return -ENOMEM; /* the names are CaseView's: a wrong one fails every ledger test */
    int rc = store_walk(txn, st->cases, NULL, walk_case, &cw);
    ledger_read_free(&cw.read);
    for (size_t i = 0; i < w->t->n_targets; i++)
        w->t->targets[i].l->cases_seen = cw.seen;
    return cw.rc ? cw.rc : rc;
}

/* The ledgers of n nodes in one pass over the cases, row called for each case taken in. */
static int compute(store *st, MDB_txn *txn, const char *const *nodes, size_t n,
                   int64_t from_ms, int64_t to_ms, int64_t now_ms, ledger_row_fn row,
                   void *row_arg, struct ledger *out)
{
    struct lookup t = {.targets = calloc(n + 1, sizeof *t.targets), .n_targets = n};
    struct walk w = {&t, row, row_arg};
    int rc = t.targets ? 0 : -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].from_ms = from_ms;
        out[i].to_ms = to_ms;
        out[i].now_ms = now_ms;
        if (!(out[i].village_index = calloc(1, sizeof *out[i].village_index)))
            rc = -ENOMEM;
        if (t.targets)
            t.targets[i] = (struct target){nodes[i], &out[i]};
    }
    if (rc == 0) {
        qsort(t.targets, n, sizeof *t.targets, target_order);
        rc = registry_each(st, txn, collect, &t);
    }
    if (rc == 0 && (rc = index_tree(&t)) == 0)
        rc = walk_cases(st, txn, &w);
    /* The 苗头隐患 register's figures: still watched as of the period's end, or now. */
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = hazard_figures(st, txn, nodes[i], from_ms, to_ms, to_ms < now_ms ? to_ms : now_ms,
                            &out[i].hazards);
    lookup_clear(&t);
    for (size_t i = 0; rc && i < n; i++)
        ledger_clear(&out[i]);
    return rc;
}

int ledger_compute(store *st, MDB_txn *txn, const char *self, int64_t from_ms, int64_t to_ms,
                   int64_t now_ms, ledger_row_fn row, void *row_arg, struct ledger *out)
{
    return compute(st, txn, &self, 1, from_ms, to_ms, now_ms, row, row_arg, out);
}

int ledger_compute_many(store *st, MDB_txn *txn, const char *const *nodes, size_t n,
                        int64_t from_ms, int64_t to_ms, int64_t now_ms, struct ledger *out)
{
    return compute(st, txn, nodes, n, from_ms, to_ms, now_ms, NULL, NULL, out);
}

void ledger_clear(struct ledger *l)
{
    for (size_t i = 0; i < l->n_villages; i++)
        free(l->villages[i].name);
    free(l->villages);
    if (l->village_index)
        name_index_clear(l->village_index);
    free(l->village_index);
    l->villages = NULL;
    l->village_index = NULL;
    ledger_depts_clear(&l->depts);
    ledger_link_clear(&l->link);
    l->n_villages = l->cap_villages = 0;
}

/* ---- JSON --------------------------------------------------------------------------- */

static double fraction(uint64_t part, uint64_t whole)
{
    return whole ? (double)part / (double)whole : NAN;
}

static json_t *rate(double r)
{
    return isnan(r) ? json_null() : json_real(r);
}

/* The rates derived from the counts: each a fraction, NAN when its denominator is 0 (the
 * JSON says null, a spreadsheet leaves the cell empty). */
struct rates {
    double resolution, on_time, local_share, petition, satisfaction;
};

static void rates_of(const struct ledger *l, struct rates *r)
{
    uint64_t local = l->closed_at_tier[JIEFEN__TIER__TIER_VILLAGE] +
                     l->closed_at_tier[JIEFEN__TIER__TIER_TOWNSHIP];
    uint64_t content = l->satisfied + l->basically_satisfied;
    r->resolution = fraction(l->resolved, l->taken_in);
    r->on_time = fraction(l->on_time, l->closed);
    r->local_share = fraction(local, l->closed);
    r->petition = fraction(l->petitions, l->taken_in);
    r->satisfaction = fraction(content, content + l->dissatisfied);
}

static json_t *by_table(const uint64_t *counts, const struct ref_table *t)
{
    json_t *o = json_object();
    for (size_t i = 0; i < t->count; i++)
        json_object_set_new(o, t->entries[i].code, json_integer((json_int_t)counts[i]));
    return o;
}

static json_t *by_tier(const uint64_t *counts)
{
    json_t *o = json_object();
    for (int i = 1; i < LEDGER_TIERS; i++)
        if (counts[i])
            json_object_set_new(o, config_tier_name(i), json_integer((json_int_t)counts[i]));
    return o;
}

static json_t *escalation_rates(const struct ledger *l)
{
    json_t *o = json_object();
    for (int i = 1; i < LEDGER_TIERS; i++)
        if (l->held_at_tier[i])
            json_object_set_new(o, config_tier_name(i),
                                rate(fraction(l->escalated_from_tier[i], l->held_at_tier[i])));
    return o;
}

static json_t *villages(const struct ledger *l)
{
    json_t *o = json_object();
    for (size_t i = 0; i < l->n_villages; i++)
        json_object_set_new(o, l->villages[i].name,
                            json_integer((json_int_t)l->villages[i].n));
    return o;
}

static void put_int(json_t *o, const char *k, uint64_t v)
{
    json_object_set_new(o, k, json_integer((json_int_t)v));
}

/* 回访 of the cases closed in the period (docs/ledger.md): how many were due, made on
 * time, made late, overdue and still waiting; the on-time rate of those made or overdue. */
static json_t *followups(const struct ledger *l)
{
    json_t *f = json_object();
    uint64_t judged = l->followup_on_time + l->followup_late + l->followup_overdue;
    put_int(f, "due", l->followups);
    put_int(f, "waiting", l->followup_waiting);
    put_int(f, "on_time", l->followup_on_time);
    put_int(f, "late", l->followup_late);
    put_int(f, "overdue", l->followup_overdue);
    json_object_set_new(f, "on_time_rate", rate(fraction(l->followup_on_time, judged)));
    return f;
}

json_t *ledger_json(const struct ledger *l)
{
    struct rates r;
    rates_of(l, &r);
    json_t *o = json_object(), *sat = json_object();
    json_t *by = json_pack("{s:o, s:o, s:o, s:o, s:o}", "category",
                           by_table(l->by_category, &ref_categories), "matter_type",
                           by_table(l->by_matter, &ref_matter_types), "source",
                           by_table(l->by_source, &ref_sources), "village", villages(l),
                           "tier", by_tier(l->by_tier));
    put_int(o, "from_ms", (uint64_t)l->from_ms);
    put_int(o, "to_ms", (uint64_t)l->to_ms);
    put_int(o, "taken_in", l->taken_in);
    json_object_set_new(o, "taken_in_by", by);
    put_int(o, "resolved", l->resolved);
    json_object_set_new(o, "resolution_rate", rate(r.resolution));
    put_int(o, "closed", l->closed);
    put_int(o, "guided", l->guided);
    put_int(o, "withdrawn", l->withdrawn);
    json_object_set_new(o, "on_time_rate", rate(r.on_time));
    json_object_set_new(o, "closed_at_tier", by_tier(l->closed_at_tier));
    json_object_set_new(o, "local_share", rate(r.local_share));
    json_object_set_new(o, "escalation_rate", escalation_rates(l));
    put_int(o, "petitions", l->petitions);
    json_object_set_new(o, "petition_rate", rate(r.petition));
    put_int(o, "pending", l->pending);
    put_int(o, "overdue", l->overdue);
    put_int(o, "leader_owned", l->leader_owned);
    put_int(o, "red", l->red);
    put_int(o, "orange", l->orange);
    put_int(sat, "satisfied", l->satisfied);
    put_int(sat, "basically_satisfied", l->basically_satisfied);
    put_int(sat, "dissatisfied", l->dissatisfied);
    json_object_set_new(sat, "rate", rate(r.satisfaction));
    json_object_set_new(o, "satisfaction", sat);
    json_object_set_new(o, "followup", followups(l));
    json_object_set_new(o, "departments", ledger_depts_json(&l->depts));
    json_t *cf = json_object();
    put_int(cf, "applied", l->confirm_applied);
    put_int(cf, "confirmed", l->confirm_confirmed);
    put_int(cf, "refused", l->confirm_refused);
    json_object_set_new(o, "confirmation", cf);
    json_object_set_new(o, "linkage", ledger_link_json(&l->link));
    put_int(o, "cases_read", l->cases_seen);
    json_t *hz = json_object();
    put_int(hz, "registered", l->hazards.registered);
    put_int(hz, "converted", l->hazards.converted);
    put_int(hz, "resolved", l->hazards.resolved);
    put_int(hz, "watching", l->hazards.watching);
    put_int(hz, "overdue", l->hazards.overdue);
    json_object_set_new(o, "hazards", hz);
    return o;
}

int ledger_figures(store *st, MDB_txn *txn, const char *node, int64_t from_ms, int64_t to_ms,
                   int64_t now_ms, json_t **json, char **text)
{
    struct ledger l;
    int rc = ledger_compute(st, txn, node, from_ms, to_ms, now_ms, NULL, NULL, &l);
    if (rc)
        return rc;
    json_t *j = ledger_json(&l);
    ledger_clear(&l);

    if (text && j && !(*text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)))
        rc = -ENOMEM;
    if (!j)
        rc = -ENOMEM;
    if (json && rc == 0)
        *json = j;
    else
        json_decref(j);
    return rc;
}
