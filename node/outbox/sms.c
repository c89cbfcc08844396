#include "outbox/sms.h"
#include "clock.h"
#include "crypto.h"
#include "outbox/httppost.h"

#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT_MAX 1024

struct sms {
    const struct config_sms *cfg;
    const char *centre;
};

/* The value of {name} (name_len bytes), or NULL. */
static const char *var_of(const Jiefen__NotifyPayload *p, const char *case_id,
                          const char *centre, const char *name, size_t name_len)
{
    for (size_t i = 0; i < p->n_vars; i++)
        if (strlen(p->vars[i]->name) == name_len &&
            memcmp(p->vars[i]->name, name, name_len) == 0)
            return p->vars[i]->value;
    if (name_len == 7 && memcmp(name, "case_id", 7) == 0)
        return case_id;
    if (name_len == 6 && memcmp(name, "centre", 6) == 0)
        return centre;
    return NULL;
}

/* Appends n bytes of s to out (at *at of len), never cutting a UTF-8 character. */
static void put(char *out, size_t len, size_t *at, const char *s, size_t n)
{
    while (n && *at + n >= len) /* drop whole characters from the end until it fits */
        while (n && ((unsigned char)s[--n] & 0xC0) == 0x80)
            ;
    memcpy(out + *at, s, n);
    *at += n;
    out[*at] = 0;
}

void sms_render(const char *text, const Jiefen__NotifyPayload *p, const char *case_id,
                const char *centre, char *out, size_t len)
{
    size_t at = 0;
    out[0] = 0;
    while (*text) {
        const char *open = strchr(text, '{'), *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            put(out, len, &at, text, strlen(text));
            return;
        }
        const char *v = var_of(p, case_id, centre, open + 1, (size_t)(close - open - 1));
        put(out, len, &at, text, (size_t)(open - text));
        if (v)
            put(out, len, &at, v, strlen(v));
        else
            put(out, len, &at, open, (size_t)(close - open + 1));
        text = close + 1;
    }
}

static char *request_body(const struct sms *s, const struct config_sms_template *t,
                          const Jiefen__NotifyRecord *rec, const Jiefen__NotifyPayload *p)
{
    char text[TEXT_MAX];
    sms_render(t->text, p, rec->case_id, s->centre, text, sizeof text);
    json_t *params = json_object();
    for (size_t i = 0; i < p->n_vars; i++)
        json_object_set_new(params, p->vars[i]->name, json_string(p->vars[i]->value));
    json_object_set_new(params, "case_id", json_string(rec->case_id));
    json_object_set_new(params, "centre", json_string(s->centre));
    json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:s}", "phone", p->recipient,
                             "sign_name", s->cfg->sign_name, "template", rec->template_,
                             "template_id", t->gateway_id, "params", params, "text", text,
                             "idempotency_key", rec->idempotency_key);
    char *out = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    crypto_wipe(text, sizeof text);
    return out;
}

/* What an HTTP status (with its answer) means for the message. */
static enum courier_result judge(long status, const char *answer)
{
    if (status >= 200 && status < 300) {
        json_t *j = json_loads(answer, 0, NULL);
        const char *st = json_string_value(json_object_get(j, "status"));
        int delivered = st && strcmp(st, "delivered") == 0;
        json_decref(j);
        return delivered ? COURIER_DELIVERED : COURIER_SENT;
    }
    return status == 408 || status == 429 || status >= 500 ? COURIER_RETRY : COURIER_REFUSED;
}

static enum courier_result sms_send(void *ctx, const Jiefen__NotifyRecord *rec,
                                    const Jiefen__NotifyPayload *p, const atomic_int *stop,
                                    char *why, size_t whylen)
{
    struct sms *s = ctx;
    const struct config_sms_template *t = config_sms_template(s->cfg, rec->template_);
    if (!t) {
        snprintf(why, whylen, "no template \"%s\" in [sms]", rec->template_);
        return COURIER_REFUSED;
    }
    char *body = request_body(s, t, rec, p);
    if (!body) {
        snprintf(why, whylen, "out of memory");
        return COURIER_RETRY;
    }
    const struct httppost_req req = {s->cfg->gateway_url, s->cfg->app_key, s->cfg->app_secret,
                                     rec->idempotency_key, body, (long)s->cfg->timeout_s};
    char answer[HTTPPOST_ANSWER_MAX], err[128];
    long status;
    int sent = httppost_send(&req, stop, &status, answer, err, sizeof err);
    crypto_wipe(body, strlen(body));
    free(body);
    if (sent) {
        snprintf(why, whylen, "gateway: %s", err);
        return COURIER_RETRY;
    }
    enum courier_result r = judge(status, answer);
    if (r == COURIER_RETRY || r == COURIER_REFUSED)
        snprintf(why, whylen, "gateway answered HTTP %ld", status);
    return r;
}

sms *sms_new(const struct config_sms *cfg, const char *centre, struct courier_adapter *out)
{
    sms *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cfg = cfg;
    s->centre = centre;
    memset(out, 0, sizeof *out);
    out->system = "sms";
    out->configured = cfg->gateway_url[0] != 0;
    outbox_rules_from_sms(cfg, &out->rules);
    out->send = sms_send;
    out->ctx = s;
    return s;
}

void sms_free(sms **s)
{
    if (!s || !*s)
        return;
    free(*s);
    *s = NULL;
}
