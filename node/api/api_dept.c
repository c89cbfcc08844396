/* api_dept — departments through the API (api_dept.h). */
#include "api/api_dept.h"
#include "api/api_case.h"
#include "api/api_op.h"
#include "api/api_routes.h"
#include "case/deptindex.h"
#include "case/notice.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/dept.h"
#include "case/depttable.h"
#include "case/lifecycle.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX 4000
#define HELPERS_MAX 8

/* ---- the table ------------------------------------------------------------------------ */

static json_t *record_json(const Jiefen__DeptRecord *d)
{
    return json_pack("{s:s, s:s, s:i, s:b}", "name", d->name, "duty", d->duty, "sign_hours",
                     (int)d->sign_hours, "disabled", d->disabled);
}

static int add_record(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__DeptRecord *d = (const Jiefen__DeptRecord *)m;
    return json_array_append_new(arg, record_json(d)) ? -ENOMEM : 0;
}

void route_departments(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct api *api = c->api;
    json_t *list = json_array();
    MDB_txn *txn;
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = depttable_each(api->dep.st, txn, add_record, list);
        store_txn_abort(txn);
    }
    if (rc) {
        json_decref(list);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o, s:i, s:s}", "departments", list, "sign_hours",
                                 api->dep.cfg->dept_sign_hours, "work_hours",
                                 api->dep.cfg->work_hours));
}

/* The body may hold only these members (a misspelt one would be dropped unseen). */
static int only_members(struct api_op *o, const char *const *keys)
{
    const char *key;
    json_t *val;
    json_object_foreach(o->in, key, val)
    {
        int known = 0;
        for (size_t i = 0; keys[i] && !known; i++)
            known = strcmp(keys[i], key) == 0;
        if (!known)
            return op_refuse(o, 400, "unknown_field", key, "不认识的字段 %s", key);
    }
    return 0;
}

/* sign_hours: absent (keep *out), or 0 (the node's default) to 240. */
static int get_hours(struct api_op *o, uint32_t *out)
{
    const json_t *j = json_object_get(o->in, "sign_hours");
    if (!j || json_is_null(j))
        return 0;
    if (!json_is_integer(j) || json_integer_value(j) < 0 || json_integer_value(j) > 240)
        return op_refuse(o, 400, "invalid_field", "sign_hours",
                         "签收时限应为 0 到 240 的整数（工作小时，0 为本中心默认）");
    *out = (uint32_t)json_integer_value(j);
    return 0;
}

static const char *const k_table[] = {"name", "duty", "sign_hours", "disabled", NULL};

/* Adds (add = 1) or edits a department; the answer is the department as stored. */
static int table_apply(eventlog_tx *tx, struct api_op *o, int add)
{
    const char *name, *duty, *why;
    Jiefen__DeptRecord *have = NULL;
    int rc, disabled;
    if ((rc = only_members(o, k_table)) || (rc = op_text(o, "name", "部门名称", 1, 200, &name)) ||
        (rc = op_text(o, "duty", "职责", 0, DEPT_DUTY_MAX, &duty)) ||
        (rc = op_bool(o, "disabled", "是否停用", 0, &disabled)))
        return rc;
    if ((why = depttable_bad_name(name)))
        return op_refuse(o, 400, "invalid_field", "name", "%s", why);
    if ((rc = depttable_get(tx->st, tx->txn, name, &have)))
        return rc;
    if (add && have)
        rc = op_refuse(o, 409, "department_exists", "name", "部门“%s”已在本中心", name);
    else if (!add && !have)
        rc = op_refuse(o, 404, "not_found", "name", "本中心没有部门“%s”", name);
    Jiefen__DeptRecord d = JIEFEN__DEPT_RECORD__INIT;
    if (have)
        d = *have;
    d.name = (char *)name;
    if (rc == 0 && (add || json_object_get(o->in, "duty")))
        d.duty = (char *)duty;
    if (rc == 0 && (add || json_object_get(o->in, "disabled")))
        d.disabled = disabled;
    if (rc == 0 && (rc = get_hours(o, &d.sign_hours)) == 0 &&
        (rc = depttable_put(tx->st, tx->txn, &d)) == 0) {
        o->out = json_pack("{s:o}", "department", record_json(&d));
        log_info("dept", "department %s %s by %s", name, add ? "added" : "edited", op_actor(o));
    }
    depttable_free(&have);
    return rc;
}

