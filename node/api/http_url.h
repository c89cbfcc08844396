/*
 * http_url — the pure text parsers of HTTP requests: percent-decoding, query parameters and
 * cookies. No state, no allocation: every result goes into the caller's buffer.
 */
#ifndef JIEFEN_HTTP_URL_H
#define JIEFEN_HTTP_URL_H

#include <stddef.h>

/* Percent-decodes `in` into `out` (size outlen); '+' becomes a space when `plus` is set.
 * Returns the decoded length or -1 on bad encoding or overflow. */
int http_url_decode(const char *in, size_t inlen, char *out, size_t outlen, int plus);

/* Finds `key` in a query string and decodes its value into out. Returns the value's
 * length, -1 if absent, -2 if badly encoded or too long. */
int http_query_get(const char *query, const char *key, char *out, size_t outlen);

/* Finds the cookie `name` in a Cookie header ("a=1; b=2") and copies its value into out.
 * Returns the value's length, -1 if absent, -2 if longer than outlen - 1. */
int http_cookie_get(const char *header, const char *name, char *out, size_t outlen);

#endif
