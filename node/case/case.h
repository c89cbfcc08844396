/*
 * case — a case's state as the fold of its events (the CaseView), and its JSON form.
 *
 * The fold gives the same view whatever order events of different origins arrive in:
 * every case event names the holding period it was made in (Event.case_epoch); a period
 * starts only with a move by the previous holder; an event of a period not folded yet, or
 * one referring to an event not folded yet, is refused with JF_ELATER so the caller can
 * keep it and retry. Only the holder's events change what the holder decides (status, risk,
 * attempts, time limit); leader assignments and extension decisions come from above.
 * The file lists events by (time, origin, seq). `verify` relies on all this to rebuild and
 * compare views byte for byte.
 */
#ifndef JIEFEN_CASE_H
#define JIEFEN_CASE_H

#include "jiefen.pb-c.h"

#include <jansson.h>
#include <stdint.h>

/* The tree, as the fold needs it to check who may make an event: depth of `node` below
 * `top` (0 when equal), or -1 when it is not in top's subtree. */
typedef struct case_tree {
    int (*depth)(void *arg, const char *node, const char *top);
    void *arg;
    /* The folding node: another origin's times are put back on its parent's clock
     * (clockskew.h); NULL: every time as carried. */
    const char *self;
} case_tree;

#define CASE_STATUS(x) JIEFEN__CASE_STATUS__CASE_STATUS_##x

/* Applies `ev` to *view: *view is NULL before a case's first event and is allocated then;
 * the caller frees it with case_view_free(). Returns 0, JF_ELATER (see above), JF_EINVAL
 * if the event can never apply to this case (it is then kept in the log but changes
 * nothing), or -ENOMEM (then *view must be discarded). On JF_ELATER/JF_EINVAL *view is
 * unchanged. With `tree`, also refuses events their signer may not make: a move that is
 * not to the holder's parent or child, a leader assignment by a node not at or above the
 * period's holder, an extension decision by a node other than its parent. */
int case_apply(Jiefen__CaseView **view, const Jiefen__Event *ev, const case_tree *tree);

/* Folds a case's events given in any order (retrying those that come too early) into a
 * new view in *out. 0 or -ENOMEM. */
int case_fold_list(const Jiefen__Event *const *evs, size_t n, const case_tree *tree,
                   Jiefen__CaseView **out);

/* 1 if the event moves the case to a new holding period (escalation, hand-down, return
 * after closing above, reopening). */
int case_event_is_move(const Jiefen__Event *ev);

/* 1 if the event is one of a case's own (its file), folded into the case's view. */
int case_event_kind(const Jiefen__Event *ev);

/* The same by the event's kind (a JIEFEN__EVENT__BODY_* value). */
int case_kind(int body_case);

/* 1 if the view lists event (origin, seq). */
int case_has_event(const Jiefen__CaseView *v, const char *origin, uint64_t seq);

/* 1 if the open case's time limit has passed (found by the holder, or now_ms past it). */
int case_overdue(const Jiefen__CaseView *v, int64_t now_ms);

/* Decodes a stored view; NULL if corrupt. Free with case_view_free(). */
Jiefen__CaseView *case_view_decode(const void *buf, size_t len);

/* Encodes a view into a malloc'd buffer; NULL on allocation failure. */
uint8_t *case_view_encode(const Jiefen__CaseView *v, size_t *len);

void case_view_free(Jiefen__CaseView **v);

/* Codes ("open", "red", "failed") of enum values; "" when unspecified. */
const char *case_status_code(int status);
const char *case_risk_code(int risk);
const char *case_outcome_code(int outcome);

/* Where the holder is, seen from the node showing the case. */
enum { CASE_HERE, CASE_ABOVE, CASE_BELOW, CASE_ELSEWHERE };

/* The case as API JSON (see docs/api.md, CASE). New reference, NULL on allocation failure. */
json_t *case_view_json(const Jiefen__CaseView *v, int where, int64_t now_ms);

#endif
