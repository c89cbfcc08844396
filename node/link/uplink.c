/* uplink — the child's end of its link to the parent (see link.h). */
#include "link/link.h"
#include "link/selfsync.h"
#include "array.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "log.h"
#include "log/eventlog.h"
#include "log/registry.h"
#include "link/selfsync.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define ACK_TIMEOUT_MS 5000

struct origin_cursor {
    char origin[STORE_ORIGIN_MAX + 1];
    int depth;               /* 0 = this node; its subtree below: keys are learnt top-down */
    uint64_t head, acked, sent;
};

struct uplink {
    struct link_ctx ctx;
    void *sock;
    zsock *z;
    linkmon *mon;
    uv_timer_t tick;
    char parent[33], endpoint[256];
    struct link_peer peer;
    struct link_refusals refusals; /* handshakes the parent refused */
    struct origin_cursor *o;
    size_t n_o, cap_o;
    int synced;              /* the parent's heads are known since the last Hello */
    int acks_dirty;          /* acks not yet saved (the next tick saves them) */
    int64_t progress_ms;     /* when the parent last acked something new */
    int64_t hello_ms;
};

static struct origin_cursor *cursor_for(uplink *u, const char *origin)
{
    for (size_t i = 0; i < u->n_o; i++)
        if (strcmp(u->o[i].origin, origin) == 0)
            return &u->o[i];
    struct origin_cursor *grown = array_room(u->o, u->n_o, &u->cap_o, sizeof *grown, 8);
    if (!grown)
        return NULL;
    u->o = grown;
    struct origin_cursor *c = &u->o[u->n_o++];
    memset(c, 0, sizeof *c);
    snprintf(c->origin, sizeof c->origin, "%s", origin);
    c->depth = -1;
    return c;
}

static int by_depth(const void *a, const void *b)
{
    return ((const struct origin_cursor *)a)->depth - ((const struct origin_cursor *)b)->depth;
}

struct heads_read {
    uplink *u;
    MDB_txn *txn;
};

static int read_head(const char *origin, uint64_t seq, void *arg)
{
    struct heads_read *h = arg;
    struct origin_cursor *oc = cursor_for(h->u, origin);
    if (!oc)
        return -ENOMEM;
    oc->head = seq;
    if (oc->depth < 0)
        oc->depth = registry_depth_below(h->u->ctx.st, h->txn, origin, h->u->ctx.node_id);
    return 0;
}

/* Reads every chain head this store holds into the cursors. */
static int refresh_heads(uplink *u, MDB_txn *txn)
{
    struct heads_read h = {u, txn};
    int rc = eventlog_each_head(u->ctx.st, txn, read_head, &h);
    if (u->n_o) /* a rebuilt node starts with no chain at all: qsort(NULL) is undefined */
        qsort(u->o, u->n_o, sizeof *u->o, by_depth);
    return rc;
}

static int send_msg(uplink *u, Jiefen__LinkMessage *m)
{
    int rc = linkmsg_send(u->sock, NULL, 0, m);
    if (rc && rc != -EAGAIN)
        log_warn("uplink", "send to %s failed (%s)", u->parent, zmq_strerror(-rc));
    return rc;
}

int uplink_send(uplink *u, const char *peer, const Jiefen__LinkMessage *m)
{
    if (!u || strcmp(peer, u->parent))
        return -EHOSTUNREACH;
    int rc = send_msg(u, (Jiefen__LinkMessage *)m);
    zsock_kick(u->z); /* a send can hide the read signal */
    return rc;
}

static uint64_t inflight(const uplink *u)
{
    uint64_t n = 0;
    for (size_t i = 0; i < u->n_o; i++)
        n += u->o[i].sent - u->o[i].acked;
    return n;
}

static void on_tick(uv_timer_t *t);

/* Something to watch: the tick within a second (the counters to save, an answer due). */
static void watch(uplink *u)
{
    link_tick_arm(&u->tick, on_tick, 1);
}

