/*
 * api_webhook — the webhooks (docs/interop.md) on the HTTP API, for administrators:
 *   GET  /api/v1/webhooks                     the [webhook NAME] subscribers and the kinds
 *   GET  /api/v1/webhooks/dead                the dead letters (投递失败), newest first
 *   POST /api/v1/webhooks/dead/{id}/retry     tried again from now (same delivery id)
 *   POST /api/v1/webhooks/dead/{id}/discard   set aside for good
 * A dead letter is a delivery failed (refused, or max_attempts reached) or expired; it
 * shows no personal data (none is ever in a delivery).
 */
#include "api/api_op.h"
#include "api/api_routes.h"
#include "error.h"
#include "outbox/outbox.h"
#include "outbox/webhook.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define DEAD_MAX 1000

/* The Chinese names of the kinds, in CONFIG_HOOK_* order. */
static const char *const kind_names[CONFIG_HOOK_KINDS] = {
    "案件受理", "案件上报", "引导至其他途径", "风险等级变更", "案件办结", "回访记录",
};

const char *api_webhook_kind_name(const char *code)
{
    int k = config_hook_kind_parse(code);
    return k >= 0 ? kind_names[k] : code;
}

static json_t *kinds_json(unsigned bits)
{
    json_t *out = json_array();
    for (int k = 0; out && k < CONFIG_HOOK_KINDS; k++)
        if (bits & (1u << k))
            json_array_append_new(out, json_pack("{s:s, s:s}", "code",
                                                 config_hook_kind_name(k), "name",
                                                 kind_names[k]));
    return out;
}

void route_webhooks(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    const struct config_webhooks *wc = &c->api->dep.cfg->webhooks;
    json_t *subs = json_array();
    for (int i = 0; subs && i < wc->n; i++) {
        const struct config_webhook *h = &wc->hooks[i];
        json_array_append_new(subs, json_pack("{s:s, s:s, s:o, s:i, s:i}", "name", h->name,
                                              "url", h->url, "events", kinds_json(h->events),
                                              "max_attempts", h->max_attempts, "expiry_h",
                                              h->expiry_h));
    }
    reply_json(c, 200, json_pack("{s:o, s:o}", "subscribers", subs, "kinds",
                                 kinds_json((1u << CONFIG_HOOK_KINDS) - 1)));
}

static json_t *dead_json(const Jiefen__NotifyRecord *r)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:s}", "id",
                     (json_int_t)r->id, "subscriber", webhook_of_system(r->system), "event",
                     r->template_, "event_name", api_webhook_kind_name(r->template_),
                     "case_id", r->case_id, "status", outbox_status_code(r->status),
                     "status_name", outbox_status_name(r), "attempts",
                     (json_int_t)r->attempts, "created_ms", (json_int_t)r->created_ms,
                     "done_ms", (json_int_t)r->done_ms, "last_error", r->last_error);
}

static int add_dead(const Jiefen__NotifyRecord *r, void *arg)
{
    json_t *out = arg;
    if (!webhook_of_system(r->system) || !outbox_dead(r))
        return 0;
    json_t *j = dead_json(r);
    if (!j || json_array_append_new(out, j))
        return -ENOMEM;
    return json_array_size(out) >= DEAD_MAX ? STORE_STOP : 0;
}

void route_webhook_dead(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    json_t *out = json_array();
    MDB_txn *txn;
    int rc = out ? store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn) : -ENOMEM;
    if (rc == 0) {
        rc = outbox_each(c->api->dep.st, txn, 0, add_dead, out);
        store_txn_abort(txn);
    }
    if (rc) {
        json_decref(out);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "dead", out));
}

struct dead_action {
    uint64_t id;
    int retry;      /* 1: retry, 0: discard */
};

static int dead_apply(eventlog_tx *tx, struct api_op *o)
{
    const struct dead_action *a = o->data;
    Jiefen__NotifyRecord *rec = NULL;
    int rc = outbox_get(tx->st, tx->txn, a->id, &rec);
    if (rc == 0 && (!rec || !webhook_of_system(rec->system)))
        rc = op_refuse(o, 404, "not_found", "id", "无此投递记录（编号 %llu）",
                       (unsigned long long)a->id);
    else if (rc == 0)
        rc = a->retry ? outbox_retry(tx->st, tx->txn, a->id, tx->now_ms)
                      : outbox_discard(tx->st, tx->txn, a->id);
    if (rc == JF_EINVAL && !o->refused)
        rc = op_refuse(o, 409, "not_dead", "id",
                       "投递记录 %llu 不在投递失败列表中（已重试、已丢弃或已送达）",
                       (unsigned long long)a->id);
    if (rec)
        jiefen__notify_record__free_unpacked(rec, NULL);
    if (rc == 0) {
        json_decref(o->out);
        o->out = json_pack("{s:I, s:s}", "id", (json_int_t)a->id, "done",
                           a->retry ? "retried" : "discarded");
    }
    return rc;
}

void route_webhook_dead_action(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r;
    char *end;
    unsigned long long id = strtoull(tail, &end, 10);
    int retry = strcmp(end, "/retry") == 0;
    if (end == tail || tail[0] == '-' || id == 0 || (!retry && strcmp(end, "/discard")))
        return reply_error(c, 404, "not_found", NULL,
                           "无此接口（POST /api/v1/webhooks/dead/编号/retry 或 discard）");
    struct dead_action *a = calloc(1, sizeof *a);
    json_t *in = a ? json_object() : NULL;
    if (!in) {
        free(a);
        return reply_error(c, 500, "internal", NULL, "内存不足");
    }
    a->id = id;
    a->retry = retry;
    op_submit_data(c, in, dead_apply, NULL, a);
}
