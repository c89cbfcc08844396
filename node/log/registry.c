#include "log/registry.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int registry_get(store *st, MDB_txn *txn, const char *node_id, Jiefen__NodeInfo **out)
{
    MDB_val k = {strlen(node_id), (void *)node_id}, d;
    *out = NULL;
    int rc = mdb_get(txn, st->nodes, &k, &d);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    *out = jiefen__node_info__unpack(NULL, d.mv_size, d.mv_data);
    return *out ? 0 : JF_ECORRUPT;
}

void registry_free(Jiefen__NodeInfo **ni)
{
    if (!ni || !*ni)
        return;
    jiefen__node_info__free_unpacked(*ni, NULL);
    *ni = NULL;
}

static int put_info(store *st, MDB_txn *txn, const Jiefen__NodeInfo *ni)
{
    return store_put_message(txn, st->nodes, ni->node_id, strlen(ni->node_id), &ni->base);
}

int registry_put(store *st, MDB_txn *txn, const char *node_id, const char *name, int tier,
                 const uint8_t *pk, const char *parent)
{
    Jiefen__NodeInfo ni = JIEFEN__NODE_INFO__INIT;
    ni.node_id = (char *)node_id;
    ni.name = (char *)name;
    ni.tier = tier;
    ni.public_key.data = (uint8_t *)pk;
    ni.public_key.len = 32;
    ni.parent = (char *)parent;
    return put_info(st, txn, &ni);
}

int registry_revoke(store *st, MDB_txn *txn, const char *node_id)
{
    Jiefen__NodeInfo *ni;
    int rc = registry_get(st, txn, node_id, &ni);
    if (rc || !ni)
        return rc ? rc : JF_ENOTFOUND;
    ni->revoked = 1;
    rc = put_info(st, txn, ni);
    registry_free(&ni);
    return rc;
}

int registry_key(store *st, MDB_txn *txn, const char *node_id, uint8_t *pk)
{
    Jiefen__NodeInfo *ni;
    int rc = registry_get(st, txn, node_id, &ni);
    if (rc || !ni)
        return rc ? rc : JF_ENOTFOUND;
    rc = ni->revoked ? JF_EINVAL : ni->public_key.len == 32 ? 0 : JF_ECORRUPT;
    if (rc == 0)
        memcpy(pk, ni->public_key.data, 32);
    registry_free(&ni);
    return rc;
}

/* Walks up from `node` to `top`: the distance, or -1 when not in its subtree; `below` (if
 * not NULL) gets the node just under top on the way. */
static int walk_up(store *st, MDB_txn *txn, const char *node, const char *top, char *below)
{
    char cur[STORE_ORIGIN_MAX + 1];
    snprintf(cur, sizeof cur, "%s", node);
    /* The tree is shallow; the bound only stops a corrupt loop of parents. */
    for (int depth = 0; depth < 16; depth++) {
        if (strcmp(cur, top) == 0)
            return depth;
        Jiefen__NodeInfo *ni;
        if (registry_get(st, txn, cur, &ni) || !ni)
            return -1;
        int root = !ni->parent[0] || strcmp(ni->parent, cur) == 0;
        if (below)
            snprintf(below, STORE_ORIGIN_MAX + 1, "%s", cur);
        snprintf(cur, sizeof cur, "%s", ni->parent);
        registry_free(&ni);
        if (root)
            return -1;
    }
    return -1;
}

int registry_depth_below(store *st, MDB_txn *txn, const char *node, const char *top)
{
    return walk_up(st, txn, node, top, NULL);
}

int registry_branch(store *st, MDB_txn *txn, const char *node, const char *top,
                    char below[STORE_ORIGIN_MAX + 1])
{
    return walk_up(st, txn, node, top, below) > 0 ? 0 : JF_ENOTFOUND;
}

int registry_in_subtree(store *st, MDB_txn *txn, const char *node, const char *top)
{
    return registry_depth_below(st, txn, node, top) >= 0;
}

int registry_each(store *st, MDB_txn *txn,
                  int (*fn)(const Jiefen__NodeInfo *ni, void *arg), void *arg)
{
    MDB_cursor *c;
    MDB_val k, v;
    int rc = mdb_cursor_open(txn, st->nodes, &c), stop = 0;
    if (rc)
        return rc;
    for (rc = mdb_cursor_get(c, &k, &v, MDB_FIRST); rc == 0 && !stop;
         rc = mdb_cursor_get(c, &k, &v, MDB_NEXT)) {
        Jiefen__NodeInfo *ni = jiefen__node_info__unpack(NULL, v.mv_size, v.mv_data);
        if (!ni) {
            stop = JF_ECORRUPT;
            break;
        }
        stop = fn(ni, arg);
        jiefen__node_info__free_unpacked(ni, NULL);
    }
    mdb_cursor_close(c);
    if (stop)
        return stop;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int registry_tree_depth(void *arg, const char *node, const char *top)
{
    struct registry_tree *t = arg;
    return registry_depth_below(t->st, t->txn, node, top);
}
