/* api_hazard — the 苗头隐患 register through the API (case/hazard.h): the list of this
 * node's and its subtree's hazards, one hazard with its check-ins, registering one, a
 * check-in, closing it as resolved, and converting it into a case through the normal
 * intake (一窗受理), linked both ways. Only the node that registered a hazard acts on it.
 * Descriptions and check-in notes may name people: they are sealed parts of the events,
 * shown only at the node that registered them and only to roles that may read parties. */
#include "api/api_case.h"
#include "api/api_op.h"
#include "api/api_routes.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/casefile.h"
#include "case/hazard.h"
#include "case/intake.h"
#include "case/reference.h"
#include "case/warning.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HAZARDS_MAX 2000   /* listed at most */

static const char *risk_name(int risk)
{
    return risk >= 1 && risk <= (int)ref_risks.count ? ref_risks.entries[risk - 1].name : "";
}

static json_t *hazard_json(struct api *api, MDB_txn *txn, const Jiefen__HazardView *v)
{
    char node[256], by[256];
    const Jiefen__HazardRegistered *h = v->hazard;
    const struct ref_entry *cat = ref_find(&ref_categories, h->category);
    int64_t now = clock_now_ms();
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:i, s:i,"
        " s:I, s:s, s:s, s:I, s:s}",
        "id", v->hazard_id, "node", v->origin, "node_name",
        api_node_name(api->dep.st, txn, v->origin, node, sizeof node), "village", h->village,
        "title", h->title, "category", h->category, "category_name", cat ? cat->name : h->category,
        "risk", case_risk_code(v->risk), "risk_name", risk_name(v->risk), "watcher", h->watcher,
        "state", v->state, "state_name", hazard_state_name(v->state), "next_due_ms",
        (json_int_t)v->next_due_ms, "overdue",
        strcmp(v->state, "watching") == 0 && v->next_due_ms < now, "checkin_days",
        hazard_checkin_days(v->risk), "checkins", (int)v->checkins, "registered_ms",
        (json_int_t)v->registered_ms, "registered_by",
        api_actor_name(api->dep.st, txn, v->actor, v->actor_name, by, sizeof by), "case_id",
        v->case_id, "ended_ms", (json_int_t)v->ended_ms, "result", v->result);
}

/* ---- reading ------------------------------------------------------------------------- */

struct list {
    struct api *api;
    MDB_txn *txn;
    char state[16], village[128];
    json_t *out;
    unsigned total;
};

static int list_one(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__HazardView *v = (const Jiefen__HazardView *)m;
    struct list *l = arg;
    if ((l->state[0] && strcmp(l->state, v->state)) ||
        (l->village[0] && strcmp(l->village, v->hazard->village)))
        return 0;
    l->total++;
    if (json_array_size(l->out) < HAZARDS_MAX)
        json_array_append_new(l->out, hazard_json(l->api, l->txn, v));
    return 0;
}

/* GET /api/v1/hazards?state=&village=: the register of this node and its subtree. */
void route_hazard_list(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct list l = {.api = c->api};
    if (api_query_param(r->query, "state", l.state, sizeof l.state) ||
        (l.state[0] && strcmp(l.state, "watching") && strcmp(l.state, "converted") &&
         strcmp(l.state, "closed")))
        return reply_error(c, 400, "invalid_query", "state",
                           "state 应为 watching、converted 或 closed");
    if (api_query_param(r->query, "village", l.village, sizeof l.village))
        return reply_error(c, 400, "invalid_query", "village", "village 过长");
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &l.txn);
    l.out = json_array();
    if (rc == 0)
        rc = hazard_each(c->api->dep.st, l.txn, list_one, &l);
    store_txn_abort(l.txn);
    if (rc) {
        json_decref(l.out);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o, s:I}", "hazards", l.out, "total", (json_int_t)l.total));
}

/* The sealed text of this node's event (origin, seq), or NULL (not here, or unreadable). */
static json_t *sealed_text(struct api *api, MDB_txn *txn, const char *origin, uint64_t seq)
{
    uint8_t *plain = NULL;
    size_t len = 0;
    json_t *out = NULL;
    if (strcmp(origin, api->dep.cfg->node_id) ||
        casefile_own_part(api->dep.st, txn, api->dep.id, origin, seq, &plain, &len) || !plain)
        return json_null();
    Jiefen__Sealed *s = jiefen__sealed__unpack(NULL, len, plain);
    if (s) {
        out = json_string(s->hazard_text);
        jiefen__sealed__free_unpacked(s, NULL);
    }
    crypto_wipe(plain, len);
    free(plain);
    return out ? out : json_null();
}

