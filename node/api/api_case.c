/* api_case — the life of a case through the API (DESIGN.md rules 2-8): routing, guidance
 * to the legal channel, mediation attempts and the 3221 rule, escalation, risk colours,
 * hand-down, leader ownership, extensions, closing and follow-up; the case file; the
 * supervision list. Every action is one operation of the group commit: checked against the
 * case as this node holds it, then appended, or refused with nothing changed. */
#include "api/api_internal.h"
#include "case/caseindex.h"
#include "case/case.h"
#include "case/casefile.h"
#include "clock.h"
#include "config.h"
#include "envelope.h"
#include "error.h"
#include "log/fold.h"
#include "case/lifecycle.h"
#include "case/reference.h"
#include "log/registry.h"
#include "case/verify.h"
#include "case/warning.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX 4000

/* ---- what a node sees of a case ----------------------------------------------------- */

static int where_is(store *st, MDB_txn *txn, const char *self, const char *holder)
{
    if (strcmp(self, holder) == 0)
        return CASE_HERE;
    if (registry_depth_below(st, txn, self, holder) > 0)
        return CASE_ABOVE;
    if (registry_depth_below(st, txn, holder, self) > 0)
        return CASE_BELOW;
    return CASE_ELSEWHERE;
}

static const char *node_name(store *st, MDB_txn *txn, const char *id, char *buf, size_t len)
{
    Jiefen__NodeInfo *ni = NULL;
    snprintf(buf, len, "%s", id);
    if (registry_get(st, txn, id, &ni) == 0 && ni && ni->name[0])
        snprintf(buf, len, "%s", ni->name);
    registry_free(&ni);
    return buf;
}

json_t *api_case_json(struct node *n, MDB_txn *txn, const Jiefen__CaseView *v)
{
    char name[128];
    int where = where_is(n->st, txn, n->cfg.node_id, v->holder);
    json_t *j = case_view_json(v, where, clock_now_ms());
    if (j) {
        json_object_set_new(j, "holder_name",
                            json_string(node_name(n->st, txn, v->holder, name, sizeof name)));
        json_object_set_new(j, "risk_official",
                            json_string(policy_official(&n->policy, v->risk)));
    }
    return j;
}

/* ---- the case file ------------------------------------------------------------------ */

static json_t *moved_json(const Jiefen__CaseMoved *m)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:i}", "kind", m->kind, "from", m->from,
                     "to", m->to, "reason", m->reason, "due_ms", (json_int_t)m->due_ms,
                     "automatic", m->automatic, "sealed_parts", (int)m->n_copies);
}

static json_t *attempt_json(const Jiefen__MediationAttempt *a)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s}", "mediator", a->mediator,
                     "date", a->date, "method", a->method, "outcome",
                     case_outcome_code(a->outcome), "agreement", a->agreement,
                     "judicial_confirmation", a->judicial_confirmation, "referral", a->referral,
                     "note", a->note);
}

static json_t *leader_json(const Jiefen__LeaderAssigned *l)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "leader", l->leader, "organisation",
                     l->organisation, "liaison_unit", l->liaison_unit, "plan", l->plan,
                     "legal_consultation", l->legal_consultation);
}

