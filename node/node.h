/*
 * node — one jiefend: its data directory, store, identity, event log, HTTP API and the
 * libuv loop that drives them. main() only parses arguments and calls node_init() or
 * node_new()/node_run()/node_destroy(); everything else reaches the node through the
 * `struct node` passed explicitly.
 *
 * Data directory: jiefend.conf, node.key (0600), admin.token (0600), store/ (LMDB),
 * and while running jiefend.pid (locked: one daemon per directory) and jiefend.addr.
 */
#ifndef JIEFEN_NODE_H
#define JIEFEN_NODE_H

#include "config.h"
#include "crypto.h"
#include "log/eventlog.h"
#include "api/http.h"
#include "case/deadline.h"
#include "case/lifecycle.h"
#include "case/warning.h"
#include "link/link.h"
#include "report/schedule.h"
#include "api/metrics.h"
#include "case/policy.h"
#include "store.h"

#include <limits.h>
#include <uv.h>

#define NODE_ERR_MAX 1024

struct work;
struct api;
#define NODE_DIR_MAX (PATH_MAX - 64)

struct node {
    uv_loop_t loop;
    struct config cfg;
    struct policy policy;
    char dir[PATH_MAX];
    store *st;
    crypto_identity *id;
    eventlog *log;
    http_server *http;
    metrics *metrics;
    char token[65];
    uv_signal_t sig_int, sig_term;
    uv_check_t commit_check;
    uv_idle_t commit_idle;
    uv_timer_t cron;
    void *zctx;            /* ZeroMQ context of the links */
    uplink *up;            /* to the parent, once enrolled */
    downlink *down;        /* to the children, when [link] listen is set */
    int lock_fd;
    int64_t started_ms;
    int stopping;
    struct work *work;     /* store reads on the thread pool (work.h) */
    struct api *api;       /* the HTTP API's own state (api.h) */
    lifecycle_ctx lc;      /* what the case steps need of this node */
    deadline *deadline;    /* the holder's timers of 限时办结 */
    warning_queue *warnings; /* received openings waiting for the repeat-party rule */
    schedule *schedule;    /* report drafts at the end of each period */
};

/* Registers with log/fold.h what each kind of event does to the domain's views, and what
 * follows an applied event (route.h). Called by node_init and node_new; tools and tests
 * that fold events without a node call it first. */
void node_register_folds(void);

/* Creates a new node in `dir` (which must not exist or be empty) from cfg. On failure
 * returns non-zero with the reason in err and leaves no node behind. */
int node_init(const char *dir, const struct config *cfg, char *err, size_t errlen);

/* Opens the node in `dir`: config, identity, lock, store. Returns NULL with the reason in
 * err. With check_only, stops after the config is loaded and checked. */
struct node *node_new(const char *dir, int check_only, char *err, size_t errlen);

/* Serves until SIGINT/SIGTERM. Returns 0 on a clean stop. */
int node_run(struct node *n, char *err, size_t errlen);

/* Closes everything; accepts NULL and clears the caller's pointer. */
void node_destroy(struct node **n);

/* Starts the uplink if this node is enrolled and it is not running yet. */
int node_uplink_start(struct node *n);

/* There may be new events to send up and items to send down. */
void node_links_kick(struct node *n);

#endif
