/*
 * quarantine — the origins this node takes no more events from, and the proofs why.
 *
 * An origin is quarantined when it equivocated: two validly signed, different events under
 * one (origin, seq). The node that sees both first keeps them as an EquivocationProof
 * (meta "proof:<origin>:<seq>", with who found it and when) and appends the proof to its
 * own log (quarantine_publish), so it travels up with that log. Every ancestor that folds
 * the proof (quarantine_fold, registered for the equivocation_proof kind) verifies both
 * envelopes against the origin's key itself: a valid proof quarantines the origin there
 * too and is kept; an invalid one changes nothing and is logged. Proofs are evidence and
 * stay after an operator clears the quarantine.
 */
#ifndef JIEFEN_QUARANTINE_H
#define JIEFEN_QUARANTINE_H

#include "jiefen.pb-c.h"
#include "log/eventlog.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

/* 1 if origin is quarantined. */
int quarantine_is(store *st, MDB_txn *txn, const char *origin);

/* Clears an origin's quarantine (its proofs stay). JF_ENOTFOUND if it was not
 * quarantined. */
int quarantine_clear(store *st, const char *origin);

/* Node `self` found that origin signed both a and b (envelope bytes; the caller verified
 * both signatures and that the events differ) under `seq`: keeps the proof, quarantines
 * the origin and marks the proof for this node's log. 0 or a store error. */
int quarantine_detected(store *st, MDB_txn *txn, const char *self, const char *origin,
                        uint64_t seq, const uint8_t *a, size_t alen, const uint8_t *b,
                        size_t blen);

/* Checks a proof against the origin's key in the registry: both envelopes decode, name the
 * proof's origin and seq, differ, and are validly signed. 0, or JF_EINVAL with *why
 * saying what was wrong. */
int quarantine_check(store *st, MDB_txn *txn, const Jiefen__EquivocationProof *p,
                     const char **why);

/* The fold of an equivocation_proof event (fold.h's fold_fn): a proof that checks
 * quarantines its origin and is kept; one that does not is JF_EINVAL, logged. */
int quarantine_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* If a proof found here is not in this node's log yet (also after a crash: the mark is
 * stored with the proof), queues one operation on el that appends them all. 0, or a store
 * error or -ENOMEM (then it is tried again at the next call). */
int quarantine_publish(store *st, eventlog *el);

/* Calls fn with each proof kept here, in (origin, seq) order, until it returns non-zero
 * (a negative code is returned; STORE_STOP ends the walk). */
int quarantine_each(store *st, MDB_txn *txn,
                    int (*fn)(const Jiefen__EquivocationRecord *r, void *arg), void *arg);

#endif
