/*
 * eventlog — appends to this node's own log, in groups.
 *
 * Callers queue operations with eventlog_submit(); eventlog_flush() runs every queued
 * operation inside one LMDB write transaction (each in a nested transaction, so one
 * failing operation leaves no trace) and commits once: many intakes, one fsync. Each
 * operation's `done` is called after the commit, with 0 only once its events are durable.
 * With a loop (eventlog_use_loop), eventlog_commit() does the same on the loop's thread
 * pool, one batch at a time: the loop goes on reading and checking the next requests while
 * a batch is applied and synced, and whatever is queued meanwhile forms the next batch.
 * An `apply` then runs on a pool thread: it may touch only `tx` and its own `arg` (never
 * state of the loop); `done` and the on_commit hook always run on the loop's thread.
 * On MDB_MAP_FULL the whole batch is aborted, the map grown and the batch replayed, so an
 * `apply` function may run more than once and must not change anything outside `tx`.
 * Below the store's free-space floor (store_space_check, measured as each batch begins)
 * eventlog_append refuses with JF_EFULL: an operation that appends an event fails whole
 * (its `done` gets JF_EFULL), one that only writes records of its own (sessions) goes on.
 *
 * eventlog_append() gives an event its place: origin, the next dense seq, the hash of the
 * previous event, the time; signs it; stores it with its sealed part (encrypted at rest);
 * and folds it (fold.h: the fold registered for its kind) in the same transaction.
 */
#ifndef JIEFEN_EVENTLOG_H
#define JIEFEN_EVENTLOG_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "store.h"

#include <stdint.h>

typedef struct eventlog eventlog;
struct uv_loop_s; /* libuv's loop */

typedef struct eventlog_tx {
    eventlog *el;
    store *st;
    MDB_txn *txn;
    int64_t now_ms;
    unsigned appended;     /* events appended by this operation */
    /* Who acts in this operation and their name, set by the operation's caller (NULL when
     * unknown): eventlog_append stamps the name on the events of that actor. */
    const char *actor, *actor_name;
} eventlog_tx;

typedef int (*eventlog_apply_fn)(eventlog_tx *tx, void *arg);
typedef void (*eventlog_done_fn)(void *arg, int status);

/* The log of node `origin`, signing with `id` (both borrowed, must outlive the log).
 * Returns 0 or -ENOMEM. */
int eventlog_new(store *st, const crypto_identity *id, const char *origin, eventlog **out);

/* Frees; queued operations are finished with status -ECANCELED. Accepts NULL. Called only
 * once the loop has stopped (no batch is in flight then). */
void eventlog_free(eventlog **el);

/* Queues an operation (and calls the on_submit hook, which the node uses to run the group
 * commit soon). Returns 0 or -ENOMEM (then nothing is queued). */
int eventlog_submit(eventlog *el, eventlog_apply_fn apply, eventlog_done_fn done, void *arg);

/* Number of operations waiting for eventlog_flush(). */
unsigned eventlog_pending(const eventlog *el);

/* Runs and commits every queued operation, then calls their `done`. Returns the number of
 * operations committed, or a negative code if the commit failed (each `done` got it). */
int eventlog_flush(eventlog *el);

/* Commits on `loop`'s thread pool from now on (eventlog_commit). */
void eventlog_use_loop(eventlog *el, struct uv_loop_s *loop);

/* Starts committing the queued operations as one batch on the loop's thread pool, unless a
 * batch is in flight (the queue then goes when it ends). Their `done` is called on the
 * loop once the batch is durable. Without a loop, or out of memory, it is eventlog_flush(). */
void eventlog_commit(eventlog *el);
/* From now on every appended event carries offset_ms as its clock_offset_ms: this node's
 * clock minus its parent's when known to be skewed, 0 otherwise (see case/clockskew.h). */
void eventlog_set_clock_offset(eventlog *el, int64_t offset_ms);

