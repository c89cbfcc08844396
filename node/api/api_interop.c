/*
 * api_interop — 信息互通 on the HTTP API: POST /api/v1/interop/orders (a work order from an
 * outside system of [interop], signed with its key: no session or token), GET
 * /api/v1/interop/refused (the orders refused, for administrators) and the "interop" of a
 * case (api_interop_of_case). See docs/interop.md.
 *
 * Authorization: JF-HMAC <system>:<timestamp ms>:<hex HMAC-SHA256(key, timestamp "\n" body)>
 * within INTEROP_WINDOW_MS of the node's clock. A signed order that is malformed is refused
 * (400, naming what is wrong) and kept in the refused list, its body sealed; nothing else
 * is made. The same (system, order_no) again answers 200 with the first case.
 */
#include "api/api_interop.h"
#include "api/api_core.h"
#include "api/api_routes.h"
#include "case/interop.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "outbox/httppost.h"
#include "outbox/outbox.h"
#include "utf8.h"
#include "case/linkage.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INTEROP_WINDOW_MS (5 * 60 * 1000LL)
#define SCHEME "JF-HMAC "

const struct config_interop_system *api_interop_authenticate(struct api_call *c,
                                                             const http_request *r)
{
    char sys[CONFIG_INTEROP_NAME_MAX], ts[24], sig[65], want[65];
    const char *a = r->authorization;
    if (strncmp(a, SCHEME, strlen(SCHEME)) ||
        sscanf(a + strlen(SCHEME), "%31[a-z0-9_]:%23[0-9]:%64[0-9a-f]", sys, ts, sig) != 3) {
        reply_error(c, 401, "unauthorized", "Authorization",
                    "缺少外部系统签名（Authorization: JF-HMAC 系统:时间戳:签名）");
        return NULL;
    }
    const struct config_interop_system *s = config_interop_system(&c->api->dep.cfg->interop, sys);
    if (!s) {
        reply_error(c, 401, "unknown_system", "Authorization", "未配置的外部系统“%s”", sys);
        return NULL;
    }
    long long t = strtoll(ts, NULL, 10), now = (long long)clock_now_ms();
    if (t < now - INTEROP_WINDOW_MS || t > now + INTEROP_WINDOW_MS) {
        reply_error(c, 401, "stale_request", "Authorization",
                    "请求时间戳超出允许的5分钟范围，请核对系统时钟");
        return NULL;
    }
    httppost_sign(s->key, ts, r->body, want);
    if (strlen(sig) != 64 || sodium_memcmp(sig, want, 64)) {
        reply_error(c, 401, "bad_signature", "Authorization", "签名不符，请核对密钥");
        return NULL;
    }
    return s;
}

struct pending_order {
    struct api *api;
    interop_done_fn done;     /* how it ends: an HTTP answer, or the drop folder's move */
    void *done_arg;
    const char *via;          /* api | folder */
    struct interop_take take;
    struct interop_refusal refusal;
    struct intake_ctx ctx;
    char system[CONFIG_INTEROP_NAME_MAX];
    char order_no[INTEROP_ORDER_NO_MAX + 1];
    char court_case_no[INTEROP_ORDER_NO_MAX * 2 + 1];   /* 诉前委派's 案号 */
    char reason[256];
    char *body;               /* the refused body, kept sealed */
    json_t *error;            /* the answer to a refusal */
};

static void pending_free(struct pending_order *p)
{
    intake_free(&p->take.in);
    json_decref(p->error);
    free(p->body);
    free(p);
}

/* Ends p with an answer (stolen) or, when rc, a store error or no memory. */
static void finish(struct pending_order *p, int rc, int status, json_t *answer)
{
    p->done(p->done_arg, rc, status, answer);
    pending_free(p);
}

static int refuse_apply(eventlog_tx *tx, void *arg)
{
    struct pending_order *p = arg;
    return interop_refuse_apply(tx, &p->refusal);
}

static void refused_done(void *arg, int status)
{
    struct pending_order *p = arg;
    json_t *e = p->error;
    p->error = NULL;
    if (status == 0)
        log_info("interop", "order %s of %s refused: %s", p->order_no, p->system,
                 p->refusal.rec.code);
    finish(p, status, 400, e);
}

/* Keeps the refusal (code, Chinese reason, the body sealed), then answers 400 with error
 * (stolen). */
