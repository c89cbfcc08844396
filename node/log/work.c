#include "log/work.h"

#include <errno.h>
#include <stdlib.h>

struct work {
    uv_work_t req;
    struct node *n;
    work_fn fn;
    work_done_fn done;
    void *arg;
    int rc;
    struct work *next; /* in n->work_waiting */
};

static void work_start_ready(struct node *n);

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
    struct node *n = w->n;
    n->work_running--;
    w->done(n, status ? status : w->rc, w->arg);
    free(w);
    work_start_ready(n);
}

static void work_start_ready(struct node *n)
{
    while (n->work_running < WORK_READS_MAX && n->work_waiting) {
        struct work *w = n->work_waiting;
        n->work_waiting = w->next;
        int rc = uv_queue_work(&n->loop, &w->req, work_run, work_after);
        if (rc) {
            w->done(n, rc, w->arg);
            free(w);
            continue;
        }
        n->work_running++;
    }
}

void work_read(struct node *n, work_fn fn, work_done_fn done, void *arg)
{
    struct work *w = calloc(1, sizeof *w);
    if (!w) {
        done(n, -ENOMEM, arg);
        return;
    }
    *w = (struct work){.n = n, .fn = fn, .done = done, .arg = arg};
    w->req.data = w;
    struct work **tail = &n->work_waiting;
    while (*tail)
        tail = &(*tail)->next;
    *tail = w;
    work_start_ready(n);
}

void work_stop(struct node *n)
{
    while (n->work_waiting) {
        struct work *w = n->work_waiting;
        n->work_waiting = w->next;
        w->done(n, -ECANCELED, w->arg);
        free(w);
    }
}
