/* recovery — the sealed parts of a rebuilt node (see recovery.h). */
#include "case/recovery.h"
#include "array.h"
#include "cert.h"
#include "config.h"
#include "envelope.h"
#include "error.h"
#include "log/registry.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- this node's own parts it cannot read ------------------------------------------ */

struct own_walk {
    store *st;
    MDB_txn *txn;
    /* each own event with a sealed part not in the `sealed` database */
    int (*fn)(const MDB_val *key, const Jiefen__Event *ev, void *arg);
    void *arg;
};

static int own_event(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct own_walk *w = arg;
    envelope *e = NULL;
    MDB_val have;
    if (envelope_decode(val->mv_data, val->mv_size, &e))
        return JF_ECORRUPT;
    int rc = 0;
    if (e->event->sealed_hash.len &&
        store_get(w->txn, w->st->sealed, key->mv_data, key->mv_size, &have) == JF_ENOTFOUND)
        rc = w->fn(key, e->event, w->arg);
    envelope_free(&e);
    return rc;
}

static int walk_unread(store *st, MDB_txn *txn, const char *self,
                       int (*fn)(const MDB_val *, const Jiefen__Event *, void *), void *arg)
{
    uint8_t prefix[STORE_KEY_MAX];
    size_t n = store_event_key(self, 0, prefix);
    if (!n)
        return JF_EINVAL;
    struct own_walk w = {st, txn, fn, arg};
    struct store_range r = {.prefix = prefix, .prefix_len = n - 8};
    return store_walk(txn, st->events, &r, own_event, &w);
}

struct case_list {
    struct recovery_case *c;
    size_t n, cap;
};

static int count_case(const MDB_val *key, const Jiefen__Event *ev, void *arg)
{
    (void)key;
    struct case_list *l = arg;
    size_t i = 0;
    while (i < l->n && strcmp(l->c[i].case_id, ev->case_id))
        i++;
    if (i == l->n) {
        struct recovery_case *grown = array_room(l->c, l->n, &l->cap, sizeof *grown, 16);
        char *id = grown ? strdup(ev->case_id) : NULL;
        if (!id)
            return -ENOMEM;
        l->c = grown;
        l->c[l->n++] = (struct recovery_case){id, 0, 0};
    }
    l->c[i].parts++;
    l->c[i].recoverable += ev->recovery_box.len > 0;
    return 0;
}

int recovery_each_sealed(store *st, MDB_txn *txn, const char *self,
                         int (*fn)(const struct recovery_case *c, void *arg), void *arg)
{
    struct case_list l = {0};
    int rc = walk_unread(st, txn, self, count_case, &l);
    for (size_t i = 0; i < l.n && rc == 0; i++)
        rc = fn(&l.c[i], arg);
    for (size_t i = 0; i < l.n; i++)
        free((char *)l.c[i].case_id);
    free(l.c);
    return rc;
}

/* ---- the approval ----------------------------------------------------------------- */

static int approver_tier_ok(int tier)
{
    return tier >= JIEFEN__TIER__TIER_COUNTY;
}

int recovery_approve(eventlog_tx *tx, const char *self, int self_tier, const char *node,
                     const char *reason, char **file, const char **why)
{
    *file = NULL;
    *why = "node";
    if (!approver_tier_ok(self_tier) || config_valid_node_id(node) || !strcmp(node, self) ||
        !registry_in_subtree(tx->st, tx->txn, node, self))
        return JF_EINVAL;
    *why = "reason";
    if (!reason[0] || strlen(reason) > 1000)
        return JF_EINVAL;
    *why = NULL;
    Jiefen__RebuildRecoveryApproved a = JIEFEN__REBUILD_RECOVERY_APPROVED__INIT;
    a.node_id = (char *)node;
    a.reason = (char *)reason;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.actor = (char *)eventlog_actor(tx->actor);
    ev.body_case = JIEFEN__EVENT__BODY_REBUILD_RECOVERY_APPROVED;
    ev.rebuild_recovery_approved = &a;
    MDB_val d;
    int rc = eventlog_append(tx, &ev, NULL, 0);
    if (rc == 0)
        rc = store_event_get(tx->st, tx->txn, self, ev.seq, &d);
    if (rc == 0 && !(*file = cert_armor(RECOVERY_APPROVAL_KIND, d.mv_data, d.mv_size)))
        rc = -ENOMEM;
    return rc;
}

