/*
 * peer — a hostile child for the tests: connects to a parent's link the way a child does
 * and sends what a broken or malicious child would. Test use only.
 *
 *   peer DIR MODE        DIR: a stopped child's data directory (its key, its store, its
 *                        parent's endpoint and key)
 *
 * MODE: hello (prove we are admitted: 0 if the parent answers; hello-vN says link protocol
 * N in it, hello-v0 none, as releases before the version did), newkey (the same with a
 * key nobody enrolled), badsig (next event signed by another key), replay (resend the
 * newest event), equivocate (a different event under the newest seq, signed with the
 * child's real key), gap (an event two ahead), foreign (an event claiming another origin),
 * poison (the next event, properly chained and signed, but naming an empty directive origin:
 * it must be kept without folding, not wedge the link), corrupt (a copy of the newest event
 * with its bytes changed on the way, under its original signature: what a faulty relay
 * sends), flood (PEER_FLOOD = 150 chained events signed by another key, in one batch).
 * Exit 0 if the parent answered, 3 if it did not within 3 s.
 */
#include "node.h"
#include "crypto.h"
#include "envelope.h"
#include "log/eventlog.h"
#include "jiefen.pb-c.h"
#include "link/linkmsg.h"
#include "log/registry.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

struct ctx {
    char dir[4096], self[33], parent[33], endpoint[256];
    uint8_t parent_pk[32];
    store *st;
    crypto_identity *id;
};

static int meta_str(struct ctx *c, MDB_txn *txn, const char *key, char *out, size_t len)
{
    MDB_val k = {strlen(key), (void *)key}, d;
    if (mdb_get(txn, c->st->meta, &k, &d) || d.mv_size >= len)
        return -1;
    memcpy(out, d.mv_data, d.mv_size);
    out[d.mv_size] = 0;
    return 0;
}

static int load(struct ctx *c, const char *dir)
{
    char path[4200];
    MDB_txn *txn;
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    snprintf(path, sizeof path, "%s/node.key", dir);
    if (crypto_identity_load(path, &c->id))
        return -1;
    snprintf(path, sizeof path, "%s/store", dir);
    if (store_open(path, 1 << 20, 0, &c->st) || store_txn_begin(c->st, MDB_RDONLY, &txn))
        return -1;
    int rc = meta_str(c, txn, "parent", c->parent, sizeof c->parent) ||
             meta_str(c, txn, "parent_endpoint", c->endpoint, sizeof c->endpoint) ||
             registry_key(c->st, txn, c->parent, c->parent_pk);
    /* Our own id: the registry entry whose key is ours. */
    MDB_cursor *cur;
    MDB_val k, v;
    mdb_cursor_open(txn, c->st->nodes, &cur);
    for (int r = mdb_cursor_get(cur, &k, &v, MDB_FIRST); r == 0;
         r = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
        Jiefen__NodeInfo *ni = jiefen__node_info__unpack(NULL, v.mv_size, v.mv_data);
        if (ni && ni->public_key.len == 32 &&
            memcmp(ni->public_key.data, crypto_identity_pk(c->id), 32) == 0)
            snprintf(c->self, sizeof c->self, "%s", ni->node_id);
        if (ni)
            jiefen__node_info__free_unpacked(ni, NULL);
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc || !c->self[0] ? -1 : 0;
}

static void *connect_parent(struct ctx *c, void *zctx, const crypto_identity *as)
{
    uint8_t pk[32], sk[32], server[32];
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    crypto_curve_keys(as, pk, sk);
    crypto_curve_pk(c->parent_pk, server);
    linkmsg_setup(s);
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, 32);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, pk, 32);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, sk, 32);
    zmq_connect(s, c->endpoint);
    return s;
}

/* An event of ours after (or at) `seq`, chained to `prev`, with a fresh summary. */
static int forge_poison(struct ctx *c, uint64_t seq, const uint8_t *prev,
                        ProtobufCBinaryData *out)
{
    uint8_t hash[CRYPTO_HASH_LEN];
    Jiefen__DirectiveAck a = JIEFEN__DIRECTIVE_ACK__INIT;
    a.origin = "";
    a.seq = 1;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.origin = c->self;
    ev.seq = seq;
    ev.prev_hash.data = (uint8_t *)prev;
    ev.prev_hash.len = CRYPTO_HASH_LEN;
    ev.actor = "peer";
    ev.body_case = JIEFEN__EVENT__BODY_DIRECTIVE_ACK;
    ev.directive_ack = &a;
    return envelope_sign(c->id, &ev, &out->data, &out->len, hash);
}

