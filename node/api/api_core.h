/*
 * api_core — what every route module shares: the API's state (struct api), the request
 * being answered and who makes it, the ways to answer it (each reply releases the call),
 * the body and query parsers, and what the caller's role may do. It calls no route.
 */
#ifndef JIEFEN_API_CORE_H
#define JIEFEN_API_CORE_H

#include "api/account.h"
#include "api/api_deps.h"
#include "api/http.h"
#include "api/permission.h"
#include "api/session.h"

#include <jansson.h>
#include <stdint.h>

struct pwcheck;
struct decoys;
struct events;

struct api {
    struct api_deps dep;    /* what api_new() was given */
    struct pwcheck *pw;     /* password checks waiting for the pool (api_account.h) */
    struct decoys *decoys;  /* failed logins of names that are no account (decoy.h) */
    struct events *events;  /* the live streams of GET /api/v1/events (events.h) */
};

enum api_auth { API_AUTH_NONE, API_AUTH_TOKEN, API_AUTH_SESSION };

/* Who makes a request: the local admin token (every right) or a user's browser session. */
struct api_who {
    enum api_auth auth;
    int role;                                 /* ROLE_*; ROLE_ADMIN for the token */
    char user[ACCOUNT_USER_MAX + 1];          /* "" for the token */
    char name[ACCOUNT_NAME_MAX * 4 + 1];
    uint8_t key[CRYPTO_HASH_LEN];             /* the session's key in the store */
    char csrf[SESSION_HEX];
    int64_t expires_ms;                       /* when the session ends if unused */
    char department[64];                      /* ROLE_DEPARTMENT: the account's department */
};

struct api_call {
    struct api *api;
    http_req *req;
    const char *route;
    uint64_t t0;
    struct api_who who;
    char headers[256];     /* header lines added to the answer (Set-Cookie) */
};

typedef void (*route_fn)(struct api_call *c, const http_request *r, const char *tail);

/* Sends the answer with the security headers every answer carries, `headers` (lines
 * "Name: value\r\n", may be NULL) and the call's own (c->headers). */
void reply_headers(struct api_call *c, int status, const char *type, const char *body,
                   size_t len, const char *headers);

/* Releases a call answered by a stream (http_stream_begin), counted as a 200 now. */
void reply_streamed(struct api_call *c);

/* Sends body as it is, not to be stored by the client (Cache-Control: no-store). */
void reply_raw(struct api_call *c, int status, const char *type, const char *body, size_t len);

/* Sends body (reference stolen) as JSON with the status. */
void reply_json(struct api_call *c, int status, json_t *body);

/* Sends {"error": {code, field, message}}; message in Chinese for staff. */
void reply_error(struct api_call *c, int status, const char *code, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Sends a file to download (200, Content-Disposition: attachment). */
void reply_file(struct api_call *c, const char *type, const char *filename, const char *body,
                size_t len);

/* 503 for a store that could not commit; logs the cause. No room (JF_EFULL, the map at
 * its ceiling) is 507 `disk_full` with api_disk_message's words. */
void reply_store_error(struct api_call *c, int rc);

/* Why the node takes no new writes, in Chinese for staff, into msg (len bytes): the disk
 * below [store] min_free_mb ("磁盘空间不足：剩余 3 MiB，至少需要 64 MiB；只读运行中"), else the
 * map at its ceiling. Returns 1 if the disk is low (status and the console's banner), 0. */
int api_disk_message(store *st, char *msg, size_t len);

/* A query parameter into out (len bytes), "" when absent. 0, or -1 when it is malformed. */
int api_query_param(const char *q, const char *key, char *out, size_t len);

/* The query's `from` and `to` (local YYYY-MM-DD, `to` inclusive) into [*from, *to); either
 * absent leaves its value as it is. NULL, or the name of the bad parameter. */
const char *api_query_dates(const char *q, int64_t *from, int64_t *to);

/* The query's `limit` into *limit, def when absent. NULL, or "limit" when it is not a whole
 * number from 1 to max. */
const char *api_query_limit(const char *q, long def, long max, long *limit);

/* Parses the request body as a JSON object, or answers 400 and returns NULL. A browser
 * session's body may not name an "actor": its events are the logged-in user's. */
json_t *api_body(struct api_call *c, const http_request *r);

/* A string member of a JSON object, "" when absent or not a string. */
const char *api_str(const json_t *in, const char *key);

/* Who an event records as done by: the session's user, else the person the body names
 * (`in` may be NULL), else "admin" (the local token). */
const char *api_actor(const struct api_call *c, const json_t *in);

/* What the caller may do with p: the token everything, a session what its role is granted. */
enum grant api_grant(const struct api_call *c, enum perm p);

/* 0 if the caller may do p (at least on some cases: GRANT_OWN); otherwise answers 403
 * forbidden naming the role and returns -1. */
int api_permit(struct api_call *c, enum perm p);

/* Whether the caller is the current leader (领导包案) of v: the assignment names their user
 * name or their name. */
int api_leads(const struct api_call *c, const Jiefen__CaseView *v);

/* Whether the caller may see case v: a department's account only a case routed to its
 * department (any part, current or past), everyone else every case. */
int api_sees_case(const struct api_call *c, const Jiefen__CaseView *v);

#endif
