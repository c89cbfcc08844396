/*
 * cmd_hazard — the 苗头隐患 register (`hazard list|show|add|checkin|close`, actions of
 * action.h, and `hazard convert`, which opens a case through the intake pre-filled from the
 * hazard) and the reviews (`review submit|directive`: 季度/半年分析研判 and the township's
 * 月研判会议记录 as reports with decisions and action items, and an action item sent down
 * as a directive). Reading and reviewing a submitted review is `report show|accept|return`.
 */
#include "action.h"
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "field.h"
#include "msg.h"
#include "table.h"
#include "text.h"
#include "tpl.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int hazard_row(struct table *t, const json_t *h, const void *arg)
{
    static const char *const cells[] = {"{id}",        "{node_name}", "{village}",
                                        "{title}",     "{category_name}", "{risk_name}",
                                        "{state_name}", "[{next_due_ms}][ {overdue}]",
                                        "{watcher}",   "{case_id}"};
    (void)arg;
    return tpl_row(t, cells, sizeof cells / sizeof cells[0], h);
}

/* `hazard list`: the register of this node and its subtree. */
static int print_hazards(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[] = {"编号", "登记节点", "村(社区)", "隐患事项", "类别",
                                       "风险", "状态", "下次走访", "跟踪责任人", "转为案件"};
    const json_t *list = json_object_get(r, "hazards");
    (void)ctl, (void)x;
    if (!json_is_array(list))
        return api_unexpected("缺少 hazards 数组");
    if (!json_array_size(list))
        return puts("隐患台账：无"), EXIT_OK;
    return table_show("隐患台账：", 0, list, head, sizeof head / sizeof head[0], hazard_row,
                      NULL);
}

static const struct tpl_line hazard_lines[] = {
    {"编号", "{hazard.id}", 0},
    {"登记", "{hazard.node_name}，{hazard.registered_ms}，{hazard.registered_by}", 0},
    {"村(社区)", "{hazard.village}", 0},
    {"隐患事项", "{hazard.title}", 0},
    {"类别", "{hazard.category_name}", 0},
    {"风险", "{hazard.risk_name}（每 {hazard.checkin_days} 天走访一次）", 0},
    {"跟踪责任人", "{hazard.watcher}", 0},
    {"状态", "{hazard.state_name}", 0},
    {"下次走访", "{hazard.next_due_ms}[，{hazard.overdue}]", 1},
    {"走访次数", "{hazard.checkins}", 0},
    {"转为案件", "{hazard.case_id}", 1},
    {"化解情况", "{hazard.result}", 1},
    {"隐患情况", "{hazard.description}", 1},
};

static int checkin_row(struct table *t, const json_t *c, const void *arg)
{
    static const char *const cells[] = {"{date}", "{by}", "{risk_name}", "{note}"};
    (void)arg;
    return tpl_row(t, cells, 4, c);
}

/* `hazard show ID` and what the steps answer: the hazard, then its check-ins. */
static int print_hazard(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[] = {"日期", "走访人", "风险", "情况"};
    const json_t *list = json_object_get(json_object_get(r, "hazard"), "checkin_list");
    struct table t = {.ncols = 2};
    (void)ctl, (void)x;
    if (!json_is_object(json_object_get(r, "hazard")))
        return api_unexpected("缺少 hazard");
    int rc = tpl_lines(&t, hazard_lines, sizeof hazard_lines / sizeof hazard_lines[0], r)
                 ? msg_oom() : EXIT_OK;
    if (rc == 0)
        table_print(&t, 0);
    table_free(&t);
    if (rc == 0 && json_array_size(list))
        rc = table_show("\n走访记录：", 2, list, head, 4, checkin_row, NULL);
    return rc;
}

#define HAZARD_DONE(what) what " {hazard.id}（{hazard.title}）[，下次走访 {hazard.next_due_ms}]"

