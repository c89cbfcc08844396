/* api_case_act — acting on cases through the API (DESIGN.md rules 2-8): taking a case in,
 * routing, guidance to the legal channel, mediation attempts and the 3221 rule, escalation,
 * risk colours, hand-down, leader ownership, extensions, closing and follow-up. Every
 * action is one operation of the group commit: checked against the case as this node holds
 * it, then appended, or refused with nothing changed. */
#include "api/api_case.h"
#include "api/api_dept.h"
#include "api/api_op.h"
#include "api/api_routes.h"
#include "case/notice.h"
#include "case/case.h"
#include "case/followup.h"
#include "case/caseindex.h"
#include "case/intake.h"
#include "case/lifecycle.h"
#include "case/reference.h"
#include "case/roster.h"
#include "case/warning.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "log/fold.h"
#include "log/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX 4000

/* ---- taking a case in ------------------------------------------------------------ */

#define ACTOR_MAX 64

/* Why the body's "actor" (who acts, said by a token's caller: jiefenctl --actor) cannot be
 * recorded, or NULL: absent, or text of at most ACTOR_MAX bytes other than "system", the
 * name the automatic rules act under. */
static const char *actor_refusal(const json_t *in)
{
    const json_t *j = json_object_get(in, "actor");
    if (!j || json_is_null(j))
        return NULL;
    if (!json_is_string(j))
        return "经办人应为文字";
    if (json_string_length(j) > ACTOR_MAX)
        return "经办人过长（最多 64 字节）";
    return strcmp(json_string_value(j), "system") == 0 ? "经办人“system”保留给自动规则" : NULL;
}

struct pending_intake {
    struct api_call *c;
    struct intake *in;
    struct intake_ctx ctx;
    char actor[ACTOR_MAX + 1]; /* ctx.actor: the body's, which is freed before the commit */
    json_t *out;               /* the case as answered, made in the commit's transaction */
};

/* Appends the intake and reads its case back from the same transaction, so the answer
 * needs no second read once the batch is durable. */
static int intake_pending_apply(eventlog_tx *tx, void *arg)
{
    struct pending_intake *p = arg;
    Jiefen__CaseView *v = NULL;
    char name[ACCOUNT_NAME_MAX * 4 + 1];
    op_set_actor(tx, p->c, p->ctx.actor, name, sizeof name);
    int rc = intake_apply(tx, p->in);
    tx->actor = tx->actor_name = NULL;
    if (rc == 0 && (rc = caseindex_get(tx->st, tx->txn, intake_case_id(p->in), &v)) == 0 &&
        !v)
        rc = JF_ENOTFOUND;
    if (rc == 0) {
        json_decref(p->out); /* a replayed batch makes it again */
        if (!(p->out = api_case_json(p->c->api, tx->txn, v)))
            rc = -ENOMEM;
    }
    case_view_free(&v);
    return rc;
}

static void intake_done(void *arg, int status)
{
    struct pending_intake *p = arg;
    struct api_call *c = p->c;
    if (status) {
        reply_store_error(c, status);
    } else {
        log_info("intake", "case %s taken in", intake_case_id(p->in));
        reply_json(c, 201, json_pack("{s:o}", "case", p->out));
        p->out = NULL;
    }
    json_decref(p->out);
    intake_free(&p->in);
    free(p);
}

/* 400 with the first fault as the error and every fault in error.errors, so a form can
 * show each beside its field at once. */
void reply_intake_errors(struct api_call *c, const struct intake_error *ie)
{
    json_t *all = json_array();
    for (size_t i = 0; i < ie->count; i++) {
        json_t *f = json_pack("{s:s, s:s}", "code", ie->all[i].code, "message", ie->all[i].message);
        if (ie->all[i].field[0])
            json_object_set_new(f, "field", json_string(ie->all[i].field));
        json_array_append_new(all, f);
    }
    json_t *e = json_pack("{s:s, s:s, s:o}", "code", ie->code, "message", ie->message, "errors", all);
    if (ie->field[0])
        json_object_set_new(e, "field", json_string(ie->field));
    reply_json(c, 400, json_pack("{s:o}", "error", e));
}