static int forge(struct ctx *c, const crypto_identity *signer, const char *origin,
                 uint64_t seq, const uint8_t *prev, ProtobufCBinaryData *out)
{
    uint8_t hash[CRYPTO_HASH_LEN];
    char case_id[64];
    snprintf(case_id, sizeof case_id, "%s-2026-9%05llu", origin, (unsigned long long)seq);
    Jiefen__CaseOpened o = JIEFEN__CASE_OPENED__INIT;
    o.case_id = case_id;
    o.category = "other";
    o.summary = "forged";
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.origin = (char *)origin;
    ev.seq = seq;
    ev.prev_hash.data = (uint8_t *)prev;
    ev.prev_hash.len = CRYPTO_HASH_LEN;
    ev.case_id = case_id;
    ev.actor = "peer";
    ev.body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    ev.case_opened = &o;
    (void)c;
    return envelope_sign(signer, &ev, &out->data, &out->len, hash);
}

/* The newest event of our own origin: its seq, hash and the hash before it. */
static int newest(struct ctx *c, uint64_t *seq, uint8_t *hash, uint8_t *prev,
                  ProtobufCBinaryData *bytes)
{
    MDB_txn *txn;
    if (store_txn_begin(c->st, MDB_RDONLY, &txn) ||
        eventlog_head(c->st, txn, c->self, seq, hash))
        return -1;
    uint8_t key[STORE_KEY_MAX];
    MDB_val k = {store_event_key(c->self, *seq, key), key}, d;
    envelope *e = NULL;
    int rc = mdb_get(txn, c->st->events, &k, &d) || envelope_decode(d.mv_data, d.mv_size, &e);
    if (rc == 0) {
        memcpy(prev, e->event->prev_hash.data, CRYPTO_HASH_LEN);
        bytes->data = malloc(d.mv_size);
        memcpy(bytes->data, d.mv_data, d.mv_size);
        bytes->len = d.mv_size;
    }
    envelope_free(&e);
    mdb_txn_abort(txn);
    return rc;
}

#define PEER_FLOOD 150

/* The envelope in env with its event's actor changed, under the old signature. */
static int corrupt(ProtobufCBinaryData *env)
{
    envelope *e = NULL;
    if (envelope_decode(env->data, env->len, &e))
        return -1;
    char *actor = e->event->actor;
    e->event->actor = "relay";
    Jiefen__Envelope w = JIEFEN__ENVELOPE__INIT;
    w.event.len = jiefen__event__get_packed_size(e->event);
    w.event.data = malloc(w.event.len);
    jiefen__event__pack(e->event, w.event.data);
    e->event->actor = actor; /* the decoded message frees its own */
    w.signature = e->wire->signature;
    free(env->data);
    env->len = jiefen__envelope__get_packed_size(&w);
    env->data = malloc(env->len);
    jiefen__envelope__pack(&w, env->data);
    free(w.event.data);
    envelope_free(&e);
    return 0;
}

/* PEER_FLOOD events after (seq, hash), chained, signed by `signer`, into env[]. */
static int flood(struct ctx *c, const crypto_identity *signer, uint64_t seq,
                 const uint8_t *hash, ProtobufCBinaryData *env)
{
    uint8_t prev[CRYPTO_HASH_LEN];
    memcpy(prev, hash, sizeof prev);
    for (int i = 0; i < PEER_FLOOD; i++) {
        envelope *e = NULL;
        if (forge(c, signer, c->self, seq + 1 + i, prev, &env[i]) ||
            envelope_decode(env[i].data, env[i].len, &e))
            return -1;
        memcpy(prev, e->hash, sizeof prev);
        envelope_free(&e);
    }
    return 0;
}

