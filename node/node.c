#include "node.h"
#include "api/api.h"
#include "api/http.h"
#include "api/api_document.h"
#include "api/metrics.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/partyindex.h"
#include "case/clockskew.h"
#include "case/deadline.h"
#include "case/directive.h"
#include "case/lifecycle.h"
#include "case/policy.h"
#include "case/route.h"
#include "case/warning.h"
#include "clock.h"
#include "crypto.h"
#include "error.h"
#include "link/doclane.h"
#include "link/link.h"
#include "log.h"
#include "log/eventlog.h"
#include "log/fold.h"
#include "log/quarantine.h"
#include "log/registry.h"
#include "log/work.h"
#include "report/report.h"
#include "report/schedule.h"
#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>

#define NODE_DIR_MAX (PATH_MAX - 64)

/* The node: its config, its loop and the handles of its parts, each owning its state. */
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
    uint8_t search_key[PARTYINDEX_KEY_LEN]; /* the party search index's (partyindex.h) */
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
    clockskew *clock;      /* the peers' clocks as the links measure them */
    doclane *docs;         /* documents following the cases moved here (doclane.h) */
};

#define CRON_MS 60000

static void errf(char *err, size_t len, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

/* Data directories are checked to leave room for our file names (NODE_DIR_MAX). */
static void path_in(const char *dir, const char *name, char *out)
{
    if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
        out[0] = 0;
}

/* 1 if dir is absent or an empty directory, 0 if it has entries, -errno otherwise. */
static int dir_is_fresh(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 1 : -errno;
    struct dirent *e;
    int fresh = 1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            fresh = 0;
    closedir(d);
    return fresh;
}

/* Times and calendar years follow the node's zone, not the machine's. */
static void use_time_zone(const char *zone)
{
    setenv("TZ", zone, 1);
    tzset();
}

struct genesis {
    const struct config *cfg;
    const crypto_identity *id;
    int status;
};

/* The first event of every log says who the node is. */
static int genesis_apply(eventlog_tx *tx, void *arg)
{
    const struct genesis *g = arg;
    Jiefen__NodeCreated nc = JIEFEN__NODE_CREATED__INIT;
    nc.node_id = (char *)g->cfg->node_id;
    nc.name = (char *)g->cfg->node_name;
    nc.tier = g->cfg->tier;
    nc.time_zone = (char *)g->cfg->time_zone;
    nc.public_key.data = (uint8_t *)crypto_identity_pk(g->id);
    nc.public_key.len = CRYPTO_PK_LEN;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.actor = "init";
    ev.body_case = JIEFEN__EVENT__BODY_NODE_CREATED;
    ev.node_created = &nc;
    return eventlog_append(tx, &ev, NULL, 0);
}

static void genesis_done(void *arg, int status)
{
    ((struct genesis *)arg)->status = status;
}

static int create_store(const char *dir, const struct config *cfg, const crypto_identity *id)
{
    char path[PATH_MAX];
    store *st = NULL;
    eventlog *log = NULL;
    path_in(dir, "store", path);
    int rc = store_open(path, (size_t)cfg->map_size_mb << 20, 1, &st);
    if (rc == 0)
        rc = eventlog_new(st, id, cfg->node_id, &log);
    struct genesis g = {cfg, id, -1};
    if (rc == 0 && (rc = eventlog_submit(log, genesis_apply, genesis_done, &g)) == 0) {
        eventlog_flush(log);
        rc = g.status;
    }
    eventlog_free(&log);
    store_close(&st);
    return rc;
}

/* Removes what a failed init created, so that a retry starts from nothing. */
static void init_cleanup(const char *dir)
{
    static const char *files[] = {"jiefend.conf", "node.key", "admin.token", "search.key",
                                  "store/data.mdb",
                                  "store/lock.mdb", "store"};
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        path_in(dir, files[i], path);
        remove(path);
    }
    rmdir(dir);
}

