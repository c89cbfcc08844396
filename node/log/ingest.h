/*
 * ingest — applies events that arrive over a link, after checking them, in one
 * transaction per batch (or per group of up batches that arrived together).
 *
 * Verify, then judge: nothing is concluded from an envelope before its origin's signature
 * is checked. A badly signed or unreadable envelope is refused as such (bad_signature,
 * undecodable; the link counts it against the child that sent it) and changes nothing
 * about its origin.
 *
 * Up (from a child): events of the child's subtree, each origin's chain continuing from
 * what this node holds. Per origin run, every hash link and seq is checked and one
 * signature is verified, the newest event's: through the hash links it vouches for every
 * event between it and our head. If it fails, the next older one is tried, and so on;
 * only what a verified signature vouches for is applied. (The signature bytes of the
 * older events are not checked: their content is what the chain vouches for.) An event at
 * or below our head with the same hash is a duplicate (the ack covers it); with other
 * bytes it is verified alone: badly signed, it is refused; validly signed, it is an
 * equivocation (log/quarantine.h: the proof is kept and published, the origin
 * quarantined until an operator clears it). Two versions of one seq in the same batch
 * are caught the same way, the first being held by then.
 *
 * Down (from the parent): items of the parent's queue for this node, dense by qseq;
 * each is an event signed by an ancestor, verified alone, kept in the inbox, folded, and
 * queued on for the children it concerns. Another validly signed event under an (origin,
 * seq) the inbox holds is an equivocation, proved and quarantined as above. The queue cursor is stored in the same
 * transaction.
 *
 * Below the store's free-space floor (store_space_check) every batch is refused whole with
 * JF_EFULL and nothing is written: no ack goes back, so the sender keeps the events and
 * sends them again once there is room.
 */
#ifndef JIEFEN_INGEST_H
#define JIEFEN_INGEST_H

#include "jiefen.pb-c.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

enum ingest_reason {
    REJ_UNDECODABLE,
    REJ_FOREIGN,      /* origin unknown, or not in the sending child's subtree */
    REJ_REVOKED,
    REJ_QUARANTINED,
    REJ_GAP,
    REJ_CHAIN,
    REJ_SIGNATURE,
    REJ_EQUIVOCATION,
    REJ_THROTTLED,    /* the link is throttled: refused unread (counted by the link) */
    REJ_COUNT
};

/* Name of a reason, as in logs and metrics ("bad_signature", ...). */
const char *ingest_reason_name(int reason);

struct ingest_result {
    unsigned applied, duplicates;
    unsigned rejected[REJ_COUNT];
    uint64_t down_cursor;         /* down: the cursor after this batch */
};

/* Applies an up batch from child `child` at node `self`. Returns 0 (see *res for what was
 * applied and rejected) or a store error (nothing applied; MDB_MAP_FULL means grow and
 * retry). */
int ingest_up(store *st, const char *self, const char *child, const Jiefen__UpBatch *b,
              struct ingest_result *res);

/* Applies n up batches from child, in order, in one transaction (one commit): what a
 * parent does with the batches that arrived together. Returns and *res (the sum over the
 * batches) as ingest_up. */
int ingest_up_many(store *st, const char *self, const char *child,
                   const Jiefen__UpBatch *const *b, size_t n, struct ingest_result *res);

/* Up batches of one child decoded ahead of their transaction: a parent decodes a group on
 * its loop while the group before it is applied on another thread. The group holds the
 * batches (which must outlive it, or its next reset) and what their envelopes decode
 * into. One owner at a time. */
#define INGEST_GROUP_MAX 8
typedef struct ingest_group ingest_group;

/* An empty group; NULL when out of memory. Freed with ingest_group_free(). */
ingest_group *ingest_group_new(void);
void ingest_group_free(ingest_group **g);

/* Decodes b's envelopes into the group, after the batches it holds (an undecodable one is
 * refused as such when applied). JF_EINVAL when the group holds INGEST_GROUP_MAX,
 * -ENOMEM. */
int ingest_group_add(ingest_group *g, const Jiefen__UpBatch *b);

/* The batches the group holds. */
size_t ingest_group_size(const ingest_group *g);

/* Empties the group for its next batches. */
void ingest_group_reset(ingest_group *g);

/* Applies the group's batches from child, in order, in one transaction, from the thread
 * that calls it to the durable commit. Returns and *res as ingest_up_many; the group is
 * unchanged, so it can be applied again after MDB_MAP_FULL and a grow. */
int ingest_group_apply(store *st, const char *self, const char *child, const ingest_group *g,
                       struct ingest_result *res);

/* Applies a down batch from the parent at node `self`. Same returns. */
int ingest_down(store *st, const char *self, const Jiefen__DownBatch *b,
                struct ingest_result *res);

#endif
