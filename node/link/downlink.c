/* downlink — the parent's end of the links to its children (see link.h). */
#include "link/link.h"
#include "link/selfsync.h"
#include "link/throttle.h"
#include "link/upapply.h"
#include "array.h"
#include "case/route.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "log.h"
#include "log/eventlog.h"
#include "log/registry.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

struct downlink {
    struct link_ctx ctx;
    void *router, *zap;
    zsock *zr, *zz;
    linkmon *mon;
    struct link_refusals refusals;
    uv_timer_t tick;
    char endpoint[256];
    struct link_peer *peers;
    size_t n_peers, cap_peers;
    uint64_t epoch;          /* this start's numbering of the queues (DownBatch.epoch) */
    upapply *ua;             /* the children's up batches, applied off the loop */
    Jiefen__LinkMessage *held; /* read, and waiting for ua: reading paused meanwhile */
    size_t held_peer;
};

static uint64_t new_epoch(void)
{
    uint64_t e = 0;
    while (!e)
        randombytes_buf(&e, sizeof e);
    return e;
}

static struct link_peer *peer_for(downlink *d, const char *child)
{
    for (size_t i = 0; i < d->n_peers; i++)
        if (strcmp(d->peers[i].id, child) == 0)
            return &d->peers[i];
    struct link_peer *grown =
        array_room(d->peers, d->n_peers, &d->cap_peers, sizeof *grown, 8);
    if (!grown)
        return NULL;
    d->peers = grown;
    struct link_peer *p = &d->peers[d->n_peers++];
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", child);
    p->down_epoch = d->epoch;
    p->since_ms = clock_now_ms();
    p->fd = -1;
    MDB_txn *txn;
    if (store_txn_begin(d->ctx.st, MDB_RDONLY, &txn) == 0) {
        linkstat_peer_load(d->ctx.st, txn, p);
        store_txn_abort(txn);
    }
    return p;
}

/* ---- ZAP: who may connect ----------------------------------------------------------- */

struct key_search {
    const char *self;
    const uint8_t *curve;
    char *id;
};

static int match_key(const Jiefen__NodeInfo *ni, void *arg)
{
    struct key_search *k = arg;
    uint8_t ck[32];
    if (ni->revoked || strcmp(ni->parent, k->self) || ni->public_key.len != 32 ||
        crypto_curve_pk(ni->public_key.data, ck) || memcmp(ck, k->curve, 32))
        return 0;
    snprintf(k->id, 33, "%s", ni->node_id);
    return 1;
}

/* The enrolled, unrevoked direct child whose CURVE key this is, into id (33 bytes). */
static int child_for_key(downlink *d, const uint8_t *curve, char *id)
{
    MDB_txn *txn;
    struct key_search k = {d->ctx.node_id, curve, id};
    if (store_txn_begin(d->ctx.st, MDB_RDONLY, &txn))
        return 0;
    int found = registry_each(d->ctx.st, txn, match_key, &k) == 1;
    store_txn_abort(txn);
    return found;
}

