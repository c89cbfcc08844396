#include "log/ingest.h"
#include "arena.h"
#include "array.h"
#include "envelope.h"
#include "error.h"
#include "log/eventlog.h"
#include "log/fold.h"
#include "log.h"
#include "log/quarantine.h"
#include "log/registry.h"
#include "tally.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *reason_names[REJ_COUNT] = {
    "undecodable", "foreign_origin", "revoked_origin", "quarantined",
    "gap",         "broken_chain",   "bad_signature",  "equivocation",
    "throttled",
};

const char *ingest_reason_name(int reason)
{
    return reason >= 0 && reason < REJ_COUNT ? reason_names[reason] : "unknown";
}

static void reject(struct ingest_result *res, int reason, const char *origin, uint64_t seq)
{
    res->rejected[reason]++;
    /* A gap is what a lost message looks like after a restart: expected, and resent. */
    log_msg(reason == REJ_GAP ? LOG_INFO : LOG_WARN, "ingest", "rejected event %s/%llu: %s",
            origin, (unsigned long long)seq, ingest_reason_name(reason));
}

/* ---- up ----------------------------------------------------------------------------- */

struct run {
    envelope **e;        /* decoded events of one origin, consecutive in the batch */
    size_t n, cap;
};

/* Who may send this origin's events on this link, and may we take them? */
static int origin_admissible(store *st, MDB_txn *txn, const char *child, const char *origin)
{
    uint8_t pk[32];
    if (registry_depth_below(st, txn, origin, child) < 0)
        return REJ_FOREIGN;
    int rc = registry_key(st, txn, origin, pk);
    if (rc == JF_EINVAL)
        return REJ_REVOKED;
    if (rc)
        return REJ_FOREIGN;
    if (quarantine_is(st, txn, origin))
        return REJ_QUARANTINED;
    return -1;
}

/* Judges an event at or below our head against the copy held. The same bytes are a
 * replay (-1: harmless). Other bytes are judged only after their signature is checked: a
 * badly signed copy is refused as such and says nothing about the origin; two validly
 * signed different events are an equivocation, proved, and the origin quarantined. */
static int judge_known(store *st, MDB_txn *txn, const char *self, const envelope *e,
                       const ProtobufCBinaryData *raw, const uint8_t *pk)
{
    const Jiefen__Event *ev = e->event;
    envelope *have = NULL;
    MDB_val d;
    int rc = store_event_get(st, txn, ev->origin, ev->seq, &d);
    if (rc)
        return rc == JF_ENOTFOUND ? REJ_GAP : rc; /* below the head, not held: not ours */
    if (envelope_decode(d.mv_data, d.mv_size, &have))
        return JF_ECORRUPT;
    int same = memcmp(have->hash, e->hash, CRYPTO_HASH_LEN) == 0;
    int why = same                          ? -1
              : envelope_verify(e, pk)      ? REJ_SIGNATURE
              : envelope_verify(have, pk)   ? REJ_CHAIN /* ours does not verify: no proof */
                                            : REJ_EQUIVOCATION;
    envelope_free(&have);
    if (why == REJ_EQUIVOCATION &&
        (rc = quarantine_detected(st, txn, self, ev->origin, ev->seq, d.mv_data, d.mv_size,
                                  raw->data, raw->len)))
        return rc;
    return why;
}

/* The event and its folds; the run's caller moves the origin's head once, after the
 * last. */
static int store_event(store *st, MDB_txn *txn, const char *self, const envelope *e,
                       const uint8_t *bytes, size_t len)
{
    uint8_t key[STORE_KEY_MAX];
    MDB_val k = {store_event_key(e->event->origin, e->event->seq, key), key},
            d = {len, (void *)bytes};
    int rc = mdb_put(txn, st->events, &k, &d, 0);
    return rc ? rc : fold_event(st, txn, self, e, bytes, len, 0);
}

/* How many of the linked events, from the first, a verified signature vouches for: the
 * newest one whose signature verifies vouches for itself and, through the hash links, for
 * every event before it. One check when all is well; each one that fails is counted. */
static size_t vouched(envelope *const *e, size_t n, const uint8_t *pk,
                      struct ingest_result *res)
{
    size_t k = n;
    while (k > 0 && envelope_verify(e[k - 1], pk)) {
        reject(res, REJ_SIGNATURE, e[k - 1]->event->origin, e[k - 1]->event->seq);
        k--;
    }
    return k;
}

