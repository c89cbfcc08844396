#include "report/ledger_export.h"
#include "array.h"
#include "case/case.h"
#include "clock.h"
#include "error.h"
#include "report/export.h"
#include "case/reference.h"
#include "report/name_index.h"
#include "log/registry.h"
#include "report/report.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEXT(s) {EXPORT_TEXT, (s), 0}

/* "YYYY-MM-DD" of ms into buf (32 bytes), "" for none. */
static const char *date_of(int64_t ms, char *buf)
{
    buf[0] = '\0';
    if (ms > 0) {
        clock_format_local(ms, buf, 32);
        buf[10] = '\0';
    }
    return buf;
}

/* "YYYY-MM-DD HH:MM:SS" of ms into buf (32 bytes), "" for none. */
static const char *time_of(int64_t ms, char *buf)
{
    buf[0] = '\0';
    if (ms > 0)
        clock_format_local(ms, buf, 32);
    return buf;
}

/* "贺兰县 综合台账（2026-11-01 至 2026-11-30）": [from, to) as local dates. */
static void caption_of(char *buf, size_t len, const char *name, const char *what, int64_t from,
                       int64_t to)
{
    char a[32], b[32];
    snprintf(buf, len, "%s %s（%s 至 %s）", name, what, date_of(from, a), date_of(to - 1, b));
}

/* ---- the figures' sheets, from the figures' JSON ------------------------------------- */

enum { SUMMARY, CATEGORY, VILLAGE, SOURCE, N_FIGURE_SHEETS, DEPTS = N_FIGURE_SHEETS, N_SHEETS };

static const char *const FIGURE_TITLES[N_FIGURE_SHEETS] = {"汇总", "按纠纷类别", "按村(社区)",
                                                           "按来源"};
static const char *const FIGURE_HEADERS[N_FIGURE_SHEETS][2] = {
    {"指标", "数值"}, {"纠纷类别", "受理数"}, {"村(社区)", "受理数"}, {"来源", "受理数"}};

/* 汇总: the figure's member in the JSON (and its member, for one nested deeper). */
static const struct {
    const char *name;
    enum export_cell_kind kind;
    const char *key, *sub;
} SUMMARY_ROWS[] = {
    {"受理案件数", EXPORT_NUMBER, "taken_in", NULL},
    {"化解案件数", EXPORT_NUMBER, "resolved", NULL},
    {"化解率", EXPORT_PERCENT, "resolution_rate", NULL},
    {"办结案件数", EXPORT_NUMBER, "closed", NULL},
    {"其中引导至法定途径", EXPORT_NUMBER, "guided", NULL},
    {"其中当事人撤回", EXPORT_NUMBER, "withdrawn", NULL},
    {"按期办结率", EXPORT_PERCENT, "on_time_rate", NULL},
    {"村、乡镇两级办结占比", EXPORT_PERCENT, "local_share", NULL},
    {"信访事项数", EXPORT_NUMBER, "petitions", NULL},
    {"初信初访占比", EXPORT_PERCENT, "petition_rate", NULL},
    {"期末在办", EXPORT_NUMBER, "pending", NULL},
    {"期末超期", EXPORT_NUMBER, "overdue", NULL},
    {"领导包案", EXPORT_NUMBER, "leader_owned", NULL},
    {"红色风险", EXPORT_NUMBER, "red", NULL},
    {"橙色风险", EXPORT_NUMBER, "orange", NULL},
    {"回访满意率", EXPORT_PERCENT, "satisfaction", "rate"},
    {"应回访数", EXPORT_NUMBER, "followup", "due"},
    {"待回访", EXPORT_NUMBER, "followup", "waiting"},
    {"按期回访", EXPORT_NUMBER, "followup", "on_time"},
    {"逾期回访", EXPORT_NUMBER, "followup", "late"},
    {"回访逾期未访", EXPORT_NUMBER, "followup", "overdue"},
    {"按期回访率", EXPORT_PERCENT, "followup", "on_time_rate"},
};

