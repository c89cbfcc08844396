/* api_outbox — GET /api/v1/outbox and the "sms" of a case (api_outbox.h). */
#include "api/api_outbox.h"
#include "api/api_interop.h"
#include "api/api_routes.h"
#include "error.h"
#include "outbox/outbox.h"
#include "outbox/receipt.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 100
#define LIST_MAX 1000

/* The Chinese names of the standard templates; another shows its own name. */
static const struct {
    const char *code, *name;
} template_names[] = {
    {"receipt", "受理回执"},      {"appointment", "调解时间通知"}, {"follow_up", "回访通知"},
    {"interop_receipt", "回单"},
    {"appointment_cancelled", "调解取消通知"}, {"appointment_reminder", "调解前一日提醒"},
    {"sign_reminder", "签收提醒"},   {"sign_overdue", "签收逾期提醒"},
    {"sign_overdue_director", "签收逾期（主任）"}, {"followup_assigned", "回访任务"},
    {"confirm_application", "司法确认申请"},
};

static const char *template_name(const char *code)
{
    if (strncmp(code, "case.", 5) == 0) /* a webhook's delivery, named by its event */
        return api_webhook_kind_name(code);
    for (size_t i = 0; i < sizeof template_names / sizeof template_names[0]; i++)
        if (strcmp(code, template_names[i].code) == 0)
            return template_names[i].name;
    return code;
}

static json_t *message_json(const struct api *api, const Jiefen__NotifyRecord *r)
{
    int64_t expires = r->created_ms + (int64_t)api->dep.cfg->sms.expiry_hours * 3600000LL;
    return json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:s, "
                     "s:b}",
                     "id", (json_int_t)r->id, "system", r->system, "template", r->template_,
                     "template_name", template_name(r->template_), "case_id", r->case_id,
                     "recipient", r->masked, "status", outbox_status_code(r->status),
                     "status_name", outbox_status_name(r), "attempts", (json_int_t)r->attempts,
                     "created_ms", (json_int_t)r->created_ms, "next_ms",
                     (json_int_t)(outbox_done(r->status) ? 0 : r->next_ms), "expires_ms",
                     (json_int_t)expires, "done_ms", (json_int_t)r->done_ms, "last_error",
                     r->last_error, "waiting_gateway", r->waiting_gateway);
}

struct listing {
    const struct api *api;
    json_t *out;
    int status;     /* -1: any */
    long limit;
};

static int add_message(const Jiefen__NotifyRecord *r, void *arg)
{
    struct listing *l = arg;
    if (l->status >= 0 && (int)r->status != l->status)
        return 0;
    json_t *j = message_json(l->api, r);
    if (!j || json_array_append_new(l->out, j))
        return -ENOMEM;
    return (long)json_array_size(l->out) >= l->limit ? STORE_STOP : 0;
}

json_t *api_outbox_of_case(struct api *api, MDB_txn *txn, const char *case_id, int *rc)
{
    struct listing l = {api, json_array(), -1, LIST_MAX};
    *rc = l.out ? outbox_each_of_case(api->dep.st, txn, case_id, add_message, &l) : -ENOMEM;
    if (*rc) {
        json_decref(l.out);
        return NULL;
    }
    return l.out;
}

static int count_pending(const Jiefen__NotifyRecord *r, void *arg)
{
    unsigned *n = arg;
    n[r->waiting_gateway ? JIEFEN__NOTIFY_STATUS__NOTIFY_EXPIRED + 1 : r->status]++;
    return 0;
}

void api_outbox_metrics(struct api *api, MDB_txn *txn, FILE *f)
{
    unsigned n[JIEFEN__NOTIFY_STATUS__NOTIFY_EXPIRED + 2] = {0};
    if (outbox_each_pending(api->dep.st, txn, count_pending, n))
        return;
    fprintf(f, "# HELP jiefen_outbox_pending Outbox messages not yet done, by status.\n"
               "# TYPE jiefen_outbox_pending gauge\n");
    for (int s = JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED; s <= JIEFEN__NOTIFY_STATUS__NOTIFY_SENDING; s++)
        fprintf(f, "jiefen_outbox_pending{status=\"%s\"} %u\n",
                outbox_status_code((Jiefen__NotifyStatus)s), n[s]);
    fprintf(f, "jiefen_outbox_pending{status=\"waiting_gateway\"} %u\n",
            n[JIEFEN__NOTIFY_STATUS__NOTIFY_EXPIRED + 1]);
}

