/*
 * cmd_report — `ledger` and the reports (`report export|draft|submit|list|show|accept|
 * return`) and the director's `dashboard` as a table of actions (action.h), with their
 * printers: a ledger's figures and tables, the dashboard, the reports of a period, one
 * report, a draft (docs/ledger.md).
 */
#include "action.h"

#include "api.h"
#include "field.h"
#include "msg.h"
#include "table.h"
#include "text.h"
#include "tpl.h"
#include "vocab.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The figures of a ledger (docs/ledger.md). Rates are shown as percentages, "-" when their
 * denominator is 0; figures by tier as "村 1，乡镇 1". */
static const struct tpl_line ledger_lines[] = {
    {"节点", "{node}", 1},
    {"统计期", "{from_ms} 至 {to_ms}", 0},
    {"受理", "{taken_in} 件", 0},
    {"化解", "{resolved} 件", 0},
    {"化解率", "{resolution_rate}", 0},
    {"办结", "{closed} 件[，其中引导至法定途径 {guided} 件][，当事人撤回 {withdrawn} 件]", 0},
    {"按期办结率", "{on_time_rate}", 0},
    {"村镇两级办结占比", "{local_share}", 0},
    {"办结层级", "{closed_at_tier}", 0},
    {"逐级上报率", "{escalation_rate}", 0},
    {"信访事项", "{petitions} 件", 0},
    {"信访占比", "{petition_rate}", 0},
    {"在办", "{pending} 件", 0},
    {"超期", "{overdue} 件", 0},
    {"领导包案", "{leader_owned} 件", 0},
    {"红/橙", "红 {red} 件，橙 {orange} 件", 0},
    {"满意率", "{satisfaction.rate}", 0},
    {"回访", "满意 {satisfaction.satisfied}，基本满意 {satisfaction.basically_satisfied}，"
             "不满意 {satisfaction.dissatisfied}", 0},
    {"初信初访一次性化解率", "{linkage.first_resolution_rate}（初信初访 {linkage.first_cases} "
                             "件，首次受理地化解 {linkage.first_resolved} 件）", 0},
    {"重复信访", "{linkage.repeat_persons} 人，涉及 {linkage.repeat_cases} 件", 0},
};

/* The tables of the cases taken in: the member of "taken_in_by", the title, the head of
 * the first column, and the list of GET /api/v1/reference that names the codes (NULL: the
 * members are names already). */
static const struct {
    const char *key, *title, *head, *names;
} ledger_breakdowns[] = {
    {"category", "按纠纷类别", "纠纷类别", "categories"},
    {"village", "按村(社区)", "村(社区)", NULL},
    {"source", "按来源", "来源", "sources"},
};

/* The name of `code` in the reference list `list` (see GET /api/v1/reference), else the
 * code. */
static const char *ref_name(const json_t *ref, const char *list, const char *code)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(ref, list), i, e)
        if (strcmp(field_str(e, "code"), code) == 0 && field_str(e, "name")[0])
            return field_str(e, "name");
    return code;
}

struct count {
    const char *code;
    json_int_t n;
};

/* Most first, then by code: the order of an object's members is not the figures'. */
static int most_first(const void *a, const void *b)
{
    const struct count *x = a, *y = b;
    return x->n != y->n ? (x->n < y->n) - (x->n > y->n) : strcmp(x->code, y->code);
}

/* The members of `by` that are not 0, sorted by most_first(), into *out (malloc'd, *n of
 * them). 0, or -1 out of memory. */
static int counts_of(const json_t *by, struct count **out, size_t *n)
{
    const char *code;
    json_t *v;
    *n = 0;
    *out = calloc(json_object_size(by) + 1, sizeof **out);
    if (!*out)
        return -1;
    json_object_foreach((json_t *)by, code, v)
        if (json_integer_value(v) > 0)
            (*out)[(*n)++] = (struct count){code, json_integer_value(v)};
    qsort(*out, *n, sizeof **out, most_first);
    return 0;
}

/* One table of ledger_breakdowns: the rows that are not 0, most first, each with its share
 * of the cases taken in; "无" when there are none. */