void route_case_new(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct api *api = c->api;
    json_t *body = api_body(c, r);
    if (!body)
        return;
    const char *why = actor_refusal(body);
    if (why) {
        json_decref(body);
        return reply_error(c, 400, "invalid_field", "actor", "%s", why);
    }
    struct pending_intake *p = calloc(1, sizeof *p);
    if (!p) {
        json_decref(body);
        return reply_error(c, 500, "internal", NULL, "内存不足");
    }
    p->c = c;
    snprintf(p->actor, sizeof p->actor, "%s", api_actor(c, body));
    json_object_del(body, "actor"); /* who acts is not part of the dispute */
    p->ctx = (struct intake_ctx){api->dep.cfg->node_id,
                                 api->dep.cfg->node_name,
                                 p->actor,
                                 api->dep.cfg->tier,
                                 api->dep.policy,
                                 clock_now_ms(),
                                 api->dep.id,
                                 api->dep.search_key,
                                 api->dep.linkage_key};
    struct intake_error *ie = malloc(sizeof *ie);
    int rc = ie ? intake_parse(body, &p->ctx, &p->in, ie) : -ENOMEM;
    json_decref(body);
    if (rc == 0)
        rc = eventlog_submit(api->dep.log, intake_pending_apply, intake_done, p);
    if (rc == 0) {
        free(ie);
        return;
    }
    intake_free(&p->in);
    free(p);
    if (rc == JF_EINVAL)
        reply_intake_errors(c, ie);
    else
        reply_error(c, 500, "internal", NULL, "内存不足");
    free(ie);
}

/* ---- checking a body ---------------------------------------------------------------- */

/* A string member: required (non-empty) or optional, at most max bytes. */
static int get_text(struct api_op *o, const char *key, const char *label, int required,
                    size_t max, const char **out)
{
    return op_text(o, key, label, required, max, out);
}

/* A member that must be one of a reference table's codes (or Chinese names). */
static int get_choice(struct api_op *o, const char *key, const char *label,
                      const struct ref_table *t, int required, int *idx)
{
    const char *s;
    int rc = get_text(o, key, label, required, 64, &s);
    *idx = -1;
    if (rc || !s[0])
        return rc;
    if ((*idx = ref_index(t, s)) < 0)
        return op_refuse(o, 400, "invalid_field", key, "%s“%s”不在可选范围内", label, s);
    return 0;
}

int api_op_text(struct api_op *o, const char *key, const char *label, int required,
                size_t max, const char **out)
{
    return get_text(o, key, label, required, max, out);
}

int api_op_choice(struct api_op *o, const char *key, const char *label,
                  const struct ref_table *t, int required, int *idx)
{
    return get_choice(o, key, label, t, required, idx);
}

static int get_bool(struct api_op *o, const char *key, const char *label, int required,
                    int *out)
{
    return op_bool(o, key, label, required, out);
}

static int get_days(struct api_op *o, const char *key, int required, int *out)
{
    const json_t *j = json_object_get(o->in, key);
    *out = 0;
    if (!j || json_is_null(j))
        return required ? op_refuse(o, 400, "missing_field", key, "请填写延长天数") : 0;
    if (!json_is_integer(j) || json_integer_value(j) < 1 || json_integer_value(j) > 90)
        return op_refuse(o, 400, "invalid_field", key, "延长天数应为 1 到 90 的整数");
    *out = (int)json_integer_value(j);
    return 0;
}

/* ---- actions ------------------------------------------------------------------------ */

struct action;

/* What a case route carries into its operation (o->data). */
struct case_op_arg {
    char id[128];
    const struct action *a;
    const char *rule; /* what a rule did, set by apply (static string) */
};

struct action {
    const char *name, *label; /* label: what is refused, in Chinese */
    enum perm perm;           /* what the caller's role must be granted (permission.h) */
    int holder_only;
    const char *const *keys; /* accepted body members besides "actor" */
    int (*apply)(eventlog_tx *tx, struct api_op *o, struct api *api,
                 const Jiefen__CaseView *v);
};

static int refuse_state(struct api_op *o, const Jiefen__CaseView *v, const char *what)
{
    const struct ref_entry *e = v->status >= 1 && (size_t)v->status <= ref_statuses.count
                                    ? &ref_statuses.entries[v->status - 1]
                                    : NULL;
    return op_refuse(o, 409, "invalid_state", NULL, "案件 %s 当前状态为“%s”，不能%s",
                     v->case_id, e ? e->name : "?", what);
}

static int append_body(eventlog_tx *tx, struct api_op *o, const Jiefen__CaseView *v,
                       Jiefen__Event *ev)
{
    return lifecycle_append(tx, v, ev, op_actor(o));
}