static void zap_reply(void *sock, const char *reqid, size_t reqid_len, int ok,
                      const char *user)
{
    zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(sock, reqid, reqid_len, ZMQ_SNDMORE);
    zmq_send(sock, ok ? "200" : "400", 3, ZMQ_SNDMORE);
    zmq_send(sock, ok ? "OK" : "not an enrolled child", ok ? 2 : 21, ZMQ_SNDMORE);
    zmq_send(sock, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(sock, "", 0, 0);
}

/* Logs a refused key (at most once a minute per address); the socket monitor counts it. */
static void zap_refused(downlink *d, const char *addr, size_t addr_len, const char *key,
                        size_t key_len)
{
    char from[LINKMON_ADDR_MAX], hex[65] = "none";
    snprintf(from, sizeof from, "%.*s", (int)(addr_len < 63 ? addr_len : 63), addr);
    if (!linkstat_should_log(&d->refusals, LINKMON_KEY, from, clock_now_ms()))
        return;
    if (key && key_len == 32)
        crypto_hex((const uint8_t *)key, 32, hex);
    log_warn("downlink", "refused a connection from %s: CURVE key %s is not an enrolled "
                         "child's",
             from, hex);
}

/* One ZAP request: version, request id, domain, address, routing id, mechanism, key. */
static void zap_readable(zsock *z)
{
    downlink *d = z->data;
    for (;;) {
        char frames[7][64];
        size_t lens[7] = {0};
        int n = 0, more = 1;
        while (more) {
            int got = zmq_recv(d->zap, frames[n < 7 ? n : 6], 64, n ? 0 : ZMQ_DONTWAIT);
            if (got < 0)
                return;
            lens[n < 7 ? n : 6] = (size_t)(got < 64 ? got : 64);
            n++;
            size_t len = sizeof more;
            zmq_getsockopt(d->zap, ZMQ_RCVMORE, &more, &len);
        }
        char child[33] = "";
        int ok = n >= 7 && lens[5] == 5 && memcmp(frames[5], "CURVE", 5) == 0 &&
                 lens[6] == 32 && child_for_key(d, (const uint8_t *)frames[6], child);
        if (!ok)
            zap_refused(d, frames[3], lens[3], n >= 7 ? frames[6] : NULL, lens[6]);
        zap_reply(d->zap, frames[1], lens[1], ok, child);
    }
}

/* ---- the ROUTER --------------------------------------------------------------------- */

static int send_to(downlink *d, struct link_peer *p, Jiefen__LinkMessage *m)
{
    if (!p->rid_len)
        return -EHOSTUNREACH;
    int rc = linkmsg_send(d->router, p->rid, p->rid_len, m);
    if (rc == -EHOSTUNREACH) {
        p->rid_len = 0; /* gone; the queue waits in the store */
    } else if (rc && rc != -EAGAIN) {
        log_warn("downlink", "send to %s failed (%s)", p->id, zmq_strerror(-rc));
    }
    return rc;
}

int downlink_send(downlink *d, const char *child, const Jiefen__LinkMessage *m)
{
    for (size_t i = 0; d && d->zr && i < d->n_peers; i++) {
        if (strcmp(d->peers[i].id, child))
            continue;
        int rc = send_to(d, &d->peers[i], (Jiefen__LinkMessage *)m);
        zsock_kick(d->zr); /* a send can hide the read signal */
        return rc;
    }
    return -EHOSTUNREACH;
}

/* The heads of a Heads message. */
struct heads {
    downlink *d;
    MDB_txn *txn;
    const char *child;
    char **origins;
    uint64_t *seqs;
    size_t n, cap_origins, cap_seqs;
};

static int add_head(const char *origin, uint64_t seq, void *arg)
{
    struct heads *h = arg;
    if (registry_depth_below(h->d->ctx.st, h->txn, origin, h->child) < 0)
        return 0;
    char **o = array_room(h->origins, h->n, &h->cap_origins, sizeof *o, 16);
    if (o)
        h->origins = o;
    uint64_t *s = array_room(h->seqs, h->n, &h->cap_seqs, sizeof *s, 16);
    if (s)
        h->seqs = s;
    if (!o || !s || !(h->origins[h->n] = strdup(origin)))
        return -ENOMEM;
    h->seqs[h->n++] = seq;
    return 0;
}

static void heads_free(struct heads *h)
{
    for (size_t i = 0; i < h->n; i++)
        free(h->origins[i]);
    free(h->origins);
    free(h->seqs);
}

/* Our heads of every chain in the child's subtree: the cumulative ack of its up stream. */
static void send_heads(downlink *d, struct link_peer *p, int resync)
{
    MDB_txn *txn;
    struct heads hs = {d, NULL, p->id, NULL, NULL, 0, 0, 0};
    if (store_txn_begin(d->ctx.st, MDB_RDONLY, &txn))
        return;
    hs.txn = txn;
    int rc = eventlog_each_head(d->ctx.st, txn, add_head, &hs);
    store_txn_abort(txn);
    if (rc)
        log_warn("downlink", "heads for %s left incomplete (%s)", p->id, jf_strerror(rc));
    Jiefen__Heads h = JIEFEN__HEADS__INIT;
    h.origins = hs.origins;
    h.n_origins = hs.n;
    h.seqs = hs.seqs;
    h.n_seqs = hs.n;
    h.resync = resync;
    h.time_ms = clock_now_ms();
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HEADS;
    m.heads = &h;
    send_to(d, p, &m);
    heads_free(&hs);
}

static uint64_t queue_last(downlink *d, MDB_txn *txn, const char *child)
{
    char key[64];
    uint64_t q = 0;
    route_queue_key(child, key, sizeof key);
    store_meta_get_u64(d->ctx.st, txn, key, &q);
    return q;
}

/* The oldest item still queued for child (acked items are trimmed), 0 if none, and its
 * bytes in *item (valid while txn is). */
static uint64_t queue_first(downlink *d, MDB_txn *txn, const char *child, MDB_val *item)
{
    uint8_t key[STORE_KEY_MAX];
    char owner[STORE_ORIGIN_MAX + 1];
    uint64_t q = 0;
    MDB_val k;
    size_t len = store_event_key(child, 1, key);
    struct store_range r = {key, len - 8, key, len, 0};
    *item = (MDB_val){0, NULL};
    if (!len || store_first(txn, d->ctx.st->outbox, &r, &k, item) ||
        store_event_key_parse(&k, owner, &q))
        return 0;
    return q;
}

/* Ships the child's queue from what it has acked, a window of items at a time. */
static void pump_peer(downlink *d, MDB_txn *txn, struct link_peer *p, ProtobufCBinaryData *env)
{
    uint64_t last = queue_last(d, txn, p->id);
    while (p->rid_len && !p->too_old && p->down_sent < last &&
           p->down_sent - p->down_acked < LINK_WINDOW_EVENTS) {
        size_t bytes = 0, n = link_batch(txn, d->ctx.st->outbox, p->id, p->down_sent + 1, env,
                                         LINK_BATCH_EVENTS, &bytes);
        if (n == 0)
            return;
        Jiefen__DownBatch b = JIEFEN__DOWN_BATCH__INIT;
        b.first_qseq = p->down_sent + 1;
        b.epoch = p->down_epoch;
        b.envelopes = env;
        b.n_envelopes = n;
        Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
        m.kind_case = JIEFEN__LINK_MESSAGE__KIND_DOWN;
        m.down = &b;
        if (send_to(d, p, &m))
            return;
        p->down_sent += n;
    }
}

static void pump_down(downlink *d)
{
    MDB_txn *txn;
    ProtobufCBinaryData *env = malloc(LINK_BATCH_EVENTS * sizeof *env);
    if (env && store_txn_begin(d->ctx.st, MDB_RDONLY, &txn) == 0) {
        for (size_t i = 0; i < d->n_peers; i++)
            pump_peer(d, txn, &d->peers[i], env);
        store_txn_abort(txn);
    }
    free(env);
}

/* Deletes the items of child's queue from first to upto, in txn. */
static int queue_drop(downlink *d, MDB_txn *txn, const char *child, uint64_t first,
                      uint64_t upto)
{
    int rc = 0;
    for (uint64_t q = first; rc == 0 && q <= upto; q++) {
        uint8_t key[STORE_KEY_MAX];
        rc = store_del(txn, d->ctx.st->outbox, key, store_event_key(child, q, key));
    }
    return rc;
}

/* Drops queue items the child has applied; they live on in the events and inbox. */
static void trim_queue(downlink *d, struct link_peer *p)
{
    MDB_txn *txn;
    MDB_val item;
    if (store_txn_begin(d->ctx.st, 0, &txn))
        return;
    /* The queue is dense from its first item to its last. */
    uint64_t first = queue_first(d, txn, p->id, &item), last = queue_last(d, txn, p->id);
    uint64_t upto = p->down_acked < last ? p->down_acked : last;
    int rc = first ? queue_drop(d, txn, p->id, first, upto) : 0;
    if (rc)
        store_txn_abort(txn);
    if (rc || (rc = store_txn_commit(txn)))
        log_warn("downlink", "could not trim the queue of %s (%s)", p->id, jf_strerror(rc));
}

/* 1 if the child's Hello says a protocol this node still serves; if not, it is refused
 * (counted as protocol_too_old, logged at most once a minute) until a Hello says better. */
static int hello_protocol_ok(downlink *d, struct link_peer *p, const Jiefen__Hello *h)
{
    int64_t now = clock_now_ms();
    p->protocol = linkmsg_protocol(h);
    p->too_old = p->protocol < d->ctx.min_protocol;
    if (!p->too_old)
        return 1;
    d->refusals.count[LINKMON_OLD_PROTOCOL]++;
    d->refusals.dirty = 1;
    if (linkstat_should_log(&d->refusals, LINKMON_OLD_PROTOCOL, p->id, now))
        log_warn("downlink", "refused %s: it speaks link protocol %u, this node needs at "
                 "least %u ([link] min_protocol; this release speaks %d): upgrade it",
                 p->id, p->protocol, d->ctx.min_protocol, LINK_PROTOCOL);
    return 0;
}

/* Where the child's cursor says it is in its queue, unless the cursor counts another
 * numbering (this store is a backup's or a rebuild's, numbered afresh: taken as it stands
 * it would skip every item up to it), or points below the oldest item still kept (the
 * child is an older copy of itself: what it lacks was trimmed when the child it replaced
 * acked it). Either way the child starts at the oldest item kept, or after the last when
 * none is, under a numbering it has not seen, so it takes the next batch's first item as
 * its next (a copy of what it holds is dropped by its check of what it holds). */
static uint64_t queue_resume(downlink *d, struct link_peer *p, const Jiefen__Hello *h)
{
    MDB_txn *txn;
    MDB_val item;
    uint64_t first = 0, last = 0;
    if (store_txn_begin(d->ctx.st, MDB_RDONLY, &txn) == 0) {
        first = queue_first(d, txn, p->id, &item);
        last = queue_last(d, txn, p->id);
        store_txn_abort(txn);
    }
    uint64_t start = first ? first - 1 : last;
    int other = h->down_epoch && h->down_epoch != p->down_epoch;
    if (!other && h->down_cursor >= start)
        return h->down_cursor;
    if (!other)
        log_warn("downlink", "%s has applied its queue up to item %llu, but items up to %llu "
                             "are no longer kept here (it was restored from an older copy?): "
                             "they are not sent again",
                 p->id, (unsigned long long)h->down_cursor, (unsigned long long)start);
    p->down_epoch = new_epoch();
    return start;
}

static void on_hello(downlink *d, struct link_peer *p, const Jiefen__Hello *h)
{
    if (!hello_protocol_ok(d, p, h))
        return;
    p->down_sent = p->down_acked = queue_resume(d, p, h);
    if (h->time_ms && d->ctx.on_clock)
        d->ctx.on_clock(d->ctx.arg, p->id, 0, h->time_ms - clock_now_ms());
    trim_queue(d, p);
    send_heads(d, p, 1);
}

static void resume(downlink *d);
static void watch(downlink *d);

/* A group of up batches was applied (upapply.h): counted, acked with our heads, and
 * relayed on; then what waited for it is handled and reading goes on. */
static void on_applied(void *arg, size_t peer, int rc, const struct ingest_result *res)
{
    downlink *d = arg;
    struct link_peer *p = &d->peers[peer];
    int64_t now = clock_now_ms();
    if (rc) {
        log_error("downlink", "cannot apply events from %s (%s)", p->id, jf_strerror(rc));
    } else {
        linkstat_count(p, res);
        throttle_count(p, &d->ctx.throttle, res, now);
        /* Throttled by this group: what it sent behind it is refused unread too. */
        if (throttle_active(p, now))
            p->rejected[REJ_THROTTLED] += upapply_drop(d->ua, peer);
        p->last_ack_ms = now;
        /* A gap means batches were lost (a restart, a dropped connection): have the child
         * resend from our heads at once rather than after its ack timeout. */
        send_heads(d, p, res->rejected[REJ_GAP] > 0);
        /* relay on up, and any directives now routable; an equivocation's proof goes up */
        if (res->applied || res->rejected[REJ_EQUIVOCATION])
            d->ctx.on_received(d->ctx.arg);
    }
    resume(d);
    watch(d);
}

/* A child restored from a backup asks for its own chain (selfsync.h). */
static void on_selfsync_want(downlink *d, struct link_peer *p, const Jiefen__SelfsyncWant *w)
{
    MDB_txn *txn;
    Jiefen__SelfsyncBatch b;
    ProtobufCBinaryData *env = malloc(LINK_BATCH_EVENTS * sizeof *env);
    if (!env || store_txn_begin(d->ctx.st, MDB_RDONLY, &txn)) {
        free(env);
        return;
    }
    if (selfsync_serve(d->ctx.st, txn, p->id, w, &b, env) == 0) {
        Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
        m.kind_case = JIEFEN__LINK_MESSAGE__KIND_SELFSYNC_BATCH;
        m.selfsync_batch = &b;
        send_to(d, p, &m);
    }
    store_txn_abort(txn);
    free(env);
}

static void on_down_ack(downlink *d, struct link_peer *p, const Jiefen__DownAck *a)
{
    if (a->qseq <= p->down_acked)
        return;
    p->down_acked = a->qseq;
    if (p->down_sent < p->down_acked)
        p->down_sent = p->down_acked;
    p->last_ack_ms = clock_now_ms();
    trim_queue(d, p);
}

static void on_tick_closed(uv_handle_t *h);

/* Handles m from the child at index peer: 1 done (m is freed or taken), 0 it must wait
 * for the batches before it (held by the caller). What a child sent is handled in its
 * order. */
static int dispatch(downlink *d, size_t peer, Jiefen__LinkMessage *m)
{
    struct link_peer *p = &d->peers[peer];
    if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_UP) {
        if (throttle_active(p, clock_now_ms())) { /* refused unread: no heads either */
            p->rejected[REJ_THROTTLED] += m->up->n_envelopes;
            jiefen__link_message__free_unpacked(m, NULL);
            return 1;
        }
        int rc = upapply_take(d->ua, peer, p->id, m);
        if (rc == 0) { /* a full group goes at once if the applier is idle */
            upapply_start(d->ua);
            rc = upapply_take(d->ua, peer, p->id, m);
        }
        if (rc < 0) { /* unacked: the child sends it again */
            log_error("downlink", "cannot take a batch from %s (%s)", p->id, jf_strerror(rc));
            jiefen__link_message__free_unpacked(m, NULL);
        }
        return rc != 0;
    }
    if (upapply_busy(d->ua, peer))
        return 0;
    if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_HELLO)
        on_hello(d, p, m->hello);
    else if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOWN_ACK)
        on_down_ack(d, p, m->down_ack);
    else if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_SELFSYNC_WANT)
        on_selfsync_want(d, p, m->selfsync_want);
    else if (d->ctx.on_doc && (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOC_WANT ||
                               m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOC_CHUNK))
        d->ctx.on_doc(d->ctx.arg, p->id, m);
    jiefen__link_message__free_unpacked(m, NULL);
    return 1;
}

