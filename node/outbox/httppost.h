/*
 * httppost — one signed JSON POST to an outside system, for the outbox's adapters (sms,
 * receipt), over libcurl on the courier's thread. Headers: Content-Type: application/json,
 * X-App-Key (when given), X-Timestamp (ms since the epoch), X-Signature = lower-case hex of
 * HMAC-SHA256(secret, timestamp "\n" body), Idempotency-Key (the message's, the same on
 * every retry).
 */
#ifndef JIEFEN_HTTPPOST_H
#define JIEFEN_HTTPPOST_H

#include <stdatomic.h>
#include <stddef.h>

#define HTTPPOST_ANSWER_MAX 4096

struct httppost_req {
    const char *url, *app_key, *secret, *idempotency_key, *body;
    long timeout_s;
};

/* POSTs r; ends early once *stop is set. 0 with the HTTP status in *status and the answer
 * (cut at HTTPPOST_ANSWER_MAX - 1 bytes, NUL-terminated) in answer, or -1 when no answer
 * came (why says what happened, without the body). */
int httppost_send(const struct httppost_req *r, const atomic_int *stop, long *status,
                  char answer[HTTPPOST_ANSWER_MAX], char *why, size_t whylen);

/* Writes the signature of body at timestamp ts into hex (65 bytes). */
void httppost_sign(const char *secret, const char *ts, const char *body, char hex[65]);

#endif
