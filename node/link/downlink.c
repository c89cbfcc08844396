/* downlink — the parent's end of the links to its children (see link.h). */
#include "link/link.h"
#include "case/route.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "log/eventlog.h"
#include "log.h"
#include "node.h"
#include "case/warning.h"
#include "log/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"

struct downlink {
    struct node *n;
    void *router, *zap;
    zsock *zr, *zz;
    uv_timer_t tick;
    char endpoint[256];
    struct link_peer *peers;
    size_t n_peers;
};

static struct link_peer *peer_for(downlink *d, const char *child)
{
    for (size_t i = 0; i < d->n_peers; i++)
        if (strcmp(d->peers[i].id, child) == 0)
            return &d->peers[i];
    struct link_peer *grown = realloc(d->peers, (d->n_peers + 1) * sizeof *grown);
    if (!grown)
        return NULL;
    d->peers = grown;
    struct link_peer *p = &d->peers[d->n_peers++];
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", child);
    p->since_ms = clock_now_ms();
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
    struct key_search k = {d->n->cfg.node_id, curve, id};
    if (store_txn_begin(d->n->st, MDB_RDONLY, &txn))
        return 0;
    int found = registry_each(d->n->st, txn, match_key, &k) == 1;
    mdb_txn_abort(txn);
    return found;
}

static void zap_reply(void *sock, const char *reqid, size_t reqid_len, int ok, const char *user)
{
    zmq_send(sock, "1.0", 3, ZMQ_SNDMORE);
    zmq_send(sock, reqid, reqid_len, ZMQ_SNDMORE);
    zmq_send(sock, ok ? "200" : "400", 3, ZMQ_SNDMORE);
    zmq_send(sock, ok ? "OK" : "not an enrolled child", ok ? 2 : 21, ZMQ_SNDMORE);
    zmq_send(sock, user, strlen(user), ZMQ_SNDMORE);
    zmq_send(sock, "", 0, 0);
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
            log_warn("downlink", "refused a connection: not an enrolled child's key");
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

/* Our heads of every chain in the child's subtree: the cumulative ack of its up stream. */
static void send_heads(downlink *d, struct link_peer *p, int resync)
{
    MDB_txn *txn;
    MDB_cursor *c;
    MDB_val k = {5, "head:"}, v;
    if (store_txn_begin(d->n->st, MDB_RDONLY, &txn))
        return;
    char **origins = NULL;
    uint64_t *seqs = NULL;
    size_t n = 0;
    if (mdb_cursor_open(txn, d->n->st->meta, &c) == 0) {
        for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
             rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            if (k.mv_size <= 5 || memcmp(k.mv_data, "head:", 5) || v.mv_size < 8)
                break;
            char origin[STORE_ORIGIN_MAX + 1];
            snprintf(origin, sizeof origin, "%.*s", (int)(k.mv_size - 5), (char *)k.mv_data + 5);
            if (registry_depth_below(d->n->st, txn, origin, p->id) < 0)
                continue;
            char **o2 = realloc(origins, (n + 1) * sizeof *o2);
            uint64_t *s2 = realloc(seqs, (n + 1) * sizeof *s2);
            if (o2)
                origins = o2;
            if (s2)
                seqs = s2;
            if (!o2 || !s2 || !(origins[n] = strdup(origin)))
                break;
            memcpy(&seqs[n++], v.mv_data, 8);
        }
        mdb_cursor_close(c);
    }
    mdb_txn_abort(txn);
    Jiefen__Heads h = JIEFEN__HEADS__INIT;
    h.origins = origins;
    h.n_origins = n;
    h.seqs = seqs;
    h.n_seqs = n;
    h.resync = resync;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HEADS;
    m.heads = &h;
    send_to(d, p, &m);
    for (size_t i = 0; i < n; i++)
        free(origins[i]);
    free(origins);
    free(seqs);
}

static uint64_t queue_last(downlink *d, MDB_txn *txn, const char *child)
{
    char key[64];
    uint64_t q = 0;
    route_queue_key(child, key, sizeof key);
    store_meta_get_u64(d->n->st, txn, key, &q);
    return q;
}

/* The oldest item still queued for child (acked items are trimmed), 0 if none, and the
 * time its event was made. */
static uint64_t queue_first(downlink *d, MDB_txn *txn, const char *child, int64_t *made_ms)
{
    uint8_t key[STORE_KEY_MAX];
    MDB_val k = {store_event_key(child, 1, key), key}, v;
    MDB_cursor *c;
    char owner[STORE_ORIGIN_MAX + 1];
    uint64_t q = 0;
    envelope *e = NULL;
    *made_ms = 0;
    if (mdb_cursor_open(txn, d->n->st->outbox, &c))
        return 0;
    if (mdb_cursor_get(c, &k, &v, MDB_SET_RANGE) || store_event_key_parse(&k, owner, &q) ||
        strcmp(owner, child))
        q = 0;
    else if (envelope_decode(v.mv_data, v.mv_size, &e) == 0)
        *made_ms = e->event->time_ms;
    envelope_free(&e);
    mdb_cursor_close(c);
    return q;
}