static void refuse(struct pending_order *p, const http_request *r, const char *code,
                   const char *field, const char *reason, json_t *errors)
{
    Jiefen__InteropRefused rec = JIEFEN__INTEROP_REFUSED__INIT;
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", reason);
    if (field && field[0])
        json_object_set_new(e, "field", json_string(field));
    if (errors)
        json_object_set_new(e, "errors", errors);
    p->error = json_pack("{s:o}", "error", e);
    p->body = malloc(r->body_len + 1);
    rec.system = p->system;
    rec.order_no = p->order_no;
    rec.code = (char *)code;
    rec.via = (char *)p->via;
    if (p->body) {
        memcpy(p->body, r->body, r->body_len + 1);
        snprintf(p->reason, sizeof p->reason, "%s", reason);
        rec.reason = p->reason;
        p->refusal = (struct interop_refusal){rec, p->body, r->body_len};
    }
    if (!p->body || !p->error ||
        eventlog_submit(p->api->dep.log, refuse_apply, refused_done, p))
        finish(p, -ENOMEM, 0, NULL);
}

static int take_apply(eventlog_tx *tx, void *arg)
{
    struct pending_order *p = arg;
    return interop_take_apply(tx, &p->take);
}

static void taken_done(void *arg, int status)
{
    struct pending_order *p = arg;
    if (status == 0 && !p->take.duplicate)
        log_info("interop", "order %s of %s taken in as case %s", p->order_no, p->system,
                 p->take.case_id);
    json_t *a = status ? NULL
                       : json_pack("{s:s, s:s, s:s, s:b}", "system", p->system, "order_no",
                                   p->order_no, "case_id", p->take.case_id, "duplicate",
                                   p->take.duplicate);
    finish(p, status ? status : a ? 0 : -ENOMEM, p->take.duplicate ? 200 : 201, a);
}

/* The order number of body into p->order_no, or the reason it is not one. */
static const char *order_no_of(const json_t *body, struct pending_order *p)
{
    const char *no = json_string_value(json_object_get(body, "order_no"));
    if (!no || !no[0])
        return "缺少工单号（order_no）";
    size_t n = strlen(no);
    if (n > INTEROP_ORDER_NO_MAX ||
        strspn(no, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != n)
        return "工单号只能由字母、数字、“-”和“_”组成，最多64个字符";
    memcpy(p->order_no, no, n + 1);
    return NULL;
}

/* The source of an order from system: the hotline's, a court's, else 转交. */
static const char *default_source(const char *system, int court)
{
    return court ? "court" : strcmp(system, "12345") == 0 ? "hotline_12345" : "referral";
}

/* 诉前委派: the "court" object of a court's order ({"case_no", "deadline": "YYYY-MM-DD",
 * not before today}) into p->take; NULL, or the reason it is wrong with its field. */
static const char *court_of(const json_t *body, struct pending_order *p, const char **field)
{
    const json_t *c = json_object_get(body, "court");
    const char *no = json_string_value(json_object_get(c, "case_no"));
    const char *day = json_string_value(json_object_get(c, "deadline"));
    int64_t ms;
    *field = "court.case_no";
    if (!no || !no[0])
        return "缺少法院案号（court.case_no）";
    if (strlen(no) >= sizeof p->court_case_no || !utf8_valid(no) || strpbrk(no, "\r\n\t"))
        return "法院案号不是有效的文字，或超过128字节";
    *field = "court.deadline";
    if (!day)
        return "缺少委派调解期限（court.deadline，YYYY-MM-DD）";
    if (clock_parse_local_date(day, &ms))
        return "委派调解期限不是有效日期（YYYY-MM-DD）";
    ms = clock_local_day_end(ms);
    if (ms <= clock_now_ms())
        return "委派调解期限已过";
    snprintf(p->court_case_no, sizeof p->court_case_no, "%s", no);
    p->take.court_case_no = p->court_case_no;
    p->take.deadline_ms = ms;
    return NULL;
}

/* The order body (parsed) of system p->system: an answer for one already here, a refusal
 * kept, or the intake submitted. */
static void take_order(struct pending_order *p, const http_request *r, json_t *body)
{
    struct api *api = p->api;
    const char *why = order_no_of(body, p), *field;
    const struct config_interop_system *sys = config_interop_system(&api->dep.cfg->interop,
                                                                    p->system);
    int court = sys && sys->court;
    if (why)
        return refuse(p, r, "invalid_field", "order_no", why, NULL);
    MDB_txn *txn;
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = interop_find(api->dep.st, txn, p->system, p->order_no, p->take.case_id);
        store_txn_abort(txn);
    }
    if (rc == 0) {
        p->take.duplicate = 1;
        return taken_done(p, 0);
    }
    if (rc != JF_ENOTFOUND)
        return finish(p, rc, 0, NULL);
    if (court && (why = court_of(body, p, &field)))
        return refuse(p, r, strstr(why, "缺少") ? "missing_field" : "invalid_field", field, why,
                      NULL);
    json_t *d = json_object_get(body, "dispute");
    if (!json_is_object(d))
        return refuse(p, r, "missing_field", "dispute", "缺少纠纷内容（dispute 对象）", NULL);
    if (!json_object_get(d, "source"))
        json_object_set_new(d, "source", json_string(default_source(p->system, court)));
    p->ctx = (struct intake_ctx){api->dep.cfg->node_id, api->dep.cfg->node_name, "system",
                                 api->dep.cfg->tier,    api->dep.policy,
                                 clock_now_ms(),        api->dep.id,
                                 api->dep.search_key,   api->dep.linkage_key};
    struct intake_error *ie = malloc(sizeof *ie);
    rc = ie ? intake_parse(d, &p->ctx, &p->take.in, ie) : -ENOMEM;
    if (rc == JF_EINVAL) {
        char field[80];
        snprintf(field, sizeof field, "dispute.%s", ie->field);
        json_t *all = json_array();
        for (size_t i = 0; i < ie->count; i++)
            json_array_append_new(all, json_pack("{s:s, s:s, s:s}", "code", ie->all[i].code,
                                                 "field", ie->all[i].field, "message",
                                                 ie->all[i].message));
        refuse(p, r, ie->code, field, ie->message, all);
    } else if (rc || (rc = eventlog_submit(api->dep.log, take_apply, taken_done, p))) {
        finish(p, rc, 0, NULL);
    }
    free(ie);
}