/* What an event says, for the file (personal data is not in events). */
static json_t *event_details(const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_CASE_OPENED:
        return json_pack("{s:s, s:s, s:I}", "category", ev->case_opened->category, "summary",
                         ev->case_opened->summary, "due_ms",
                         (json_int_t)ev->case_opened->due_ms);
    case JIEFEN__EVENT__BODY_CASE_ROUTED:
        return json_pack("{s:s, s:s, s:s}", "department", ev->case_routed->department,
                         "lead_unit", ev->case_routed->lead_unit, "reason",
                         ev->case_routed->reason);
    case JIEFEN__EVENT__BODY_CASE_GUIDED:
        return json_pack("{s:s, s:s}", "channel", ev->case_guided->channel, "guidance",
                         ev->case_guided->guidance);
    case JIEFEN__EVENT__BODY_ATTEMPT:
        return attempt_json(ev->attempt);
    case JIEFEN__EVENT__BODY_CASE_MOVED:
        return moved_json(ev->case_moved);
    case JIEFEN__EVENT__BODY_RISK_CHANGED:
        return json_pack("{s:s, s:s}", "risk", case_risk_code(ev->risk_changed->risk), "reason",
                         ev->risk_changed->reason);
    case JIEFEN__EVENT__BODY_LEADER_ASSIGNED:
        return leader_json(ev->leader_assigned);
    case JIEFEN__EVENT__BODY_LEADER_ACK:
        return json_pack("{s:s, s:I, s:s}", "assignment_origin", ev->leader_ack->origin,
                         "assignment_seq", (json_int_t)ev->leader_ack->seq, "note",
                         ev->leader_ack->note);
    case JIEFEN__EVENT__BODY_LEADER_PROGRESS:
        return json_pack("{s:s}", "text", ev->leader_progress->text);
    case JIEFEN__EVENT__BODY_LEADER_REQUIRED:
        return json_pack("{s:s}", "reason", ev->leader_required->reason);
    case JIEFEN__EVENT__BODY_DEADLINE:
        return json_pack("{s:s, s:I}", "kind", ev->deadline->kind, "due_ms",
                         (json_int_t)ev->deadline->due_ms);
    case JIEFEN__EVENT__BODY_EXTENSION_REQUESTED:
        return json_pack("{s:i, s:s}", "days", (int)ev->extension_requested->days, "reason",
                         ev->extension_requested->reason);
    case JIEFEN__EVENT__BODY_EXTENSION_DECIDED:
        return json_pack("{s:b, s:I, s:s}", "approved", ev->extension_decided->approved,
                         "new_due_ms", (json_int_t)ev->extension_decided->new_due_ms, "reason",
                         ev->extension_decided->reason);
    case JIEFEN__EVENT__BODY_CASE_CLOSED:
        return json_pack("{s:s, s:s, s:s}", "result", ev->case_closed->result, "feedback",
                         ev->case_closed->feedback, "return_to", ev->case_closed->return_to);
    case JIEFEN__EVENT__BODY_FOLLOW_UP:
        return json_pack("{s:s, s:s}", "satisfaction", ev->follow_up->satisfaction, "note",
                         ev->follow_up->note);
    default:
        return json_object();
    }
}

static json_t *history_entry(struct node *n, MDB_txn *txn, const envelope *e)
{
    char hash[CRYPTO_HASH_LEN * 2 + 1], name[128];
    Jiefen__NodeInfo *ni = NULL;
    crypto_hex(e->hash, sizeof e->hash, hash);
    int ok = verify_signature(n->st, txn, n->id, n->cfg.node_id, e) == 0;
    registry_get(n->st, txn, e->event->origin, &ni);
    const char *tier = ni ? config_tier_name(ni->tier) : NULL;
    registry_free(&ni);
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:i, s:o, s:s, s:b}", "origin",
                     e->event->origin, "origin_name",
                     node_name(n->st, txn, e->event->origin, name, sizeof name), "tier",
                     tier ? tier : "", "seq", (json_int_t)e->event->seq, "time_ms",
                     (json_int_t)e->event->time_ms, "actor", e->event->actor, "kind",
                     envelope_kind(e->event), "period", (int)e->event->case_epoch, "details",
                     event_details(e->event), "hash", hash, "signature_ok", ok);
}

static int add_parties(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    json_t *list = arg;
    (void)ev;
    Jiefen__Sealed *s = jiefen__sealed__unpack(NULL, len, plain);
    for (size_t i = 0; s && i < s->n_parties; i++) {
        const Jiefen__Party *p = s->parties[i];
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "role", p->role,
                                              "name", p->name, "id_number", p->id_number,
                                              "phone", p->phone, "address", p->address));
    }
    if (s)
        jiefen__sealed__free_unpacked(s, NULL);
    return 0;
}

