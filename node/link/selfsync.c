/* selfsync — a node's own chain back from its parent (selfsync.h). */
#include "link/selfsync.h"
#include "crypto.h"
#include "link/link.h"
#include "log.h"
#include "log/eventlog.h"
#include "log/ingest.h"

#include <string.h>

/* Clears the restored mark: this node's chain is whole again. */
static int caught_up(store *st, uint64_t head)
{
    MDB_txn *txn;
    int rc = store_txn_begin(st, 0, &txn);
    if (rc)
        return rc;
    if ((rc = eventlog_set_restored(st, txn, 0)) == 0)
        rc = store_txn_commit(txn);
    else
        store_txn_abort(txn);
    if (rc == 0)
        log_info("selfsync", "caught up with the parent at seq %llu: writes resume",
                 (unsigned long long)head);
    return rc;
}

/* Whether this node must fetch its own chain back (restored from a backup, or rebuilt and
 * still below its chain floor), and its own head. */
static int own_state(store *st, const char *self, int *restored, uint64_t *head)
{
    MDB_txn *txn;
    uint8_t hash[CRYPTO_HASH_LEN];
    uint64_t floor = 0;
    int rc = store_txn_begin(st, MDB_RDONLY, &txn);
    if (rc)
        return rc;
    if ((rc = eventlog_restored(st, txn, restored)) == 0)
        rc = eventlog_head(st, txn, self, head, hash);
    if (rc == 0)
        rc = store_meta_get_u64(st, txn, EVENTLOG_CHAIN_FLOOR, &floor);
    store_txn_abort(txn);
    *restored = *restored || *head < floor;
    return rc;
}

/* Caught up at the parent's head, or the want for what follows ours. */
static int next_step(store *st, uint64_t head, uint64_t parent_head, Jiefen__SelfsyncWant *want)
{
    if (parent_head <= head)
        return caught_up(st, head);
    jiefen__selfsync_want__init(want);
    want->from_seq = head + 1;
    return 1;
}

int selfsync_on_heads(store *st, const char *self, const Jiefen__Heads *h,
                      Jiefen__SelfsyncWant *want)
{
    int restored = 0;
    uint64_t head = 0, parent_head = 0;
    int rc = own_state(st, self, &restored, &head);
    if (rc || !restored || !h->resync)
        return rc;
    for (size_t i = 0; i < h->n_origins && i < h->n_seqs; i++)
        if (strcmp(h->origins[i], self) == 0)
            parent_head = h->seqs[i];
    if (parent_head > head)
        log_info("selfsync", "restored at seq %llu, the parent holds %llu: fetching them "
                 "back before writing", (unsigned long long)head,
                 (unsigned long long)parent_head);
    return next_step(st, head, parent_head, want);
}

int selfsync_serve(store *st, MDB_txn *txn, const char *child, const Jiefen__SelfsyncWant *w,
                   Jiefen__SelfsyncBatch *b, ProtobufCBinaryData *env)
{
    uint8_t hash[CRYPTO_HASH_LEN];
    size_t bytes = 0;
    jiefen__selfsync_batch__init(b);
    int rc = eventlog_head(st, txn, child, &b->head, hash);
    if (rc == 0 && w->from_seq >= 1 && w->from_seq <= b->head)
        b->n_envelopes = link_batch(txn, st->events, child, w->from_seq, env,
                                    LINK_BATCH_EVENTS, &bytes);
    b->envelopes = env;
    return rc;
}

int selfsync_take(store *st, const char *self, const Jiefen__SelfsyncBatch *b,
                  Jiefen__SelfsyncWant *want, unsigned *applied)
{
    int restored = 0;
    uint64_t head = 0;
    struct ingest_result res;
    *applied = 0;
    int rc = own_state(st, self, &restored, &head);
    if (rc || !restored)
        return rc;
    Jiefen__UpBatch up = JIEFEN__UP_BATCH__INIT;
    up.envelopes = b->envelopes;
    up.n_envelopes = b->n_envelopes;
    if (b->n_envelopes && (rc = ingest_up(st, self, self, &up, &res)))
        return rc;
    *applied = b->n_envelopes ? res.applied : 0;
    if ((rc = own_state(st, self, &restored, &head)))
        return rc;
    if (b->n_envelopes && !*applied && head < b->head) {
        log_error("selfsync", "the parent's copy of this node's chain does not continue it "
                  "at seq %llu: still refusing writes", (unsigned long long)head + 1);
        return 0;
    }
    return next_step(st, head, b->head, want);
}