static int do_route(eventlog_tx *tx, struct api_op *o, struct api *api,
                    const Jiefen__CaseView *v)
{
    (void)api;
    Jiefen__CaseRouted r = JIEFEN__CASE_ROUTED__INIT;
    const char *dept, *lead, *reason;
    int rc;
    if ((rc = get_text(o, "department", "归口部门", 0, 200, &dept)) ||
        (rc = get_text(o, "lead_unit", "牵头单位", 0, 200, &lead)) ||
        (rc = get_text(o, "reason", "分流理由", 1, TEXT_MAX, &reason)))
        return rc;
    if (!dept[0] && !lead[0])
        return op_refuse(o, 400, "missing_field", "department", "请填写归口部门或牵头单位");
    if (v->status != CASE_STATUS(OPEN) && v->status != CASE_STATUS(RESOLVED))
        return refuse_state(o, v, "重新分流");
    r.department = (char *)dept;
    r.lead_unit = (char *)lead;
    r.reason = (char *)reason;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_ROUTED;
    ev.case_routed = &r;
    return append_body(tx, o, v, &ev);
}

static int do_guide(eventlog_tx *tx, struct api_op *o, struct api *api,
                    const Jiefen__CaseView *v)
{
    (void)api;
    Jiefen__CaseGuided g = JIEFEN__CASE_GUIDED__INIT;
    const char *guidance;
    int rc, ch;
    if ((rc = get_choice(o, "channel", "法定途径", &ref_channels, 1, &ch)) ||
        (rc = get_text(o, "guidance", "引导意见", 1, TEXT_MAX, &guidance)))
        return rc;
    if (v->status != CASE_STATUS(OPEN))
        return refuse_state(o, v, "引导至法定途径");
    g.channel = (char *)ref_channels.entries[ch].code;
    g.guidance = (char *)guidance;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_GUIDED;
    ev.case_guided = &g;
    return append_body(tx, o, v, &ev);
}

static int parse_attempt(struct api_op *o, Jiefen__MediationAttempt *a)
{
    const char *mediator, *date, *agreement, *note;
    int rc, method, outcome, referral, confirm;
    int64_t ms;
    if ((rc = get_text(o, "mediator", "调解员", !a->roster_id[0], 200, &mediator)) ||
        (rc = get_text(o, "date", "调解日期", 1, 10, &date)) ||
        (rc = get_choice(o, "method", "调解方式", &ref_methods, 1, &method)) ||
        (rc = get_choice(o, "outcome", "调解结果", &ref_outcomes, 1, &outcome)) ||
        (rc = get_text(o, "agreement", "协议内容", 0, TEXT_MAX, &agreement)) ||
        (rc = get_bool(o, "judicial_confirmation", "是否申请司法确认", 0, &confirm)) ||
        (rc = get_choice(o, "referral", "诉调对接去向", &ref_referrals, 0, &referral)) ||
        (rc = get_text(o, "note", "备注", 0, TEXT_MAX, &note)))
        return rc;
    if (clock_parse_local_date(date, &ms))
        return op_refuse(o, 400, "invalid_field", "date", "调解日期应为 YYYY-MM-DD 格式的日期");
    if (ms > clock_now_ms())
        return op_refuse(o, 400, "invalid_field", "date", "调解日期不能晚于今天");
    a->outcome = outcome + 1;
    if (a->outcome != JIEFEN__OUTCOME__OUTCOME_FAILED && !agreement[0])
        return op_refuse(o, 400, "missing_field", "agreement", "达成协议时请填写协议内容");
    if (confirm && a->outcome == JIEFEN__OUTCOME__OUTCOME_FAILED)
        return op_refuse(o, 400, "invalid_field", "judicial_confirmation",
                         "调解不成时没有可申请司法确认的协议");
    if (!a->mediator[0])
        a->mediator = (char *)mediator;
    a->date = (char *)date;
    a->method = (char *)ref_methods.entries[method].code;
    a->agreement = (char *)agreement;
    a->judicial_confirmation = confirm;
    a->referral = (char *)(referral >= 0 ? ref_referrals.entries[referral].code : "");
    a->note = (char *)note;
    return 0;
}

/* The rostered person an attempt names (roster_id, optional): active, of this node's
 * roster; the attempt then carries their name as its mediator. *r is the caller's. */
static int get_roster_person(eventlog_tx *tx, struct api_op *o, Jiefen__MediationAttempt *a,
                             Jiefen__RosterRecord **r)
{
    const char *id;
    int rc = get_text(o, "roster_id", "名册人员", 0, ROSTER_ID_MAX + 1, &id);
    if (rc || !id[0])
        return rc;
    if ((rc = roster_get(tx->st, tx->txn, id, r)) == JF_ENOTFOUND)
        return op_refuse(o, 400, "invalid_field", "roster_id", "名册中没有编号为 %s 的人员", id);
    if (rc)
        return rc;
    if ((*r)->inactive)
        return op_refuse(o, 400, "invalid_field", "roster_id", "%s（%s）已停用，不能选择",
                         (*r)->name, id);
    a->roster_id = (*r)->id;
    a->mediator = (*r)->name;
    return 0;
}

