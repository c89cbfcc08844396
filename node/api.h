/*
 * api — the HTTP JSON API of docs/api.md: routing, the bearer token, Host and Origin
 * checks, and one handler per route. Every request is answered exactly once, with an
 * error that names what was wrong, and is counted in the metrics.
 */
#ifndef JIEFEN_API_H
#define JIEFEN_API_H

#include "http.h"

#define API_MAX_BODY (1024 * 1024)

/* http_handler_fn for the node's server; `data` is the struct node. */
void api_handle(http_req *req, const http_request *r, void *data);

#endif
