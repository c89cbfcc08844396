/*
 * config_sms — the [sms] section of the node's configuration: the HTTP SMS gateway (URL,
 * credentials, sign name), how the outbox delivers (timeout, retries, expiry, quiet hours,
 * per-number rate) and the message templates, each a Chinese text with {name} placeholders
 * and the gateway's id of the same template:
 *
 *   [sms]
 *   gateway_url = https://sms.example.cn/send
 *   quiet_hours = 21:00-08:00
 *   template.receipt = 您的纠纷已受理，案号{case_id}。
 *   template_id.receipt = SMS_0001
 *
 * Parsed by config.c (config_load), which hands this section's lines here.
 */
#ifndef JIEFEN_CONFIG_SMS_H
#define JIEFEN_CONFIG_SMS_H

#include <stddef.h>
#include <stdio.h>

#define CONFIG_SMS_TEMPLATES 16
#define CONFIG_SMS_NAME_MAX 32

struct config_sms_template {
    char name[CONFIG_SMS_NAME_MAX];
    char text[512];           /* Chinese, {case_id}-style placeholders */
    char gateway_id[64];      /* the gateway's id of this template; "" for none */
};

struct config_sms {
    char gateway_url[512];    /* "" : no gateway, messages wait */
    char app_key[128];
    char app_secret[256];     /* signs each request (HMAC-SHA256) */
    char sign_name[64];       /* 短信签名, e.g. 东村调解中心 */
    int timeout_s;            /* one request, connection included */
    int expiry_hours;         /* a message not sent by then is expired */
    int quiet_start_min;      /* quiet hours, minutes of the local day; start == end: none */
    int quiet_end_min;
    int rate_per_hour;        /* messages to one number in an hour at most; 0: no limit */
    int retry_base_s;         /* first back-off, doubled each attempt ... */
    int retry_max_s;          /* ... up to this */
    struct config_sms_template templates[CONFIG_SMS_TEMPLATES];
    int n_templates;
};

/* The defaults: no gateway, quiet 21:00-08:00, expiry 24 h, the standard templates
 * (receipt, appointment, follow_up). */
void config_sms_defaults(struct config_sms *s);

/* Sets option `name` of [sms] from text; NULL, or what is wrong (in msg or static). */
const char *config_sms_set(struct config_sms *s, const char *name, const char *value,
                           char *msg, size_t msglen);

/* Writes the [sms] section, commented, to f. */
void config_sms_write(FILE *f, const struct config_sms *s);

/* The template called name, or NULL. */
const struct config_sms_template *config_sms_template(const struct config_sms *s,
                                                      const char *name);

/* Parses "HH:MM-HH:MM" (or "none") into minutes of the day. 0 or -1. */
int config_sms_parse_quiet(const char *v, int *start_min, int *end_min);

/* Shared by the config's sections: copies v into field (size bytes), or "is too long". */
const char *config_set_text(char *field, size_t size, const char *v);

/* A whole number from min to max into *field, or what is wrong (in msg). */
const char *config_set_int(int *field, const char *v, long min, long max, char *msg,
                           size_t msglen);

#endif