static int print_breakdown(const json_t *fig, size_t i, const json_t *ref, int indent)
{
    const json_t *by = json_object_get(json_object_get(fig, "taken_in_by"),
                                       ledger_breakdowns[i].key);
    json_int_t total = json_integer_value(json_object_get(fig, "taken_in"));
    const char *head[3] = {ledger_breakdowns[i].head, "件数", "占比"};
    struct table t = {.ncols = 3};
    struct count *rows;
    size_t n;
    int rc = counts_of(by, &rows, &n) || table_add(&t, head);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        char count[24], share[24];
        const char *code = rows[k].code;
        snprintf(count, sizeof count, "%" JSON_INTEGER_FORMAT, rows[k].n);
        field_percent(total ? (double)rows[k].n / (double)total : 0, share, sizeof share);
        const char *row[3] = {ledger_breakdowns[i].names
                                  ? ref_name(ref, ledger_breakdowns[i].names, code)
                                  : code,
                              count, share};
        rc = table_add(&t, row);
    }
    free(rows);
    printf("\n%*s%s:%s\n", indent, "", ledger_breakdowns[i].title, t.nrows > 1 ? "" : " 无");
    if (rc == 0 && t.nrows > 1)
        table_print(&t, indent + 2);
    table_free(&t);
    return rc ? msg_oom() : EXIT_OK;
}

/* 万人成讼率 per village (docs/ledger.md) and the list of 无讼村居, by the villages' names. */
static int print_villages(const json_t *fig, int indent)
{
    const json_t *k = json_object_get(fig, "linkage"), *v, *id;
    const json_t *villages = json_object_get(k, "villages");
    const char *head[4] = {"村(社区)", "常住人口", "起诉", "万人成讼率"}, *key;
    struct table t = {.ncols = 4};
    int rc = table_add(&t, head);
    json_object_foreach((json_t *)villages, key, v) {
        char pop[24] = "-", n[24], rate[24] = "-";
        json_int_t p = json_integer_value(json_object_get(v, "population"));
        const json_t *r = json_object_get(v, "rate_per_10k");
        if (p > 0)
            snprintf(pop, sizeof pop, "%" JSON_INTEGER_FORMAT, p);
        snprintf(n, sizeof n, "%" JSON_INTEGER_FORMAT,
                 json_integer_value(json_object_get(v, "filings")));
        if (json_is_number(r))
            snprintf(rate, sizeof rate, "%.2f", json_number_value(r));
        const char *row[4] = {json_string_value(json_object_get(v, "name")), pop, n, rate};
        rc = rc || table_add(&t, row);
    }
    printf("\n%*s万人成讼率（按村）:%s\n", indent, "", t.nrows > 1 ? "" : " 无");
    if (rc == 0 && t.nrows > 1)
        table_print(&t, indent + 2);
    table_free(&t);
    size_t i, n = 0;
    printf("\n%*s无讼村居:", indent, "");
    json_array_foreach(json_object_get(k, "no_lawsuit_villages"), i, id) {
        const json_t *name = json_object_get(json_object_get(villages, json_string_value(id)),
                                             "name");
        printf("%s%s", n++ ? "、" : " ", json_string_value(name));
    }
    printf("%s\n", n ? "" : " 无");
    return rc ? msg_oom() : EXIT_OK;
}

/* A ledger's figures, then its tables; the names of the codes come from the reference
 * tables of the daemon, asked only when some case was taken in. */
static int print_figures(struct ctl *ctl, const json_t *fig, int indent)
{
    struct table t = {.ncols = 2};
    json_t *ref = NULL;
    int rc = tpl_lines(&t, ledger_lines, sizeof ledger_lines / sizeof ledger_lines[0], fig)
                 ? msg_oom()
                 : EXIT_OK;
    if (rc == 0)
        table_print(&t, indent);
    table_free(&t);
    if (rc == 0 && json_integer_value(json_object_get(fig, "taken_in")) > 0)
        rc = api_call(ctl, "GET", "/api/v1/reference", NULL, 0, &ref);
    for (size_t i = 0; rc == 0 && i < sizeof ledger_breakdowns / sizeof ledger_breakdowns[0];
         i++)
        rc = print_breakdown(fig, i, ref, indent);
    if (rc == 0 && json_object_get(json_object_get(fig, "linkage"), "villages"))
        rc = print_villages(fig, indent);
    json_decref(ref);
    return rc;
}

