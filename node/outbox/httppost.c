#include "outbox/httppost.h"
#include "clock.h"
#include "crypto.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

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

/* The signed headers of one request. NULL without memory. */
static struct curl_slist *request_headers(const struct httppost_req *r)
{
    char ts[24], line[256], sig_hex[2 * crypto_auth_hmacsha256_BYTES + 1];
    snprintf(ts, sizeof ts, "%lld", (long long)clock_now_ms());
    httppost_sign(r->secret, ts, r->body, sig_hex);
    struct curl_slist *h = NULL, *next;
    const char *lines[] = {"Content-Type: application/json", "X-App-Key: ", "X-Timestamp: ",
                           "X-Signature: ", "Idempotency-Key: "};
    const char *values[] = {"", r->app_key ? r->app_key : "", ts, sig_hex, r->idempotency_key};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        snprintf(line, sizeof line, "%s%s", lines[i], values[i]);
        if (!(next = curl_slist_append(h, line))) {
            curl_slist_free_all(h);
            return NULL;
        }
        h = next;
    }
    return h;
}

struct answer {
    char *buf;
    size_t len;
    const atomic_int *stop;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    size_t take = size * n;
    if (take > HTTPPOST_ANSWER_MAX - 1 - a->len)
        take = HTTPPOST_ANSWER_MAX - 1 - a->len;
    memcpy(a->buf + a->len, data, take);
    a->len += take;
    a->buf[a->len] = 0;
    return size * n;
}

static int on_progress(void *arg, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    const struct answer *a = arg;
    return atomic_load(a->stop) ? 1 : 0;
}

int httppost_send(const struct httppost_req *r, const atomic_int *stop, long *status,
                  char answer[HTTPPOST_ANSWER_MAX], char *why, size_t whylen)
{
    struct answer a = {answer, 0, stop};
    answer[0] = 0;
    *status = 0;
    struct curl_slist *h = request_headers(r);
    CURL *curl = h ? curl_easy_init() : NULL;
    if (!curl) {
        snprintf(why, whylen, "out of memory");
        curl_slist_free_all(h);
        return -1;
    }
    curl_easy_setopt(curl, CURLOPT_URL, r->url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, r->body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, r->timeout_s);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &a);
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &a);
    CURLcode cc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
    curl_easy_cleanup(curl);
    curl_slist_free_all(h);
    if (cc != CURLE_OK) {
        snprintf(why, whylen, "%s", curl_easy_strerror(cc));
        return -1;
    }
    return 0;
}
