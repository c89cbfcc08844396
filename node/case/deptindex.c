/* deptindex — the cases of each department routed here (deptindex.h). */
#include "case/deptindex.h"
#include "case/case.h"
#include "error.h"

#include <string.h>

#define KEY_MAX 511 /* LMDB's longest key */

/* department "\0" case id; its length, or 0 when too long. */
static size_t entry_key(const char *dept, const char *case_id, uint8_t *key)
{
    size_t d = strlen(dept), c = strlen(case_id);
    if (!d || d + 1 + c > KEY_MAX)
        return 0;
    memcpy(key, dept, d + 1);
    memcpy(key + d + 1, case_id, c);
    return d + 1 + c;
}

int deptindex_update(store *st, MDB_txn *txn, const char *self, const Jiefen__CaseView *v)
{
    uint8_t key[KEY_MAX];
    int rc = 0;
    for (size_t i = 0; v->dept && i < v->dept->n_parts && rc == 0; i++) {
        const Jiefen__DeptPart *p = v->dept->parts[i];
        size_t n = strcmp(p->node, self) ? 0 : entry_key(p->department, v->case_id, key);
        if (n)
            rc = store_put(txn, st->deptq, key, n, "", 0, 0);
    }
    return rc;
}

struct fill {
    store *st;
    MDB_txn *txn;
    const char *self;
};

static int fill_one(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct fill *f = arg;
    (void)k;
    Jiefen__CaseView *v = case_view_decode(d->mv_data, d->mv_size);
    if (!v)
        return JF_ECORRUPT;
    int rc = deptindex_update(f->st, f->txn, f->self, v);
    case_view_free(&v);
    return rc;
}

int deptindex_fill(store *st, MDB_txn *txn, const char *self)
{
    struct fill f = {st, txn, self};
    return store_walk(txn, st->cases, NULL, fill_one, &f);
}

struct each {
    size_t prefix_len;
    int (*fn)(const char *case_id, void *arg);
    void *arg;
};

static int each_one(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct each *e = arg;
    char id[KEY_MAX + 1];
    size_t n = k->mv_size - e->prefix_len;
    (void)d;
    memcpy(id, (const char *)k->mv_data + e->prefix_len, n);
    id[n] = 0;
    return e->fn(id, e->arg);
}

int deptindex_each(store *st, MDB_txn *txn, const char *department,
                   int (*fn)(const char *case_id, void *arg), void *arg)
{
    size_t n = strlen(department);
    if (!n || n + 1 > KEY_MAX)
        return 0;
    struct each e = {n + 1, fn, arg};
    struct store_range r = {.prefix = department, .prefix_len = n + 1};
    return store_walk(txn, st->deptq, &r, each_one, &e);
}
