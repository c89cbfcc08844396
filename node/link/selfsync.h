/*
 * selfsync — a node fetches its own chain back from its parent. The parent holds every
 * event of each child's chain (what the uplink shipped); a node whose store is older than
 * that appends nothing of its own until it has taken those events back, so it never signs a
 * second event under a seq the parent has already seen (an equivocation). Two kinds of node
 * do: one restored from an old backup (log/backup.h: the restored mark, eventlog_restored),
 * and one rebuilt on an empty disk and enrolled as its old identity's successor (its chain
 * floor, EVENTLOG_CHAIN_FLOOR, the parent's head of it; docs/operations.md). Both are
 * "restored" below. The exchange, on the link:
 *
 *   child:  a resync Heads lists the parent's head P of the child's chain. Restored, with
 *           its own head L: P <= L, it has caught up (the mark is cleared); else it sends
 *           SelfsyncWant{from_seq = L + 1}.
 *   parent: answers SelfsyncBatch{envelopes from its copy of the child's chain from
 *           from_seq, at most a link batch; head = P}.
 *   child:  applies them as its own chain's continuation (ingest_up, checked against its own
 *           key and hash links, folded), then asks again from its new head until it reaches
 *           the head named, and then clears the mark.
 *
 * The sealed parts of those events (personal data) are not on
 * the parent and do not come back (a rebuilt node reseals them with the county's recovery
 * key: case/recovery.h). Pure functions over the store: the link ends send.
 */
#ifndef JIEFEN_SELFSYNC_H
#define JIEFEN_SELFSYNC_H

#include "jiefen.pb-c.h"
#include "store.h"

#include <stdint.h>

/* Child: after a resync Heads h from the parent, at node `self`. 1 and *want filled: send
 * it; 0: nothing to ask (not restored, or caught up now: the mark cleared); or a store
 * error. */
int selfsync_on_heads(store *st, const char *self, const Jiefen__Heads *h,
                      Jiefen__SelfsyncWant *want);

/* Parent: the answer to child's want, read in txn: b->envelopes point into env (room for
 * LINK_BATCH_EVENTS) and txn's pages, valid until txn ends. 0 or a store error. */
int selfsync_serve(store *st, MDB_txn *txn, const char *child, const Jiefen__SelfsyncWant *w,
                   Jiefen__SelfsyncBatch *b, ProtobufCBinaryData *env);

/* Child: applies batch b at node `self`. 1 and *want filled: ask for more; 0: caught up
 * (the mark cleared) or not restored (nothing taken); or a store error (MDB_MAP_FULL: grow
 * and call again). *applied gets how many events were taken. */
int selfsync_take(store *st, const char *self, const Jiefen__SelfsyncBatch *b,
                  Jiefen__SelfsyncWant *want, unsigned *applied);

#endif
