/*
 * http_limits — what the HTTP server (http.h) allows a client: deadlines, body sizes, the
 * connection caps, and the caps fitted under the process's file descriptor limit.
 */
#ifndef JIEFEN_HTTP_LIMITS_H
#define JIEFEN_HTTP_LIMITS_H

#include <stddef.h>

struct http_limits {
    size_t max_body;            /* bytes of a request body */
    unsigned header_ms;         /* from a request's first byte to the end of its headers */
    unsigned body_ms;           /* from a request's first byte to the end of its body */
    unsigned idle_ms;           /* a connection without a request, between requests */
    unsigned stall_ms;          /* a stream whose client takes none of its queued bytes */
    unsigned max_conns;         /* connections open at once; 0: from the fd limit */
    unsigned max_per_addr;      /* of those from one client address; 0: max_conns / 4 */
    unsigned max_pipeline;      /* requests of one connection awaiting their answers */
    /* Uploads (is_upload says which requests, by method and path; NULL: none) may have
     * bodies up to max_upload instead of max_body. */
    size_t max_upload;
    int (*is_upload)(const char *method, const char *path);
};

/* The defaults: 1 MiB bodies, headers in 10 s, bodies in 30 s, 20 s idle, a stream's
 * client stalled 120 s, caps from the fd limit, 32 pipelined requests. */
void http_limits_default(struct http_limits *l);

/* Fills in the caps left 0 from the soft RLIMIT_NOFILE, keeping room for the store, the
 * links and the logs (a quarter of the limit, at least 64 descriptors), and lowers the
 * caps that do not fit under it. Returns 1 if a cap given was lowered, else 0. */
int http_limits_fit(struct http_limits *l);

#endif