/* The events of the run from `i` that continue the chain from (seq, prev): how many. */
static size_t linked(struct run *r, size_t i, uint64_t seq, const uint8_t *prev)
{
    size_t end = i;
    for (; end < r->n; end++) {
        const Jiefen__Event *ev = r->e[end]->event;
        if (ev->seq != seq + 1 || memcmp(ev->prev_hash.data, prev, CRYPTO_HASH_LEN))
            break;
        seq = ev->seq;
        prev = r->e[end]->hash;
    }
    return end - i;
}

/* Checks and applies one origin's consecutive events: what we hold is judged against our
 * copy, what continues our chain is applied as far as a verified signature vouches for it,
 * and the first event that does neither ends the run. */
static int apply_run(store *st, MDB_txn *txn, const char *self, const char *child,
                     struct run *r, const Jiefen__UpBatch *b, size_t first,
                     struct ingest_result *res)
{
    const char *origin = r->e[0]->event->origin;
    int why = origin_admissible(st, txn, child, origin), rc;
    uint64_t seq;
    uint8_t prev[CRYPTO_HASH_LEN], pk[32];
    if (why >= 0) {
        reject(res, why, origin, r->e[0]->event->seq);
        return 0;
    }
    if ((rc = eventlog_head(st, txn, origin, &seq, prev)))
        return rc;
    size_t i = 0;
    while (i < r->n) {
        const ProtobufCBinaryData *raw = &b->envelopes[first + i];
        const Jiefen__Event *ev = r->e[i]->event;
        uint64_t until; /* a rebuilt origin signed with another key up to here */
        if ((rc = registry_key_at(st, txn, origin, ev->seq, pk, &until)))
            return rc;
        if (ev->seq <= seq) {
            /* Held already, from an earlier batch or earlier in this one. */
            if ((why = judge_known(st, txn, self, r->e[i], raw, pk)) < -1)
                return why;
            if (why == -1)
                res->duplicates++;
            else
                reject(res, why, origin, ev->seq);
            if (why == REJ_EQUIVOCATION)
                return 0;
            i++;
            continue;
        }
        size_t n = linked(r, i, seq, prev);
        if (n == 0) {
            reject(res, ev->seq != seq + 1 ? REJ_GAP : REJ_CHAIN, origin, ev->seq);
            return 0;
        }
        if (until != UINT64_MAX && ev->seq + n - 1 > until)
            n = (size_t)(until - ev->seq + 1); /* one key vouches for one stretch */
        size_t good = vouched(r->e + i, n, pk, res);
        for (size_t j = i; j < i + good; j++) {
            raw = &b->envelopes[first + j];
            if ((rc = store_event(st, txn, self, r->e[j], raw->data, raw->len)))
                return rc;
            res->applied++;
            seq = r->e[j]->event->seq;
            memcpy(prev, r->e[j]->hash, sizeof prev);
        }
        if (good && (rc = eventlog_head_put(st, txn, origin, seq, prev)))
            return rc;
        if (good < n)
            return 0; /* what no signature vouches for is not applied, nor what follows */
        i += n;
    }
    return 0;
}

static int run_push(struct run *r, envelope *e)
{
    envelope **grown = array_room(r->e, r->n, &r->cap, sizeof *grown, 64);
    if (!grown)
        return -ENOMEM;
    r->e = grown;
    r->e[r->n++] = e;
    return 0;
}

/* One batch, its envelopes decoded ahead (e[i] NULL: undecodable). */
static int ingest_up_txn(store *st, MDB_txn *txn, const char *self, const char *child,
                         const Jiefen__UpBatch *b, envelope *const *e,
                         struct ingest_result *res)
{
    struct run r = {0};
    size_t first = 0;
    int rc = 0;
    for (size_t i = 0; i < b->n_envelopes && rc == 0; i++) {
        /* A run ends where the origin changes or an event cannot be read. */
        if (r.n && (!e[i] || strcmp(e[i]->event->origin, r.e[0]->event->origin))) {
            rc = apply_run(st, txn, self, child, &r, b, first, res);
            r.n = 0;
        }
        if (!e[i]) {
            reject(res, REJ_UNDECODABLE, "?", 0);
            continue;
        }
        if (r.n == 0)
            first = i;
        if (rc == 0)
            rc = run_push(&r, e[i]);
    }
    if (rc == 0 && r.n)
        rc = apply_run(st, txn, self, child, &r, b, first, res);
    free(r.e);
    return rc;
}

