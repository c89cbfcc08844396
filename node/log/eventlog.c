#include "log/eventlog.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "log/fold.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <uv.h>
#include <stdlib.h>
#include <string.h>

struct op {
    eventlog_apply_fn apply;
    eventlog_done_fn done;
    void *arg;
    int status;
    unsigned appended;
    struct op *next;
};

/* A batch being committed on the thread pool: its operations, detached from the queue. */
struct batch {
    uv_work_t work;
    eventlog *el;
    struct op *list;
    int64_t now;
    int rc;
};

struct eventlog {
    store *st;
    const crypto_identity *id;
    char origin[STORE_ORIGIN_MAX + 1];
    struct op *head, *tail;
    unsigned pending;
    uv_loop_t *loop;           /* set: eventlog_commit() commits on its thread pool */
    struct batch *inflight;
    uint64_t appended_total, batches_total;
    _Atomic int64_t clock_offset; /* set on the loop, read by appends on the pool */
    int space_low;             /* the batch being run began below the free-space floor */
    int has_recovery;
    uint8_t recovery_pk[32];   /* the tree's recovery key (eventlog_set_recovery) */
    void (*on_commit)(void *, unsigned, unsigned);
    void *on_commit_arg;
    void (*on_submit)(void *);
    void *on_submit_arg;
    eventlog_append_fn on_append;
    void *on_append_arg;
};

int eventlog_new(store *st, const crypto_identity *id, const char *origin, eventlog **out)
{
    eventlog *el = calloc(1, sizeof *el);
    if (!el)
        return -ENOMEM;
    el->st = st;
    el->id = id;
    snprintf(el->origin, sizeof el->origin, "%s", origin);
    *out = el;
    return 0;
}

/* Detaches the queue and finishes each operation with its status. */
static void finish_all(struct op *list)
{
    while (list) {
        struct op *next = list->next;
        if (list->done)
            list->done(list->arg, list->status);
        free(list);
        list = next;
    }
}

void eventlog_free(eventlog **el)
{
    if (!el || !*el)
        return;
    struct op *list = (*el)->head;
    for (struct op *o = list; o; o = o->next)
        o->status = -ECANCELED;
    finish_all(list);
    free(*el);
    *el = NULL;
}

int eventlog_submit(eventlog *el, eventlog_apply_fn apply, eventlog_done_fn done, void *arg)
{
    struct op *o = calloc(1, sizeof *o);
    if (!o)
        return -ENOMEM;
    o->apply = apply;
    o->done = done;
    o->arg = arg;
    if (el->tail)
        el->tail->next = o;
    else
        el->head = o;
    el->tail = o;
    el->pending++;
    if (el->on_submit)
        el->on_submit(el->on_submit_arg);
    return 0;
}

unsigned eventlog_pending(const eventlog *el)
{
    return el->pending;
}

/* Runs one operation in a nested transaction so that its failure undoes only itself. */
static int run_op(eventlog *el, MDB_txn *parent, int64_t now, struct op *o)
{
    eventlog_tx tx = {el, el->st, NULL, now, 0, NULL, NULL};
    int rc = mdb_txn_begin(el->st->env, parent, 0, &tx.txn);
    if (rc)
        return rc;
    rc = o->apply(&tx, o->arg);
    if (rc) {
        mdb_txn_abort(tx.txn);
        return rc;
    }
    rc = mdb_txn_commit(tx.txn);
    o->appended = tx.appended;
    return rc;
}

/* One attempt at the whole batch. Returns MDB_MAP_FULL to ask for growth and a replay. */
static int flush_once(eventlog *el, struct op *list, int64_t now)
{
    MDB_txn *txn;
    /* Below the free-space floor no event is appended (eventlog_append says JF_EFULL); the
     * small records that are no event (sessions, the record of searches) still fit in the
     * margin the floor keeps. One batch runs at a time: the flag is the batch's. */
    el->space_low = store_space_check(el->st) != 0;
    int rc = store_txn_begin(el->st, 0, &txn);
    if (rc)
        return rc;
    for (struct op *o = list; o; o = o->next) {
        o->appended = 0;
        o->status = run_op(el, txn, now, o);
        if (o->status == MDB_MAP_FULL) {
            mdb_txn_abort(txn);
            return MDB_MAP_FULL;
        }
    }
    return mdb_txn_commit(txn);
}