static json_t *detail_json(struct api_call *c, MDB_txn *txn, const Jiefen__HazardView *v)
{
    struct api *api = c->api;
    int may_read = api_grant(c, PERM_CASE_PARTIES) != GRANT_NO;
    json_t *j = hazard_json(api, txn, v), *list = json_array();
    json_object_set_new(j, "description",
                        may_read ? sealed_text(api, txn, v->origin, v->seq) : json_null());
    json_object_set_new(j, "sealed_here", json_boolean(strcmp(v->origin, api->dep.cfg->node_id) == 0));
    for (size_t i = 0; i < v->n_checkin_seqs && i < v->n_checkin_dates &&
                       i < v->n_checkin_actors && i < v->n_checkin_risks; i++)
        json_array_append_new(
            list, json_pack("{s:s, s:s, s:s, s:s, s:o}", "date", v->checkin_dates[i], "by",
                            v->checkin_actors[i], "risk", case_risk_code(v->checkin_risks[i]),
                            "risk_name", risk_name(v->checkin_risks[i]), "note",
                            may_read ? sealed_text(api, txn, v->origin, v->checkin_seqs[i])
                                     : json_null()));
    json_object_set_new(j, "checkin_list", list);
    return j;
}

static void hazard_show(struct api_call *c, const char *id)
{
    MDB_txn *txn;
    Jiefen__HazardView *v = NULL;
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn);
    if (rc == 0)
        rc = hazard_get(c->api->dep.st, txn, id, &v);
    if (rc || !v) {
        store_txn_abort(txn);
        return rc ? reply_store_error(c, rc)
                  : reply_error(c, 404, "not_found", NULL, "没有编号为 %s 的隐患", id);
    }
    json_t *j = detail_json(c, txn, v);
    hazard_free(&v);
    store_txn_abort(txn);
    reply_json(c, 200, json_pack("{s:o}", "hazard", j));
}

/* GET /api/v1/hazards/{id} */
void route_hazard_show(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r;
    if (strchr(tail, '/') || strlen(tail) > HAZARD_ID_MAX)
        return reply_error(c, 404, "not_found", NULL, "没有编号为 %s 的隐患", tail);
    hazard_show(c, tail);
}

/* ---- registering and the steps -------------------------------------------------------- */

/* Appends ev with `text` as its sealed part (none when empty). */
static int append_sealed(eventlog_tx *tx, struct api_op *o, Jiefen__Event *ev, const char *text)
{
    Jiefen__Sealed s = JIEFEN__SEALED__INIT;
    uint8_t salt[16], *buf = NULL;
    size_t len = 0;
    ev->actor = (char *)op_actor(o);
    if (!text[0])
        return eventlog_append(tx, ev, NULL, 0);
    crypto_random(salt, sizeof salt);
    s.salt = (ProtobufCBinaryData){sizeof salt, salt};
    s.hazard_text = (char *)text;
    len = jiefen__sealed__get_packed_size(&s);
    if (!(buf = malloc(len)))
        return -ENOMEM;
    jiefen__sealed__pack(&s, buf);
    int rc = eventlog_append(tx, ev, buf, len);
    crypto_wipe(buf, len);
    free(buf);
    return rc;
}

/* The hazard as answered after a step, read in the operation's transaction. */
static int answer(eventlog_tx *tx, struct api_op *o, const char *id)
{
    Jiefen__HazardView *v = NULL;
    int rc = hazard_get(tx->st, tx->txn, id, &v);
    if (rc == 0 && !v)
        rc = JF_ENOTFOUND;
    if (rc == 0) {
        json_decref(o->out);
        o->out = json_pack("{s:o}", "hazard", hazard_json(o->c->api, tx->txn, v));
    }
    hazard_free(&v);
    return rc;
}

static int add_apply(eventlog_tx *tx, struct api_op *o)
{
    const char *village, *title, *watcher, *text;
    int cat, risk;
    uint64_t n;
    char id[HAZARD_ID_MAX + 1];
    int rc = api_op_text(o, "village", "隐患所在村（社区）", 1, INTAKE_VILLAGE_MAX, &village);
    if (rc || (rc = api_op_text(o, "title", "隐患事项", 1, HAZARD_TITLE_MAX, &title)) ||
        (rc = api_op_choice(o, "category", "隐患类别", &ref_categories, 1, &cat)) ||
        (rc = api_op_choice(o, "risk", "风险等级", &ref_risks, 1, &risk)) ||
        (rc = api_op_text(o, "watcher", "跟踪责任人", 1, 64, &watcher)) ||
        (rc = api_op_text(o, "description", "隐患情况", 0, HAZARD_TEXT_MAX, &text)))
        return rc;
    if ((rc = hazard_next_number(tx->st, tx->txn, &n)) ||
        (rc = hazard_id_make(o->c->api->dep.cfg->node_id, n, id)))
        return rc;
    Jiefen__HazardRegistered h = JIEFEN__HAZARD_REGISTERED__INIT;
    h.hazard_id = id;
    h.village = (char *)village;
    h.title = (char *)title;
    h.category = (char *)ref_categories.entries[cat].code;
    h.risk = (Jiefen__Risk)(risk + 1);
    h.watcher = (char *)watcher;
    h.next_due_ms = hazard_next_due(h.risk, tx->now_ms);
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_HAZARD_REGISTERED;
    ev.hazard_registered = &h;
    if ((rc = append_sealed(tx, o, &ev, text)) ||
        (rc = warning_check_hazard(tx, o->c->api->dep.cfg, id)))
        return rc;
    return answer(tx, o, id);
}

