/*
 * migrate — the store's format version and the numbered migrations that bring an older
 * store up to it.
 *
 * The format is a u64 in meta under "format". A store without it was made before formats
 * were recorded: format 1. A new store is stamped with the current format when it is made
 * (migrate_stamp). Opening a store (migrate_run):
 *   - a format above `current` is refused (JF_ENEWER) and nothing is written: an older
 *     release must not guess at a newer layout;
 *   - a format below it runs every step numbered above it, in order, in ONE write
 *     transaction with the new format: all steps or none (a crash, an error or a full disk
 *     leaves the store as it was, and the next start begins again). Each step is logged.
 *     On MDB_MAP_FULL the transaction is aborted, the map grown and every step replayed,
 *     so a step must not change anything outside the transaction it is given.
 * The log knows no domain: the steps are the caller's (the wiring's list).
 */
#ifndef JIEFEN_MIGRATE_H
#define JIEFEN_MIGRATE_H

#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define MIGRATE_FORMAT_KEY "format"

/* One step: run in txn, it makes a store of format `to - 1` one of format `to`. `self`
 * is this node's id. Returns 0 or a negative code. */
struct migrate_step {
    uint64_t to;
    const char *name;
    int (*run)(store *st, MDB_txn *txn, const char *self);
};

/* The store's format in txn into *format (1 when not recorded). 0 or a store error. */
int migrate_format(store *st, MDB_txn *txn, uint64_t *format);

/* Records `format` in txn (for a store just made). 0 or a store error. */
int migrate_stamp(store *st, MDB_txn *txn, uint64_t format);

/* Brings the store to format `current` with steps[0..n) (ordered by `to`; each format from
 * 2 to `current` must have its step). *from gets the format found. Returns 0 (also when
 * nothing was to do), JF_ENEWER (format above current: nothing written), JF_EINVAL (a step
 * is missing), the failing step's code (then *failed names it; nothing written), or a
 * store error. */
int migrate_run(store *st, const struct migrate_step *steps, size_t n, uint64_t current,
                const char *self, uint64_t *from, const char **failed);

#endif
