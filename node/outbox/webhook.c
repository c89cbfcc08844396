#include "outbox/webhook.h"
#include "outbox/httppost.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct webhook {
    const struct config_webhook *h;
    const char *centre;
    char system[WEBHOOK_SYSTEM_MAX];
};

void webhook_system(const char *name, char out[WEBHOOK_SYSTEM_MAX])
{
    snprintf(out, WEBHOOK_SYSTEM_MAX, "%s%s", WEBHOOK_SYSTEM, name);
}

const char *webhook_of_system(const char *system)
{
    size_t n = strlen(WEBHOOK_SYSTEM);
    return strncmp(system, WEBHOOK_SYSTEM, n) == 0 ? system + n : NULL;
}

static const char *var(const Jiefen__NotifyPayload *p, const char *name)
{
    for (size_t i = 0; i < p->n_vars; i++)
        if (strcmp(p->vars[i]->name, name) == 0)
            return p->vars[i]->value;
    return "";
}

/* The body of one delivery; NULL without memory. The caller frees it. */
static char *body_of(const struct webhook *w, const Jiefen__NotifyRecord *rec,
                     const Jiefen__NotifyPayload *p)
{
    json_t *j = json_pack("{s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:s}", "delivery_id",
                          rec->idempotency_key, "event", rec->template_, "case_id",
                          rec->case_id, "time_ms",
                          (json_int_t)strtoll(var(p, "time_ms"), NULL, 10), "status",
                          var(p, "status"), "risk", var(p, "risk"), "centre", w->centre,
                          "node", var(p, "node"));
    char *body = j ? json_dumps(j, JSON_COMPACT) : NULL;
    json_decref(j);
    return body;
}

static enum courier_result webhook_send(void *ctx, const Jiefen__NotifyRecord *rec,
                                        const Jiefen__NotifyPayload *p, const atomic_int *stop,
                                        char *why, size_t whylen)
{
    struct webhook *w = ctx;
    char *body = body_of(w, rec, p);
    if (!body) {
        snprintf(why, whylen, "out of memory");
        return COURIER_RETRY;
    }
    const struct httppost_req req = {w->h->url, "jiefen", w->h->secret, rec->idempotency_key,
                                     body, (long)w->h->timeout_s};
    char answer[HTTPPOST_ANSWER_MAX], err[128];
    long status;
    int sent = httppost_send(&req, stop, &status, answer, err, sizeof err);
    free(body);
    if (sent) {
        snprintf(why, whylen, "%s", err);
        return COURIER_RETRY;
    }
    if ((status >= 200 && status < 300) || status == 409)
        return COURIER_SENT;
    snprintf(why, whylen, "HTTP %ld", status);
    return status == 408 || status == 429 || status >= 500 ? COURIER_RETRY : COURIER_REFUSED;
}

webhook *webhook_new(const struct config_webhook *h, const char *centre,
                     struct courier_adapter *out)
{
    webhook *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->h = h;
    w->centre = centre;
    webhook_system(h->name, w->system);
    memset(out, 0, sizeof *out);
    out->system = w->system;
    out->configured = 1;
    out->rules.retry_base_ms = (int64_t)h->retry_base_s * 1000;
    out->rules.retry_max_ms = (int64_t)h->retry_max_s * 1000;
    out->rules.expiry_ms = (int64_t)h->expiry_h * 3600000LL;
    out->rules.max_attempts = (unsigned)h->max_attempts;
    out->send = webhook_send;
    out->ctx = w;
    return w;
}

void webhook_free(webhook **w)
{
    if (!w || !*w)
        return;
    free(*w);
    *w = NULL;
}
