#include "ledger_export.h"
#include "case.h"
#include "clock.h"
#include "error.h"
#include "export.h"
#include "reference.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Cells and the strings they point to, grown as rows come. */
struct sheet {
    struct export_cell *cells;
    size_t n, cap;
    char **strs;
    size_t n_strs, cap_strs;
};

static int push(struct sheet *s, enum export_cell_kind kind, const char *text, double num)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 256;
        struct export_cell *g = realloc(s->cells, cap * sizeof *g);
        if (!g)
            return -ENOMEM;
        s->cells = g;
        s->cap = cap;
    }
    s->cells[s->n++] = (struct export_cell){kind, text, num};
    return 0;
}

/* A text cell whose bytes the sheet keeps (the case views are freed as the walk goes). */
static int push_copy(struct sheet *s, const char *text)
{
    if (s->n_strs == s->cap_strs) {
        size_t cap = s->cap_strs ? s->cap_strs * 2 : 256;
        char **g = realloc(s->strs, cap * sizeof *g);
        if (!g)
            return -ENOMEM;
        s->strs = g;
        s->cap_strs = cap;
    }
    char *copy = strdup(text ? text : "");
    if (!copy)
        return -ENOMEM;
    s->strs[s->n_strs++] = copy;
    return push(s, EXPORT_TEXT, copy, 0);
}

static int push_date(struct sheet *s, int64_t ms)
{
    char buf[32] = "";
    if (ms > 0) {
        clock_format_local(ms, buf, sizeof buf);
        buf[10] = 0;
    }
    return push_copy(s, buf);
}

static void sheet_free(struct sheet *s)
{
    for (size_t i = 0; i < s->n_strs; i++)
        free(s->strs[i]);
    free(s->strs);
    free(s->cells);
}

static const char *name_of(const struct ref_table *t, const char *code)
{
    const struct ref_entry *e = ref_find(t, code);
    return e ? e->name : code;
}

/* ---- 案件登记台账: one row per case taken in ------------------------------------------ */

static const char *const REGISTER_HEADERS[] = {
    "案件编号", "受理日期", "村(社区)", "纠纷类别", "归口部门", "事项类型", "来源", "风险等级",
    "状态", "承办节点", "办理期限", "办结日期", "满意度"};
#define REGISTER_COLS (sizeof REGISTER_HEADERS / sizeof REGISTER_HEADERS[0])

static int register_row(const Jiefen__CaseView *v, void *arg)
{
    struct sheet *s = arg;
    const char *sat = v->satisfaction[0] ? name_of(&ref_satisfactions, v->satisfaction) : "";
    int rc = push_copy(s, v->case_id);
    if (rc || (rc = push_date(s, v->opened_ms)) || (rc = push_copy(s, v->village)) ||
        (rc = push(s, EXPORT_TEXT, name_of(&ref_categories, v->category), 0)) ||
        (rc = push_copy(s, v->department)) ||
        (rc = push(s, EXPORT_TEXT, name_of(&ref_matter_types, v->matter_type), 0)) ||
        (rc = push(s, EXPORT_TEXT, name_of(&ref_sources, v->source), 0)) ||
        (rc = push(s, EXPORT_TEXT, name_of(&ref_risks, case_risk_code(v->risk)), 0)) ||
        (rc = push(s, EXPORT_TEXT, name_of(&ref_statuses, case_status_code(v->status)), 0)) ||
        (rc = push_copy(s, v->holder)) || (rc = push_date(s, v->due_ms)) ||
        (rc = push_date(s, v->closed_ms)))
        return rc;
    return push(s, EXPORT_TEXT, sat, 0);
}

/* ---- 汇总: the figures ------------------------------------------------------------------ */

static int summary(struct sheet *s, const struct ledger *l)
{
    struct ledger_rates r;
    ledger_rates(l, &r);
    const struct {
        const char *name;
        enum export_cell_kind kind;
        double value;
    } rows[] = {
        {"受理案件数", EXPORT_NUMBER, (double)l->taken_in},
        {"化解案件数", EXPORT_NUMBER, (double)l->resolved},
        {"化解率", EXPORT_PERCENT, r.resolution},
        {"办结案件数", EXPORT_NUMBER, (double)l->closed},
        {"其中引导至法定途径", EXPORT_NUMBER, (double)l->guided},
        {"按期办结率", EXPORT_PERCENT, r.on_time},
        {"村、乡镇两级办结占比", EXPORT_PERCENT, r.local_share},
        {"信访事项数", EXPORT_NUMBER, (double)l->petitions},
        {"初信初访占比", EXPORT_PERCENT, r.petition},
        {"期末在办", EXPORT_NUMBER, (double)l->pending},
        {"期末超期", EXPORT_NUMBER, (double)l->overdue},
        {"领导包案", EXPORT_NUMBER, (double)l->leader_owned},
        {"红色风险", EXPORT_NUMBER, (double)l->red},
        {"橙色风险", EXPORT_NUMBER, (double)l->orange},
        {"回访满意率", EXPORT_PERCENT, r.satisfaction},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0] && rc == 0; i++)
        if ((rc = push(s, EXPORT_TEXT, rows[i].name, 0)) == 0)
            rc = push(s, rows[i].kind, NULL, rows[i].value);
    return rc;
}

