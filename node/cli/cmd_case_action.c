/*
 * cmd_case_action — the case actions (`case route|guide|attempt|...`) as a table of actions
 * (action.h): each POSTs to /api/v1/cases/ID/ROUTE and prints a line over the reply's case,
 * and one for the rule the daemon applied on its own (3221).
 */
#include "action.h"

#include "api.h"
#include "msg.h"
#include "text.h"
#include "tpl.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* What the reply's "rule" says the daemon did on its own, over the reply's case. */
static const char *const rule_templates[][2] = {
    {"escalated", "案件已按3221规则自动上报至 {holder_name}（{holder}）"},
    {"leader_required", "本级调解不成已达3221规则上限，案件需安排领导包案"},
};

/* What a case action did: its `done` line over the reply's case, and one for the rule the
 * daemon applied. */
static int print_case_done(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    (void)ctl;
    const json_t *c = json_object_get(r, "case");
    const char *rule = json_string_value(json_object_get(r, "rule"));
    if (!json_is_object(c))
        return api_unexpected("no \"case\"");
    int rc = tpl_print(x->a->done, c);
    for (size_t i = 0; rc == 0 && rule && i < sizeof rule_templates / sizeof rule_templates[0];
         i++)
        if (strcmp(rule, rule_templates[i][0]) == 0)
            rc = tpl_print(rule_templates[i][1], c), rule = NULL;
    if (rc == 0 && rule) {   /* a rule this jiefenctl does not know yet */
        fputs("规则：", stdout);
        text_put_clean(rule, stdout);
        putchar('\n');
    }
    return rc;
}

/* The members every case action shares: `case SUB ID ...` POSTs to /api/v1/cases/ID/ROUTE
 * and prints its line over the reply's case; every one takes --actor. */
#define CASE_ACTION(sub, route) \
    "case", sub, "POST", "/api/v1/cases/{}/" route, "ID", NULL, ACT_ACTOR, print_case_done

/* `case route`: with --lead (and --help), to the centre's departments (分流: lead and
 * helpers, who sign for it); else a new responsible department or lead unit as text. */
static int case_route(struct action_args *x)
{
    int to_depts = json_object_get(x->req, "lead") != NULL;
    if (to_depts && (json_object_get(x->req, "department") ||
                     json_object_get(x->req, "lead_unit")))
        return msg_usage_as("conflicting_options", "case route：--lead/--help 分流至入驻部门，"
                            "--department/--lead-unit 改填归口部门，只能给一种");
    if (!to_depts && json_object_get(x->req, "helpers"))
        return msg_usage_as("missing_option", "case route：--help 须与 --lead 同时给出");
    if (to_depts)
        x->path = "/api/v1/cases/{}/departments/route";
    return 0;
}

/* A department's step: its account acts for its own department; the token names one. */
#define DEPT_OPT {"department", "department", "DEPT", ARG_TEXT, ARG_OPTIONAL}