static void send_hello(uplink *u)
{
    MDB_txn *txn;
    uint64_t cursor = 0, epoch = 0;
    if (store_txn_begin(u->ctx.st, MDB_RDONLY, &txn) == 0) {
        store_meta_get_u64(u->ctx.st, txn, "down_cursor", &cursor);
        store_meta_get_u64(u->ctx.st, txn, "down_epoch", &epoch);
        store_txn_abort(txn);
    }
    Jiefen__Hello h = JIEFEN__HELLO__INIT;
    h.node_id = (char *)u->ctx.node_id;
    h.down_cursor = cursor;
    h.down_epoch = epoch;
    h.time_ms = clock_now_ms();
    h.protocol = LINK_PROTOCOL;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HELLO;
    m.hello = &h;
    u->synced = 0;
    u->hello_ms = clock_now_ms();
    send_msg(u, &m);
    watch(u);
}

/* Sends batches while the window allows. Events are read from a read transaction and
 * copied into the message by linkmsg_send, so nothing outlives the transaction. */
static void pump_up(uplink *u)
{
    MDB_txn *txn;
    if (!u->synced || store_txn_begin(u->ctx.st, MDB_RDONLY, &txn))
        return;
    ProtobufCBinaryData *env = malloc(LINK_BATCH_EVENTS * sizeof *env);
    if (refresh_heads(u, txn) || !env)
        goto out;
    for (;;) {
        size_t n = 0, bytes = 0;
        uint64_t start[64];
        size_t count[64], used = 0;
        for (size_t i = 0; i < u->n_o && n < LINK_BATCH_EVENTS && used < 64; i++) {
            struct origin_cursor *oc = &u->o[i];
            if (oc->depth < 0 || oc->head <= oc->sent)
                continue;
            size_t got = link_batch(txn, u->ctx.st->events, oc->origin, oc->sent + 1, env + n,
                                    LINK_BATCH_EVENTS - n, &bytes);
            start[used] = i, count[used++] = got;
            n += got;
        }
        if (n == 0 || inflight(u) >= LINK_WINDOW_EVENTS)
            break;
        Jiefen__UpBatch b = JIEFEN__UP_BATCH__INIT;
        b.envelopes = env;
        b.n_envelopes = n;
        Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
        m.kind_case = JIEFEN__LINK_MESSAGE__KIND_UP;
        m.up = &b;
        if (send_msg(u, &m))
            break;
        for (size_t j = 0; j < used; j++)
            u->o[start[j]].sent += count[j];
        watch(u);
    }
out:
    free(env);
    store_txn_abort(txn);
}

/* Remembers the parent's heads, so `status` shows the backlog even while offline. By the
 * tick, not on every Heads: they are a display's memory (the parent's store is the truth,
 * and a Hello asks for it again), not worth a commit (an fsync) per batch acked. */
static void save_acks(uplink *u)
{
    MDB_txn *txn = NULL;
    if (!u->acks_dirty)
        return;
    int rc = store_txn_begin(u->ctx.st, 0, &txn);
    for (size_t i = 0; rc == 0 && i < u->n_o; i++) {
        char key[64];
        snprintf(key, sizeof key, "upack:%s", u->o[i].origin);
        rc = store_meta_put_u64(u->ctx.st, txn, key, u->o[i].acked);
    }
    if (rc)
        store_txn_abort(txn);
    if (rc || (rc = store_txn_commit(txn)))
        log_warn("uplink", "could not record the parent's acknowledgements (%s)",
                 jf_strerror(rc));
    else
        u->acks_dirty = 0;
}

/* A restored node asks its parent for its own chain (selfsync.h). */
static void send_selfsync_want(uplink *u, int rc, Jiefen__SelfsyncWant *w)
{
    if (rc < 0)
        log_error("uplink", "cannot check this node's own chain against %s (%s)", u->parent,
                  jf_strerror(rc));
    if (rc <= 0)
        return;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_SELFSYNC_WANT;
    m.selfsync_want = w;
    send_msg(u, &m);
}

