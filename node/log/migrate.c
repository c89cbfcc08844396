#include "log/migrate.h"
#include "error.h"
#include "log.h"

#include <string.h>

int migrate_format(store *st, MDB_txn *txn, uint64_t *format)
{
    int rc = store_meta_get_u64(st, txn, MIGRATE_FORMAT_KEY, format);
    if (rc == 0 && *format == 0)
        *format = 1;
    return rc;
}

int migrate_stamp(store *st, MDB_txn *txn, uint64_t format)
{
    return store_meta_put_u64(st, txn, MIGRATE_FORMAT_KEY, format);
}

/* The step that makes format `to`, or NULL. */
static const struct migrate_step *step_to(const struct migrate_step *steps, size_t n,
                                          uint64_t to)
{
    for (size_t i = 0; i < n; i++)
        if (steps[i].to == to)
            return &steps[i];
    return NULL;
}

/* Every step above `from` in txn, then the new format. */
static int run_steps(store *st, MDB_txn *txn, const struct migrate_step *steps, size_t n,
                     uint64_t from, uint64_t current, const char *self, const char **failed)
{
    for (uint64_t to = from + 1; to <= current; to++) {
        const struct migrate_step *s = step_to(steps, n, to);
        if (!s)
            return JF_EINVAL;
        log_info("store", "migrating to format %llu: %s", (unsigned long long)to, s->name);
        int rc = s->run(st, txn, self);
        if (rc) {
            *failed = s->name;
            return rc;
        }
    }
    return migrate_stamp(st, txn, current);
}

int migrate_run(store *st, const struct migrate_step *steps, size_t n, uint64_t current,
                const char *self, uint64_t *from, const char **failed)
{
    *failed = NULL;
    for (;;) {
        MDB_txn *txn;
        int rc = store_txn_begin(st, 0, &txn);
        if (rc)
            return rc;
        if ((rc = migrate_format(st, txn, from)) == 0 && *from > current)
            rc = JF_ENEWER;
        if (rc == 0 && *from < current)
            rc = run_steps(st, txn, steps, n, *from, current, self, failed);
        if (rc || *from == current) {
            store_txn_abort(txn); /* nothing to do writes nothing, even on a full disk */
        } else if ((rc = store_txn_commit(txn)) == 0) {
            log_info("store", "migrated from format %llu to %llu", (unsigned long long)*from,
                     (unsigned long long)current);
        }
        if (rc != MDB_MAP_FULL)
            return rc;
        *failed = NULL;
        if ((rc = store_grow(st)))
            return rc;
    }
}
