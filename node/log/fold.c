#include "log/fold.h"
#include "cert.h"
#include "config.h"
#include "error.h"
#include "envelope.h"
#include "log.h"
#include "log/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fold_valid_name(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n > 0 && n <= max;
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
    int rc = strcmp(c->issuer, ev->origin) || config_valid_node_id(c->node_id)
                 ? JF_EINVAL
                 : registry_put(st, txn, c->node_id, c->name, c->tier, c->public_key.data,
                                c->issuer);
    jiefen__certificate__free_unpacked(c, NULL);
    return rc;
}

int fold_enrolment_chain(store *st, MDB_txn *txn, const Jiefen__SignedCert *cert,
                         Jiefen__SignedCert *const *chain, size_t n)
{
    int rc = 0;
    for (size_t i = 0; i <= n && rc == 0; i++) {
        const Jiefen__SignedCert *sc = i == 0 ? cert : chain[i - 1];
        Jiefen__Certificate *c;
        if (!sc || cert_decode(sc, &c))
            return JF_EINVAL;
        int root = strcmp(c->issuer, c->node_id) == 0;
        rc = registry_put(st, txn, c->node_id, c->name, c->tier, c->public_key.data,
                          root ? "" : c->issuer);
        jiefen__certificate__free_unpacked(c, NULL);
    }
    return rc;
}

/* This node's own certificate and chain name its ancestors and their keys. */
static int fold_enrolled(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    if (strcmp(ev->origin, self))
        return 0; /* a child's copy; its parent's child_enrolled already told us */
    /* Signatures were checked against the chain at install; here only the facts. */
    const Jiefen__Enrolled *e = ev->enrolled;
    return fold_enrolment_chain(st, txn, e->cert, e->chain, e->n_chain);
}

/* A child of the origin rebuilt with a new key (RebuildSuccession): the certificate must be
 * the origin's, for a child of the origin whose current key is previous_key. */
