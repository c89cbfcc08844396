#include "outbox/outbox_rules.h"
#include "array.h"

#include <errno.h>
#include <stdlib.h>

#define DAY_MIN 1440

void outbox_rules_from_sms(const struct config_sms *s, struct outbox_rules *r)
{
    *r = (struct outbox_rules){0}; /* no attempt limit: an SMS is tried until it expires */
    r->expiry_ms = (int64_t)s->expiry_hours * OUTBOX_HOUR_MS;
    r->quiet_start_min = s->quiet_start_min;
    r->quiet_end_min = s->quiet_end_min;
    r->rate_per_hour = (unsigned)s->rate_per_hour;
    r->retry_base_ms = (int64_t)s->retry_base_s * 1000;
    r->retry_max_ms = (int64_t)s->retry_max_s * 1000;
    r->max_attempts = 0; /* an SMS is tried until it expires */
}

int outbox_rules_quiet(const struct outbox_rules *r, int local_min, int *left_min)
{
    int s = r->quiet_start_min, e = r->quiet_end_min;
    if (s == e)
        return 0;
    /* minutes since the quiet hours began, and their length, both modulo a day */
    int since = (local_min - s + DAY_MIN) % DAY_MIN;
    int len = (e - s + DAY_MIN) % DAY_MIN;
    if (since >= len)
        return 0;
    *left_min = len - since;
    return 1;
}

int64_t outbox_rules_expires_at(const struct outbox_rules *r, int64_t created_ms)
{
    return created_ms + r->expiry_ms;
}

enum outbox_step outbox_rules_step(const struct outbox_rules *r, int64_t now_ms, int local_min,
                                   int64_t created_ms, int64_t next_ms, int64_t rate_free_ms,
                                   int64_t *until)
{
    int left;
    if (now_ms >= outbox_rules_expires_at(r, created_ms))
        return OUTBOX_EXPIRE;
    if (outbox_rules_quiet(r, local_min, &left)) {
        *until = now_ms + (int64_t)left * 60000;
        return OUTBOX_HOLD;
    }
    int64_t after = next_ms > rate_free_ms ? next_ms : rate_free_ms;
    if (after > now_ms) {
        *until = after;
        return OUTBOX_WAIT;
    }
    return OUTBOX_SEND;
}

int64_t outbox_rules_backoff(const struct outbox_rules *r, unsigned attempts, uint32_t random)
{
    int64_t d = r->retry_base_ms;
    for (unsigned i = 1; i < attempts && d < r->retry_max_ms; i++)
        d *= 2;
    if (d > r->retry_max_ms)
        d = r->retry_max_ms;
    return d / 2 + (int64_t)(random % (uint64_t)(d / 2 + 1));
}

struct rate_send {
    uint64_t key;
    int64_t at_ms;
};

struct outbox_rate {
    struct rate_send *sends;   /* oldest first */
    size_t n, cap;
};

outbox_rate *outbox_rate_new(void)
{
    return calloc(1, sizeof(outbox_rate));
}

void outbox_rate_free(outbox_rate **r)
{
    if (!r || !*r)
        return;
    free((*r)->sends);
    free(*r);
    *r = NULL;
}

/* Drops the sends older than an hour before now_ms. */
static void forget_old(outbox_rate *r, int64_t now_ms)
{
    size_t drop = 0;
    while (drop < r->n && r->sends[drop].at_ms <= now_ms - OUTBOX_HOUR_MS)
        drop++;
    for (size_t i = drop; i < r->n; i++)
        r->sends[i - drop] = r->sends[i];
    r->n -= drop;
}

int64_t outbox_rate_free_at(outbox_rate *r, uint64_t key, int64_t now_ms, unsigned per_hour)
{
    if (per_hour == 0)
        return now_ms;
    forget_old(r, now_ms);
    size_t seen = 0;
    for (size_t i = 0; i < r->n; i++)
        seen += r->sends[i].key == key;
    if (seen < per_hour)
        return now_ms;
    /* Room comes when all but per_hour - 1 of the hour's sends have left the window. */
    size_t must_leave = seen - per_hour, k = 0;
    for (size_t i = 0; i < r->n; i++)
        if (r->sends[i].key == key && k++ == must_leave)
            return r->sends[i].at_ms + OUTBOX_HOUR_MS;
    return now_ms;
}

int outbox_rate_note(outbox_rate *r, uint64_t key, int64_t now_ms)
{
    forget_old(r, now_ms);
    struct rate_send *s = array_room(r->sends, r->n, &r->cap, sizeof *s, 16);
    if (!s)
        return -ENOMEM;
    r->sends = s;
    r->sends[r->n++] = (struct rate_send){key, now_ms};
    return 0;
}