/* The message held, if it can go now, and reading again if so; the filling group goes to
 * the applier either way. */
static void resume(downlink *d)
{
    if (d->held && dispatch(d, d->held_peer, d->held))
        d->held = NULL;
    upapply_start(d->ua);
    if (!d->held && d->zr)
        zsock_pause(d->zr, 0);
}

static void router_readable(zsock *z)
{
    downlink *d = z->data;
    struct linkmsg_from from;
    Jiefen__LinkMessage *m;
    int rc;
    while (!d->held && (rc = linkmsg_recv(d->router, &from, &m)) != -EAGAIN) {
        if (rc && rc != JF_ECORRUPT)
            break;
        struct link_peer *p = from.user[0] ? peer_for(d, from.user) : NULL;
        if (!p) {
            if (rc == 0)
                jiefen__link_message__free_unpacked(m, NULL);
            continue;
        }
        if (rc) {
            p->rejected[REJ_UNDECODABLE]++;
            p->dirty = 1;
            log_warn("downlink", "undecodable message from %s", p->id);
            continue;
        }
        /* The sender is who ZAP says it is; its routing id is only an address. A message
         * that outlived its connection is still good, but says nothing of the link. */
        if (linkmon_open(d->mon, from.fd)) {
            memcpy(p->rid, from.rid, from.rid_len);
            p->rid_len = from.rid_len;
            p->fd = from.fd;
            linkstat_seen(p, clock_now_ms());
        }
        if (p->too_old && m->kind_case != JIEFEN__LINK_MESSAGE__KIND_HELLO) {
            jiefen__link_message__free_unpacked(m, NULL); /* refused: no answer, no ack */
            continue;
        }
        size_t peer = (size_t)(p - d->peers);
        if (!dispatch(d, peer, m)) {
            d->held = m;
            d->held_peer = peer;
        }
    }
    if (d->held)
        zsock_pause(z, 1);
    upapply_start(d->ua);
    pump_down(d);
    watch(d);
}

