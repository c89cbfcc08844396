#include "fold.h"
#include "case.h"
#include "cert.h"
#include "config.h"
#include "error.h"
#include "registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fold_status_key(int status, char *buf)
{
    snprintf(buf, 32, "cases:%s", case_status_code(status));
}

int fold_case_get(store *st, MDB_txn *txn, const char *case_id, Jiefen__CaseView **view)
{
    MDB_val k = {strlen(case_id), (void *)case_id}, d;
    *view = NULL;
    int rc = mdb_get(txn, st->cases, &k, &d);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    *view = case_view_decode(d.mv_data, d.mv_size);
    return *view ? 0 : JF_ECORRUPT;
}

/* Moves one case from one status counter to another (from 0: a new case). */
static int count_status(store *st, MDB_txn *txn, int from, int to)
{
    char key[32];
    uint64_t n;
    int rc;
    if (from == to)
        return 0;
    if (from) {
        fold_status_key(from, key);
        if ((rc = store_meta_get_u64(st, txn, key, &n)) ||
            (rc = store_meta_put_u64(st, txn, key, n ? n - 1 : 0)))
            return rc;
    }
    fold_status_key(to, key);
    if ((rc = store_meta_get_u64(st, txn, key, &n)))
        return rc;
    return store_meta_put_u64(st, txn, key, n + 1);
}

/* Names used as store keys must fit them; a signed event that breaks this does not apply
 * (and must not fail the transaction that stores it). */
static int valid_key_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n <= max;
}

#define CASE_ID_MAX 128

static int fold_case(store *st, MDB_txn *txn, const Jiefen__Event *ev)
{
    Jiefen__CaseView *v;
    if (!valid_key_name(ev->case_id, CASE_ID_MAX))
        return JF_EINVAL;
    int rc = fold_case_get(st, txn, ev->case_id, &v);
    if (rc)
        return rc;
    int before = v ? v->status : 0;
    if ((rc = case_apply(&v, ev)))
        goto out;
    rc = store_put_message(txn, st->cases, ev->case_id, strlen(ev->case_id), &v->base);
    if (rc == 0)
        rc = count_status(st, txn, before, v->status);
out:
    case_view_free(&v);
    return rc;
}

/* A certificate issued by the event's origin: the origin's key must sign it. */
static int fold_child_enrolled(store *st, MDB_txn *txn, const Jiefen__Event *ev)
{
    uint8_t pk[32];
    Jiefen__Certificate *c;
    if (!ev->child_enrolled->cert || registry_key(st, txn, ev->origin, pk))
        return JF_EINVAL;
    if (cert_open(ev->child_enrolled->cert, pk, &c))
        return JF_EINVAL;
    int rc = strcmp(c->issuer, ev->origin) || config_valid_node_id(c->node_id) ? JF_EINVAL
                                           : registry_put(st, txn, c->node_id, c->name, c->tier,
                                                          c->public_key.data, c->issuer);
    jiefen__certificate__free_unpacked(c, NULL);
    return rc;
}

/* This node's own certificate and chain name its ancestors and their keys. */
static int fold_enrolled(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    if (strcmp(ev->origin, self))
        return 0; /* a child's copy; its parent's child_enrolled already told us */
    const Jiefen__Enrolled *e = ev->enrolled;
    int rc = 0;
    for (size_t i = 0; i <= e->n_chain && rc == 0; i++) {
        const Jiefen__SignedCert *sc = i == 0 ? e->cert : e->chain[i - 1];
        Jiefen__Certificate *c;
        if (!sc || cert_decode(sc, &c))
            return JF_EINVAL;
        /* Signatures were checked against the chain at install; here only the facts. */
        int root = strcmp(c->issuer, c->node_id) == 0;
        rc = registry_put(st, txn, c->node_id, c->name, c->tier, c->public_key.data,
                          root ? "" : c->issuer);
        jiefen__certificate__free_unpacked(c, NULL);
    }
    return rc;
}

static int fold_node_created(store *st, MDB_txn *txn, const Jiefen__Event *ev)
{
    Jiefen__NodeInfo *known;
    const Jiefen__NodeCreated *nc = ev->node_created;
    int rc = registry_get(st, txn, ev->origin, &known);
    if (rc || known) {
        registry_free(&known);
        return rc;
    }
    if (nc->public_key.len != 32 || strcmp(nc->node_id, ev->origin) ||
        config_valid_node_id(nc->node_id))
        return JF_EINVAL;
    return registry_put(st, txn, nc->node_id, nc->name, nc->tier, nc->public_key.data, "");
}

/* ---- directives --------------------------------------------------------------------- */

static size_t directive_key(const char *origin, uint64_t seq, uint8_t *buf)
{
    return store_event_key(origin, seq, buf);
}

int fold_directive_get(store *st, MDB_txn *txn, const char *origin, uint64_t seq,
                       Jiefen__DirectiveView **out)
{
    uint8_t key[STORE_KEY_MAX];
    MDB_val k = {directive_key(origin, seq, key), key}, d;
    *out = NULL;
    int rc = mdb_get(txn, st->directives, &k, &d);
    if (rc == MDB_NOTFOUND)
        return 0;
    if (rc)
        return rc;
    *out = jiefen__directive_view__unpack(NULL, d.mv_size, d.mv_data);
    return *out ? 0 : JF_ECORRUPT;
}