/* 入驻部门: a row per department, its member of the figures' "departments" in each column. */
static const struct {
    const char *header, *key;
    enum export_cell_kind kind;
} DEPT_COLS[] = {
    {"部门", NULL, EXPORT_TEXT},
    {"分流受理数", "received", EXPORT_NUMBER},
    {"按时签收", "signed_on_time", EXPORT_NUMBER},
    {"签收逾期", "overdue", EXPORT_NUMBER},
    {"退回", "returned", EXPORT_NUMBER},
    {"反馈结果", "done", EXPORT_NUMBER},
    {"按期办结", "closed_on_time", EXPORT_NUMBER},
    {"按时签收率", "sign_on_time_rate", EXPORT_PERCENT},
    {"按期办结率", "closed_on_time_rate", EXPORT_PERCENT},
};
#define N_DEPT_COLS (sizeof DEPT_COLS / sizeof DEPT_COLS[0])

/* A number of the JSON; NAN (an empty cell) for null, a rate whose denominator was 0. */
static double number_of(const json_t *j)
{
    return json_is_number(j) ? json_number_value(j) : NAN;
}

static int pair(export_file *f, size_t table, const char *name, enum export_cell_kind kind,
                double value)
{
    const struct export_cell row[2] = {TEXT(name), {kind, NULL, value}};
    return export_row(f, table, row);
}

static int add_figure_sheets(export_file *f, const char *caption, size_t *ids)
{
    const char *heads[N_DEPT_COLS];
    int rc = 0;
    for (int i = 0; i < N_FIGURE_SHEETS && rc == 0; i++)
        rc = export_add_table(f, FIGURE_TITLES[i], caption, 2, FIGURE_HEADERS[i], &ids[i]);
    for (size_t i = 0; i < N_DEPT_COLS; i++)
        heads[i] = DEPT_COLS[i].header;
    return rc ? rc : export_add_table(f, "入驻部门", caption, N_DEPT_COLS, heads, &ids[DEPTS]);
}

static int dept_rows(export_file *f, size_t table, const json_t *depts)
{
    const char *name;
    const json_t *d;
    int rc = 0;
    json_object_foreach((json_t *)depts, name, d) {
        struct export_cell row[N_DEPT_COLS];
        for (size_t i = 0; i < N_DEPT_COLS; i++) {
            row[i].kind = DEPT_COLS[i].kind;
            row[i].text = DEPT_COLS[i].key ? NULL : name;
            row[i].number = DEPT_COLS[i].key ? number_of(json_object_get(d, DEPT_COLS[i].key))
                                             : 0;
        }
        if (rc == 0)
            rc = export_row(f, table, row);
    }
    return rc;
}

/* Counts by a reference table's entries (codes absent from the JSON count 0). */
static int by_table(export_file *f, size_t table, const struct ref_table *t, const json_t *o)
{
    int rc = 0;
    for (size_t i = 0; i < t->count && rc == 0; i++) {
        const json_t *n = json_object_get(o, t->entries[i].code);
        rc = pair(f, table, t->entries[i].name, EXPORT_NUMBER, n ? number_of(n) : 0);
    }
    return rc;
}

static int put_figures(export_file *f, const size_t *ids, const json_t *fig)
{
    const json_t *by = json_object_get(fig, "taken_in_by"), *n;
    const char *village;
    int rc = 0;
    for (size_t i = 0; i < sizeof SUMMARY_ROWS / sizeof SUMMARY_ROWS[0] && rc == 0; i++) {
        const json_t *v = json_object_get(fig, SUMMARY_ROWS[i].key);
        if (SUMMARY_ROWS[i].sub)
            v = json_object_get(v, SUMMARY_ROWS[i].sub);
        rc = pair(f, ids[SUMMARY], SUMMARY_ROWS[i].name, SUMMARY_ROWS[i].kind, number_of(v));
    }
    if (rc == 0)
        rc = by_table(f, ids[CATEGORY], &ref_categories, json_object_get(by, "category"));
    json_object_foreach(json_object_get(by, "village"), village, n) {
        if (rc == 0)
            rc = pair(f, ids[VILLAGE], village, EXPORT_NUMBER, number_of(n));
    }
    if (rc == 0)
        rc = by_table(f, ids[SOURCE], &ref_sources, json_object_get(by, "source"));
    return rc ? rc : dept_rows(f, ids[DEPTS], json_object_get(fig, "departments"));
}