/* Ships the child's queue from what it has acked, a window of items at a time. */
static void pump_peer(downlink *d, MDB_txn *txn, struct link_peer *p, ProtobufCBinaryData *env)
{
    uint64_t last = queue_last(d, txn, p->id);
    while (p->rid_len && p->down_sent < last &&
           p->down_sent - p->down_acked < LINK_WINDOW_EVENTS) {
        uint8_t key[STORE_KEY_MAX];
        MDB_val k = {store_event_key(p->id, p->down_sent + 1, key), key}, v;
        MDB_cursor *c;
        size_t n = 0, bytes = 0;
        if (mdb_cursor_open(txn, d->n->st->outbox, &c))
            return;
        for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE);
             rc == 0 && n < LINK_BATCH_EVENTS && bytes < LINK_BATCH_BYTES;
             rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            char child[STORE_ORIGIN_MAX + 1];
            uint64_t q;
            if (store_event_key_parse(&k, child, &q) || strcmp(child, p->id) ||
                q != p->down_sent + 1 + n)
                break;
            env[n].data = v.mv_data;
            env[n].len = v.mv_size;
            bytes += v.mv_size;
            n++;
        }
        mdb_cursor_close(c);
        if (n == 0)
            return;
        Jiefen__DownBatch b = JIEFEN__DOWN_BATCH__INIT;
        b.first_qseq = p->down_sent + 1;
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
    if (env && store_txn_begin(d->n->st, MDB_RDONLY, &txn) == 0) {
        for (size_t i = 0; i < d->n_peers; i++)
            pump_peer(d, txn, &d->peers[i], env);
        mdb_txn_abort(txn);
    }
    free(env);
}

/* Drops queue items the child has applied; they live on in the events and inbox. */
static void trim_queue(downlink *d, struct link_peer *p)
{
    MDB_txn *txn;
    MDB_cursor *c;
    uint8_t key[STORE_KEY_MAX];
    MDB_val k = {store_event_key(p->id, 1, key), key}, v;
    if (store_txn_begin(d->n->st, 0, &txn))
        return;
    if (mdb_cursor_open(txn, d->n->st->outbox, &c) == 0) {
        for (int rc = mdb_cursor_get(c, &k, &v, MDB_SET_RANGE); rc == 0;
             rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
            char child[STORE_ORIGIN_MAX + 1];
            uint64_t q;
            if (store_event_key_parse(&k, child, &q) || strcmp(child, p->id) ||
                q > p->down_acked || mdb_cursor_del(c, 0))
                break;
        }
        mdb_cursor_close(c);
    }
    if (mdb_txn_commit(txn))
        log_warn("downlink", "could not trim the queue of %s", p->id);
}

static void on_hello(downlink *d, struct link_peer *p, const Jiefen__Hello *h)
{
    p->down_sent = p->down_acked = h->down_cursor;
    trim_queue(d, p);
    send_heads(d, p, 1);
}

static void on_up(downlink *d, struct link_peer *p, const Jiefen__UpBatch *b)
{
    struct ingest_result res;
    int rc;
    while ((rc = ingest_up(d->n->st, d->n->cfg.node_id, p->id, b, &res)) == MDB_MAP_FULL &&
           store_grow(d->n->st) == 0)
        ;
    if (rc) {
        log_error("downlink", "cannot apply events from %s (%s)", p->id, jf_strerror(rc));
        return;
    }
    link_peer_count(p, &res);
    p->last_ack_ms = clock_now_ms();
    /* A gap means batches were lost (a restart, a dropped connection): have the child
     * resend from our heads at once rather than after its ack timeout. */
    send_heads(d, p, res.rejected[REJ_GAP] > 0);
    if (res.applied) {
        node_links_kick(d->n); /* relay on up, and any directives now routable */
        warning_check_received(d->n->warnings);
    }
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

static void router_readable(zsock *z)
{
    downlink *d = z->data;
    uint8_t rid[LINK_ROUTING_MAX];
    size_t rid_len;
    char user[33];
    Jiefen__LinkMessage *m;
    int rc;
    while ((rc = linkmsg_recv(d->router, rid, &rid_len, user, &m)) != -EAGAIN) {
        if (rc && rc != JF_ECORRUPT)
            break;
        struct link_peer *p = user[0] ? peer_for(d, user) : NULL;
        if (!p) {
            if (rc == 0)
                jiefen__link_message__free_unpacked(m, NULL);
            continue;
        }
        if (rc) {
            p->rejected[REJ_UNDECODABLE]++;
            log_warn("downlink", "undecodable message from %s", p->id);
            continue;
        }
        /* The sender is who ZAP says it is; its routing id is only an address. */
        memcpy(p->rid, rid, rid_len);
        p->rid_len = rid_len;
        link_peer_seen(p, clock_now_ms());
        if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_HELLO)
            on_hello(d, p, m->hello);
        else if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_UP)
            on_up(d, p, m->up);
        else if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOWN_ACK)
            on_down_ack(d, p, m->down_ack);
        jiefen__link_message__free_unpacked(m, NULL);
    }
    pump_down(d);
}

