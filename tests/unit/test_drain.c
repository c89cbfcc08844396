/* drain, as its owner sees it: a kick runs the step in one log operation; a step that
 * stopped at its batch is run again until it says the queue is empty; a kick while a run
 * waits runs once more after it; a failed run is not retried until the next kick; after
 * stop, kicks run nothing; a watched drain runs on a kick only when its queue was noted. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "log/drain.h"
#include "log/eventlog.h"
#include "testutil.h"

struct work {
    unsigned left;   /* items in the "queue" */
    unsigned batch;
    unsigned runs;
    int fail;
};

static int step(eventlog_tx *tx, void *arg, int *more)
{
    struct work *w = arg;
    (void)tx;
    w->runs++;
    if (w->fail)
        return JF_EINVAL;
    unsigned n = w->left < w->batch ? w->left : w->batch;
    w->left -= n;
    *more = n == w->batch;
    return 0;
}

struct fixture {
    crypto_identity *id;
    store *st;
    eventlog *log;
};

static void open_log(struct fixture *f)
{
    f->id = test_identity(test_dir, "n");
    f->st = test_store(test_dir, "store");
    assert_int_equal(eventlog_new(f->st, f->id, "n", &f->log), 0);
}

static void close_log(struct fixture *f)
{
    eventlog_free(&f->log);
    store_close(&f->st);
    crypto_identity_free(&f->id);
}

/* Commits what is queued until nothing is; returns the number of commits. */
static unsigned settle(struct fixture *f)
{
    unsigned commits = 0;
    while (eventlog_pending(f->log)) {
        assert_true(eventlog_flush(f->log) >= 0);
        commits++;
    }
    return commits;
}

static void test_runs_until_empty(void **state)
{
    (void)state;
    struct fixture f;
    open_log(&f);
    struct work w = {.left = 25, .batch = 10};
    drain *d = drain_new(f.log, "test", step, &w);
    assert_non_null(d);
    drain_kick(d);
    assert_int_equal(settle(&f), 3); /* 10, 10, 5 */
    assert_int_equal(w.left, 0);
    w.left = 5;
    w.runs = 0;
    drain_kick(d);
    drain_kick(d); /* a run waits already: one more after it, not two at once */
    assert_int_equal(eventlog_pending(f.log), 1);
    assert_int_equal(settle(&f), 2);
    assert_int_equal(w.runs, 2);
    assert_int_equal(w.left, 0);
    close_log(&f);
    drain_free(&d);
    assert_null(d);
}

static void test_failed_run_waits_for_a_kick(void **state)
{
    (void)state;
    struct fixture f;
    open_log(&f);
    struct work w = {.left = 5, .batch = 10, .fail = 1};
    drain *d = drain_new(f.log, "test", step, &w);
    drain_kick(d);
    assert_int_equal(settle(&f), 1);
    assert_int_equal(w.runs, 1);
    assert_int_equal(w.left, 5);
    w.fail = 0;
    drain_kick(d);
    assert_int_equal(settle(&f), 1);
    assert_int_equal(w.left, 0);
    drain_stop(d);
    w.left = 3;
    drain_kick(d);
    assert_int_equal(eventlog_pending(f.log), 0);
    close_log(&f);
    drain_free(&d);
    drain_free(&d); /* NULL is accepted */
    drain_kick(NULL);
    drain_stop(NULL);
}

static void test_watched_runs_when_noted(void **state)
{
    (void)state;
    struct fixture f;
    open_log(&f);
    struct work w = {.left = 0, .batch = 10};
    drain *d = drain_new(f.log, "test", step, &w);
    drain_watch(d, f.st, f.st->search);
    drain_kick(d); /* the first kick runs: work may be left from before */
    assert_int_equal(settle(&f), 1);
    drain_kick(d);
    drain_kick(d);
    assert_int_equal(eventlog_pending(f.log), 0); /* nothing noted: nothing run */
    store_queue_note(f.st, f.st->interop);     /* another queue's note */
    drain_kick(d);
    assert_int_equal(eventlog_pending(f.log), 0);
    store_queue_note(f.st, f.st->search);
    w.left = 5;
    drain_kick(d);
    drain_kick(d); /* the same note: no second run */
    assert_int_equal(settle(&f), 1);
    assert_int_equal(w.runs, 2);
    assert_int_equal(w.left, 0);
    w.fail = 1; /* a failed run: the next kick runs all the same */
    store_queue_note(f.st, f.st->search);
    drain_kick(d);
    assert_int_equal(settle(&f), 1);
    w.fail = 0;
    drain_kick(d);
    assert_int_equal(settle(&f), 1);
    printf("  runs: %u\n", w.runs);
    assert_int_equal(w.runs, 4);
    close_log(&f);
    drain_free(&d);
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_dir_setup, test_dir_teardown)

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        T(test_runs_until_empty),
        T(test_failed_run_waits_for_a_kick),
        T(test_watched_runs_when_noted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
