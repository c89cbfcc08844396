/*
 * courier — delivers the outbox (outbox.h) on a thread of its own, never the loop's: it
 * takes each message that is due, asks the rules (outbox_rules.h) whether it may go (expiry,
 * quiet hours, rate limit, back-off), records "sending" durably before the attempt (so a
 * kill -9 in flight retries with the same idempotency key, which the gateway uses to send
 * once), hands it to the adapter of its system, and records the answer: sent or delivered,
 * a retry after a back-off with jitter, or failed for good. An adapter that is not
 * configured (no gateway URL) leaves its messages queued, marked as waiting for a gateway.
 * Phone numbers reach the log only masked.
 */
#ifndef JIEFEN_COURIER_H
#define JIEFEN_COURIER_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "outbox/outbox_rules.h"
#include "store.h"

#include <stdatomic.h>
#include <stddef.h>

/* What an adapter answers for one attempt. */
enum courier_result {
    COURIER_SENT,       /* accepted by the outside system */
    COURIER_DELIVERED,  /* accepted and reported delivered */
    COURIER_RETRY,      /* not now (timeout, refused connection, 5xx, 429): try again */
    COURIER_REFUSED,    /* refused for good (4xx): failed */
};

/* The adapter of one outside system. send runs on the courier's thread; it returns early
 * (COURIER_RETRY) once *stop is set. why gets a short reason for a retry or refusal,
 * without personal data; on success, what the system answered (kept as the message's
 * answer), or nothing. One courier per adapter: each sends only its system's messages. */
struct courier_adapter {
    const char *system;
    int configured;
    struct outbox_rules rules;
    enum courier_result (*send)(void *ctx, const Jiefen__NotifyRecord *rec,
                                const Jiefen__NotifyPayload *p, const atomic_int *stop,
                                char *why, size_t whylen);
    void *ctx;
};

typedef struct courier courier;

/* A courier for st's outbox with one adapter (borrowed, like st and id: they outlive it).
 * NULL without memory. */
courier *courier_new(store *st, const crypto_identity *id, const struct courier_adapter *a);

/* Starts its thread. 0 or a negative errno. */
int courier_start(courier *c);

/* Something was queued: look now rather than at the next due time. Any thread. */
void courier_kick(courier *c);

/* Stops the thread (an attempt in flight ends early and is retried at the next start) and
 * frees. Accepts NULL and clears the caller's pointer. */
void courier_free(courier **c);

#endif
