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
 * duplicates are idempotent. Reconnection (with a short, jittered backoff) and liveness
 * (ZMTP heartbeats) are ZeroMQ's; the socket monitor (linkmon.h) says when a connection
 * is made or lost, so the child sends its Hello (which resynchronises both cursors) the
 * moment a handshake succeeds, not on a timer. An idle link exchanges nothing else.
 */
#ifndef JIEFEN_LINK_H
#define JIEFEN_LINK_H

#include "crypto.h"
#include "log/ingest.h"
#include "link/linkmsg.h"
#include "link/linkstat.h"
#include "link/zsock.h"
#include "store.h"

#include <jansson.h>
#include <stdint.h>
#include <uv.h>

/* The housekeeping tick: every LINK_TICK_MS while a link has something to watch (a
 * Hello unanswered, batches unacked, counters unsaved), every LINK_IDLE_TICK_MS when it
 * has not: an idle tree wakes for its heartbeats, not for its ticks. */
#define LINK_TICK_MS 1000
#define LINK_IDLE_TICK_MS 30000
#define LINK_BATCH_EVENTS 1000
#define LINK_BATCH_BYTES (4 * 1024 * 1024)
#define LINK_WINDOW_EVENTS 16000
/* Up batches that arrived together applied in one transaction, at most: a commit (an
 * fsync) and a Heads answer per group, while a group's work stays short enough for the
 * loop to serve the rest. */
#define LINK_GROUP_BATCHES 8

/* When a child is throttled: `invalid` bad envelopes within window_ms refuse its up
 * batches unread for cooldown_ms. */
struct link_throttle {
    uint64_t invalid;
    int64_t window_ms, cooldown_ms;
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
    struct link_throttle throttle;  /* parent side */
    /* A Hello (at the parent) or Heads (at the child) carried the peer's clock: offset_ms
     * is the peer's clock minus ours at receipt. May be NULL. */
    void (*on_clock)(void *arg, const char *peer, int is_parent, int64_t offset_ms);
    unsigned min_protocol;          /* parent side: children below it are refused */
    /* A message of the document lane (DocWant, DocChunk) from `peer` (doclane.h). May be
     * NULL. */
    void (*on_doc)(void *arg, const char *peer, const Jiefen__LinkMessage *m);
};

/* Connects to the parent at `endpoint` whose Ed25519 key is parent_pk. Returns 0 or a
 * negative code; *out is closed with uplink_close(). */
int uplink_start(const struct link_ctx *ctx, const char *parent, const uint8_t *parent_pk,
                 const char *endpoint, uplink **out);
void uplink_close(uplink *u);

/* New events may be waiting to go up. */
void uplink_kick(uplink *u);

/* Sends a message of the document lane to the parent `peer`: 0, -EHOSTUNREACH when peer is
 * not this link's parent, or another negative code (-EAGAIN: the queue is full). */
int uplink_send(uplink *u, const char *peer, const Jiefen__LinkMessage *m);

/* Binds the ROUTER (and the ZAP handler) at endpoint. */
int downlink_start(const struct link_ctx *ctx, const char *endpoint, downlink **out);
void downlink_close(downlink *d);

/* New items may be queued for children. */
void downlink_kick(downlink *d);

/* Sends a message of the document lane to the child `child`: 0, -EHOSTUNREACH when it is
 * not connected, or another negative code. */
int downlink_send(downlink *d, const char *child, const Jiefen__LinkMessage *m);

/* Drops every connection and binds again: after a revocation, each child must pass the
 * ZAP check anew, and the revoked one cannot. */
int downlink_reset(downlink *d);

/* Status objects as docs/api.md describes ("links"). New references. */
json_t *uplink_json(uplink *u);
json_t *downlink_json(downlink *d);

/* Connections refused at the children's socket (unenrolled keys, plain ZMTP, ...) by
 * reason: {"unenrolled_key": n, ...}. New reference. */
json_t *downlink_refused_json(downlink *d);

/* (Re)arms a tick that fires once: within LINK_TICK_MS when busy, else within
 * LINK_IDLE_TICK_MS; never later than it was due already. */
void link_tick_arm(uv_timer_t *t, uv_timer_cb cb, int busy);

/* A batch to send: the values of dbi under the dense keys (name, first), (name, first + 1),
 * ... into env, at most `room` of them and until *bytes (which grows by their sizes)
 * reaches LINK_BATCH_BYTES. They point into txn's pages. How many were taken (a store
 * error ends the batch early: what is not sent is sent from the store later). */
size_t link_batch(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t first,
                  ProtobufCBinaryData *env, size_t room, size_t *bytes);

#endif