/* ---- the file, written in dir and read back ------------------------------------------ */

typedef int (*fill_fn)(export_file *f, void *arg);

static int read_back(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -errno;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    int rc = size > 0 && fseek(f, 0, SEEK_SET) == 0 ? 0 : -EIO;
    if (rc == 0 && !(*out = malloc((size_t)size)))
        rc = -ENOMEM;
    if (rc == 0 && (*len = fread(*out, 1, (size_t)size, f)) != (size_t)size)
        rc = -EIO;
    fclose(f);
    if (rc) {
        free(*out);
        *out = NULL;
        *len = 0;
    }
    return rc;
}

/* A file made by fill in a temporary path in dir, then its bytes. */
static int export_bytes(int xlsx, const char *dir, fill_fn fill, void *arg, char **out,
                        size_t *len, char *err, size_t errlen)
{
    char path[4200];
    export_file *f = NULL;
    *out = NULL;
    *len = 0;
    snprintf(path, sizeof path, "%s/export-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return -errno;
    close(fd);
    int rc = export_open(xlsx ? EXPORT_XLSX : EXPORT_CSV, path, err, errlen, &f);
    if (rc == 0 && (rc = fill(f, arg)) != 0)
        export_abort(&f);
    if (rc == 0 && (rc = export_close(&f)) == 0)
        rc = read_back(path, out, len);
    unlink(path);
    return rc;
}

/* ---- the ledger: its figures and 案件登记台账 ------------------------------------------
 */

static const char *const REGISTER_HEADERS[] = {
    "案件编号", "受理日期", "村(社区)", "纠纷类别", "归口部门", "事项类型", "来源", "风险等级",
    "状态", "承办节点", "办理期限", "办结日期", "满意度"};
#define REGISTER_COLS (sizeof REGISTER_HEADERS / sizeof REGISTER_HEADERS[0])

/* The register's lookups, made once per export rather than once per cell: the names of
 * each reference table it shows, by code, and the local dates met, by quarter hour. */
enum { CATEGORIES, MATTERS, SOURCES, RISKS, STATUSES, SATISFACTIONS, N_TABLES };
static const struct ref_table *const REGISTER_TABLES[N_TABLES] = {
    &ref_categories, &ref_matter_types, &ref_sources, &ref_risks, &ref_statuses,
    &ref_satisfactions};
#define QUARTER_MS 900000LL
#define DATE_SLOTS 1024

struct register_cache {
    struct name_index names[N_TABLES];
    int64_t quarter[DATE_SLOTS]; /* 1 + the quarter hour whose date the slot holds; 0: none */
    char date[DATE_SLOTS][11];
};

static void cache_free(struct register_cache *c)
{
    for (int i = 0; c && i < N_TABLES; i++)
        name_index_clear(&c->names[i]);
    free(c);
}

static struct register_cache *cache_new(void)
{
    struct register_cache *c = calloc(1, sizeof *c);
    for (int i = 0; c && i < N_TABLES; i++)
        if (name_index_put_table(&c->names[i], REGISTER_TABLES[i])) {
            cache_free(c);
            return NULL;
        }
    return c;
}

/* The Chinese name of the entry whose code (or name) is code, else code itself. */
static const char *cached_name(const struct register_cache *c, int table, const char *code)
{
    ssize_t i = name_index_get(&c->names[table], code);
    return i < 0 ? code : REGISTER_TABLES[table]->entries[i].name;
}

/* As date_of. Every time zone's offset from UTC is a whole number of quarter hours, so a
 * quarter hour of UTC has one local date; one whose ends have different dates (an odd
 * offset, a change of offset) is not kept. */
static const char *cached_date(struct register_cache *c, int64_t ms, char *buf)
{
    if (ms <= 0)
        return date_of(ms, buf);
    int64_t q = ms / QUARTER_MS;
    size_t slot = (size_t)(q % DATE_SLOTS);
    if (c->quarter[slot] == q + 1)
        return c->date[slot];
    char first[32], last[32];
    date_of(ms, buf);
    if (strcmp(date_of(q * QUARTER_MS, first), buf) == 0 &&
        strcmp(date_of((q + 1) * QUARTER_MS - 1, last), buf) == 0) {
        c->quarter[slot] = q + 1;
        snprintf(c->date[slot], sizeof c->date[slot], "%s", buf);
    }
    return buf;
}

/* Node id → name, read from the registry once per export and indexed for lookup: the
 * register names the holder of each of its rows, and a county's year has many rows. */
struct node_name {
    char *id, *name;
};

struct node_names {
    struct node_name *v;
    size_t n, cap;
    struct name_index ix;   /* id → its entry in v */
};

static int node_name_add(struct node_names *t, const char *id, const char *name)
{
    struct node_name *g = array_room(t->v, t->n, &t->cap, sizeof *g, 32);
    if (!g)
        return -ENOMEM;
    t->v = g;
    t->v[t->n] = (struct node_name){strdup(id), strdup(name[0] ? name : id)};
    return t->v[t->n++].name && t->v[t->n - 1].id ? 0 : -ENOMEM;
}

static int node_name_each(const Jiefen__NodeInfo *ni, void *arg)
{
    return node_name_add(arg, ni->node_id, ni->name);
}

static void node_names_clear(struct node_names *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->v[i].id);
        free(t->v[i].name);
    }
    free(t->v);
    name_index_clear(&t->ix);
    *t = (struct node_names){0};
}

