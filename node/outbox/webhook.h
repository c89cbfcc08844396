/*
 * webhook — the outbox adapter (courier.h) that delivers the case events a [webhook NAME]
 * subscriber chose (config_webhook.h), over httppost.h. Its messages are queued by the
 * case layer (case/hooks.h) under system WEBHOOK_SYSTEM NAME, the event kind ("case.closed") as template, with
 * the subscriber's name as recipient and the values status, risk, time_ms, node. Each
 * attempt POSTs JSON
 *   {"delivery_id", "event", "case_id", "time_ms", "status", "risk", "centre", "node"}
 * to the subscriber's url, signed with its secret (X-Timestamp, X-Signature =
 * HMAC-SHA256(secret, timestamp "\n" body), Idempotency-Key = delivery_id, X-App-Key =
 * "jiefen"). 2xx or 409 (the subscriber has this delivery): sent; 408, 429, 5xx, timeouts,
 * refused connections: retry with back-off; any other status: failed. After max_attempts
 * attempts or expiry_h hours the delivery is dead: failed or expired, listed with the dead
 * letters (outbox_dead) until retried or discarded.
 */
#ifndef JIEFEN_WEBHOOK_H
#define JIEFEN_WEBHOOK_H

#include "config_webhook.h"
#include "outbox/courier.h"

#define WEBHOOK_SYSTEM "webhook:"
#define WEBHOOK_SYSTEM_MAX (sizeof WEBHOOK_SYSTEM + CONFIG_WEBHOOK_NAME_MAX)

typedef struct webhook webhook;

/* The outbox system of subscriber `name` into out (WEBHOOK_SYSTEM_MAX bytes). */
void webhook_system(const char *name, char out[WEBHOOK_SYSTEM_MAX]);

/* The subscriber's name of an outbox system, or NULL when it is no webhook's. */
const char *webhook_of_system(const char *system);

/* The adapter of subscriber h (borrowed: it outlives the adapter) of centre `centre`, with
 * h's rules: back-off, max_attempts, expiry; no quiet hours or rate limit. NULL without
 * memory. Call from the main thread before any thread starts. */
webhook *webhook_new(const struct config_webhook *h, const char *centre,
                     struct courier_adapter *out);

void webhook_free(webhook **w);

#endif
