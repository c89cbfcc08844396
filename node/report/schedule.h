/*
 * schedule — report drafts made at the end of each period (rule 9): one libuv timer set for
 * the next end of a period of a kind this node's tier submits (its local day, week, month).
 * When it fires, and at start (for a period that ended while the daemon was stopped), the
 * node stores a draft of each kind's period just ended, with its figures as of that moment,
 * unless a report of that period is already there. The figures are read on the thread pool
 * (work.h), then the drafts stored in one group commit. Staff add the analysis and submit
 * it: the submission keeps the draft's figures.
 */
#ifndef JIEFEN_SCHEDULE_H
#define JIEFEN_SCHEDULE_H

#include "config.h"
#include "log/eventlog.h"
#include "log/work.h"

#include <uv.h>

typedef struct schedule schedule;

/* The drafts of the node of cfg, read on work's pool and stored through log (all
 * borrowed: they must outlive it). Call schedule_run to start. NULL if out of memory. */
schedule *schedule_new(uv_loop_t *loop, eventlog *log, store *st, struct work *work,
                       const struct config *cfg);

/* Makes the drafts now due and sets the timer for the next end of a period. */
void schedule_run(schedule *s);

/* Stops the timer for good (shutdown); its handle is closed with the loop's others, by
 * the owner of the loop. Accepts NULL. */
void schedule_stop(schedule *s);

/* Frees, once the loop has closed every handle and the log was freed. Accepts NULL and
 * clears the pointer. */
void schedule_free(schedule **s);

#endif
