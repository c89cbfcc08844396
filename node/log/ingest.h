/*
 * ingest — applies events that arrive over a link, after checking them, in one
 * transaction per batch.
 *
 * Up (from a child): events of the child's subtree, each origin's chain continuing from
 * what this node holds. Per origin run, every hash link and seq is checked and one
 * signature (the newest event's) is verified: the chain makes it vouch for the rest; if it
 * fails, each is verified to find the first bad one. Duplicates with the same hash are
 * ignored (the ack covers them); a different event under a known (origin, seq) is an
 * equivocation and quarantines the origin until an operator clears it.
 *
 * Down (from the parent): items of the parent's queue for this node, dense by qseq;
 * each is an event signed by an ancestor, verified alone, kept in the inbox, folded, and
 * queued on for the children it concerns. The queue cursor is stored in the same
 * transaction.
 */
#ifndef JIEFEN_INGEST_H
#define JIEFEN_INGEST_H

#include "jiefen.pb-c.h"
#include "store.h"

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

/* Applies a down batch from the parent at node `self`. Same returns. */
int ingest_down(store *st, const char *self, const Jiefen__DownBatch *b,
                struct ingest_result *res);


/* Clears an origin's quarantine. JF_ENOTFOUND if it was not quarantined. */
int ingest_clear_quarantine(store *st, const char *origin);

/* 1 if origin is quarantined. */
int ingest_quarantined(store *st, MDB_txn *txn, const char *origin);

#endif
