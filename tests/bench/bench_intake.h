/* What the in-process benchmarks share: appending intakes to a log in one group commit. */
#ifndef JIEFEN_BENCH_INTAKE_H
#define JIEFEN_BENCH_INTAKE_H

#include "log/eventlog.h"
#include "case/intake.h"

#include <stdio.h>
#include <stdlib.h>

static inline void bench_done(void *arg, int status)
{
    if (status) {
        fprintf(stderr, "commit failed: %d\n", status);
        exit(1);
    }
    intake_free((struct intake **)&arg);
}

static inline int bench_apply(eventlog_tx *tx, void *arg)
{
    return intake_apply(tx, arg);
}

/* Validates `body` n times and appends the intakes in one commit; exits on any failure. */
static inline void bench_append(eventlog *log, const struct intake_ctx *ctx, const json_t *body,
                         long n)
{
    for (long i = 0; i < n; i++) {
        struct intake *in;
        struct intake_error err;
        if (intake_parse(body, ctx, &in, &err) ||
            eventlog_submit(log, bench_apply, bench_done, in))
            exit(1);
    }
    if (eventlog_flush(log) != n)
        exit(1);
}

#endif
