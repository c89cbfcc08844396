#include "link/upapply.h"
#include "link/link.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

_Static_assert(LINK_GROUP_BATCHES <= INGEST_GROUP_MAX, "a link's group fits an ingest group");

struct group {
    ingest_group *ig;
    Jiefen__LinkMessage *m[LINK_GROUP_BATCHES];
    size_t peer;
    char child[sizeof ((struct link_peer *)0)->id]; /* the pool thread reads no peer */
};

struct upapply {
    uv_loop_t *loop;
    store *st;
    const char *self;
    upapply_done_fn *done;
    void *arg;
    struct group groups[2];
    struct group *fill, *fly; /* fly: NULL when nothing is in flight */
    uv_work_t work;
    int rc, closing;
    struct ingest_result res;
};

upapply *upapply_new(uv_loop_t *loop, store *st, const char *self, upapply_done_fn *done,
                     void *arg)
{
    upapply *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    *a = (struct upapply){.loop = loop, .st = st, .self = self, .done = done, .arg = arg};
    a->fill = &a->groups[0];
    a->work.data = a;
    for (int i = 0; i < 2; i++)
        if (!(a->groups[i].ig = ingest_group_new())) {
            upapply_close(a);
            return NULL;
        }
    return a;
}

static void group_release(struct group *g)
{
    for (size_t i = 0; i < ingest_group_size(g->ig); i++)
        jiefen__link_message__free_unpacked(g->m[i], NULL);
    ingest_group_reset(g->ig);
}

static void destroy(upapply *a)
{
    for (int i = 0; i < 2; i++) {
        if (a->groups[i].ig)
            group_release(&a->groups[i]);
        ingest_group_free(&a->groups[i].ig);
    }
    free(a);
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

int upapply_busy(const upapply *a)
{
    return a->fly || ingest_group_size(a->fill->ig);
}

/* On a pool thread: the group's whole write transaction, from begin to the durable
 * commit (LMDB binds a write transaction to the thread that began it). */
static void apply_work(uv_work_t *w)
{
    upapply *a = w->data;
    a->rc = ingest_group_apply(a->st, a->self, a->fly->child, a->fly->ig, &a->res);
}

static void apply_after(uv_work_t *w, int status);

static void queue(upapply *a)
{
    int rc = uv_queue_work(a->loop, &a->work, apply_work, apply_after);
    if (rc) { /* no pool: applied here, on the loop */
        apply_work(&a->work);
        apply_after(&a->work, 0);
    }
}

/* Back on the loop: the map grows here and the group is applied again; otherwise the
 * filling group goes next and the caller learns how this one went. */
static void apply_after(uv_work_t *w, int status)
{
    upapply *a = w->data;
    struct group *g = a->fly;
    int rc = status ? status : a->rc;
    if (!a->closing && rc == MDB_MAP_FULL && store_grow(a->st) == 0) {
        queue(a);
        return;
    }
    struct ingest_result res = a->res;
    size_t peer = g->peer;
    a->fly = NULL;
    group_release(g);
    if (a->closing) {
        destroy(a);
        return;
    }
    upapply_start(a);
    a->done(a->arg, peer, rc, &res);
}

void upapply_start(upapply *a)
{
    if (a->fly || a->closing || !ingest_group_size(a->fill->ig))
        return;
    a->fly = a->fill;
    a->fill = a->fly == &a->groups[0] ? &a->groups[1] : &a->groups[0];
    queue(a);
}

void upapply_close(upapply *a)
{
    if (!a)
        return;
    a->closing = 1;
    if (!a->fly)
        destroy(a);
}
