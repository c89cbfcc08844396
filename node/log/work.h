/*
 * work — reading the store on libuv's thread pool, so that a scan of a county's million
 * cases (a ledger, an export, the children's figures, a draft) never stalls the loop or
 * holds the log's write transaction: fn runs on a pool thread in a read transaction of its
 * own, between store_read_begin and store_read_end (store_grow then waits instead of
 * remapping the file under it); done runs on the loop thread with the result.
 * At most WORK_READS_MAX run at once, the others wait in order: with the password hashes'
 * ACCOUNT_HASHES_MAX that is all of libuv's 4 threads, so a login never waits behind exports.
 */
#ifndef JIEFEN_WORK_H
#define JIEFEN_WORK_H

#include "node.h"

/* Runs on a pool thread: reads in txn (valid during the call), fills arg; 0 or an error. */
typedef int (*work_fn)(struct node *n, MDB_txn *txn, void *arg);

/* Runs on the loop thread with fn's result, or the error that kept fn from running; it
 * owns arg from then on. */
typedef void (*work_done_fn)(struct node *n, int rc, void *arg);

#define WORK_READS_MAX 2

/* Queues fn, then done. done is called exactly once, also when the work cannot run (with
 * -ENOMEM, a libuv error, or -ECANCELED when the node stops before it started). */
void work_read(struct node *n, work_fn fn, work_done_fn done, void *arg);

/* At stop: every read that has not started is cancelled (its done called). */
void work_stop(struct node *n);

#endif