static int print_ledger(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    (void)x;
    const json_t *l = json_object_get(r, "ledger");
    return json_is_object(l) ? print_figures(ctl, l, 0) : api_unexpected("缺少 ledger");
}

/* ---- dashboard: GET /api/v1/dashboard ------------------------------------------------ */

static const struct tpl_line dashboard_lines[] = {
    {"本周", "{week.from_ms} 起", 0},
    {"受理", "{week.taken_in} 件", 0},
    {"办结", "{week.closed} 件，办结率 {week.closure_rate}", 0},
    {"超期", "{week.overdue} 件（本周受理的案件中）", 0},
    {"逐级上报", "{week.escalated} 件（本周受理的案件中）", 0},
    {"当前在办", "{open} 件，其中超期 {overdue_now} 件", 0},
};

/* The four figures of a group (a category, a village, a week) after its first cells. */
#define GROUP_CELLS "{taken_in}", "{closed}", "{closure_rate}", "{overdue}", "{escalated}"
#define GROUP_HEAD "受理", "办结", "办结率", "超期", "逐级上报"

static int category_row(struct table *t, const json_t *c, const void *arg)
{
    (void)arg;
    static const char *const cells[] = {"{name}", GROUP_CELLS};
    return tpl_row(t, cells, 6, c);
}

static int village_row(struct table *t, const json_t *c, const void *arg)
{
    (void)arg;
    static const char *const cells[] = {"{village}", GROUP_CELLS};
    return tpl_row(t, cells, 6, c);
}

static int week_row(struct table *t, const json_t *c, const void *arg)
{
    (void)arg;
    static const char *const cells[] = {"{period}", GROUP_CELLS};
    return tpl_row(t, cells, 6, c);
}

/* This week's figures, by category and village, then the 12 weeks. */
static int print_dashboard(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    (void)ctl, (void)x;
    const json_t *d = json_object_get(r, "dashboard"), *w = json_object_get(d, "week");
    static const char *const by_cat[] = {"纠纷类别", GROUP_HEAD};
    static const char *const by_vil[] = {"村(社区)", GROUP_HEAD};
    static const char *const by_week[] = {"周（周一）", GROUP_HEAD};
    struct table t = {.ncols = 2};
    if (!json_is_object(w))
        return api_unexpected("缺少 dashboard");
    if (tpl_lines(&t, dashboard_lines, sizeof dashboard_lines / sizeof dashboard_lines[0], d)) {
        table_free(&t);
        return msg_oom();
    }
    table_print(&t, 0);
    table_free(&t);
    int rc = table_show("\n本周按纠纷类别:", 2, json_object_get(w, "by_category"), by_cat, 6,
                        category_row, NULL);
    if (rc == 0)
        rc = table_show("\n本周按村(社区):", 2, json_object_get(w, "by_village"), by_vil, 6,
                        village_row, NULL);
    if (rc == 0)
        rc = table_show("\n近 12 周:", 2, json_object_get(d, "trend"), by_week, 6, week_row,
                        NULL);
    return rc;
}

/* The heading of a report's period: "日排查 2026-05-03，报送截止 2026-05-04 12:00". */
static const char period_tpl[] = "{kind} {period}[，报送截止 {due_ms}]";

/* This node's own report in `report list`. */
static const char own_tpl[] = "本节点：{state}[，{generated_ms} 生成草稿]"
                              "[，{submitted_ms} 由 {submitted_by_name} 报送]"
                              "[，{reviewer_name} 于 {reviewed_ms} 审核][：{comment}]";

/* A figure a child reported that differs from what this node computes. */
static const char disagreement_tpl[] = "{figure} 报 {reported} 核 {recomputed}";

/* A child's report in `report list`: cells, then its disagreements. */
static const char *const report_cells[] = {
    "{node}", "{name}", "{state}", "{late}", "{submitted_ms}", "{submitted_by_name}",
};
#define N_REPORT_CELLS (sizeof report_cells / sizeof report_cells[0])