static int add_apply(eventlog_tx *tx, struct api_op *o)
{
    return table_apply(tx, o, 1);
}

static int edit_apply(eventlog_tx *tx, struct api_op *o)
{
    return table_apply(tx, o, 0);
}

void route_department_add(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, add_apply, NULL);
}

void route_department_edit(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, edit_apply, NULL);
}

/* ---- the queue (部门工作台) ------------------------------------------------------------ */

struct queue {
    struct api *api;
    MDB_txn *txn;
    const char *dept, *self, *state;
    int64_t now;
    json_t *items;
    unsigned received, to_sign, in_hand, overdue, done, returned;
};

/* Waiting to be signed for, past its limit (签收逾期). */
static int late_to_sign(const Jiefen__DeptPart *p, int64_t now)
{
    return strcmp(dept_part_state(p), "to_sign") == 0 && dept_part_sign_late(p, now);
}

/* The newest part of the department routed at this node, NULL if none; counts them all. */
static const Jiefen__DeptPart *newest_part(struct queue *q, const Jiefen__CaseView *v)
{
    const Jiefen__DeptPart *last = NULL;
    for (size_t i = 0; v->dept && i < v->dept->n_parts; i++) {
        const Jiefen__DeptPart *p = v->dept->parts[i];
        if (strcmp(p->department, q->dept) || strcmp(p->node, q->self))
            continue;
        const char *s = dept_part_state(p);
        q->received++;
        q->to_sign += strcmp(s, "to_sign") == 0;
        q->in_hand += strcmp(s, "in_hand") == 0;
        q->overdue += late_to_sign(p, q->now);
        q->done += strcmp(s, "done") == 0;
        q->returned += strcmp(s, "returned") == 0;
        last = p;
    }
    return last;
}

static int queue_case(const Jiefen__CaseView *v, struct queue *q)
{
    const Jiefen__DeptPart *p = newest_part(q, v);
    int rc = 0;
    if (p && (!q->state[0] || strcmp(q->state, dept_part_state(p)) == 0 ||
              (strcmp(q->state, "overdue") == 0 && late_to_sign(p, q->now)))) {
        json_t *cj = api_case_json(q->api, q->txn, v);
        json_t *item = cj ? json_pack("{s:o, s:s, s:b, s:I, s:I}", "case", cj, "state",
                                      dept_part_state(p), "sign_late",
                                      dept_part_sign_late(p, q->now), "sign_due_ms",
                                      (json_int_t)p->sign_due_ms, "routed_ms",
                                      (json_int_t)p->routed_ms)
                          : NULL;
        rc = json_array_append_new(q->items, item) ? -ENOMEM : 0;
    }
    return rc;
}

static int queue_one(const char *case_id, void *arg)
{
    struct queue *q = arg;
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(q->api->dep.st, q->txn, case_id, &v);
    if (rc == 0 && v)
        rc = queue_case(v, q);
    case_view_free(&v);
    return rc;
}

static const char *const queue_states[] = {"to_sign", "in_hand", "overdue", "done", "returned",
                                           "ended", NULL};

/* The department asked for: a department's account its own; others name one. NULL after
 * answering 400. */
static const char *queue_department(struct api_call *c, const char *query, char *buf,
                                    size_t len)
{
    if (c->who.auth == API_AUTH_SESSION && c->who.role == ROLE_DEPARTMENT)
        return c->who.department;
    if (api_query_param(query, "department", buf, len) || !buf[0]) {
        reply_error(c, 400, "invalid_query", "department", "请指定部门（department）");
        return NULL;
    }
    return buf;
}

static int valid_state(const char *s)
{
    for (size_t i = 0; queue_states[i]; i++)
        if (strcmp(s, queue_states[i]) == 0)
            return 1;
    return !s[0];
}

