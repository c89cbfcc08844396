/*
 * config_webhook — the [webhook NAME] sections: outside subscribers told of chosen case
 * events by a signed JSON POST (node/outbox/webhook.h, docs/interop.md):
 *
 *   [webhook county_board]
 *   url = https://board.example.cn/jiefen
 *   secret = a-long-shared-secret        # signs each POST (HMAC-SHA256), >= 16 characters
 *   events = case.created,case.closed    # names of CONFIG_HOOK_*; "all" for every one
 *   max_attempts = 10                    # then the delivery is dead (投递失败)
 *   expiry_h = 72                        # not delivered by then: dead too
 *   timeout_s = 10
 *   retry_base_s = 30                    # back-off, doubled up to retry_max_s, with jitter
 *   retry_max_s = 3600
 *
 * A body carries no personal data: the case number, the event, its time, the case's status
 * and risk. Parsed by config.c; a section without url or secret stops the daemon at start.
 */
#ifndef JIEFEN_CONFIG_WEBHOOK_H
#define JIEFEN_CONFIG_WEBHOOK_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_WEBHOOKS 8
#define CONFIG_WEBHOOK_NAME_MAX 32

/* The event kinds a subscriber may choose, one bit each. */
enum config_hook_kind {
    CONFIG_HOOK_CREATED,      /* case.created: a case taken in here */
    CONFIG_HOOK_ESCALATED,    /* case.escalated: sent up to the next tier */
    CONFIG_HOOK_RETURNED,     /* case.returned: guided to the court, arbitration, review */
    CONFIG_HOOK_RISK,         /* case.risk_changed */
    CONFIG_HOOK_CLOSED,       /* case.closed: 办结 */
    CONFIG_HOOK_FOLLOWED_UP,  /* case.followed_up: 回访 recorded */
    CONFIG_HOOK_KINDS
};

struct config_webhook {
    char name[CONFIG_WEBHOOK_NAME_MAX];  /* a-z, 0-9, '_' */
    char url[512];
    char secret[256];
    unsigned events;                     /* bit (1u << kind) per chosen kind */
    int max_attempts, expiry_h, timeout_s, retry_base_s, retry_max_s;
};

struct config_webhooks {
    struct config_webhook hooks[CONFIG_WEBHOOKS];
    int n;
};

/* The name ("case.created") of a kind, or NULL. */
const char *config_hook_kind_name(int kind);

/* The kind called name, or -1. */
int config_hook_kind_parse(const char *name);

/* Sets option `name` of section "webhook NAME" (`section` is the whole section name);
 * NULL, or what is wrong (in msg or static). */
const char *config_webhook_set(struct config_webhooks *c, const char *section,
                               const char *name, const char *value, char *msg, size_t msglen);

/* NULL when every section has its url and secret, else what is missing (into msg). */
const char *config_webhook_check(const struct config_webhooks *c, char *msg, size_t msglen);

/* Writes the sections to f. */
void config_webhook_write(FILE *f, const struct config_webhooks *c);

/* The subscriber called name, or NULL. */
const struct config_webhook *config_webhook_find(const struct config_webhooks *c,
                                                 const char *name);

#endif
