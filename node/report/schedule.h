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

struct node;

void schedule_init(struct node *n);

/* Makes the drafts now due and sets the timer for the next end of a period. */
void schedule_run(struct node *n);

void schedule_stop(struct node *n);

#endif