/* POST /api/v1/hazards */
void route_hazard_add(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, add_apply, NULL);
}

/* The hazard a step is on (o->data: its id), if this node may take it: 0, or a refusal. */
static int step_target(eventlog_tx *tx, struct api_op *o)
{
    Jiefen__HazardView *v = NULL;
    const char *id = o->data;
    int rc = hazard_get(tx->st, tx->txn, id, &v);
    if (rc == 0 && !v)
        rc = op_refuse(o, 404, "not_found", NULL, "没有编号为 %s 的隐患", id);
    else if (rc == 0 && strcmp(v->origin, o->c->api->dep.cfg->node_id))
        rc = op_refuse(o, 403, "not_origin", NULL, "隐患 %s 由 %s 登记，只有登记节点可以办理", id,
                       v->origin);
    else if (rc == 0 && strcmp(v->state, "watching"))
        rc = op_refuse(o, 409, "not_watching", NULL, "隐患 %s %s，不能再办理", id,
                       hazard_state_name(v->state));
    hazard_free(&v);
    return rc;
}

static int checkin_apply(eventlog_tx *tx, struct api_op *o)
{
    const char *date, *note;
    int risk;
    int64_t day;
    int rc = step_target(tx, o);
    if (rc || (rc = api_op_text(o, "date", "走访日期", 1, 10, &date)))
        return rc;
    if (clock_parse_local_date(date, &day) || strlen(date) != 10)
        return op_refuse(o, 400, "invalid_field", "date", "走访日期应为 YYYY-MM-DD 格式");
    if (day > tx->now_ms)
        return op_refuse(o, 400, "invalid_field", "date", "走访日期 %s 尚未到来", date);
    if ((rc = api_op_text(o, "note", "走访情况", 1, HAZARD_TEXT_MAX, &note)) ||
        (rc = api_op_choice(o, "risk", "风险等级", &ref_risks, 0, &risk)))
        return rc;
    Jiefen__HazardView *v = NULL;
    if ((rc = hazard_get(tx->st, tx->txn, o->data, &v)))
        return rc;
    Jiefen__HazardCheckin ci = JIEFEN__HAZARD_CHECKIN__INIT;
    ci.hazard_id = o->data;
    ci.date = (char *)date;
    ci.risk = risk >= 0 ? (Jiefen__Risk)(risk + 1) : v->risk;
    ci.next_due_ms = hazard_next_due(ci.risk, tx->now_ms);
    hazard_free(&v);
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_HAZARD_CHECKIN;
    ev.hazard_checkin = &ci;
    rc = append_sealed(tx, o, &ev, note);
    return rc ? rc : answer(tx, o, o->data);
}

static int close_apply(eventlog_tx *tx, struct api_op *o)
{
    const char *result;
    int rc = step_target(tx, o);
    if (rc || (rc = api_op_text(o, "result", "化解情况", 1, HAZARD_TEXT_MAX, &result)))
        return rc;
    Jiefen__HazardClosed hc = JIEFEN__HAZARD_CLOSED__INIT;
    hc.hazard_id = o->data;
    hc.result = (char *)result;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_HAZARD_CLOSED;
    ev.hazard_closed = &hc;
    rc = op_append(tx, o, &ev);
    return rc ? rc : answer(tx, o, o->data);
}

/* ---- conversion into a case ---------------------------------------------------------- */

struct convert {
    struct api_call *c;
    struct intake *in;
    struct intake_ctx ctx;
    char id[HAZARD_ID_MAX + 1];
    char actor[65];
    int refused;           /* 1: not found here, 2: not this node's, 3: no longer watched */
    json_t *out;
};