static int do_attempt(eventlog_tx *tx, struct api_op *o, struct api *api,
                      const Jiefen__CaseView *v)
{
    Jiefen__MediationAttempt a = JIEFEN__MEDIATION_ATTEMPT__INIT;
    Jiefen__RosterRecord *person = NULL;
    Jiefen__CaseView *now = NULL;
    char err[LIFECYCLE_ERR_MAX];
    const char *what = NULL;
    int rc = get_roster_person(tx, o, &a, &person);
    if (rc == 0)
        rc = parse_attempt(o, &a);
    if (rc == 0 && v->status != CASE_STATUS(OPEN))
        rc = refuse_state(o, v, "记录调解");
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    ev.attempt = &a;
    if (rc == 0)
        rc = append_body(tx, o, v, &ev);
    roster_free(&person);
    if (rc || a.outcome != JIEFEN__OUTCOME__OUTCOME_FAILED)
        return rc;
    if ((rc = caseindex_get(tx->st, tx->txn, v->case_id, &now)) == 0 && now)
        rc = lifecycle_after_failure(tx, api->dep.lc, now, &what, err);
    case_view_free(&now);
    if (rc == 0)
        ((struct case_op_arg *)o->data)->rule = what;
    return rc;
}

static int do_escalate(eventlog_tx *tx, struct api_op *o, struct api *api,
                       const Jiefen__CaseView *v)
{
    char err[LIFECYCLE_ERR_MAX];
    const char *reason;
    int rc = get_text(o, "reason", "上报理由", 1, TEXT_MAX, &reason);
    if (rc)
        return rc;
    if (v->status != CASE_STATUS(OPEN))
        return refuse_state(o, v, "上报");
    rc = lifecycle_escalate(tx, api->dep.lc, v, reason, 0, op_actor(o), err);
    return rc == JF_EINVAL ? op_refuse(o, 409, "no_parent", NULL, "%s", err) : rc;
}

static int do_risk(eventlog_tx *tx, struct api_op *o, struct api *api,
                   const Jiefen__CaseView *v)
{
    (void)api;
    Jiefen__RiskChanged r = JIEFEN__RISK_CHANGED__INIT;
    const char *reason;
    int rc, risk;
    if ((rc = get_choice(o, "risk", "风险等级", &ref_risks, 1, &risk)) ||
        (rc = get_text(o, "reason", "调整理由", 1, TEXT_MAX, &reason)))
        return rc;
    if (v->status != CASE_STATUS(OPEN) && v->status != CASE_STATUS(RESOLVED))
        return refuse_state(o, v, "调整风险等级");
    r.risk = risk + 1;
    r.reason = (char *)reason;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_RISK_CHANGED;
    ev.risk_changed = &r;
    return append_body(tx, o, v, &ev);
}

/* The child must be able to verify every event of the file it receives: each must come
 * from its own subtree or from this node or above. */
static const char *unverifiable_origin(eventlog_tx *tx, const Jiefen__CaseView *v,
                                       const char *self, const char *child)
{
    for (size_t i = 0; i < v->n_event_origins; i++) {
        const char *origin = v->event_origins[i];
        if (registry_depth_below(tx->st, tx->txn, origin, child) < 0 &&
            registry_depth_below(tx->st, tx->txn, self, origin) < 0)
            return origin;
    }
    return NULL;
}

static int do_handdown(eventlog_tx *tx, struct api_op *o, struct api *api,
                       const Jiefen__CaseView *v)
{
    char err[LIFECYCLE_ERR_MAX];
    const char *to, *instructions, *bad;
    Jiefen__NodeInfo *ni = NULL;
    int rc;
    if ((rc = get_text(o, "to", "交办对象", 1, STORE_ORIGIN_MAX, &to)) ||
        (rc = get_text(o, "instructions", "交办意见", 1, TEXT_MAX, &instructions)))
        return rc;
    if ((rc = registry_get(tx->st, tx->txn, to, &ni)))
        return rc;
    int child = ni && !ni->revoked && strcmp(ni->parent, api->dep.cfg->node_id) == 0;
    registry_free(&ni);
    if (!child)
        return op_refuse(o, 400, "invalid_field", "to", "%s 不是本节点已登记的下级", to);
    if (v->status != CASE_STATUS(OPEN))
        return refuse_state(o, v, "交办");
    if ((bad = unverifiable_origin(tx, v, api->dep.cfg->node_id, to)))
        return op_refuse(
            o, 409, "file_not_verifiable", "to",
            "案卷含有 %s 的记录，%s 无法核验其签名：请交办给 %s 所在的下级或由本级办理", bad,
            to, bad);
    rc = lifecycle_move(tx, api->dep.lc, v, "handdown", to, instructions, 0, op_actor(o),
                        err);
    return rc == JF_EINVAL ? op_refuse(o, 409, "handdown_failed", "to", "%s", err) : rc;
}

