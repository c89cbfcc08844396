/* Reads on the thread pool (work.h) on a real libuv loop over a real store: fn runs on a
 * pool thread in a read transaction that sees what was committed, done on the loop's
 * thread with fn's result (an error included); at most WORK_READS_MAX run at once and the
 * others start in the order queued; work_stop cancels those not started (done with
 * -ECANCELED, exactly once each) and lets the running ones finish. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "log/work.h"
#include "testutil.h"
#include "testloop.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#define JOBS 6

/* What the jobs saw, shared by the pool's threads and the loop's (under mu). */
static struct {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t loop_thread;
    int released[JOBS];    /* job i may finish */
    int started[JOBS];     /* the order jobs started in */
    int n_started, running, most_running;
    int ran[JOBS];         /* fn calls of job i */
    int done[JOBS];        /* done calls of job i */
    int rc[JOBS];          /* what done got */
    int fn_on_loop, done_off_loop;
    int n_done;
} seen = {.mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER};

struct job {
    int i;
    int result;            /* what fn returns */
    int block;             /* waits for released[i] */
    char value[32];        /* what fn read under "k" in meta ("" if none) */
};

static store *st;

static int job_fn(MDB_txn *txn, void *arg)
{
    struct job *j = arg;
    MDB_val v;
    if (store_get(txn, st->meta, "k", 1, &v) == 0 && v.mv_size < sizeof j->value) {
        memcpy(j->value, v.mv_data, v.mv_size);
        j->value[v.mv_size] = 0;
    }
    pthread_mutex_lock(&seen.mu);
    if (pthread_equal(pthread_self(), seen.loop_thread))
        seen.fn_on_loop++;
    seen.ran[j->i]++;
    seen.started[seen.n_started++] = j->i;
    if (++seen.running > seen.most_running)
        seen.most_running = seen.running;
    pthread_cond_broadcast(&seen.cv);
    while (j->block && !seen.released[j->i])
        pthread_cond_wait(&seen.cv, &seen.mu);
    seen.running--;
    pthread_mutex_unlock(&seen.mu);
    return j->result;
}

static char last_value[32];

static void job_done(int rc, void *arg)
{
    struct job *j = arg;
    pthread_mutex_lock(&seen.mu);
    if (!pthread_equal(pthread_self(), seen.loop_thread))
        seen.done_off_loop++;
    seen.done[j->i]++;
    seen.rc[j->i] = rc;
    seen.n_done++;
    pthread_mutex_unlock(&seen.mu);
    snprintf(last_value, sizeof last_value, "%s", j->value);
    printf("  job %d done: %d (read \"%s\")\n", j->i, rc, j->value);
    free(j); /* done owns arg */
}

static void queue(struct work *w, int i, int result, int block)
{
    struct job *j = calloc(1, sizeof *j);
    assert_non_null(j);
    *j = (struct job){.i = i, .result = result, .block = block};
    work_read(w, job_fn, job_done, j);
}

static void release(int i)
{
    pthread_mutex_lock(&seen.mu);
    seen.released[i] = 1;
    pthread_cond_broadcast(&seen.cv);
    pthread_mutex_unlock(&seen.mu);
}

/* Waits (at most 5 s) until n jobs have started on the pool; how many have. */
static int wait_started(int n)
{
    struct timespec until;
    pthread_mutex_lock(&seen.mu);
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 5;
    while (seen.n_started < n &&
           pthread_cond_timedwait(&seen.cv, &seen.mu, &until) != ETIMEDOUT) {
    }
    int got = seen.n_started;
    pthread_mutex_unlock(&seen.mu);
    printf("  %d job(s) started (waited for %d)\n", got, n);
    return got;
}

static int n_started(void)
{
    pthread_mutex_lock(&seen.mu);
    int n = seen.n_started;
    pthread_mutex_unlock(&seen.mu);
    return n;
}

static int want_done;

static int enough_done(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&seen.mu);
    int n = seen.n_done;
    pthread_mutex_unlock(&seen.mu);
    return n >= want_done;
}

/* Runs the loop until n jobs in all have had their done. */
static void run_until_done(struct test_loop *l, int n)
{
    want_done = n;
    assert_true(test_loop_until(l, enough_done, NULL, 5000));
}

/* ---- the fixture: a store with "k" in meta, a loop, a pool ---- */

struct fx {
    char dir[4096];
    struct test_loop l;
    struct work *w;
};

static void put_value(const char *v)
{
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(st, 0, &txn), 0);
    assert_int_equal(store_put(txn, st->meta, "k", 1, v, strlen(v), 0), 0);
    assert_int_equal(store_txn_commit(txn), 0);
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    pthread_mutex_lock(&seen.mu);
    memset(seen.released, 0, sizeof seen.released);
    memset(seen.ran, 0, sizeof seen.ran);
    memset(seen.done, 0, sizeof seen.done);
    seen.n_started = seen.running = seen.most_running = seen.n_done = 0;
    seen.fn_on_loop = seen.done_off_loop = 0;
    seen.loop_thread = pthread_self();
    pthread_mutex_unlock(&seen.mu);
    test_tmpdir(f->dir, sizeof f->dir);
    st = test_store(f->dir, "store");
    test_loop_start(&f->l, NULL);
    f->w = work_new(&f->l.loop, st);
    if (!f->w)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < JOBS; i++)
        release(i);
    work_stop(f->w);
    int rc = test_loop_stop(&f->l);
    work_free(&f->w);
    store_close(&st);
    test_rmtree(f->dir);
    free(f);
    return rc;
}

