/*
 * ledger — the figures of the ledger tables and reports (综合台账, DESIGN.md rule 9) over
 * this node's subtree and a period, computed from the case views it holds in one read
 * transaction, so every figure is consistent with every other. The definitions are in
 * docs/ledger.md. A case belongs to the ledger of the node where it was taken in and of
 * every ancestor of that node.
 */
#ifndef JIEFEN_LEDGER_H
#define JIEFEN_LEDGER_H

#include "case/hazard.h"
#include "jiefen.pb-c.h"
#include "store.h"
#include "report/ledger_dept.h"
#include "report/ledger_link.h"

#include <jansson.h>
#include <stdint.h>

struct name_index;

#define LEDGER_TIERS 6 /* index: JIEFEN__TIER__* */

struct ledger_village {
    char *name;
    uint64_t n;
};

struct ledger {
    int64_t from_ms, to_ms, now_ms;
    uint64_t cases_seen;                  /* views read */
    uint64_t taken_in, petitions, resolved;
    uint64_t by_category[32], by_matter[8], by_source[8], by_tier[LEDGER_TIERS];
    struct ledger_village *villages;      /* taken in, by village name */
    size_t n_villages, cap_villages;
    struct name_index *village_index;     /* name -> entry of villages */
    uint64_t closed, guided, on_time, closed_at_tier[LEDGER_TIERS];
    uint64_t withdrawn;                   /* of the closed, 当事人撤回 (CaseClosed.withdrawn) */
    uint64_t held_at_tier[LEDGER_TIERS], escalated_from_tier[LEDGER_TIERS];
    uint64_t pending, overdue, leader_owned, red, orange;
    uint64_t satisfied, basically_satisfied, dissatisfied;
    struct hazard_figures hazards;        /* the 苗头隐患 register (hazard.h) */
    /* 回访 of the cases closed in the period, as of now_ms (case/followup.h) */
    uint64_t followups, followup_waiting, followup_on_time, followup_late, followup_overdue;
    struct ledger_depts depts;            /* per department (ledger_dept.h) */
    /* 司法确认 (case/confirm.h): cases whose newest application was made, that were
     * confirmed, whose last refusal came, in the period */
    uint64_t confirm_applied, confirm_confirmed, confirm_refused;
    struct ledger_link link;              /* the linkage figures (ledger_link.h) */
};

/* Called with each case taken in during the period (the rows of the case register);
 * a non-zero return stops the computation and is returned. The view holds the fields the
 * ledger and the case register read (LEDGER_FIELDS in ledger.c), the others at their
 * defaults, and lives only during the call. */
typedef int (*ledger_row_fn)(const Jiefen__CaseView *v, void *arg);

/* Computes the ledger of node `self` for [from_ms, to_ms) as of now_ms, calling row (if
 * not NULL) for each case taken in. 0, -ENOMEM or a store error. Free with ledger_clear(). */
int ledger_compute(store *st, MDB_txn *txn, const char *self, int64_t from_ms, int64_t to_ms,
                   int64_t now_ms, ledger_row_fn row, void *row_arg, struct ledger *out);

/* The ledgers of n distinct nodes over the same period in one pass over the cases: out[i]
 * (n of them) is the ledger of nodes[i], as ledger_compute would make it. A parent's view
 * of its children's reports costs one read of the store, not one per child. 0, -ENOMEM or a
 * store error (then nothing is left to clear); else free each with ledger_clear(). */
int ledger_compute_many(store *st, MDB_txn *txn, const char *const *nodes, size_t n,
                        int64_t from_ms, int64_t to_ms, int64_t now_ms, struct ledger *out);

void ledger_clear(struct ledger *l);

/* The figures as API JSON (see docs/api.md, LEDGER), the rates derived from the counts
 * (null when their denominator is 0). New reference or NULL. */
json_t *ledger_json(const struct ledger *l);

/* The ledger of `node` for [from_ms, to_ms) as of now_ms, as JSON (*json, new reference)
 * and/or as the compact key-sorted text a report freezes (*text, malloc'd); either may be
 * NULL. 0, -ENOMEM or a store error. */
int ledger_figures(store *st, MDB_txn *txn, const char *node, int64_t from_ms, int64_t to_ms,
                   int64_t now_ms, json_t **json, char **text);

#endif
