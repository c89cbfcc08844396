/*
 * ctl_client — jiefenctl's side of the HTTP API (docs/api.md).
 *
 * Contract: ctl_client_open() finds a running node from its data directory DIR:
 * DIR/jiefend.addr (written by the daemon while it runs) holds HOST:PORT on its first line,
 * DIR/admin.token holds the bearer token on its first line. ctl_client_request() then does
 * one HTTP/1.1 request with libcurl to http://HOST:PORT/... and returns the HTTP status and
 * the parsed JSON body. It sends the Host header curl derives from HOST:PORT (which is what
 * the daemon checks), "Authorization: Bearer <token>", and on POST "Content-Type:
 * application/json" with a Content-Length (never chunked). Timeouts: 5 s to connect, 120 s
 * for the whole request (verify can be slow). No proxy, no redirects, nothing retried.
 * The curl handle is kept between requests, so successive requests reuse the connection.
 * ctl_client_download() is the same GET for a file (a spreadsheet): a successful body goes
 * to a file descriptor as it arrives instead of being parsed.
 *
 * Errors: every int function returns 0 or a negative code, -errno or a CTL_E* code below;
 * ctl_strerror() decodes any of them, and ctl_client_errmsg() gives the full message of
 * the last failure on that client (naming the file or the address).
 */
#ifndef JIEFEN_CTL_CLIENT_H
#define JIEFEN_CTL_CLIENT_H

#include <jansson.h>
#include <stddef.h>

enum {
    CTL_EBASE = -41000,
    CTL_ENOTRUNNING = CTL_EBASE, /* DIR/jiefend.addr does not exist: no daemon on DIR */
    CTL_EADDR,                   /* DIR/jiefend.addr unreadable or not HOST:PORT */
    CTL_ETOKEN,                  /* DIR/admin.token missing, unreadable or empty */
    CTL_ECONNECT,                /* connection refused or lost before a complete reply */
    CTL_ETIMEOUT,                /* no complete reply within the timeouts */
    CTL_EREPLY,                  /* the reply is not HTTP we can use (or far too large) */
    CTL_ECURL,                   /* libcurl refused to set up the request */
    CTL_ECUT,                    /* a download broke off after its first bytes */
    CTL_ELAST
};

typedef struct ctl_client ctl_client;

/* A client not yet bound to a node. NULL when out of memory or libcurl cannot start.
 * Release with ctl_client_destroy(). */
ctl_client *ctl_client_new(void);

/* Reads DIR/jiefend.addr and DIR/admin.token (`dir` is copied). Returns 0,
 * CTL_ENOTRUNNING, CTL_EADDR, CTL_ETOKEN or -ENOMEM. May be called again after a failure. */
int ctl_client_open(ctl_client *c, const char *dir);

/* The node's time zone (from DIR/jiefend.addr), for showing its times as its staff read
 * them; NULL when the node did not say. */
const char *ctl_client_time_zone(const ctl_client *c);

/* Does one request. `method` is "GET" or "POST"; `path` starts with '/' and carries the
 * query string already escaped (see ctl_client_escape()). `body` (`body_len` bytes, may be
 * NULL for none) is sent as is with POST and must be NULL with GET.
 * Returns 0 once a complete HTTP reply arrived, whatever its status: *status is the HTTP
 * status and *json the parsed body, a new reference the caller releases with json_decref(),
 * or NULL when the body is empty or not JSON. Otherwise returns CTL_ECONNECT, CTL_ETIMEOUT,
 * CTL_EREPLY, CTL_ECURL, -EINVAL (bad arguments, or not opened) or -ENOMEM, and leaves
 * *status at 0 and *json at NULL. */
int ctl_client_request(ctl_client *c, const char *method, const char *path, const char *body,
                       size_t body_len, long *status, json_t **json);

/* Does one GET of a file to download (a spreadsheet): a 2xx body is written to `fd` as it
 * arrives, so its size is bounded by the disk, not by memory; any other body is taken as the
 * daemon's error, as ctl_client_request() takes it. Returns 0 once a complete reply arrived,
 * whatever its status: *status is the HTTP status, *written the bytes written to fd (0 unless
 * 2xx), and *json the parsed error body (a new reference the caller releases, or NULL; always
 * NULL on 2xx). Otherwise returns what ctl_client_request() returns, or -errno when writing
 * to fd failed (-ENOSPC, -EIO...); fd may then hold part of the body. */
int ctl_client_download(ctl_client *c, const char *path, int fd, long *status, size_t *written,
                        json_t **json);

/* `s` percent-encoded for a URL path segment or query value (RFC 3986 unreserved bytes
 * kept). Malloc'd, the caller frees it with free(); NULL when out of memory. */
char *ctl_client_escape(ctl_client *c, const char *s);

/* The message of the last failure on `c` (never NULL, "" when none). Valid until the next
 * call on `c`. */
const char *ctl_client_errmsg(const ctl_client *c);

/* Static string for any code these functions return. Never NULL. */
const char *ctl_strerror(int code);

/* Frees the client and wipes the token; accepts NULL and clears the caller's pointer. */
void ctl_client_destroy(ctl_client **c);

#endif
