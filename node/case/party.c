#include "case/party.h"
#include "case/caseindex.h"
#include "error.h"
#include "log/fold.h"

#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define KEY_NAME "party_key"
#define SEALED_LEN (PARTY_KEY_LEN + CRYPTO_SEAL_OVERHEAD)
#define PENDING "party_check:"
#define PENDING_LEN (sizeof PENDING - 1)

static MDB_val key_name(void)
{
    return (MDB_val){sizeof KEY_NAME - 1, KEY_NAME};
}

/* Kept sealed with the node's at-rest key, like the parties' own data. */
static int key_put(store *st, MDB_txn *txn, const crypto_identity *id,
                   const uint8_t key[PARTY_KEY_LEN])
{
    uint8_t sealed[SEALED_LEN];
    MDB_val k = key_name(), d = {sizeof sealed, sealed};
    crypto_seal(id, key, PARTY_KEY_LEN, k.mv_data, k.mv_size, sealed);
    return mdb_put(txn, st->meta, &k, &d, 0);
}

int party_key_get(store *st, MDB_txn *txn, const crypto_identity *id,
                  uint8_t key[PARTY_KEY_LEN])
{
    MDB_val k = key_name(), d;
    int rc = mdb_get(txn, st->meta, &k, &d);
    if (rc)
        return rc == MDB_NOTFOUND ? JF_ENOTFOUND : rc;
    if (d.mv_size != SEALED_LEN ||
        crypto_unseal(id, d.mv_data, d.mv_size, k.mv_data, k.mv_size, key))
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
    MDB_val k = {PENDING_LEN + n, name}, d = {0, ""};
    return mdb_put(txn, st->meta, &k, &d, 0);
}

int party_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    const Jiefen__CaseOpened *o = ev->case_opened;
    uint8_t key[PARTY_TAG_LEN + FOLD_CASE_ID_MAX];
    int rc = 0;
    for (size_t i = 0; i < o->n_party_tags && rc == 0; i++) {
        if (o->party_tags[i].len != PARTY_TAG_LEN)
            continue; /* not a tag this version makes: nothing to match it against */
        MDB_val k = {index_key(o->party_tags[i].data, ev->case_id, key, sizeof key), key},
                d = {0, ""};
        rc = k.mv_size ? mdb_put(txn, st->parties, &k, &d, 0) : JF_EINVAL;
    }
    if (rc == 0 && o->n_party_tags && strcmp(ev->origin, self))
        rc = queue(st, txn, ev->case_id);
    return rc;
}

int party_each_case(store *st, MDB_txn *txn, const uint8_t tag[PARTY_TAG_LEN],
                    int (*fn)(const char *case_id, void *arg), void *arg)
{
    MDB_cursor *c;
    MDB_val k = {PARTY_TAG_LEN, (void *)tag}, d;
    char id[FOLD_CASE_ID_MAX + 1];
    int rc = mdb_cursor_open(txn, st->parties, &c), stop = 0;
    if (rc)
        return rc;
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0 && !stop;
         rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        size_t n = k.mv_size - PARTY_TAG_LEN;
        if (k.mv_size <= PARTY_TAG_LEN || memcmp(k.mv_data, tag, PARTY_TAG_LEN) ||
            n >= sizeof id)
            break;
        memcpy(id, (char *)k.mv_data + PARTY_TAG_LEN, n);
        id[n] = '\0';
        stop = fn(id, arg);
    }
    mdb_cursor_close(c);
    if (stop)
        return stop;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

int party_pending_next(store *st, MDB_txn *txn, char case_id[FOLD_CASE_ID_MAX + 1])
{
    MDB_cursor *c;
    MDB_val k = {PENDING_LEN, PENDING}, d;
    int rc = mdb_cursor_open(txn, st->meta, &c);
    if (rc)
        return rc;
    rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE);
    if (rc == 0 && (k.mv_size <= PENDING_LEN || memcmp(k.mv_data, PENDING, PENDING_LEN)))
        rc = MDB_NOTFOUND;
    if (rc == 0) {
        size_t n = k.mv_size - PENDING_LEN; /* queue() keeps it within FOLD_CASE_ID_MAX */
        n = n > FOLD_CASE_ID_MAX ? FOLD_CASE_ID_MAX : n;
        memcpy(case_id, (char *)k.mv_data + PENDING_LEN, n);
        case_id[n] = '\0';
        rc = mdb_cursor_del(c, 0);
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? JF_ENOTFOUND : rc;
}
