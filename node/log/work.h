/*
 * work — reading the store on libuv's thread pool, so that a scan of a county's million
 * cases (a ledger, an export, the children's figures, a draft) never stalls the loop or
 * holds the log's write transaction: fn runs on a pool thread in a read transaction of its
 * own, between store_read_begin and store_read_end (store_grow then waits instead of
 * remapping the file under it); done runs on the loop thread with the result.
 * At most WORK_READS_MAX run at once, the others wait in order: with the password hashes'
 * ACCOUNT_HASHES_MAX that is all of libuv's 4 threads, so a login never waits behind exports.
 * One pool per node (work_new), used only from the loop's thread.
 */
#ifndef JIEFEN_WORK_H
#define JIEFEN_WORK_H

#include "store.h"

#include <uv.h>

struct work;

/* Runs on a pool thread: reads in txn (valid during the call), fills arg; 0 or an error. */
typedef int (*work_fn)(MDB_txn *txn, void *arg);

/* Runs on the loop thread with fn's result, or the error that kept fn from running; it
 * owns arg from then on. */
typedef void (*work_done_fn)(int rc, void *arg);

#define WORK_READS_MAX 2

/* A pool of reads of st on loop's thread pool; NULL when out of memory. */
struct work *work_new(uv_loop_t *loop, store *st);

/* Frees the pool, stopped (work_stop) and with the loop's last reads done; accepts NULL
 * and clears the caller's pointer. */
void work_free(struct work **w);

/* Queues fn, then done. done is called exactly once, also when the work cannot run (with
 * -ENOMEM, a libuv error, or -ECANCELED when the pool stops before it started). */
void work_read(struct work *w, work_fn fn, work_done_fn done, void *arg);

/* At stop: every read that has not started is cancelled (its done called). */
void work_stop(struct work *w);

#endif
