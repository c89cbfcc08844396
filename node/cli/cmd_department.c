/*
 * cmd_department — the centre's departments (`department list|add|edit|queue`): the table
 * of departments seated in the centre (入驻部门) and a department's queue (部门工作台). The
 * steps of a department on a case (`case sign|return|feedback`) are case actions
 * (cmd_case_action.c).
 */
#include "action.h"
#include "api.h"
#include "cmd.h"
#include "field.h"
#include "table.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static int department_row(struct table *t, const json_t *d, const void *arg)
{
    (void)arg;
    char hours[32];
    json_int_t h = json_integer_value(json_object_get(d, "sign_hours"));
    if (h)
        snprintf(hours, sizeof hours, "%lld 工作小时", (long long)h);
    else
        snprintf(hours, sizeof hours, "本中心默认");
    const char *row[4] = {field_str(d, "name"), field_str(d, "duty"), hours,
                          json_is_true(json_object_get(d, "disabled")) ? "已停用" : "启用"};
    return table_add(t, row);
}

static int print_departments(const json_t *list)
{
    static const char *const head[4] = {"部门", "职责", "签收时限", "状态"};
    return table_show(NULL, 0, list, head, 4, department_row, NULL);
}

int cmd_department_list(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    return api_show_list(ctl, "/api/v1/departments", "departments", print_departments);
}

/* A part's state as staff say it. */
static const char *state_name(const char *state)
{
    static const char *const names[][2] = {
        {"to_sign", "待签收"}, {"in_hand", "办理中"}, {"done", "已反馈结果"},
        {"returned", "已退回"}, {"ended", "已结束"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(state, names[i][0]) == 0)
            return names[i][1];
    return state;
}

static int queue_row(struct table *t, const json_t *it, const void *arg)
{
    (void)arg;
    char due[32];
    const json_t *c = json_object_get(it, "case");
    const char *row[5] = {field_str(c, "id"), field_str(c, "summary"),
                          state_name(field_str(it, "state")),
                          field_time_set(it, "sign_due_ms", due, sizeof due),
                          json_is_true(json_object_get(it, "sign_late")) ? "签收逾期" : ""};
    return table_add(t, row);
}

static int print_queue(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    (void)ctl, (void)x;
    static const char *const head[5] = {"案件", "概要", "状态", "签收时限", "提示"};
    const json_t *n = json_object_get(r, "counts");
    const json_t *items = json_object_get(r, "items");
    if (!json_is_object(n) || !json_is_array(items))
        return api_unexpected("no \"counts\" or \"items\"");
    printf("%s：收案 %lld，待签收 %lld，办理中 %lld，签收逾期 %lld，已反馈结果 %lld，已退回 %lld\n",
           field_str(r, "department"), (long long)json_integer_value(json_object_get(n, "received")),
           (long long)json_integer_value(json_object_get(n, "to_sign")),
           (long long)json_integer_value(json_object_get(n, "in_hand")),
           (long long)json_integer_value(json_object_get(n, "overdue")),
           (long long)json_integer_value(json_object_get(n, "done")),
           (long long)json_integer_value(json_object_get(n, "returned")));
    if (json_array_size(items) == 0)
        return puts("（没有案件）"), EXIT_OK;
    return table_show(NULL, 0, items, head, 5, queue_row, NULL);
}

const struct action department_actions[] = {
    {"department", "add", "POST", "/api/v1/departments", NULL, NULL, 0, action_print_done,
     {{"name", "name", "NAME", ARG_TEXT, ARG_REQUIRED},
      {"duty", "duty", "TEXT", ARG_TEXT, ARG_OPTIONAL},
      {"sign-hours", "sign_hours", "N", ARG_INT, ARG_OPTIONAL}},
     "已添加部门：{name}", NULL, NULL},
    {"department", "edit", "POST", "/api/v1/departments/edit", NULL, NULL, 0,
     action_print_done,
     {{"name", "name", "NAME", ARG_TEXT, ARG_REQUIRED},
      {"duty", "duty", "TEXT", ARG_TEXT, ARG_OPTIONAL},
      {"sign-hours", "sign_hours", "N", ARG_INT, ARG_OPTIONAL},
      {"disable", "disabled", NULL, ARG_TRUE, ARG_OPTIONAL},
      {"enable", "disabled", NULL, ARG_FALSE, ARG_OPTIONAL}},
     "已修改部门：{name}", NULL, NULL},
    {"department", "queue", "GET", "/api/v1/departments/queue", NULL, NULL, 0,
     print_queue,
     {{"department", "department", "DEPT", ARG_TEXT, ARG_OPTIONAL},
      {"state", "state", "to_sign|in_hand|overdue|done|returned", ARG_TEXT, ARG_OPTIONAL}},
     NULL, NULL, NULL},
    {.name = NULL},
};
