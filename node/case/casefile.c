#include "case/casefile.h"
#include "array.h"
#include "envelope.h"
#include "error.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* A part stored here at intake: decrypt with the at-rest key. */
/* Each reader returns the plain bytes, or NULL with *err set to -ENOMEM if memory ran
 * out (a part left out of a move would be lost to the new holder) and left as it is when
 * the part simply is not there. */
static uint8_t *from_store(store *st, MDB_txn *txn, const crypto_identity *id,
                           const Jiefen__Event *ev, size_t *len, int *err)
{
    uint8_t key[STORE_KEY_MAX];
    size_t klen = store_event_key(ev->origin, ev->seq, key);
    MDB_val d;
    if (store_get(txn, st->sealed, key, klen, &d) || d.mv_size < CRYPTO_SEAL_OVERHEAD)
        return NULL;
    *len = d.mv_size - CRYPTO_SEAL_OVERHEAD;
    uint8_t *plain = malloc(*len ? *len : 1);
    if (!plain)
        *err = -ENOMEM;
    else if (crypto_unseal(id, d.mv_data, d.mv_size, key, klen, plain)) {
        free(plain);
        return NULL;
    }
    return plain;
}

int casefile_own_part(store *st, MDB_txn *txn, const crypto_identity *id, const char *origin,
                      uint64_t seq, uint8_t **out, size_t *len)
{
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    int err = 0;
    ev.origin = (char *)origin;
    ev.seq = seq;
    *out = from_store(st, txn, id, &ev, len, &err);
    return err;
}

/* A part that came inside a move to this node. */
static uint8_t *from_copy(const Jiefen__CaseMoved *m, const crypto_identity *id,
                          const Jiefen__Event *ev, size_t *len, int *err)
{
    uint8_t pk[32], sk[32];
    uint8_t *plain = NULL;
    crypto_curve_keys(id, pk, sk);
    for (size_t i = 0; i < m->n_copies && !plain; i++) {
        const Jiefen__SealedCopy *c = m->copies[i];
        if (c->seq != ev->seq || strcmp(c->origin, ev->origin) ||
            c->box.len < crypto_box_SEALBYTES)
            continue;
        *len = c->box.len - crypto_box_SEALBYTES;
        if (!(plain = malloc(*len ? *len : 1))) {
            *err = -ENOMEM;
            break;
        }
        if (crypto_box_seal_open(plain, c->box.data, c->box.len, pk, sk)) {
            free(plain);
            plain = NULL;
        }
    }
    crypto_wipe(sk, sizeof sk);
    return plain;
}

static int hash_matches(const Jiefen__Event *ev, const uint8_t *plain, size_t len)
{
    uint8_t h[CRYPTO_HASH_LEN];
    crypto_blake2b(plain, len, h);
    return ev->sealed_hash.len == CRYPTO_HASH_LEN &&
           memcmp(h, ev->sealed_hash.data, CRYPTO_HASH_LEN) == 0;
}

static envelope *event_at(store *st, MDB_txn *txn, const Jiefen__CaseView *v, size_t i)
{
    MDB_val d;
    envelope *e = NULL;
    if (store_event_get(st, txn, v->event_origins[i], v->event_seqs[i], &d) == 0)
        envelope_decode(d.mv_data, d.mv_size, &e);
    return e;
}

/* Looks for the part of ev in every move of the file addressed to this node. */
static uint8_t *from_moves(store *st, MDB_txn *txn, const crypto_identity *id,
                           const char *self, const Jiefen__CaseView *v,
                           const Jiefen__Event *ev, size_t *len, int *err)
{
    uint8_t *plain = NULL;
    for (size_t i = 0; i < v->n_event_origins && !plain && !*err; i++) {
        envelope *m = event_at(st, txn, v, i);
        if (m && m->event->body_case == JIEFEN__EVENT__BODY_CASE_MOVED &&
            strcmp(m->event->case_moved->to, self) == 0)
            plain = from_copy(m->event->case_moved, id, ev, len, err);
        envelope_free(&m);
    }
    return plain;
}

int casefile_each(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                  const Jiefen__CaseView *v,
                  int (*fn)(const Jiefen__Event *, const uint8_t *, size_t, void *), void *arg)
{
    int rc = 0;
    for (size_t i = 0; i < v->n_event_origins && rc == 0; i++) {
        envelope *e = event_at(st, txn, v, i);
        if (!e || !e->event->sealed_hash.len) {
            envelope_free(&e);
            continue;
        }
        size_t len = 0;
        uint8_t *plain = from_store(st, txn, id, e->event, &len, &rc);
        if (!plain && rc == 0)
            plain = from_moves(st, txn, id, self, v, e->event, &len, &rc);
        if (plain && hash_matches(e->event, plain, len))
            rc = fn(e->event, plain, len, arg);
        if (plain)
            crypto_wipe(plain, len);
        free(plain);
        envelope_free(&e);
    }
    return rc;
}

struct copies {
    uint8_t curve_pk[32];
    Jiefen__SealedCopy **c;
    size_t n, cap;
};

static int add_copy(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    struct copies *cs = arg;
    Jiefen__SealedCopy **grown = array_room(cs->c, cs->n, &cs->cap, sizeof *grown, 8);
    if (!grown)
        return -ENOMEM;
    cs->c = grown;
    Jiefen__SealedCopy *c = calloc(1, sizeof *c);
    if (!c)
        return -ENOMEM;
    jiefen__sealed_copy__init(c);
    c->seq = ev->seq;
    c->box.len = len + crypto_box_SEALBYTES;
    c->origin = strdup(ev->origin);
    c->box.data = malloc(c->box.len);
    grown[cs->n++] = c;
    if (!c->origin || !c->box.data)
        return -ENOMEM;
    return crypto_box_seal(c->box.data, plain, len, cs->curve_pk) ? JF_ECRYPTO : 0;
}

int casefile_copies(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                    const Jiefen__CaseView *v, const uint8_t to_pk[32],
                    Jiefen__SealedCopy ***out, size_t *n)
{
    struct copies cs = {{0}, NULL, 0, 0};
    int rc = crypto_curve_pk(to_pk, cs.curve_pk) ? JF_ECRYPTO : 0;
    if (rc == 0)
        rc = casefile_each(st, txn, id, self, v, add_copy, &cs);
    if (rc) {
        casefile_copies_free(cs.c, cs.n);
        cs.c = NULL;
        cs.n = 0;
    }
    *out = cs.c;
    *n = cs.n;
    return rc;
}

void casefile_copies_free(Jiefen__SealedCopy **c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!c[i])
            continue;
        free(c[i]->origin);
        free(c[i]->box.data);
        free(c[i]);
    }
    free(c);
}
