#include "case/interop.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "error.h"
#include "log.h"
#include "outbox/outbox.h"

#include <stdio.h>
#include <string.h>

#define ORDER_KEY_MAX (1 + 32 + 1 + INTEROP_ORDER_NO_MAX)
#define CASE_KEY_MAX (1 + INTEROP_CASE_ID_MAX)
#define ID_KEY_LEN 9

static size_t order_key(const char *system, const char *order_no, uint8_t *k)
{
    size_t s = strlen(system), o = strlen(order_no);
    if (s > 32 || o > INTEROP_ORDER_NO_MAX)
        return 0;
    k[0] = 'o';
    memcpy(k + 1, system, s + 1);
    memcpy(k + 2 + s, order_no, o);
    return 2 + s + o;
}

static size_t case_key(const char *case_id, uint8_t *k)
{
    size_t n = strlen(case_id);
    if (n >= INTEROP_CASE_ID_MAX)
        return 0;
    k[0] = 'c';
    memcpy(k + 1, case_id, n);
    return 1 + n;
}

static void id_key(char tag, uint64_t id, uint8_t k[ID_KEY_LEN])
{
    k[0] = (uint8_t)tag;
    for (int i = 0; i < 8; i++)
        k[1 + i] = (uint8_t)(id >> (56 - 8 * i));
}

int interop_find(store *st, MDB_txn *txn, const char *system, const char *order_no,
                 char *case_id)
{
    uint8_t k[ORDER_KEY_MAX];
    size_t klen = order_key(system, order_no, k);
    MDB_val v;
    if (!klen)
        return JF_ENOTFOUND;
    int rc = store_get(txn, st->interop, k, klen, &v);
    if (rc)
        return rc;
    if (v.mv_size >= INTEROP_CASE_ID_MAX)
        return JF_ECORRUPT;
    memcpy(case_id, v.mv_data, v.mv_size);
    case_id[v.mv_size] = 0;
    return 0;
}

int interop_order_of_case(store *st, MDB_txn *txn, const char *case_id,
                          Jiefen__InteropOrder **out)
{
    uint8_t k[CASE_KEY_MAX];
    size_t klen = case_key(case_id, k);
    *out = NULL;
    if (!klen)
        return 0;
    return STORE_GET_MESSAGE(txn, st->interop, k, klen, &jiefen__interop_order__descriptor,
                             out);
}

static int order_put(store *st, MDB_txn *txn, const Jiefen__InteropOrder *o)
{
    uint8_t k[CASE_KEY_MAX];
    size_t klen = case_key(o->case_id, k);
    return klen ? store_put_message(txn, st->interop, k, klen, &o->base) : JF_EINVAL;
}

int interop_take_apply(eventlog_tx *tx, void *arg)
{
    struct interop_take *t = arg;
    uint8_t k[ORDER_KEY_MAX];
    size_t klen = order_key(t->system, t->order_no, k);
    if (!klen)
        return JF_EINVAL;
    /* A replayed batch, or the same order twice in one batch, finds the first. */
    int rc = interop_find(tx->st, tx->txn, t->system, t->order_no, t->case_id);
    t->duplicate = rc == 0;
    if (rc != JF_ENOTFOUND)
        return rc;
    intake_set_external(t->in, t->system, t->order_no); /* the number travels in the event */
    if (t->deadline_ms)
        intake_set_due(t->in, t->deadline_ms);
    if ((rc = intake_apply(tx, t->in)))
        return rc;
    snprintf(t->case_id, sizeof t->case_id, "%s", intake_case_id(t->in));
    Jiefen__InteropOrder o = JIEFEN__INTEROP_ORDER__INIT;
    o.system = (char *)t->system;
    o.order_no = (char *)t->order_no;
    o.case_id = t->case_id;
    o.received_ms = tx->now_ms;
    o.court_case_no = (char *)(t->court_case_no ? t->court_case_no : "");
    o.deadline_ms = t->deadline_ms;
    rc = store_put(tx->txn, tx->st->interop, k, klen, t->case_id, strlen(t->case_id),
                   STORE_NEW);
    return rc ? rc : order_put(tx->st, tx->txn, &o);
}

int interop_refuse_apply(eventlog_tx *tx, void *arg)
{
    struct interop_refusal *r = arg;
    uint64_t id;
    int rc = store_meta_get_u64(tx->st, tx->txn, "interop:refused", &id);
    if (rc || (rc = store_meta_put_u64(tx->st, tx->txn, "interop:refused", ++id)))
        return rc;
    r->rec.id = id;
    r->rec.received_ms = tx->now_ms;
    uint8_t k[ID_KEY_LEN];
    id_key('r', id, k);
    if ((rc = store_put_message(tx->txn, tx->st->interop, k, sizeof k, &r->rec.base)))
        return rc;
    id_key('s', id, k);
    return eventlog_put_sealed(tx, tx->st->interop, k, sizeof k, (const uint8_t *)r->body,
                               r->len);
}

int interop_each_refused(store *st, MDB_txn *txn, store_message_fn fn, void *arg)
{
    struct store_range r = {.prefix = "r", .prefix_len = 1, .reverse = 1};
    return store_walk_messages(txn, st->interop, &r, &jiefen__interop_refused__descriptor, fn,
                               arg);
}