static int do_assign(eventlog_tx *tx, struct api_op *o, struct api *api,
                     const Jiefen__CaseView *v)
{
    Jiefen__LeaderAssigned l = JIEFEN__LEADER_ASSIGNED__INIT;
    const char *f[5];
    int rc;
    if ((rc = get_text(o, "leader", "包案领导", 1, 200, &f[0])) ||
        (rc = get_text(o, "organisation", "调解组织", 1, 200, &f[1])) ||
        (rc = get_text(o, "liaison_unit", "联络单位", 1, 200, &f[2])) ||
        (rc = get_text(o, "plan", "化解方案", 1, TEXT_MAX, &f[3])) ||
        (rc = get_text(o, "legal_consultation", "法律咨询", 1, TEXT_MAX, &f[4])))
        return rc;
    if (registry_depth_below(tx->st, tx->txn, v->holder, api->dep.cfg->node_id) < 0)
        return op_refuse(o, 403, "not_above_holder", NULL,
                         "案件 %s 由 %s 办理，只有办理节点或其上级可以安排领导包案", v->case_id,
                         v->holder);
    if (v->status != CASE_STATUS(OPEN) && v->status != CASE_STATUS(RESOLVED))
        return refuse_state(o, v, "安排领导包案");
    l.leader = (char *)f[0];
    l.organisation = (char *)f[1];
    l.liaison_unit = (char *)f[2];
    l.plan = (char *)f[3];
    l.legal_consultation = (char *)f[4];
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_LEADER_ASSIGNED;
    ev.leader_assigned = &l;
    return append_body(tx, o, v, &ev);
}

static int do_ack(eventlog_tx *tx, struct api_op *o, struct api *api,
                  const Jiefen__CaseView *v)
{
    (void)api;
    Jiefen__LeaderAck a = JIEFEN__LEADER_ACK__INIT;
    const char *note;
    int rc = get_text(o, "note", "备注", 0, TEXT_MAX, &note);
    if (rc)
        return rc;
    if (!v->leader)
        return op_refuse(o, 409, "no_leader", NULL, "案件 %s 尚未安排包案领导", v->case_id);
    if (v->leader_acked)
        return op_refuse(o, 409, "already_acknowledged", NULL, "包案安排已经签收");
    a.origin = v->leader_origin;
    a.seq = v->leader_seq;
    a.note = (char *)note;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_LEADER_ACK;
    ev.leader_ack = &a;
    return append_body(tx, o, v, &ev);
}

static int do_progress(eventlog_tx *tx, struct api_op *o, struct api *api,
                       const Jiefen__CaseView *v)
{
    (void)api;
    Jiefen__LeaderProgress p = JIEFEN__LEADER_PROGRESS__INIT;
    const char *text;
    int rc = get_text(o, "text", "进展情况", 1, TEXT_MAX, &text);
    if (rc)
        return rc;
    if (!v->leader)
        return op_refuse(o, 409, "no_leader", NULL, "案件 %s 尚未安排包案领导", v->case_id);
    p.text = (char *)text;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_LEADER_PROGRESS;
    ev.leader_progress = &p;
    return append_body(tx, o, v, &ev);
}

static int do_extension(eventlog_tx *tx, struct api_op *o, struct api *api,
                        const Jiefen__CaseView *v)
{
    Jiefen__ExtensionRequested r = JIEFEN__EXTENSION_REQUESTED__INIT;
    char parent[STORE_ORIGIN_MAX + 1];
    const char *reason;
    int rc, days, tier;
    if ((rc = get_days(o, "days", 1, &days)) ||
        (rc = get_text(o, "reason", "延期理由", 1, TEXT_MAX, &reason)))
        return rc;
    if (v->status != CASE_STATUS(OPEN) || v->due_ms <= 0)
        return refuse_state(o, v, "申请延期");
    if (strcmp(v->ext_state, "pending") == 0 && v->ext_epoch == v->epoch)
        return op_refuse(o, 409, "extension_pending", NULL, "已有一份延期申请等待上级审批");
    if (!lifecycle_parent(tx->st, tx->txn, api->dep.cfg->node_id, parent, &tier))
        return op_refuse(o, 409, "no_parent", NULL, "本节点没有上级，延期无从审批");
    r.days = (uint32_t)days;
    r.reason = (char *)reason;
    if (v->ext_epoch == v->epoch && v->ext_decision_origin[0]) {
        r.settled_origin = v->ext_decision_origin;
        r.settled_seq = v->ext_decision_seq;
    }
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_EXTENSION_REQUESTED;
    ev.extension_requested = &r;
    return append_body(tx, o, v, &ev);
}

