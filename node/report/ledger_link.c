#include "report/ledger_link.h"
#include "array.h"
#include "case/linkage.h"
#include "config.h"
#include "error.h"
#include "log/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ledger_link_tag {
    char *tag;          /* LINKAGE_TAG_HEX digits */
    int64_t first_ms;   /* the earliest intake of a case of the ledger with it */
    uint32_t in_period; /* cases taken in during the period with it */
};

struct ledger_link_case {
    int64_t opened_ms;
    size_t first_tag, n_tags; /* its run in case_tags */
    int resolved_first;
};

/* The entry of tag (its LINKAGE_TAG_HEX digits at p), made at first sight. -1: -ENOMEM. */
static ssize_t tag_entry(struct ledger_link *k, const char *p, int64_t opened_ms)
{
    char tag[LINKAGE_TAG_HEX + 1];
    memcpy(tag, p, LINKAGE_TAG_HEX);
    tag[LINKAGE_TAG_HEX] = 0;
    ssize_t i = name_index_get(&k->index, tag);
    if (i >= 0) {
        if (opened_ms < k->tags[i].first_ms)
            k->tags[i].first_ms = opened_ms;
        return i;
    }
    struct ledger_link_tag *g = array_room(k->tags, k->n_tags, &k->cap_tags, sizeof *g, 64);
    if (!g)
        return -1;
    k->tags = g;
    g += k->n_tags;
    *g = (struct ledger_link_tag){strdup(tag), opened_ms, 0};
    if (!g->tag)
        return -1;
    if (name_index_put(&k->index, g->tag, k->n_tags)) {
        free(g->tag);
        return -1;
    }
    return (ssize_t)k->n_tags++;
}

static int add_case(struct ledger_link *k, const Jiefen__CaseView *v, int resolved_first)
{
    struct ledger_link_case *c = array_room(k->cases, k->n_cases, &k->cap_cases, sizeof *c, 64);
    if (!c)
        return -ENOMEM;
    k->cases = c;
    k->cases[k->n_cases++] = (struct ledger_link_case){v->opened_ms, k->n_case_tags, 0,
                                                        resolved_first};
    return 0;
}

int ledger_link_add(struct ledger_link *k, const Jiefen__CaseView *v, int in_period,
                    int resolved_first)
{
    size_t n = strlen(v->linkage_tags) / LINKAGE_TAG_HEX;
    if (n == 0)
        return 0; /* no party with an ID number, or no key at intake: not linked */
    if (in_period && add_case(k, v, resolved_first))
        return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        ssize_t t = tag_entry(k, v->linkage_tags + i * LINKAGE_TAG_HEX, v->opened_ms);
        if (t < 0)
            return -ENOMEM;
        if (!in_period)
            continue;
        uint32_t *g = array_room(k->case_tags, k->n_case_tags, &k->cap_case_tags, sizeof *g,
                                 64);
        if (!g)
            return -ENOMEM;
        k->case_tags = g;
        k->case_tags[k->n_case_tags++] = (uint32_t)t;
        k->cases[k->n_cases - 1].n_tags++;
        k->tags[t].in_period++;
    }
    return 0;
}

static json_t *rate(uint64_t part, uint64_t whole, double scale)
{
    return whole ? json_real((double)part * scale / (double)whole) : json_null();
}

json_t *ledger_link_json(const struct ledger_link *k)
{
    uint64_t first = 0, first_resolved = 0, repeat_persons = 0, repeat_cases = 0;
    for (size_t i = 0; i < k->n_cases; i++) {
        const struct ledger_link_case *c = &k->cases[i];
        int is_first = 1, repeat = 0;
        for (size_t j = 0; j < c->n_tags; j++) {
            const struct ledger_link_tag *t = &k->tags[k->case_tags[c->first_tag + j]];
            is_first &= t->first_ms >= c->opened_ms;
            repeat |= t->in_period > 1;
        }
        first += is_first;
        first_resolved += is_first && c->resolved_first;
        repeat_cases += repeat;
    }
    for (size_t i = 0; i < k->n_tags; i++)
        repeat_persons += k->tags[i].in_period > 1;
    return json_pack("{s:I, s:I, s:o, s:I, s:I, s:I}", "linked_cases", (json_int_t)k->n_cases,
                     "first_cases", (json_int_t)first, "first_resolution_rate",
                     rate(first_resolved, first, 1), "first_resolved",
                     (json_int_t)first_resolved, "repeat_persons", (json_int_t)repeat_persons,
                     "repeat_cases", (json_int_t)repeat_cases);
}