static void on_heads(uplink *u, const Jiefen__Heads *h)
{
    /* A resync lists every chain the parent holds of our subtree: one it does not list,
     * it has nothing of, and must get from the first event. */
    for (size_t i = 0; h->resync && i < u->n_o; i++)
        u->o[i].acked = u->o[i].sent = 0;
    for (size_t i = 0; i < h->n_origins && i < h->n_seqs; i++) {
        struct origin_cursor *oc = cursor_for(u, h->origins[i]);
        if (!oc)
            continue;
        if (h->seqs[i] > oc->acked)
            u->progress_ms = clock_now_ms();
        oc->acked = h->seqs[i];
        if (h->resync || oc->sent < oc->acked)
            oc->sent = oc->acked;
    }
    if (h->resync) {
        u->synced = 1;
        Jiefen__SelfsyncWant w;
        send_selfsync_want(u, selfsync_on_heads(u->ctx.st, u->ctx.node_id, h, &w), &w);
    }
    u->peer.last_ack_ms = clock_now_ms();
    if (h->time_ms && u->ctx.on_clock)
        u->ctx.on_clock(u->ctx.arg, u->parent, 1, h->time_ms - u->peer.last_ack_ms);
    u->acks_dirty = 1;
    pump_up(u);
}

static void on_selfsync(uplink *u, const Jiefen__SelfsyncBatch *b)
{
    Jiefen__SelfsyncWant w;
    unsigned applied = 0;
    int rc;
    while ((rc = selfsync_take(u->ctx.st, u->ctx.node_id, b, &w, &applied)) == MDB_MAP_FULL &&
           store_grow(u->ctx.st) == 0)
        ;
    send_selfsync_want(u, rc, &w);
    if (applied)
        u->ctx.on_received(u->ctx.arg);
}

static void on_down(uplink *u, const Jiefen__DownBatch *b)
{
    struct ingest_result res;
    int rc;
    while ((rc = ingest_down(u->ctx.st, u->ctx.node_id, b, &res)) == MDB_MAP_FULL &&
           store_grow(u->ctx.st) == 0)
        ;
    if (rc) {
        log_error("uplink", "cannot apply items from %s (%s)", u->parent, jf_strerror(rc));
        return;
    }
    linkstat_count(&u->peer, &res);
    Jiefen__DownAck a = JIEFEN__DOWN_ACK__INIT;
    a.qseq = res.down_cursor;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_DOWN_ACK;
    m.down_ack = &a;
    send_msg(u, &m);
    if (res.applied || res.rejected[REJ_EQUIVOCATION]) /* an equivocation has a proof to send */
        u->ctx.on_received(u->ctx.arg);
}

static void up_readable(zsock *z)
{
    uplink *u = z->data;
    Jiefen__LinkMessage *m;
    int rc;
    while ((rc = linkmsg_recv(u->sock, NULL, &m)) != -EAGAIN) {
        if (rc) {
            if (rc != JF_ECORRUPT)
                break;
            u->peer.rejected[REJ_UNDECODABLE]++;
            u->peer.dirty = 1;
            continue;
        }
        linkstat_seen(&u->peer, clock_now_ms());
        if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_HEADS)
            on_heads(u, m->heads);
        else if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOWN)
            on_down(u, m->down);
        else if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_SELFSYNC_BATCH)
            on_selfsync(u, m->selfsync_batch);
        else if (u->ctx.on_doc && (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOC_WANT ||
                                   m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOC_CHUNK))
            u->ctx.on_doc(u->ctx.arg, u->parent, m);
        jiefen__link_message__free_unpacked(m, NULL);
        watch(u);
    }
}

static void up_writable(zsock *z)
{
    pump_up(z->data);
}

/* Housekeeping: the Hello again if its answer did not come (lost on a connection that
 * broke), a resend from the acks if they stopped advancing, the counters saved. Every
 * second while one of those can happen, rarely when none can. */
