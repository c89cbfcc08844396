#include "node.h"
#include "api/api.h"
#include "api/http.h"
#include "api/api_document.h"
#include "api/metrics.h"
#include "case/access.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/migrations.h"
#include "case/partyarrival.h"
#include "case/linkage.h"
#include "case/partyindex.h"
#include "case/clockskew.h"
#include "case/deadline.h"
#include "case/directive.h"
#include "case/hazard.h"
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
#include "log/backupsched.h"
#include "log/eventlog.h"
#include "log/fold.h"
#include "log/migrate.h"
#include "log/quarantine.h"
#include "log/registry.h"
#include "case/recovery.h"
#include "log/work.h"
#include "case/hooks.h"
#include "api/interop_folder.h"
#include "case/interop.h"
#include "log/drain.h"
#include "report/report.h"
#include "report/schedule.h"
#include "couriers.h"
#include "runfiles.h"
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
    uint8_t linkage_key[LINKAGE_KEY_LEN];   /* [linkage] key_file's (linkage.h) */
    uv_signal_t sig_int, sig_term;
    uv_check_t commit_check;
    uv_idle_t commit_idle;
    uv_timer_t cron;
    uv_timer_t space;      /* measures the free disk space (store_space_check) */
    uv_timer_t warn_soon;  /* the received openings' repeat-party check, coalesced */
    int space_low;         /* as last logged */
    int runfiles_missing;  /* jiefend.pid or .addr could not be written: again with room */
    int http_port;         /* the API's bound port, once listening (jiefend.addr) */
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
    partyarrival *arrivals;  /* cases moved here whose parties wait to be indexed */
    drain *receipts;         /* orders' results reached at other nodes, 回单 to queue */
    schedule *schedule;    /* report drafts at the end of each period */
    clockskew *clock;      /* the peers' clocks as the links measure them */
    couriers *couriers;    /* deliver the outbox, each on its own thread (couriers.h) */
    doclane *docs;         /* documents following the cases moved here (doclane.h) */
    interop_folder *folder;  /* the exchange folder of offline sites, if configured */
    struct backupsched *backups; /* backups asked for and periodic ([backup]) */
};

#define CRON_MS 60000
#define CRON_FIRST_MS 5000 /* what start-up and enrolment freed goes back soon, not in a minute */
#define SPACE_MS 5000
#define WARN_SOON_MS 100  /* received openings checked together within it: one commit */

void node_errf(char *err, size_t len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, len, fmt, ap);
    va_end(ap);
}

void node_path_in(const char *dir, const char *name, char *out)
{
    if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX)
        out[0] = 0;
}

/* Times and calendar years follow the node's zone, not the machine's. */
static void use_time_zone(const char *zone)
{
    setenv("TZ", zone, 1);
    tzset();
}

void node_register_folds(void)
{
    for (int kind = 1; kind < FOLD_KINDS; kind++)
        if (case_kind(kind))
            fold_set(kind, caseindex_fold);
    fold_set(JIEFEN__EVENT__BODY_CASE_CLOSED, interop_fold); /* results for orders elsewhere */
    fold_set(JIEFEN__EVENT__BODY_CASE_GUIDED, interop_fold);
    fold_set(JIEFEN__EVENT__BODY_DIRECTIVE, directive_fold);
    fold_set(JIEFEN__EVENT__BODY_DIRECTIVE_ACK, directive_ack_fold);
    fold_set(JIEFEN__EVENT__BODY_REPORT_SUBMITTED, report_fold);
    fold_set(JIEFEN__EVENT__BODY_REPORT_REVIEWED, report_fold);
    fold_set(JIEFEN__EVENT__BODY_WARNING, warning_fold);
    fold_set(JIEFEN__EVENT__BODY_EQUIVOCATION_PROOF, quarantine_fold);
    fold_set(JIEFEN__EVENT__BODY_ACCESS_RECORDED, access_fold);
    fold_set(JIEFEN__EVENT__BODY_ACCESS_REQUESTED, access_fold);
    fold_set(JIEFEN__EVENT__BODY_ACCESS_DECIDED, access_fold);
    fold_set(JIEFEN__EVENT__BODY_HAZARD_REGISTERED, hazard_fold);
    fold_set(JIEFEN__EVENT__BODY_HAZARD_CHECKIN, hazard_fold);
    fold_set(JIEFEN__EVENT__BODY_HAZARD_CONVERTED, hazard_fold);
    fold_set(JIEFEN__EVENT__BODY_HAZARD_CLOSED, hazard_fold);
    fold_set(JIEFEN__EVENT__BODY_REBUILD_RECOVERY_APPROVED, recovery_fold);
    fold_set(JIEFEN__EVENT__BODY_REBUILD_RESEALED, recovery_fold);
    fold_set_applied(route_down);
}

