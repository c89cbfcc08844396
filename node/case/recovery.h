/*
 * recovery — the sealed parts of a node rebuilt from its parent (docs/operations.md,
 * "Rebuilding a lost node"). Its own events come back from the parent (link/selfsync.h)
 * with their recovery_box, the part boxed to the tree's recovery key when one was
 * configured, but without the part itself: that was sealed under the lost disk's key.
 *
 *   - recovery_each_sealed lists what stays sealed here: per case, the parts of this
 *     node's own events it cannot read, and how many a recovery box can bring back;
 *   - recovery_approve records, at a county (or higher) node, a director's approval to
 *     open one node's parts with the offline recovery key: a RebuildRecoveryApproved event,
 *     whose signed envelope, armoured, is the approval file handed to the rebuilt node;
 *   - recovery_check checks such a file at the rebuilt node: an event of an ancestor at
 *     county tier or above, naming this node, signed by that ancestor's key;
 *   - recovery_reseal opens every box it can with the private half, checks each part
 *     against the hash its event signed, seals it under this node's key (as intake does)
 *     and records the use (a RebuildResealed event naming the approval), in one operation.
 * The private half is only borrowed for the call: never stored, never logged.
 */
#ifndef JIEFEN_RECOVERY_H
#define JIEFEN_RECOVERY_H

#include "jiefen.pb-c.h"
#include "log/eventlog.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define RECOVERY_APPROVAL_KIND "RECOVERY-APPROVAL" /* the file's armour (cert_armor) */
#define RECOVERY_ID_MAX 64                           /* "origin/seq" of an approval */

struct recovery_case {
    const char *case_id;     /* "" for parts of no case (hazards' notes) */
    unsigned parts;          /* parts of this node's events it cannot read */
    unsigned recoverable;    /* of which a recovery box can bring back */
};

/* Calls fn for each case with parts of this node's own events that it cannot read, in the
 * order of their first such event, until fn returns non-zero (returned). 0, -ENOMEM or a
 * store error. */
int recovery_each_sealed(store *st, MDB_txn *txn, const char *self,
                         int (*fn)(const struct recovery_case *c, void *arg), void *arg);

/* At node self of tier self_tier: appends tx->actor's approval for `node` (below self) with
 * a reason, and puts the armoured approval file into *file (malloc'd). 0; JF_EINVAL with
 * the field (node, reason) in *why; or a store error. */
int recovery_approve(eventlog_tx *tx, const char *self, int self_tier, const char *node,
                     const char *reason, char **file, const char **why);

/* Checks an approval file's envelope bytes at node `self`; its id ("origin/seq") into id.
 * 0; JF_EINVAL with a Chinese reason in why; or a store error. */
int recovery_check(store *st, MDB_txn *txn, const char *self, const uint8_t *env, size_t len,
                   char id[RECOVERY_ID_MAX], char *why, size_t whylen);

/* Re-seals every part of self's own events that a recovery box opens with (pk, sk) and
 * appends the RebuildResealed event naming approval_id. *parts and *cases count what came
 * back. 0 or a negative code (JF_ECRYPTO: the key opened none while some were boxed). */
int recovery_reseal(eventlog_tx *tx, const char *self, const uint8_t pk[32],
                    const uint8_t sk[32], const char *approval_id, unsigned *parts,
                    unsigned *cases);

/* The fold of both events: checks their fields (the log keeps them; nothing derived). */
int recovery_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

#endif