/* After the batch's commit (rc its result): gives every operation its status, counts,
 * calls the on_commit hook and each `done`. Returns the operations committed or rc. */
static int finish_batch(eventlog *el, struct op *list, int rc)
{
    unsigned ops = 0, events = 0;
    for (struct op *o = list; o; o = o->next) {
        if (rc)
            o->status = rc;
        if (o->status == 0) {
            ops++;
            events += o->appended;
        }
    }
    if (rc) {
        log_error("eventlog", "commit of a batch failed (%s)", jf_strerror(rc));
    } else {
        el->appended_total += events;
        el->batches_total++;
        if (el->on_commit)
            el->on_commit(el->on_commit_arg, ops, events);
    }
    finish_all(list);
    return rc ? rc : (int)ops;
}

/* Takes the queue as a batch of its own; the operations queued from now on wait. */
static struct op *detach(eventlog *el)
{
    struct op *list = el->head;
    el->head = el->tail = NULL;
    el->pending = 0;
    return list;
}

int eventlog_flush(eventlog *el)
{
    if (!el->head)
        return 0;
    int64_t now = clock_now_ms();
    struct op *list = detach(el);
    int rc;
    while ((rc = flush_once(el, list, now)) == MDB_MAP_FULL) {
        if ((rc = store_grow(el->st)) != 0)
            break;
    }
    return finish_batch(el, list, rc);
}

void eventlog_use_loop(eventlog *el, uv_loop_t *loop)
{
    el->loop = loop;
}

/* On a pool thread: the whole write transaction, from begin to the durable commit, since
 * LMDB binds a write transaction to the thread that began it; under the remap lock's read
 * side, so that a store_grow on the loop (after the link's transactions) waits for it. */
static void batch_work(uv_work_t *w)
{
    struct batch *b = w->data;
    store_read_begin(b->el->st);
    b->rc = flush_once(b->el, b->list, b->now);
    store_read_end(b->el->st);
}

static void batch_start(eventlog *el, struct batch *b);

/* Back on the loop: the map grows here, where no read of this thread is open, and the
 * batch is replayed; otherwise its callers learn the outcome, and the operations queued
 * meanwhile go next. */
static void batch_after(uv_work_t *w, int status)
{
    struct batch *b = w->data;
    eventlog *el = b->el;
    int rc = status ? status : b->rc;
    if (rc == MDB_MAP_FULL && (rc = store_grow(el->st)) == 0) {
        batch_start(el, b);
        return;
    }
    el->inflight = NULL;
    finish_batch(el, b->list, rc);
    free(b);
    eventlog_commit(el);
}

static void batch_start(eventlog *el, struct batch *b)
{
    el->inflight = b;
    b->work.data = b;
    int rc = uv_queue_work(el->loop, &b->work, batch_work, batch_after);
    if (rc) {
        el->inflight = NULL;
        finish_batch(el, b->list, rc);
        free(b);
    }
}

void eventlog_commit(eventlog *el)
{
    if (!el->head || el->inflight)
        return;
    struct batch *b = el->loop ? calloc(1, sizeof *b) : NULL;
    if (!b) {
        eventlog_flush(el);
        return;
    }
    *b = (struct batch){.el = el, .now = clock_now_ms()};
    b->list = detach(el);
    batch_start(el, b);
}

#define HEAD_PREFIX "head:"
#define HEAD_PREFIX_LEN 5

static void head_key(const char *origin, char *buf, size_t len)
{
    snprintf(buf, len, HEAD_PREFIX "%s", origin);
}

struct each_head {
    int (*fn)(const char *origin, uint64_t seq, void *arg);
    void *arg;
};

/* "head:ORIGIN" in meta -> seq (8 bytes), hash. */
static int each_head(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct each_head *h = arg;
    char origin[STORE_ORIGIN_MAX + 1];
    uint64_t seq;
    if (k->mv_size <= HEAD_PREFIX_LEN || d->mv_size < sizeof seq)
        return STORE_STOP;
    snprintf(origin, sizeof origin, "%.*s", (int)(k->mv_size - HEAD_PREFIX_LEN),
             (char *)k->mv_data + HEAD_PREFIX_LEN);
    memcpy(&seq, d->mv_data, sizeof seq);
    return h->fn(origin, seq, h->arg);
}

