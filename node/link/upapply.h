/*
 * upapply — a parent takes in its children's up batches off its loop. The batches a child
 * sent together form a group, decoded on the loop as they arrive (ingest_group_add) while
 * the group before it is applied and committed on a thread of its own (ingest_group_apply,
 * started with the first group: a node without children has none): the loop reads,
 * decodes and answers the API while that thread folds and waits for the disk.
 *
 * One group in flight and one filling behind it, each of one child and at most
 * LINK_GROUP_BATCHES. A batch that cannot join the filling group (another child's, or the
 * group is full) is not taken: the caller holds it and reads nothing more until done()
 * says a group was applied. done() is called on the loop, once per group, in the order the
 * groups were taken; a group that met a full map is applied again after the map grows,
 * which the loop does (store_grow), never the applier.
 */
#ifndef JIEFEN_UPAPPLY_H
#define JIEFEN_UPAPPLY_H

#include "jiefen.pb-c.h"
#include "log/ingest.h"
#include "store.h"

#include <stddef.h>
#include <uv.h>

typedef struct upapply upapply;

/* A group of the child at index `peer` was applied: rc 0 (res says what was applied and
 * rejected) or the store's error (nothing was). */
typedef void upapply_done_fn(void *arg, size_t peer, int rc, const struct ingest_result *res);

/* Takes batches for node `self` (a string that outlives a). NULL when out of memory. */
upapply *upapply_new(uv_loop_t *loop, store *st, const char *self, upapply_done_fn *done,
                     void *arg);

/* m, an Up message from child `child` (index `peer`): 1 taken (a frees it once its group
 * is applied), 0 not now (the filling group is another child's, or full), or a negative
 * error (out of memory: m is the caller's to free). */
int upapply_take(upapply *a, size_t peer, const char *child, Jiefen__LinkMessage *m);

/* Whether a group of the child at index peer is in flight or filling: its other messages
 * wait for its batches, since a child's messages are handled in the order it sent them. */
int upapply_busy(const upapply *a, size_t peer);

/* Drops the filling group if it is peer's (the child was throttled meanwhile): how many
 * envelopes were dropped, unread. */
size_t upapply_drop(upapply *a, size_t peer);

/* Hands the filling group to the applier, unless a group is in flight. */
void upapply_start(upapply *a);

/* Stops the applier (waiting for the transaction it runs, if any) and frees a; done() is
 * not called again. */
void upapply_close(upapply *a);

#endif