static int node_names_load(store *st, MDB_txn *txn, const struct ledger_export_req *q,
                           struct node_names *t)
{
    int rc = node_name_add(t, q->node_id, q->node_name);
    if (rc == 0)
        rc = registry_each(st, txn, node_name_each, t);
    for (size_t i = 0; rc == 0 && i < t->n; i++)
        rc = name_index_put(&t->ix, t->v[i].id, i);
    return rc;
}

/* The name of node id, or the id itself for a node the registry does not know. */
static const char *node_name_of(const struct node_names *t, const char *id)
{
    ssize_t i = name_index_get(&t->ix, id);
    return i < 0 ? id : t->v[i].name;
}

struct ledger_fill {
    store *st;
    MDB_txn *txn;
    const struct ledger_export_req *q;
    export_file *f;
    size_t reg;
    struct register_cache *cache;
    struct node_names names;
};

/* One case taken in: a row written as the walk meets it (the view is freed after). */
static int register_row(const Jiefen__CaseView *v, void *arg)
{
    struct ledger_fill *x = arg;
    struct register_cache *c = x->cache;
    char opened[32], due[32], closed[32];
    const char *sat = v->satisfaction[0] ? cached_name(c, SATISFACTIONS, v->satisfaction) : "";
    const struct export_cell row[REGISTER_COLS] = {
        TEXT(v->case_id),
        TEXT(cached_date(c, v->opened_ms, opened)),
        TEXT(v->village),
        TEXT(cached_name(c, CATEGORIES, v->category)),
        TEXT(v->department),
        TEXT(cached_name(c, MATTERS, v->matter_type)),
        TEXT(cached_name(c, SOURCES, v->source)),
        TEXT(cached_name(c, RISKS, case_risk_code(v->risk))),
        TEXT(cached_name(c, STATUSES, case_status_code(v->status))),
        TEXT(node_name_of(&x->names, v->holder)),
        TEXT(cached_date(c, v->due_ms, due)),
        TEXT(cached_date(c, v->closed_ms, closed)),
        TEXT(sat),
    };
    return export_row(x->f, x->reg, row);
}

/* The sheets in their order, the register filled during the walk, then the figures. */
static int fill_ledger(export_file *f, void *arg)
{
    struct ledger_fill *x = arg;
    const struct ledger_export_req *q = x->q;
    size_t ids[N_SHEETS];
    char caption[400];
    struct ledger l;
    caption_of(caption, sizeof caption, q->node_name, "综合台账", q->from_ms, q->to_ms);
    x->f = f;
    int rc = add_figure_sheets(f, caption, ids);
    if (rc == 0)
        rc = export_add_table(f, "案件登记台账", caption, REGISTER_COLS, REGISTER_HEADERS,
                              &x->reg);
    if (rc == 0)
        rc = ledger_compute(x->st, x->txn, q->node_id, q->from_ms, q->to_ms, q->now_ms,
                            register_row, x, &l);
    if (rc)
        return rc;
    json_t *fig = ledger_json(&l);
    ledger_clear(&l);
    rc = fig ? put_figures(f, ids, fig) : -ENOMEM;
    json_decref(fig);
    return rc;
}