int eventlog_each_head(store *st, MDB_txn *txn,
                       int (*fn)(const char *origin, uint64_t seq, void *arg), void *arg)
{
    struct each_head h = {fn, arg};
    struct store_range r = {.prefix = HEAD_PREFIX, .prefix_len = HEAD_PREFIX_LEN};
    return store_walk(txn, st->meta, &r, each_head, &h);
}

int eventlog_head(store *st, MDB_txn *txn, const char *origin, uint64_t *seq,
                  uint8_t hash[CRYPTO_HASH_LEN])
{
    char name[64];
    head_key(origin, name, sizeof name);
    MDB_val k = {strlen(name), name}, d;
    int rc = mdb_get(txn, st->meta, &k, &d);
    if (rc == MDB_NOTFOUND) {
        *seq = 0;
        memset(hash, 0, CRYPTO_HASH_LEN);
        return 0;
    }
    if (rc)
        return rc;
    if (d.mv_size != 8 + CRYPTO_HASH_LEN)
        return JF_ECORRUPT;
    memcpy(seq, d.mv_data, 8);
    memcpy(hash, (uint8_t *)d.mv_data + 8, CRYPTO_HASH_LEN);
    return 0;
}

int eventlog_head_put(store *st, MDB_txn *txn, const char *origin, uint64_t seq,
                      const uint8_t hash[CRYPTO_HASH_LEN])
{
    char name[64];
    uint8_t val[8 + CRYPTO_HASH_LEN];
    head_key(origin, name, sizeof name);
    memcpy(val, &seq, 8);
    memcpy(val + 8, hash, CRYPTO_HASH_LEN);
    MDB_val k = {strlen(name), name}, d = {sizeof val, val};
    return mdb_put(txn, st->meta, &k, &d, 0);
}

int eventlog_put_sealed(eventlog_tx *tx, MDB_dbi dbi, const uint8_t *key, size_t klen,
                        const uint8_t *plain, size_t len)
{
    size_t clen = len + CRYPTO_SEAL_OVERHEAD;
    uint8_t *c = malloc(clen);
    if (!c)
        return -ENOMEM;
    crypto_seal(tx->el->id, plain, len, key, klen, c);
    MDB_val k = {klen, (void *)key}, d = {clen, c};
    int rc = mdb_put(tx->txn, dbi, &k, &d, 0);
    free(c);
    return rc;
}

void eventlog_set_recovery(eventlog *el, const uint8_t *pk)
{
    el->has_recovery = pk != NULL;
    if (pk)
        memcpy(el->recovery_pk, pk, sizeof el->recovery_pk);
}

/* The place of the next event: the head, unless this node's chain is still being fetched
 * back (EVENTLOG_CHAIN_FLOOR). */
static int next_place(eventlog_tx *tx, uint64_t *seq, uint8_t prev[CRYPTO_HASH_LEN])
{
    uint64_t floor = 0;
    int rc = eventlog_head(tx->st, tx->txn, tx->el->origin, seq, prev);
    if (rc == 0)
        rc = store_meta_get_u64(tx->st, tx->txn, EVENTLOG_CHAIN_FLOOR, &floor);
    return rc ? rc : *seq < floor ? JF_ECATCHUP : 0;
}

/* The sealed part boxed to the recovery key, into ev->recovery_box (malloc'd). */
static int recovery_box(const eventlog *el, Jiefen__Event *ev, const uint8_t *sealed,
                        size_t len)
{
    if (!el->has_recovery || !sealed)
        return 0;
    ev->recovery_box.len = len + CRYPTO_RECOVERY_OVERHEAD;
    if (!(ev->recovery_box.data = malloc(ev->recovery_box.len)))
        return -ENOMEM;
    return crypto_recovery_box(el->recovery_pk, sealed, len, ev->recovery_box.data);
}

void eventlog_set_clock_offset(eventlog *el, int64_t offset_ms)
{
    el->clock_offset = offset_ms;
}

