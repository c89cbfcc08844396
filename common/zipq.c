/* zipq — a bounded queue of buffers deflated on a thread of its own (see zipq.h). */
#include "zipq.h"
#include "array.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

struct job {
    zipw_def *d;
    char *buf;
    size_t n;
};

struct zipq {
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t work, done; /* a job came (or stop); a job ended */
    size_t size;
    struct job jobs[ZIPQ_DEPTH + 1]; /* a ring: waiting, the first being deflated */
    size_t head, count;
    char **spare; /* buffers free for zipq_buffer */
    size_t n_spare;
    char **all; /* every buffer given, freed with the queue */
    size_t n_all, cap_all;
    int err, stop;
};

#define RING (ZIPQ_DEPTH + 1)

/* The thread: deflates the jobs in order, each buffer then back to the spares. */
static void *run(void *arg)
{
    zipq *q = arg;
    pthread_mutex_lock(&q->mu);
    for (;;) {
        while (q->count == 0 && !q->stop)
            pthread_cond_wait(&q->work, &q->mu);
        if (q->count == 0)
            break;
        struct job j = q->jobs[q->head];
        int failed = q->err;
        pthread_mutex_unlock(&q->mu);
        int rc = failed ? 0 : zipw_def_add(j.d, j.buf, j.n);
        pthread_mutex_lock(&q->mu);
        if (rc != 0 && q->err == 0)
            q->err = rc;
        q->spare[q->n_spare++] = j.buf;
        q->head = (q->head + 1) % RING;
        q->count--;
        pthread_cond_broadcast(&q->done);
    }
    pthread_mutex_unlock(&q->mu);
    return NULL;
}

int zipq_new(size_t size, zipq **out)
{
    zipq *q = calloc(1, sizeof *q);
    if (!q)
        return -ENOMEM;
    q->size = size;
    if (pthread_mutex_init(&q->mu, NULL) != 0) {
        free(q);
        return -ENOMEM;
    }
    int rc = pthread_cond_init(&q->work, NULL) != 0 ? -ENOMEM : 0;
    if (rc == 0 && pthread_cond_init(&q->done, NULL) != 0) {
        pthread_cond_destroy(&q->work);
        rc = -ENOMEM;
    }
    if (rc == 0 && pthread_create(&q->thread, NULL, run, q) != 0) {
        pthread_cond_destroy(&q->work);
        pthread_cond_destroy(&q->done);
        rc = -EAGAIN;
    }
    if (rc != 0) {
        pthread_mutex_destroy(&q->mu);
        free(q);
        return rc;
    }
    *out = q;
    return 0;
}

/* A new buffer, remembered in all[] and with room for it in spare[]. Called locked. */
static char *grow(zipq *q)
{
    char **g = array_room(q->all, q->n_all, &q->cap_all, sizeof *g, 8);
    if (!g)
        return NULL;
    q->all = g;
    if (!(g = realloc(q->spare, q->cap_all * sizeof *g)))
        return NULL;
    q->spare = g;
    char *buf = malloc(q->size);
    if (buf)
        q->all[q->n_all++] = buf;
    return buf;
}

char *zipq_buffer(zipq *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->n_spare == 0 && q->count >= ZIPQ_DEPTH)
        pthread_cond_wait(&q->done, &q->mu);
    char *buf = q->n_spare ? q->spare[--q->n_spare] : grow(q);
    pthread_mutex_unlock(&q->mu);
    return buf;
}

int zipq_submit(zipq *q, zipw_def *d, char *buf, size_t n)
{
    pthread_mutex_lock(&q->mu);
    while (q->count == RING)
        pthread_cond_wait(&q->done, &q->mu);
    q->jobs[(q->head + q->count) % RING] = (struct job){d, buf, n};
    q->count++;
    int rc = q->err;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    return rc;
}

int zipq_wait(zipq *q)
{
    pthread_mutex_lock(&q->mu);
    while (q->count != 0)
        pthread_cond_wait(&q->done, &q->mu);
    int rc = q->err;
    pthread_mutex_unlock(&q->mu);
    return rc;
}

void zipq_free(zipq *q)
{
    if (!q)
        return;
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_signal(&q->work);
    pthread_mutex_unlock(&q->mu);
    pthread_join(q->thread, NULL);
    pthread_cond_destroy(&q->work);
    pthread_cond_destroy(&q->done);
    pthread_mutex_destroy(&q->mu);
    for (size_t i = 0; i < q->n_all; i++)
        free(q->all[i]);
    free(q->all);
    free(q->spare);
    free(q);
}
