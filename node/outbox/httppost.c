#include "outbox/httppost.h"
#include "clock.h"
#include "crypto.h"
#include "module.h"
#include "outbox/curlpost.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define HEADERS 5
#define HEADER_MAX 256

void httppost_sign(const char *secret, const char *ts, const char *body, char hex[65])
{
    uint8_t sig[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const uint8_t *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)"\n", 1);
    crypto_auth_hmacsha256_update(&st, (const uint8_t *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, sig);
    crypto_hex(sig, sizeof sig, hex);
}

/* The signed header lines of one request. */
static void request_headers(const struct httppost_req *r, char lines[HEADERS][HEADER_MAX])
{
    char ts[24], sig_hex[2 * crypto_auth_hmacsha256_BYTES + 1];
    snprintf(ts, sizeof ts, "%lld", (long long)clock_now_ms());
    httppost_sign(r->secret, ts, r->body, sig_hex);
    const char *names[HEADERS] = {"Content-Type: application/json", "X-App-Key: ",
                                  "X-Timestamp: ", "X-Signature: ", "Idempotency-Key: "};
    const char *values[HEADERS] = {"", r->app_key ? r->app_key : "", ts, sig_hex,
                                   r->idempotency_key};
    for (size_t i = 0; i < HEADERS; i++)
        snprintf(lines[i], HEADER_MAX, "%s%s", names[i], values[i]);
}

int httppost_send(const struct httppost_req *r, const atomic_int *stop, long *status,
                  char answer[HTTPPOST_ANSWER_MAX], char *why, size_t whylen)
{
    const struct curlpost_ops *http = module_table(CURLPOST_MODULE, CURLPOST_OPS_SYMBOL);
    char lines[HEADERS][HEADER_MAX];
    const char *headers[HEADERS];
    answer[0] = 0;
    *status = 0;
    if (!http) {
        snprintf(why, whylen, "the HTTP module %s could not be loaded", CURLPOST_MODULE);
        return -1;
    }
    request_headers(r, lines);
    for (size_t i = 0; i < HEADERS; i++)
        headers[i] = lines[i];
    return http->post(r->url, headers, HEADERS, r->body, r->timeout_s, stop, status, answer,
                      HTTPPOST_ANSWER_MAX, why, whylen);
}
