/*
 * deadline — the holder's timers of 限时办结. The `timers` index (kept by fold) lists the
 * time limit of every open case this node holds; one libuv timer is set for the next due
 * moment: a warning [limits] warn_hours before a limit, and the limit itself. When it
 * fires, the holder records a DeadlineReached event (warning, or overdue: the case then
 * shows on its parent's supervision list), and with [limits] overdue_escalates an overdue
 * case also escalates. The index is in the store, so timers survive restarts: moments
 * passed while the daemon was down fire at start (an overdue case gets no late warning).
 * Time is clock_now_ms(), which tests move with JIEFEN_CLOCK_OFFSET_MS.
 */
#ifndef JIEFEN_DEADLINE_H
#define JIEFEN_DEADLINE_H

struct node;

/* Initialises the timer handle on the node's loop. */
void deadline_init(struct node *n);

/* Sets the timer for the next due moment (after anything changed the cases held here). */
void deadline_arm(struct node *n);

/* Stops the timer (shutdown). */
void deadline_stop(struct node *n);

#endif