static int report_row(struct table *t, const json_t *c, const void *arg)
{
    (void)arg;
    char *cell[N_REPORT_CELLS + 1] = {NULL};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < N_REPORT_CELLS; i++)
        rc = !(cell[i] = tpl_expand(report_cells[i], c));
    if (rc == 0)
        rc = !(cell[N_REPORT_CELLS] = tpl_list(json_object_get(c, "disagreements"),
                                               disagreement_tpl, "；"));
    if (rc == 0)
        rc = table_add(t, (const char *const *)cell);
    for (size_t i = 0; i <= N_REPORT_CELLS; i++)
        free(cell[i]);
    return rc;
}

/* `report list`: the period, this node's own report, and each child's. */
static int print_reports(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[N_REPORT_CELLS + 1] = {
        "下级", "名称", "状态", "逾期", "报送时间", "报送人", "数字不一致"};
    const json_t *own = json_object_get(r, "own"), *children = json_object_get(r, "children");
    (void)ctl, (void)x;
    if (!json_is_array(children))
        return api_unexpected("缺少 children 数组");
    int rc = tpl_print(period_tpl, r);
    if (rc == 0)
        rc = json_is_object(own) ? tpl_print(own_tpl, own) : (puts("本节点：未报送"), 0);
    if (rc || json_array_size(children) == 0) {
        if (rc == 0)
            puts("下级：无");
        return rc;
    }
    return table_show("下级：", 2, children, head, N_REPORT_CELLS + 1, report_row, NULL);
}

/* The lines of one report in `report show`, over the report with its period's members. */
static const struct tpl_line report_lines[] = {
    {"节点", "{node}[（{name}）]", 0},
    {"报告", "{kind} {period}", 0},
    {"报送截止", "{due_ms}", 1},
    {"状态", "{state}[，{late}]", 0},
    {"草稿生成", "{generated_ms}", 1},
    {"报送", "[{submitted_ms}][，{submitted_by_name}]", 1},
    {"审核", "[{reviewer_name}][，{reviewed_ms}]", 1},
    {"审核意见", "{comment}", 1},
};

/* The report of `node` in a reply of GET /api/v1/reports: its own, or a child's. */
static const json_t *find_report(const json_t *r, const char *node)
{
    const json_t *own = json_object_get(r, "own"), *c;
    size_t i;
    if (json_is_object(own) && strcmp(field_str(own, "node"), node) == 0)
        return own;
    json_array_foreach(json_object_get(r, "children"), i, c)
        if (strcmp(field_str(c, "node"), node) == 0)
            return c;
    return NULL;
}

/* The children's reports marked missing, each with its reason: "v12/2026-05-09（停电）、…".
 * Malloc'd; NULL out of memory. */
static char *missing_list(const json_t *v)
{
    const json_t *missing = json_object_get(v, "missing");
    const json_t *reasons = json_object_get(v, "missing_reasons");
    char *s = NULL;
    size_t n = 0, i;
    json_t *m;
    FILE *f = open_memstream(&s, &n);
    if (!f)
        return NULL;
    json_array_foreach(missing, i, m)
    {
        const char *why = json_string_value(json_array_get(reasons, i));
        fprintf(f, "%s%s", i ? "、" : "", json_string_value(m) ? json_string_value(m) : "");
        if (why && why[0])
            fprintf(f, "（%s）", why);
    }
    if (fclose(f)) {
        free(s);
        return NULL;
    }
    return s;
}

static int report_fields(struct table *t, const json_t *v)
{
    const json_t *missing = json_object_get(v, "missing");
    const json_t *dis = json_object_get(v, "disagreements");
    char *m = json_array_size(missing) ? missing_list(v) : NULL;
    char *d = json_array_size(dis) ? tpl_list(dis, disagreement_tpl, "；") : NULL;
    int rc = tpl_lines(t, report_lines, sizeof report_lines / sizeof report_lines[0], v) ||
             (json_array_size(missing) && (!m || table_kv(t, "标注缺报", m))) ||
             (json_array_size(dis) && (!d || table_kv(t, "数字不一致", d)));
    free(d);
    free(m);
    return rc;
}

