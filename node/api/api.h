/*
 * api — the HTTP JSON API of docs/api.md: routing, Host and Origin checks, who is asking
 * (the bearer token or a session cookie with its CSRF token, api_session.c), what their
 * role may do (one table per dispatcher, docs/permissions.md), and one handler per route.
 * Every request is answered exactly once, with an error that names what was wrong, and is
 * counted in the metrics.
 *
 * The API has its own state (struct api), made by api_new() from the handles it uses; it
 * knows nothing of the node that wires it, and reaches back only through api_deps'
 * callback.
 */
#ifndef JIEFEN_API_H
#define JIEFEN_API_H

#include "api/api_deps.h"
#include "api/http.h"

#define API_MAX_BODY (1024 * 1024)

struct api;

/* The API's state, once the loop exists; NULL when out of memory. */
struct api *api_new(const struct api_deps *d);

/* Frees it after the loop has stopped; accepts NULL and clears the caller's pointer. */
void api_free(struct api **a);

/* http_handler_fn for the node's server; `data` is the struct api. */
void api_handle(http_req *req, const http_request *r, void *data);

/* Removes ended sessions from the store (the cron calls it). */
void api_sweep(struct api *a);

/* At shutdown: answers the logins still waiting (503) and stops their timer; ends the
 * event streams. */
void api_stop(struct api *a);

/* The store changed (a commit, or events in from a link): the event streams are told. */
void api_changed(struct api *a);

#endif