/* Each done exactly once, on the loop's thread; fn never on the loop's thread. */
static void assert_once_each(int n)
{
    for (int i = 0; i < n; i++) {
        printf("  job %d: fn %d time(s), done %d time(s)\n", i, seen.ran[i], seen.done[i]);
        assert_int_equal(seen.done[i], 1);
    }
    printf("  fn on the loop's thread %d, done off it %d\n", seen.fn_on_loop,
           seen.done_off_loop);
    assert_int_equal(seen.fn_on_loop, 0);
    assert_int_equal(seen.done_off_loop, 0);
}

/* ---- the tests ---- */

/* fn reads in a transaction of its own what was committed before, on a pool thread; done
 * gets fn's result on the loop's thread, not before the loop runs. */
static void test_read_then_done_with_result(void **state)
{
    struct fx *f = *state;
    put_value("村1");
    queue(f->w, 0, 0, 0);
    assert_int_equal(seen.done[0], 0);
    run_until_done(&f->l, 1);
    assert_int_equal(seen.ran[0], 1);
    assert_int_equal(seen.rc[0], 0);
    assert_string_equal(last_value, "村1");
    put_value("村2");
    queue(f->w, 1, 0, 0);
    run_until_done(&f->l, 2);
    assert_string_equal(last_value, "村2");
    assert_once_each(2);
}

/* An error from fn reaches done as it is. */
static void test_error_reaches_done(void **state)
{
    struct fx *f = *state;
    queue(f->w, 0, JF_ENOTFOUND, 0);
    queue(f->w, 1, -EIO, 0);
    queue(f->w, 2, 0, 0);
    run_until_done(&f->l, 3);
    printf("  rc: %d %d %d (JF_ENOTFOUND %d, -EIO %d)\n", seen.rc[0], seen.rc[1], seen.rc[2],
           JF_ENOTFOUND, -EIO);
    assert_int_equal(seen.rc[0], JF_ENOTFOUND);
    assert_int_equal(seen.rc[1], -EIO);
    assert_int_equal(seen.rc[2], 0);
    assert_once_each(3);
}

/* With JOBS queued, WORK_READS_MAX start; the others wait, and each one freed starts the
 * next in the order queued. */
static void test_at_most_max_then_in_order(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < JOBS; i++)
        queue(f->w, i, 0, 1);
    assert_int_equal(wait_started(WORK_READS_MAX), WORK_READS_MAX);
    struct timespec ms5 = {0, 5000000};
    nanosleep(&ms5, NULL);
    uv_run(&f->l.loop, UV_RUN_NOWAIT);
    printf("  after 5 ms: %d started\n", n_started());
    assert_int_equal(n_started(), WORK_READS_MAX);
    /* Finishing the second, then the first: the third starts, then the fourth. */
    for (int k = 0; k + WORK_READS_MAX < JOBS; k++) {
        int free_one = k % 2 ? k - 1 : k + 1;
        release(free_one);
        run_until_done(&f->l, k + 1);
        assert_int_equal(wait_started(WORK_READS_MAX + k + 1), WORK_READS_MAX + k + 1);
        printf("  job %d finished, job %d started\n", free_one, seen.started[WORK_READS_MAX + k]);
        assert_int_equal(seen.started[WORK_READS_MAX + k], WORK_READS_MAX + k);
    }
    for (int i = 0; i < JOBS; i++)
        release(i);
    run_until_done(&f->l, JOBS);
    printf("  at most %d ran at once\n", seen.most_running);
    assert_int_equal(seen.most_running, WORK_READS_MAX);
    assert_int_equal(seen.n_started, JOBS);
    assert_once_each(JOBS);
}

/* work_stop: the reads not started get done(-ECANCELED) at once, their fn never runs; the
 * running ones finish with their own result; nobody's done comes twice. */
static void test_stop_cancels_waiting_once(void **state)
{
    struct fx *f = *state;
    for (int i = 0; i < JOBS; i++)
        queue(f->w, i, i == 0 ? JF_ENOTFOUND : 0, 1);
    assert_int_equal(wait_started(WORK_READS_MAX), WORK_READS_MAX);
    work_stop(f->w);
    for (int i = WORK_READS_MAX; i < JOBS; i++) {
        printf("  job %d after stop: done %d, rc %d, fn %d\n", i, seen.done[i], seen.rc[i],
               seen.ran[i]);
        assert_int_equal(seen.done[i], 1);
        assert_int_equal(seen.rc[i], -ECANCELED);
        assert_int_equal(seen.ran[i], 0);
    }
    assert_int_equal(seen.done[0], 0);
    for (int i = 0; i < JOBS; i++)
        release(i);
    run_until_done(&f->l, JOBS);
    work_stop(f->w); /* again: nothing left to cancel */
    uv_run(&f->l.loop, UV_RUN_NOWAIT);
    assert_int_equal(seen.rc[0], JF_ENOTFOUND);
    assert_int_equal(seen.rc[1], 0);
    assert_int_equal(seen.n_started, WORK_READS_MAX);
    assert_int_equal(seen.n_done, JOBS);
    assert_once_each(JOBS);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_then_done_with_result, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_reaches_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_at_most_max_then_in_order, setup, teardown),
        cmocka_unit_test_setup_teardown(test_stop_cancels_waiting_once, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
