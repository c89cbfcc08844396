/*
 * tally — counters a write transaction gathers in memory and writes once, before its
 * commit: a transaction that folds thousands of received events (log/ingest.h) reads and
 * writes each counter once, not once per event, where each is two of the dearest LMDB
 * operations of a received case.
 *
 * tally_begin attaches a tally to the store for one top-level write transaction; tally_add
 * then moves a counter as that transaction sees it (its first touch reads the store);
 * tally_end writes them into the transaction (flush, before the commit) or drops them
 * (before an abort). Without a tally, tally_add reads and writes at once.
 *
 * The rules that make it safe: the thread that began a tally ends it on every path before
 * its transaction commits or aborts (LMDB gives every top-level write transaction the
 * same handle, so a tally left attached would be taken for the next one's); no nested
 * transaction is begun under it (one would write past the tally); while one is attached,
 * its counters are moved only through tally_add, and read only by other (read)
 * transactions. LMDB has one writer at a time, and its writer lock orders the attaching
 * and detaching with every other writer's tally_add, so one tally per store suffices.
 * Write transactions only.
 */
#ifndef JIEFEN_TALLY_H
#define JIEFEN_TALLY_H

#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define TALLY_MAX 32     /* counters held; past it, the next ones are read and written at once */
#define TALLY_KEY_MAX 40

struct tally_counter {
    MDB_dbi dbi;
    int codec;
    size_t klen;
    uint8_t key[TALLY_KEY_MAX];
    uint64_t value, read;         /* now, and as read from the store */
};

typedef struct tally {
    MDB_txn *txn;
    size_t n;
    struct tally_counter c[TALLY_MAX];
} tally;

/* Attaches t (the caller's, e.g. on its stack) to s for write transaction txn; s has none
 * attached. */
void tally_begin(store *s, MDB_txn *txn, tally *t);

/* Detaches s's tally; with flush, first writes the counters it moved into its
 * transaction. 0 or the store's error (the transaction must then be aborted). */
int tally_end(store *s, int flush);

/* Moves the counter under (dbi, key), stored as codec says (store_counter_get), by delta,
 * never below 0, in txn (delta 0 only reads); *now (may be NULL) gets its new value. 0 or
 * the store's error. */
int tally_add(store *s, MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, int codec,
              int64_t delta, uint64_t *now);

#endif
