/*
 * cmd_followup — `followup list|record` and `roster list|show|add|edit|deactivate|activate`
 * as tables of actions (action.h): the follow-up queue (回访, GET /api/v1/followups) and the
 * record that completes one (the case action followup), and the node's rosters (名册,
 * /api/v1/roster) with each person's figures.
 */
#include "action.h"

#include "api.h"
#include "field.h"
#include "msg.h"
#include "table.h"
#include "tpl.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>

static const char *const queue_cells[] = {
    "{id}", "{summary}", "{state}", "{due_ms}", "[{assignee_name}（{assignee}）]", "{result}"};
#define N_QUEUE_CELLS (sizeof queue_cells / sizeof queue_cells[0])

static int queue_row(struct table *t, const json_t *item, const void *arg)
{
    (void)arg;
    return tpl_row(t, queue_cells, N_QUEUE_CELLS, item);
}

/* `followup list`: the counts, then the cases in due order. */
static int print_queue(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[N_QUEUE_CELLS] = {"案件", "摘要", "状态", "回访期限",
                                                    "回访人", "办理结果"};
    const json_t *items = json_object_get(r, "items");
    (void)ctl, (void)x;
    if (!json_is_array(items))
        return api_unexpected("缺少 items 数组");
    int rc = tpl_print("待回访 {due} 件，回访逾期 {overdue} 件（办结后 {followup_days} 天内回访）", r);
    if (rc || json_array_size(items) == 0)
        return rc;
    return table_show(NULL, 0, items, head, N_QUEUE_CELLS, queue_row, NULL);
}

static const char *const person_cells[] = {
    "{id}", "{name}", "{kind_name}", "{organisation}", "{phone}", "{active}", "{cases}",
    "{agreements}", "{satisfaction.rate}"};
#define N_PERSON_CELLS (sizeof person_cells / sizeof person_cells[0])

static int person_row(struct table *t, const json_t *p, const void *arg)
{
    (void)arg;
    return tpl_row(t, person_cells, N_PERSON_CELLS, p);
}

static int print_roster(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[N_PERSON_CELLS] = {"编号", "姓名", "类别", "所在单位", "电话",
                                                     "状态", "办案", "调解成功", "满意率"};
    const json_t *people = json_object_get(r, "people");
    (void)ctl, (void)x;
    if (!json_is_array(people))
        return api_unexpected("缺少 people 数组");
    if (json_array_size(people) == 0)
        return puts("名册中暂无人员"), 0;
    return table_show(NULL, 0, people, head, N_PERSON_CELLS, person_row, NULL);
}

static const struct tpl_line person_lines[] = {
    {"编号", "{id}", 0},
    {"姓名", "{name}", 0},
    {"类别", "{kind_name}", 0},
    {"所在单位", "{organisation}", 1},
    {"联系电话", "{phone}", 1},
    {"状态", "{active}", 0},
    {"办理案件", "{cases} 件，调解成功 {agreements} 件", 0},
    {"回访满意度", "满意 {satisfaction.satisfied}，基本满意 {satisfaction.basically_satisfied}，"
                   "不满意 {satisfaction.dissatisfied}[（满意率 {satisfaction.rate}）]", 0},
};

/* `roster show`: the person's lines, the specialties joined after the kind. */
#define N_PERSON_LINES (sizeof person_lines / sizeof person_lines[0])

static int print_person(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    const json_t *p = json_object_get(r, "person");
    struct table t = {.ncols = 2};
    (void)ctl, (void)x;
    if (!json_is_object(p))
        return api_unexpected("缺少 person");
    char *spec = field_id_list(json_object_get(p, "specialties"));
    int rc = !spec || tpl_lines(&t, person_lines, 3, p) ||
             table_kv(&t, "专长", spec[0] ? spec : "-") ||
             tpl_lines(&t, person_lines + 3, N_PERSON_LINES - 3, p);
    if (rc == 0)
        table_print(&t, 0);
    table_free(&t);
    free(spec);
    return rc ? msg_oom() : 0;
}

#define PERSON_OPTS(need)                                                                    \
    {"name", "name", "NAME", ARG_TEXT, need},                                                \
        {"kind", "kind", "mediator|lawyer|adviser|expert", ARG_TEXT, need},                  \
        {"specialty", "specialties", "TEXT", ARG_LIST, ARG_OPTIONAL},                        \
        {"organisation", "organisation", "ORG", ARG_TEXT, ARG_OPTIONAL},                     \
        {"phone", "phone", "PHONE", ARG_TEXT, ARG_OPTIONAL}

const struct action followup_actions[] = {
    {"followup", "list", "GET", "/api/v1/followups", NULL, NULL, 0, print_queue,
     {{"state", "state", "due|overdue", ARG_TEXT, ARG_OPTIONAL},
      {"assignee", "assignee", "USER|me", ARG_TEXT, ARG_OPTIONAL},
      {"limit", "limit", "N", ARG_TEXT, ARG_OPTIONAL}},
     NULL, NULL, NULL},
    {"followup", "record", "POST", "/api/v1/cases/{}/followup", "ID", NULL, ACT_ACTOR,
     action_print_done,
     {{"satisfaction", "satisfaction", "satisfied|basically_satisfied|dissatisfied", ARG_TEXT,
       ARG_REQUIRED},
      {"method", "method", "phone|visit|sms|office", ARG_TEXT, ARG_OPTIONAL},
      {"performance", "performance", "performed|partly|not_performed", ARG_TEXT, ARG_OPTIONAL},
      {"reopen", "reopen", NULL, ARG_TRUE, ARG_OPTIONAL},
      {"note", "note", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已回访：案件 {case.id}（{case.followup.state}），{case.status}", NULL, NULL},
    {"roster", "list", "GET", "/api/v1/roster", NULL, NULL, 0, print_roster,
     {{"kind", "kind", "mediator|lawyer|adviser|expert", ARG_TEXT, ARG_OPTIONAL},
      {"active", "active", "1|0", ARG_TEXT, ARG_OPTIONAL}},
     NULL, NULL, NULL},
    {"roster", "show", "GET", "/api/v1/roster/{}", "ID", NULL, 0, print_person, {{NULL}}, NULL,
     NULL, NULL},
    {"roster", "add", "POST", "/api/v1/roster", NULL, NULL, 0, action_print_done,
     {PERSON_OPTS(ARG_REQUIRED)},
     "已加入名册：{person.id} {person.name}（{person.kind_name}）", NULL, NULL},
    {"roster", "edit", "POST", "/api/v1/roster/{}", "ID", NULL, 0, action_print_done,
     {PERSON_OPTS(ARG_OPTIONAL)},
     "已修改名册人员：{person.id} {person.name}（{person.kind_name}）", NULL, NULL},
    {"roster", "deactivate", "POST", "/api/v1/roster/{}", "ID", NULL, 0, action_print_done,
     {{NULL}}, "已停用名册人员：{person.id} {person.name}", "{\"active\": false}", NULL},
    {"roster", "activate", "POST", "/api/v1/roster/{}", "ID", NULL, 0, action_print_done,
     {{NULL}}, "已恢复名册人员：{person.id} {person.name}", "{\"active\": true}", NULL},
    {.name = NULL},
};
