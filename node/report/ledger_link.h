/*
 * ledger_link — the ledger's linkage figures (issue 17 item 5; definitions, sources and
 * formulas in docs/ledger.md), computed from the parties' linkage tags (case/linkage.h),
 * never from ID numbers: 初信初访一次性化解率 and 重复信访 from the cases of the ledger,
 * 万人成讼率 and 无讼村居 from the court filings and the villages' populations.
 */
#ifndef JIEFEN_LEDGER_LINK_H
#define JIEFEN_LEDGER_LINK_H

#include "jiefen.pb-c.h"
#include "report/name_index.h"
#include "store.h"

#include <jansson.h>
#include <stdint.h>

struct ledger_link_tag;
struct ledger_link_case;

/* Zeroed, it is empty. */
struct ledger_link {
    struct ledger_link_tag *tags;       /* each tag met, by first sight */
    size_t n_tags, cap_tags;
    struct name_index index;            /* tag -> entry of tags */
    struct ledger_link_case *cases;     /* the cases taken in during the period, with tags */
    size_t n_cases, cap_cases;
    uint32_t *case_tags;                /* the tags of cases[], each case's in a run */
    size_t n_case_tags, cap_case_tags;
};

/* Counts case v of the ledger, opened before the period's end: its tags' first sight, and
 * if in_period (taken in during it) the case itself; resolved_first: it was resolved
 * without leaving the node that took it in. 0 or -ENOMEM. */
int ledger_link_add(struct ledger_link *k, const Jiefen__CaseView *v, int in_period,
                    int resolved_first);

/* {"first_cases", "first_resolved", "first_resolution_rate", "repeat_persons",
 * "repeat_cases"} (docs/ledger.md). New reference or NULL. */
json_t *ledger_link_json(const struct ledger_link *k);

void ledger_link_clear(struct ledger_link *k);

/* Adds to the linkage object of a ledger (ledger_link_json's) the court filings of
 * [from_ms, to_ms): "villages": {"<village>": {filings, population, rate_per_10k}} for
 * each village with filings or a known population, and "no_lawsuit_villages": the villages
 * of known population with no filing. The populations: this node's own (self, population;
 * 0: unknown) and `others` ("ID:N,ID:N", [linkage] villages). 0, -ENOMEM or a store error. */
int ledger_link_filings(store *st, MDB_txn *txn, int64_t from_ms, int64_t to_ms,
                        const char *self, long population, const char *others, json_t *linkage);

#endif
