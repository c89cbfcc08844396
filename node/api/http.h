/*
 * http — a small HTTP/1.1 server on a libuv loop, parsing with http-parser (http_req.c).
 *
 * One loop thread. Keep-alive; request bodies by Content-Length only (chunked or a body
 * over max_body is refused with 411/413 before the handler runs); headers limited to
 * 16 KiB. The handler is called once per complete request: it must answer exactly once
 * with http_respond(), either at once or later (for example after a group commit). If the
 * client goes away meanwhile, http_respond() on that request is still valid and frees it;
 * nothing is sent.
 *
 * Pipelining: the requests that follow on one connection are parsed and dispatched while
 * earlier ones await their answers, up to max_pipeline at once, and the responses are
 * written strictly in request order. A read (GET, HEAD) is dispatched only once the writes
 * before it on its connection are answered, and a write once the reads before it are, so
 * a client sees its own writes.
 *
 * Hostile clients (struct http_limits): the headers must be complete header_ms after the
 * request's first byte, the body body_ms after it, however the bytes trickle; a connection
 * with no request waits idle_ms at most. Connections over max_conns, or over max_per_addr
 * from one address, are answered 503 at once and closed, except that at max_conns the
 * connection idle the longest between requests makes room for the newcomer. Every refusal
 * and every timeout is counted by reason (http_server_stats).
 */
#ifndef JIEFEN_HTTP_H
#define JIEFEN_HTTP_H

#include "api/http_limits.h"

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "api/http_url.h"

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
    const char *last_event_id; /* Last-Event-ID (Server-Sent Events) */
} http_request;

/* Called for each complete request. `r` and everything it points to stay valid until
 * http_respond(req, ...) is called. */
typedef void (*http_handler_fn)(http_req *req, const http_request *r, void *data);

/* Why a connection was refused or cut off: the label of jiefen_http_refused_total. */
enum http_refusal {
    HTTP_REFUSED_CONNECTION_CAP,  /* max_conns reached, nobody idle to make room */
    HTTP_REFUSED_ADDRESS_CAP,     /* max_per_addr reached for the client's address */
    HTTP_REFUSED_FD_LIMIT,        /* the process ran out of file descriptors */
    HTTP_REFUSED_EVICTED,         /* idle, closed to make room at max_conns */
    HTTP_REFUSED_HEADER_TIMEOUT,
    HTTP_REFUSED_BODY_TIMEOUT,
    HTTP_REFUSED_IDLE_TIMEOUT,
    HTTP_REFUSED_SLOW_READER,     /* a stream's client took nothing for stall_ms, or its
                                   * unsent bytes passed HTTP_STREAM_QUEUE */
    HTTP_REFUSED_N
};

struct http_stats {
    uint64_t refused[HTTP_REFUSED_N];
    uint64_t accepted;          /* connections taken in */
    unsigned open;              /* connections open now */
    struct http_limits limits;  /* as in force (the derived caps filled in) */
};

/* "connection_cap", "header_timeout", ...; NULL for an unknown reason. */
const char *http_refusal_name(enum http_refusal r);

/* Listens on host:port (port 0 picks a free one) with `limits` (NULL: the defaults), fitted
 * by http_limits_fit(). Returns 0 or a negative libuv error; *out is owned by the caller
 * and released with http_server_close(). */
int http_server_new(uv_loop_t *loop, const char *host, int port,
                    const struct http_limits *limits, http_handler_fn handler, void *data,
                    http_server **out);

/* The server's counters and the limits in force. */
void http_server_stats(const http_server *s, struct http_stats *out);

/* The port actually bound (useful with port 0). */
int http_server_port(const http_server *s);

/* Sends the response for `req` and releases it. `body` is copied. Adds Content-Length,
 * Connection and `extra_headers` (each line "Name: value\r\n", may be NULL). */
void http_respond(http_req *req, int status, const char *content_type,
                  const char *body, size_t body_len, const char *extra_headers);

/* Streams (Server-Sent Events, a file made as it is sent): an answer kept open and
 * written as things happen. The connection stays counted against the caps, is never
 * evicted as idle, reads no request after it, and is closed when the stream ends. The
 * unsent bytes of a stream are bounded by HTTP_STREAM_QUEUE (and its socket's send buffer
 * kept small), and a client that takes none of them for stall_ms is cut off too (both
 * counted as slow_reader): a client that does not read cannot make the server hold more,
 * nor hold a writer that waits for it (http_stream_on_drain) for ever. */
#define HTTP_STREAM_QUEUE (64 * 1024)

/* Starts the streamed answer to req: the status line and headers (`extra_headers` as for
 * http_respond, no Content-Length) now. on_gone(arg) is called once if the connection then
 * closes on its own (the client went, a write failed, the server is closing); req is freed
 * then and must no longer be used. 0, or UV_EBUSY when answers to earlier requests of the
 * connection are still owed (req is then still to be answered with http_respond), or
 * another negative libuv error (req is then freed, on_gone not called). */
int http_stream_begin(http_req *req, int status, const char *content_type,
                      const char *extra_headers, void (*on_gone)(void *arg), void *arg);

/* Queues bytes on a stream: 0, or -1 when they would take its unsent bytes past
 * HTTP_STREAM_QUEUE or the write fails: the connection is then cut off (a slow reader is
 * counted as such), req freed, on_gone not called. */
int http_stream_write(http_req *req, const char *data, size_t len);

/* Calls fn(arg of http_stream_begin) each time the stream's queued bytes have all been
 * written (a writer that outruns its reader waits for it: a file streamed whole). */
void http_stream_on_drain(http_req *req, void (*fn)(void *arg));

/* Ends a stream: closes its connection and frees req; on_gone is not called. */
void http_stream_end(http_req *req);

/* Ends a stream that was cut short (its writer failed): the connection is reset, not
 * closed, so the client sees an error rather than a complete answer (a stream has no
 * length to tell it). Frees req; on_gone is not called. */
void http_stream_abort(http_req *req);

/* Stops listening, closes every connection, and frees the server once libuv has closed
 * all handles; `done` (may be NULL) is then called with `arg`. Requests still awaiting
 * a response are answered with nothing and freed when http_respond() is called. */
void http_server_close(http_server *s, void (*done)(void *arg), void *arg);

#endif
