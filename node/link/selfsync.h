/*
 * selfsync — a node fetches its own chain back from its parent, which holds every event of
 * each child's log (the whole log travels up). Used by a node rebuilt on an empty disk
 * (docs/operations.md, "Rebuilding a lost node"): its enrolment as a successor sets the
 * chain floor (EVENTLOG_CHAIN_FLOOR, the parent's head of it), below which it may not
 * append; it asks for its events from its head + 1 (RebuildWant), the parent answers with
 * up to LINK_BATCH_EVENTS of them as signed (rebuild_batch), the child applies them as an
 * up batch from itself is applied (ingest_up: seq and hash links, a verified signature by
 * the key that signed each stretch, registry_key_at), and asks again until its head
 * reaches the floor. Then it continues its own chain with its new key.
 *
 * Only the asker's own origin is served, to the child the link authenticated; a rebuilt
 * node's children send it their chains again by themselves (its heads of them are empty).
 */
#ifndef JIEFEN_SELFSYNC_H
#define JIEFEN_SELFSYNC_H

#include "jiefen.pb-c.h"
#include "log/ingest.h"
#include "store.h"

#include <stdint.h>

/* 1 with the first seq to ask for in *from while this node's own chain is below its
 * floor; 0 when it has all of it (or never lost it); a negative code on a store error. */
int selfsync_needed(store *st, const char *self, uint64_t *from);

/* Parent: the answer to `child`'s RebuildWant, into m (kind rebuild_batch, with b and env
 * as its storage; env holds LINK_BATCH_EVENTS): the child's own events from w->from_seq,
 * pointing into txn's pages. Returns how many. */
size_t selfsync_answer(MDB_txn *txn, store *st, const char *child, const Jiefen__RebuildWant *w,
                       Jiefen__LinkMessage *m, Jiefen__UpBatch *b, ProtobufCBinaryData *env);

/* Child: applies a rebuild_batch of its own events. 0 (see *res) or a store error. */
int selfsync_take(store *st, const char *self, const Jiefen__UpBatch *b,
                  struct ingest_result *res);

/* Child: fills m (kind rebuild_want, w its storage) with the next request, from `from`. */
void selfsync_want(uint64_t from, Jiefen__LinkMessage *m, Jiefen__RebuildWant *w);

#endif
