#include "config_sms.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct config_sms_template default_templates[] = {
    {"receipt", "您的纠纷已由{centre}受理，案号{case_id}，请凭案号查询办理进度。", ""},
    {"appointment", "您的纠纷（案号{case_id}）定于{time}在{place}调解，请准时参加。", ""},
    {"follow_up", "您的纠纷（案号{case_id}）已办结，{centre}将于{date}前回访，请留意来电。", ""},
    {"appointment_cancelled", "您的纠纷（案号{case_id}）原定于{time}在{place}的调解已取消，另行通知。", ""},
    {"appointment_reminder", "提醒：您的纠纷（案号{case_id}）将于{time}在{place}调解，请准时参加。", ""},
    {"sign_reminder", "{department}：案件{case_id}已分流至你部门，请于{deadline}前签收。", ""},
    {"sign_overdue", "{department}：案件{case_id}签收已逾期（时限{deadline}），请尽快签收或退回。", ""},
    {"sign_overdue_director", "案件{case_id}分流至{department}，签收已逾期（时限{deadline}），请督促。", ""},
    {"followup_assigned", "案件{case_id}已办结，回访由您负责，请于{date}前完成。", ""},
};

void config_sms_defaults(struct config_sms *s)
{
    memset(s, 0, sizeof *s);
    s->timeout_s = 10;
    s->expiry_hours = 24;
    s->quiet_start_min = 21 * 60;
    s->quiet_end_min = 8 * 60;
    s->rate_per_hour = 5;
    s->retry_base_s = 30;
    s->retry_max_s = 3600;
    s->n_templates = sizeof default_templates / sizeof default_templates[0];
    memcpy(s->templates, default_templates, sizeof default_templates);
}

const struct config_sms_template *config_sms_template(const struct config_sms *s,
                                                      const char *name)
{
    for (int i = 0; i < s->n_templates; i++)
        if (strcmp(s->templates[i].name, name) == 0)
            return &s->templates[i];
    return NULL;
}

int config_sms_parse_quiet(const char *v, int *start_min, int *end_min)
{
    unsigned h1, m1, h2, m2;
    char tail;
    if (strcmp(v, "none") == 0) {
        *start_min = *end_min = 0;
        return 0;
    }
    if (sscanf(v, "%2u:%2u-%2u:%2u%c", &h1, &m1, &h2, &m2, &tail) != 4 || h1 > 23 || h2 > 23 ||
        m1 > 59 || m2 > 59)
        return -1;
    *start_min = (int)(h1 * 60 + m1);
    *end_min = (int)(h2 * 60 + m2);
    return 0;
}

const char *config_set_text(char *field, size_t size, const char *v)
{
    if (strlen(v) >= size)
        return "is too long";
    memcpy(field, v, strlen(v) + 1);
    return NULL;
}

const char *config_set_int(int *field, const char *v, long min, long max, char *msg,
                           size_t msglen)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < min || n > max) {
        snprintf(msg, msglen, "must be a whole number from %ld to %ld", min, max);
        return msg;
    }
    *field = (int)n;
    return NULL;
}

/* template.NAME or template_id.NAME: the template called NAME, added if new. */
static const char *set_template(struct config_sms *s, const char *name, const char *v)
{
    int is_id = strncmp(name, "template_id.", 12) == 0;
    const char *tname = name + (is_id ? 12 : 9);
    size_t n = strlen(tname);
    if (n == 0 || n >= CONFIG_SMS_NAME_MAX || strspn(tname, "abcdefghijklmnopqrstuvwxyz_0123456789") != n)
        return "needs a template name of a-z, 0-9 and '_' after the dot";
    struct config_sms_template *t = (struct config_sms_template *)config_sms_template(s, tname);
    if (!t) {
        if (s->n_templates >= CONFIG_SMS_TEMPLATES)
            return "is one template too many";
        t = &s->templates[s->n_templates++];
        memset(t, 0, sizeof *t);
        memcpy(t->name, tname, n + 1);
    }
    if (!is_id && !v[0])
        return "must not be empty";
    return is_id ? config_set_text(t->gateway_id, sizeof t->gateway_id, v)
                 : config_set_text(t->text, sizeof t->text, v);
}