static int ingest_down_txn(store *st, MDB_txn *txn, const char *self,
                           const Jiefen__DownBatch *b, struct ingest_result *res);

/* Up batches and their decoded envelopes, which live in mem until the group is reset
 * (no envelope is freed one by one). mem goes with the reset, so a backlog's groups leave
 * no memory behind. */
struct ingest_group {
    const Jiefen__UpBatch *b[INGEST_GROUP_MAX];
    envelope **e[INGEST_GROUP_MAX];
    size_t n;
    arena *mem;
};

ingest_group *ingest_group_new(void)
{
    return calloc(1, sizeof(ingest_group));
}

int ingest_group_add(ingest_group *g, const Jiefen__UpBatch *b)
{
    if (g->n == INGEST_GROUP_MAX)
        return JF_EINVAL;
    /* A batch's envelopes decode into about 1.5 MB; the arena goes with the group. */
    if (!g->mem && !(g->mem = arena_new(1 << 20)))
        return -ENOMEM;
    envelope **e = arena_alloc(g->mem, (b->n_envelopes + 1) * sizeof *e);
    if (!e)
        return -ENOMEM;
    for (size_t i = 0; i < b->n_envelopes; i++) {
        e[i] = NULL;
        envelope_decode_in(arena_allocator(g->mem), b->envelopes[i].data,
                           b->envelopes[i].len, &e[i]);
    }
    g->b[g->n] = b;
    g->e[g->n++] = e;
    return 0;
}

size_t ingest_group_size(const ingest_group *g)
{
    return g->n;
}

void ingest_group_reset(ingest_group *g)
{
    g->n = 0;
    arena_free(&g->mem);
}

void ingest_group_free(ingest_group **g)
{
    if (!g || !*g)
        return;
    ingest_group_reset(*g);
    free(*g);
    *g = NULL;
}

struct batch {
    store *st;
    const char *self, *child;
    const ingest_group *up;
    const Jiefen__DownBatch *down;
    struct ingest_result *res;
};

/* One write transaction (one commit, one fsync) for the batches: all of them are applied
 * with their cursors, or none. The folds' counters are gathered and written once
 * (tally.h). */
static int in_txn(struct batch *b)
{
    MDB_txn *txn;
    tally counters;
    memset(b->res, 0, sizeof *b->res);
    /* Below the free-space floor a batch is refused whole, before anything is written: the
     * sender gets no ack and sends it again later. */
    int rc = store_space_check(b->st);
    if (rc || (rc = store_txn_begin(b->st, 0, &txn)))
        return rc;
    tally_begin(b->st, txn, &counters);
    for (size_t i = 0; rc == 0 && b->up && i < b->up->n; i++)
        rc = ingest_up_txn(b->st, txn, b->self, b->child, b->up->b[i], b->up->e[i], b->res);
    if (rc == 0 && b->down)
        rc = ingest_down_txn(b->st, txn, b->self, b->down, b->res);
    int flushed = tally_end(b->st, rc == 0);
    rc = rc ? rc : flushed;
    if (rc)
        mdb_txn_abort(txn);
    else
        rc = mdb_txn_commit(txn);
    if (rc)
        memset(b->res, 0, sizeof *b->res);
    return rc;
}

int ingest_group_apply(store *st, const char *self, const char *child, const ingest_group *g,
                       struct ingest_result *res)
{
    struct batch bt = {st, self, child, g, NULL, res};
    return in_txn(&bt);
}

int ingest_up(store *st, const char *self, const char *child, const Jiefen__UpBatch *b,
              struct ingest_result *res)
{
    return ingest_up_many(st, self, child, &b, 1, res);
}

int ingest_up_many(store *st, const char *self, const char *child,
                   const Jiefen__UpBatch *const *b, size_t n, struct ingest_result *res)
{
    ingest_group *g = ingest_group_new();
    int rc = g ? 0 : -ENOMEM;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = ingest_group_add(g, b[i]);
    if (rc == 0)
        rc = ingest_group_apply(st, self, child, g, res);
    ingest_group_free(&g);
    return rc;
}

/* ---- down --------------------------------------------------------------------------- */