/* Fills the listing and `before` from the query; NULL or the parameter that is wrong. */
static const char *parse_query(const char *q, struct listing *l, uint64_t *before)
{
    char status[64], text[32], *end;
    if (api_query_limit(q, LIST_DEFAULT, LIST_MAX, &l->limit))
        return "limit";
    if (api_query_param(q, "status", status, sizeof status) ||
        (status[0] && (l->status = outbox_status_parse(status)) < 0))
        return "status";
    if (!status[0])
        l->status = -1;
    if (api_query_param(q, "before", text, sizeof text))
        return "before";
    *before = text[0] ? strtoull(text, &end, 10) : 0;
    if (text[0] && (*end || text[0] == '-'))
        return "before";
    return NULL;
}

/* Every status, code and Chinese name, for a filter. */
static json_t *statuses_json(void)
{
    json_t *out = json_array();
    Jiefen__NotifyRecord r = JIEFEN__NOTIFY_RECORD__INIT;
    for (int s = 0; s <= JIEFEN__NOTIFY_STATUS__NOTIFY_EXPIRED; s++) {
        r.status = (Jiefen__NotifyStatus)s;
        json_array_append_new(out, json_pack("{s:s, s:s}", "code", outbox_status_code(r.status),
                                             "name", outbox_status_name(&r)));
    }
    return out;
}

/* How each [interop] system's 回单 travel (receipt.h), decided at start: code, Chinese name
 * and, for the exchange folder, where the files go. */
static json_t *receipts_json(const struct api *api)
{
    const struct config_interop *ic = &api->dep.cfg->interop;
    static const char *const codes[] = {"none", "http", "folder"};
    static const char *const names[] = {"未配置网关，等待发送", "回单地址", "交换目录"};
    json_t *out = json_array();
    for (int i = 0; out && i < ic->n_systems; i++) {
        const struct config_interop_system *s = &ic->systems[i];
        enum receipt_delivery d = receipt_delivery_of(ic, s);
        char folder[sizeof ic->drop_dir + CONFIG_INTEROP_NAME_MAX + 16] = "";
        if (!s->key[0])
            continue;
        if (d == RECEIPT_FOLDER)
            snprintf(folder, sizeof folder, "%s/%s/receipts", ic->drop_dir, s->name);
        json_array_append_new(out, json_pack("{s:s, s:s, s:b, s:s, s:s, s:s}", "system",
                                             s->name, "system_name",
                                             api_interop_system_title(api, s->name),
                                             "court", s->court, "delivery", codes[d],
                                             "delivery_name", names[d], "folder", folder));
    }
    return out;
}

void route_outbox(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct api *api = c->api;
    struct listing l = {api, NULL, -1, 0};
    uint64_t before;
    const char *bad = parse_query(r->query, &l, &before);
    if (bad)
        return reply_error(c, 400, "invalid_query", bad,
                           "查询参数 %s 无效（status：queued、held、sending、sent、delivered、"
                           "failed、expired；limit：1 至 %d；before：消息编号）",
                           bad, LIST_MAX);
    MDB_txn *txn;
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    l.out = json_array();
    rc = outbox_each(api->dep.st, txn, before, add_message, &l);
    store_txn_abort(txn);
    if (rc) {
        json_decref(l.out);
        return reply_store_error(c, rc);
    }
    const struct config_sms *sms = &api->dep.cfg->sms;
    char quiet[64];
    snprintf(quiet, sizeof quiet, "%02d:%02d-%02d:%02d", sms->quiet_start_min / 60,
             sms->quiet_start_min % 60, sms->quiet_end_min / 60, sms->quiet_end_min % 60);
    reply_json(c, 200,
               json_pack("{s:o, s:o, s:{s:b, s:s, s:i, s:i}, s:o}", "messages", l.out, "statuses",
                         statuses_json(), "gateway",
                         "configured", sms->gateway_url[0] != 0, "quiet_hours",
                         sms->quiet_start_min == sms->quiet_end_min ? "" : quiet,
                         "expiry_hours", sms->expiry_hours, "rate_per_hour",
                         sms->rate_per_hour, "receipts", receipts_json(api)));
}
