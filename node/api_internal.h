/*
 * api_internal — what the route handlers of api.c and api_net.c share: the request being
 * answered and the ways to answer it. Each reply releases the call.
 */
#ifndef JIEFEN_API_INTERNAL_H
#define JIEFEN_API_INTERNAL_H

#include "http.h"
#include "node.h"

#include <jansson.h>
#include <stdint.h>

struct api_call {
    struct node *n;
    http_req *req;
    const char *route;
    uint64_t t0;
};

typedef void (*route_fn)(struct api_call *c, const http_request *r, const char *tail);

/* Sends the answer with the security headers every answer carries and `headers` (lines
 * "Name: value\r\n", may be NULL). */
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

/* Parses the request body as a JSON object, or answers 400 and returns NULL. */
json_t *api_body(struct api_call *c, const http_request *r);

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
 * transaction is rolled back and the caller gets the error. */
int op_refuse(struct api_op *o, int status, const char *code, const char *field,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Runs apply in the next group commit and answers when it is durable. Takes `in`. */
void op_submit(struct api_call *c, json_t *in, op_apply_fn apply,
               void (*after)(struct node *));

/* A JSON body, then op_submit. */
void op_route(struct api_call *c, const http_request *r, op_apply_fn apply,
              void (*after)(struct node *));

/* op_route with data for apply (o->data), freed with free() once answered. */
void op_route_data(struct api_call *c, const http_request *r, op_apply_fn apply,
                   void (*after)(struct node *), void *data);

/* A string member of a JSON object, "" when absent or not a string. */
const char *op_str(const json_t *in, const char *key);

/* Appends ev as done by the body's "actor" (the person; "admin" when absent). */
int op_append(eventlog_tx *tx, struct api_op *o, Jiefen__Event *ev);

/* Routes and helpers of api_case.c: the life of a case, its file, supervision. */
json_t *api_case_json(struct node *n, MDB_txn *txn, const Jiefen__CaseView *v);
void route_case_show(struct api_call *c, const http_request *r, const char *tail);
void route_case_action(struct api_call *c, const http_request *r, const char *tail);
void route_supervision(struct api_call *c, const http_request *r, const char *tail);

/* api_console.c: the embedded web console, served without the token or a session. */
int api_console_path(const char *path);
void route_console(struct api_call *c, const http_request *r, const char *tail);

/* api_ledger.c: the ledger figures. */
void route_ledger(struct api_call *c, const http_request *r, const char *tail);
void route_ledger_export(struct api_call *c, const http_request *r, const char *tail);

/* api_report.c: reports up the tree. */
void route_report_draft(struct api_call *c, const http_request *r, const char *tail);
void route_report_submit(struct api_call *c, const http_request *r, const char *tail);
void route_report_review(struct api_call *c, const http_request *r, const char *tail);
void route_reports(struct api_call *c, const http_request *r, const char *tail);
void route_warnings(struct api_call *c, const http_request *r, const char *tail);

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
