#include "log/work.h"

#include <errno.h>
#include <stdlib.h>

/* One read: queued in the pool's `waiting` list, then on the thread pool. */
struct work_job {
    uv_work_t req;
    struct work *pool;
    work_fn fn;
    work_done_fn done;
    void *arg;
    int rc;
    struct work_job *next;
};

struct work {
    uv_loop_t *loop;
    store *st;
    int running;
    struct work_job *waiting;
};

static void work_start_ready(struct work *w);

static void work_run(uv_work_t *req)
{
    struct work_job *j = req->data;
    store *st = j->pool->st;
    MDB_txn *txn;
    store_read_begin(st);
    j->rc = store_txn_begin(st, MDB_RDONLY, &txn);
    if (j->rc == 0) {
        j->rc = j->fn(txn, j->arg);
        store_txn_abort(txn);
    }
    store_read_end(st);
}

static void work_after(uv_work_t *req, int status)
{
    struct work_job *j = req->data;
    struct work *w = j->pool;
    w->running--;
    j->done(status ? status : j->rc, j->arg);
    free(j);
    work_start_ready(w);
}

static void work_start_ready(struct work *w)
{
    while (w->running < WORK_READS_MAX && w->waiting) {
        struct work_job *j = w->waiting;
        w->waiting = j->next;
        int rc = uv_queue_work(w->loop, &j->req, work_run, work_after);
        if (rc) {
            j->done(rc, j->arg);
            free(j);
            continue;
        }
        w->running++;
    }
}

struct work *work_new(uv_loop_t *loop, store *st)
{
    struct work *w = calloc(1, sizeof *w);
    if (w) {
        w->loop = loop;
        w->st = st;
    }
    return w;
}

void work_free(struct work **w)
{
    if (!w || !*w)
        return;
    free(*w);
    *w = NULL;
}

void work_read(struct work *w, work_fn fn, work_done_fn done, void *arg)
{
    struct work_job *j = calloc(1, sizeof *j);
    if (!j) {
        done(-ENOMEM, arg);
        return;
    }
    *j = (struct work_job){.pool = w, .fn = fn, .done = done, .arg = arg};
    j->req.data = j;
    struct work_job **tail = &w->waiting;
    while (*tail)
        tail = &(*tail)->next;
    *tail = j;
    work_start_ready(w);
}

void work_stop(struct work *w)
{
    while (w->waiting) {
        struct work_job *j = w->waiting;
        w->waiting = j->next;
        j->done(-ECANCELED, j->arg);
        free(j);
    }
}
