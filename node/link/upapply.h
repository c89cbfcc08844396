/*
 * upapply — a parent takes in its children's up batches off its loop. The batches a child
 * sent together form a group, decoded on the loop as they arrive (ingest_group_add) while
 * the group before it is applied and committed on a pool thread (ingest_group_apply): the
 * loop reads and decodes, the pool thread folds and waits for the disk, at once.
 *
 * One group in flight and one filling behind it, each of one child and at most
 * LINK_GROUP_BATCHES. A batch that cannot join the filling group (another child's, or the
 * group is full) is not taken: the caller holds it and reads nothing more until done()
 * says a group was applied. done() is called on the loop, once per group, in the order the
 * groups were taken; a group that met a full map is applied again after the map grows,
 * which the loop does (store_grow), never the pool thread.
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

/* Whether a group is in flight or filling: a child's other messages wait for its batches,
 * since a child's messages are handled in the order it sent them. */
int upapply_busy(const upapply *a);

/* Sends the filling group to the pool, unless a group is in flight. */
void upapply_start(upapply *a);

/* Frees a, at once or, with a group in flight, when it is done (done() is not called). */
void upapply_close(upapply *a);

#endif