static void on_tick(uv_timer_t *t)
{
    uplink *u = t->data;
    int64_t now = clock_now_ms();
    uint64_t sent = inflight(u);
    if (!sent)
        u->progress_ms = now;
    int stuck = sent && now - u->progress_ms > ACK_TIMEOUT_MS &&
                now - u->hello_ms > ACK_TIMEOUT_MS;
    if (u->peer.online && (stuck || (!u->synced && now - u->hello_ms >= LINK_TICK_MS)))
        send_hello(u);
    save_acks(u);
    linkstat_save(u->ctx.st, &u->peer, 1, &u->refusals);
    zsock_kick(u->z);
    link_tick_arm(t, on_tick, (u->peer.online && !u->synced) || inflight(u) ||
                                  u->acks_dirty || u->peer.dirty || u->refusals.dirty);
}

/* The socket monitor: a connection made is the moment to say Hello. */
static void on_monitor(const struct linkmon_event *ev, void *arg)
{
    uplink *u = arg;
    int64_t now = clock_now_ms();
    watch(u);
    if (ev->kind == LINKMON_UP) {
        linkstat_seen(&u->peer, now);
        send_hello(u);
        zsock_kick(u->z);
    } else if (ev->kind == LINKMON_LOST) {
        u->synced = 0;
        linkstat_lost(&u->peer, now);
    } else {
        linkstat_refused(&u->refusals, ev, "uplink", now);
        if (ev->reason == LINKMON_KEY && linkstat_should_log(&u->refusals, LINKMON_KEY, "parent", now))
            log_error("uplink", "parent %s refused this node's key (revoked, or enrolled "
                                "elsewhere?)", u->parent);
    }
}

static int curve_client(uplink *u, const uint8_t *parent_pk)
{
    uint8_t pk[32], sk[32], server[32];
    int one = 1;
    crypto_curve_keys(u->ctx.id, pk, sk);
    int rc = crypto_curve_pk(parent_pk, server);
    /* IMMEDIATE: while the parent is away, refuse sends instead of queueing stale ones;
     * everything is in the store and goes out from the cursor when it is back. */
    if (rc == 0 && (zmq_setsockopt(u->sock, ZMQ_CURVE_SERVERKEY, server, 32) ||
                    zmq_setsockopt(u->sock, ZMQ_CURVE_PUBLICKEY, pk, 32) ||
                    zmq_setsockopt(u->sock, ZMQ_CURVE_SECRETKEY, sk, 32) ||
                    zmq_setsockopt(u->sock, ZMQ_IMMEDIATE, &one, sizeof one) ||
                    zmq_setsockopt(u->sock, ZMQ_ROUTING_ID, u->ctx.node_id,
                                   strlen(u->ctx.node_id))))
        rc = -zmq_errno();
    crypto_wipe(sk, sizeof sk);
    return rc;
}

/* What the store remembers of the link: the parent's acks and the counters. */
static void load_acks(uplink *u)
{
    MDB_txn *txn;
    if (store_txn_begin(u->ctx.st, MDB_RDONLY, &txn))
        return;
    linkstat_peer_load(u->ctx.st, txn, &u->peer);
    linkstat_refusals_load(u->ctx.st, txn, &u->refusals);
    refresh_heads(u, txn);
    for (size_t i = 0; i < u->n_o; i++) {
        char key[64];
        snprintf(key, sizeof key, "upack:%s", u->o[i].origin);
        store_meta_get_u64(u->ctx.st, txn, key, &u->o[i].acked);
        u->o[i].sent = u->o[i].acked;
    }
    store_txn_abort(txn);
}