static int do_decide(eventlog_tx *tx, struct api_op *o, struct api *api,
                     const Jiefen__CaseView *v)
{
    Jiefen__ExtensionDecided d = JIEFEN__EXTENSION_DECIDED__INIT;
    Jiefen__NodeInfo *holder = NULL;
    const char *reason;
    int rc, approved, days;
    if ((rc = get_bool(o, "approved", "是否批准", 1, &approved)) ||
        (rc = get_days(o, "days", 0, &days)) ||
        (rc = get_text(o, "reason", "审批意见", 0, TEXT_MAX, &reason)))
        return rc;
    if (!approved && days)
        return op_refuse(o, 400, "invalid_field", "days", "不批准延期时不应填写延长天数");
    if ((rc = registry_get(tx->st, tx->txn, v->holder, &holder)))
        return rc;
    int parent = holder && strcmp(holder->parent, api->dep.cfg->node_id) == 0;
    registry_free(&holder);
    if (!parent)
        return op_refuse(o, 403, "not_parent", NULL,
                         "延期由办理节点 %s 的直接上级审批，本节点不是", v->holder);
    if (strcmp(v->ext_state, "pending") || v->ext_epoch != v->epoch)
        return op_refuse(o, 409, "no_pending_extension", NULL, "案件 %s 没有待审批的延期申请",
                         v->case_id);
    d.origin = v->ext_origin;
    d.seq = v->ext_seq;
    d.approved = approved;
    d.new_due_ms = approved ? policy_extend(api->dep.policy, v->due_ms,
                                            (unsigned)(days ? days : (int)v->ext_days))
                            : 0;
    d.reason = (char *)reason;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_EXTENSION_DECIDED;
    ev.extension_decided = &d;
    return append_body(tx, o, v, &ev);
}

/* Whether `user` is an active account of this node whose role records follow-ups. */
static int may_follow_up(eventlog_tx *tx, const char *user, int *ok)
{
    Jiefen__UserRecord *u = NULL;
    int rc = account_get(tx->st, tx->txn, user, &u);
    *ok = rc == 0 && u && !u->disabled &&
          permission_grant(permission_role_parse(u->role), PERM_CASE_FOLLOWUP) != GRANT_NO;
    account_free(&u);
    return rc == JF_ENOTFOUND ? 0 : rc;
}

/* Who makes the follow-up visit: `followup_assignee`, a user of this node who may record
 * it; else the one who closes if they may (the local token's admin does not: then no one,
 * and every mediator sees it). Points into o->in or the operation's actor. */
static int get_assignee(eventlog_tx *tx, struct api_op *o, char **out)
{
    const char *user;
    int ok, rc = get_text(o, "followup_assignee", "回访人", 0, 64, &user);
    if (rc || (rc = may_follow_up(tx, user[0] ? user : op_actor(o), &ok)))
        return rc;
    *out = (char *)(ok ? (user[0] ? user : op_actor(o)) : "");
    return ok || !user[0] ? 0
                          : op_refuse(o, 400, "invalid_field", "followup_assignee",
                                      "回访人 %s 不是本节点可以回访的在用账号（调解员或中心主任）",
                                      user);
}