int eventlog_append(eventlog_tx *tx, Jiefen__Event *ev, const uint8_t *sealed,
                    size_t sealed_len)
{
    eventlog *el = tx->el;
    uint64_t seq;
    uint8_t prev[CRYPTO_HASH_LEN], hash[CRYPTO_HASH_LEN], sealed_hash[CRYPTO_HASH_LEN];
    int restored = 0;
    if (el->space_low)
        return JF_EFULL;
    int rc = eventlog_restored(tx->st, tx->txn, &restored);
    if (rc == 0 && restored)
        rc = JF_ERESTORED;
    if (rc == 0)
        rc = next_place(tx, &seq, prev);
    if (rc)
        return rc;
    ev->origin = el->origin;
    ev->seq = seq + 1;
    ev->prev_hash.data = prev;
    ev->prev_hash.len = sizeof prev;
    ev->time_ms = tx->now_ms;
    ev->clock_offset_ms = el->clock_offset;
    if (tx->actor_name && tx->actor && ev->actor && strcmp(ev->actor, tx->actor) == 0)
        ev->actor_name = (char *)tx->actor_name;
    if (sealed) {
        crypto_blake2b(sealed, sealed_len, sealed_hash);
        ev->sealed_hash.data = sealed_hash;
        ev->sealed_hash.len = sizeof sealed_hash;
    }
    /* The caller checked the case's state: its own event never waits for another. */
    if ((rc = fold_apply(tx->st, tx->txn, el->origin, ev)))
        return rc == JF_ELATER ? JF_EINVAL : rc;

    uint8_t *bytes = NULL;
    size_t len;
    if ((rc = recovery_box(el, ev, sealed, sealed_len)) == 0)
        rc = envelope_sign(el->id, ev, &bytes, &len, hash);
    free(ev->recovery_box.data);
    ev->recovery_box.data = NULL;
    ev->recovery_box.len = 0;
    if (rc)
        return rc;
    uint8_t key[STORE_KEY_MAX];
    size_t klen = store_event_key(el->origin, ev->seq, key);
    MDB_val k = {klen, key}, d = {len, bytes};
    rc = mdb_put(tx->txn, tx->st->events, &k, &d, MDB_NOOVERWRITE);
    if (rc == 0) /* what this node sends down is queued with the event that says it */
        rc = fold_appended(tx->st, tx->txn, el->origin, ev, bytes, len);
    free(bytes);
    if (rc == 0 && sealed)
        rc = eventlog_put_sealed(tx, tx->st->sealed, key, klen, sealed, sealed_len);
    if (rc == 0)
        rc = eventlog_head_put(tx->st, tx->txn, el->origin, ev->seq, hash);
    if (rc == 0 && el->on_append)
        rc = el->on_append(tx, ev, el->on_append_arg);
    if (rc == 0)
        tx->appended++;
    /* The caller's event must not keep pointers into this stack frame. */
    ev->prev_hash.data = NULL;
    ev->prev_hash.len = 0;
    ev->sealed_hash.data = NULL;
    ev->sealed_hash.len = 0;
    return rc;
}

const char *eventlog_actor(const char *person)
{
    return person && person[0] ? person : "admin";
}

uint64_t eventlog_appended_total(const eventlog *el)
{
    return el->appended_total;
}

uint64_t eventlog_batches_total(const eventlog *el)
{
    return el->batches_total;
}

void eventlog_on_commit(eventlog *el, void (*fn)(void *, unsigned, unsigned), void *arg)
{
    el->on_commit = fn;
    el->on_commit_arg = arg;
}

void eventlog_on_submit(eventlog *el, void (*fn)(void *arg), void *arg)
{
    el->on_submit = fn;
    el->on_submit_arg = arg;
}

void eventlog_on_append(eventlog *el, eventlog_append_fn fn, void *arg)
{
    el->on_append = fn;
    el->on_append_arg = arg;
}

int eventlog_restored(store *st, MDB_txn *txn, int *restored)
{
    uint64_t v = 0;
    int rc = store_meta_get_u64(st, txn, EVENTLOG_RESTORED_KEY, &v);
    *restored = rc == 0 && v != 0;
    return rc;
}

int eventlog_set_restored(store *st, MDB_txn *txn, int restored)
{
    return store_meta_put_u64(st, txn, EVENTLOG_RESTORED_KEY, restored ? 1 : 0);
}