const struct action hazard_actions[] = {
    {"hazard", "list", "GET", "/api/v1/hazards", NULL, NULL, 0, print_hazards,
     {{"state", "state", "watching|converted|closed", ARG_TEXT, ARG_OPTIONAL},
      {"village", "village", "V", ARG_TEXT, ARG_OPTIONAL}},
     NULL, NULL, NULL},
    {"hazard", "show", "GET", "/api/v1/hazards/{}", "ID", NULL, 0, print_hazard, {{NULL}}, NULL,
     NULL, NULL},
    {"hazard", "add", "POST", "/api/v1/hazards", NULL, NULL, ACT_ACTOR, action_print_done,
     {{"village", "village", "V", ARG_TEXT, ARG_REQUIRED},
      {"title", "title", "TEXT", ARG_TEXT, ARG_REQUIRED},
      {"category", "category", "C", ARG_TEXT, ARG_REQUIRED},
      {"risk", "risk", "red|orange|yellow|blue", ARG_TEXT, ARG_REQUIRED},
      {"watcher", "watcher", "NAME", ARG_TEXT, ARG_REQUIRED},
      {"description", "description", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     HAZARD_DONE("已登记隐患"), NULL, NULL},
    {"hazard", "checkin", "POST", "/api/v1/hazards/{}/checkin", "ID", NULL, ACT_ACTOR,
     action_print_done,
     {{"date", "date", "YYYY-MM-DD", ARG_TEXT, ARG_REQUIRED},
      {"note", "note", "TEXT", ARG_TEXT, ARG_REQUIRED},
      {"risk", "risk", "red|orange|yellow|blue", ARG_TEXT, ARG_OPTIONAL}},
     HAZARD_DONE("已记录走访"), NULL, NULL},
    {"hazard", "close", "POST", "/api/v1/hazards/{}/close", "ID", NULL, ACT_ACTOR,
     action_print_done, {{"result", "result", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     HAZARD_DONE("已化解销号"), NULL, NULL},
    /* reviews: a report of kind quarterly, halfyear or meeting with its review record */
    {"review", "submit", "POST", "/api/v1/reports/submit", NULL, NULL, ACT_ACTOR,
     action_print_done,
     {{"kind", "kind", "quarterly|halfyear|meeting", ARG_TEXT, ARG_REQUIRED},
      {"period", "period", "DATE", ARG_TEXT, ARG_REQUIRED},
      {"analysis", "analysis", "TEXT", ARG_TEXT, ARG_REQUIRED},
      {"decision", "decisions", "TEXT", ARG_LIST, ARG_REQUIRED},
      {"action", "actions", "TEXT", ARG_LIST, ARG_OPTIONAL},
      {"attendee", "attendees", "NAME", ARG_LIST, ARG_OPTIONAL},
      {"meeting-date", "meeting_date", "DATE", ARG_TEXT, ARG_OPTIONAL},
      {"case", "cases", "ID", ARG_LIST, ARG_OPTIONAL}},
     "已报送{report.kind} {report.period}[，报送截止 {report.due_ms}]", NULL, NULL},
    {"review", "directive", "POST", "/api/v1/directives", NULL, NULL, ACT_ACTOR,
     action_print_done,
     {{"to", "to", "NODE", ARG_LIST, ARG_REQUIRED},
      {"action", "title", "TEXT", ARG_TEXT, ARG_REQUIRED},
      {"body", "body", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已将落实事项下发为指令：{directive.title}", "{\"kind\": \"notice\"}", NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, {{NULL}}, NULL, NULL, NULL},
};

/* Members of the hazard the intake form starts from, where FILE leaves them out. */
static int prefill(json_t *body, const json_t *h)
{
    static const char *const from[][2] = {{"village", "village"}, {"category", "category"},
                                          {"risk", "risk"}, {"summary", "title"}};
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++)
        if (!json_object_get(body, from[i][0]) &&
            json_object_set(body, from[i][0], json_object_get(h, from[i][1])))
            return msg_oom();
    return 0;
}

/* `hazard convert ID --json FILE|-`: the intake body of FILE, pre-filled from the hazard
 * (village, category, risk, its title as the summary), opened as a case linked to it. */
int cmd_hazard_convert(struct ctl *ctl, int argc, char **argv)
{
    char path[256], *body = NULL, *out = NULL;
    size_t len = 0;
    json_t *h = NULL, *doc = NULL, *r = NULL;
    if (argc != 4 || strcmp(argv[2], "--json"))
        return msg_usage_as("missing_option", "用法：hazard convert ID --json FILE|-");
    if (args_check_text("ID", argv[1]) || strchr(argv[1], '/') || strlen(argv[1]) > 64)
        return msg_usage_as("invalid_argument", "隐患编号“%s”不正确", argv[1]);
    snprintf(path, sizeof path, "/api/v1/hazards/%s", argv[1]);
    int rc = args_read_file(argv[3], &body, &len);
    if (rc == 0)
        doc = json_loadb(body, len, 0, NULL); /* apart: json_is_object() reads its argument twice */
    if (rc == 0 && !json_is_object(doc))
        rc = msg_usage_as("invalid_json", "%s 不是 JSON 对象（受理表单）", argv[3]);
    if (rc == 0)
        rc = api_call(ctl, "GET", path, NULL, 0, &h);
    if (rc == 0)
        rc = prefill(doc, json_object_get(h, "hazard"));
    if (rc == 0 && !(out = json_dumps(doc, JSON_COMPACT)))
        rc = msg_oom();
    strncat(path, "/convert", sizeof path - strlen(path) - 1);
    if (rc == 0)
        rc = api_call(ctl, "POST", path, out, strlen(out), &r);
    if (rc == 0 && ctl->json)
        rc = api_print_json(r);
    else if (rc == 0)
        rc = tpl_print("已转为案件 {case.id}（隐患 {case.hazard_id}）", r);
    json_decref(r);
    json_decref(h);
    json_decref(doc);
    free(out);
    free(body);
    return rc;
}
