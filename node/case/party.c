#include "case/party.h"
#include "case/caseindex.h"
#include "error.h"
#include "log/fold.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define KEY_NAME "party_key"
#define KEY_NAME_LEN (sizeof KEY_NAME - 1)
#define SEALED_LEN (PARTY_KEY_LEN + CRYPTO_SEAL_OVERHEAD)
#define PENDING "party_check:"
#define PENDING_LEN (sizeof PENDING - 1)

/* Kept sealed with the node's at-rest key, like the parties' own data. */
static int key_put(store *st, MDB_txn *txn, const crypto_identity *id,
                   const uint8_t key[PARTY_KEY_LEN])
{
    uint8_t sealed[SEALED_LEN];
    crypto_seal(id, key, PARTY_KEY_LEN, (const uint8_t *)KEY_NAME, KEY_NAME_LEN, sealed);
    return store_put(txn, st->meta, KEY_NAME, KEY_NAME_LEN, sealed, sizeof sealed, 0);
}

int party_key_get(store *st, MDB_txn *txn, const crypto_identity *id,
                  uint8_t key[PARTY_KEY_LEN])
{
    MDB_val d;
    int rc = store_get(txn, st->meta, KEY_NAME, KEY_NAME_LEN, &d);
    if (rc)
        return rc;
    if (d.mv_size != SEALED_LEN ||
        crypto_unseal(id, d.mv_data, d.mv_size, (const uint8_t *)KEY_NAME, KEY_NAME_LEN, key))
        return JF_ECORRUPT;
    return 0;
}

int party_key_create(store *st, MDB_txn *txn, const crypto_identity *id)
{
    uint8_t key[PARTY_KEY_LEN];
    int rc = party_key_get(st, txn, id, key);
    if (rc != JF_ENOTFOUND) {
        crypto_wipe(key, sizeof key);
        return rc ? rc : JF_EINVAL;
    }
    crypto_random(key, sizeof key);
    rc = key_put(st, txn, id, key);
    crypto_wipe(key, sizeof key);
    return rc;
}

int party_key_box(store *st, MDB_txn *txn, const crypto_identity *id,
                  const uint8_t child_pk[32], ProtobufCBinaryData *out)
{
    uint8_t key[PARTY_KEY_LEN], curve[32];
    out->len = 0;
    out->data = NULL;
    int rc = party_key_get(st, txn, id, key);
    if (rc)
        return rc == JF_ENOTFOUND ? 0 : rc;
    if (crypto_curve_pk(child_pk, curve))
        rc = JF_ECRYPTO;
    else if (!(out->data = malloc(PARTY_KEY_LEN + crypto_box_SEALBYTES)))
        rc = -ENOMEM;
    else if (crypto_box_seal(out->data, key, PARTY_KEY_LEN, curve))
        rc = JF_ECRYPTO;
    else
        out->len = PARTY_KEY_LEN + crypto_box_SEALBYTES;
    crypto_wipe(key, sizeof key);
    if (rc) {
        free(out->data);
        out->data = NULL;
    }
    return rc;
}

int party_key_install(store *st, MDB_txn *txn, const crypto_identity *id,
                      const ProtobufCBinaryData *box)
{
    uint8_t key[PARTY_KEY_LEN], pk[32], sk[32];
    if (!box->len)
        return 0;
    if (box->len != PARTY_KEY_LEN + crypto_box_SEALBYTES)
        return JF_ECRYPTO;
    crypto_curve_keys(id, pk, sk);
    int rc = crypto_box_seal_open(key, box->data, box->len, pk, sk) ? JF_ECRYPTO : 0;
    crypto_wipe(sk, sizeof sk);
    if (rc == 0)
        rc = key_put(st, txn, id, key);
    crypto_wipe(key, sizeof key);
    return rc;
}