void route_department_queue(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct api *api = c->api;
    char dept[256], state[32];
    const char *name = queue_department(c, r->query, dept, sizeof dept);
    if (!name)
        return;
    if (api_query_param(r->query, "state", state, sizeof state) || !valid_state(state))
        return reply_error(c, 400, "invalid_query", "state",
                           "state 应为 to_sign、in_hand、overdue、done、returned 或 ended");
    struct queue q = {api, NULL, name, api->dep.cfg->node_id, state, clock_now_ms(),
                      json_array(), 0, 0, 0, 0, 0, 0};
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &q.txn);
    if (rc == 0) {
        rc = deptindex_each(api->dep.st, q.txn, q.dept, queue_one, &q);
        store_txn_abort(q.txn);
    }
    if (rc) {
        json_decref(q.items);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200,
               json_pack("{s:s, s:o, s:{s:i, s:i, s:i, s:i, s:i, s:i}}", "department", name,
                         "items", q.items, "counts", "received", q.received, "to_sign",
                         q.to_sign, "in_hand", q.in_hand, "overdue", q.overdue, "done",
                         q.done, "returned", q.returned));
}

/* ---- actions on a case ------------------------------------------------------------------ */

enum verb { VERB_ROUTE, VERB_SIGN, VERB_RETURN, VERB_FEEDBACK, VERB_N };

static const struct {
    const char *name, *label;
    enum perm perm;
    const char *const keys[5];
} verbs[VERB_N] = {
    [VERB_ROUTE] = {"route", "分流至部门", PERM_CASE_ROUTE, {"lead", "helpers", "reason", "actor"}},
    [VERB_SIGN] = {"sign", "签收", PERM_DEPT_ACT, {"department", "note", "actor"}},
    [VERB_RETURN] = {"return", "退回", PERM_DEPT_ACT, {"department", "reason", "actor"}},
    [VERB_FEEDBACK] = {"feedback", "反馈", PERM_DEPT_ACT,
                       {"department", "text", "final", "actor"}},
};

struct dept_op {
    char id[128];
    enum verb verb;
};

/* An enabled department of this node's table, or the refusal naming field `key`. */
static int enabled_department(eventlog_tx *tx, struct api_op *o, const char *key,
                              const char *name, uint32_t *sign_hours)
{
    Jiefen__DeptRecord *d = NULL;
    int rc = depttable_get(tx->st, tx->txn, name, &d);
    if (rc == 0 && (!d || d->disabled))
        rc = op_refuse(o, 400, "invalid_field", key, "本中心没有启用的部门“%s”", name);
    if (rc == 0 && sign_hours)
        *sign_hours = d->sign_hours;
    depttable_free(&d);
    return rc;
}

/* helpers: an array of names (or one text of names separated by commas). */
static int get_helpers(eventlog_tx *tx, struct api_op *o, char **names, size_t *n,
                       char *buf, size_t len)
{
    const json_t *j = json_object_get(o->in, "helpers"), *x;
    size_t i;
    int rc = 0;
    *n = 0;
    if (!j || json_is_null(j))
        return 0;
    if (json_is_string(j)) {
        snprintf(buf, len, "%s", json_string_value(j));
        /* A full-width comma is a comma (not byte by byte: its bytes occur inside names). */
        for (char *c; (c = strstr(buf, "，"));)
            memmove(c + 1, c + 3, strlen(c + 3) + 1), *c = ',';
        for (char *save = NULL, *t = strtok_r(buf, ", ", &save); t && *n < HELPERS_MAX;
             t = strtok_r(NULL, ", ", &save))
            names[(*n)++] = t;
    } else if (json_is_array(j) && json_array_size(j) <= HELPERS_MAX) {
        json_array_foreach(j, i, x)
        {
            if (!json_is_string(x))
                return op_refuse(o, 400, "invalid_field", "helpers", "协办部门应为部门名称");
            names[(*n)++] = (char *)json_string_value(x);
        }
    } else {
        return op_refuse(o, 400, "invalid_field", "helpers", "协办部门最多 %d 个", HELPERS_MAX);
    }
    for (i = 0; i < *n && rc == 0; i++)
        rc = enabled_department(tx, o, "helpers", names[i], NULL);
    return rc;
}

static int append(eventlog_tx *tx, struct api_op *o, const Jiefen__CaseView *v,
                  Jiefen__Event *ev)
{
    return lifecycle_append(tx, v, ev, op_actor(o));
}

