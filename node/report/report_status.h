/*
 * report_status — the parent's view of a period's reports (DESIGN.md rule 9): this node's
 * own report, and for each child expected to send that kind its report or `absent`, `late`
 * (submitted after the due moment, or absent past it) and `disagreements`: the figures
 * fixed once the period is over that differ from what this node computes from the ledger
 * rows it holds for the child's subtree. All children's figures come from one pass over the
 * cases, so the view costs one ledger at a county, not one per township.
 */
#ifndef JIEFEN_REPORT_STATUS_H
#define JIEFEN_REPORT_STATUS_H

#include "report/report.h"

#include <jansson.h>

/* Sets "own" (REPORT or null) and "children" (docs/api.md, GET /api/v1/reports) in out, as
 * of now_ms, reading in txn (safe off the loop thread). 0, -ENOMEM or a store error. */
int report_status(store *st, MDB_txn *txn, const char *self, const struct report_period *p,
                  int64_t now_ms, json_t *out);

#endif
