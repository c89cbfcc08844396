/* A libuv loop committing a log as node.c does, for unit tests of what runs on the loop
 * (include after testutil.h). Each operation queued on the log (eventlog_on_submit) is
 * committed at the loop's next check phase; a guard timer bounds each wait. */
#ifndef JIEFEN_TESTLOOP_H
#define JIEFEN_TESTLOOP_H

#include "testutil.h"

#include <uv.h>

struct test_loop {
    uv_loop_t loop;
    uv_check_t commit_check;
    uv_idle_t commit_idle;
    uv_timer_t guard;
    eventlog *log; /* NULL: a loop without a log */
    unsigned commits;
    int expired;
};

static inline void test_loop_idle_cb(uv_idle_t *h)
{
    (void)h;
}

static inline void test_loop_submitted(void *arg)
{
    uv_idle_start(&((struct test_loop *)arg)->commit_idle, test_loop_idle_cb);
}

static inline void test_loop_check_cb(uv_check_t *h)
{
    struct test_loop *l = h->data;
    uv_idle_stop(&l->commit_idle);
    if (l->log && eventlog_pending(l->log) && eventlog_flush(l->log) >= 0)
        l->commits++;
}

static inline void test_loop_guard_cb(uv_timer_t *t)
{
    ((struct test_loop *)t->data)->expired = 1;
}

static inline void test_loop_start(struct test_loop *l, eventlog *log)
{
    memset(l, 0, sizeof *l);
    l->log = log;
    if (uv_loop_init(&l->loop))
        exit(1);
    uv_check_init(&l->loop, &l->commit_check);
    uv_idle_init(&l->loop, &l->commit_idle);
    uv_timer_init(&l->loop, &l->guard);
    l->commit_check.data = l->guard.data = l;
    uv_check_start(&l->commit_check, test_loop_check_cb);
    if (log)
        eventlog_on_submit(log, test_loop_submitted, l);
}

/* Runs the loop, waiting on its timers and the thread pool, until done(arg) or max_ms
 * have passed; returns done(arg). */
static inline int test_loop_until(struct test_loop *l, int (*done)(void *), void *arg,
                                  uint64_t max_ms)
{
    l->expired = 0;
    uv_update_time(&l->loop);
    uv_timer_start(&l->guard, test_loop_guard_cb, max_ms, 0);
    while (!done(arg) && !l->expired)
        uv_run(&l->loop, UV_RUN_ONCE);
    uv_timer_stop(&l->guard);
    return done(arg);
}

static inline void test_loop_close_one(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Closes every handle and the loop (as at the daemon's stop); 0 if the loop closed. */
static inline int test_loop_stop(struct test_loop *l)
{
    uv_walk(&l->loop, test_loop_close_one, NULL);
    uv_run(&l->loop, UV_RUN_DEFAULT);
    if (l->log)
        eventlog_on_submit(l->log, NULL, NULL);
    return uv_loop_close(&l->loop);
}

#endif
