#include "log/fold.h"
#include "case/case.h"
#include "cert.h"
#include "config.h"
#include "error.h"
#include "envelope.h"
#include "log.h"
#include "case/party.h"
#include "case/route.h"
#include "log/registry.h"
#include "report/report.h"
#include "case/warning.h"

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


/* The timers entry of a case this node holds open: 'w' + limit while its warning is due,
 * then 'd' + limit until the limit is found passed; 0 if none. Two runs, each in limit
 * order, so the next moment of each kind is the first entry of its run. */
static size_t timer_key(const Jiefen__CaseView *v, const char *self, uint8_t *buf)
{
    size_t n = v ? strlen(v->case_id) : 0;
    if (!v || v->status != JIEFEN__CASE_STATUS__CASE_STATUS_OPEN || v->due_ms <= 0 ||
        v->overdue_due_ms == v->due_ms || strcmp(v->holder, self) || n > FOLD_CASE_ID_MAX)
        return 0;
    uint64_t due = (uint64_t)v->due_ms;
    buf[0] = v->warned_due_ms == v->due_ms ? 'd' : 'w';
    for (int i = 0; i < 8; i++)
        buf[1 + i] = (uint8_t)(due >> (56 - 8 * i));
    memcpy(buf + 9, v->case_id, n);
    return 9 + n;
}

int fold_timer_parse(const MDB_val *k, char *kind, int64_t *due, char *case_id)
{
    const uint8_t *b = k->mv_data;
    uint64_t d = 0;
    if (k->mv_size <= 9 || k->mv_size > 9 + FOLD_CASE_ID_MAX || (b[0] != 'w' && b[0] != 'd'))
        return JF_ECORRUPT;
    for (int i = 1; i <= 8; i++)
        d = d << 8 | b[i];
    *kind = (char)b[0];
    *due = (int64_t)d;
    memcpy(case_id, b + 9, k->mv_size - 9);
    case_id[k->mv_size - 9] = 0;
    return 0;
}

/* Keeps the timers index in step with what this node holds. */
static int update_timer(store *st, MDB_txn *txn, const char *self,
                        const uint8_t *old_key, size_t old_len, const Jiefen__CaseView *v)
{
    uint8_t key[9 + FOLD_CASE_ID_MAX];
    size_t len = timer_key(v, self, key);
    if (len == old_len && memcmp(key, old_key, len) == 0)
        return 0;
    int rc = 0;
    if (old_len) {
        MDB_val k = {old_len, (void *)old_key};
        rc = mdb_del(txn, st->timers, &k, NULL);
        if (rc == MDB_NOTFOUND)
            rc = 0;
    }
    if (rc == 0 && len) {
        MDB_val k = {len, key}, d = {0, ""};
        rc = mdb_put(txn, st->timers, &k, &d, 0);
    }
    return rc;
}

static int fold_case(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    Jiefen__CaseView *v;
    uint8_t old_key[9 + FOLD_CASE_ID_MAX];
    if (!valid_key_name(ev->case_id, FOLD_CASE_ID_MAX))
        return JF_EINVAL;
    int rc = fold_case_get(st, txn, ev->case_id, &v);
    if (rc)
        return rc;
    int before = v ? v->status : 0;
    size_t old_len = timer_key(v, self, old_key);
    struct registry_tree rt = {st, txn};
    case_tree tree = {registry_tree_depth, &rt};
    if ((rc = case_apply(&v, ev, &tree)))
        goto out;
    rc = store_put_message(txn, st->cases, ev->case_id, strlen(ev->case_id), &v->base);
    if (rc == 0)
        rc = count_status(st, txn, before, v->status);
    if (rc == 0)
        rc = update_timer(st, txn, self, old_key, old_len, v);
    if (rc == 0 && ev->body_case == JIEFEN__EVENT__BODY_CASE_OPENED)
        rc = party_fold(st, txn, self, ev);
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

int fold_case_kind(const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_CASE_OPENED:
    case JIEFEN__EVENT__BODY_CASE_ROUTED:
    case JIEFEN__EVENT__BODY_CASE_GUIDED:
    case JIEFEN__EVENT__BODY_ATTEMPT:
    case JIEFEN__EVENT__BODY_CASE_MOVED:
    case JIEFEN__EVENT__BODY_RISK_CHANGED:
    case JIEFEN__EVENT__BODY_LEADER_ASSIGNED:
    case JIEFEN__EVENT__BODY_LEADER_ACK:
    case JIEFEN__EVENT__BODY_LEADER_PROGRESS:
    case JIEFEN__EVENT__BODY_LEADER_REQUIRED:
    case JIEFEN__EVENT__BODY_DEADLINE:
    case JIEFEN__EVENT__BODY_EXTENSION_REQUESTED:
    case JIEFEN__EVENT__BODY_EXTENSION_DECIDED:
    case JIEFEN__EVENT__BODY_CASE_CLOSED:
    case JIEFEN__EVENT__BODY_FOLLOW_UP:
        return 1;
    default:
        return 0;
    }
}

static int fold_kind(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    if (fold_case_kind(ev))
        return fold_case(st, txn, self, ev);
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_NODE_CREATED:
        return fold_node_created(st, txn, ev);
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
    case JIEFEN__EVENT__BODY_REPORT_SUBMITTED:
    case JIEFEN__EVENT__BODY_REPORT_REVIEWED:
        return report_fold(st, txn, ev);
    case JIEFEN__EVENT__BODY_WARNING:
        return warning_fold(st, txn, ev);
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

static int applied(store *st, MDB_txn *txn, const char *self, const envelope *e,
                   const MDB_val *bytes, int route)
{
    if (!route)
        return 0;
    return route_down(st, txn, self, e->event, bytes->mv_data, bytes->mv_size);
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
            rc = applied(st, txn, self, e, &d, p->route);
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
int fold_unpark(store *st, MDB_txn *txn, const char *self, const char *case_id)
{
    struct parked_item head;
    int progress = 1, rc = 0;
    if (!case_id[0])
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
    if (e->event->case_id[0] && origin_waits(st, txn, e->event))
        return park(st, txn, e, route);
    int rc = fold_apply(st, txn, self, e->event);
    if (rc == JF_ELATER)
        return park(st, txn, e, route);
    if (rc == JF_EINVAL) {
        log_warn("fold", "event %s/%llu (%s) does not apply to the views here",
                 e->event->origin, (unsigned long long)e->event->seq, envelope_kind(e->event));
        return 0;
    }
    if (rc == 0)
        rc = applied(st, txn, self, e, &b, route);
    if (rc == 0)
        rc = fold_unpark(st, txn, self, e->event->case_id);
    return rc;
}
