/*
 * sms — the outbox adapter of an HTTP SMS gateway (courier.h), over libcurl on the
 * courier's thread. Each attempt POSTs JSON
 *   {"phone", "sign_name", "template", "template_id", "params": {name: value},
 *    "text", "idempotency_key"}
 * with headers X-App-Key, X-Timestamp (ms), X-Signature = lower-case hex of
 * HMAC-SHA256(app_secret, timestamp "\n" body) and Idempotency-Key (the message's, the same
 * on every retry). 2xx: sent (delivered when the answer says "status": "delivered");
 * 408, 429, 5xx, timeouts and refused connections: retry; any other status: failed.
 */
#ifndef JIEFEN_SMS_H
#define JIEFEN_SMS_H

#include "config_sms.h"
#include "outbox/courier.h"

#include <stddef.h>

typedef struct sms sms;

/* The adapter for [sms] (borrowed: outlives it) of centre `centre` (its name, the
 * {centre} of templates). NULL without memory. Call from the main thread before any
 * thread starts (libcurl's global init). */
sms *sms_new(const struct config_sms *cfg, const char *centre, struct courier_adapter *out);

void sms_free(sms **s);

/* The text of template `text` with each {name} replaced by its value from p (then
 * case_id and centre); an unknown {name} stays as it is. Into out (len bytes, cut at a
 * character boundary if longer). */
void sms_render(const char *text, const Jiefen__NotifyPayload *p, const char *case_id,
                const char *centre, char *out, size_t len);

#endif