void node_register_folds(void)
{
    for (int kind = 1; kind < FOLD_KINDS; kind++)
        if (case_kind(kind))
            fold_set(kind, caseindex_fold);
    fold_set(JIEFEN__EVENT__BODY_DIRECTIVE, directive_fold);
    fold_set(JIEFEN__EVENT__BODY_DIRECTIVE_ACK, directive_ack_fold);
    fold_set(JIEFEN__EVENT__BODY_REPORT_SUBMITTED, report_fold);
    fold_set(JIEFEN__EVENT__BODY_REPORT_REVIEWED, report_fold);
    fold_set(JIEFEN__EVENT__BODY_WARNING, warning_fold);
    fold_set(JIEFEN__EVENT__BODY_EQUIVOCATION_PROOF, quarantine_fold);
    fold_set_applied(route_down);
}

int node_init(const char *dir, const struct config *cfg, char *err, size_t errlen)
{
    node_register_folds();
    char path[PATH_MAX];
    crypto_identity *id = NULL;
    if (strlen(dir) > NODE_DIR_MAX) {
        errf(err, errlen, "data directory path longer than %d bytes", NODE_DIR_MAX);
        return -1;
    }
    int fresh = dir_is_fresh(dir);
    if (fresh <= 0) {
        errf(err, errlen, fresh == 0 ? "%s is not empty: refusing to initialise over it "
                                       "(a node may already live there)"
                                     : "%s: cannot read directory",
             dir);
        return -1;
    }
    if (config_check(cfg, err, errlen))
        return -1;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        errf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    int rc;
    const char *step = "jiefend.conf";
    path_in(dir, step, path);
    if ((rc = config_write(path, cfg)) == 0) {
        path_in(dir, step = "node.key", path);
        rc = crypto_identity_create(path, &id);
    }
    if (rc == 0) {
        path_in(dir, step = "admin.token", path);
        rc = crypto_token_create(path);
    }
    if (rc == 0) {
        uint8_t key[PARTYINDEX_KEY_LEN];
        step = "search.key";
        rc = partyindex_key_load(dir, key);
        crypto_wipe(key, sizeof key);
    }
    if (rc == 0) {
        step = "store";
        rc = create_store(dir, cfg, id);
    }
    crypto_identity_free(&id);
    if (rc) {
        errf(err, errlen, "%s/%s: %s", dir, step, jf_strerror(rc));
        init_cleanup(dir);
        return -1;
    }
    return 0;
}

