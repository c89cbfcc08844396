/*
 * outbox_rules — when an outbox message may go: the state machine's decisions, pure
 * functions of the time and the config (no store, no clock, no network), so the tests
 * drive them with any time they like.
 *
 *   expiry       created + expiry → the message is expired, never sent
 *   quiet hours  a local time inside [start, end) (wrapping midnight) → held until end
 *   rate limit   a number sent to rate_per_hour times in the last hour → wait
 *   back-off     after a failed attempt n: base·2^(n-1), at most max, with "equal jitter"
 *                (half fixed, half random) so many failed messages do not retry together
 */
#ifndef JIEFEN_OUTBOX_RULES_H
#define JIEFEN_OUTBOX_RULES_H

#include "config_sms.h"

#include <stddef.h>
#include <stdint.h>

#define OUTBOX_HOUR_MS 3600000LL

struct outbox_rules {
    int64_t expiry_ms;
    int quiet_start_min, quiet_end_min;   /* equal: no quiet hours */
    unsigned rate_per_hour;               /* 0: no limit */
    int64_t retry_base_ms, retry_max_ms;
    unsigned max_attempts;                /* then a retry is failed for good; 0: no limit */
};

/* The rules of an [sms] section. */
void outbox_rules_from_sms(const struct config_sms *s, struct outbox_rules *r);

enum outbox_step {
    OUTBOX_SEND,    /* go now */
    OUTBOX_WAIT,    /* not yet (back-off or rate limit): look again at *until */
    OUTBOX_HOLD,    /* quiet hours: held until *until */
    OUTBOX_EXPIRE,  /* too old: mark it expired */
};

/* What to do at now_ms with a message created at created_ms that may not go before
 * next_ms. local_min: the minute of the node's local day at now_ms; rate_free_ms: when the
 * rate limit next lets its number through (<= now_ms: now). *until is set for WAIT and
 * HOLD. */
enum outbox_step outbox_rules_step(const struct outbox_rules *r, int64_t now_ms, int local_min,
                                   int64_t created_ms, int64_t next_ms, int64_t rate_free_ms,
                                   int64_t *until);

/* When a message created (or put back to be tried) at created_ms expires. */
int64_t outbox_rules_expires_at(const struct outbox_rules *r, int64_t created_ms);

/* 1 if local_min (0-1439) is within the quiet hours; then *left_min is set to the minutes
 * until they end. */
int outbox_rules_quiet(const struct outbox_rules *r, int local_min, int *left_min);

/* The delay before attempt `attempts` + 1, after `attempts` (>= 1) failed ones; `random`
 * is any random number (the jitter). */
int64_t outbox_rules_backoff(const struct outbox_rules *r, unsigned attempts, uint32_t random);

/* The sends of the last hour, per number (a keyed hash of it, never the number), for the
 * rate limit. Kept in memory: a restart forgets it. */
typedef struct outbox_rate outbox_rate;

outbox_rate *outbox_rate_new(void);
void outbox_rate_free(outbox_rate **r);

/* When `key` may next be sent to at now_ms under `per_hour` (0: no limit): now_ms or
 * later. */
int64_t outbox_rate_free_at(outbox_rate *r, uint64_t key, int64_t now_ms, unsigned per_hour);

/* Records a send to key at now_ms (forgetting sends older than an hour). 0 or -ENOMEM. */
int outbox_rate_note(outbox_rate *r, uint64_t key, int64_t now_ms);

#endif
