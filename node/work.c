#include "work.h"

#include <errno.h>
#include <stdlib.h>

struct work {
    uv_work_t req;
    struct node *n;
    work_fn fn;
    work_done_fn done;
    void *arg;
    int rc;
};

static void work_run(uv_work_t *req)
{
    struct work *w = req->data;
    store *st = w->n->st;
    MDB_txn *txn;
    store_read_begin(st);
    w->rc = store_txn_begin(st, MDB_RDONLY, &txn);
    if (w->rc == 0) {
        w->rc = w->fn(w->n, txn, w->arg);
        mdb_txn_abort(txn);
    }
    store_read_end(st);
}

static void work_after(uv_work_t *req, int status)
{
    struct work *w = req->data;
    w->n->busy_work--;
    w->done(w->n, status ? status : w->rc, w->arg);
    free(w);
}

void work_read(struct node *n, work_fn fn, work_done_fn done, void *arg)
{
    struct work *w = calloc(1, sizeof *w);
    int rc = w ? 0 : -ENOMEM;
    if (w) {
        *w = (struct work){.n = n, .fn = fn, .done = done, .arg = arg};
        w->req.data = w;
        rc = uv_queue_work(&n->loop, &w->req, work_run, work_after);
    }
    if (rc) {
        free(w);
        done(n, rc, arg);
        return;
    }
    n->busy_work++;
}
