/*
 * lifecycle — the steps of a case that the holder takes, inside a group-commit operation,
 * shared by the API (a person acts) and the deadline timers (a rule acts): appending a case
 * event in the case's current holding period, moving the case (escalation up, hand-down,
 * with the file's personal data boxed to the new holder), and what follows a failed
 * attempt under the 3221 rule. Each returns 0, JF_EINVAL with a Chinese reason in err
 * (nothing appended), or a store error.
 */
#ifndef JIEFEN_LIFECYCLE_H
#define JIEFEN_LIFECYCLE_H

#include "log/eventlog.h"
#include "jiefen.pb-c.h"
#include "case/policy.h"
#include "crypto.h"

#define LIFECYCLE_ERR_MAX 256

/* What the steps need of the node taking them (borrowed). */
typedef struct lifecycle_ctx {
    const struct policy *policy; /* its cfg is the node's config */
    const crypto_identity *id;   /* opens the sealed parts to box them to a new holder */
} lifecycle_ctx;

/* This node's parent (NULL-terminated id into parent, STORE_ORIGIN_MAX + 1 bytes) and its
 * tier. 1 if it has one, 0 if it is the top of its tree (or not enrolled). */
int lifecycle_parent(store *st, MDB_txn *txn, const char *self, char *parent, int *tier);

/* Appends ev (body set) for case v by actor, in v's current period (or the next one for a
 * move). */
int lifecycle_append(eventlog_tx *tx, const Jiefen__CaseView *v, Jiefen__Event *ev,
                     const char *actor);

/* Moves the case held here to `to` (kind "escalate" or "handdown"), with a fresh time
 * limit and every sealed part boxed to `to`. */
int lifecycle_move(eventlog_tx *tx, const lifecycle_ctx *lc, const Jiefen__CaseView *v,
                   const char *kind, const char *to, const char *reason, int automatic,
                   const char *actor, char *err);

/* Escalates to the parent. JF_EINVAL if there is none. */
int lifecycle_escalate(eventlog_tx *tx, const lifecycle_ctx *lc, const Jiefen__CaseView *v,
                       const char *reason, int automatic, const char *actor, char *err);

/* After a failed attempt, v as it is now: when the 3221 threshold of this tier is reached,
 * escalates, or at a county (or the top of the tree) marks the case as needing a leader.
 * *what is set to "escalated", "leader_required" or NULL (also when the parent cannot take
 * the case: that is logged, and the attempt stands). */
int lifecycle_after_failure(eventlog_tx *tx, const lifecycle_ctx *lc,
                            const Jiefen__CaseView *v, const char **what, char *err);

#endif
