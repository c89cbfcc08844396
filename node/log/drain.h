/*
 * drain — a durable queue worked off in event-log operations.
 *
 * The queue itself lives in the store, written by a fold in the transaction of the event
 * that makes the work (so nothing is queued for an event that was not committed, and
 * nothing queued is lost across a crash). A drain runs the owner's step function in one
 * event-log operation at a time: the step takes up to a batch off the queue and says
 * whether more is left; the drain runs it again until the queue is empty, and once more
 * if it was kicked while a run was committing (the run may have begun before the new
 * work was committed). After a failed run it waits for the next kick.
 */
#ifndef JIEFEN_DRAIN_H
#define JIEFEN_DRAIN_H

#include "log/eventlog.h"

typedef struct drain drain;

/* Works off a batch in tx; sets *more when it stopped before the queue was empty. 0 or
 * an error (the operation is rolled back). */
typedef int (*drain_step_fn)(eventlog_tx *tx, void *arg, int *more);

/* A drain running step(tx, arg, ...) through log (borrowed: it must outlive the drain);
 * name says whose queue it is in the log lines. NULL if out of memory. */
drain *drain_new(eventlog *log, const char *name, drain_step_fn step, void *arg);

/* Frees, after the log was freed (it may still hold a run). Accepts NULL, clears *d. */
void drain_free(drain **d);

/* Work may have been queued: runs the step unless a run is waiting, then runs again after
 * it. Accepts NULL. */
void drain_kick(drain *d);

/* Makes a kick cheap when nothing was queued: it then runs the step only when the count of
 * store_queue_note(st, dbi) moved since the kick that started the last run (the first
 * kick, and the first after a failed run, run it all the same). Every writer of the queue
 * must note its work. A note read means the run comes after its transaction: the store
 * has one writer at a time. */
void drain_watch(drain *d, store *st, MDB_dbi dbi);

/* No run is started from now on (shutdown). Accepts NULL. */
void drain_stop(drain *d);

#endif
