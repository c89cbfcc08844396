/* api_access — who saw what (查阅记录) and the approvals to copy, print or archive
 * (摘抄复印报批), over case/access.h:
 *   GET  /api/v1/access?case=&user=&node=&from=&to=&limit=   the audit log, newest first
 *   GET  /api/v1/access/requests?state=&case=                requests and their decisions
 *   POST /api/v1/access/requests {case_id, what, purpose, reason}
 *   POST /api/v1/access/decide   {id, decision: approve|refuse, reason}
 *   POST /api/v1/access/copy     {case_id, purpose}: an extract of the parties (摘抄),
 *        which needs an approval when the node's policy lists `copy`. */
#include "api/api_access.h"
#include "api/api_case.h"
#include "api/api_op.h"
#include "api/api_routes.h"
#include "case/access.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/reference.h"
#include "config.h"
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 200
#define LIST_MAX 5000

const char *api_access_what_name(const char *what, char *buf, size_t len)
{
    static const struct {
        const char *what, *name;
    } names[] = {{"parties", "查看当事人信息"}, {"search", "查找当事人"},
                 {"copy:parties", "摘抄当事人信息"}, {"archive", "归档导出"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(what, names[i].what) == 0)
            return names[i].name;
    if (strncmp(what, "document:", 9) == 0)
        snprintf(buf, len, "下载文书 %.12s", what + 9);
    else if (strncmp(what, "form:", 5) == 0)
        snprintf(buf, len, "打印表格 %s", what + 5);
    else
        snprintf(buf, len, "%s", what);
    return buf;
}

static const char *purpose_name(const char *code)
{
    const struct ref_entry *e = ref_find(&ref_purposes, code);
    return e ? e->name : code;
}

/* ---- the audit log ------------------------------------------------------------------- */

struct audit {
    struct api *api;
    MDB_txn *txn;
    char case_id[128], user[64], node[64];
    int64_t from, to;
    long limit;
    json_t *out;
};

static int add_access(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__AccessView *v = (const Jiefen__AccessView *)m;
    struct audit *a = arg;
    char node[128], person[256], what[160];
    if (v->time_ms < a->from)
        return STORE_STOP;
    if (v->time_ms >= a->to || (a->case_id[0] && strcmp(v->case_id, a->case_id)) ||
        (a->user[0] && strcmp(v->actor, a->user)) || (a->node[0] && strcmp(v->origin, a->node)))
        return 0;
    const Jiefen__AccessRecorded *r = v->access;
    json_array_append_new(
        a->out,
        json_pack("{s:I, s:s, s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "time_ms",
                  (json_int_t)v->time_ms, "node", v->origin, "node_name",
                  api_node_name(a->api->dep.st, a->txn, v->origin, node, sizeof node), "seq",
                  (json_int_t)v->seq, "user", v->actor, "user_name",
                  api_actor_name(a->api->dep.st, a->txn, v->actor, v->actor_name, person,
                                 sizeof person),
                  "case_id", v->case_id, "what", r->what, "what_name",
                  api_access_what_name(r->what, what, sizeof what), "purpose", r->purpose,
                  "purpose_name", purpose_name(r->purpose), "count", (int)r->count, "approval",
                  r->approval));
    return (long)json_array_size(a->out) >= a->limit ? STORE_STOP : 0;
}

static const char *const audit_keys[] = {"case", "user", "node", "from", "to", "limit"};

/* NULL, or the name of the first parameter that is wrong or unknown (into bad). */
static const char *audit_filter(const char *q, struct audit *a, char *bad, size_t blen)
{
    for (const char *p = q; *p; p += *p == '&') {
        size_t klen = strcspn(p, "=&"), known = 0;
        for (size_t i = 0; i < sizeof audit_keys / sizeof audit_keys[0]; i++)
            known |= strlen(audit_keys[i]) == klen && strncmp(p, audit_keys[i], klen) == 0;
        snprintf(bad, blen, "%.*s", (int)klen, p);
        if (klen && !known)
            return bad;
        p += strcspn(p, "&");
    }
    a->to = INT64_MAX;
    if (api_query_param(q, "case", a->case_id, sizeof a->case_id))
        return "case";
    if (api_query_param(q, "user", a->user, sizeof a->user))
        return "user";
    if (api_query_param(q, "node", a->node, sizeof a->node))
        return "node";
    const char *date = api_query_dates(q, &a->from, &a->to);
    return date ? date : api_query_limit(q, LIST_DEFAULT, LIST_MAX, &a->limit);
}

void route_access_list(struct api_call *c, const http_request *r, const char *tail)
{
    char bad[64];
    struct audit a = {.api = c->api};
    (void)tail;
    const char *wrong = audit_filter(r->query, &a, bad, sizeof bad);
    if (wrong)
        return reply_error(c, 400, "invalid_query", wrong, "查询参数无效：%s", wrong);
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &a.txn);
    if (rc)
        return reply_store_error(c, rc);
    a.out = json_array();
    rc = access_each(c->api->dep.st, a.txn, add_access, &a);
    store_txn_abort(a.txn);
    if (rc) {
        json_decref(a.out);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "access", a.out));
}

