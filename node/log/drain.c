#include "log/drain.h"
#include "error.h"
#include "log.h"

#include <stdlib.h>

struct drain {
    eventlog *log;
    const char *name;
    drain_step_fn step;
    void *arg;
    int queued;        /* a run is waiting to commit */
    int again;         /* kicked meanwhile: the run may have begun before that work */
    int more;          /* the last run stopped at its batch */
    int stopping;
    store *st;         /* drain_watch's queue: (st, dbi); NULL: every kick runs */
    MDB_dbi dbi;
    uint64_t seen;     /* its count of notes at the kick that started the last run */
    int known;         /* seen holds: a run was started since, and none failed */
};

static void start(drain *d);

static int run(eventlog_tx *tx, void *arg)
{
    drain *d = arg;
    d->more = 0;
    return d->step(tx, d->arg, &d->more);
}

static void ran(void *arg, int status)
{
    drain *d = arg;
    d->queued = 0;
    if (status) {
        d->known = 0;
        log_error(d->name, "working off the queue failed (%s); retried with the next kick",
                  jf_strerror(status));
    } else if (d->more || d->again) {
        start(d);
    }
}

/* Runs the step unless a run is waiting, then once more after it. */
static void start(drain *d)
{
    if (d->stopping)
        return;
    if (d->queued) {
        d->again = 1;
        return;
    }
    d->again = 0;
    if (eventlog_submit(d->log, run, ran, d) == 0)
        d->queued = 1;
    else
        log_error(d->name, "out of memory: the queue is worked off at the next kick");
}

/* 1 when the watched queue was noted nothing since the kick that started the last run. */
static int nothing_new(drain *d)
{
    if (!d->st)
        return 0;
    uint64_t n = store_queue_notes(d->st, d->dbi);
    if (d->known && n == d->seen)
        return 1;
    d->seen = n;
    d->known = 1;
    return 0;
}

drain *drain_new(eventlog *log, const char *name, drain_step_fn step, void *arg)
{
    drain *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    *d = (struct drain){.log = log, .name = name, .step = step, .arg = arg};
    return d;
}

void drain_free(drain **d)
{
    if (!d || !*d)
        return;
    free(*d);
    *d = NULL;
}

void drain_watch(drain *d, store *st, MDB_dbi dbi)
{
    d->st = st;
    d->dbi = dbi;
    d->known = 0;
}

void drain_kick(drain *d)
{
    if (d && !d->stopping && !nothing_new(d))
        start(d);
}

void drain_stop(drain *d)
{
    if (d)
        d->stopping = 1;
}
