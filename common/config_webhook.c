#include "config_webhook.h"
#include "config_sms.h"

#include <stdlib.h>
#include <string.h>

#define NAME_CHARS "abcdefghijklmnopqrstuvwxyz_0123456789"

static const char *const kind_names[CONFIG_HOOK_KINDS] = {
    "case.created", "case.escalated", "case.returned",
    "case.risk_changed", "case.closed", "case.followed_up",
};

const char *config_hook_kind_name(int kind)
{
    return kind >= 0 && kind < CONFIG_HOOK_KINDS ? kind_names[kind] : NULL;
}

int config_hook_kind_parse(const char *name)
{
    for (int k = 0; k < CONFIG_HOOK_KINDS; k++)
        if (strcmp(name, kind_names[k]) == 0)
            return k;
    return -1;
}

/* The subscriber of section "webhook NAME", added with its defaults if new; NULL with
 * *why set when the name is wrong or there are too many. */
static struct config_webhook *hook_of(struct config_webhooks *c, const char *section,
                                      const char **why)
{
    const char *name = section + strlen("webhook ");
    size_t n = strlen(name);
    if (n == 0 || n >= CONFIG_WEBHOOK_NAME_MAX || strspn(name, NAME_CHARS) != n) {
        *why = "needs a subscriber name of a-z, 0-9 and '_' ([webhook NAME])";
        return NULL;
    }
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->hooks[i].name, name) == 0)
            return &c->hooks[i];
    if (c->n >= CONFIG_WEBHOOKS) {
        *why = "is one subscriber too many";
        return NULL;
    }
    struct config_webhook *h = &c->hooks[c->n++];
    memset(h, 0, sizeof *h);
    memcpy(h->name, name, n + 1);
    h->max_attempts = 10;
    h->expiry_h = 72;
    h->timeout_s = 10;
    h->retry_base_s = 30;
    h->retry_max_s = 3600;
    return h;
}

/* "case.created,case.closed" or "all" into *bits; NULL or what is wrong (into msg). */
static const char *set_events(unsigned *bits, const char *v, char *msg, size_t msglen)
{
    char list[512], *save = NULL;
    if (strcmp(v, "all") == 0) {
        *bits = (1u << CONFIG_HOOK_KINDS) - 1;
        return NULL;
    }
    if (strlen(v) >= sizeof list)
        return "is too long";
    strcpy(list, v);
    *bits = 0;
    for (char *t = strtok_r(list, ", ", &save); t; t = strtok_r(NULL, ", ", &save)) {
        int k = config_hook_kind_parse(t);
        if (k < 0) {
            snprintf(msg, msglen, "names an unknown event \"%s\" (case.created, "
                     "case.escalated, case.returned, case.risk_changed, case.closed, "
                     "case.followed_up or all)", t);
            return msg;
        }
        *bits |= 1u << k;
    }
    return *bits ? NULL : "must name at least one event";
}

const char *config_webhook_set(struct config_webhooks *c, const char *section,
                               const char *name, const char *v, char *msg, size_t msglen)
{
    const char *why = NULL;
    struct config_webhook *h = hook_of(c, section, &why);
    if (!h)
        return why;
    if (strcmp(name, "url") == 0)
        return strncmp(v, "http://", 7) && strncmp(v, "https://", 8)
                   ? "must start with http:// or https://"
                   : config_set_text(h->url, sizeof h->url, v);
    if (strcmp(name, "secret") == 0)
        return strlen(v) < 16 ? "must be at least 16 characters"
                              : config_set_text(h->secret, sizeof h->secret, v);
    if (strcmp(name, "events") == 0)
        return set_events(&h->events, v, msg, msglen);
    if (strcmp(name, "max_attempts") == 0)
        return config_set_int(&h->max_attempts, v, 1, 1000, msg, msglen);
    if (strcmp(name, "expiry_h") == 0)
        return config_set_int(&h->expiry_h, v, 1, 24 * 365, msg, msglen);
    if (strcmp(name, "timeout_s") == 0)
        return config_set_int(&h->timeout_s, v, 1, 300, msg, msglen);
    if (strcmp(name, "retry_base_s") == 0)
        return config_set_int(&h->retry_base_s, v, 1, 86400, msg, msglen);
    if (strcmp(name, "retry_max_s") == 0)
        return config_set_int(&h->retry_max_s, v, 1, 86400, msg, msglen);
    return "is no option of a webhook (url, secret, events, max_attempts, expiry_h, "
           "timeout_s, retry_base_s, retry_max_s)";
}

const char *config_webhook_check(const struct config_webhooks *c, char *msg, size_t msglen)
{
    for (int i = 0; i < c->n; i++) {
        const struct config_webhook *h = &c->hooks[i];
        const char *missing = !h->url[0] ? "url" : !h->secret[0] ? "secret"
                              : !h->events ? "events" : NULL;
        if (missing) {
            snprintf(msg, msglen, "[webhook %s] needs %s", h->name, missing);
            return msg;
        }
    }
    return NULL;
}

void config_webhook_write(FILE *f, const struct config_webhooks *c)
{
    for (int i = 0; i < c->n; i++) {
        const struct config_webhook *h = &c->hooks[i];
        fprintf(f, "\n[webhook %s]\nurl = %s\nsecret = %s\nevents = ", h->name, h->url,
                h->secret);
        const char *sep = "";
        for (int k = 0; k < CONFIG_HOOK_KINDS; k++)
            if (h->events & (1u << k)) {
                fprintf(f, "%s%s", sep, kind_names[k]);
                sep = ",";
            }
        fprintf(f, "\nmax_attempts = %d\nexpiry_h = %d\ntimeout_s = %d\nretry_base_s = %d\n"
                   "retry_max_s = %d\n",
                h->max_attempts, h->expiry_h, h->timeout_s, h->retry_base_s, h->retry_max_s);
    }
}

const struct config_webhook *config_webhook_find(const struct config_webhooks *c,
                                                 const char *name)
{
    for (int i = 0; i < c->n; i++)
        if (strcmp(c->hooks[i].name, name) == 0)
            return &c->hooks[i];
    return NULL;
}
