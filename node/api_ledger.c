/* api_ledger — the ledger figures (综合台账) of this node's subtree for a period, and the
 * ledger as a spreadsheet. Figures are defined in docs/ledger.md. */
#include "api_internal.h"
#include "clock.h"
#include "log.h"
#include "error.h"
#include "ledger.h"
#include "ledger_export.h"
#include "report.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

/* [from, to) from the query (see api_query_dates); by default the current month up to the
 * end of today. NULL, or the name of the bad parameter. */
static const char *parse_period(const char *q, int64_t *from, int64_t *to)
{
    struct report_period month;
    int64_t now = clock_now_ms();
    report_period_at("monthly", now, &month);
    *from = month.from_ms;
    *to = clock_local_day_end(now);
    const char *bad = api_query_dates(q, from, to);
    return bad ? bad : *from < *to ? NULL : "to";
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
    json_t *j = NULL;
    int rc = store_txn_begin(n->st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    rc = ledger_figures(n->st, txn, n->cfg.node_id, from, to, clock_now_ms(), &j, NULL);
    mdb_txn_abort(txn);
    if (rc)
        return reply_store_error(c, rc);
    json_object_set_new(j, "node", json_string(n->cfg.node_id));
    reply_json(c, 200, json_pack("{s:o}", "ledger", j));
}

/* ---- export: built on the thread pool, the loop keeps serving ------------------------- */

struct export_job {
    uv_work_t work;
    struct api_call *c;
    struct ledger_export_req q;
    char filename[96];
    char *out;
    size_t len;
    int rc;
    char err[256];
};

static void export_work(uv_work_t *w)
{
    struct export_job *j = w->data;
    struct node *n = j->c->n;
    MDB_txn *txn;
    store_read_begin(n->st);
    j->rc = store_txn_begin(n->st, MDB_RDONLY, &txn);
    if (j->rc == 0) {
        j->rc = ledger_export(n->st, txn, &j->q, &j->out, &j->len, j->err, sizeof j->err);
        mdb_txn_abort(txn);
    }
    store_read_end(n->st);
}

static void export_after(uv_work_t *w, int status)
{
    struct export_job *j = w->data;
    j->c->n->busy_work--;
    if (status || j->rc) {
        log_warn("ledger", "export failed: %s", j->err[0] ? j->err : jf_strerror(j->rc));
        reply_error(j->c, 500, "export_failed", NULL, "导出失败：%s",
                    j->err[0] ? j->err : jf_strerror(status ? status : j->rc));
    } else {
        reply_file(j->c, j->q.xlsx ? "application/vnd.openxmlformats-officedocument."
                                     "spreadsheetml.sheet"
                                   : "text/csv; charset=utf-8",
                   j->filename, j->out, j->len);
    }
    free(j->out);
    free(j);
}

void route_ledger_export(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct node *n = c->n;
    char format[8] = "xlsx";
    int64_t from = 0, to = 0;
    const char *bad = parse_period(r->query, &from, &to);
    if (bad)
        return reply_error(c, 400, "invalid_query", bad,
                           "查询参数 %s 应为 YYYY-MM-DD，且起日不晚于止日", bad);
    if (http_query_get(r->query, "format", format, sizeof format) < -1 ||
        (strcmp(format, "xlsx") && strcmp(format, "csv")))
        return reply_error(c, 400, "invalid_query", "format", "format 应为 xlsx 或 csv");
    struct export_job *j = calloc(1, sizeof *j);
    if (!j)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    char day[32];
    clock_format_local(from, day, sizeof day);
    day[10] = 0;
    snprintf(j->filename, sizeof j->filename, "ledger-%s-%s.%s", n->cfg.node_id, day, format);
    j->c = c;
    j->q = (struct ledger_export_req){n->cfg.node_id, n->cfg.node_name, from, to,
                                      clock_now_ms(), strcmp(format, "xlsx") == 0, n->dir};
    j->work.data = j;
    int rc = uv_queue_work(&n->loop, &j->work, export_work, export_after);
    if (rc) {
        free(j);
        return reply_error(c, 500, "internal", NULL, "无法启动导出：%s", uv_strerror(rc));
    }
    n->busy_work++;
}