static int action_row(struct table *t, const json_t *c, const void *arg)
{
    static const char *const cells[3] = {"{text}", "{owner}", "{due}"};
    (void)arg;
    return tpl_row(t, cells, 3, c);
}

/* A review's own record (分析研判, 月研判会议记录): the meeting, decisions, action items. */
static int print_review(const json_t *rv)
{
    static const char *const head[3] = {"落实事项", "责任人", "完成期限"};
    static const char meeting[] = "\n会议：{meeting_date}";
    const json_t *x;
    size_t i;
    int rc = field_str(rv, "meeting_date")[0] ? tpl_print(meeting, rv) : EXIT_OK;
    static const char *const lists[][2] = {{"attendees", "参会人员"}, {"cases", "研判案件"},
                                           {"decisions", "研判结论"}};
    for (size_t k = 0; rc == 0 && k < 3; k++) {
        if (!json_array_size(json_object_get(rv, lists[k][0])))
            continue;
        printf("\n%s:\n", lists[k][1]);
        json_array_foreach(json_object_get(rv, lists[k][0]), i, x)
            text_put_block(json_string_value(x) ? json_string_value(x) : "", 2);
    }
    if (rc == 0 && json_array_size(json_object_get(rv, "actions")))
        rc = table_show("\n落实事项：", 2, json_object_get(rv, "actions"), head, 3, action_row,
                        NULL);
    return rc;
}

/* `report show NODE`: the report of NODE in the reply, with its analysis and figures. */
static int print_report_show(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const period_keys[] = {"kind", "period", "from_ms", "to_ms", "due_ms"};
    const json_t *rep = find_report(r, x->pos), *fig;
    if (!rep) {
        msg_error("not_found", "本节点没有 %s 的%s报告（%s）：它既不是本节点，也不是报送该报告的下级",
                  x->pos, vocab_name(vocab_kinds, field_str(r, "kind")), field_str(r, "period"));
        return EXIT_REFUSED;
    }
    if (ctl->json)
        return api_print_json(rep);
    json_t *v = json_copy((json_t *)rep);
    struct table t = {.ncols = 2};
    for (size_t i = 0; v && i < sizeof period_keys / sizeof period_keys[0]; i++)
        if (!json_object_get(v, period_keys[i]) &&
            json_object_set(v, period_keys[i], json_object_get(r, period_keys[i])) != 0)
            json_decref(v), v = NULL;
    int rc = !v || report_fields(&t, v) ? msg_oom() : EXIT_OK;
    if (rc == 0)
        table_print(&t, 0);
    if (rc == 0 && field_str(v, "analysis")[0]) {
        puts("\n分析研判:");
        text_put_block(field_str(v, "analysis"), 2);
    }
    if (rc == 0 && json_is_object(json_object_get(v, "review")))
        rc = print_review(json_object_get(v, "review"));
    if (rc == 0 && json_is_object(fig = json_object_get(v, "figures"))) {
        puts("\n数字:");
        rc = print_figures(ctl, fig, 2);
    }
    table_free(&t);
    json_decref(v);
    return rc;
}

/* A child's report a draft rests on. */
static int draft_row(struct table *t, const json_t *c, const void *arg)
{
    static const char *const cells[4] = {"{node}", "{kind}", "{period}", "{state}"};
    (void)arg;
    return tpl_row(t, cells, 4, c);
}

/* `report draft`: the period, the figures as they would be submitted now, and the
 * children's reports this one rests on. */
static int print_draft(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[4] = {"下级", "报告", "报告期", "状态"};
    const json_t *d = json_object_get(r, "draft"), *children = json_object_get(d, "children");
    (void)x;
    if (!json_is_object(json_object_get(d, "figures")) || !json_is_array(children))
        return api_unexpected("草稿缺少 figures 或 children");
    int rc = tpl_print(period_tpl, d);
    if (rc == 0)
        rc = print_figures(ctl, json_object_get(d, "figures"), 0);
    if (rc)
        return rc;
    if (json_array_size(children) == 0)
        return puts("\n所依下级报告：无"), EXIT_OK;
    return table_show("\n所依下级报告：", 2, children, head, 4, draft_row, NULL);
}

/* `report export`: the ledger's spreadsheet (--from, --to), or with --kind a report's as
 * stored (--period, --node: this node's by default). */
