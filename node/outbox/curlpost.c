/* The HTTP module: curlpost.h's POST over libcurl. */
#include "outbox/curlpost.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static pthread_once_t once = PTHREAD_ONCE_INIT;
static CURLcode init_rc = CURLE_FAILED_INIT;

/* libcurl's global state, made once for the process (it lives until the process ends). */
static void global_init(void)
{
    init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct answer {
    char *buf;
    size_t len, max;
    const atomic_int *stop;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
    struct answer *a = arg;
    size_t take = size * n;
    if (take > a->max - 1 - a->len)
        take = a->max - 1 - a->len;
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

/* The header lines as libcurl's list; NULL without memory. */
static struct curl_slist *header_list(const char *const *headers, size_t n)
{
    struct curl_slist *h = NULL, *next;
    for (size_t i = 0; i < n; i++) {
        if (!(next = curl_slist_append(h, headers[i]))) {
            curl_slist_free_all(h);
            return NULL;
        }
        h = next;
    }
    return h;
}

static int post(const char *url, const char *const *headers, size_t n, const char *body,
                long timeout_s, const atomic_int *stop, long *status, char *answer,
                size_t answer_max, char *why, size_t whylen)
{
    struct answer a = {answer, 0, answer_max, stop};
    answer[0] = 0;
    *status = 0;
    if (pthread_once(&once, global_init) != 0 || init_rc != CURLE_OK) {
        snprintf(why, whylen, "libcurl could not be initialised");
        return -1;
    }
    struct curl_slist *h = header_list(headers, n);
    CURL *curl = h ? curl_easy_init() : NULL;
    if (!curl) {
        snprintf(why, whylen, "out of memory");
        curl_slist_free_all(h);
        return -1;
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, timeout_s);
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

__attribute__((visibility("default"))) const struct curlpost_ops jiefen_curlpost_ops = {post};
