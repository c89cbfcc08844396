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

/* 1 if pk is one of the node's succeeded keys. */
static int is_past_key(const Jiefen__NodeInfo *ni, const uint8_t *pk)
{
    for (size_t i = 0; i < ni->n_past_keys; i++)
        if (ni->past_keys[i].len == 32 && memcmp(ni->past_keys[i].data, pk, 32) == 0)
            return 1;
    return 0;
}

int registry_put(store *st, MDB_txn *txn, const char *node_id, const char *name, int tier,
                 const uint8_t *pk, const char *parent)
{
    Jiefen__NodeInfo *had = NULL;
    int rc = registry_get(st, txn, node_id, &had);
    if (rc)
        return rc;
    Jiefen__NodeInfo ni = JIEFEN__NODE_INFO__INIT;
    ni.node_id = (char *)node_id;
    ni.name = (char *)name;
    ni.tier = tier;
    ni.public_key.data = (uint8_t *)pk;
    ni.public_key.len = 32;
    ni.parent = (char *)parent;
    if (had) {
        ni.past_keys = had->past_keys;
        ni.n_past_keys = had->n_past_keys;
        ni.past_until = had->past_until;
        ni.n_past_until = had->n_past_until;
        if (is_past_key(had, pk) && had->public_key.len == 32)
            ni.public_key = had->public_key;
    }
    rc = put_info(st, txn, &ni);
    registry_free(&had);
    return rc;
}

uint64_t registry_key_since(const Jiefen__NodeInfo *ni)
{
    size_t n = ni->n_past_until;
    return n ? ni->past_until[n - 1] + 1 : 1;
}

int registry_succeed(store *st, MDB_txn *txn, const char *node_id, const uint8_t *pk,
                     uint64_t from_seq)
{
    Jiefen__NodeInfo *ni;
    int rc = registry_get(st, txn, node_id, &ni);
    if (rc || !ni)
        return rc ? rc : JF_ENOTFOUND;
    if (ni->public_key.len == 32 && memcmp(ni->public_key.data, pk, 32) == 0) {
        registry_free(&ni);
        return 0;
    }
    if (from_seq < registry_key_since(ni) || from_seq < 1 || ni->public_key.len != 32 ||
        is_past_key(ni, pk)) {
        registry_free(&ni);
        return JF_EINVAL;
    }
    size_t n = ni->n_past_keys;
    ProtobufCBinaryData *keys = malloc((n + 1) * sizeof *keys);
    uint64_t *until = malloc((n + 1) * sizeof *until);
    uint8_t old[32];
    rc = keys && until ? 0 : -ENOMEM;
    if (rc == 0) {
        memcpy(old, ni->public_key.data, sizeof old);
        if (n) /* memcpy from the NULL of an empty list is undefined */
            memcpy(keys, ni->past_keys, n * sizeof *keys);
        if (ni->n_past_until)
            memcpy(until, ni->past_until, ni->n_past_until * sizeof *until);
        keys[n] = (ProtobufCBinaryData){sizeof old, old};
        until[n] = from_seq - 1;
        Jiefen__NodeInfo next = *ni;
        next.past_keys = keys;
        next.n_past_keys = n + 1;
        next.past_until = until;
        next.n_past_until = n + 1;
        next.public_key = (ProtobufCBinaryData){32, (uint8_t *)pk};
        rc = put_info(st, txn, &next);
    }
    free(keys);
    free(until);
    registry_free(&ni);
    return rc;
}

int registry_key_at(store *st, MDB_txn *txn, const char *node_id, uint64_t seq, uint8_t *pk,
                    uint64_t *until)
{
    Jiefen__NodeInfo *ni;
    int rc = registry_get(st, txn, node_id, &ni);
    if (rc || !ni)
        return rc ? rc : JF_ENOTFOUND;
    const ProtobufCBinaryData *key = &ni->public_key;
    *until = UINT64_MAX;
    for (size_t i = 0; i < ni->n_past_keys && i < ni->n_past_until; i++)
        if (seq <= ni->past_until[i]) {
            key = &ni->past_keys[i];
            *until = ni->past_until[i];
            break;
        }
    rc = key->len != 32 ? JF_ECORRUPT : ni->revoked ? JF_EINVAL : 0;
    if (key->len == 32)
        memcpy(pk, key->data, 32);
    registry_free(&ni);
    return rc;
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
