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

#include "api/http.h"
#include "api/metrics.h"
#include "case/policy.h"
#include "config.h"
#include "crypto.h"
#include "link/link.h"
#include "log/eventlog.h"
#include "log/work.h"
#include "store.h"

#include <stdint.h>
#include <uv.h>

#define API_MAX_BODY (1024 * 1024)

struct node;

/* What the API is given; every pointer outlives it. */
struct api_deps {
    uv_loop_t *loop;
    store *st;
    eventlog *log;
    const struct config *cfg;
    const struct policy *policy;
    const crypto_identity *id;
    metrics *metrics;
    struct work *work;           /* reads on the thread pool */
    uplink *const *up;           /* the node's links, as they come and go (may be NULL) */
    downlink *const *down;
    http_server *const *http;    /* the server answering through api_handle */
    const char *dir;             /* the data directory (exports are written there) */
    const char *token;           /* the local admin token */
    int64_t started_ms;
    /* Opaque, only handed on to case/lifecycle.h, whose steps still take the node. */
    struct node *node;
    /* Starts the uplink once this node is enrolled (0 or an error); called with arg. */
    int (*uplink_start)(void *arg);
    void *arg;
};

struct api;

/* The API's state, once the loop exists; NULL when out of memory. */
struct api *api_new(const struct api_deps *d);

/* Frees it after the loop has stopped; accepts NULL and clears the caller's pointer. */
void api_free(struct api **a);

/* http_handler_fn for the node's server; `data` is the struct api. */
void api_handle(http_req *req, const http_request *r, void *data);

/* Removes ended sessions from the store (the cron calls it). */
void api_sweep(struct api *a);

/* At shutdown: answers the logins still waiting (503) and stops their timer. */
void api_stop(struct api *a);

#endif
