/*
 * dashboard — the director's figures (领导驾驶舱, issue 14 item 8): this week's intake,
 * closures, overdue cases and 3221 escalations of this node's subtree, by category and by
 * village, and the same four figures for each of the last 12 weeks, from one ledger walk
 * over the case views (ledger_compute with a row function). Weeks are the weekly report's
 * (Monday to Sunday in the node's time zone). Each week's figures are those of the cases
 * taken in that week, as they stand now: closed (办结, closed or guided), overdue (open past
 * its limit, or closed after it) and escalated (moved up a tier at least once).
 */
#ifndef JIEFEN_DASHBOARD_H
#define JIEFEN_DASHBOARD_H

#include "store.h"

#include <jansson.h>
#include <stdint.h>

#define DASHBOARD_WEEKS 12

/* The dashboard of node self as of now_ms, as API JSON in *out (new reference):
 * {"week": {...}, "trend": [...], "open", "overdue_now"} (docs/api.md). 0, -ENOMEM or a
 * store error. */
int dashboard_compute(store *st, MDB_txn *txn, const char *self, int64_t now_ms,
                      json_t **out);

#endif