static int directive_put(store *st, MDB_txn *txn, const Jiefen__DirectiveView *v)
{
    uint8_t key[STORE_KEY_MAX];
    return store_put_message(txn, st->directives, key, directive_key(v->origin, v->seq, key),
                             &v->base);
}

int fold_directive_addresses(store *st, MDB_txn *txn, const Jiefen__Directive *d,
                             const char *node)
{
    for (size_t i = 0; i < d->n_targets; i++) {
        if (strcmp(d->targets[i], node) == 0)
            return 1;
        if (d->subtree && registry_in_subtree(st, txn, node, d->targets[i]))
            return 1;
    }
    return 0;
}

static int append_str(char ***arr, size_t *n, const char *s)
{
    char **grown = realloc(*arr, (*n + 1) * sizeof **arr);
    if (!grown)
        return -ENOMEM;
    *arr = grown;
    if (!(grown[*n] = strdup(s)))
        return -ENOMEM;
    (*n)++;
    return 0;
}

struct addressees {
    store *st;
    MDB_txn *txn;
    const Jiefen__Event *ev;
    char **ids;
    size_t n;
};

static int add_addressee(const Jiefen__NodeInfo *ni, void *arg)
{
    struct addressees *a = arg;
    if (strcmp(ni->node_id, a->ev->origin) == 0 ||
        !fold_directive_addresses(a->st, a->txn, a->ev->directive, ni->node_id))
        return 0;
    return append_str(&a->ids, &a->n, ni->node_id);
}

static int fold_directive(store *st, MDB_txn *txn, const Jiefen__Event *ev)
{
    /* Every node this one knows that the directive is meant for, except its sender. */
    struct addressees a = {st, txn, ev, NULL, 0};
    int rc = registry_each(st, txn, add_addressee, &a);
    Jiefen__DirectiveView v = JIEFEN__DIRECTIVE_VIEW__INIT;
    v.origin = ev->origin;
    v.seq = ev->seq;
    v.time_ms = ev->time_ms;
    v.actor = ev->actor;
    v.directive = ev->directive;
    v.addressees = a.ids;
    v.n_addressees = a.n;
    if (rc == 0)
        rc = directive_put(st, txn, &v);
    for (size_t i = 0; i < a.n; i++)
        free(a.ids[i]);
    free(a.ids);
    return rc;
}

/* Records who acknowledged; a node that was not asked, or asks twice, changes nothing. */
static int fold_directive_ack(store *st, MDB_txn *txn, const Jiefen__Event *ev)
{
    const Jiefen__DirectiveAck *a = ev->directive_ack;
    Jiefen__DirectiveView *v;
    if (!valid_key_name(a->origin, STORE_ORIGIN_MAX))
        return JF_EINVAL;
    int rc = fold_directive_get(st, txn, a->origin, a->seq, &v);
    if (rc || !v)
        return rc;
    for (size_t i = 0; i < v->n_acked_by; i++)
        if (strcmp(v->acked_by[i], ev->origin) == 0)
            goto out;
    int64_t *ms = realloc(v->acked_ms, (v->n_acked_ms + 1) * sizeof *ms);
    if (!ms) {
        rc = -ENOMEM;
        goto out;
    }
    v->acked_ms = ms;
    ms[v->n_acked_ms++] = ev->time_ms;
    if ((rc = append_str(&v->acked_by, &v->n_acked_by, ev->origin)) ||
        (rc = append_str(&v->ack_notes, &v->n_ack_notes, a->note)))
        goto out;
    rc = directive_put(st, txn, v);
out:
    jiefen__directive_view__free_unpacked(v, NULL);
    return rc;
}

static int fold_kind(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_NODE_CREATED:
        return fold_node_created(st, txn, ev);
    case JIEFEN__EVENT__BODY_CASE_OPENED:
        return fold_case(st, txn, ev);
    case JIEFEN__EVENT__BODY_CHILD_ENROLLED:
        return fold_child_enrolled(st, txn, ev);
    case JIEFEN__EVENT__BODY_CHILD_REVOKED: {
        if (config_valid_node_id(ev->child_revoked->node_id))
            return JF_EINVAL;
        int rc = registry_revoke(st, txn, ev->child_revoked->node_id);
        return rc == JF_ENOTFOUND ? JF_EINVAL : rc;
    }
    case JIEFEN__EVENT__BODY_ENROLLED:
        return fold_enrolled(st, txn, self, ev);
    case JIEFEN__EVENT__BODY_DIRECTIVE:
        return fold_directive(st, txn, ev);
    case JIEFEN__EVENT__BODY_DIRECTIVE_ACK:
        return fold_directive_ack(st, txn, ev);
    default:
        return JF_EINVAL;
    }
}

int fold_apply(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    int rc = fold_kind(st, txn, self, ev);
    /* A name that cannot be a key is a fact about the event, not a store failure: the
     * checks above refuse the known ones before any write; this catches the rest. */
    return rc == MDB_BAD_VALSIZE ? JF_EINVAL : rc;
}