/* The file's history and, when `parties` is not NULL, the personal data this node can open. */
static int case_file(struct node *n, MDB_txn *txn, const Jiefen__CaseView *v, json_t *parties,
                     json_t *history)
{
    for (size_t i = 0; i < v->n_event_origins && i < v->n_event_seqs; i++) {
        MDB_val d;
        envelope *e = NULL;
        int rc = store_event_get(n->st, txn, v->event_origins[i], v->event_seqs[i], &d);
        if (rc == 0)
            rc = envelope_decode(d.mv_data, d.mv_size, &e);
        if (rc)
            return rc;
        json_array_append_new(history, history_entry(n, txn, e));
        envelope_free(&e);
    }
    return parties ? casefile_each(n->st, txn, n->id, n->cfg.node_id, v, add_parties, parties) : 0;
}

static void case_show(struct api_call *c, const char *id)
{
    struct node *n = c->n;
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    int rc = store_txn_begin(n->st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    if ((rc = fold_case_get(n->st, txn, id, &v)) || !v) {
        mdb_txn_abort(txn);
        if (rc)
            return reply_store_error(c, rc);
        return reply_error(c, 404, "not_found", NULL, "无此案件：%s", id);
    }
    /* Personal data only for the roles whose work needs it (docs/permissions.md). */
    json_t *parties = api_grant(c, PERM_CASE_PARTIES) ? json_array() : NULL;
    json_t *history = json_array();
    rc = case_file(n, txn, v, parties, history);
    json_t *cj = api_case_json(n, txn, v);
    mdb_txn_abort(txn);
    case_view_free(&v);
    if (rc) {
        json_decref(parties), json_decref(history), json_decref(cj);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200,
               json_pack("{s:o, s:o, s:o}", "case", cj, "parties", parties ? parties : json_null(),
                         "history", history));
}

void route_case_show(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r;
    char id[128];
    if (http_url_decode(tail, strlen(tail), id, sizeof id, 0) < 0 || !id[0] || strchr(id, '/'))
        return reply_error(c, 404, "not_found", NULL, "无此案件");
    case_show(c, id);
}

/* ---- checking a body ---------------------------------------------------------------- */

/* A string member: required (non-empty) or optional, at most max bytes. */
static int get_text(struct api_op *o, const char *key, const char *label, int required,
                    size_t max, const char **out)
{
    const json_t *j = json_object_get(o->in, key);
    *out = "";
    if (!j || json_is_null(j)) {
        if (required)
            return op_refuse(o, 400, "missing_field", key, "请填写%s", label);
        return 0;
    }
    if (!json_is_string(j))
        return op_refuse(o, 400, "invalid_field", key, "%s应为文字", label);
    if (required && json_string_length(j) == 0)
        return op_refuse(o, 400, "missing_field", key, "请填写%s", label);
    if (json_string_length(j) > max)
        return op_refuse(o, 400, "invalid_field", key, "%s过长（最多 %zu 字节）", label, max);
    *out = json_string_value(j);
    return 0;
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

static int get_bool(struct api_op *o, const char *key, const char *label, int required,
                    int *out)
{
    const json_t *j = json_object_get(o->in, key);
    *out = 0;
    if (!j || json_is_null(j))
        return required ? op_refuse(o, 400, "missing_field", key, "请填写%s", label) : 0;
    if (!json_is_boolean(j))
        return op_refuse(o, 400, "invalid_field", key, "%s应为 true 或 false", label);
    *out = json_is_true(j);
    return 0;
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
    int (*apply)(eventlog_tx *tx, struct api_op *o, struct node *n, const Jiefen__CaseView *v);
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

static int do_route(eventlog_tx *tx, struct api_op *o, struct node *n,
                    const Jiefen__CaseView *v)
{
    (void)n;
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

static int do_guide(eventlog_tx *tx, struct api_op *o, struct node *n,
                    const Jiefen__CaseView *v)
{
    (void)n;
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
    if ((rc = get_text(o, "mediator", "调解员", 1, 200, &mediator)) ||
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
    a->mediator = (char *)mediator;
    a->date = (char *)date;
    a->method = (char *)ref_methods.entries[method].code;
    a->agreement = (char *)agreement;
    a->judicial_confirmation = confirm;
    a->referral = (char *)(referral >= 0 ? ref_referrals.entries[referral].code : "");
    a->note = (char *)note;
    return 0;
}

static int do_attempt(eventlog_tx *tx, struct api_op *o, struct node *n,
                      const Jiefen__CaseView *v)
{
    Jiefen__MediationAttempt a = JIEFEN__MEDIATION_ATTEMPT__INIT;
    char err[LIFECYCLE_ERR_MAX];
    const char *what = NULL;
    int rc = parse_attempt(o, &a);
    if (rc)
        return rc;
    if (v->status != CASE_STATUS(OPEN))
        return refuse_state(o, v, "记录调解");
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    ev.attempt = &a;
    if ((rc = append_body(tx, o, v, &ev)) || a.outcome != JIEFEN__OUTCOME__OUTCOME_FAILED)
        return rc;
    Jiefen__CaseView *now = NULL;
    if ((rc = fold_case_get(tx->st, tx->txn, v->case_id, &now)) == 0 && now)
        rc = lifecycle_after_failure(tx, &n->lc, now, &what, err);
    case_view_free(&now);
    if (rc == 0)
        ((struct case_op_arg *)o->data)->rule = what;
    return rc;
}

static int do_escalate(eventlog_tx *tx, struct api_op *o, struct node *n,
                       const Jiefen__CaseView *v)
{
    char err[LIFECYCLE_ERR_MAX];
    const char *reason;
    int rc = get_text(o, "reason", "上报理由", 1, TEXT_MAX, &reason);
    if (rc)
        return rc;
    if (v->status != CASE_STATUS(OPEN))
        return refuse_state(o, v, "上报");
    rc = lifecycle_escalate(tx, &n->lc, v, reason, 0, op_actor(o), err);
    return rc == JF_EINVAL ? op_refuse(o, 409, "no_parent", NULL, "%s", err) : rc;
}

static int do_risk(eventlog_tx *tx, struct api_op *o, struct node *n, const Jiefen__CaseView *v)
{
    (void)n;
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

static int do_handdown(eventlog_tx *tx, struct api_op *o, struct node *n,
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
    int child = ni && !ni->revoked && strcmp(ni->parent, n->cfg.node_id) == 0;
    registry_free(&ni);
    if (!child)
        return op_refuse(o, 400, "invalid_field", "to", "%s 不是本节点已登记的下级", to);
    if (v->status != CASE_STATUS(OPEN))
        return refuse_state(o, v, "交办");
    if ((bad = unverifiable_origin(tx, v, n->cfg.node_id, to)))
        return op_refuse(
            o, 409, "file_not_verifiable", "to",
            "案卷含有 %s 的记录，%s 无法核验其签名：请交办给 %s 所在的下级或由本级办理", bad,
            to, bad);
    rc = lifecycle_move(tx, &n->lc, v, "handdown", to, instructions, 0, op_actor(o), err);
    return rc == JF_EINVAL ? op_refuse(o, 409, "handdown_failed", "to", "%s", err) : rc;
}

static int do_assign(eventlog_tx *tx, struct api_op *o, struct node *n,
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
    if (registry_depth_below(tx->st, tx->txn, v->holder, n->cfg.node_id) < 0)
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

static int do_ack(eventlog_tx *tx, struct api_op *o, struct node *n, const Jiefen__CaseView *v)
{
    (void)n;
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

static int do_progress(eventlog_tx *tx, struct api_op *o, struct node *n,
                       const Jiefen__CaseView *v)
{
    (void)n;
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

static int do_extension(eventlog_tx *tx, struct api_op *o, struct node *n,
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
    if (!lifecycle_parent(tx->st, tx->txn, n->cfg.node_id, parent, &tier))
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

static int do_decide(eventlog_tx *tx, struct api_op *o, struct node *n,
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
    int parent = holder && strcmp(holder->parent, n->cfg.node_id) == 0;
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
    d.new_due_ms = approved ? policy_extend(&n->policy, v->due_ms,
                                            (unsigned)(days ? days : (int)v->ext_days))
                            : 0;
    d.reason = (char *)reason;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_EXTENSION_DECIDED;
    ev.extension_decided = &d;
    return append_body(tx, o, v, &ev);
}

static int do_close(eventlog_tx *tx, struct api_op *o, struct node *n,
                    const Jiefen__CaseView *v)
{
    Jiefen__CaseClosed c = JIEFEN__CASE_CLOSED__INIT;
    const char *result, *feedback;
    int rc;
    if ((rc = get_text(o, "result", "办理结果", 1, TEXT_MAX, &result)) ||
        (rc = get_text(o, "feedback", "向当事人反馈情况", 1, TEXT_MAX, &feedback)))
        return rc;
    if (v->status != CASE_STATUS(OPEN) && v->status != CASE_STATUS(RESOLVED))
        return refuse_state(o, v, "办结");
    c.result = (char *)result;
    c.feedback = (char *)feedback;
    /* Closed above where it started: back there for the follow-up visit. */
    c.return_to = registry_depth_below(tx->st, tx->txn, v->opened_at_node, n->cfg.node_id) > 0
                      ? v->opened_at_node
                      : "";
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_CLOSED;
    ev.case_closed = &c;
    return append_body(tx, o, v, &ev);
}

static int do_follow_up(eventlog_tx *tx, struct api_op *o, struct node *n,
                        const Jiefen__CaseView *v)
{
    Jiefen__FollowUp f = JIEFEN__FOLLOW_UP__INIT;
    const char *note;
    int rc, sat;
    if ((rc = get_choice(o, "satisfaction", "满意度", &ref_satisfactions, 1, &sat)) ||
        (rc = get_text(o, "note", "回访记录", 0, TEXT_MAX, &note)))
        return rc;
    if (v->status != CASE_STATUS(CLOSED))
        return refuse_state(o, v, "回访");
    f.satisfaction = (char *)ref_satisfactions.entries[sat].code;
    f.note = (char *)note;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_FOLLOW_UP;
    ev.follow_up = &f;
    if (case_event_is_move(&ev))
        f.reopen_due_ms = policy_due(&n->policy, tx->now_ms, v->complexity);
    return append_body(tx, o, v, &ev);
}

static const char *const k_route[] = {"department", "lead_unit", "reason", NULL};
static const char *const k_guide[] = {"channel", "guidance", NULL};
static const char *const k_attempt[] = {"mediator", "date",      "method",
                                        "outcome",  "agreement", "judicial_confirmation",
                                        "referral", "note",      NULL};
static const char *const k_reason[] = {"reason", NULL};
static const char *const k_risk[] = {"risk", "reason", NULL};
static const char *const k_handdown[] = {"to", "instructions", NULL};
static const char *const k_assign[] = {"leader", "organisation",       "liaison_unit",
                                       "plan",   "legal_consultation", NULL};
static const char *const k_note[] = {"note", NULL};
static const char *const k_text[] = {"text", NULL};
static const char *const k_extension[] = {"days", "reason", NULL};
static const char *const k_decide[] = {"approved", "days", "reason", NULL};
static const char *const k_close[] = {"result", "feedback", NULL};
static const char *const k_follow_up[] = {"satisfaction", "note", NULL};

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
    const char *actor;
    int rc = get_text(o, "actor", "经办人", 0, 64, &actor);
    if (rc == 0 && strcmp(actor, "system") == 0)
        return op_refuse(o, 400, "invalid_field", "actor", "经办人“system”保留给自动规则");
    return rc;
}

static int refuse_not_holder(struct api_op *o, eventlog_tx *tx, const Jiefen__CaseView *v,
                             const char *what)
{
    char name[128];
    return op_refuse(o, 409, "not_holder", NULL, "案件 %s 由 %s（%s）办理，本节点不能%s",
                     v->case_id, node_name(tx->st, tx->txn, v->holder, name, sizeof name),
                     v->holder, what);
}

static int case_op_apply(eventlog_tx *tx, struct api_op *o)
{
    struct node *n = o->c->n;
    struct case_op_arg *arg = o->data;
    Jiefen__CaseView *v = NULL;
    int rc = check_members(o, arg->a);
    if (rc)
        return rc;
    arg->rule = NULL;
    if ((rc = fold_case_get(tx->st, tx->txn, arg->id, &v)))
        return rc;
    if (!v)
        return op_refuse(o, 404, "not_found", NULL, "无此案件：%s", arg->id);
    if (arg->a->holder_only && strcmp(v->holder, n->cfg.node_id))
        rc = refuse_not_holder(o, tx, v, arg->a->label);
    else if (api_grant(o->c, arg->a->perm) == GRANT_OWN && !api_leads(o->c, v))
        rc = op_refuse(o, 403, "forbidden", NULL, "您不是案件 %s 的包案领导，不能%s", v->case_id,
                       arg->a->label);
    else
        rc = arg->a->apply(tx, o, n, v);
    case_view_free(&v);
    if (rc == 0)
        rc = warning_check(tx, &n->cfg, arg->id);
    if (rc == 0 && (rc = fold_case_get(tx->st, tx->txn, arg->id, &v)) == 0 && v) {
        o->out = json_pack("{s:o, s:o}", "case", api_case_json(n, tx->txn, v), "rule",
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
        return reply_error(c, 404, "not_found", NULL, "无此接口");
    }
    if (api_permit(c, arg->a->perm)) {
        free(arg);
        return;
    }
    op_route_data(c, r, case_op_apply, NULL, arg);
}

/* ---- supervision (督办) -------------------------------------------------------------- */

struct supervision {
    struct node *n;
    MDB_txn *txn;
    int64_t now;
    json_t *overdue, *due_soon, *risk, *leader, *needs_leader, *extensions;
};

static void supervise_one(struct supervision *s, const Jiefen__CaseView *v)
{
    struct node *n = s->n;
    int where = where_is(n->st, s->txn, n->cfg.node_id, v->holder);
    int open = v->status == CASE_STATUS(OPEN) || v->status == CASE_STATUS(RESOLVED);
    if (!open || (where != CASE_HERE && where != CASE_BELOW))
        return;
    int official = policy_official_tier(v->risk);
    json_t *j = api_case_json(n, s->txn, v);
    if (case_overdue(v, s->now))
        json_array_append(s->overdue, j);
    else if (v->status == CASE_STATUS(OPEN) && v->due_ms > s->now &&
             v->due_ms - s->now < (int64_t)n->cfg.warn_hours * 3600000)
        json_array_append(s->due_soon, j);
    if ((official && official == n->cfg.tier) || (!official && v->risk && where == CASE_HERE))
        json_array_append(s->risk, j);
    if (v->leader && strcmp(v->leader_origin, n->cfg.node_id) == 0)
        json_array_append(s->leader, j);
    if (v->leader_required && !v->leader)
        json_array_append(s->needs_leader, j);
    if (strcmp(v->ext_state, "pending") == 0 && v->ext_epoch == v->epoch &&
        where == CASE_BELOW) {
        Jiefen__NodeInfo *h = NULL;
        if (registry_get(n->st, s->txn, v->holder, &h) == 0 && h &&
            strcmp(h->parent, n->cfg.node_id) == 0)
            json_array_append(s->extensions, j);
        registry_free(&h);
    }
    json_decref(j);
}

void route_supervision(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct node *n = c->n;
    struct supervision s = {n,
                            NULL,
                            clock_now_ms(),
                            json_array(),
                            json_array(),
                            json_array(),
                            json_array(),
                            json_array(),
                            json_array()};
    MDB_cursor *cur;
    MDB_val k, d;
    int rc = store_txn_begin(n->st, MDB_RDONLY, &s.txn);
    if (rc == 0 && (rc = mdb_cursor_open(s.txn, n->st->cases, &cur)) == 0) {
        for (rc = mdb_cursor_get(cur, &k, &d, MDB_FIRST); rc == 0;
             rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
            Jiefen__CaseView *v = case_view_decode(d.mv_data, d.mv_size);
            if (v)
                supervise_one(&s, v);
            case_view_free(&v);
        }
        mdb_cursor_close(cur);
    }
    if (s.txn)
        mdb_txn_abort(s.txn);
    json_t *out =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "overdue", s.overdue, "due_soon",
                  s.due_soon, "risk", s.risk, "leader_owned", s.leader, "needs_leader",
                  s.needs_leader, "extensions_to_decide", s.extensions);
    if (rc != MDB_NOTFOUND) {
        json_decref(out);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, out);
}
