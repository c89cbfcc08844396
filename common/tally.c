#include "tally.h"
#include "error.h"

#include <assert.h>
#include <string.h>

/* The writer lock orders the writers' accesses; atomics keep them defined in C's model. */
static tally *attached(store *s)
{
    return __atomic_load_n(&s->tally, __ATOMIC_RELAXED);
}

static void attach(store *s, tally *t)
{
    __atomic_store_n(&s->tally, t, __ATOMIC_RELAXED);
}

void tally_begin(store *s, MDB_txn *txn, tally *t)
{
    assert(!attached(s)); /* one ends on every path before its transaction does */
    t->txn = txn;
    t->n = 0;
    attach(s, t);
}

int tally_end(store *s, int flush)
{
    tally *t = attached(s);
    int rc = 0;
    attach(s, NULL);
    for (size_t i = 0; t && flush && rc == 0 && i < t->n; i++) {
        const struct tally_counter *c = &t->c[i];
        if (c->value != c->read)
            rc = store_counter_put(t->txn, c->dbi, c->key, c->klen, c->codec, c->value);
    }
    return rc;
}

static uint64_t moved(uint64_t v, int64_t delta)
{
    uint64_t down = 0 - (uint64_t)delta; /* defined for INT64_MIN too */
    if (delta < 0)
        return down > v ? 0 : v - down;
    return v + (uint64_t)delta;
}

/* The tally's counter for (dbi, key), read in on its first touch; NULL when txn has no
 * tally or it is full. */
static struct tally_counter *held(store *s, MDB_txn *txn, MDB_dbi dbi, const void *key,
                                  size_t klen, int codec, int *rc)
{
    tally *t = attached(s);
    *rc = 0;
    if (!t || klen > TALLY_KEY_MAX)
        return NULL;
    assert(t->txn == txn); /* no nested transaction under a tally */
    for (size_t i = 0; i < t->n; i++)
        if (t->c[i].dbi == dbi && t->c[i].klen == klen && memcmp(t->c[i].key, key, klen) == 0)
            return &t->c[i];
    if (t->n == TALLY_MAX)
        return NULL;
    struct tally_counter *c = &t->c[t->n];
    if ((*rc = store_counter_get(txn, dbi, key, klen, codec, &c->value)))
        return NULL;
    c->read = c->value;
    c->dbi = dbi, c->codec = codec, c->klen = klen;
    memcpy(c->key, key, klen);
    t->n++;
    return c;
}

int tally_add(store *s, MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, int codec,
              int64_t delta, uint64_t *now)
{
    int rc;
    uint64_t v;
    struct tally_counter *c = held(s, txn, dbi, key, klen, codec, &rc);
    if (rc)
        return rc;
    if (c) {
        c->value = moved(c->value, delta);
        v = c->value;
    } else if ((rc = store_counter_get(txn, dbi, key, klen, codec, &v)) ||
               (delta && (rc = store_counter_put(txn, dbi, key, klen, codec,
                                                 v = moved(v, delta))))) {
        return rc;
    }
    if (now)
        *now = v;
    return 0;
}