void ledger_link_clear(struct ledger_link *k)
{
    for (size_t i = 0; i < k->n_tags; i++)
        free(k->tags[i].tag);
    free(k->tags);
    free(k->cases);
    free(k->case_tags);
    name_index_clear(&k->index);
    memset(k, 0, sizeof *k);
}

/* ---- court filings ------------------------------------------------------------------ */

static json_t *village_entry(json_t *villages, const char *id)
{
    json_t *o = json_object_get(villages, id);
    if (!o && (o = json_pack("{s:I, s:n, s:n}", "filings", (json_int_t)0, "population",
                             "rate_per_10k")))
        json_object_set_new(villages, id, o);
    return o;
}

static int count_filings(const char *village, uint64_t n, void *arg)
{
    json_t *o = village_entry(arg, village);
    return o ? json_object_set_new(o, "filings", json_integer((json_int_t)n)) : -ENOMEM;
}

static int set_population(json_t *villages, const char *id, long n)
{
    json_t *o = village_entry(villages, id);
    return o ? json_object_set_new(o, "population", json_integer(n)) : -ENOMEM;
}

/* "ID:N,ID:N" into villages (config_check refuses a value that is not such a list). */
static int others_into(json_t *villages, const char *others)
{
    char id[CONFIG_ID_MAX + 1];
    long n;
    int used, rc = 0;
    const char *p = others;
    while (rc == 0 && *p) {
        if (sscanf(p, " %32[a-z0-9-]:%ld%n", id, &n, &used) == 2 && n > 0)
            rc = set_population(villages, id, n);
        const char *comma = strchr(p, ',');
        p = comma ? comma + 1 : p + strlen(p);
    }
    return rc;
}

/* The village's name as the registry knows it, else its id. */
static int name_into(store *st, MDB_txn *txn, const char *id, json_t *o)
{
    Jiefen__NodeInfo *ni = NULL;
    int rc = registry_get(st, txn, id, &ni);
    if (rc && rc != JF_ENOTFOUND)
        return rc;
    rc = json_object_set_new(o, "name", json_string(ni && ni->name[0] ? ni->name : id));
    registry_free(&ni);
    return rc ? -ENOMEM : 0;
}

/* Each village's name and rate, and the list of the ones without a filing (population
 * known). */
static int rates_into(store *st, MDB_txn *txn, json_t *villages, json_t *none)
{
    const char *id;
    json_t *o;
    json_object_foreach(villages, id, o) {
        int rc = name_into(st, txn, id, o);
        if (rc)
            return rc;
        json_int_t pop = json_integer_value(json_object_get(o, "population"));
        json_int_t n = json_integer_value(json_object_get(o, "filings"));
        if (pop <= 0)
            continue;
        if (json_object_set_new(o, "rate_per_10k", rate((uint64_t)n, (uint64_t)pop, 10000)) ||
            (n == 0 && json_array_append_new(none, json_string(id))))
            return -ENOMEM;
    }
    return 0;
}

int ledger_link_filings(store *st, MDB_txn *txn, int64_t from_ms, int64_t to_ms,
                        const char *self, long population, const char *others, json_t *linkage)
{
    json_t *villages = json_object(), *none = json_array();
    int rc = villages && none ? 0 : -ENOMEM;
    if (rc == 0)
        rc = linkage_filings_each(st, txn, from_ms, to_ms, count_filings, villages);
    if (rc == 0 && population > 0)
        rc = set_population(villages, self, population);
    if (rc == 0)
        rc = others_into(villages, others);
    if (rc == 0)
        rc = rates_into(st, txn, villages, none);
    if (rc == 0 && (json_object_set(linkage, "villages", villages) ||
                    json_object_set(linkage, "no_lawsuit_villages", none)))
        rc = -ENOMEM;
    json_decref(villages);
    json_decref(none);
    return rc;
}