int ledger_export(store *st, MDB_txn *txn, const struct ledger_export_req *q, char **out,
                  size_t *len, char *err, size_t errlen)
{
    struct ledger_fill x = {st, txn, q, NULL, 0, cache_new(), {0}};
    if (!x.cache) {
        *out = NULL;
        *len = 0;
        if (err && errlen)
            snprintf(err, errlen, "ledger export: out of memory");
        return -ENOMEM;
    }
    int rc = node_names_load(st, txn, q, &x.names);
    if (rc == 0)
        rc = export_bytes(q->xlsx, q->dir, fill_ledger, &x, out, len, err, errlen);
    node_names_clear(&x.names);
    cache_free(x.cache);
    return rc;
}

/* ---- a report: 报告, then the figures it froze ------------------------------------------
 */

static const char *const REPORT_HEADERS[] = {"项目", "内容"};

/* The children's reports the submitter marked missing, "、" between them. */
static char *missing_text(const Jiefen__ReportView *v)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&s, &n);
    if (!f)
        return NULL;
    for (size_t i = 0; i < v->n_missing; i++) {
        const char *why = i < v->n_missing_reason ? v->missing_reason[i] : "";
        fprintf(f, "%s%s%s%s%s", i ? "、" : "", v->missing[i], why[0] ? "（" : "", why,
                why[0] ? "）" : "");
    }
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

static int report_rows(export_file *f, size_t table, const struct report_export_req *q)
{
    const Jiefen__ReportView *v = q->v;
    struct report_period p;
    char unit[200], reviewer[300], period[80], from[32], to[32], due[32], sent[32], reviewed[32];
    char *missing = missing_text(v);
    if (!missing)
        return -ENOMEM;
    if (report_period_parse(v->kind, v->period, &p))
        p.due_ms = 0;
    snprintf(unit, sizeof unit, "%s（%s）", q->node_name, v->origin);
    reviewer[0] = '\0';
    if (v->reviewer[0])
        snprintf(reviewer, sizeof reviewer, "%s（%s）", q->reviewer_name, v->reviewer);
    snprintf(period, sizeof period, "%s 至 %s", date_of(v->from_ms, from),
             date_of(v->to_ms - 1, to));
    const char *const rows[][2] = {
        {"报送单位", unit},
        {"报告类型", report_kind_name(v->kind)},
        {"报告期", period},
        {"报送截止", time_of(p.due_ms, due)},
        {"状态", report_state_name(v->state)},
        {"报送人", q->submitter_name},
        {"报送时间", time_of(v->submitted_ms, sent)},
        {"审核单位", reviewer},
        {"审核时间", time_of(v->reviewed_ms, reviewed)},
        {"审核意见", v->comment},
        {"标注缺报的下级报告", missing},
        {"分析研判", v->analysis},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0] && rc == 0; i++) {
        const struct export_cell row[2] = {TEXT(rows[i][0]), TEXT(rows[i][1])};
        rc = export_row(f, table, row);
    }
    free(missing);
    return rc;
}

static int fill_report(export_file *f, void *arg)
{
    const struct report_export_req *q = arg;
    size_t info, ids[N_SHEETS];
    char caption[400];
    json_t *fig = json_loads(q->v->figures, 0, NULL);
    if (!fig)
        return JF_ECORRUPT;
    caption_of(caption, sizeof caption, q->node_name, report_kind_name(q->v->kind),
               q->v->from_ms, q->v->to_ms);
    int rc = export_add_table(f, "报告", caption, 2, REPORT_HEADERS, &info);
    if (rc == 0)
        rc = add_figure_sheets(f, caption, ids);
    if (rc == 0)
        rc = report_rows(f, info, q);
    if (rc == 0)
        rc = put_figures(f, ids, fig);
    json_decref(fig);
    return rc;
}

int ledger_export_report(const struct report_export_req *q, char **out, size_t *len,
                         char *err, size_t errlen)
{
    return export_bytes(q->xlsx, q->dir, fill_report, (void *)q, out, len, err, errlen);
}