void api_interop_take(struct api *api, const char *system, const char *body, size_t len,
                      const char *via, interop_done_fn done, void *arg)
{
    struct pending_order *p = calloc(1, sizeof *p);
    if (!p)
        return done(arg, -ENOMEM, 0, NULL);
    *p = (struct pending_order){.api = api, .done = done, .done_arg = arg, .via = via};
    snprintf(p->system, sizeof p->system, "%s", system);
    p->take.system = p->system;
    p->take.order_no = p->order_no;
    const http_request r = {.body = body, .body_len = len};
    json_error_t jerr;
    json_t *j = json_loadb(body, len, 0, &jerr);
    if (!json_is_object(j)) {
        json_decref(j);
        return refuse(p, &r, "invalid_json", "", "工单不是有效的JSON对象", NULL);
    }
    take_order(p, &r, j);
    json_decref(j);
}

static void answer_call(void *arg, int rc, int status, json_t *answer)
{
    struct api_call *c = arg;
    if (rc == -ENOMEM)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    if (rc)
        return reply_store_error(c, rc);
    reply_json(c, status, answer);
}

void route_interop_order(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    const struct config_interop_system *s = api_interop_authenticate(c, r);
    if (s)
        api_interop_take(c->api, s->name, r->body, r->body_len, "api", answer_call, c);
}

const char *api_interop_system_title(const struct api *api, const char *system)
{
    const struct config_interop_system *s = config_interop_system(&api->dep.cfg->interop, system);
    return s && s->title[0] ? s->title : api_interop_system_name(system);
}

json_t *api_interop_courts(const struct api *api)
{
    const struct config_interop *io = &api->dep.cfg->interop;
    json_t *list = json_array();
    for (int i = 0; list && i < io->n_systems; i++) {
        const struct config_interop_system *s = &io->systems[i];
        if (s->court && s->key[0] &&
            json_array_append_new(list, json_pack("{s:s, s:s}", "code", s->name, "name",
                                                  api_interop_system_title(api, s->name)))) {
            json_decref(list);
            return NULL;
        }
    }
    return list;
}

static const char *result_name(const char *result)
{
    return strcmp(result, "closed") == 0         ? "已办结"
           : strcmp(result, "returned") == 0     ? "非本中心受理范围，已退回"
           : strcmp(result, "transferred") == 0  ? "已转上级办理"
           : strcmp(result, "agreement") == 0    ? "调解成功，达成协议"
           : strcmp(result, "no_agreement") == 0 ? "调解不成，退回法院"
           : strcmp(result, "withdrawn") == 0    ? "当事人撤回申请"
                                                 : "";
}

/* 诉前委派: the court's 案号 and deadline on a case's "interop" (out). */
static int add_court(json_t *out, const Jiefen__InteropOrder *o)
{
    char day[24];
    if (!o->court_case_no[0])
        return 0;
    clock_format_local(o->deadline_ms - 1, day, sizeof day);
    day[10] = 0; /* the last day it may take: YYYY-MM-DD */
    return json_object_set_new(out, "court",
                               json_pack("{s:s, s:s, s:I}", "case_no", o->court_case_no,
                                         "deadline", day, "deadline_ms",
                                         (json_int_t)o->deadline_ms));
}

