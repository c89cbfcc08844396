/*
 * registry — the nodes this node knows: itself, its ancestors (from its certificate chain)
 * and its subtree (from child_enrolled events, its own and those relayed up), each with
 * its Ed25519 key, tier, parent and whether it is revoked. Derived from the log, kept in
 * the `nodes` database, updated in the same transaction as the event that taught it.
 */
#ifndef JIEFEN_REGISTRY_H
#define JIEFEN_REGISTRY_H

#include "jiefen.pb-c.h"
#include "store.h"

#include <stdint.h>

/* Reads a node's record; *out NULL if unknown. Free with registry_free(). */
int registry_get(store *st, MDB_txn *txn, const char *node_id, Jiefen__NodeInfo **out);
void registry_free(Jiefen__NodeInfo **ni);

/* Records or replaces a node (from a certificate). Keys it had before a rebuild stay in its
 * history, and a key that was succeeded never becomes current again (a rebuilt node folds
 * its old enrolment when its chain is fetched back). */
int registry_put(store *st, MDB_txn *txn, const char *node_id, const char *name, int tier,
                 const uint8_t *pk, const char *parent);

/* A rebuilt node's new key (RebuildSuccession): `pk` signs its events from from_seq on, the
 * key it had signed those below. Nothing changes when pk is its key already. JF_ENOTFOUND
 * if unknown, JF_EINVAL if from_seq is below a seq an earlier key is recorded for. */
int registry_succeed(store *st, MDB_txn *txn, const char *node_id, const uint8_t *pk,
                     uint64_t from_seq);

/* The key that signs node's event `seq` into pk, and the last seq that key signs into
 * *until (UINT64_MAX for the current key). 0, JF_ENOTFOUND, or JF_EINVAL when the node is
 * revoked (pk is filled all the same, for checking what it signed before). */
int registry_key_at(store *st, MDB_txn *txn, const char *node_id, uint64_t seq, uint8_t *pk,
                    uint64_t *until);

/* The seq from which node's current key signs: 1 unless it was rebuilt. */
uint64_t registry_key_since(const Jiefen__NodeInfo *ni);

/* Marks a node revoked. JF_ENOTFOUND if unknown. */
int registry_revoke(store *st, MDB_txn *txn, const char *node_id);

/* Copies a node's key into pk (32 bytes). Returns 0, JF_ENOTFOUND (unknown) or
 * JF_EINVAL (revoked). */
int registry_key(store *st, MDB_txn *txn, const char *node_id, uint8_t *pk);

/* The child of `top` whose subtree holds `node` (below top) into `below`. 0, or
 * JF_ENOTFOUND when node is top or not under it. */
int registry_branch(store *st, MDB_txn *txn, const char *node, const char *top,
                    char below[STORE_ORIGIN_MAX + 1]);

/* 1 if `node` is `top` or below it (following parent links), else 0. */
int registry_in_subtree(store *st, MDB_txn *txn, const char *node, const char *top);

/* Calls fn for every node known, in id order, until it returns non-zero (which is then
 * returned). `ni` is valid only during the call. */
int registry_each(store *st, MDB_txn *txn,
                  int (*fn)(const Jiefen__NodeInfo *ni, void *arg), void *arg);

/* Distance from `node` up to `top` (0 when equal), or -1 when not in its subtree. */
int registry_depth_below(store *st, MDB_txn *txn, const char *node, const char *top);

/* The tree of (st, txn) as case.h's case_tree wants it. */
struct registry_tree {
    store *st;
    MDB_txn *txn;
};
int registry_tree_depth(void *registry_tree, const char *node, const char *top);

#endif