/* Says who holds the lock in jiefend.pid (runfiles.h): a pid file that cannot be written
 * (a full disk) is logged, and the node runs on; it is written once there is room. */
static void write_pid(struct node *n)
{
    char pid[32];
    snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    int rc = runfiles_put(n->dir, "jiefend.pid", pid);
    if (rc)
        log_warn("node", "cannot write %s/jiefend.pid (%s): running without it", n->dir,
                 strerror(-rc));
    n->runfiles_missing |= rc != 0;
}

/* Takes the data directory's lock (writing nothing), then writes jiefend.pid. */
static int take_lock(struct node *n, char *err, size_t errlen)
{
    if (runfiles_lock(n->dir, &n->lock_fd, err, errlen))
        return -1;
    write_pid(n);
    return 0;
}

static int read_token(struct node *n, char *err, size_t errlen)
{
    char path[PATH_MAX];
    node_path_in(n->dir, "admin.token", path);
    FILE *f = fopen(path, "r");
    if (!f) {
        node_errf(err, errlen, "%s: %s", path, strerror(errno));
        return -1;
    }
    size_t r = fread(n->token, 1, sizeof n->token - 1, f);
    fclose(f);
    n->token[r] = 0;
    n->token[strcspn(n->token, "\r\n")] = 0;
    if (strlen(n->token) < 32) {
        node_errf(err, errlen, "%s: token too short", path);
        return -1;
    }
    return 0;
}

/* The initial map: as configured, under the ceiling if there is one. */
static size_t map_of(const struct config *cfg)
{
    long mb = cfg->max_map_mb && cfg->max_map_mb < cfg->map_size_mb ? cfg->max_map_mb
                                                                     : cfg->map_size_mb;
    return (size_t)mb << 20;
}

/* Opens the store at `path` with its limits and brings it to this release's format
 * (migrate.h): a newer store is refused untouched. */
static int open_store(struct node *n, const char *path, char *err, size_t errlen)
{
    size_t nsteps;
    uint64_t from = 0;
    const char *failed;
    int rc = store_open(path, map_of(&n->cfg), 0, &n->st);
    if (rc) {
        node_errf(err, errlen, "%s: %s", path, jf_strerror(rc));
        return -1;
    }
    store_set_limits(n->st, (size_t)n->cfg.max_map_mb << 20, (uint64_t)n->cfg.min_free_mb << 20);
    store_space_check(n->st);
    const struct migrate_step *steps = migrations_steps(&nsteps);
    rc = migrate_run(n->st, steps, nsteps, MIGRATIONS_FORMAT, n->cfg.node_id, &from, &failed);
    if (rc == JF_ENEWER)
        node_errf(err, errlen, "%s: the store is format %llu, newer than this release knows "
             "(format %d): run the release that made it, or a newer one; nothing was "
             "changed", path, (unsigned long long)from, MIGRATIONS_FORMAT);
    else if (rc)
        node_errf(err, errlen, "%s: migrating the store from format %llu to %d%s%s failed (%s); "
             "nothing was changed", path, (unsigned long long)from, MIGRATIONS_FORMAT,
             failed ? " at " : "", failed ? failed : "", jf_strerror(rc));
    return rc ? -1 : 0;
}

static int open_parts(struct node *n, char *err, size_t errlen)
{
    char path[PATH_MAX];
    int rc;
    node_path_in(n->dir, "node.key", path);
    if ((rc = crypto_identity_load(path, &n->id))) {
        node_errf(err, errlen, "%s: %s%s", path, jf_strerror(rc),
             rc == -EPERM ? " (the key file must be mode 0600)" : "");
        return -1;
    }
    if (read_token(n, err, errlen) || take_lock(n, err, errlen))
        return -1;
    if ((rc = partyindex_key_load(n->dir, n->search_key))) {
        node_errf(err, errlen, "%s/search.key: %s%s", n->dir, jf_strerror(rc),
             rc == -EPERM ? " (the key file must be mode 0600)" : "");
        return -1;
    }
    if (n->cfg.linkage_key_file[0] &&
        (rc = linkage_key_load(n->cfg.linkage_key_file, n->linkage_key))) {
        node_errf(err, errlen, "[linkage] key_file %s: %s%s", n->cfg.linkage_key_file,
                  jf_strerror(rc), rc == -EPERM ? " (the key file must be mode 0600)" : "");
        return -1;
    }
    node_path_in(n->dir, "store", path);
    if ((rc = open_store(n, path, err, errlen)))
        return -1;
    if (eventlog_new(n->st, n->id, n->cfg.node_id, &n->log) || !(n->metrics = metrics_new())) {
        node_errf(err, errlen, "out of memory");
        return -1;
    }
    uint8_t recovery[32];
    if (n->cfg.recovery_public_key[0] &&
        crypto_unhex(n->cfg.recovery_public_key, recovery, sizeof recovery) == 0)
        eventlog_set_recovery(n->log, recovery);
    return 0;
}