const struct action case_actions[] = {
    {CASE_ACTION("route", "route"),
     {{"department", "department", "DEPT", ARG_TEXT, ARG_ONE_OF},
      {"lead-unit", "lead_unit", "UNIT", ARG_TEXT, ARG_ONE_OF},
      {"lead", "lead", "DEPT", ARG_TEXT, ARG_ONE_OF},
      {"help", "helpers", "DEPT,...", ARG_TEXT, ARG_OPTIONAL},
      {"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已重新分流：案件 {id}[，归口部门 {department}][，牵头单位 {lead_unit}]", NULL, case_route},
    {CASE_ACTION("sign", "departments/sign"), {DEPT_OPT, {"note", "note", "TEXT", ARG_TEXT,
                                                          ARG_OPTIONAL}},
     "已签收：案件 {id}", NULL, NULL},
    {CASE_ACTION("return", "departments/return"),
     {DEPT_OPT, {"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已退回：案件 {id}[（{departments.awaiting_route}）]", NULL, NULL},
    {CASE_ACTION("feedback", "departments/feedback"),
     {DEPT_OPT, {"text", "text", "TEXT", ARG_TEXT, ARG_REQUIRED},
      {"final", "final", NULL, ARG_TRUE, ARG_OPTIONAL}},
     "已反馈：案件 {id}", NULL, NULL},
    {CASE_ACTION("appointment", "appointment"),
     {{"at", "at", "YYYY-MM-DD HH:MM", ARG_TEXT, ARG_ONE_OF},
      {"place", "place", "PLACE", ARG_TEXT, ARG_OPTIONAL},
      {"cancel", "cancel", NULL, ARG_TRUE, ARG_ONE_OF}},
     "调解预约已更新：案件 {id}[，{appointment.at_ms}][在{appointment.place}调解]",
     NULL, NULL},
    {CASE_ACTION("guide", "guide"),
     {{"channel", "channel", "court|arbitration|review", ARG_TEXT, ARG_REQUIRED},
      {"guidance", "guidance", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已引导至法定途径：案件 {id}（{guided_channel}），{status}", NULL, NULL},
    {CASE_ACTION("attempt", "attempts"),
     {{"mediator", "mediator", "NAME", ARG_TEXT, ARG_ONE_OF},
      {"roster", "roster_id", "ROSTER_ID", ARG_TEXT, ARG_ONE_OF},
      {"date", "date", "YYYY-MM-DD", ARG_TEXT, ARG_REQUIRED},
      {"method", "method", "METHOD", ARG_TEXT, ARG_REQUIRED},
      {"outcome", "outcome", "agreement|partial|failed", ARG_TEXT, ARG_REQUIRED},
      {"agreement", "agreement", "TEXT", ARG_TEXT, ARG_OPTIONAL},
      {"judicial-confirmation", "judicial_confirmation", NULL, ARG_TRUE, ARG_OPTIONAL},
      {"referral", "referral", "court|arbitration", ARG_TEXT, ARG_OPTIONAL},
      {"note", "note", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已记录调解（{last_outcome}）：案件 {id}[ 本级失败 {failed_attempts_here} 次]，{status}",
     NULL, NULL},
    {CASE_ACTION("escalate", "escalate"),
     {{"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已上报：案件 {id} 现由 {holder_name}（{holder}）办理[，期限 {due_ms}]", NULL, NULL},
    {CASE_ACTION("risk", "risk"),
     {{"risk", "risk", "blue|yellow|orange|red", ARG_TEXT, ARG_REQUIRED},
      {"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已调整风险等级：案件 {id} 为{risk}色[，由{risk_official}负责]", NULL, NULL},
    {CASE_ACTION("handdown", "handdown"),
     {{"to", "to", "NODE", ARG_TEXT, ARG_REQUIRED},
      {"instructions", "instructions", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已交办：案件 {id} 交 {holder_name}（{holder}）办理[，期限 {due_ms}]", NULL, NULL},
    {CASE_ACTION("assign", "leader"),
     {{"leader", "leader", "NAME", ARG_TEXT, ARG_REQUIRED},
      {"organisation", "organisation", "ORG", ARG_TEXT, ARG_REQUIRED},
      {"liaison-unit", "liaison_unit", "UNIT", ARG_TEXT, ARG_REQUIRED},
      {"plan", "plan", "TEXT", ARG_TEXT, ARG_REQUIRED},
      {"legal-consultation", "legal_consultation", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已安排领导包案：案件 {id}，包案领导 {leader.leader}，{leader.acknowledged}", NULL, NULL},
    {CASE_ACTION("ack", "leader/ack"), {{"note", "note", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已签收包案安排：案件 {id}，包案领导 {leader.leader}", NULL, NULL},
    {CASE_ACTION("progress", "leader/progress"),
     {{"text", "text", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已记录包案进展：案件 {id}，共 {leader.progress_entries} 条", NULL, NULL},
    {CASE_ACTION("extend", "extension"),
     {{"days", "days", "N", ARG_INT, ARG_REQUIRED},
      {"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已申请延期：案件 {id} 延长 {extension.days} 天，{extension.state}", NULL, NULL},
    {CASE_ACTION("decide", "extension/decide"),
     {{"approve", "approved", NULL, ARG_TRUE, ARG_ONE_OF},
      {"refuse", "approved", NULL, ARG_FALSE, ARG_ONE_OF},
      {"days", "days", "N", ARG_INT, ARG_OPTIONAL},
      {"reason", "reason", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已审批延期：案件 {id} {extension.state}[，办理期限 {due_ms}]", NULL, NULL},
    {CASE_ACTION("close", "close"),
     {{"result", "result", "TEXT", ARG_TEXT, ARG_REQUIRED},
      {"feedback", "feedback", "TEXT", ARG_TEXT, ARG_REQUIRED},
      {"followup-assignee", "followup_assignee", "USER", ARG_TEXT, ARG_OPTIONAL},
      {"withdrawn", "withdrawn", NULL, ARG_TRUE, ARG_OPTIONAL}},
     "已办结[（{withdrawn}）]：案件 {id}，由 {holder_name}（{holder}）回访[，回访人 {followup.assignee}]"
     "[，回访期限 {followup.due_ms}]", NULL, NULL},
    {CASE_ACTION("followup", "followup"),
     {{"satisfaction", "satisfaction", "satisfied|basically_satisfied|dissatisfied", ARG_TEXT,
       ARG_REQUIRED},
      {"method", "method", "phone|visit|sms|office", ARG_TEXT, ARG_OPTIONAL},
      {"performance", "performance", "performed|partly|not_performed", ARG_TEXT, ARG_OPTIONAL},
      {"reopen", "reopen", NULL, ARG_TRUE, ARG_OPTIONAL},
      {"note", "note", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已回访：案件 {id} {satisfaction}，{status}", NULL, NULL},
    {CASE_ACTION("confirm", "confirmation"),
     {{"court", "court", "SYSTEM", ARG_TEXT, ARG_REQUIRED}},
     "已申请司法确认：案件 {id}，申请编号 {confirmation.application_no}，"
     "{confirmation.decision_name}", NULL, NULL},
    {.name = NULL},
};