static int convert_apply(eventlog_tx *tx, void *arg)
{
    struct convert *p = arg;
    Jiefen__HazardView *v = NULL;
    Jiefen__CaseView *cv = NULL;
    char name[ACCOUNT_NAME_MAX * 4 + 1];
    int rc = hazard_get(tx->st, tx->txn, p->id, &v);
    p->refused = rc ? 0 : !v ? 1 : strcmp(v->origin, p->ctx.node_id) ? 2
                        : strcmp(v->state, "watching") ? 3 : 0;
    hazard_free(&v);
    if (rc || p->refused)
        return rc ? rc : JF_EINVAL;
    op_set_actor(tx, p->c, p->actor, name, sizeof name);
    rc = intake_apply(tx, p->in);
    if (rc == 0) {
        Jiefen__HazardConverted hc = JIEFEN__HAZARD_CONVERTED__INIT;
        hc.hazard_id = p->id;
        hc.case_id = (char *)intake_case_id(p->in);
        Jiefen__Event ev = JIEFEN__EVENT__INIT;
        ev.body_case = JIEFEN__EVENT__BODY_HAZARD_CONVERTED;
        ev.hazard_converted = &hc;
        ev.actor = p->actor;
        rc = eventlog_append(tx, &ev, NULL, 0);
    }
    tx->actor = tx->actor_name = NULL;
    if (rc == 0 && (rc = caseindex_get(tx->st, tx->txn, intake_case_id(p->in), &cv)) == 0 && !cv)
        rc = JF_ENOTFOUND;
    if (rc == 0) {
        json_decref(p->out); /* a replayed batch makes it again */
        p->out = json_pack("{s:o}", "case", api_case_json(p->c->api, tx->txn, cv));
    }
    case_view_free(&cv);
    return rc;
}

static void convert_done(void *arg, int status)
{
    struct convert *p = arg;
    static const char *const why[] = {"", "没有编号为 %s 的隐患", "隐患 %s 不是本节点登记的",
                                      "隐患 %s 已不在监测中，不能转为案件"};
    static const int code[] = {0, 404, 403, 409};
    if (p->refused)
        reply_error(p->c, code[p->refused], p->refused == 3 ? "not_watching" : "not_found",
                    NULL, why[p->refused], p->id);
    else if (status)
        reply_store_error(p->c, status);
    else {
        log_info("hazard", "hazard %s converted into case %s", p->id, intake_case_id(p->in));
        reply_json(p->c, 201, p->out);
        p->out = NULL;
    }
    json_decref(p->out);
    intake_free(&p->in);
    free(p);
}

/* The intake form's body, then the operation: the case opened and the link recorded. */
static void hazard_convert(struct api_call *c, const http_request *r, const char *id)
{
    struct api *api = c->api;
    json_t *body = api_body(c, r);
    if (!body)
        return;
    struct convert *p = calloc(1, sizeof *p);
    struct intake_error *ie = malloc(sizeof *ie);
    int rc = p && ie ? 0 : -ENOMEM;
    if (rc == 0) {
        p->c = c;
        snprintf(p->id, sizeof p->id, "%s", id);
        snprintf(p->actor, sizeof p->actor, "%s", api_actor(c, body));
        json_object_del(body, "actor");
        p->ctx = (struct intake_ctx){api->dep.cfg->node_id, api->dep.cfg->node_name, p->actor,
                                     api->dep.cfg->tier, api->dep.policy, clock_now_ms(),
                                     api->dep.id, api->dep.search_key,
                                     api->dep.linkage_key};
        rc = intake_parse(body, &p->ctx, &p->in, ie);
    }
    json_decref(body);
    if (rc == 0 && (rc = eventlog_submit(api->dep.log, convert_apply, convert_done, p)) == 0) {
        free(ie);
        return;
    }
    if (p)
        intake_free(&p->in);
    free(p);
    if (rc == JF_EINVAL)
        reply_intake_errors(c, ie);
    else
        reply_error(c, 500, "internal", NULL, "内存不足");
    free(ie);
}

/* POST /api/v1/hazards/{id}/{checkin|close|convert} */
void route_hazard_action(struct api_call *c, const http_request *r, const char *tail)
{
    static const struct {
        const char *name;
        enum perm perm;
        op_apply_fn apply;
    } steps[] = {{"checkin", PERM_CASE_RISK, checkin_apply},
                 {"close", PERM_CASE_CLOSE, close_apply},
                 {"convert", PERM_CASE_CREATE, NULL}};
    const char *slash = strchr(tail, '/');
    size_t idlen = slash ? (size_t)(slash - tail) : 0;
    for (size_t i = 0; slash && idlen <= HAZARD_ID_MAX && i < 3; i++) {
        if (strcmp(slash + 1, steps[i].name))
            continue;
        if (api_permit(c, steps[i].perm))
            return;
        char *id = malloc(idlen + 1);
        if (!id)
            return reply_error(c, 500, "internal", NULL, "内存不足");
        memcpy(id, tail, idlen);
        id[idlen] = 0;
        if (!steps[i].apply) {
            hazard_convert(c, r, id);
            return free(id);
        }
        return op_route_data(c, r, steps[i].apply, NULL, id);
    }
    reply_error(c, 404, "not_found", NULL, "没有这个隐患操作：%s", tail);
}