/* The result an outside system is told of, for an event of this node; NULL: none. */
static const char *result_of(const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_CASE_CLOSED:
        return "closed";
    case JIEFEN__EVENT__BODY_CASE_GUIDED:
        return "returned";
    case JIEFEN__EVENT__BODY_CASE_MOVED:
        return strcmp(ev->case_moved->kind, "escalate") == 0 &&
                       strcmp(ev->case_moved->from, ev->origin) == 0
                   ? "transferred"
                   : NULL;
    default:
        return NULL;
    }
}

/* The mediation's result a court is told of, for a result of its order's case (see the
 * header); *out NULL: none. 0 or a store error. */
static int court_result(store *st, MDB_txn *txn, const Jiefen__Event *ev, const char *result,
                        const char **out)
{
    Jiefen__CaseView *v = NULL;
    *out = strcmp(result, "returned") == 0 ? "no_agreement" : NULL;
    if (strcmp(result, "closed"))
        return 0;
    if (ev->case_closed->withdrawn) {
        *out = "withdrawn";
        return 0;
    }
    int rc = caseindex_get(st, txn, ev->case_id, &v);
    if (rc || !v)
        return rc;
    *out = v->last_outcome == JIEFEN__OUTCOME__OUTCOME_AGREEMENT ||
                   v->last_outcome == JIEFEN__OUTCOME__OUTCOME_PARTIAL
               ? "agreement"
               : "no_agreement";
    case_view_free(&v);
    return 0;
}

/* Queues the 回单 of order o with result, and marks the order told: one per order. */
static int queue_receipt(eventlog_tx *tx, Jiefen__InteropOrder *o, const char *result)
{
    const struct notify_var vars[] = {
        {"order_no", o->order_no}, {"result", result}, {"court_case_no", o->court_case_no}};
    uint64_t id;
    int rc = outbox_queue(tx, o->system, "interop_receipt", o->order_no, o->case_id, vars,
                          sizeof vars / sizeof vars[0], &id);
    if (rc == 0) {
        char *unpacked = o->result; /* the unpacked message's, freed with it */
        o->receipt_id = id;
        o->result = (char *)result;
        rc = order_put(tx->st, tx->txn, o);
        o->result = unpacked;
    }
    return rc;
}

/* The order of ev's case still waiting for its 回单 and what ev tells its system: *o NULL,
 * or the caller's with *result set. 0 or a store error. */
static int order_told(store *st, MDB_txn *txn, const Jiefen__Event *ev,
                      Jiefen__InteropOrder **o, const char **result)
{
    *result = result_of(ev);
    *o = NULL;
    if (!*result || !ev->case_id || !ev->case_id[0])
        return 0;
    int rc = interop_order_of_case(st, txn, ev->case_id, o);
    if (rc == 0 && *o && !(*o)->receipt_id && (*o)->court_case_no[0])
        rc = court_result(st, txn, ev, *result, result);
    if (rc || !*o || (*o)->receipt_id || !*result) {
        if (*o)
            jiefen__interop_order__free_unpacked(*o, NULL);
        *o = NULL;
    }
    return rc;
}

int interop_on_append(eventlog_tx *tx, const Jiefen__Event *ev, void *arg)
{
    (void)arg;
    Jiefen__InteropOrder *o;
    const char *result;
    int rc = order_told(tx->st, tx->txn, ev, &o, &result);
    if (rc == 0 && o)
        rc = queue_receipt(tx, o, result);
    if (o)
        jiefen__interop_order__free_unpacked(o, NULL);
    return rc;
}

/* 'q' case id -> the result to tell: reached above this node, told by interop_drain_step. */
static size_t queue_key(const char *case_id, uint8_t *k)
{
    size_t n = case_key(case_id, k);
    if (n)
        k[0] = 'q';
    return n;
}

int interop_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    Jiefen__InteropOrder *o = NULL;
    const char *result = NULL;
    uint8_t k[CASE_KEY_MAX];
    int rc = caseindex_fold(st, txn, self, ev);
    if (rc == 0 && strcmp(ev->origin, self)) /* this node's own: interop_on_append */
        rc = order_told(st, txn, ev, &o, &result);
    if (rc == 0 && o)
        rc = store_put(txn, st->interop, k, queue_key(o->case_id, k), result, strlen(result),
                       0);
    if (rc == 0 && o)
        store_queue_note(st, st->interop); /* the receipts' drain watches it */
    if (o)
        jiefen__interop_order__free_unpacked(o, NULL);
    return rc;
}

int interop_drain_step(eventlog_tx *tx, void *arg, int *more)
{
    (void)arg;
    struct store_range r = {.prefix = "q", .prefix_len = 1};
    MDB_val key, val;
    int rc, n = 0;
    while ((rc = store_first(tx->txn, tx->st->interop, &r, &key, &val)) == 0 && n++ < 32) {
        char case_id[INTEROP_CASE_ID_MAX], result[32];
        Jiefen__InteropOrder *o = NULL;
        snprintf(case_id, sizeof case_id, "%.*s", (int)key.mv_size - 1, (char *)key.mv_data + 1);
        snprintf(result, sizeof result, "%.*s", (int)val.mv_size, (char *)val.mv_data);
        if ((rc = store_del(tx->txn, tx->st->interop, key.mv_data, key.mv_size)) == 0 &&
            (rc = interop_order_of_case(tx->st, tx->txn, case_id, &o)) == 0 && o &&
            !o->receipt_id)
            rc = queue_receipt(tx, o, result);
        if (o)
            jiefen__interop_order__free_unpacked(o, NULL);
        if (rc)
            return rc;
    }
    *more = rc == 0;
    return rc == JF_ENOTFOUND ? 0 : rc;
}
