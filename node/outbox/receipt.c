#include "outbox/receipt.h"
#include "outbox/httppost.h"
#include "outbox/receiptdir.h"
#include "error.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct receipt {
    const struct config_interop *cfg;
    const struct config_interop_system *sys;
    const char *centre;
    const struct receipt_documents *docs;
    enum receipt_delivery delivery; /* decided at start from the config */
};

static const char *var(const Jiefen__NotifyPayload *p, const char *name)
{
    for (size_t i = 0; i < p->n_vars; i++)
        if (strcmp(p->vars[i]->name, name) == 0)
            return p->vars[i]->value;
    return "";
}

/* What the system's answer says, for the record. */
static void answer_note(const char *answer, char *why, size_t whylen)
{
    json_t *j = json_loads(answer, 0, NULL);
    const char *no = json_string_value(json_object_get(j, "receipt_no"));
    snprintf(why, whylen, "%s", no ? no : answer);
    json_decref(j);
}

/* A 司法确认 application: its number (not an order's) and its documents, made now. */
static json_t *application(struct receipt *r, const Jiefen__NotifyRecord *rec,
                           const Jiefen__NotifyPayload *p, enum courier_result *fail,
                           char *why, size_t whylen)
{
    json_t *docs = NULL;
    int rc = r->docs->make(r->docs->arg, rec->case_id, &docs, why, whylen);
    if (rc) {
        if (rc != JF_EINVAL)
            snprintf(why, whylen, "cannot make the application's documents (%s)",
                     jf_strerror(rc));
        *fail = rc == JF_EINVAL ? COURIER_REFUSED : COURIER_RETRY;
        return NULL;
    }
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "kind", var(p, "kind"),
                          "application_no", p->recipient, "case_id", rec->case_id, "centre",
                          r->centre, "idempotency_key", rec->idempotency_key, "documents", docs);
    if (!j)
        snprintf(why, whylen, "out of memory");
    return j;
}

static json_t *result(struct receipt *r, const Jiefen__NotifyRecord *rec,
                      const Jiefen__NotifyPayload *p, char *why, size_t whylen)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s}", "order_no", p->recipient, "case_id",
                          rec->case_id, "result", var(p, "result"), "centre", r->centre,
                          "idempotency_key", rec->idempotency_key);
    if (!j)
        snprintf(why, whylen, "out of memory");
    return j;
}

/* The JSON body of the message: what the system is sent, however it travels. NULL with why
 * (*fail: a retry or, when the case cannot make an application's documents, refused). */
static char *body_of(struct receipt *r, const Jiefen__NotifyRecord *rec,
                     const Jiefen__NotifyPayload *p, enum courier_result *fail, char *why,
                     size_t whylen)
{
    json_t *j = var(p, "kind")[0] ? application(r, rec, p, fail, why, whylen)
                                  : result(r, rec, p, why, whylen);
    if (j && var(p, "court_case_no")[0])
        json_object_set_new(j, "court_case_no", json_string(var(p, "court_case_no")));
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    if (j && !body)
        snprintf(why, whylen, "out of memory");
    json_decref(j);
    return body;
}

/* The body POSTed to the system's receipt_url. */
static enum courier_result post(struct receipt *r, const Jiefen__NotifyRecord *rec,
                                const char *body, const atomic_int *stop, char *why,
                                size_t whylen)
{
    const struct httppost_req req = {r->sys->receipt_url, r->sys->name, r->sys->key,
                                     rec->idempotency_key, body, (long)r->cfg->timeout_s};
    char answer[HTTPPOST_ANSWER_MAX], err[128];
    long status;
    if (httppost_send(&req, stop, &status, answer, err, sizeof err)) {
        snprintf(why, whylen, "%s: %s", r->sys->name, err);
        return COURIER_RETRY;
    }
    if ((status >= 200 && status < 300) || status == 409) {
        answer_note(answer, why, whylen);
        return COURIER_SENT;
    }
    snprintf(why, whylen, "%s answered HTTP %ld", r->sys->name, status);
    return status == 408 || status == 429 || status >= 500 ? COURIER_RETRY : COURIER_REFUSED;
}

/* The body written to the exchange folder (receiptdir.h): sent once it is durable there. */
static enum courier_result drop(struct receipt *r, const Jiefen__NotifyRecord *rec,
                                const Jiefen__NotifyPayload *p, const char *body, char *why,
                                size_t whylen)
{
    int rc = receiptdir_write(r->cfg->drop_dir, r->sys->name, r->sys->key, p->recipient,
                              rec->idempotency_key, body, why, whylen);
    return rc == 0 ? COURIER_SENT : rc == JF_EINVAL ? COURIER_REFUSED : COURIER_RETRY;
}

static enum courier_result receipt_send(void *ctx, const Jiefen__NotifyRecord *rec,
                                        const Jiefen__NotifyPayload *p, const atomic_int *stop,
                                        char *why, size_t whylen)
{
    struct receipt *r = ctx;
    enum courier_result fail = COURIER_RETRY;
    char *body = body_of(r, rec, p, &fail, why, whylen);
    if (!body)
        return fail;
    enum courier_result res = r->delivery == RECEIPT_FOLDER
                                  ? drop(r, rec, p, body, why, whylen)
                                  : post(r, rec, body, stop, why, whylen);
    free(body);
    return res;
}

enum receipt_delivery receipt_delivery_of(const struct config_interop *cfg,
                                          const struct config_interop_system *s)
{
    return s->receipt_url[0]                ? RECEIPT_HTTP
           : cfg->drop_dir[0] && !s->court ? RECEIPT_FOLDER
                                            : RECEIPT_NONE;
}

receipt *receipt_new(const struct config_interop *cfg, const struct config_interop_system *s,
                     const char *centre, const struct receipt_documents *docs,
                     struct courier_adapter *out)
{
    receipt *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->cfg = cfg;
    r->sys = s;
    r->centre = centre;
    r->docs = docs;
    r->delivery = receipt_delivery_of(cfg, s);
    memset(out, 0, sizeof *out);
    out->system = s->name;
    out->configured = r->delivery != RECEIPT_NONE;
    out->rules.retry_base_ms = (int64_t)cfg->retry_base_s * 1000;
    out->rules.retry_max_ms = (int64_t)cfg->retry_max_s * 1000;
    out->rules.expiry_ms = INT64_MAX / 4; /* a 回单 is owed however late */
    out->send = receipt_send;
    out->ctx = r;
    return r;
}

void receipt_free(receipt **r)
{
    if (!r || !*r)
        return;
    free(*r);
    *r = NULL;
}
