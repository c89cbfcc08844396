/*
 * api_internal — what the route handlers of api.c and api_net.c share: the request being
 * answered and the ways to answer it. Each reply releases the call.
 */
#ifndef JIEFEN_API_INTERNAL_H
#define JIEFEN_API_INTERNAL_H

#include "api/account.h"
#include "api/http.h"
#include "node.h"
#include "log/work.h"
#include "api/permission.h"
#include "api/session.h"

#include <jansson.h>
#include <stdint.h>

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
};

struct api_call {
    struct node *n;
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

/* Sends body (reference stolen) as JSON with the status. */
void reply_json(struct api_call *c, int status, json_t *body);

/* Sends {"error": {code, field, message}}; message in Chinese for staff. */
void reply_error(struct api_call *c, int status, const char *code, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Sends a file to download (200, Content-Disposition: attachment). */
void reply_file(struct api_call *c, const char *type, const char *filename, const char *body,
                size_t len);

/* 503 for a store that could not commit; logs the cause. */
void reply_store_error(struct api_call *c, int rc);

/* The query's `from` and `to` (local YYYY-MM-DD, `to` inclusive) into [*from, *to); either
 * absent leaves its value as it is. NULL, or the name of the bad parameter. */
const char *api_query_dates(const char *q, int64_t *from, int64_t *to);

/* The query's `limit` into *limit, def when absent. NULL, or "limit" when it is not a whole
 * number from 1 to max. */
const char *api_query_limit(const char *q, long def, long max, long *limit);

/* Parses the request body as a JSON object, or answers 400 and returns NULL. A browser
 * session's body may not name an "actor": its events are the logged-in user's. */
json_t *api_body(struct api_call *c, const http_request *r);

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

struct api_op;
typedef int (*op_apply_fn)(eventlog_tx *tx, struct api_op *o);

struct api_op {
    struct api_call *c;
    op_apply_fn apply;
    json_t *in;            /* the request body */
    json_t *out;           /* the answer, rebuilt by each run of apply */
    int refused;           /* apply refused: status, code, field, message below */
    int status;
    char code[32], field[64], msg[256];
    void (*after)(struct node *n);
    void *data;            /* the route's own, freed with the operation */
};

/* Records why the operation is refused and returns JF_EINVAL: the operation's nested
 * transaction is rolled back and the caller gets the error. An apply that must keep what it
 * wrote and still answer with an error (a failed login is counted) records the refusal and
 * returns 0. */
int op_refuse(struct api_op *o, int status, const char *code, const char *field,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Runs apply in the next group commit and answers when it is durable. Takes `in`. */
void op_submit(struct api_call *c, json_t *in, op_apply_fn apply,
               void (*after)(struct node *));

/* op_submit with data for apply (o->data), freed with free() once answered. */
void op_submit_data(struct api_call *c, json_t *in, op_apply_fn apply,
                    void (*after)(struct node *), void *data);

/* A JSON body, then op_submit. */
void op_route(struct api_call *c, const http_request *r, op_apply_fn apply,
              void (*after)(struct node *));

/* op_route with data for apply (o->data), freed with free() once answered. */
void op_route_data(struct api_call *c, const http_request *r, op_apply_fn apply,
                   void (*after)(struct node *), void *data);

/* A string member of a JSON object, "" when absent or not a string. */
const char *op_str(const json_t *in, const char *key);

/* Appends ev as done by api_actor(). */
int op_append(eventlog_tx *tx, struct api_op *o, Jiefen__Event *ev);

/* api_actor() of the operation's call and body. */
const char *op_actor(const struct api_op *o);

/* Routes and helpers of api_case.c: the life of a case, its file, supervision. */
json_t *api_case_json(struct node *n, MDB_txn *txn, const Jiefen__CaseView *v);
void route_case_show(struct api_call *c, const http_request *r, const char *tail);
void route_case_action(struct api_call *c, const http_request *r, const char *tail);
void route_supervision(struct api_call *c, const http_request *r, const char *tail);

/* api_console.c: the embedded web console, served without the token or a session. */
int api_console_path(const char *path);
void route_console(struct api_call *c, const http_request *r, const char *tail);

/* A spreadsheet made on the thread pool (the first member of each export job). */
struct api_export {
    struct api_call *c;
    int xlsx;
    char filename[128];
    char *out; /* the file, malloc'd */
    size_t len;
    char err[256];
};

/* api_ledger.c: the ledger figures, and what every spreadsheet route shares: the query's
 * `format` (xlsx, the default, or csv) into *xlsx, NULL or "format" when it is bad; and the
 * answer, the file or 500 export_failed with e->err (or rc's text) when rc is not 0, after
 * which e->out is freed. */
void route_ledger(struct api_call *c, const http_request *r, const char *tail);
void route_ledger_export(struct api_call *c, const http_request *r, const char *tail);
const char *api_export_format(const char *query, int *xlsx);
void api_export_done(struct api_export *e, int rc);

/* api_report.c: reports up the tree. */
void route_report_draft(struct api_call *c, const http_request *r, const char *tail);
void route_report_submit(struct api_call *c, const http_request *r, const char *tail);
void route_report_review(struct api_call *c, const http_request *r, const char *tail);
void route_reports(struct api_call *c, const http_request *r, const char *tail);
void route_report_export(struct api_call *c, const http_request *r, const char *tail);
void route_warnings(struct api_call *c, const http_request *r, const char *tail);

/* api_account.c: who is asking, sessions (login, logout, own password) and the node's
 * users. api_identify answers the request itself (and returns -1) when a session cookie is
 * expired or void, or when a session's state-changing request lacks its CSRF token;
 * otherwise it fills c->who (API_AUTH_NONE: neither a token nor a cookie) and returns 0. */
int api_identify(struct api_call *c, const http_request *r);
void route_session_login(struct api_call *c, const http_request *r, const char *tail);
void route_session_show(struct api_call *c, const http_request *r, const char *tail);
void route_session_logout(struct api_call *c, const http_request *r, const char *tail);
void route_session_passwd(struct api_call *c, const http_request *r, const char *tail);
void route_users(struct api_call *c, const http_request *r, const char *tail);
void route_user_add(struct api_call *c, const http_request *r, const char *tail);
void route_user_action(struct api_call *c, const http_request *r, const char *tail);

/* Routes of api_net.c: enrolment, directives, links. */
void route_enrol_request(struct api_call *c, const http_request *r, const char *tail);
void route_enrol_root(struct api_call *c, const http_request *r, const char *tail);
void route_enrol_approve(struct api_call *c, const http_request *r, const char *tail);
void route_enrol_install(struct api_call *c, const http_request *r, const char *tail);
void route_enrol_revoke(struct api_call *c, const http_request *r, const char *tail);
void route_nodes(struct api_call *c, const http_request *r, const char *tail);
void route_directive_send(struct api_call *c, const http_request *r, const char *tail);
void route_directive_list(struct api_call *c, const http_request *r, const char *tail);
void route_directive_ack(struct api_call *c, const http_request *r, const char *tail);
void route_quarantine_clear(struct api_call *c, const http_request *r, const char *tail);

#endif