json_t *api_interop_of_case(struct api *api, MDB_txn *txn, const char *case_id, int *rc)
{
    Jiefen__InteropOrder *o;
    Jiefen__NotifyRecord *m = NULL;
    if ((*rc = interop_order_of_case(api->dep.st, txn, case_id, &o)))
        return NULL;
    if (!o)
        return json_null();
    if (o->receipt_id && (*rc = outbox_get(api->dep.st, txn, o->receipt_id, &m))) {
        jiefen__interop_order__free_unpacked(o, NULL);
        return NULL;
    }
    json_t *receipt = m ? json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:s, s:s}", "result",
                                    o->result, "result_name", result_name(o->result),
                                    "status", outbox_status_code(m->status), "status_name",
                                    outbox_status_name(m), "attempts", (json_int_t)m->attempts,
                                    "done_ms", (json_int_t)m->done_ms, "answer", m->answer,
                                    "last_error", m->last_error)
                        : json_null();
    json_t *out = json_pack("{s:s, s:s, s:s, s:I, s:o}", "system", o->system, "system_name",
                            api_interop_system_title(api, o->system), "order_no", o->order_no,
                            "received_ms", (json_int_t)o->received_ms, "receipt", receipt);
    if (out && add_court(out, o)) {
        json_decref(out);
        out = NULL;
    }
    if (m)
        jiefen__notify_record__free_unpacked(m, NULL);
    jiefen__interop_order__free_unpacked(o, NULL);
    if (!out)
        *rc = -ENOMEM;
    return out;
}

const char *api_interop_system_name(const char *system)
{
    return strcmp(system, "12345") == 0     ? "12345热线"
           : strcmp(system, "xinfang") == 0 ? "信访系统"
                                            : system;
}

struct refused_list {
    const struct api *api;
    json_t *list;
};

static int add_refused(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__InteropRefused *rf = (const Jiefen__InteropRefused *)m;
    struct refused_list *l = arg;
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:I, s:s}", "id", (json_int_t)rf->id,
                          "system", rf->system, "system_name", api_interop_system_title(l->api, rf->system),
                          "order_no", rf->order_no, "code", rf->code, "reason", rf->reason,
                          "received_ms", (json_int_t)rf->received_ms, "via", rf->via);
    return !j || json_array_append_new(l->list, j) ? -ENOMEM : 0;
}

void route_interop_refused(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    json_t *out = json_array();
    MDB_txn *txn;
    int rc = out ? store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn) : -ENOMEM;
    if (rc == 0) {
        struct refused_list l = {c->api, out};
        rc = interop_each_refused(c->api->dep.st, txn, add_refused, &l);
        store_txn_abort(txn);
    }
    if (rc) {
        json_decref(out);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "refused", out));
}

/* ---- court filings by linkage tag (docs/interop.md) -------------------------------- */

struct pending_filings {
    struct api_call *c;
    json_t *body;
    size_t added, received;
    char err[64];
};

static int filings_apply(eventlog_tx *tx, void *arg)
{
    struct pending_filings *p = arg;
    return linkage_filings_add(tx->st, tx->txn, p->body, &p->added, p->err, sizeof p->err);
}

static void filings_done(void *arg, int status)
{
    struct pending_filings *p = arg;
    if (status)
        reply_store_error(p->c, status);
    else
        reply_json(p->c, 200, json_pack("{s:I, s:I}", "received", (json_int_t)p->received,
                                        "added", (json_int_t)p->added));
    json_decref(p->body);
    free(p);
}

/* The fault of linkage_filings_check ("filings" or "filings[I].FIELD") in words. */
static void refuse_filing(struct api_call *c, const char *err)
{
    size_t i;
    char what[16];
    if (sscanf(err, "filings[%zu].%15s", &i, what) != 2)
        return reply_error(c, 400, "invalid_field", err,
                           "起诉登记须为 filings 列表，每次 1 至 10000 条");
    const char *name = strcmp(what, "tag") == 0       ? "关联标记（32 位小写十六进制）"
                       : strcmp(what, "village") == 0 ? "村节点编号"
                                                      : "立案日期（YYYY-MM-DD）";
    reply_error(c, 400, "invalid_field", err, "第 %zu 条起诉登记的%s有误", i + 1, name);
}

static void take_filings(struct api_call *c, const http_request *r)
{
    char err[64];
    json_t *body = api_body(c, r);
    if (!body)
        return;
    if (linkage_filings_check(body, err, sizeof err)) {
        json_decref(body);
        return refuse_filing(c, err);
    }
    struct pending_filings *p = calloc(1, sizeof *p);
    if (p)
        *p = (struct pending_filings){c, body, 0,
                                      json_array_size(json_object_get(body, "filings")), ""};
    if (!p || eventlog_submit(c->api->dep.log, filings_apply, filings_done, p)) {
        json_decref(body);
        free(p);
        return reply_error(c, 500, "internal", NULL, "内存不足");
    }
}

void route_interop_filings(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    if (api_interop_authenticate(c, r))
        take_filings(c, r);
}

void route_linkage_filings(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    take_filings(c, r);
}