/* ---- requests ------------------------------------------------------------------------ */

static const struct {
    const char *code, *name;
} states[] = {{"pending", "待审批"}, {"approved", "已批准"}, {"refused", "不予批准"},
              {"used", "已使用"}};

static const char *state_name(const char *code)
{
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (strcmp(code, states[i].code) == 0)
            return states[i].name;
    return code;
}

json_t *api_access_request_json(struct api *api, MDB_txn *txn,
                                const Jiefen__AccessRequestView *v)
{
    char node[128], person[256], decider[256], what[160], origin[STORE_ORIGIN_MAX + 1];
    snprintf(origin, sizeof origin, "%.*s", (int)strcspn(v->id, "/"), v->id);
    const Jiefen__AccessRequested *q = v->request;
    return json_pack(
        "{s:s, s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, "
        "s:I, s:I}",
        "id", v->id, "time_ms", (json_int_t)v->time_ms, "node", origin, "node_name",
        api_node_name(api->dep.st, txn, origin, node, sizeof node), "user", v->actor,
        "user_name", api_actor_name(api->dep.st, txn, v->actor, v->actor_name, person,
                                    sizeof person),
        "case_id", v->case_id, "what", q->what, "what_name",
        api_access_what_name(q->what, what, sizeof what), "purpose", q->purpose, "purpose_name",
        purpose_name(q->purpose), "reason", q->reason, "state", v->state, "state_name",
        state_name(v->state), "decided_by_name",
        v->decided_by[0] ? api_actor_name(api->dep.st, txn, v->decided_by, v->decided_by_name,
                                          decider, sizeof decider)
                         : "",
        "decision_reason", v->decision_reason, "decided_ms", (json_int_t)v->decided_ms,
        "used_ms", (json_int_t)v->used_ms);
}

struct req_list {
    struct api_call *c;
    MDB_txn *txn;
    char state[16], case_id[128];
    int own_only;
    json_t *out;
};

static int add_request(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__AccessRequestView *v = (const Jiefen__AccessRequestView *)m;
    struct req_list *l = arg;
    if ((l->state[0] && strcmp(v->state, l->state)) ||
        (l->case_id[0] && strcmp(v->case_id, l->case_id)) ||
        (l->own_only && strcmp(v->actor, l->c->who.user)))
        return 0;
    json_array_append_new(l->out, api_access_request_json(l->c->api, l->txn, v));
    return 0;
}

/* Auditors and deciders see every request here; the others their own. */
void route_access_requests(struct api_call *c, const http_request *r, const char *tail)
{
    struct req_list l = {.c = c};
    (void)tail;
    if (api_query_param(r->query, "state", l.state, sizeof l.state) ||
        (l.state[0] && strcmp(state_name(l.state), l.state) == 0))
        return reply_error(c, 400, "invalid_query", "state",
                           "state 应为 pending、approved、refused 或 used");
    if (api_query_param(r->query, "case", l.case_id, sizeof l.case_id))
        return reply_error(c, 400, "invalid_query", "case", "查询参数无效：case");
    l.own_only = api_grant(c, PERM_ACCESS_AUDIT) == GRANT_NO;
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &l.txn);
    if (rc)
        return reply_store_error(c, rc);
    l.out = json_array();
    rc = access_request_each(c->api->dep.st, l.txn, add_request, &l);
    store_txn_abort(l.txn);
    if (rc) {
        json_decref(l.out);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "requests", l.out));
}

/* The case named by the body's case_id, which must be one this node sees. */
static int body_case(eventlog_tx *tx, struct api_op *o, Jiefen__CaseView **v)
{
    const char *id = api_str(o->in, "case_id");
    int rc = id[0] ? caseindex_get(tx->st, tx->txn, id, v) : 0;
    if (rc == 0 && !*v)
        return op_refuse(o, id[0] ? 404 : 400, id[0] ? "not_found" : "invalid_field",
                         "case_id", id[0] ? "无此案件：%s" : "请指明案件（case_id）%s", id);
    return rc;
}