static int fold_succession(store *st, MDB_txn *txn, const Jiefen__Event *ev)
{
    const Jiefen__RebuildSuccession *s = ev->rebuild_succession;
    uint8_t pk[32];
    Jiefen__Certificate *c;
    Jiefen__NodeInfo *ni = NULL;
    if (!s->cert || s->previous_key.len != 32 || registry_key(st, txn, ev->origin, pk) ||
        cert_open(s->cert, pk, &c))
        return JF_EINVAL;
    int rc = strcmp(c->issuer, ev->origin) || c->public_key.len != 32 ? JF_EINVAL
                                                                        : registry_get(st, txn, c->node_id, &ni);
    if (rc == 0 && (!ni || strcmp(ni->parent, ev->origin)))
        rc = JF_EINVAL;
    /* Folded again (a node rebuilt twice, a replay), it changes nothing. */
    int current = rc == 0 && ni->public_key.len == 32 &&
                  memcmp(ni->public_key.data, c->public_key.data, 32) == 0;
    if (rc == 0 && !current && memcmp(ni->public_key.data, s->previous_key.data, 32))
        rc = JF_EINVAL;
    if (rc == 0 && !current)
        rc = registry_succeed(st, txn, c->node_id, c->public_key.data, s->from_seq);
    registry_free(&ni);
    jiefen__certificate__free_unpacked(c, NULL);
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

/* The folds of the domain's kinds (fold_set) and what follows an applied event. */
static fold_fn folds[FOLD_KINDS];
static fold_applied_fn on_applied;

void fold_set(int kind, fold_fn fn)
{
    if (kind > 0 && kind < FOLD_KINDS) /* test_fold checks every kind of the schema fits */
        folds[kind] = fn;
}

void fold_set_applied(fold_applied_fn fn)
{
    on_applied = fn;
}

static int fold_revoked(store *st, MDB_txn *txn, const Jiefen__Event *ev)
{
    if (config_valid_node_id(ev->child_revoked->node_id))
        return JF_EINVAL;
    int rc = registry_revoke(st, txn, ev->child_revoked->node_id);
    return rc == JF_ENOTFOUND ? JF_EINVAL : rc;
}

/* The log's own facts: the nodes of the tree and their keys, which it checks events by. */
static int fold_kind(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_NODE_CREATED:
        return fold_node_created(st, txn, ev);
    case JIEFEN__EVENT__BODY_CHILD_ENROLLED:
        return fold_child_enrolled(st, txn, ev);
    case JIEFEN__EVENT__BODY_CHILD_REVOKED:
        return fold_revoked(st, txn, ev);
    case JIEFEN__EVENT__BODY_ENROLLED:
        return fold_enrolled(st, txn, self, ev);
    case JIEFEN__EVENT__BODY_REBUILD_SUCCESSION:
        return fold_succession(st, txn, ev);
    default:
        if ((int)ev->body_case > 0 && (int)ev->body_case < FOLD_KINDS && folds[ev->body_case])
            return folds[ev->body_case](st, txn, self, ev);
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

/* ---- events that arrive before what they depend on ---------------------------------- */

static size_t park_key(const char *case_id, const char *origin, uint64_t seq, uint8_t *buf)
{
    size_t n = strlen(case_id);
    if (n > FOLD_CASE_ID_MAX)
        return 0;
    memcpy(buf, case_id, n);
    buf[n] = 0;
    size_t k = store_event_key(origin, seq, buf + n + 1);
    return k ? n + 1 + k : 0;
}

int fold_parked(store *st, MDB_txn *txn, const Jiefen__Event *ev)
{
    uint8_t key[FOLD_CASE_ID_MAX + 1 + STORE_KEY_MAX];
    MDB_val k = {park_key(ev->case_id, ev->origin, ev->seq, key), key}, d;
    return k.mv_size && mdb_get(txn, st->parked, &k, &d) == 0;
}

static int park(store *st, MDB_txn *txn, const envelope *e, int route)
{
    uint8_t key[FOLD_CASE_ID_MAX + 1 + STORE_KEY_MAX], flag = (uint8_t)route;
    MDB_val k = {park_key(e->event->case_id, e->event->origin, e->event->seq, key), key},
            d = {1, &flag};
    if (!k.mv_size)
        return JF_EINVAL;
    log_info("fold", "event %s/%llu of case %s waits for an earlier one", e->event->origin,
             (unsigned long long)e->event->seq, e->event->case_id);
    return mdb_put(txn, st->parked, &k, &d, 0);
}

static int applied(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev,
                   const MDB_val *bytes, int route)
{
    if (!route || !on_applied)
        return 0;
    return on_applied(st, txn, self, ev, bytes->mv_data, bytes->mv_size);
}

/* What follows an applied event, own or received: the applied hook (with route), then the
 * events of its case that waited for it. */
static int after_applied(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev,
                         const MDB_val *bytes, int route)
{
    int rc = applied(st, txn, self, ev, bytes, route);
    return rc ? rc : fold_unpark(st, txn, self, ev->case_id);
}

struct parked_item {
    char origin[STORE_ORIGIN_MAX + 1];
    uint64_t seq;
    int route;
};

/* The first parked event of the case whose origin sorts after `after` ("" for the first
 * origin), or with `same`, the first of origin `after` itself. 1 if found. */
static int parked_head(store *st, MDB_txn *txn, const char *case_id, const char *after,
                       int same, struct parked_item *out)
{
    uint8_t key[FOLD_CASE_ID_MAX + 1 + STORE_KEY_MAX];
    size_t clen = strlen(case_id), n = park_key(case_id, after[0] ? after : "-", 0, key);
    MDB_cursor *c;
    if (!n || mdb_cursor_open(txn, st->parked, &c))
        return 0;
    MDB_val k = {after[0] ? n : clen + 1, key}, d;
    if (after[0] && !same)
        memset(key + n - 8, 0xff, 8); /* past every seq of `after` */
    int found = 0;
    for (int rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0 && !found;
         rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        if (k.mv_size <= clen + 1 || memcmp(k.mv_data, case_id, clen + 1))
            break;
        MDB_val ek = {k.mv_size - clen - 1, (uint8_t *)k.mv_data + clen + 1};
        if (store_event_key_parse(&ek, out->origin, &out->seq))
            continue;
        if (same ? strcmp(out->origin, after) != 0 : strcmp(out->origin, after) <= 0)
            break;
        out->route = d.mv_size && *(uint8_t *)d.mv_data;
        found = 1;
    }
    mdb_cursor_close(c);
    return found;
}

/* Tries one parked event again: 1 if it is no longer waiting. */
static int retry(store *st, MDB_txn *txn, const char *self, const char *case_id,
                 const struct parked_item *p)
{
    MDB_val d;
    envelope *e = NULL;
    int rc = store_event_get(st, txn, p->origin, p->seq, &d);
    if (rc == 0 && envelope_decode(d.mv_data, d.mv_size, &e))
        rc = JF_ECORRUPT;
    if (rc == 0) {
        rc = fold_apply(st, txn, self, e->event);
        if (rc == JF_ELATER) {
            envelope_free(&e);
            return 0;
        }
        if (rc == 0)
            rc = applied(st, txn, self, e->event, &d, p->route);
        else if (rc == JF_EINVAL)
            rc = 0;
    }
    envelope_free(&e);
    if (rc && rc != JF_ENOTFOUND && rc != JF_ECORRUPT)
        return rc;
    uint8_t key[FOLD_CASE_ID_MAX + 1 + STORE_KEY_MAX];
    MDB_val k = {park_key(case_id, p->origin, p->seq, key), key};
    rc = mdb_del(txn, st->parked, &k, NULL);
    return rc ? rc : 1;
}

/* Retries the first parked event of each origin, and the next of that origin while they
 * apply: each chain is folded in its own order, and one origin that still waits holds up
 * only itself. Repeats while anything applied (it may be what another waited for). */
/* Nothing waits: the usual case, and one look at the table's header instead of a
 * cursor per event. */
static int none_parked(store *st, MDB_txn *txn)
{
    MDB_stat ms;
    return mdb_stat(txn, st->parked, &ms) == 0 && ms.ms_entries == 0;
}

int fold_unpark(store *st, MDB_txn *txn, const char *self, const char *case_id)
{
    struct parked_item head;
    int progress = 1, rc = 0;
    if (!case_id[0] || none_parked(st, txn))
        return 0;
    while (progress && rc == 0) {
        char origin[STORE_ORIGIN_MAX + 1] = "";
        progress = 0;
        while (rc == 0 && parked_head(st, txn, case_id, origin, 0, &head)) {
            snprintf(origin, sizeof origin, "%s", head.origin);
            while ((rc = retry(st, txn, self, case_id, &head)) == 1 &&
                   parked_head(st, txn, case_id, origin, 1, &head))
                progress = 1;
            progress |= rc == 1;
            rc = rc < 0 ? rc : 0;
        }
    }
    return rc;
}

/* 1 if an earlier event of this origin for this case is parked. */
static int origin_waits(store *st, MDB_txn *txn, const Jiefen__Event *ev)
{
    uint8_t key[FOLD_CASE_ID_MAX + 1 + STORE_KEY_MAX];
    size_t n = park_key(ev->case_id, ev->origin, 0, key);
    MDB_cursor *c;
    MDB_val k = {n, key}, d;
    if (!n || mdb_cursor_open(txn, st->parked, &c))
        return 0;
    size_t prefix = n - 8; /* case "\0" origin "\0" */
    int found = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE) == 0 && k.mv_size == n &&
                memcmp(k.mv_data, key, prefix) == 0;
    mdb_cursor_close(c);
    return found;
}

int fold_event(store *st, MDB_txn *txn, const char *self, const envelope *e,
               const uint8_t *bytes, size_t len, int route)
{
    MDB_val b = {len, (void *)bytes};
    if (e->event->case_id[0] && !none_parked(st, txn) && origin_waits(st, txn, e->event))
        return park(st, txn, e, route);
    int rc = fold_apply(st, txn, self, e->event);
    if (rc == JF_ELATER)
        return park(st, txn, e, route);
    if (rc == JF_EINVAL) {
        log_warn("fold", "event %s/%llu (%s) does not apply to the views here",
                 e->event->origin, (unsigned long long)e->event->seq, envelope_kind(e->event));
        return 0;
    }
    return rc ? rc : after_applied(st, txn, self, e->event, &b, route);
}

int fold_appended(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev,
                  const uint8_t *bytes, size_t len)
{
    MDB_val b = {len, (void *)bytes};
    return after_applied(st, txn, self, ev, &b, 1);
}