void party_tag(const uint8_t key[PARTY_KEY_LEN], const char *id_number,
               uint8_t tag[PARTY_TAG_LEN])
{
    crypto_generichash(tag, PARTY_TAG_LEN, (const uint8_t *)id_number, strlen(id_number), key,
                       PARTY_KEY_LEN);
}

static size_t index_key(const uint8_t *tag, const char *case_id, uint8_t *buf, size_t cap)
{
    size_t n = strlen(case_id);
    if (PARTY_TAG_LEN + n > cap)
        return 0;
    memcpy(buf, tag, PARTY_TAG_LEN);
    memcpy(buf + PARTY_TAG_LEN, case_id, n);
    return PARTY_TAG_LEN + n;
}

static int queue(store *st, MDB_txn *txn, const char *case_id)
{
    char name[PENDING_LEN + FOLD_CASE_ID_MAX];
    size_t n = strlen(case_id);
    if (n > FOLD_CASE_ID_MAX)
        return JF_EINVAL;
    memcpy(name, PENDING, PENDING_LEN);
    memcpy(name + PENDING_LEN, case_id, n);
    return store_put(txn, st->meta, name, PENDING_LEN + n, "", 0, 0);
}

int party_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    const Jiefen__CaseOpened *o = ev->case_opened;
    uint8_t key[PARTY_TAG_LEN + FOLD_CASE_ID_MAX];
    int rc = 0;
    for (size_t i = 0; i < o->n_party_tags && rc == 0; i++) {
        if (o->party_tags[i].len != PARTY_TAG_LEN)
            continue; /* not a tag this version makes: nothing to match it against */
        size_t n = index_key(o->party_tags[i].data, ev->case_id, key, sizeof key);
        rc = n ? store_put(txn, st->parties, key, n, "", 0, 0) : JF_EINVAL;
    }
    if (rc == 0 && o->n_party_tags && strcmp(ev->origin, self))
        rc = queue(st, txn, ev->case_id);
    return rc;
}

struct each_case {
    int (*fn)(const char *case_id, void *arg);
    void *arg;
    int stop;     /* fn's non-zero return */
};

static int each_case(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct each_case *e = arg;
    char id[FOLD_CASE_ID_MAX + 1];
    size_t n = k->mv_size - PARTY_TAG_LEN;
    (void)d;
    if (k->mv_size <= PARTY_TAG_LEN || n >= sizeof id)
        return STORE_STOP;
    memcpy(id, (char *)k->mv_data + PARTY_TAG_LEN, n);
    id[n] = '\0';
    e->stop = e->fn(id, e->arg);
    return e->stop ? STORE_STOP : 0;
}

int party_each_case(store *st, MDB_txn *txn, const uint8_t tag[PARTY_TAG_LEN],
                    int (*fn)(const char *case_id, void *arg), void *arg)
{
    struct each_case e = {fn, arg, 0};
    struct store_range r = {.prefix = tag, .prefix_len = PARTY_TAG_LEN};
    int rc = store_walk(txn, st->parties, &r, each_case, &e);
    return e.stop ? e.stop : rc;
}

int party_pending_next(store *st, MDB_txn *txn, char case_id[FOLD_CASE_ID_MAX + 1])
{
    char key[511]; /* LMDB's longest key; a copy, as the key is deleted below */
    MDB_val k, v;
    struct store_range r = {.prefix = PENDING, .prefix_len = PENDING_LEN};
    int rc = store_first(txn, st->meta, &r, &k, &v);
    if (rc || k.mv_size <= PENDING_LEN)
        return rc ? rc : JF_ENOTFOUND;
    size_t len = k.mv_size < sizeof key ? k.mv_size : sizeof key;
    size_t n = len - PENDING_LEN; /* queue() keeps it within FOLD_CASE_ID_MAX */
    memcpy(key, k.mv_data, len);
    n = n > FOLD_CASE_ID_MAX ? FOLD_CASE_ID_MAX : n;
    memcpy(case_id, key + PENDING_LEN, n);
    case_id[n] = '\0';
    return store_del(txn, st->meta, key, len);
}