/* Checks one item from the parent: its signature first, then whether we hold another
 * event under its (origin, seq), which, validly signed too, is an equivocation, proved and
 * quarantined. Returns -1 to apply it, REJ_COUNT for a harmless repeat, a rejection
 * reason, or a store error (below -1). */
static int down_admissible(store *st, MDB_txn *txn, const char *self, const envelope *e,
                           const ProtobufCBinaryData *raw)
{
    uint8_t pk[32], key[STORE_KEY_MAX];
    const char *origin = e->event->origin;
    if (registry_depth_below(st, txn, self, origin) <= 0 || registry_key(st, txn, origin, pk))
        return REJ_FOREIGN;
    if (quarantine_is(st, txn, origin))
        return REJ_QUARANTINED;
    if (envelope_verify(e, pk))
        return REJ_SIGNATURE;
    MDB_val k = {store_event_key(origin, e->event->seq, key), key}, d;
    if (mdb_get(txn, st->inbox, &k, &d))
        return -1;
    envelope *have = NULL;
    if (envelope_decode(d.mv_data, d.mv_size, &have))
        return JF_ECORRUPT;
    int why = memcmp(have->hash, e->hash, CRYPTO_HASH_LEN) == 0 ? REJ_COUNT
              : envelope_verify(have, pk)                       ? REJ_CHAIN
                                                                : REJ_EQUIVOCATION;
    envelope_free(&have);
    int rc = why == REJ_EQUIVOCATION
                 ? quarantine_detected(st, txn, self, origin, e->event->seq, d.mv_data,
                                       d.mv_size, raw->data, raw->len)
                 : 0;
    return rc ? rc : why;
}

static int down_apply(store *st, MDB_txn *txn, const char *self, const envelope *e,
                      const ProtobufCBinaryData *raw)
{
    uint8_t key[STORE_KEY_MAX];
    MDB_val k = {store_event_key(e->event->origin, e->event->seq, key), key},
            d = {raw->len, raw->data};
    int rc = mdb_put(txn, st->inbox, &k, &d, 0);
    return rc ? rc : fold_event(st, txn, self, e, raw->data, raw->len, 1);
}

static int ingest_down_txn(store *st, MDB_txn *txn, const char *self,
                           const Jiefen__DownBatch *b, struct ingest_result *res)
{
    uint64_t cursor, epoch = 0;
    int rc = store_meta_get_u64(st, txn, "down_cursor", &cursor);
    if (rc == 0)
        rc = store_meta_get_u64(st, txn, "down_epoch", &epoch);
    /* A numbering of the parent's queue not seen before (it restarted, or restarts this
     * child's queue: link/downlink.c) starts where the parent says: a cursor of another
     * says nothing of it, and what came before is dropped as known by down_admissible. */
    if (rc == 0 && b->epoch && b->epoch != epoch) {
        cursor = b->first_qseq ? b->first_qseq - 1 : cursor;
        rc = store_meta_put_u64(st, txn, "down_epoch", b->epoch);
    }
    for (size_t i = 0; i < b->n_envelopes && rc == 0; i++) {
        uint64_t q = b->first_qseq + i;
        if (q <= cursor) {
            res->duplicates++;
            continue;
        }
        if (q > cursor + 1) {
            reject(res, REJ_GAP, "parent queue", q);
            break;
        }
        envelope *e = NULL;
        int why = envelope_decode(b->envelopes[i].data, b->envelopes[i].len, &e)
                      ? REJ_UNDECODABLE
                      : down_admissible(st, txn, self, e, &b->envelopes[i]);
        if (why < -1)
            rc = why;
        else if (why == REJ_COUNT)
            res->duplicates++;
        else if (why >= 0)
            reject(res, why, e ? e->event->origin : "?", e ? e->event->seq : 0);
        else if ((rc = down_apply(st, txn, self, e, &b->envelopes[i])) == 0)
            res->applied++;
        envelope_free(&e);
        /* A refused item is skipped, not retried: it would block the queue forever. */
        cursor = q;
    }
    res->down_cursor = cursor;
    return rc ? rc : store_meta_put_u64(st, txn, "down_cursor", cursor);
}

int ingest_down(store *st, const char *self, const Jiefen__DownBatch *b,
                struct ingest_result *res)
{
    struct batch bt = {st, self, NULL, NULL, b, res};
    return in_txn(&bt);
}