int recovery_check(store *st, MDB_txn *txn, const char *self, const uint8_t *env, size_t len,
                   char id[RECOVERY_ID_MAX], char *why, size_t whylen)
{
    envelope *e = NULL;
    Jiefen__NodeInfo *ni = NULL;
    uint8_t pk[32];
    uint64_t until;
    int rc = JF_EINVAL;
    if (envelope_decode(env, len, &e) ||
        e->event->body_case != JIEFEN__EVENT__BODY_REBUILD_RECOVERY_APPROVED)
        snprintf(why, whylen, "批准文件无效：不是恢复批准");
    else if (strcmp(e->event->rebuild_recovery_approved->node_id, self))
        snprintf(why, whylen, "批准文件是给节点 %s 的，不是本节点 %s",
                 e->event->rebuild_recovery_approved->node_id, self);
    else if (registry_get(st, txn, e->event->origin, &ni) || !ni ||
             registry_depth_below(st, txn, self, e->event->origin) <= 0 ||
             !approver_tier_ok((int)ni->tier))
        snprintf(why, whylen, "批准文件不是本节点的县级（或更高）上级 %s 签发的",
                 e->event->origin);
    else if (registry_key_at(st, txn, e->event->origin, e->event->seq, pk, &until) ||
             envelope_verify(e, pk))
        snprintf(why, whylen, "批准文件签名无效：内容被改动或伪造");
    else
        rc = 0;
    if (rc == 0)
        snprintf(id, RECOVERY_ID_MAX, "%s/%" PRIu64, e->event->origin, e->event->seq);
    registry_free(&ni);
    envelope_free(&e);
    return rc;
}

/* ---- re-sealing --------------------------------------------------------------------- */

struct reseal {
    eventlog_tx *tx;
    const uint8_t *pk, *sk;
    unsigned boxed, parts;
    struct case_list cases;
};

static int reseal_one(const MDB_val *key, const Jiefen__Event *ev, void *arg)
{
    struct reseal *r = arg;
    const ProtobufCBinaryData *box = &ev->recovery_box;
    if (box->len < CRYPTO_RECOVERY_OVERHEAD)
        return 0;
    r->boxed++;
    size_t len = box->len - CRYPTO_RECOVERY_OVERHEAD;
    uint8_t *plain = malloc(len ? len : 1), hash[CRYPTO_HASH_LEN];
    if (!plain)
        return -ENOMEM;
    int rc = 0;
    if (crypto_recovery_open(r->pk, r->sk, box->data, box->len, plain) == 0) {
        crypto_blake2b(plain, len, hash);
        /* Only the bytes the origin signed the hash of come back. */
        if (ev->sealed_hash.len == sizeof hash && !memcmp(hash, ev->sealed_hash.data, 32) &&
            (rc = eventlog_put_sealed(r->tx, r->tx->st->sealed, key->mv_data, key->mv_size,
                                      plain, len)) == 0 &&
            (rc = count_case(key, ev, &r->cases)) == 0)
            r->parts++;
    }
    crypto_wipe(plain, len);
    free(plain);
    return rc;
}

int recovery_reseal(eventlog_tx *tx, const char *self, const uint8_t pk[32],
                    const uint8_t sk[32], const char *approval_id, unsigned *parts,
                    unsigned *cases)
{
    struct reseal r = {tx, pk, sk, 0, 0, {0}};
    int rc = walk_unread(tx->st, tx->txn, self, reseal_one, &r);
    if (rc == 0 && r.boxed && !r.parts)
        rc = JF_ECRYPTO;
    *parts = r.parts;
    *cases = (unsigned)r.cases.n;
    for (size_t i = 0; i < r.cases.n; i++)
        free((char *)r.cases.c[i].case_id);
    free(r.cases.c);
    if (rc)
        return rc;
    Jiefen__RebuildResealed rs = JIEFEN__REBUILD_RESEALED__INIT;
    rs.approval = (char *)approval_id;
    rs.parts = *parts;
    rs.cases = *cases;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.actor = (char *)eventlog_actor(tx->actor);
    ev.body_case = JIEFEN__EVENT__BODY_REBUILD_RESEALED;
    ev.rebuild_resealed = &rs;
    return eventlog_append(tx, &ev, NULL, 0);
}

int recovery_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    (void)st, (void)txn, (void)self;
    if (ev->body_case == JIEFEN__EVENT__BODY_REBUILD_RECOVERY_APPROVED)
        return config_valid_node_id(ev->rebuild_recovery_approved->node_id) ? JF_EINVAL : 0;
    if (ev->body_case == JIEFEN__EVENT__BODY_REBUILD_RESEALED)
        return ev->rebuild_resealed->approval[0] ? 0 : JF_EINVAL;
    return JF_EINVAL;
}