static void router_writable(zsock *z)
{
    pump_down(z->data);
}

/* Housekeeping: the counters saved, and ZMQ_EVENTS read again in case an edge was missed;
 * within a second of a change, rarely when nothing changes. */
static void on_tick(uv_timer_t *t)
{
    downlink *d = t->data;
    int failed = linkstat_save(d->ctx.st, d->peers, d->n_peers, &d->refusals) != 0;
    if (d->zr)
        zsock_kick(d->zr);
    link_tick_arm(t, on_tick, failed);
}

/* The counters changed: saved within a second. */
static void watch(downlink *d)
{
    link_tick_arm(&d->tick, on_tick, 1);
}

/* The socket monitor: refused handshakes counted; a child's connection lost. */
static void on_monitor(const struct linkmon_event *ev, void *arg)
{
    downlink *d = arg;
    int64_t now = clock_now_ms();
    watch(d);
    if (ev->kind == LINKMON_REFUSED) {
        linkstat_refused(&d->refusals, ev, "downlink", now);
        return;
    }
    if (ev->kind != LINKMON_LOST)
        return;
    for (size_t i = 0; i < d->n_peers; i++) {
        struct link_peer *p = &d->peers[i];
        if (p->fd != ev->fd)
            continue;
        /* libzmq closes a connection that sends a frame over the size limit without
         * saying so: a lost connection is all it reports. */
        log_info("downlink", "connection from %s (%s) closed: by the child, the network, or "
                             "a frame over the size limit",
                 p->id, ev->addr);
        linkstat_lost(p, now);
        p->rid_len = 0;
        return;
    }
    /* Admitted, and gone before its first message: nobody honest does that. */
    struct linkmon_event silent = *ev;
    silent.reason = LINKMON_SILENT;
    linkstat_refused(&d->refusals, &silent, "downlink", now);
}