static int build(struct ctx *c, const char *mode, ProtobufCBinaryData *env)
{
    uint64_t seq;
    uint8_t hash[CRYPTO_HASH_LEN], prev[CRYPTO_HASH_LEN];
    crypto_identity *other = NULL;
    char path[4200];
    if (newest(c, &seq, hash, prev, env))
        return -1;
    if (strcmp(mode, "replay") == 0)
        return 0;
    if (strcmp(mode, "corrupt") == 0)
        return corrupt(env);
    free(env->data);
    if (strcmp(mode, "poison") == 0)
        return forge_poison(c, seq + 1, hash, env);
    snprintf(path, sizeof path, "%s/peer-other.key", c->dir);
    remove(path);
    if (crypto_identity_create(path, &other))
        return -1;
    int rc;
    if (strcmp(mode, "badsig") == 0)
        rc = forge(c, other, c->self, seq + 1, hash, env);
    else if (strcmp(mode, "flood") == 0)
        rc = flood(c, other, seq, hash, env);
    else if (strcmp(mode, "equivocate") == 0)
        rc = forge(c, c->id, c->self, seq, prev, env);
    else if (strcmp(mode, "gap") == 0)
        rc = forge(c, c->id, c->self, seq + 2, hash, env);
    else
        rc = forge(c, c->id, "v-elsewhere", 1, (uint8_t[CRYPTO_HASH_LEN]){0}, env);
    crypto_identity_free(&other);
    remove(path);
    return rc;
}

static int send_oversize(void *s)
{
    size_t big = (size_t)LINKMSG_MAX + 1;
    uint8_t *buf = calloc(1, big);
    int rc = buf && zmq_send(s, buf, big, 0) == (int)big ? 0 : -1;
    free(buf);
    return rc;
}

static int send_and_wait(void *s, Jiefen__LinkMessage *m)
{
    if (linkmsg_send(s, NULL, 0, m))
        return 3;
    zmq_pollitem_t it = {s, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, 3000) <= 0)
        return 3;
    Jiefen__LinkMessage *r = NULL;
    int rc = linkmsg_recv(s, NULL, &r);
    if (r)
        jiefen__link_message__free_unpacked(r, NULL);
    return rc == 0 ? 0 : 3;
}

int main(int argc, char **argv)
{
    node_register_folds();
    struct ctx c = {0};
    if (argc != 3) {
        fprintf(stderr, "usage: peer DIR hello|hello-vN|newkey|badsig|replay|equivocate|gap|foreign|"
                        "poison|corrupt|flood|oversize\n");
        return 2;
    }
    if (crypto_init() || load(&c, argv[1])) {
        fprintf(stderr, "peer: cannot read the node in %s\n", argv[1]);
        return 1;
    }
    const char *mode = argv[2];
    void *zctx = zmq_ctx_new();
    crypto_identity *stranger = NULL;
    char path[4200];
    snprintf(path, sizeof path, "%s/peer-stranger.key", c.dir);
    remove(path);
    if (strcmp(mode, "newkey") == 0 && crypto_identity_create(path, &stranger))
        return 1;
    void *s = connect_parent(&c, zctx, stranger ? stranger : c.id);
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    Jiefen__Hello h = JIEFEN__HELLO__INIT;
    Jiefen__UpBatch b = JIEFEN__UP_BATCH__INIT;
    ProtobufCBinaryData env[PEER_FLOOD] = {{0, NULL}};
    h.node_id = c.self;
    h.protocol = LINK_PROTOCOL;
    if (strncmp(mode, "hello-v", 7) == 0) {
        h.protocol = (uint32_t)strtoul(mode + 7, NULL, 10);
        mode = "hello";
    }
    /* A frame over the limit, then a Hello: the parent drops the connection, and the
     * Hello is answered on the next one. */
    if (strcmp(mode, "oversize") == 0 && send_oversize(s))
        return 1;
    if (strcmp(mode, "hello") == 0 || strcmp(mode, "oversize") == 0 || stranger) {
        m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HELLO;
        m.hello = &h;
    } else {
        if (build(&c, mode, env)) {
            fprintf(stderr, "peer: cannot build a %s message\n", mode);
            return 1;
        }
        b.envelopes = env;
        b.n_envelopes = strcmp(mode, "flood") == 0 ? PEER_FLOOD : 1;
        m.kind_case = JIEFEN__LINK_MESSAGE__KIND_UP;
        m.up = &b;
    }
    int rc = send_and_wait(s, &m);
    printf("peer %s: %s\n", mode, rc ? "no answer" : "answered");
    for (int i = 0; i < PEER_FLOOD; i++)
        free(env[i].data);
    zmq_close(s);
    zmq_ctx_term(zctx);
    remove(path);
    crypto_identity_free(&stranger);
    crypto_identity_free(&c.id);
    store_close(&c.st);
    return rc;
}