static int do_route(eventlog_tx *tx, struct api_op *o, const Jiefen__CaseView *v)
{
    Jiefen__DeptRouted d = JIEFEN__DEPT_ROUTED__INIT;
    char *helpers[HELPERS_MAX], buf[1024];
    const char *lead, *reason;
    uint32_t hours = 0;
    size_t n;
    int rc;
    if ((rc = op_text(o, "lead", "牵头部门", 1, 200, &lead)) ||
        (rc = op_text(o, "reason", "分流意见", 1, TEXT_MAX, &reason)) ||
        (rc = enabled_department(tx, o, "lead", lead, &hours)) ||
        (rc = get_helpers(tx, o, helpers, &n, buf, sizeof buf)))
        return rc;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(helpers[i], lead) == 0)
            return op_refuse(o, 400, "invalid_field", "helpers", "牵头部门“%s”不能同时协办",
                             lead);
        for (size_t j = 0; j < i; j++)
            if (strcmp(helpers[i], helpers[j]) == 0)
                return op_refuse(o, 400, "invalid_field", "helpers", "协办部门“%s”重复",
                                 helpers[i]);
    }
    if (v->status != JIEFEN__CASE_STATUS__CASE_STATUS_OPEN)
        return op_refuse(o, 409, "invalid_state", NULL, "案件 %s 已不在办理中，不能分流至部门",
                         v->case_id);
    d.lead = (char *)lead;
    d.helpers = helpers;
    d.n_helpers = n;
    d.reason = (char *)reason;
    d.sign_due_ms = policy_sign_due(o->c->api->dep.policy, tx->now_ms, hours);
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_DEPT_ROUTED;
    ev.dept_routed = &d;
    if ((rc = append(tx, o, v, &ev)))
        return rc;
    return notice_routed(tx, o->c->api->dep.id, v->case_id, &d);
}

/* The department acting: a department's account its own, the token the one it names. */
static int acting_department(struct api_op *o, const char **out)
{
    const struct api_who *w = &o->c->who;
    const char *named;
    int rc = op_text(o, "department", "部门", w->auth != API_AUTH_SESSION, 200, &named);
    if (rc)
        return rc;
    if (w->auth == API_AUTH_SESSION && named[0] && strcmp(named, w->department))
        return op_refuse(o, 403, "forbidden", "department", "您只能以本部门（%s）的名义办理",
                         w->department);
    *out = w->auth == API_AUTH_SESSION ? w->department : named;
    return 0;
}

/* The department's current part, or the refusal saying why there is none to act on. */
static int part_of(struct api_op *o, const Jiefen__CaseView *v, const char *dept,
                   const Jiefen__DeptPart **p)
{
    if ((*p = dept_part(v, dept)))
        return 0;
    return op_refuse(o, 409, "not_routed", NULL, "案件 %s 当前没有分流给%s（或已退回）",
                     v->case_id, dept);
}

static int do_sign(eventlog_tx *tx, struct api_op *o, const Jiefen__CaseView *v,
                   const char *dept)
{
    Jiefen__DeptSigned s = JIEFEN__DEPT_SIGNED__INIT;
    const Jiefen__DeptPart *p;
    const char *note;
    int rc;
    if ((rc = op_text(o, "note", "签收意见", 0, TEXT_MAX, &note)) ||
        (rc = part_of(o, v, dept, &p)))
        return rc;
    if (p->signed_ms)
        return op_refuse(o, 409, "already_signed", NULL, "%s已签收案件 %s", dept, v->case_id);
    s.department = (char *)dept;
    s.note = (char *)note;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_DEPT_SIGNED;
    ev.dept_signed = &s;
    return append(tx, o, v, &ev);
}

static int do_return(eventlog_tx *tx, struct api_op *o, const Jiefen__CaseView *v,
                     const char *dept)
{
    Jiefen__DeptReturned d = JIEFEN__DEPT_RETURNED__INIT;
    const Jiefen__DeptPart *p;
    const char *reason;
    int rc;
    if ((rc = op_text(o, "reason", "退回理由", 1, TEXT_MAX, &reason)) ||
        (rc = part_of(o, v, dept, &p)))
        return rc;
    if (p->done_ms)
        return op_refuse(o, 409, "already_done", NULL, "%s已反馈办理结果，不能退回", dept);
    d.department = (char *)dept;
    d.reason = (char *)reason;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_DEPT_RETURNED;
    ev.dept_returned = &d;
    return append(tx, o, v, &ev);
}

