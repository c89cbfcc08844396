/*
 * http — a small HTTP/1.1 server on a libuv loop, parsing with http-parser.
 *
 * One loop thread. Keep-alive; request bodies by Content-Length only (chunked or a body
 * over max_body is refused with 411/413 before the handler runs); headers limited to
 * 16 KiB; idle connections closed after 30 s. The handler is called once per complete
 * request with the connection paused: it must answer exactly once with http_respond(),
 * either at once or later (for example after a group commit). If the client goes away
 * meanwhile, http_respond() on that request is still valid and frees it; nothing is sent.
 */
#ifndef JIEFEN_HTTP_H
#define JIEFEN_HTTP_H

#include <stddef.h>
#include <uv.h>

typedef struct http_server http_server;
typedef struct http_req http_req;   /* one request awaiting its response (opaque) */

typedef struct http_request {
    const char *method;        /* "GET", "POST", ... */
    const char *path;          /* path without the query, not percent-decoded */
    const char *query;         /* raw query string without '?', "" when none */
    const char *body;          /* NUL-terminated for convenience; may contain NULs */
    size_t body_len;
    const char *host;          /* header values, "" when absent */
    const char *authorization;
    const char *origin;
    const char *content_type;
    const char *cookie;        /* the Cookie header as sent */
    const char *csrf_token;    /* X-CSRF-Token */
    const char *if_none_match;
} http_request;

/* Called for each complete request. `r` and everything it points to stay valid until
 * http_respond(req, ...) is called. */
typedef void (*http_handler_fn)(http_req *req, const http_request *r, void *data);

/* Listens on host:port (port 0 picks a free one). Returns 0 or a negative libuv error;
 * *out is owned by the caller and released with http_server_close(). */
int http_server_new(uv_loop_t *loop, const char *host, int port, size_t max_body,
                    http_handler_fn handler, void *data, http_server **out);

/* The port actually bound (useful with port 0). */
int http_server_port(const http_server *s);

/* Sends the response for `req` and releases it. `body` is copied. Adds Content-Length,
 * Connection and `extra_headers` (each line "Name: value\r\n", may be NULL). */
void http_respond(http_req *req, int status, const char *content_type,
                  const char *body, size_t body_len, const char *extra_headers);

/* Stops listening, closes every connection, and frees the server once libuv has closed
 * all handles; `done` (may be NULL) is then called with `arg`. Requests still awaiting
 * a response are answered with nothing and freed when http_respond() is called. */
void http_server_close(http_server *s, void (*done)(void *arg), void *arg);

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
