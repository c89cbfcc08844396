#include "case/route.h"
#include "case/directive.h"
#include "case/caseindex.h"
#include "case/case.h"
#include "envelope.h"
#include "error.h"
#include "log/fold.h"
#include "log.h"
#include "log/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void route_queue_key(const char *child, char *buf, size_t len)
{
    snprintf(buf, len, "outq:%s", child);
}

/* Appends bytes to child's queue under the next qseq. */
static int outbox_push(store *st, MDB_txn *txn, const char *child, const uint8_t *bytes,
                       size_t len)
{
    char name[64];
    uint64_t q;
    uint8_t key[STORE_KEY_MAX];
    route_queue_key(child, name, sizeof name);
    int rc = store_meta_get_u64(st, txn, name, &q);
    if (rc || (rc = store_meta_put_u64(st, txn, name, q + 1)))
        return rc;
    return store_put(txn, st->outbox, key, store_event_key(child, q + 1, key), bytes, len, 0);
}

struct route {
    store *st;
    MDB_txn *txn;
    const char *self;
    const Jiefen__Event *ev;
    const uint8_t *bytes;
    size_t len;
    const Jiefen__CaseView *view;
};

static int under(struct route *r, const char *node, const char *child)
{
    return node[0] && registry_depth_below(r->st, r->txn, node, child) >= 0;
}

/* ---- directives ---------------------------------------------------------------------- */

/* 1 if some target of d lies strictly below `child`: the child must relay it. */
static int subtree_addressed(struct route *r, const Jiefen__Directive *d, const char *child)
{
    for (size_t i = 0; i < d->n_targets; i++)
        if (registry_depth_below(r->st, r->txn, d->targets[i], child) > 0)
            return 1;
    return 0;
}

/* A review goes back to the child whose report it is. */
static int review_concerns(struct route *r, const char *child)
{
    return under(r, r->ev->report_reviewed->origin, child);
}

static int directive_concerns(struct route *r, const char *child)
{
    return directive_addresses(r->st, r->txn, r->ev->directive, child) ||
           subtree_addressed(r, r->ev->directive, child);
}

/* ---- cases --------------------------------------------------------------------------- */

static const char *handed_to(const Jiefen__Event *ev)
{
    if (ev->body_case != JIEFEN__EVENT__BODY_CASE_MOVED ||
        strcmp(ev->case_moved->kind, "handdown"))
        return "";
    return ev->case_moved->to;
}

static int case_concerns(struct route *r, const char *child)
{
    const Jiefen__CaseView *v = r->view;
    return under(r, v->opened_at_node, child) || under(r, v->holder, child) ||
           under(r, handed_to(r->ev), child);
}

struct ref {
    const char *origin;
    uint64_t seq;
};

static int by_origin_seq(const void *a, const void *b)
{
    const struct ref *x = a, *y = b;
    int c = strcmp(x->origin, y->origin);
    return c ? c : (x->seq > y->seq) - (x->seq < y->seq);
}

/* The earlier events of the case that `child` cannot have: those not made in its subtree,
 * each origin's in its own order (the child folds them as chains). A child under the node
 * where the case started already got them on the way there. */
static int push_file(struct route *r, const char *child)
{
    const Jiefen__CaseView *v = r->view;
    if (!under(r, handed_to(r->ev), child) || under(r, v->opened_at_node, child))
        return 0;
    struct ref *refs = calloc(v->n_event_origins + 1, sizeof *refs);
    size_t n = 0;
    int rc = 0;
    if (!refs)
        return -ENOMEM;
    for (size_t i = 0; i < v->n_event_origins; i++) {
        const char *o = v->event_origins[i];
        if (!under(r, o, child) &&
            !(strcmp(o, r->ev->origin) == 0 && v->event_seqs[i] == r->ev->seq))
            refs[n++] = (struct ref){o, v->event_seqs[i]};
    }
    qsort(refs, n, sizeof *refs, by_origin_seq);
    for (size_t i = 0; i < n && rc == 0; i++) {
        MDB_val d;
        rc = store_event_get(r->st, r->txn, refs[i].origin, refs[i].seq, &d);
        if (rc == 0)
            rc = outbox_push(r->st, r->txn, child, d.mv_data, d.mv_size);
    }
    free(refs);
    return rc;
}

/* Each direct child the event concerns gets it once. */
static int route_to_child(const Jiefen__NodeInfo *ni, void *arg)
{
    struct route *r = arg;
    if (ni->revoked || strcmp(ni->parent, r->self))
        return 0;
    if (r->view) {
        int rc;
        if (!case_concerns(r, ni->node_id))
            return 0;
        if ((rc = push_file(r, ni->node_id)))
            return rc;
    } else if (r->ev->body_case == JIEFEN__EVENT__BODY_REPORT_REVIEWED
                   ? !review_concerns(r, ni->node_id)
                   : !directive_concerns(r, ni->node_id)) {
        return 0;
    }
    return outbox_push(r->st, r->txn, ni->node_id, r->bytes, r->len);
}

int route_down(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev,
               const uint8_t *bytes, size_t len)
{
    struct route r = {st, txn, self, ev, bytes, len, NULL};
    Jiefen__CaseView *v = NULL;
    int rc;
    if (ev->body_case != JIEFEN__EVENT__BODY_DIRECTIVE &&
        ev->body_case != JIEFEN__EVENT__BODY_REPORT_REVIEWED) {
        if (!case_event_kind(ev)) /* the rest (warnings, reports) only go up */
            return 0;
        if ((rc = caseindex_get(st, txn, ev->case_id, &v)))
            return rc;
        if (!v) /* events are routed once folded: an unknown case concerns no child */
            return 0;
        r.view = v;
    }
    rc = registry_each(st, txn, route_to_child, &r);
    case_view_free(&v);
    return rc;
}