static int do_close(eventlog_tx *tx, struct api_op *o, struct api *api,
                    const Jiefen__CaseView *v)
{
    Jiefen__CaseClosed c = JIEFEN__CASE_CLOSED__INIT;
    const char *result, *feedback;
    int rc, withdrawn;
    if ((rc = get_text(o, "result", "办理结果", 1, TEXT_MAX, &result)) ||
        (rc = get_text(o, "feedback", "向当事人反馈情况", 1, TEXT_MAX, &feedback)) ||
        (rc = get_bool(o, "withdrawn", "是否当事人撤回申请", 0, &withdrawn)))
        return rc;
    if (v->status != CASE_STATUS(OPEN) && v->status != CASE_STATUS(RESOLVED))
        return refuse_state(o, v, "办结");
    c.result = (char *)result;
    c.feedback = (char *)feedback;
    c.withdrawn = withdrawn;
    /* Closed above where it started: back there for the follow-up visit, whose staff
     * make it (no one of this node is assigned). */
    c.return_to =
        registry_depth_below(tx->st, tx->txn, v->opened_at_node, api->dep.cfg->node_id) > 0
            ? v->opened_at_node
            : "";
    c.followup_due_ms = policy_followup_due(api->dep.policy, tx->now_ms);
    if (!c.return_to[0] && (rc = get_assignee(tx, o, &c.followup_assignee)))
        return rc;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_CLOSED;
    ev.case_closed = &c;
    if ((rc = append_body(tx, o, v, &ev)) || c.return_to[0])
        return rc;
    if ((rc = followup_notify(tx, api->dep.id, api->dep.cfg->node_id, v, c.followup_due_ms)))
        return rc;
    return notice_followup(tx, api->dep.id, v->case_id, c.followup_assignee,
                                c.followup_due_ms);
}

static int do_follow_up(eventlog_tx *tx, struct api_op *o, struct api *api,
                        const Jiefen__CaseView *v)
{
    Jiefen__FollowUp f = JIEFEN__FOLLOW_UP__INIT;
    const char *note;
    int rc, sat, method, perf, reopen;
    if ((rc = get_choice(o, "satisfaction", "满意度", &ref_satisfactions, 1, &sat)) ||
        (rc = get_choice(o, "method", "回访方式", &ref_followup_methods, 0, &method)) ||
        (rc = get_choice(o, "performance", "协议履行情况", &ref_performances, 0, &perf)) ||
        (rc = get_bool(o, "reopen", "是否申请重新办理", 0, &reopen)) ||
        (rc = get_text(o, "note", "回访记录", 0, TEXT_MAX, &note)))
        return rc;
    if (v->status != CASE_STATUS(CLOSED))
        return refuse_state(o, v, "回访");
    f.satisfaction = (char *)ref_satisfactions.entries[sat].code;
    f.method = (char *)(method >= 0 ? ref_followup_methods.entries[method].code : "");
    f.performance = (char *)(perf >= 0 ? ref_performances.entries[perf].code : "");
    f.reopen_requested = reopen;
    f.note = (char *)note;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_FOLLOW_UP;
    ev.follow_up = &f;
    if (case_event_is_move(&ev))
        f.reopen_due_ms = policy_due(api->dep.policy, tx->now_ms, v->complexity);
    return append_body(tx, o, v, &ev);
}

static const char *const k_route[] = {"department", "lead_unit", "reason", NULL};
static const char *const k_guide[] = {"channel", "guidance", NULL};
static const char *const k_attempt[] = {"mediator", "date",      "method",
                                        "outcome",  "agreement", "judicial_confirmation",
                                        "referral", "note",      "roster_id", NULL};
static const char *const k_reason[] = {"reason", NULL};
static const char *const k_risk[] = {"risk", "reason", NULL};
static const char *const k_handdown[] = {"to", "instructions", NULL};
static const char *const k_assign[] = {"leader", "organisation",       "liaison_unit",
                                       "plan",   "legal_consultation", NULL};
static const char *const k_note[] = {"note", NULL};
static const char *const k_text[] = {"text", NULL};
static const char *const k_extension[] = {"days", "reason", NULL};
static const char *const k_decide[] = {"approved", "days", "reason", NULL};
static const char *const k_close[] = {"result", "feedback", "followup_assignee", "withdrawn",
                                      NULL};
static const char *const k_follow_up[] = {"satisfaction", "method", "performance", "reopen",
                                          "note", NULL};
static const char *const k_records[] = {"kind", "fields", NULL};
static const char *const k_confirm[] = {"court", NULL};