struct node *node_new(const char *dir, int check_only, char *err, size_t errlen)
{
    node_register_folds();
    struct node *n = calloc(1, sizeof *n);
    if (!n) {
        node_errf(err, errlen, "out of memory");
        return NULL;
    }
    n->lock_fd = -1;
    if (strlen(dir) > NODE_DIR_MAX) {
        node_errf(err, errlen, "data directory path longer than %d bytes", NODE_DIR_MAX);
        free(n);
        return NULL;
    }
    snprintf(n->dir, sizeof n->dir, "%s", dir);
    char path[PATH_MAX];
    node_path_in(dir, "jiefend.conf", path);
    if (config_load(path, &n->cfg, err, errlen)) {
        if (access(path, F_OK) < 0)
            node_errf(err, errlen, "%s: no node here (create one with `jiefend init`)", path);
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
    couriers_kick(n->couriers); /* the batch may have queued messages */
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

static void warn_soon_cb(uv_timer_t *t)
{
    warning_check_received(((struct node *)t->data)->warnings);
}

/* Events came in over a link: relay them on, check the rules that need them (the repeat-
 * party rule WARN_SOON_MS later, so the batches received meanwhile share its commit), and
 * append any equivocation proof found to our log (so it goes up). */
static void links_received(void *arg)
{
    struct node *n = arg;
    links_kick(n);
    api_changed(n->api);
    doclane_changed(n->docs);
    if (!uv_is_active((uv_handle_t *)&n->warn_soon))
        uv_timer_start(&n->warn_soon, warn_soon_cb, WARN_SOON_MS, 0);
    partyarrival_kick(n->arrivals);
    drain_kick(n->receipts);
    couriers_kick(n->couriers); /* their folds may have queued messages (staff SMS) */
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
                             .min_protocol = (unsigned)n->cfg.link_min_protocol,
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

/* A node restored from a backup with no parent has no one to catch its chain up from: its
 * store is the whole of it, and it writes on from there. */
static int restored_without_parent(struct node *n)
{
    MDB_txn *txn;
    int restored = 0, rc = store_txn_begin(n->st, 0, &txn);
    if (rc == 0 && (rc = eventlog_restored(n->st, txn, &restored)) == 0 && restored &&
        (rc = eventlog_set_restored(n->st, txn, 0)) == 0) {
        log_info("node", "restored from a backup, with no parent to catch up from");
        return store_txn_commit(txn);
    }
    store_txn_abort(txn);
    return rc;
}

static int start_links(struct node *n, char *err, size_t errlen)
{
    if (!(n->zctx = zmq_ctx_new())) {
        node_errf(err, errlen, "zeromq: cannot create a context");
        return -1;
    }
    int rc;
    struct link_ctx ctx = link_ctx(n);
    if (n->cfg.link_listen[0] && (rc = downlink_start(&ctx, n->cfg.link_listen, &n->down))) {
        node_errf(err, errlen, "link: cannot listen on %s (%s)", n->cfg.link_listen,
             zmq_strerror(-rc));
        return -1;
    }
    if ((rc = uplink_start_enrolled(n))) {
        node_errf(err, errlen, "link: cannot connect to the parent (%s)", zmq_strerror(-rc));
        return -1;
    }
    if (!n->up && (rc = restored_without_parent(n))) {
        node_errf(err, errlen, "store: %s", jf_strerror(rc));
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

/* Where the API listens, for jiefenctl (runfiles.h): on a full disk the node serves
 * without it, and says so. */
static void write_addr_file(struct node *n, int port)
{
    n->http_port = port;
    char text[128 + sizeof n->cfg.time_zone];
    const char *h = n->cfg.http_host;
    snprintf(text, sizeof text, strchr(h, ':') ? "[%s]:%d\n%s\n" : "%s:%d\n%s\n", h, port,
             n->cfg.time_zone); /* jiefenctl shows times in the zone */
    int rc = runfiles_put(n->dir, "jiefend.addr", text);
    if (rc)
        log_warn("node", "cannot write %s/jiefend.addr (%s): serving without it", n->dir,
                 strerror(-rc));
    n->runfiles_missing |= rc != 0;
}

/* The pid and address files, again: after a start on a full disk, once there is room. */
static void write_runfiles(struct node *n)
{
    n->runfiles_missing = 0;
    write_pid(n);
    if (n->http_port)
        write_addr_file(n, n->http_port);
}

/* The free disk space measured every few seconds, so that status, metrics and the console
 * say it even when nothing is written; a change either way is logged once. */
static void space_cb(uv_timer_t *t)
{
    struct node *n = t->data;
    uint64_t avail, min;
    int low = store_space_check(n->st) != 0;
    store_space(n->st, &avail, &min);
    if (low && !n->space_low)
        log_warn("store", "disk almost full: %llu MiB free, at least %llu MiB needed "
                 "([store] min_free_mb): no new writes, reads and links go on",
                 (unsigned long long)(avail >> 20), (unsigned long long)(min >> 20));
    else if (!low && n->space_low)
        log_info("store", "disk space back (%llu MiB free): writes resume",
                 (unsigned long long)(avail >> 20));
    n->space_low = low;
    if (!low && n->runfiles_missing)
        write_runfiles(n);
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
    uv_timer_stop(&n->space);
    uv_timer_stop(&n->warn_soon);
    api_stop(n->api);
    interop_folder_stop(&n->folder);
    work_stop(n->work);
    deadline_stop(n->deadline);
    warning_stop(n->warnings);
    partyarrival_stop(n->arrivals);
    drain_stop(n->receipts);
    schedule_stop(n->schedule);
    backupsched_stop(n->backups);
    uplink_close(n->up);
    downlink_close(n->down);
    n->up = NULL;
    n->down = NULL;
    if (eventlog_pending(n->log))
        eventlog_flush(n->log);
    http_server_close(n->http, http_closed, n);
}

static int uplink_start_cb(void *arg)
{
    return uplink_start_enrolled(arg);
}

/* The API and the pool it reads on, with the handles they use. */
static int start_api(struct node *n)
{
    struct backup_info bi = {n->cfg.node_id, n->cfg.node_name, MIGRATIONS_FORMAT};
    if (!(n->work = work_new(&n->loop, n->st)) ||
        !(n->backups = backupsched_new(&n->loop, n->st, n->work, n->dir, &bi, n->cfg.backup_dir,
                                       n->cfg.backup_every_min, n->cfg.backup_keep)) ||
        backupsched_start(n->backups))
        return -1;
    struct api_deps d = {.loop = &n->loop, .st = n->st, .log = n->log, .cfg = &n->cfg,
                         .policy = &n->policy, .id = n->id, .metrics = n->metrics,
                         .work = n->work, .up = &n->up, .down = &n->down, .http = &n->http,
                         .dir = n->dir, .token = n->token,
                         .search_key = n->search_key, .started_ms = n->started_ms,
                         .linkage_key = n->cfg.linkage_key_file[0] ? n->linkage_key : NULL,
                         .lc = &n->lc, .clock = n->clock, .docs = n->docs,
                         .backups = n->backups, .uplink_start = uplink_start_cb,
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
    lim->stall_ms = (unsigned)cfg->http_stall_timeout_s * 1000;
    lim->max_conns = (unsigned)cfg->http_max_connections;
    lim->max_per_addr = (unsigned)cfg->http_max_per_address;
    lim->max_pipeline = (unsigned)cfg->http_pipeline;
    if (http_limits_fit(lim))
        log_warn("http", "connection caps lowered to %u (%u per address) to fit the fd limit",
                 lim->max_conns, lim->max_per_addr);
}

/* The event log's append hook: the 回单 of work orders, then the webhooks' deliveries. */
static int on_append(eventlog_tx *tx, const Jiefen__Event *ev, void *arg)
{
    struct node *n = arg;
    int rc = interop_on_append(tx, ev, NULL);
    return rc ? rc : hooks_on_append(tx, ev, &n->cfg.webhooks);
}

static int start_handles(struct node *n, char *err, size_t errlen)
{
    uv_loop_t *l = &n->loop;
    n->sig_int.data = n->sig_term.data = n->commit_check.data = n->cron.data = n;
    n->space.data = n->warn_soon.data = n;
    uv_signal_init(l, &n->sig_int);
    uv_signal_init(l, &n->sig_term);
    uv_check_init(l, &n->commit_check);
    uv_idle_init(l, &n->commit_idle);
    uv_timer_init(l, &n->cron);
    uv_signal_start(&n->sig_int, signal_cb, SIGINT);
    uv_signal_start(&n->sig_term, signal_cb, SIGTERM);
    uv_check_start(&n->commit_check, commit_check_cb);
    uv_timer_start(&n->cron, cron_cb, CRON_FIRST_MS, CRON_MS);
    uv_timer_init(l, &n->space);
    uv_timer_start(&n->space, space_cb, 0, SPACE_MS);
    uv_timer_init(l, &n->warn_soon);
    n->lc = (lifecycle_ctx){&n->policy, n->id};
    if (!(n->deadline = deadline_new(l, n->log, n->st, &n->lc)) ||
        !(n->warnings = warning_queue_new(n->log, n->st, &n->cfg, n->id)) ||
        !(n->arrivals = partyarrival_new(n->log, n->st, n->id, n->cfg.node_id, n->search_key)) ||
        !(n->receipts = drain_new(n->log, "interop", interop_drain_step, NULL)) ||
        !(n->clock = clockskew_new(n->log, n->cfg.node_id,
                                   (int64_t)n->cfg.clock_skew_seconds * 1000))) {
        node_errf(err, errlen, "out of memory");
        return -1;
    }
    drain_watch(n->receipts, n->st, n->st->interop); /* interop_fold notes its queue */
    if (doclane_new(l, n->st, n->log, n->id, n->cfg.node_id, docs_send, n, &n->docs)) {
        node_errf(err, errlen, "documents: cannot start the document lane");
        return -1;
    }
    if (start_api(n) || interop_folder_start(l, n->api, &n->cfg.interop, &n->folder) ||
        !(n->schedule = schedule_new(l, n->log, n->st, n->work, &n->cfg))) {
        node_errf(err, errlen, "out of memory");
        return -1;
    }
    eventlog_on_commit(n->log, on_commit, n);
    eventlog_on_append(n->log, on_append, n);
    eventlog_on_submit(n->log, log_submitted, n);
    eventlog_use_loop(n->log, l);
    struct http_limits lim;
    http_limits_of(&n->cfg, &lim);
    int rc = http_server_new(l, n->cfg.http_host, n->cfg.http_port, &lim, api_handle, n->api,
                             &n->http);
    if (rc) {
        node_errf(err, errlen, "http: cannot listen on %s:%d (%s)", n->cfg.http_host,
             n->cfg.http_port, uv_strerror(rc));
        return -1;
    }
    write_addr_file(n, http_server_port(n->http));
    if ((rc = couriers_start(&n->cfg, n->st, n->id, &n->couriers))) {
        node_errf(err, errlen, "outbox: %s", jf_strerror(rc));
        return -1;
    }
    deadline_arm(n->deadline); /* limits passed while stopped fire now */
    schedule_run(n->schedule); /* and drafts of periods that ended meanwhile are made */
    warning_start(n->warnings); /* and cases received before a crash are checked */
    partyarrival_kick(n->arrivals); /* and their parties indexed */
    drain_kick(n->receipts);        /* and results reached elsewhere told */
    publish_proofs(n);          /* and proofs found before a crash go up */
    return start_links(n, err, errlen);
}

int node_run(struct node *n, char *err, size_t errlen)
{
    int rc = uv_loop_init(&n->loop);
    if (rc) {
        node_errf(err, errlen, "libuv: %s", uv_strerror(rc));
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
    log_info("node", "stopped");
    return 0;
}

void node_destroy(struct node **np)
{
    if (!np || !*np)
        return;
    struct node *n = *np;
    eventlog_free(&n->log); /* first: its queued operations may name the parts below */
    couriers_free(&n->couriers); /* their threads use the store */
    deadline_free(&n->deadline);
    warning_queue_free(&n->warnings);
    partyarrival_free(&n->arrivals);
    drain_free(&n->receipts);
    schedule_free(&n->schedule);
    backupsched_free(&n->backups);
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
    crypto_wipe(n->linkage_key, sizeof n->linkage_key);
    runfiles_release(n->dir, n->lock_fd);
    free(n);
    *np = NULL;
}
