#include "link/upapply.h"
#include "link/link.h"
#include "log.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(LINK_GROUP_BATCHES <= INGEST_GROUP_MAX, "a link's group fits an ingest group");

struct group {
    ingest_group *ig;
    Jiefen__LinkMessage *m[LINK_GROUP_BATCHES];
    size_t peer;
    char child[sizeof ((struct link_peer *)0)->id]; /* the thread reads no peer */
};

struct upapply {
    store *st;
    const char *self;
    upapply_done_fn *done;
    void *arg;
    struct group groups[2];
    struct group *fill, *fly; /* fly: NULL when nothing is in flight */
    int closing;
    /* The applier thread, started with the first group: a node without children has
     * none. The loop hands it fly (work = 1); it answers through `async` (work = 0). */
    uv_loop_t *loop;
    uv_async_t async;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int started, work, stop, rc;
    struct ingest_result res;
};

static void on_async(uv_async_t *h);

upapply *upapply_new(uv_loop_t *loop, store *st, const char *self, upapply_done_fn *done,
                     void *arg)
{
    upapply *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    *a = (struct upapply){.loop = loop, .st = st, .self = self, .done = done, .arg = arg};
    a->fill = &a->groups[0];
    if (!(a->groups[0].ig = ingest_group_new()) || !(a->groups[1].ig = ingest_group_new()) ||
        uv_async_init(loop, &a->async, on_async)) {
        ingest_group_free(&a->groups[0].ig);
        ingest_group_free(&a->groups[1].ig);
        free(a);
        return NULL;
    }
    a->async.data = a;
    uv_unref((uv_handle_t *)&a->async); /* the loop may end while no group is in flight */
    pthread_mutex_init(&a->mu, NULL);
    pthread_cond_init(&a->cv, NULL);
    return a;
}

static void group_release(struct group *g)
{
    for (size_t i = 0; i < ingest_group_size(g->ig); i++)
        jiefen__link_message__free_unpacked(g->m[i], NULL);
    ingest_group_reset(g->ig);
}

int upapply_take(upapply *a, size_t peer, const char *child, Jiefen__LinkMessage *m)
{
    struct group *g = a->fill;
    size_t n = ingest_group_size(g->ig);
    if (n == LINK_GROUP_BATCHES || (n && g->peer != peer))
        return 0;
    int rc = ingest_group_add(g->ig, m->up);
    if (rc)
        return rc;
    if (n == 0) {
        g->peer = peer;
        snprintf(g->child, sizeof g->child, "%s", child);
    }
    g->m[n] = m;
    return 1;
}

int upapply_busy(const upapply *a, size_t peer)
{
    return (a->fly && a->fly->peer == peer) ||
           (ingest_group_size(a->fill->ig) && a->fill->peer == peer);
}

size_t upapply_drop(upapply *a, size_t peer)
{
    struct group *g = a->fill;
    size_t n = 0;
    if (!ingest_group_size(g->ig) || g->peer != peer)
        return 0;
    for (size_t i = 0; i < ingest_group_size(g->ig); i++)
        n += g->m[i]->up->n_envelopes;
    group_release(g);
    return n;
}

/* The applier: each group's whole write transaction, from begin to the durable commit
 * (LMDB binds a write transaction to the thread that began it), under the remap lock's
 * read side, so that store_grow on the loop waits for it. */
static void *run(void *arg)
{
    upapply *a = arg;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        while (!a->work && !a->stop)
            pthread_cond_wait(&a->cv, &a->mu);
        if (a->stop)
            break;
        pthread_mutex_unlock(&a->mu);
        store_read_begin(a->st);
        int rc = ingest_group_apply(a->st, a->self, a->fly->child, a->fly->ig, &a->res);
        store_read_end(a->st);
        pthread_mutex_lock(&a->mu);
        a->rc = rc;
        a->work = 0;
        uv_async_send(&a->async);
    }
    pthread_mutex_unlock(&a->mu);
    return NULL;
}

/* Hands fly to the applier, starting it the first time. */
static int queue(upapply *a)
{
    if (!a->started) {
        int rc = pthread_create(&a->thread, NULL, run, a);
        if (rc)
            return -rc;
        a->started = 1;
    }
    pthread_mutex_lock(&a->mu);
    a->work = 1;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->mu);
    uv_ref((uv_handle_t *)&a->async);
    return 0;
}

/* Back on the loop: a full map grows here and the group is applied again; otherwise the
 * caller learns how the group went, and the filling group goes next. */
static void finish(upapply *a, int rc)
{
    struct group *g = a->fly;
    if (rc == MDB_MAP_FULL && store_grow(a->st) == 0 && (rc = queue(a)) == 0)
        return;
    struct ingest_result res = a->res;
    size_t peer = g->peer;
    a->fly = NULL;
    group_release(g);
    a->done(a->arg, peer, rc, &res);
    upapply_start(a);
}

static void on_async(uv_async_t *h)
{
    upapply *a = h->data;
    pthread_mutex_lock(&a->mu);
    int done = a->fly && !a->work, rc = a->rc;
    pthread_mutex_unlock(&a->mu);
    if (!done)
        return;
    uv_unref((uv_handle_t *)&a->async);
    finish(a, rc);
}

void upapply_start(upapply *a)
{
    if (a->fly || a->closing || !ingest_group_size(a->fill->ig))
        return;
    a->fly = a->fill;
    a->fill = a->fly == &a->groups[0] ? &a->groups[1] : &a->groups[0];
    int rc = queue(a);
    if (rc) {
        log_error("upapply", "cannot start the thread that applies batches (%s)",
                  strerror(-rc));
        finish(a, rc);
    }
}

static void on_closed(uv_handle_t *h)
{
    upapply *a = h->data;
    for (int i = 0; i < 2; i++) {
        group_release(&a->groups[i]);
        ingest_group_free(&a->groups[i].ig);
    }
    pthread_mutex_destroy(&a->mu);
    pthread_cond_destroy(&a->cv);
    free(a);
}

void upapply_close(upapply *a)
{
    if (!a)
        return;
    a->closing = 1;
    if (a->started) { /* a group being applied is committed first; one queued is not */
        pthread_mutex_lock(&a->mu);
        a->stop = 1;
        pthread_cond_signal(&a->cv);
        pthread_mutex_unlock(&a->mu);
        pthread_join(a->thread, NULL);
    }
    uv_close((uv_handle_t *)&a->async, on_closed);
}