static const struct action actions[] = {
    {"route", "重新分流", PERM_CASE_ROUTE, 1, k_route, do_route},
    {"guide", "引导至法定途径", PERM_CASE_GUIDE, 1, k_guide, do_guide},
    {"attempts", "记录调解", PERM_CASE_ATTEMPT, 1, k_attempt, do_attempt},
    {"escalate", "上报", PERM_CASE_ESCALATE, 1, k_reason, do_escalate},
    {"risk", "调整风险等级", PERM_CASE_RISK, 1, k_risk, do_risk},
    {"handdown", "交办", PERM_CASE_HANDDOWN, 1, k_handdown, do_handdown},
    {"leader", "安排领导包案", PERM_CASE_LEADER, 0, k_assign, do_assign},
    {"leader/ack", "签收包案安排", PERM_CASE_LEADER_ACK, 1, k_note, do_ack},
    {"leader/progress", "记录包案进展", PERM_CASE_LEADER_PROGRESS, 1, k_text, do_progress},
    {"extension", "申请延期", PERM_CASE_EXTENSION, 1, k_extension, do_extension},
    {"extension/decide", "审批延期", PERM_CASE_EXTENSION_DECIDE, 0, k_decide, do_decide},
    {"close", "办结", PERM_CASE_CLOSE, 1, k_close, do_close},
    {"followup", "回访", PERM_CASE_FOLLOWUP, 1, k_follow_up, do_follow_up},
    {"records", "录入文书", PERM_CASE_ATTEMPT, 1, k_records, api_record_apply},
    {"appointment", "预约调解", PERM_CASE_ATTEMPT, 1, api_appointment_keys, api_appointment_apply},
    {"confirmation", "申请司法确认", PERM_CASE_CLOSE, 1, k_confirm, api_court_apply},
};
#define N_ACTIONS (sizeof actions / sizeof actions[0])

/* The body may hold only the action's members (and who acts): a misspelt field would
 * otherwise be dropped without a word. */
static int check_members(struct api_op *o, const struct action *a)
{
    const char *key;
    json_t *val;
    json_object_foreach(o->in, key, val)
    {
        int known = strcmp(key, "actor") == 0;
        for (size_t i = 0; a->keys[i] && !known; i++)
            known = strcmp(a->keys[i], key) == 0;
        if (!known)
            return op_refuse(o, 400, "unknown_field", key, "不认识的字段 %s", key);
    }
    const char *why = actor_refusal(o->in);
    return why ? op_refuse(o, 400, "invalid_field", "actor", "%s", why) : 0;
}

static int refuse_not_holder(struct api_op *o, eventlog_tx *tx, const Jiefen__CaseView *v,
                             const char *what)
{
    char name[128];
    return op_refuse(o, 409, "not_holder", NULL, "案件 %s 由 %s（%s）办理，本节点不能%s",
                     v->case_id, api_node_name(tx->st, tx->txn, v->holder, name, sizeof name),
                     v->holder, what);
}

static int case_op_apply(eventlog_tx *tx, struct api_op *o)
{
    struct api *api = o->c->api;
    struct case_op_arg *arg = o->data;
    Jiefen__CaseView *v = NULL;
    int rc = check_members(o, arg->a);
    if (rc)
        return rc;
    arg->rule = NULL;
    if ((rc = caseindex_get(tx->st, tx->txn, arg->id, &v)))
        return rc;
    if (!v)
        return op_refuse(o, 404, "not_found", NULL, "无此案件：%s", arg->id);
    if (arg->a->holder_only && strcmp(v->holder, api->dep.cfg->node_id))
        rc = refuse_not_holder(o, tx, v, arg->a->label);
    else if (api_grant(o->c, arg->a->perm) == GRANT_OWN && !api_leads(o->c, v))
        rc = op_refuse(o, 403, "forbidden", NULL, "您不是案件 %s 的包案领导，不能%s", v->case_id,
                       arg->a->label);
    else
        rc = arg->a->apply(tx, o, api, v);
    case_view_free(&v);
    if (rc == 0)
        rc = warning_check(tx, api->dep.cfg, arg->id);
    if (rc == 0 && (rc = caseindex_get(tx->st, tx->txn, arg->id, &v)) == 0 && v) {
        o->out = json_pack("{s:o, s:o}", "case", api_case_json(api, tx->txn, v), "rule",
                           arg->rule ? json_string(arg->rule) : json_null());
        case_view_free(&v);
    }
    return rc;
}

void route_case_action(struct api_call *c, const http_request *r, const char *tail)
{
    struct case_op_arg *arg = calloc(1, sizeof *arg);
    const char *slash = strchr(tail, '/');
    if (!arg)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    if (slash && http_url_decode(tail, (size_t)(slash - tail), arg->id, sizeof arg->id, 0) > 0)
        for (size_t i = 0; i < N_ACTIONS && !arg->a; i++)
            if (strcmp(slash + 1, actions[i].name) == 0)
                arg->a = &actions[i];
    if (!arg->a) {
        free(arg);
        if (slash && api_dept_case_action(c, r, tail, (size_t)(slash - tail), slash + 1) == 0)
            return;
        return reply_error(c, 404, "not_found", NULL, "无此接口");
    }
    if (api_permit(c, arg->a->perm)) {
        free(arg);
        return;
    }
    op_route_data(c, r, case_op_apply, NULL, arg);
}

