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

/* Sends body (reference stolen) as JSON with the status. */
void reply_json(struct api_call *c, int status, json_t *body);

/* Sends {"error": {code, field, message}}; message in Chinese for staff. */
void reply_error(struct api_call *c, int status, const char *code, const char *field,
                 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* 503 for a store that could not commit; logs the cause. */
void reply_store_error(struct api_call *c, int rc);

/* Parses the request body as a JSON object, or answers 400 and returns NULL. */
json_t *api_body(struct api_call *c, const http_request *r);

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
