/*
 * api_deps — what the node hands the API when it makes it (api_new): the handles the API
 * uses and its one way back to the node. Kept apart from api.h so that the API's own
 * modules see it without the top module's header.
 */
#ifndef JIEFEN_API_DEPS_H
#define JIEFEN_API_DEPS_H

#include "api/http.h"
#include "api/metrics.h"
#include "case/clockskew.h"
#include "case/lifecycle.h"
#include "case/policy.h"
#include "config.h"
#include "crypto.h"
#include "link/doclane.h"
#include "link/link.h"
#include "log/backupsched.h"
#include "log/eventlog.h"
#include "log/work.h"
#include "store.h"

#include <stdint.h>
#include <uv.h>

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
    const uint8_t *search_key;   /* the party search index's key (case/partyindex.h) */
    const uint8_t *linkage_key;  /* the county's linkage key (case/linkage.h); NULL: none */
    int64_t started_ms;
    const lifecycle_ctx *lc;     /* what the case steps need of this node */
    const clockskew *clock;      /* the peers' clocks as the links measured them */
    const doclane *docs;         /* the document lane, for its counters (may be NULL) */
    struct backupsched *backups; /* backups on the pool and the last one's result */
    /* Starts the uplink once this node is enrolled (0 or an error); called with arg. */
    int (*uplink_start)(void *arg);
    void *arg;
};

#endif