/* Takes DIR/jiefend.pid with an exclusive lock held for the life of the process. */
static int take_lock(struct node *n, char *err, size_t errlen)
{
    char path[PATH_MAX], pid[32] = {0};
    path_in(n->dir, "jiefend.pid", path);
    n->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (n->lock_fd < 0) {
        errf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    if (flock(n->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        ssize_t r = pread(n->lock_fd, pid, sizeof pid - 1, 0);
        pid[r > 0 ? strcspn(pid, "\n") : 0] = 0;
        errf(err, errlen, "another jiefend (pid %s) is already running on %s",
             pid[0] ? pid : "?", n->dir);
        close(n->lock_fd);
        n->lock_fd = -1;
        return -1;
    }
    int len = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(n->lock_fd, 0) < 0 || pwrite(n->lock_fd, pid, (size_t)len, 0) != len) {
        errf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    return 0;
}

static int read_token(struct node *n, char *err, size_t errlen)
{
    char path[PATH_MAX];
    path_in(n->dir, "admin.token", path);
    FILE *f = fopen(path, "r");
    if (!f) {
        errf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t r = fread(n->token, 1, sizeof n->token - 1, f);
    fclose(f);
    n->token[r] = 0;
    n->token[strcspn(n->token, "\r\n")] = 0;
    if (strlen(n->token) < 32) {
        errf(err, errlen, "%s: token too short", path);
        return -1;
    }
    return 0;
}

static int open_parts(struct node *n, char *err, size_t errlen)
{
    char path[PATH_MAX];
    int rc;
    path_in(n->dir, "node.key", path);
    if ((rc = crypto_identity_load(path, &n->id))) {
        errf(err, errlen, "%s: %s%s", path, jf_strerror(rc),
             rc == -EPERM ? " (the key file must be mode 0600)" : "");
        return -1;
    }
    if (read_token(n, err, errlen) || take_lock(n, err, errlen))
        return -1;
    if ((rc = partyindex_key_load(n->dir, n->search_key))) {
        errf(err, errlen, "%s/search.key: %s%s", n->dir, jf_strerror(rc),
             rc == -EPERM ? " (the key file must be mode 0600)" : "");
        return -1;
    }
    path_in(n->dir, "store", path);
    if ((rc = store_open(path, (size_t)n->cfg.map_size_mb << 20, 0, &n->st))) {
        errf(err, errlen, "%s: %s", path, jf_strerror(rc));
        return -1;
    }
    if ((rc = caseindex_opened_fill(n->st))) {
        errf(err, errlen, "%s: indexing the cases by opening time: %s", path, jf_strerror(rc));
        return -1;
    }
    if (eventlog_new(n->st, n->id, n->cfg.node_id, &n->log) || !(n->metrics = metrics_new())) {
        errf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

struct node *node_new(const char *dir, int check_only, char *err, size_t errlen)
{
    node_register_folds();
    struct node *n = calloc(1, sizeof *n);
    if (!n) {
        errf(err, errlen, "out of memory");
        return NULL;
    }
    n->lock_fd = -1;
    if (strlen(dir) > NODE_DIR_MAX) {
        errf(err, errlen, "data directory path longer than %d bytes", NODE_DIR_MAX);
        free(n);
        return NULL;
    }
    snprintf(n->dir, sizeof n->dir, "%s", dir);
    char path[PATH_MAX];
    path_in(dir, "jiefend.conf", path);
    if (config_load(path, &n->cfg, err, errlen)) {
        if (access(path, F_OK) < 0)
            errf(err, errlen, "%s: no node here (create one with `jiefend init`)", path);
        node_destroy(&n);
        return NULL;
    }
    log_set_level((enum log_level)n->cfg.log_level);
    use_time_zone(n->cfg.time_zone);
    if (policy_load(&n->policy, &n->cfg, dir, err, errlen)) {
        node_destroy(&n);
        return NULL;
    }
    if (!check_only && open_parts(n, err, errlen))
        node_destroy(&n);
    return n;
}

/* There may be new events to send up and items to send down, and new limits to time. */
static void links_kick(struct node *n)
{
    uplink_kick(n->up);
    downlink_kick(n->down);
    deadline_arm(n->deadline);
}

static void on_commit(void *arg, unsigned ops, unsigned events)
{
    struct node *n = arg;
    metrics_batch(n->metrics, ops);
    log_debug("eventlog", "committed %u operations, %u events", ops, events);
    links_kick(n);
    api_changed(n->api);
}

/* The parent and where to reach it, as recorded at enrolment (the config may override
 * the endpoint). Returns 1 if enrolled under a parent, 0 if not (or a root). */
static int parent_of(struct node *n, MDB_txn *txn, char *parent, char *endpoint, uint8_t *pk)
{
    MDB_val d, ed;
    if (store_get(txn, n->st->meta, "parent", 6, &d) || d.mv_size > STORE_ORIGIN_MAX)
        return 0;
    snprintf(parent, STORE_ORIGIN_MAX + 1, "%.*s", (int)d.mv_size, (char *)d.mv_data);
    if (n->cfg.link_parent[0])
        snprintf(endpoint, 256, "%s", n->cfg.link_parent);
    else if (store_get(txn, n->st->meta, "parent_endpoint", 15, &ed) == 0 && ed.mv_size < 256)
        snprintf(endpoint, 256, "%.*s", (int)ed.mv_size, (char *)ed.mv_data);
    else
        return 0;
    return registry_key(n->st, txn, parent, pk) == 0;
}

static void publish_proofs(struct node *n)
{
    int rc = quarantine_publish(n->st, n->log);
    if (rc)
        log_warn("node", "cannot queue the equivocation proofs for the log (%s)",
                 jf_strerror(rc));
}

/* Events came in over a link: relay them on, check the rules that need them, and append
 * any equivocation proof found to our log (so it goes up). */
static void links_received(void *arg)
{
    struct node *n = arg;
    links_kick(n);
    api_changed(n->api);
    doclane_changed(n->docs);
    warning_check_received(n->warnings);
    publish_proofs(n);
}

/* A link measured a peer's clock. */
static void links_clock(void *arg, const char *peer, int is_parent, int64_t offset_ms)
{
    clockskew_seen(((struct node *)arg)->clock, peer, is_parent, offset_ms);
}

/* A message of the document lane came over a link. */
static void links_doc(void *arg, const char *peer, const Jiefen__LinkMessage *m)
{
    doclane_received(((struct node *)arg)->docs, peer, m);
}

/* The document lane sends to the parent or to a child, whichever `peer` is. */
static int docs_send(void *arg, const char *peer, const Jiefen__LinkMessage *m)
{
    struct node *n = arg;
    int rc = uplink_send(n->up, peer, m);
    return rc == -EHOSTUNREACH && n->down ? downlink_send(n->down, peer, m) : rc;
}

static struct link_ctx link_ctx(struct node *n)
{
    struct link_throttle t = {(uint64_t)n->cfg.link_throttle_invalid,
                              n->cfg.link_throttle_window_s * 1000LL,
                              n->cfg.link_throttle_cooldown_s * 1000LL};
    return (struct link_ctx){.loop = &n->loop, .zctx = n->zctx, .st = n->st, .id = n->id,
                             .node_id = n->cfg.node_id, .on_received = links_received,
                             .arg = n, .throttle = t, .on_clock = links_clock,
                             .on_doc = links_doc};
}

/* Starts the uplink if this node is enrolled and it is not running yet. */
static int uplink_start_enrolled(struct node *n)
{
    MDB_txn *txn;
    char parent[STORE_ORIGIN_MAX + 1], endpoint[256];
    uint8_t pk[32];
    if (n->up || store_txn_begin(n->st, MDB_RDONLY, &txn))
        return 0;
    int enrolled = parent_of(n, txn, parent, endpoint, pk);
    store_txn_abort(txn);
    struct link_ctx ctx = link_ctx(n);
    return enrolled ? uplink_start(&ctx, parent, pk, endpoint, &n->up) : 0;
}

static int start_links(struct node *n, char *err, size_t errlen)
{
    if (!(n->zctx = zmq_ctx_new())) {
        errf(err, errlen, "zeromq: cannot create a context");
        return -1;
    }
    int rc;
    struct link_ctx ctx = link_ctx(n);
    if (n->cfg.link_listen[0] && (rc = downlink_start(&ctx, n->cfg.link_listen, &n->down))) {
        errf(err, errlen, "link: cannot listen on %s (%s)", n->cfg.link_listen,
             zmq_strerror(-rc));
        return -1;
    }
    if ((rc = uplink_start_enrolled(n))) {
        errf(err, errlen, "link: cannot connect to the parent (%s)", zmq_strerror(-rc));
        return -1;
    }
    return 0;
}

static void commit_check_cb(uv_check_t *h)
{
    struct node *n = h->data;
    uv_idle_stop(&n->commit_idle);
    eventlog_commit(n->log);
}

/* An idle handle only keeps the loop from sleeping while operations wait for the check
 * phase; it does nothing itself. */
static void commit_idle_cb(uv_idle_t *h)
{
    (void)h;
}

/* Whoever queues an operation on the log, the loop starts its commit as soon as the current
 * I/O has been read (or, with a batch in flight, the end of that batch starts it). */
static void log_submitted(void *arg)
{
    struct node *n = arg;
    uv_idle_start(&n->commit_idle, commit_idle_cb);
}

static void cron_cb(uv_timer_t *t)
{
    struct node *n = t->data;
    store_reader_check(n->st);
    api_sweep(n->api);
    /* What a burst (a backlog drained, an export) freed goes back to the system instead of
     * staying in the heap of a node that is idle again. */
    malloc_trim(0);
}

static void close_walk_cb(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Closing the signal handles gives SIGINT/SIGTERM back their default action, which would
 * kill the process before its store is closed: from here on they are ignored. */
static void close_handles(struct node *n)
{
    uv_walk(&n->loop, close_walk_cb, NULL);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
}

static void http_closed(void *arg)
{
    struct node *n = arg;
    n->http = NULL;
    /* Jobs on the thread pool finish on their own; the rest of the handles close now. */
    close_handles(n);
}

static void signal_cb(uv_signal_t *s, int signum)
{
    struct node *n = s->data;
    if (n->stopping)
        return;
    n->stopping = 1;
    log_info("node", "signal %d: stopping", signum);
    /* Still caught (and ignored, above) while stopping, so a second signal cannot kill
     * the daemon mid-shutdown; unreferenced, so they do not keep the loop alive. */
    uv_unref((uv_handle_t *)&n->sig_int);
    uv_unref((uv_handle_t *)&n->sig_term);
    uv_timer_stop(&n->cron);
    api_stop(n->api);
    work_stop(n->work);
    deadline_stop(n->deadline);
    warning_stop(n->warnings);
    schedule_stop(n->schedule);
    uplink_close(n->up);
    downlink_close(n->down);
    n->up = NULL;
    n->down = NULL;
    if (eventlog_pending(n->log))
        eventlog_flush(n->log);
    http_server_close(n->http, http_closed, n);
}

static int write_addr_file(struct node *n, int port)
{
    char path[PATH_MAX], tmp[PATH_MAX + 8];
    path_in(n->dir, "jiefend.addr", path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f)
        return -errno;
    const char *h = n->cfg.http_host;
    fprintf(f, strchr(h, ':') ? "[%s]:%d\n" : "%s:%d\n", h, port);
    fprintf(f, "%s\n", n->cfg.time_zone); /* jiefenctl shows times in it */
    if (fclose(f) != 0 || rename(tmp, path) < 0)
        return -errno;
    return 0;
}

static int uplink_start_cb(void *arg)
{
    return uplink_start_enrolled(arg);
}

/* The API and the pool it reads on, with the handles they use. */
static int start_api(struct node *n)
{
    if (!(n->work = work_new(&n->loop, n->st)))
        return -1;
    struct api_deps d = {.loop = &n->loop, .st = n->st, .log = n->log, .cfg = &n->cfg,
                         .policy = &n->policy, .id = n->id, .metrics = n->metrics,
                         .work = n->work, .up = &n->up, .down = &n->down, .http = &n->http,
                         .dir = n->dir, .token = n->token,
                         .search_key = n->search_key, .started_ms = n->started_ms,
                         .lc = &n->lc, .clock = n->clock, .docs = n->docs, .uplink_start = uplink_start_cb,
                         .arg = n};
    return (n->api = api_new(&d)) ? 0 : -1;
}

/* The [http] section as the server's limits, fitted under this process's fd limit (a cap
 * set above it is lowered, and the log says so). */
static void http_limits_of(const struct config *cfg, struct http_limits *lim)
{
    http_limits_default(lim);
    lim->max_body = API_MAX_BODY;
    lim->max_upload = (size_t)cfg->doc_max_file_kb * 1024;
    lim->is_upload = api_document_upload;
    lim->header_ms = (unsigned)cfg->http_header_timeout_s * 1000;
    lim->body_ms = (unsigned)cfg->http_body_timeout_s * 1000;
    lim->idle_ms = (unsigned)cfg->http_idle_timeout_s * 1000;
    lim->max_conns = (unsigned)cfg->http_max_connections;
    lim->max_per_addr = (unsigned)cfg->http_max_per_address;
    lim->max_pipeline = (unsigned)cfg->http_pipeline;
    if (http_limits_fit(lim))
        log_warn("http", "connection caps lowered to %u (%u per address) to fit the fd limit",
                 lim->max_conns, lim->max_per_addr);
}

static int start_handles(struct node *n, char *err, size_t errlen)
{
    uv_loop_t *l = &n->loop;
    n->sig_int.data = n->sig_term.data = n->commit_check.data = n->cron.data = n;
    uv_signal_init(l, &n->sig_int);
    uv_signal_init(l, &n->sig_term);
    uv_check_init(l, &n->commit_check);
    uv_idle_init(l, &n->commit_idle);
    uv_timer_init(l, &n->cron);
    uv_signal_start(&n->sig_int, signal_cb, SIGINT);
    uv_signal_start(&n->sig_term, signal_cb, SIGTERM);
    uv_check_start(&n->commit_check, commit_check_cb);
    uv_timer_start(&n->cron, cron_cb, CRON_MS, CRON_MS);
    n->lc = (lifecycle_ctx){&n->policy, n->id};
    if (!(n->deadline = deadline_new(l, n->log, n->st, &n->lc)) ||
        !(n->warnings = warning_queue_new(n->log, n->st, &n->cfg, n->id)) ||
        !(n->clock = clockskew_new(n->log, n->cfg.node_id,
                                   (int64_t)n->cfg.clock_skew_seconds * 1000))) {
        errf(err, errlen, "out of memory");
        return -1;
    }
    if (doclane_new(l, n->st, n->log, n->id, n->cfg.node_id, docs_send, n, &n->docs)) {
        errf(err, errlen, "documents: cannot start the document lane");
        return -1;
    }
    if (start_api(n) ||
        !(n->schedule = schedule_new(l, n->log, n->st, n->work, &n->cfg))) {
        errf(err, errlen, "out of memory");
        return -1;
    }
    eventlog_on_commit(n->log, on_commit, n);
    eventlog_on_submit(n->log, log_submitted, n);
    eventlog_use_loop(n->log, l);
    struct http_limits lim;
    http_limits_of(&n->cfg, &lim);
    int rc = http_server_new(l, n->cfg.http_host, n->cfg.http_port, &lim, api_handle, n->api,
                             &n->http);
    if (rc) {
        errf(err, errlen, "http: cannot listen on %s:%d (%s)", n->cfg.http_host,
             n->cfg.http_port, uv_strerror(rc));
        return -1;
    }
    if ((rc = write_addr_file(n, http_server_port(n->http)))) {
        errf(err, errlen, "%s/jiefend.addr: %s", n->dir, strerror(-rc));
        return -1;
    }
    deadline_arm(n->deadline); /* limits passed while stopped fire now */
    schedule_run(n->schedule); /* and drafts of periods that ended meanwhile are made */
    warning_start(n->warnings); /* and cases received before a crash are checked */
    publish_proofs(n);          /* and proofs found before a crash go up */
    return start_links(n, err, errlen);
}

int node_run(struct node *n, char *err, size_t errlen)
{
    int rc = uv_loop_init(&n->loop);
    if (rc) {
        errf(err, errlen, "libuv: %s", uv_strerror(rc));
        return -1;
    }
    n->started_ms = clock_now_ms();
    if (start_handles(n, err, errlen)) {
        uplink_close(n->up);
        downlink_close(n->down);
        n->up = NULL;
        n->down = NULL;
        if (n->http)
            http_server_close(n->http, http_closed, n);
        else
            close_handles(n);
        uv_run(&n->loop, UV_RUN_DEFAULT);
        uv_loop_close(&n->loop);
        return -1;
    }
    log_info("node", "%s (%s, %s) serving http://%s:%d with data in %s", n->cfg.node_id,
             n->cfg.node_name, config_tier_name(n->cfg.tier), n->cfg.http_host,
             http_server_port(n->http), n->dir);
    uv_run(&n->loop, UV_RUN_DEFAULT);
    rc = uv_loop_close(&n->loop);
    if (rc)
        log_warn("node", "loop closed with handles still open (%s)", uv_strerror(rc));
    char path[PATH_MAX];
    path_in(n->dir, "jiefend.addr", path);
    unlink(path);
    log_info("node", "stopped");
    return 0;
}

void node_destroy(struct node **np)
{
    if (!np || !*np)
        return;
    struct node *n = *np;
    eventlog_free(&n->log); /* first: its queued operations may name the parts below */
    deadline_free(&n->deadline);
    warning_queue_free(&n->warnings);
    schedule_free(&n->schedule);
    clockskew_free(&n->clock);
    doclane_free(&n->docs);
    store_close(&n->st);
    crypto_identity_free(&n->id);
    metrics_free(&n->metrics);
    policy_free(&n->policy);
    api_free(&n->api);
    work_free(&n->work);
    if (n->zctx)
        zmq_ctx_term(n->zctx);
    crypto_wipe(n->token, sizeof n->token);
    crypto_wipe(n->search_key, sizeof n->search_key);
    if (n->lock_fd >= 0) {
        /* Emptied, not removed: unlinking a lock file lets two daemons lock two inodes. */
        if (ftruncate(n->lock_fd, 0) < 0)
            log_warn("node", "cannot empty jiefend.pid (%s)", strerror(errno));
        close(n->lock_fd);
    }
    free(n);
    *np = NULL;
}
