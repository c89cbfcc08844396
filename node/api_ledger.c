/* api_ledger — the ledger figures (综合台账) of this node's subtree for a period, and the
 * ledger as a spreadsheet. Figures are defined in docs/ledger.md. */
#include "api_internal.h"
#include "clock.h"
#include "error.h"
#include "ledger.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#define DAY_MS 86400000LL

/* [from, to) from the query: from/to are local dates, to inclusive; by default the
 * current month up to today. NULL, or the name of the bad parameter. */
static const char *parse_period(const char *q, int64_t *from, int64_t *to)
{
    char f[16] = "", t[16] = "";
    int64_t now = clock_now_ms();
    if (http_query_get(q, "from", f, sizeof f) < -1 || (f[0] && clock_parse_local_date(f, from)))
        return "from";
    if (http_query_get(q, "to", t, sizeof t) < -1 || (t[0] && clock_parse_local_date(t, to)))
        return "to";
    if (!f[0]) {
        time_t secs = (time_t)(now / 1000);
        struct tm tm;
        localtime_r(&secs, &tm);
        char first[32];
        snprintf(first, sizeof first, "%04d-%02d-01", tm.tm_year + 1900, tm.tm_mon + 1);
        clock_parse_local_date(first, from);
    }
    if (!t[0]) {
        char today[32];
        clock_format_local(now, today, sizeof today);
        today[10] = 0;
        clock_parse_local_date(today, to);
    }
    *to += DAY_MS; /* inclusive: up to the end of that day */
    return *from < *to ? NULL : "to";
}

void route_ledger(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct node *n = c->n;
    int64_t from = 0, to = 0;
    const char *bad = parse_period(r->query, &from, &to);
    if (bad)
        return reply_error(c, 400, "invalid_query", bad, "查询参数 %s 应为 YYYY-MM-DD，且起日不晚于止日", bad);
    MDB_txn *txn;
    struct ledger l;
    int rc = store_txn_begin(n->st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    rc = ledger_compute(n->st, txn, n->cfg.node_id, from, to, clock_now_ms(), &l);
    mdb_txn_abort(txn);
    if (rc)
        return reply_store_error(c, rc);
    json_t *j = ledger_json(&l);
    ledger_clear(&l);
    json_object_set_new(j, "node", json_string(n->cfg.node_id));
    reply_json(c, 200, json_pack("{s:o}", "ledger", j));
}
