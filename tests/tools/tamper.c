/*
 * tamper — damages a stopped node's store the ways an attacker or a bad disk would, so the
 * tests can show that `verify` notices. Not installed; test use only.
 *
 *   tamper DIR delete ORIGIN SEQ    remove one event (a gap)
 *   tamper DIR relink ORIGIN SEQ    re-sign the event with a wrong prev_hash, using the
 *                                   node's own key: every signature checks, the chain not
 *   tamper DIR format N -           record store format N (a store from a newer release)
 *   tamper DIR empty DB -           empty database DB (an index a store made before it
 *                                   lacks)
 */
#include "envelope.h"
#include "log/migrate.h"
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int relink(store *st, MDB_txn *txn, MDB_val *k, const char *dir)
{
    char path[4200];
    crypto_identity *id;
    snprintf(path, sizeof path, "%s/node.key", dir);
    if (crypto_identity_load(path, &id))
        return 1;
    MDB_val d;
    envelope *e = NULL;
    if (mdb_get(txn, st->events, k, &d) || envelope_decode(d.mv_data, d.mv_size, &e))
        return 1;
    e->event->prev_hash.data[0] ^= 0xff;
    uint8_t *bytes, hash[CRYPTO_HASH_LEN];
    size_t len;
    int rc = envelope_sign(id, e->event, &bytes, &len, hash);
    MDB_val nd = {len, bytes};
    if (rc == 0)
        rc = mdb_put(txn, st->events, k, &nd, 0);
    free(bytes);
    envelope_free(&e);
    crypto_identity_free(&id);
    return rc != 0;
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: tamper DIR delete|relink ORIGIN SEQ | format N - | empty DB -\n");
        return 2;
    }
    char path[4200];
    store *st;
    MDB_txn *txn;
    uint8_t key[STORE_KEY_MAX];
    snprintf(path, sizeof path, "%s/store", argv[1]);
    if (crypto_init() || store_open(path, 1 << 20, 0, &st) || store_txn_begin(st, 0, &txn))
        return 1;
    int rc;
    if (strcmp(argv[2], "format") == 0) {
        rc = migrate_stamp(st, txn, strtoull(argv[3], NULL, 10)) != 0;
    } else if (strcmp(argv[2], "empty") == 0) {
        MDB_dbi dbi;
        rc = mdb_dbi_open(txn, argv[3], 0, &dbi) || mdb_drop(txn, dbi, 0);
    } else {
        MDB_val k = {store_event_key(argv[3], strtoull(argv[4], NULL, 10), key), key};
        rc = strcmp(argv[2], "delete") == 0 ? mdb_del(txn, st->events, &k, NULL) != 0
                                            : relink(st, txn, &k, argv[1]);
    }
    if (rc == 0)
        rc = mdb_txn_commit(txn) != 0;
    else
        mdb_txn_abort(txn);
    store_close(&st);
    if (rc)
        fprintf(stderr, "tamper: failed\n");
    return rc;
}
