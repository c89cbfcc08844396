/*
 * http_req — one HTTP request collected from http-parser's pieces: the request line and the
 * headers we keep (at most HTTP_MAX_HEADER bytes of them), the body by Content-Length only
 * (chunked is refused with 411, over max_body with 413, before any of it is read).
 *
 * Internal to the server (http.c): each connection embeds one collector, and the parser's
 * data points at it. The collector knows nothing of sockets or time; the server reads its
 * phase after every feed to run the header and body deadlines, and takes each complete
 * request (which then belongs to it) to queue and dispatch.
 */
#ifndef JIEFEN_HTTP_REQ_H
#define JIEFEN_HTTP_REQ_H

#include "api/http.h"

#include <http_parser.h>
#include <stdint.h>

#define HTTP_MAX_HEADER (16 * 1024)

/* The headers we keep; Transfer-Encoding only to refuse it, Expect to answer it. */
enum { H_HOST, H_AUTHORIZATION, H_ORIGIN, H_CONTENT_TYPE, H_COOKIE, H_CSRF, H_IF_NONE_MATCH,
       H_LAST_EVENT_ID, H_TRANSFER_ENCODING, H_EXPECT, H_NONE };

/* Where the collector is: between requests, inside the headers, inside the body. */
enum http_phase { HTTP_PHASE_IDLE, HTTP_PHASE_HEADERS, HTTP_PHASE_BODY };

struct http_conn;
struct http_write;

struct http_req {
    struct http_conn *conn;     /* NULL once the connection is closed */
    http_req *next;             /* the connection's queue, in request order */
    struct http_write *resp;    /* the formatted response, once answered */
    http_request r;
    int keep_alive;
    int safe;                   /* GET or HEAD: reads nothing it could change */
    int expect_continue;        /* 1: the client waits for "100 Continue"; 2: sent */
    int streaming;              /* answered by a stream (http_stream_begin) */
    void (*on_gone)(void *arg); /* the stream's connection closed on its own */
    void *gone_arg;
    void (*on_drain)(void *arg);   /* the stream's unsent bytes are all out (gone_arg) */
    int last_cb;                /* the parser hands over url, names and values in pieces */
    int slot;                   /* header whose value is arriving, H_NONE if not kept */
    size_t field_len;
    char field[24];             /* longer names are none we keep */
    size_t hdr_bytes;
    size_t url_off, off[H_NONE];  /* into text; 0 is the empty string */
    size_t used;
    char *body;
    size_t body_cap;
    char text[HTTP_MAX_HEADER + 64];  /* url and kept values, NUL-terminated */
};

struct http_collect {
    http_parser parser;
    size_t max_body;
    size_t max_upload;          /* for requests is_upload names (http_limits) */
    int (*is_upload)(const char *method, const char *path);
    enum http_phase phase;
    uint64_t begun;             /* requests begun so far: each starts its own deadline */
    http_req *req;              /* being collected; owned by the collector */
    int fail_status;            /* 411, 413, 431 for a refusal; -1 out of memory */
};

/* Starts a collector for a new connection. */
void http_collect_init(struct http_collect *col, size_t max_body);

/* Parses up to n bytes and returns how many were used. Stops after a complete request,
 * which is handed over in *done (the caller owns it then; free with http_req_free);
 * *done is NULL otherwise. *err is HPE_OK, or the parser's error: the stream cannot
 * resync, answer with http_collect_status() and close. */
size_t http_collect_feed(struct http_collect *col, const char *p, size_t n, http_req **done,
                         enum http_errno *err);

/* The status for a refusal after error e: 400, 411, 413 or 431; -1 when nothing can be
 * answered (out of memory). */
int http_collect_status(const struct http_collect *col, enum http_errno e);

/* Frees the request being collected, if any. */
void http_collect_clear(struct http_collect *col);

/* Frees a request (NULL is fine); its response must have been taken. */
void http_req_free(http_req *q);

#endif
