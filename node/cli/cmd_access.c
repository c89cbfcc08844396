/*
 * cmd_access — who saw what and 摘抄复印报批 as a table of actions (action.h):
 * `access [--case ID] [--user U] [--node N] [--from D] [--to D]` the audit log (查阅记录);
 * `access request ID --what W --purpose P --reason TEXT`; `access approve REQ [--reason]`;
 * `access refuse REQ --reason TEXT`; `access list [--state S] [--case ID]` the requests;
 * `access copy ID --purpose P` an extract of the parties (摘抄), which may need an approval.
 */
#include "action.h"

#include "api.h"
#include "cmd.h"
#include "table.h"
#include "tpl.h"

#include <jansson.h>
#include <stdio.h>

static const char *const access_cells[] = {
    "{time_ms}", "{node_name}", "{user_name}（{user}）", "[{case_id}]", "{what_name}",
    "{purpose_name}", "[{count}]",
};
#define N_ACCESS_CELLS (sizeof access_cells / sizeof access_cells[0])

static int access_row(struct table *t, const json_t *e, const void *arg)
{
    (void)arg;
    return tpl_row(t, access_cells, N_ACCESS_CELLS, e);
}

static int print_access(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[N_ACCESS_CELLS] = {"时间", "节点", "查阅人", "案件",
                                                     "查阅内容", "查阅目的", "结果数"};
    const json_t *list = json_object_get(r, "access");
    (void)ctl, (void)x;
    if (!json_is_array(list))
        return api_unexpected("缺少 access 数组");
    if (json_array_size(list) == 0) {
        puts("无查阅记录");
        return 0;
    }
    return table_show(NULL, 0, list, head, N_ACCESS_CELLS, access_row, NULL);
}

static const char *const request_cells[] = {
    "{id}", "{time_ms}", "{user_name}（{user}）", "{case_id}", "{what_name}",
    "{purpose_name}", "{reason}", "{state_name}[：{decision_reason}]",
};
#define N_REQUEST_CELLS (sizeof request_cells / sizeof request_cells[0])

static int request_row(struct table *t, const json_t *e, const void *arg)
{
    (void)arg;
    return tpl_row(t, request_cells, N_REQUEST_CELLS, e);
}

static int print_requests(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[N_REQUEST_CELLS] = {"申请编号", "时间", "申请人", "案件",
                                                      "事项", "目的", "理由", "状态"};
    const json_t *list = json_object_get(r, "requests");
    (void)ctl, (void)x;
    if (!json_is_array(list))
        return api_unexpected("缺少 requests 数组");
    if (json_array_size(list) == 0) {
        puts("无摘抄复印申请");
        return 0;
    }
    return table_show(NULL, 0, list, head, N_REQUEST_CELLS, request_row, NULL);
}

#define N_PARTY_CELLS 5

static int print_copy(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[N_PARTY_CELLS] = {"角色", "姓名", "身份证号码", "电话", "住址"};
    (void)ctl, (void)x;
    int rc = tpl_print("案件 {case_id} 当事人信息摘抄（{time_ms}[，批准 {approval}]）", r);
    return rc ? rc
              : table_show(NULL, 0, json_object_get(r, "parties"), head, N_PARTY_CELLS,
                           cmd_party_row, NULL);
}

#define OPT_PURPOSE {"purpose", "purpose", "办案|回访|督办|审计|复核|其他", ARG_TEXT, ARG_REQUIRED}

const struct action access_actions[] = {
    {"access", "request", "POST", "/api/v1/access/requests", "ID", "case_id", ACT_ACTOR,
     action_print_done,
     {{"what", "what", "archive|copy:parties|form:NAME|document:HASH", ARG_TEXT, ARG_REQUIRED},
      OPT_PURPOSE, {"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已提出申请 {request.id}：案件 {request.case_id} {request.what_name}，待中心主任审批",
     NULL, NULL},
    {"access", "approve", "POST", "/api/v1/access/decide", "REQUEST", "id", ACT_ACTOR,
     action_print_done, {{"reason", "reason", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已批准申请 {request.id}（{request.user_name}：{request.what_name}）",
     "{\"decision\": \"approve\"}", NULL},
    {"access", "refuse", "POST", "/api/v1/access/decide", "REQUEST", "id", ACT_ACTOR,
     action_print_done, {{"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "不予批准申请 {request.id}：{request.decision_reason}", "{\"decision\": \"refuse\"}",
     NULL},
    {"access", "list", "GET", "/api/v1/access/requests", NULL, NULL, 0, print_requests,
     {{"state", "state", "pending|approved|refused|used", ARG_TEXT, ARG_OPTIONAL},
      {"case", "case", "ID", ARG_TEXT, ARG_OPTIONAL}},
     NULL, NULL, NULL},
    {"access", "copy", "POST", "/api/v1/access/copy", "ID", "case_id", ACT_ACTOR, print_copy,
     {OPT_PURPOSE}, NULL, NULL, NULL},
    {"access", NULL, "GET", "/api/v1/access", NULL, NULL, 0, print_access,
     {{"case", "case", "ID", ARG_TEXT, ARG_OPTIONAL},
      {"user", "user", "USER", ARG_TEXT, ARG_OPTIONAL},
      {"node", "node", "NODE", ARG_TEXT, ARG_OPTIONAL},
      {"from", "from", "YYYY-MM-DD", ARG_TEXT, ARG_OPTIONAL},
      {"to", "to", "YYYY-MM-DD", ARG_TEXT, ARG_OPTIONAL},
      {"limit", "limit", "N", ARG_INT, ARG_OPTIONAL}},
     NULL, NULL, NULL},
    {NULL, NULL, NULL, NULL, NULL, NULL, 0, NULL, {{NULL}}, NULL, NULL, NULL},
};