int uplink_start(const struct link_ctx *ctx, const char *parent, const uint8_t *parent_pk,
                 const char *endpoint, uplink **out)
{
    uplink *u = calloc(1, sizeof *u);
    if (!u || !(u->z = calloc(1, sizeof *u->z))) {
        free(u);
        return -ENOMEM;
    }
    u->ctx = *ctx;
    snprintf(u->parent, sizeof u->parent, "%s", parent);
    snprintf(u->endpoint, sizeof u->endpoint, "%s", endpoint);
    snprintf(u->peer.id, sizeof u->peer.id, "%s", parent);
    u->peer.since_ms = clock_now_ms();
    u->peer.fd = -1;
    u->refusals.key = "link-refused:up";
    int rc = -ENOMEM;
    /* The monitor before the connect, or the first handshake could go unseen. */
    if (!(u->sock = zmq_socket(ctx->zctx, ZMQ_DEALER)) || (rc = linkmsg_setup(u->sock)) ||
        (rc = curve_client(u, parent_pk)) ||
        (rc = linkmon_start(ctx->loop, ctx->zctx, u->sock, "up", on_monitor, u, &u->mon)) ||
        (zmq_connect(u->sock, endpoint) && (rc = -zmq_errno()))) {
        log_error("uplink", "cannot connect to %s at %s (%s)", parent, endpoint,
                  rc ? zmq_strerror(-rc) : "no socket");
        linkmon_close(u->mon);
        if (u->sock)
            zmq_close(u->sock);
        free(u->z);
        free(u);
        return rc ? rc : -ENOMEM;
    }
    load_acks(u);
    uv_timer_init(ctx->loop, &u->tick);
    u->tick.data = u;
    watch(u);
    if ((rc = zsock_start(u->z, ctx->loop, u->sock, up_readable, up_writable, u)))
        log_error("uplink", "cannot poll the link socket (%s)", uv_strerror(rc));
    log_info("uplink", "linking to parent %s at %s", parent, endpoint);
    *out = u;
    return 0;
}

static void on_zsock_closed(uv_handle_t *h)
{
    free(h->data);
}

static void on_tick_closed(uv_handle_t *h)
{
    uplink *u = h->data;
    free(u->o);
    free(u);
}

void uplink_close(uplink *u)
{
    if (!u)
        return;
    save_acks(u);
    linkstat_save(u->ctx.st, &u->peer, 1, &u->refusals);
    linkmon_close(u->mon);
    zsock_stop(u->z, on_zsock_closed);
    zmq_close(u->sock);
    uv_timer_stop(&u->tick);
    uv_close((uv_handle_t *)&u->tick, on_tick_closed);
}

void uplink_kick(uplink *u)
{
    if (u)
        zsock_kick(u->z); /* pumps when the socket can take more, and reads after it */
}

/* The time of the oldest event the parent has not acked, or 0. */
static int64_t oldest_unacked(uplink *u, MDB_txn *txn)
{
    int64_t oldest = 0;
    for (size_t i = 0; i < u->n_o; i++) {
        struct origin_cursor *oc = &u->o[i];
        uint8_t key[STORE_KEY_MAX];
        MDB_val d;
        envelope *e = NULL;
        if (oc->depth < 0 || oc->head <= oc->acked)
            continue;
        size_t klen = store_event_key(oc->origin, oc->acked + 1, key);
        if (store_get(txn, u->ctx.st->events, key, klen, &d) == 0 &&
            envelope_decode(d.mv_data, d.mv_size, &e) == 0 &&
            (!oldest || e->event->time_ms < oldest))
            oldest = e->event->time_ms;
        envelope_free(&e);
    }
    return oldest;
}

json_t *uplink_json(uplink *u)
{
    MDB_txn *txn;
    uint64_t backlog = 0;
    int64_t oldest = 0;
    if (store_txn_begin(u->ctx.st, MDB_RDONLY, &txn) == 0) {
        refresh_heads(u, txn);
        for (size_t i = 0; i < u->n_o; i++)
            if (u->o[i].depth >= 0 && u->o[i].head > u->o[i].acked)
                backlog += u->o[i].head - u->o[i].acked;
        oldest = oldest_unacked(u, txn);
        store_txn_abort(txn);
    }
    json_t *j = linkstat_peer_json(&u->peer);
    json_object_set_new(j, "refused", linkstat_refusals_json(&u->refusals));
    json_object_set_new(j, "direction", json_string("parent"));
    json_object_set_new(j, "endpoint", json_string(u->endpoint));
    json_object_set_new(j, "backlog_up", json_integer((json_int_t)backlog));
    json_object_set_new(j, "backlog_up_oldest_ms", oldest ? json_integer(oldest) : json_null());
    return j;
}