static int request_apply(eventlog_tx *tx, struct api_op *o)
{
    Jiefen__CaseView *v = NULL;
    char id[ACCESS_ID_MAX];
    const char *field;
    int rc = body_case(tx, o, &v);
    if (rc)
        return rc;
    rc = access_request(tx, v->case_id, api_str(o->in, "what"), api_str(o->in, "purpose"),
                        api_str(o->in, "reason"), id, &field);
    case_view_free(&v);
    if (rc == JF_EINVAL)
        return op_refuse(o, 400, "invalid_field", field, "%s",
                         strcmp(field, "what") == 0
                             ? "申请事项无效：应为 archive、copy:parties、form:<表格>或 document:<文书>"
                         : strcmp(field, "purpose") == 0
                             ? "查阅目的无效：应为办案、回访、督办、审计、复核或其他"
                             : "请说明申请理由（reason）");
    Jiefen__AccessRequestView *r = NULL;
    if (rc == 0 && (rc = access_request_get(tx->st, tx->txn, id, &r)) == 0 && r)
        o->out = json_pack("{s:o}", "request", api_access_request_json(o->c->api, tx->txn, r));
    access_request_free(&r);
    return rc;
}

void route_access_request(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, request_apply, NULL);
}

static int decide_apply(eventlog_tx *tx, struct api_op *o)
{
    char why[256];
    const char *id = api_str(o->in, "id"), *decision = api_str(o->in, "decision");
    int approve = strcmp(decision, "approve") == 0;
    if (!approve && strcmp(decision, "refuse"))
        return op_refuse(o, 400, "invalid_field", "decision",
                         "审批结果应为 approve（批准）或 refuse（不予批准）");
    int rc = access_decide(tx, o->c->api->dep.cfg->node_id, id, approve,
                           api_str(o->in, "reason"), why, sizeof why);
    if (rc == JF_ENOTFOUND)
        return op_refuse(o, 404, "not_found", "id", "本节点无此申请：%s", id);
    if (rc == JF_EINVAL)
        return op_refuse(o, 409, "invalid_state", "id", "%s", why);
    Jiefen__AccessRequestView *r = NULL;
    if (rc == 0 && (rc = access_request_get(tx->st, tx->txn, id, &r)) == 0 && r)
        o->out = json_pack("{s:o}", "request", api_access_request_json(o->c->api, tx->txn, r));
    access_request_free(&r);
    return rc;
}

void route_access_decide(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, decide_apply, NULL);
}

/* ---- 摘抄: an extract of the parties, to take away --------------------------------- */

static int copy_apply(eventlog_tx *tx, struct api_op *o)
{
    struct api *api = o->c->api;
    Jiefen__CaseView *v = NULL;
    char approval[ACCESS_ID_MAX], why[256];
    const char *purpose = api_str(o->in, "purpose");
    if (!access_purpose(purpose))
        return op_refuse(o, 400, "invalid_purpose", "purpose", "%s",
                         purpose[0] ? "查阅目的无效：应为办案、回访、督办、审计、复核或其他"
                                    : "摘抄当事人信息须说明查阅目的");
    int rc = body_case(tx, o, &v);
    if (rc)
        return rc;
    rc = access_check(tx, api->dep.cfg->access_approval_for, v->case_id, "copy:parties",
                      approval, why, sizeof why);
    json_t *parties = json_array();
    if (rc == JF_EINVAL)
        rc = op_refuse(o, 403, "approval_required", "case_id", "%s", why);
    if (rc == 0)
        rc = api_case_parties(api, tx->txn, v, parties);
    if (rc == 0 && !json_array_size(parties))
        rc = op_refuse(o, 409, "no_parties", "case_id", "本节点不能打开案件 %s 的当事人信息",
                       v->case_id);
    if (rc == 0)
        rc = access_record(tx, v->case_id, "copy:parties", purpose, 0, approval);
    if (rc == 0)
        o->out = json_pack("{s:s, s:s, s:I, s:s, s:O}", "case_id", v->case_id, "purpose",
                           access_purpose(purpose), "time_ms", (json_int_t)tx->now_ms,
                           "approval", approval, "parties", parties);
    json_decref(parties);
    case_view_free(&v);
    return rc;
}

void route_access_copy(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, copy_apply, NULL);
}