/* From now on every sealed part is also boxed to the tree's recovery key pk (the event's
 * recovery_box, crypto_recovery_box), which travels up with the log; NULL: none. */
void eventlog_set_recovery(eventlog *el, const uint8_t *pk);

/* The meta record (u64) below which this node's own chain is not its to write: while its
 * head is below it (a rebuilt node fetching its chain back from its parent), every
 * eventlog_append refuses with JF_ECATCHUP. */
#define EVENTLOG_CHAIN_FLOOR "chain_floor"

/* Appends `ev` (its body and case_id set by the caller) with optional sealed bytes.
 * Sets ev->origin, seq, prev_hash, time_ms, clock_offset_ms and sealed_hash. Returns 0 or
 * a negative code (JF_EINVAL if the event does not apply to its case; JF_EFULL below the
 * store's free-space floor: the batch began with the disk too full for new events;
 * JF_ECATCHUP below EVENTLOG_CHAIN_FLOOR). Sets ev->recovery_box with a recovery key. */
int eventlog_append(eventlog_tx *tx, Jiefen__Event *ev, const uint8_t *sealed,
                    size_t sealed_len);

/* Seals `plain` with this node's at-rest key (as the parties of an event are) and stores it
 * under key in dbi, in the operation's transaction; the key binds the ciphertext to its
 * record. Open it with crypto_unseal and the same key. 0, -ENOMEM or an LMDB code. */
int eventlog_put_sealed(eventlog_tx *tx, MDB_dbi dbi, const uint8_t *key, size_t klen,
                        const uint8_t *plain, size_t len);

/* Seq and hash of the newest event of `origin` in txn (seq 0 and zero hash if none). */
int eventlog_head(store *st, MDB_txn *txn, const char *origin, uint64_t *seq,
                  uint8_t hash[CRYPTO_HASH_LEN]);

/* Calls fn with each chain head of st (origin and seq of its last event) in origin order,
 * until fn returns non-zero: a negative code is returned, STORE_STOP ends the walk. */
int eventlog_each_head(store *st, MDB_txn *txn,
                       int (*fn)(const char *origin, uint64_t seq, void *arg), void *arg);

/* Records the newest event of `origin` (its seq and hash). */
int eventlog_head_put(store *st, MDB_txn *txn, const char *origin, uint64_t seq,
                      const uint8_t hash[CRYPTO_HASH_LEN]);

/* Who an event records as its actor: the person named, or "admin" (the local token) when
 * none is. */
const char *eventlog_actor(const char *person);

/* Totals since this process started. */
uint64_t eventlog_appended_total(const eventlog *el);
uint64_t eventlog_batches_total(const eventlog *el);

/* Optional hook called after each successful commit with the batch size. */
void eventlog_on_commit(eventlog *el, void (*fn)(void *arg, unsigned ops, unsigned events),
                        void *arg);

/* Optional hook called after each operation is queued (the owner of the loop schedules
 * eventlog_flush()). */
/* Called in the operation's transaction after each event this node appends is stored
 * (what an event causes outside the log, e.g. an outbox message, exists exactly when the
 * event does). A non-zero return fails the append. One hook; NULL: none. */
typedef int (*eventlog_append_fn)(eventlog_tx *tx, const Jiefen__Event *ev, void *arg);
void eventlog_on_append(eventlog *el, eventlog_append_fn fn, void *arg);

void eventlog_on_submit(eventlog *el, void (*fn)(void *arg), void *arg);

/* A node restored from a backup (log/backup.h) may be older than what its parent holds
 * of its chain: until the link has brought its own events back (link/selfsync.h), it
 * appends none (eventlog_append says JF_ERESTORED). The mark is meta "restored".
 * Whether it is set (1/0) into *restored; and setting or clearing it in txn. 0 or a store
 * error. */
#define EVENTLOG_RESTORED_KEY "restored"
int eventlog_restored(store *st, MDB_txn *txn, int *restored);
int eventlog_set_restored(store *st, MDB_txn *txn, int restored);

#endif