static int open_router(downlink *d)
{
    uint8_t pk[32], sk[32];
    int one = 1, rc = 0;
    crypto_curve_keys(d->ctx.id, pk, sk);
    if (!(d->router = zmq_socket(d->ctx.zctx, ZMQ_ROUTER)))
        return -zmq_errno();
    /* MANDATORY: a send to a child that is not connected fails instead of vanishing. */
    if ((rc = linkmsg_setup(d->router)) == 0 &&
        (zmq_setsockopt(d->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one) ||
         zmq_setsockopt(d->router, ZMQ_CURVE_SERVER, &one, sizeof one) ||
         zmq_setsockopt(d->router, ZMQ_CURVE_SECRETKEY, sk, 32) ||
         zmq_setsockopt(d->router, ZMQ_ZAP_DOMAIN, "jiefen", 6)))
        rc = -zmq_errno();
    crypto_wipe(sk, sizeof sk);
    /* The monitor before the bind: children waiting for this node connect the moment it
     * listens, and a connection accepted unseen would never count as its child's (its
     * messages read as ones that outlived their connection, never answered). */
    if (rc == 0)
        rc = linkmon_start(d->ctx.loop, d->ctx.zctx, d->router, "down", on_monitor, d, &d->mon);
    /* The port of a router just closed may take a moment to be released. */
    for (int tries = 0; rc == 0 && zmq_bind(d->router, d->endpoint) < 0; tries++) {
        if (zmq_errno() != EADDRINUSE || tries == 50)
            rc = -zmq_errno();
        else
            uv_sleep(20);
    }
    if (rc == 0 && (d->zr = calloc(1, sizeof *d->zr)) == NULL)
        rc = -ENOMEM;
    if (rc == 0)
        rc = zsock_start(d->zr, d->ctx.loop, d->router, router_readable, router_writable, d);
    if (rc) {
        linkmon_close(d->mon);
        d->mon = NULL;
        zmq_close(d->router);
        d->router = NULL;
    }
    return rc;
}

