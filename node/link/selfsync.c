/* selfsync — fetching this node's own chain back from its parent (see selfsync.h). */
#include "link/selfsync.h"
#include "crypto.h"
#include "link/link.h"
#include "log/eventlog.h"

int selfsync_needed(store *st, const char *self, uint64_t *from)
{
    MDB_txn *txn;
    uint64_t floor = 0, head = 0;
    uint8_t hash[CRYPTO_HASH_LEN];
    int rc = store_txn_begin(st, MDB_RDONLY, &txn);
    if (rc)
        return rc;
    if ((rc = store_meta_get_u64(st, txn, EVENTLOG_CHAIN_FLOOR, &floor)) == 0)
        rc = eventlog_head(st, txn, self, &head, hash);
    store_txn_abort(txn);
    *from = head + 1;
    return rc ? rc : head < floor;
}

void selfsync_want(uint64_t from, Jiefen__LinkMessage *m, Jiefen__RebuildWant *w)
{
    jiefen__rebuild_want__init(w);
    w->from_seq = from;
    jiefen__link_message__init(m);
    m->kind_case = JIEFEN__LINK_MESSAGE__KIND_REBUILD_WANT;
    m->rebuild_want = w;
}

size_t selfsync_answer(MDB_txn *txn, store *st, const char *child, const Jiefen__RebuildWant *w,
                       Jiefen__LinkMessage *m, Jiefen__UpBatch *b, ProtobufCBinaryData *env)
{
    size_t bytes = 0;
    jiefen__up_batch__init(b);
    b->envelopes = env;
    b->n_envelopes = w->from_seq ? link_batch(txn, st->events, child, w->from_seq, env,
                                              LINK_BATCH_EVENTS, &bytes)
                                 : 0;
    jiefen__link_message__init(m);
    m->kind_case = JIEFEN__LINK_MESSAGE__KIND_REBUILD_BATCH;
    m->rebuild_batch = b;
    return b->n_envelopes;
}

int selfsync_take(store *st, const char *self, const Jiefen__UpBatch *b,
                  struct ingest_result *res)
{
    int rc;
    while ((rc = ingest_up(st, self, self, b, res)) == MDB_MAP_FULL && store_grow(st) == 0)
        ;
    return rc;
}
