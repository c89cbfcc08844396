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

/* Records or replaces a node (from a certificate). */
int registry_put(store *st, MDB_txn *txn, const char *node_id, const char *name, int tier,
                 const uint8_t *pk, const char *parent);

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