int downlink_start(const struct link_ctx *ctx, const char *endpoint, downlink **out)
{
    downlink *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    d->ctx = *ctx;
    snprintf(d->endpoint, sizeof d->endpoint, "%s", endpoint);
    d->refusals.key = "link-refused:down";
    d->epoch = new_epoch();
    MDB_txn *txn;
    if (store_txn_begin(ctx->st, MDB_RDONLY, &txn) == 0) {
        linkstat_refusals_load(ctx->st, txn, &d->refusals);
        store_txn_abort(txn);
    }
    int rc = (d->ua = upapply_new(ctx->loop, ctx->st, ctx->node_id, on_applied, d)) ? 0 : -ENOMEM;
    /* Before the router: its first messages may be read as it starts, and watched. */
    uv_timer_init(ctx->loop, &d->tick);
    d->tick.data = d;
    /* The ZAP handler must be bound before the router, or CURVE admits any key. */
    if (rc == 0 && (!(d->zap = zmq_socket(ctx->zctx, ZMQ_REP)) ||
                    zmq_bind(d->zap, ZAP_ENDPOINT) < 0 || !(d->zz = calloc(1, sizeof *d->zz))))
        rc = zmq_errno() ? -zmq_errno() : -ENOMEM;
    if (rc == 0)
        rc = zsock_start(d->zz, ctx->loop, d->zap, zap_readable, NULL, d);
    if (rc == 0)
        rc = open_router(d);
    if (rc) {
        log_error("downlink", "cannot listen for children on %s (%s)", endpoint,
                  zmq_strerror(-rc));
        if (d->zap)
            zmq_close(d->zap);
        free(d->zz);
        upapply_close(d->ua);
        uv_close((uv_handle_t *)&d->tick, on_tick_closed); /* frees d */
        return rc;
    }
    watch(d);
    log_info("downlink", "listening for children on %s", endpoint);
    *out = d;
    return 0;
}

