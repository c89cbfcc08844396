/*
 * backup — a consistent copy of a running node's data directory, and a new data directory
 * made from one (`jiefend restore`).
 *
 * A backup is a directory (mode 0700, every file 0600):
 *   store/data.mdb   LMDB's compacting copy of the store (one read snapshot, taken while
 *                    the node goes on writing)
 *   jiefend.conf, node.key, admin.token, search.key, ...: the data directory's own files
 *                    (not jiefend.pid nor jiefend.addr)
 *   docs/            the documents' blobs (finished ones; not tmp/ nor partial/)
 *   manifest.json    {"backup": 1, "node_id", "node_name", "store_format", "time_ms",
 *                     "heads": {origin: last seq}}: the chain heads of the snapshot the
 *                     manifest was read from (at most the copy's: it is read first)
 * It is written under OUT.tmp-PID-N, fsynced file by file and directory by directory, then
 * renamed to OUT: a directory at OUT is always whole. A failed backup leaves nothing.
 *
 * A restored node starts "restored, not yet caught up" (eventlog_restored): it may be
 * older than what its parent already holds of its own chain, so it must not append events
 * until the link has brought its own missing events back (link/selfsync.h).
 * Errors are negative: -errno, JF_EEXIST (OUT exists, the target is not empty), JF_EINVAL
 * (not a backup: the message names why), JF_ENEWER (a store newer than this release), or
 * an LMDB code.
 */
#ifndef JIEFEN_BACKUP_H
#define JIEFEN_BACKUP_H

#include "store.h"

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define BACKUP_MANIFEST "manifest.json"

/* What a backup says of itself. */
struct backup_info {
    const char *node_id;
    const char *node_name;
    uint64_t store_format;
};

/* What a finished backup is. */
struct backup_result {
    char path[PATH_MAX];     /* the backup's directory */
    uint64_t bytes;          /* bytes of its files */
    int64_t time_ms;         /* when it was made */
};

/* Copies the node whose store is st and data directory data_dir into the new directory
 * out, on a thread other than the loop's, txn a read transaction of st held around the
 * call (store_read_begin: the map is not moved while LMDB copies it). The manifest's heads
 * are read in txn. Fills *res. 0 or an error; on error nothing is left at out. */
int backup_make(store *st, MDB_txn *txn, const char *data_dir, const char *out,
                const struct backup_info *info, struct backup_result *res);

/* Makes the new data directory data_dir (absent or empty, else JF_EEXIST) from the backup
 * in from, whose manifest must name a node and a store format at most max_format (else
 * JF_EINVAL, JF_ENEWER), and marks its store restored. The reason of a refusal in Chinese
 * goes into msg (len bytes). 0 or an error; on error data_dir is left as it was found. */
int backup_restore(const char *from, const char *data_dir, uint64_t max_format, char *msg,
                   size_t len);

/* 1 if dir is absent or an empty directory (a node may be made there: init, restore), 0 if
 * it has entries, -errno otherwise. */
int backup_dir_fresh(const char *dir);

/* Removes the oldest directories named "backup-*" in dir beyond the newest `keep`. The
 * number removed, or -errno. */
int backup_prune(const char *dir, int keep);

#endif