static int report_route(struct action_args *x)
{
    int report = json_object_get(x->req, "kind") != NULL;
    if (report && (json_object_get(x->req, "from") || json_object_get(x->req, "to")))
        return msg_usage_as("conflicting_options", "report export：--from/--to 选台账的日期，"
                            "--kind 选报告，只能给一种");
    if (!report && (json_object_get(x->req, "period") || json_object_get(x->req, "node")))
        return msg_usage_as("missing_option",
                            "report export：--period 与 --node 用于选报告，须同时给出 --kind");
    if (report)
        x->path = "/api/v1/reports/export";
    return 0;
}

#define OPT_KIND {"kind", "kind", "KIND", ARG_TEXT, ARG_REQUIRED}
#define OPT_PERIOD(need) {"period", "period", "DATE", ARG_TEXT, need}
#define OPT_FROM_TO                                  \
    {"from", "from", "DATE", ARG_TEXT, ARG_OPTIONAL}, \
    {"to", "to", "DATE", ARG_TEXT, ARG_OPTIONAL}

const struct action report_actions[] = {
    {"ledger", NULL, "GET", "/api/v1/ledger", NULL, NULL, 0, print_ledger, {OPT_FROM_TO},
     NULL, NULL, NULL},
    {"dashboard", NULL, "GET", "/api/v1/dashboard", NULL, NULL, 0, print_dashboard, {{NULL}},
     NULL, NULL, NULL},
    {"report", "export", "GET", "/api/v1/ledger/export", NULL, NULL, ACT_FILE, NULL,
     {OPT_FROM_TO, {"format", "format", "xlsx|csv", ARG_TEXT, ARG_OPTIONAL},
      {"out", "out", "FILE", ARG_LOCAL, ARG_REQUIRED},
      {"force", "force", NULL, ARG_SWITCH, ARG_OPTIONAL},
      {"kind", "kind", "KIND", ARG_TEXT, ARG_OPTIONAL}, OPT_PERIOD(ARG_OPTIONAL),
      {"node", "node", "NODE", ARG_TEXT, ARG_OPTIONAL}},
     NULL, NULL, report_route},
    {"report", "draft", "GET", "/api/v1/reports/draft", NULL, NULL, 0, print_draft,
     {OPT_KIND, OPT_PERIOD(ARG_OPTIONAL)}, NULL, NULL, NULL},
    {"report", "submit", "POST", "/api/v1/reports/submit", NULL, NULL, ACT_ACTOR,
     action_print_done,
     {OPT_KIND, OPT_PERIOD(ARG_OPTIONAL),
      {"analysis", "analysis", "TEXT", ARG_TEXT, ARG_ONE_OF},
      {"analysis-file", "analysis", "FILE", ARG_FILE, ARG_ONE_OF},
      {"missing", "missing", "CHILD/DATE", ARG_LIST, ARG_OPTIONAL}},
     "已报送{report.kind} {report.period}[，报送截止 {report.due_ms}]", NULL, NULL},
    {"report", "list", "GET", "/api/v1/reports", NULL, NULL, 0, print_reports,
     {OPT_KIND, OPT_PERIOD(ARG_OPTIONAL)}, NULL, NULL, NULL},
    {"report", "show", "GET", "/api/v1/reports", "NODE", NULL, ACT_OWN_JSON, print_report_show,
     {OPT_KIND, OPT_PERIOD(ARG_REQUIRED)}, NULL, NULL, NULL},
    {"report", "accept", "POST", "/api/v1/reports/review", "NODE", "node", ACT_ACTOR,
     action_print_done,
     {OPT_KIND, OPT_PERIOD(ARG_REQUIRED),
      {"comment", "comment", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已接收 {node} 的{kind} {period}", "{\"accepted\": true}", NULL},
    {"report", "return", "POST", "/api/v1/reports/review", "NODE", "node", ACT_ACTOR,
     action_print_done,
     {OPT_KIND, OPT_PERIOD(ARG_REQUIRED),
      {"comment", "comment", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已退回 {node} 的{kind} {period}：{comment}", "{\"accepted\": false}", NULL},
    {.name = NULL},
};
