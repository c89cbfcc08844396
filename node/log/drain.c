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
};

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
    if (status)
        log_error(d->name, "working off the queue failed (%s); retried with the next kick",
                  jf_strerror(status));
    else if ((d->more || d->again) && !d->stopping)
        drain_kick(d);
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

void drain_kick(drain *d)
{
    if (!d || d->stopping)
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

void drain_stop(drain *d)
{
    if (d)
        d->stopping = 1;
}
