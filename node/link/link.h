/*
 * link — the two ends of the tier links. A child's uplink is a ZeroMQ DEALER that connects
 * out to its parent; a parent's downlink is a ROUTER bound for its enrolled children,
 * CURVE-encrypted, with a ZAP handler that admits only the CURVE keys of enrolled,
 * unrevoked children and names each by its node id. One link carries both directions:
 *
 *   up:   the child ships every event of its store's chains (its own log and its
 *         subtree's) that the parent lacks, from the parent's heads (the persistent
 *         cursor: the parent records them in the transaction that applies a batch), in
 *         batches, several in flight; the parent acks with its heads.
 *   down: the parent ships its queue for that child (directives and what travels down),
 *         from the child's cursor; the child applies, records the cursor, acks.
 *
 * Everything is committed before it is sent; a lost message is resent from the cursor;
 * duplicates are idempotent. Reconnection (with backoff) is ZeroMQ's; a Hello every 2 s
 * on an idle link is the application's heartbeat and resynchronises the cursors.
 */
#ifndef JIEFEN_LINK_H
#define JIEFEN_LINK_H

#include "crypto.h"
#include "log/ingest.h"
#include "link/linkmsg.h"
#include "link/zsock.h"
#include "store.h"

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

#define LINK_TICK_MS 1000
#define LINK_HELLO_MS 2000
#define LINK_DEAD_MS 6000
#define LINK_BATCH_EVENTS 1000
#define LINK_BATCH_BYTES (4 * 1024 * 1024)
#define LINK_WINDOW_EVENTS 16000

/* What `status` and /metrics show of one peer. */
struct link_peer {
    char id[33];
    int online;
    int64_t since_ms;             /* when online last changed */
    int64_t last_rx_ms, last_ack_ms;
    uint64_t applied, duplicates, rejected[REJ_COUNT];
    /* parent side: the child's connection and its down queue */
    uint8_t rid[LINK_ROUTING_MAX];
    size_t rid_len;
    uint64_t down_sent, down_acked;
};

typedef struct uplink uplink;
typedef struct downlink downlink;

/* What a link uses of its node; each end keeps a copy. What the pointers point to must
 * outlive the link. */
struct link_ctx {
    uv_loop_t *loop;
    void *zctx;                     /* the ZeroMQ context */
    store *st;
    const crypto_identity *id;      /* this node's keys (its CURVE keys derive from them) */
    const char *node_id;            /* this node's id */
    void (*on_received)(void *arg); /* events from the peer were applied */
    void *arg;
    /* A Hello (at the parent) or Heads (at the child) carried the peer's clock: offset_ms
     * is the peer's clock minus ours at receipt. May be NULL. */
    void (*on_clock)(void *arg, const char *peer, int is_parent, int64_t offset_ms);
};

/* Connects to the parent at `endpoint` whose Ed25519 key is parent_pk. Returns 0 or a
 * negative code; *out is closed with uplink_close(). */
int uplink_start(const struct link_ctx *ctx, const char *parent, const uint8_t *parent_pk,
                 const char *endpoint, uplink **out);
void uplink_close(uplink *u);

/* New events may be waiting to go up. */
void uplink_kick(uplink *u);

/* Binds the ROUTER (and the ZAP handler) at endpoint. */
int downlink_start(const struct link_ctx *ctx, const char *endpoint, downlink **out);
void downlink_close(downlink *d);

/* New items may be queued for children. */
void downlink_kick(downlink *d);

/* Drops every connection and binds again: after a revocation, each child must pass the
 * ZAP check anew, and the revoked one cannot. */
int downlink_reset(downlink *d);

/* Status objects as docs/api.md describes ("links"). New references. */
json_t *uplink_json(uplink *u);
json_t *downlink_json(downlink *d);

/* Shared by both ends: bookkeeping when a message arrives from a peer. */
void link_peer_seen(struct link_peer *p, int64_t now);
void link_peer_tick(struct link_peer *p, int64_t now);
void link_peer_count(struct link_peer *p, const struct ingest_result *r);
json_t *link_peer_json(const struct link_peer *p);

/* A batch to send: the values of dbi under the dense keys (name, first), (name, first + 1),
 * ... into env, at most `room` of them and until *bytes (which grows by their sizes)
 * reaches LINK_BATCH_BYTES. They point into txn's pages. How many were taken (a store
 * error ends the batch early: what is not sent is sent from the store later). */
size_t link_batch(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t first,
                  ProtobufCBinaryData *env, size_t room, size_t *bytes);

#endif