static void on_poll_closed(uv_handle_t *h)
{
    free(h->data);
}

static void close_router(downlink *d)
{
    linkmon_close(d->mon);
    d->mon = NULL;
    zsock_stop(d->zr, on_poll_closed);
    zmq_close(d->router);
    d->router = NULL;
    d->zr = NULL;
}

int downlink_reset(downlink *d)
{
    close_router(d);
    for (size_t i = 0; i < d->n_peers; i++) {
        d->peers[i].rid_len = 0;
        d->peers[i].fd = -1;
        d->peers[i].online = 0;
        d->peers[i].since_ms = clock_now_ms();
    }
    return open_router(d);
}

static void on_tick_closed(uv_handle_t *h)
{
    downlink *d = h->data;
    free(d->peers);
    free(d);
}

void downlink_close(downlink *d)
{
    if (!d)
        return;
    linkstat_save(d->ctx.st, d->peers, d->n_peers, &d->refusals);
    if (d->router)
        close_router(d);
    /* A group in flight is committed, unacked: the child sends it again and it is known. */
    upapply_close(d->ua);
    if (d->held)
        jiefen__link_message__free_unpacked(d->held, NULL);
    zsock_stop(d->zz, on_poll_closed);
    zmq_close(d->zap);
    uv_timer_stop(&d->tick);
    uv_close((uv_handle_t *)&d->tick, on_tick_closed);
}