static int do_feedback(eventlog_tx *tx, struct api_op *o, const Jiefen__CaseView *v,
                       const char *dept)
{
    Jiefen__DeptFeedback f = JIEFEN__DEPT_FEEDBACK__INIT;
    const Jiefen__DeptPart *p;
    const char *text;
    int rc, final;
    if ((rc = op_text(o, "text", "反馈内容", 1, TEXT_MAX, &text)) ||
        (rc = op_bool(o, "final", "是否为办理结果", 0, &final)) ||
        (rc = part_of(o, v, dept, &p)))
        return rc;
    if (!p->signed_ms)
        return op_refuse(o, 409, "not_signed", NULL, "请先签收案件 %s 再反馈", v->case_id);
    if (p->done_ms)
        return op_refuse(o, 409, "already_done", NULL, "%s已反馈办理结果", dept);
    f.department = (char *)dept;
    f.text = (char *)text;
    f.final = final;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_DEPT_FEEDBACK;
    ev.dept_feedback = &f;
    return append(tx, o, v, &ev);
}

static int act(eventlog_tx *tx, struct api_op *o, enum verb verb, const Jiefen__CaseView *v)
{
    const char *dept = "";
    int rc;
    if (verb == VERB_ROUTE)
        return do_route(tx, o, v);
    if ((rc = acting_department(o, &dept)))
        return rc;
    return verb == VERB_SIGN     ? do_sign(tx, o, v, dept)
           : verb == VERB_RETURN ? do_return(tx, o, v, dept)
                                 : do_feedback(tx, o, v, dept);
}

static int dept_op_apply(eventlog_tx *tx, struct api_op *o)
{
    struct api *api = o->c->api;
    const struct dept_op *d = o->data;
    Jiefen__CaseView *v = NULL;
    char name[128];
    int rc = only_members(o, verbs[d->verb].keys);
    if (rc || (rc = caseindex_get(tx->st, tx->txn, d->id, &v)))
        return rc;
    if (!v || !api_sees_case(o->c, v))
        rc = op_refuse(o, 404, "not_found", NULL, "无此案件：%s", d->id);
    else if (strcmp(v->holder, api->dep.cfg->node_id))
        rc = op_refuse(o, 409, "not_holder", NULL, "案件 %s 由 %s 办理，本节点不能%s", v->case_id,
                       api_node_name(tx->st, tx->txn, v->holder, name, sizeof name),
                       verbs[d->verb].label);
    else
        rc = act(tx, o, d->verb, v);
    case_view_free(&v);
    if (rc == 0 && (rc = caseindex_get(tx->st, tx->txn, d->id, &v)) == 0 && v)
        o->out = json_pack("{s:o}", "case", api_case_json(api, tx->txn, v));
    case_view_free(&v);
    return rc;
}

#define VERB_PREFIX "departments/"

int api_dept_case_action(struct api_call *c, const http_request *r, const char *id,
                         size_t id_len, const char *verb)
{
    size_t plen = strlen(VERB_PREFIX);
    int found = -1;
    if (strncmp(verb, VERB_PREFIX, plen))
        return -1;
    for (int i = 0; i < VERB_N && found < 0; i++)
        if (strcmp(verb + plen, verbs[i].name) == 0)
            found = i;
    if (found < 0)
        return -1;
    struct dept_op *d = calloc(1, sizeof *d);
    if (!d) {
        reply_error(c, 500, "internal", NULL, "内存不足");
        return 0;
    }
    d->verb = (enum verb)found;
    if (http_url_decode(id, id_len, d->id, sizeof d->id, 0) <= 0) {
        free(d);
        reply_error(c, 404, "not_found", NULL, "无此案件");
        return 0;
    }
    if (api_permit(c, verbs[found].perm)) {
        free(d);
        return 0;
    }
    op_route_data(c, r, dept_op_apply, NULL, d);
    return 0;
}