const char *config_sms_set(struct config_sms *s, const char *name, const char *v, char *msg,
                           size_t msglen)
{
    if (strncmp(name, "template.", 9) == 0 || strncmp(name, "template_id.", 12) == 0)
        return set_template(s, name, v);
    if (strcmp(name, "gateway_url") == 0) {
        if (v[0] && strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
            return "must start with http:// or https:// (or be empty: no gateway)";
        return config_set_text(s->gateway_url, sizeof s->gateway_url, v);
    }
    if (strcmp(name, "app_key") == 0)
        return config_set_text(s->app_key, sizeof s->app_key, v);
    if (strcmp(name, "app_secret") == 0)
        return config_set_text(s->app_secret, sizeof s->app_secret, v);
    if (strcmp(name, "sign_name") == 0)
        return config_set_text(s->sign_name, sizeof s->sign_name, v);
    if (strcmp(name, "quiet_hours") == 0)
        return config_sms_parse_quiet(v, &s->quiet_start_min, &s->quiet_end_min)
                   ? "must be HH:MM-HH:MM (e.g. 21:00-08:00) or none"
                   : NULL;
    if (strcmp(name, "timeout_s") == 0)
        return config_set_int(&s->timeout_s, v, 1, 300, msg, msglen);
    if (strcmp(name, "expiry_hours") == 0)
        return config_set_int(&s->expiry_hours, v, 1, 720, msg, msglen);
    if (strcmp(name, "rate_per_hour") == 0)
        return config_set_int(&s->rate_per_hour, v, 0, 1000, msg, msglen);
    if (strcmp(name, "retry_base_s") == 0)
        return config_set_int(&s->retry_base_s, v, 1, 86400, msg, msglen);
    if (strcmp(name, "retry_max_s") == 0)
        return config_set_int(&s->retry_max_s, v, 1, 86400, msg, msglen);
    return "is no option of [sms]";
}

void config_sms_write(FILE *f, const struct config_sms *s)
{
    fprintf(f, "\n[sms]\n"
               "# The HTTP SMS gateway; empty: messages wait in the outbox (未配置网关，等待发送).\n"
               "gateway_url = %s\napp_key = %s\n"
               "# Signs each request: X-Signature = hex HMAC-SHA256(app_secret, timestamp \\n body).\n"
               "app_secret = %s\nsign_name = %s\n"
               "# Seconds one request may take (1-300).\ntimeout_s = %d\n"
               "# Hours after which an unsent message is marked expired (1-720).\n"
               "expiry_hours = %d\n"
               "# No SMS in these local hours (HH:MM-HH:MM, or none); held until they end.\n"
               "quiet_hours = %02d:%02d-%02d:%02d\n"
               "# Messages to one number in an hour at most (0: no limit).\nrate_per_hour = %d\n"
               "# Retries: back-off from retry_base_s, doubled each time up to retry_max_s.\n"
               "retry_base_s = %d\nretry_max_s = %d\n"
               "# Templates: template.NAME = text with {placeholders}; template_id.NAME = the "
               "gateway's id.\n",
            s->gateway_url, s->app_key, s->app_secret, s->sign_name, s->timeout_s,
            s->expiry_hours, s->quiet_start_min / 60, s->quiet_start_min % 60,
            s->quiet_end_min / 60, s->quiet_end_min % 60, s->rate_per_hour, s->retry_base_s,
            s->retry_max_s);
    for (int i = 0; i < s->n_templates; i++) {
        fprintf(f, "template.%s = %s\n", s->templates[i].name, s->templates[i].text);
        if (s->templates[i].gateway_id[0])
            fprintf(f, "template_id.%s = %s\n", s->templates[i].name, s->templates[i].gateway_id);
    }
}