void downlink_kick(downlink *d)
{
    if (d && d->zr)
        zsock_kick(d->zr); /* pumps, and reads what the sends may have hidden */
}

static int add_child(const Jiefen__NodeInfo *ni, void *arg)
{
    downlink *d = arg;
    if (strcmp(ni->parent, d->ctx.node_id) == 0 && !peer_for(d, ni->node_id))
        return -ENOMEM;
    return 0;
}

/* One child's status: its link, whether it is revoked and its down queue. */
static json_t *child_json(downlink *d, MDB_txn *txn, const struct link_peer *p)
{
    Jiefen__NodeInfo *ni = NULL;
    MDB_val item;
    envelope *e = NULL;
    registry_get(d->ctx.st, txn, p->id, &ni);
    uint64_t last = queue_last(d, txn, p->id), first = queue_first(d, txn, p->id, &item);
    int64_t oldest = first && envelope_decode(item.mv_data, item.mv_size, &e) == 0
                         ? e->event->time_ms : 0;
    envelope_free(&e);
    json_t *j = linkstat_peer_json(p);
    json_object_set_new(j, "direction", json_string("child"));
    json_object_set_new(j, "revoked", json_boolean(ni && ni->revoked));
    int64_t until = throttle_active(p, clock_now_ms()) ? p->throttled_until_ms : 0;
    json_object_set_new(j, "throttled", json_boolean(until != 0));
    json_object_set_new(j, "throttled_until_ms", until ? json_integer(until) : json_null());
    json_object_set_new(j, "backlog_down",
                        json_integer(first ? (json_int_t)(last - first + 1) : 0));
    json_object_set_new(j, "backlog_down_oldest_ms", oldest ? json_integer(oldest) : json_null());
    registry_free(&ni);
    return j;
}

json_t *downlink_json(downlink *d)
{
    json_t *list = json_array();
    MDB_txn *txn;
    if (store_txn_begin(d->ctx.st, MDB_RDONLY, &txn))
        return list;
    registry_each(d->ctx.st, txn, add_child, d); /* every enrolled child, connected or not */
    for (size_t i = 0; i < d->n_peers; i++)
        json_array_append_new(list, child_json(d, txn, &d->peers[i]));
    store_txn_abort(txn);
    return list;
}

json_t *downlink_refused_json(downlink *d)
{
    return linkstat_refusals_json(&d->refusals);
}
