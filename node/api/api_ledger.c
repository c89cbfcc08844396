/* api_ledger — the ledger figures (综合台账) of this node's subtree for a period, the
 * director's dashboard (dashboard.h), and the ledger as a spreadsheet, all computed on the
 * thread pool (work.h). Figures are defined in docs/ledger.md. */
#include "api/api_ledger.h"
#include "api/api_routes.h"
#include "clock.h"
#include "log.h"
#include "error.h"
#include "report/dashboard.h"
#include "report/ledger.h"
#include "report/ledger_export.h"
#include "report/report.h"

#include <errno.h>
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

/* ---- the figures ------------------------------------------------------------------- */

struct ledger_job {
    struct api_call *c;
    int64_t from, to, now;
    json_t *figures;
};

static int ledger_work(MDB_txn *txn, void *arg)
{
    struct ledger_job *j = arg;
    const struct api *api = j->c->api;
    const struct config *cfg = api->dep.cfg;
    int rc = ledger_figures(api->dep.st, txn, cfg->node_id, j->from, j->to, j->now,
                            &j->figures, NULL);
    return rc ? rc
              : ledger_link_filings(api->dep.st, txn, j->from, j->to, cfg->node_id,
                                    cfg->linkage_population, cfg->linkage_villages,
                                    json_object_get(j->figures, "linkage"));
}

static void ledger_done(int rc, void *arg)
{
    struct ledger_job *j = arg;
    const struct api *api = j->c->api;
    if (rc) {
        reply_store_error(j->c, rc);
    } else {
        json_object_set_new(j->figures, "node", json_string(api->dep.cfg->node_id));
        reply_json(j->c, 200, json_pack("{s:o}", "ledger", j->figures));
    }
    free(j);
}

void route_ledger(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    int64_t from = 0, to = 0;
    const char *bad = parse_period(r->query, &from, &to);
    if (bad)
        return reply_error(c, 400, "invalid_query", bad,
                           "查询参数 %s 应为 YYYY-MM-DD，且起日不晚于止日", bad);
    struct ledger_job *j = calloc(1, sizeof *j);
    if (!j)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    *j = (struct ledger_job){c, from, to, clock_now_ms(), NULL};
    work_read(c->api->dep.work, ledger_work, ledger_done, j);
}

/* ---- the director's dashboard (领导驾驶舱) ------------------------------------------ */

static int dashboard_work(MDB_txn *txn, void *arg)
{
    struct ledger_job *j = arg;
    const struct api *api = j->c->api;
    return dashboard_compute(api->dep.st, txn, api->dep.cfg->node_id, j->now, &j->figures);
}

static void dashboard_done(int rc, void *arg)
{
    struct ledger_job *j = arg;
    if (rc)
        reply_store_error(j->c, rc);
    else
        reply_json(j->c, 200, json_pack("{s:o}", "dashboard", j->figures));
    free(j);
}

/* GET /api/v1/dashboard: this week and the 12 weeks before, as of now. */
void route_dashboard(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct ledger_job *j = calloc(1, sizeof *j);
    if (!j)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    *j = (struct ledger_job){c, 0, 0, clock_now_ms(), NULL};
    work_read(c->api->dep.work, dashboard_work, dashboard_done, j);
}

/* ---- a spreadsheet: the ledger, or a report (api_report.c) ---------------------------- */

const char *api_export_format(const char *query, int *xlsx)
{
    char format[8] = "xlsx";
    if (http_query_get(query, "format", format, sizeof format) < -1 ||
        (strcmp(format, "xlsx") && strcmp(format, "csv")))
        return "format";
    *xlsx = strcmp(format, "xlsx") == 0;
    return NULL;
}

void api_export_done(struct api_export *e, int rc)
{
    const char *why = e->err[0] ? e->err : jf_strerror(rc);
    if (rc == -ECANCELED) {
        reply_store_error(e->c, rc);
    } else if (rc) {
        log_warn("export", "%s failed: %s", e->filename, why);
        reply_error(e->c, 500, "export_failed", NULL, "导出失败：%s", why);
    } else {
        reply_file(e->c,
                   e->xlsx ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                           : "text/csv; charset=utf-8",
                   e->filename, e->out, e->len);
    }
    free(e->out);
    e->out = NULL;
}

struct export_job {
    struct api_export e;
    struct ledger_export_req q;
};

static int export_work(MDB_txn *txn, void *arg)
{
    struct export_job *j = arg;
    return ledger_export(j->e.c->api->dep.st, txn, &j->q, &j->e.out, &j->e.len, j->e.err,
                         sizeof j->e.err);
}

static void export_done(int rc, void *arg)
{
    struct export_job *j = arg;
    api_export_done(&j->e, rc);
    free(j);
}

void route_ledger_export(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct api *api = c->api;
    int64_t from = 0, to = 0;
    int xlsx = 1;
    const char *bad = parse_period(r->query, &from, &to);
    if (bad)
        return reply_error(c, 400, "invalid_query", bad,
                           "查询参数 %s 应为 YYYY-MM-DD，且起日不晚于止日", bad);
    if (api_export_format(r->query, &xlsx))
        return reply_error(c, 400, "invalid_query", "format", "format 应为 xlsx 或 csv");
    struct export_job *j = calloc(1, sizeof *j);
    if (!j)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    char day[32];
    clock_format_local(from, day, sizeof day);
    day[10] = 0;
    snprintf(j->e.filename, sizeof j->e.filename, "ledger-%s-%s.%s", api->dep.cfg->node_id, day,
             xlsx ? "xlsx" : "csv");
    j->e.c = c;
    j->e.xlsx = xlsx;
    j->q = (struct ledger_export_req){api->dep.cfg->node_id, api->dep.cfg->node_name, from, to,
                                      clock_now_ms(), xlsx, api->dep.dir};
    work_read(api->dep.work, export_work, export_done, j);
}
