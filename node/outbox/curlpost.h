/*
 * curlpost — the HTTP module (jiefen-http.so, built from curlpost.c with libcurl): one
 * POST with the given header lines, exported as the table `jiefen_curlpost_ops`.
 * httppost.c signs the request and loads the module on its first send (common/module.h
 * says why a node maps libcurl, and the TLS libraries it brings, only once it sends).
 */
#ifndef JIEFEN_CURLPOST_H
#define JIEFEN_CURLPOST_H

#include <stdatomic.h>
#include <stddef.h>

struct curlpost_ops {
    /* POSTs body to url with headers[0..n) ("Name: value"); ends early once *stop is set.
     * 0 with the HTTP status in *status and the answer (cut at answer_max - 1 bytes,
     * NUL-terminated) in answer, or -1 when no answer came (why says what happened). */
    int (*post)(const char *url, const char *const *headers, size_t n, const char *body,
                long timeout_s, const atomic_int *stop, long *status, char *answer,
                size_t answer_max, char *why, size_t whylen);
};

#define CURLPOST_OPS_SYMBOL "jiefen_curlpost_ops"
#define CURLPOST_MODULE "jiefen-http.so"

#endif
