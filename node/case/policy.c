#include "case/policy.h"
#include "clock.h"
#include "error.h"
#include "jiefen.pb-c.h"
#include "case/reference.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

/* "HH:MM-HH:MM" into minutes of the day. 0 or -1. */
static int parse_work_hours(const char *s, int *open, int *close)
{
    int h1, m1, h2, m2, n = 0;
    if (sscanf(s, "%2d:%2d-%2d:%2d%n", &h1, &m1, &h2, &m2, &n) != 4 || s[n] || h1 < 0 ||
        h1 > 24 || m1 < 0 || m1 > 59 || h2 < 0 || h2 > 24 || m2 < 0 || m2 > 59)
        return -1;
    *open = h1 * 60 + m1;
    *close = h2 * 60 + m2;
    return *close > *open && *close <= 24 * 60 ? 0 : -1;
}

int policy_load(struct policy *p, const struct config *cfg, const char *dir, char *err,
                size_t errlen)
{
    p->cfg = cfg;
    p->cal = NULL;
    for (int i = 0; i < cfg->n_routing; i++) {
        if (ref_index(&ref_categories, cfg->routing[i].category) < 0) {
            snprintf(err, errlen, "jiefend.conf:%d: [routing] unknown category \"%s\"",
                     cfg->routing[i].line, cfg->routing[i].category);
            return JF_ECONFIG;
        }
    }
    int open, close;
    if (parse_work_hours(cfg->work_hours, &open, &close)) {
        snprintf(err, errlen,
                 "jiefend.conf: [departments] work_hours \"%s\" must be HH:MM-HH:MM, the "
                 "end after the start",
                 cfg->work_hours);
        return JF_ECONFIG;
    }
    if (!cfg->working_days)
        return 0;
    if (!cfg->holidays[0])
        return calendar_new(&p->cal);
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s%s%s", cfg->holidays[0] == '/' ? "" : dir,
             cfg->holidays[0] == '/' ? "" : "/", cfg->holidays);
    int rc = calendar_load(path, &p->cal, err, errlen);
    return rc < 0 && rc != JF_ECONFIG && rc != -ENOMEM ? JF_ECONFIG : rc;
}

void policy_free(struct policy *p)
{
    calendar_free(&p->cal);
}

int64_t policy_due(const struct policy *p, int64_t start_ms, int complexity)
{
    int days = complexity == JIEFEN__COMPLEXITY__COMPLEXITY_COMPLEX ? p->cfg->complex_days
                                                                    : p->cfg->simple_days;
    return calendar_due(p->cal, start_ms, (unsigned)days);
}

int64_t policy_followup_due(const struct policy *p, int64_t closed_ms)
{
    return calendar_due(p->cal, closed_ms, (unsigned)p->cfg->followup_days);
}

int64_t policy_sign_due(const struct policy *p, int64_t start_ms, unsigned hours)
{
    unsigned h = hours ? hours : (unsigned)p->cfg->dept_sign_hours;
    int open, close;
    if (parse_work_hours(p->cfg->work_hours, &open, &close)) /* policy_load refuses it */
        return start_ms + (int64_t)h * 3600000LL;
    return calendar_add_work(p->cal, start_ms, (int64_t)h * 3600000LL, open, close);
}

int64_t policy_extend(const struct policy *p, int64_t due_ms, unsigned days)
{
    /* A working-day limit ends at midnight: extend from the last moment of its day. */
    return p->cal ? calendar_due(p->cal, due_ms - 1, days)
                  : due_ms + (int64_t)days * CLOCK_DAY_MS;
}

const char *policy_department(const struct policy *p, const char *category)
{
    const struct ref_entry *e = ref_find(&ref_categories, category);
    if (!e)
        return NULL;
    /* An entry names its category by code or by its Chinese name, as policy_load takes it. */
    for (int i = 0; i < p->cfg->n_routing; i++)
        if (ref_find(&ref_categories, p->cfg->routing[i].category) == e)
            return p->cfg->routing[i].department;
    return e->department;
}

int policy_failed_attempts(const struct policy *p)
{
    if (p->cfg->failed_attempts)
        return p->cfg->failed_attempts;
    return p->cfg->tier == JIEFEN__TIER__TIER_VILLAGE ? 3 : 2;
}

const char *policy_official(const struct policy *p, int risk)
{
    return risk >= 1 && risk <= 4 ? p->cfg->risk_official[risk - 1] : "";
}

int policy_official_tier(int risk)
{
    if (risk == JIEFEN__RISK__RISK_RED)
        return JIEFEN__TIER__TIER_COUNTY;
    if (risk == JIEFEN__RISK__RISK_ORANGE)
        return JIEFEN__TIER__TIER_TOWNSHIP;
    return 0;
}