static void router_writable(zsock *z)
{
    pump_down(z->data);
}

static void on_tick(uv_timer_t *t)
{
    downlink *d = t->data;
    int64_t now = clock_now_ms();
    for (size_t i = 0; i < d->n_peers; i++)
        link_peer_tick(&d->peers[i], now);
    zsock_kick(d->zr);
}

static int open_router(downlink *d)
{
    uint8_t pk[32], sk[32];
    int one = 1, rc = 0;
    crypto_curve_keys(d->n->id, pk, sk);
    if (!(d->router = zmq_socket(d->n->zctx, ZMQ_ROUTER)))
        return -zmq_errno();
    /* MANDATORY: a send to a child that is not connected fails instead of vanishing. */
    if ((rc = linkmsg_setup(d->router)) == 0 &&
        (zmq_setsockopt(d->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one) ||
         zmq_setsockopt(d->router, ZMQ_CURVE_SERVER, &one, sizeof one) ||
         zmq_setsockopt(d->router, ZMQ_CURVE_SECRETKEY, sk, 32) ||
         zmq_setsockopt(d->router, ZMQ_ZAP_DOMAIN, "jiefen", 6)))
        rc = -zmq_errno();
    crypto_wipe(sk, sizeof sk);
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
        rc = zsock_start(d->zr, &d->n->loop, d->router, router_readable, router_writable, d);
    if (rc) {
        zmq_close(d->router);
        d->router = NULL;
    }
    return rc;
}

int downlink_start(struct node *n, const char *endpoint, downlink **out)
{
    downlink *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    d->n = n;
    snprintf(d->endpoint, sizeof d->endpoint, "%s", endpoint);
    int rc = 0;
    /* The ZAP handler must be bound before the router, or CURVE admits any key. */
    if (!(d->zap = zmq_socket(n->zctx, ZMQ_REP)) || zmq_bind(d->zap, ZAP_ENDPOINT) < 0 ||
        !(d->zz = calloc(1, sizeof *d->zz)))
        rc = zmq_errno() ? -zmq_errno() : -ENOMEM;
    if (rc == 0)
        rc = zsock_start(d->zz, &n->loop, d->zap, zap_readable, NULL, d);
    if (rc == 0)
        rc = open_router(d);
    if (rc) {
        log_error("downlink", "cannot listen for children on %s (%s)", endpoint,
                  zmq_strerror(-rc));
        if (d->zap)
            zmq_close(d->zap);
        free(d->zz);
        free(d);
        return rc;
    }
    uv_timer_init(&n->loop, &d->tick);
    d->tick.data = d;
    uv_timer_start(&d->tick, on_tick, LINK_TICK_MS, LINK_TICK_MS);
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
    if (d->router)
        close_router(d);
    zsock_stop(d->zz, on_poll_closed);
    zmq_close(d->zap);
    uv_timer_stop(&d->tick);
    uv_close((uv_handle_t *)&d->tick, on_tick_closed);
}

void downlink_kick(downlink *d)
{
    if (d)
        pump_down(d);
}

static int add_child(const Jiefen__NodeInfo *ni, void *arg)
{
    downlink *d = arg;
    if (strcmp(ni->parent, d->n->cfg.node_id) == 0 && !peer_for(d, ni->node_id))
        return -ENOMEM;
    return 0;
}

json_t *downlink_json(downlink *d)
{
    json_t *list = json_array();
    MDB_txn *txn;
    if (store_txn_begin(d->n->st, MDB_RDONLY, &txn))
        return list;
    registry_each(d->n->st, txn, add_child, d); /* every enrolled child, connected or not */
    for (size_t i = 0; i < d->n_peers; i++) {
        struct link_peer *p = &d->peers[i];
        Jiefen__NodeInfo *ni = NULL;
        registry_get(d->n->st, txn, p->id, &ni);
        int64_t oldest;
        uint64_t last = queue_last(d, txn, p->id), first = queue_first(d, txn, p->id, &oldest);
        json_t *j = link_peer_json(p);
        json_object_set_new(j, "direction", json_string("child"));
        json_object_set_new(j, "revoked", json_boolean(ni && ni->revoked));
        json_object_set_new(j, "backlog_down",
                            json_integer(first ? (json_int_t)(last - first + 1) : 0));
        json_object_set_new(j, "backlog_down_oldest_ms", oldest ? json_integer(oldest) : json_null());
        json_array_append_new(list, j);
        registry_free(&ni);
    }
    mdb_txn_abort(txn);
    return list;
}
