/*
 * clockskew — clock checks across the links (issue 13). Every Hello (child → parent) and
 * Heads (parent → child) carries its sender's clock; the receiving link hands this module
 * the offset (the peer's clock minus ours at receipt: latency is negligible against the
 * threshold). The parent is the reference (the root's clock is the tree's), so:
 *
 *   - a child's clock further than the threshold ([link] clock_skew_seconds) from its
 *     parent's makes the child skewed: its later events carry the offset (Event
 *     clock_offset_ms, stamped by the event log), which every other tier subtracts from
 *     their times when it folds them (clockskew_fold_time, used by the case and report
 *     folds), so a case taken in at a village three days fast counts today at the parent;
 *   - the parent raises a `clock_skew` warning event naming the child the first time it
 *     finds it skewed (once per episode: a meta key remembers it until the child's clock
 *     is back within the threshold), which travels up with the log;
 *   - both ends show it in `status` ("clock", clockskew_json).
 *
 * State is in memory: measured again within one exchange after a restart.
 */
#ifndef JIEFEN_CLOCKSKEW_H
#define JIEFEN_CLOCKSKEW_H

#include "jiefen.pb-c.h"
#include "log/eventlog.h"

#include <jansson.h>
#include <stdint.h>

typedef struct clockskew clockskew;

/* The checks of node `self` with threshold_ms, raising warnings through log (all borrowed:
 * they must outlive it). NULL if out of memory. */
clockskew *clockskew_new(eventlog *log, const char *self, int64_t threshold_ms);

/* Frees after the log was freed (a queued warning owns its own copy). Accepts NULL. */
void clockskew_free(clockskew **cs);

/* A message from `peer` (this node's parent when is_parent, else a child) carried a clock
 * offset_ms ahead of ours (negative: behind). Records it; for the parent, sets the offset
 * the log stamps on this node's events; for a child newly skewed, queues its warning. */
void clockskew_seen(clockskew *cs, const char *peer, int is_parent, int64_t offset_ms);

/* This node's clock minus its parent's while beyond the threshold, else 0. */
int64_t clockskew_own(const clockskew *cs);

/* The "clock" object of `status` (docs/api.md): threshold, this node's own offset and
 * whether it is skewed with a Chinese sentence for the staff, and every peer measured. A
 * new reference. */
json_t *clockskew_json(const clockskew *cs);

/* A time `t` carried by event ev (its time_ms or a limit in its body), as node `self` folds
 * it: on self's own events (or with self NULL) unchanged, on another origin's back on the origin's parent's
 * clock (minus the offset ev carries). 0 (no time) stays 0. */
int64_t clockskew_fold_time(const Jiefen__Event *ev, const char *self, int64_t t);

/* The bodies whose limits move with their event's time. */
union clockskew_body {
    Jiefen__CaseOpened opened;
    Jiefen__CaseMoved moved;
    Jiefen__DeadlineReached deadline;
    Jiefen__ExtensionDecided decided;
    Jiefen__FollowUp follow_up;
    Jiefen__CaseClosed closed;
};

/* ev as node `self` folds it (clockskew_fold_time on its time and its body's limits): ev
 * itself when nothing moves (self NULL, self's own event, no offset), else a shallow copy
 * in *copy whose body, if timed, is copied into *body. Valid while ev, copy and body are. */
const Jiefen__Event *clockskew_fold_event(const Jiefen__Event *ev, const char *self,
                                          Jiefen__Event *copy, union clockskew_body *body);

/* "快 3 天 2 小时" / "慢 5 分钟": how far offset_ms is, in Chinese, into buf. */
void clockskew_describe(int64_t offset_ms, char *buf, size_t len);

#endif
