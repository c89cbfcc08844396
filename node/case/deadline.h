/*
 * deadline — the holder's timers of 限时办结. The `timers` index (kept by fold) lists the
 * time limit of every open case this node holds; one libuv timer is set for the next due
 * moment: a warning [limits] warn_hours before a limit, and the limit itself. When it
 * fires, the holder records a DeadlineReached event (warning, or overdue: the case then
 * shows on its parent's supervision list), and with [limits] overdue_escalates an overdue
 * case also escalates. The same timer records a department's sign-for limit (签收, dept.h)
 * passed unsigned (DeptSignOverdue). The index is in the store, so timers survive restarts: moments
 * passed while the daemon was down fire at start (an overdue case gets no late warning).
 * Time is clock_now_ms(), which tests move with JIEFEN_CLOCK_OFFSET_MS.
 */
#ifndef JIEFEN_DEADLINE_H
#define JIEFEN_DEADLINE_H

#include "case/lifecycle.h"
#include "log/eventlog.h"

#include <uv.h>

typedef struct deadline deadline;

/* The timers of the cases held in st, on loop, recording through log with the steps of lc
 * (all borrowed: they must outlive it). Call deadline_arm to start. NULL if out of memory. */
deadline *deadline_new(uv_loop_t *loop, eventlog *log, store *st, const lifecycle_ctx *lc);

/* Sets the timer for the next due moment (after anything changed the cases held here).
 * Accepts NULL. */
void deadline_arm(deadline *dl);

/* Stops the timer for good (shutdown); its handle is closed with the loop's others, by
 * the owner of the loop. Accepts NULL. */
void deadline_stop(deadline *dl);

/* Frees, once the loop has closed every handle. Accepts NULL and clears the pointer. */
void deadline_free(deadline **dl);

#endif
