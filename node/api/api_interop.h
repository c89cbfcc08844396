/* api_interop — 信息互通 on the HTTP API (api_interop.c): the routes in api_routes.h and
 * what a case shows of the work order it was taken from. */
#ifndef JIEFEN_API_INTEROP_H
#define JIEFEN_API_INTEROP_H

#include "api/api_core.h"

/* {system, system_name, order_no, received_ms, receipt: null or {result, result_name,
 * status, status_name, attempts, done_ms, answer, last_error}} of the order case_id was
 * taken from, json null when none; NULL on a store error (*rc) or without memory. */
json_t *api_interop_of_case(struct api *api, MDB_txn *txn, const char *case_id, int *rc);

/* The system of [interop] named by a valid JF-HMAC signature of r's body, or NULL after
 * answering 401 (unauthorized, unknown_system, stale_request, bad_signature). */
const struct config_interop_system *api_interop_authenticate(struct api_call *c,
                                                             const http_request *r);

/* [{code, name}] of the courts of [interop] (kind = court, with a key: the ones
 * confirmation accepts), in config order, name their title; NULL without memory. */
json_t *api_interop_courts(const struct api *api);

/* The Chinese name of a system ("12345热线", "信访系统"), else its own name. */
const char *api_interop_system_name(const char *system);

/* The name of system as configured ([interop] NAME.title), else as known (above). */
const char *api_interop_system_title(const struct api *api, const char *system);

/* How an order taken by api_interop_take ended: rc 0 with the HTTP status and answer
 * (stolen: 201/200 taken, 400 refused and kept), or rc a store error / -ENOMEM (nothing
 * kept: try again). */
typedef void (*interop_done_fn)(void *arg, int rc, int status, json_t *answer);

/* Takes the order body (len bytes, NUL-terminated) of system (configured; the caller
 * authenticated it) arriving by via ("api", "folder"): one case per (system, order_no),
 * a malformed one refused and kept. done is called once, on the loop. */
void api_interop_take(struct api *api, const char *system, const char *body, size_t len,
                      const char *via, interop_done_fn done, void *arg);

#endif
