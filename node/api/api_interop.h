/* api_interop — 信息互通 on the HTTP API (api_interop.c): the routes in api_routes.h and
 * what a case shows of the work order it was taken from. */
#ifndef JIEFEN_API_INTEROP_H
#define JIEFEN_API_INTEROP_H

#include "api/api_core.h"

/* {system, system_name, order_no, received_ms, receipt: null or {result, result_name,
 * status, status_name, attempts, done_ms, answer, last_error}} of the order case_id was
 * taken from, json null when none; NULL on a store error (*rc) or without memory. */
json_t *api_interop_of_case(struct api *api, MDB_txn *txn, const char *case_id, int *rc);

/* The Chinese name of a system ("12345热线", "信访系统"), else its own name. */
const char *api_interop_system_name(const char *system);

#endif