/* Counts by a reference table's entries: name, count. */
static int by_table(struct sheet *s, const struct ref_table *t, const uint64_t *counts)
{
    int rc = 0;
    for (size_t i = 0; i < t->count && rc == 0; i++)
        if ((rc = push(s, EXPORT_TEXT, t->entries[i].name, 0)) == 0)
            rc = push(s, EXPORT_NUMBER, NULL, (double)counts[i]);
    return rc;
}

static int by_village(struct sheet *s, const struct ledger *l)
{
    int rc = 0;
    for (size_t i = 0; i < l->n_villages && rc == 0; i++)
        if ((rc = push_copy(s, l->villages[i].name)) == 0)
            rc = push(s, EXPORT_NUMBER, NULL, (double)l->villages[i].n);
    return rc;
}

/* ---- the workbook -------------------------------------------------------------------- */

enum { SUMMARY, CATEGORY, VILLAGE, SOURCE, REGISTER, N_SHEETS };

static const char *const TWO_COLS[][2] = {
    {"指标", "数值"}, {"纠纷类别", "受理数"}, {"村(社区)", "受理数"}, {"来源", "受理数"}};

static int fill_sheets(struct sheet *sh, const struct ledger *l)
{
    int rc = summary(&sh[SUMMARY], l);
    if (rc == 0)
        rc = by_table(&sh[CATEGORY], &ref_categories, l->by_category);
    if (rc == 0)
        rc = by_village(&sh[VILLAGE], l);
    if (rc == 0)
        rc = by_table(&sh[SOURCE], &ref_sources, l->by_source);
    return rc;
}

static void tables_of(struct sheet *sh, const char *caption, struct export_table *t)
{
    static const char *const titles[N_SHEETS] = {"汇总", "按纠纷类别", "按村(社区)", "按来源",
                                                 "案件登记台账"};
    for (int i = 0; i < N_SHEETS; i++) {
        size_t cols = i == REGISTER ? REGISTER_COLS : 2;
        t[i] = (struct export_table){titles[i], caption, cols,
                                     i == REGISTER ? REGISTER_HEADERS : TWO_COLS[i],
                                     sh[i].n / cols, sh[i].cells};
    }
}

/* The XLSX is written to a file (libxlsxwriter's way) next to the store, read back, removed. */
static int xlsx_bytes(const struct export_table *t, const char *dir, char **out, size_t *len,
                      char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/export-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return -errno;
    close(fd);
    int rc = export_xlsx(t, N_SHEETS, path, err, errlen);
    FILE *f = rc ? NULL : fopen(path, "rb");
    if (f) {
        fseek(f, 0, SEEK_END);
        long size = ftell(f);
        rewind(f);
        *out = size > 0 ? malloc((size_t)size) : NULL;
        *len = *out ? fread(*out, 1, (size_t)size, f) : 0;
        rc = *out && *len == (size_t)size ? 0 : -EIO;
        fclose(f);
    } else if (rc == 0) {
        rc = -errno;
    }
    unlink(path);
    return rc;
}

int ledger_export(store *st, MDB_txn *txn, const struct ledger_export_req *q, char **out,
                  size_t *len, char *err, size_t errlen)
{
    struct sheet sh[N_SHEETS] = {{0}};
    struct export_table t[N_SHEETS];
    struct ledger l;
    char caption[400], from[32], to[32];
    *out = NULL;
    *len = 0;
    int rc = ledger_compute(st, txn, q->node_id, q->from_ms, q->to_ms, q->now_ms, register_row,
                            &sh[REGISTER], &l);
    if (rc == 0)
        rc = fill_sheets(sh, &l);
    clock_format_local(q->from_ms, from, sizeof from);
    clock_format_local(q->to_ms - 1, to, sizeof to);
    from[10] = to[10] = 0;
    snprintf(caption, sizeof caption, "%s 综合台账（%s 至 %s）", q->node_name, from, to);
    tables_of(sh, caption, t);
    if (rc == 0)
        rc = q->xlsx ? xlsx_bytes(t, q->dir, out, len, err, errlen)
                     : export_csv(t, N_SHEETS, out, len);
    ledger_clear(&l);
    for (int i = 0; i < N_SHEETS; i++)
        sheet_free(&sh[i]);
    return rc;
}
