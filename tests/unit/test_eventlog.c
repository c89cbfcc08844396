/* The event log end to end in one process: group commit (on the caller's thread and on a
 * loop's thread pool), nested rollback, map growth, restart, and verify catching tampering
 * and a broken chain. */
#include <setjmp.h>
#include "node.h"
#include "case/caseindex.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <uv.h>

#include "case/case.h"
#include "clock.h"
#include "error.h"
#include "log/eventlog.h"
#include "log/fold.h"
#include "case/intake.h"
#include "testutil.h"
#include "case/verify.h"

struct fixture {
    char dir[4096];
    store *st;
    crypto_identity *id;
    eventlog *log;
    struct intake_ctx ctx;
    struct config cfg;
    struct policy policy;
};

static const char *INTAKE_JSON =
    "{\"parties\":[{\"name\":\"张三\",\"id_number\":\"11010519491231002X\","
    "\"phone\":\"13800138000\",\"address\":\"东村3组\"}],"
    "\"category\":\"land_contract\",\"matter_type\":\"dispute_mediation\","
    "\"village\":\"东村\",\"source\":\"walk_in\",\"summary\":\"%s\",\"complexity\":\"simple\"}";

static void open_fixture(struct fixture *f, size_t map_size)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/store", f->dir);
    assert_int_equal(store_open(path, map_size, 1, &f->st), 0);
    assert_int_equal(eventlog_new(f->st, f->id, "v1", &f->log), 0);
}

static void close_fixture(struct fixture *f)
{
    eventlog_free(&f->log);
    store_close(&f->st);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char path[4200];
    test_tmpdir(f->dir, sizeof f->dir);
    snprintf(path, sizeof path, "%s/node.key", f->dir);
    assert_int_equal(crypto_identity_create(path, &f->id), 0);
    config_defaults(&f->cfg);
    f->policy = (struct policy){&f->cfg, NULL};
    f->ctx = (struct intake_ctx){"v1", "东村", "test", 1, &f->policy, clock_now_ms(), NULL, NULL, NULL};
    open_fixture(f, 1 << 20);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    close_fixture(f);
    crypto_identity_free(&f->id);
    test_rmtree(f->dir);
    free(f);
    return 0;
}

static void done_status(void *arg, int status)
{
    *(int *)arg = status;
}

struct job {
    struct intake *in;
    int status;
};

static int job_apply(eventlog_tx *tx, void *arg)
{
    return intake_apply(tx, ((struct job *)arg)->in);
}

static pthread_t main_thread;
static int done_elsewhere; /* a `done` called off the thread that runs the loop */

static void job_done(void *arg, int status)
{
    ((struct job *)arg)->status = status;
    if (!pthread_equal(pthread_self(), main_thread))
        done_elsewhere++;
}

/* Queues one intake with the given summary into j. */
static void queue_intake(struct fixture *f, const char *summary, struct job *j)
{
    char text[8192];
    snprintf(text, sizeof text, INTAKE_JSON, summary);
    json_error_t jerr;
    json_t *body = json_loads(text, 0, &jerr);
    assert_non_null(body);
    struct intake_error ie;
    assert_int_equal(intake_parse(body, &f->ctx, &j->in, &ie), 0);
    json_decref(body);
    j->status = 1;
    assert_int_equal(eventlog_submit(f->log, job_apply, job_done, j), 0);
}

static void free_jobs(struct job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        intake_free(&jobs[i].in);
}

static uint64_t run_verify(struct fixture *f)
{
    struct verify_report r;
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(verify_run(f->st, txn, f->id, "v1", &r), 0);
    mdb_txn_abort(txn);
    for (size_t i = 0; i < r.n_problems; i++)
        printf("  problem: %s %llu %s: %s\n", r.problems[i].origin,
               (unsigned long long)r.problems[i].seq, r.problems[i].case_id, r.problems[i].what);
    uint64_t n = r.problem_count;
    verify_report_free(&r);
    return n;
}

static int fail_apply(eventlog_tx *tx, void *arg)
{
    (void)arg;
    /* Writes something, then fails: the nested transaction must undo the write. */
    store_meta_put_u64(tx->st, tx->txn, "should-not-exist", 1);
    return JF_EINVAL;
}

static uint64_t meta(struct fixture *f, const char *name)
{
    MDB_txn *txn;
    uint64_t v;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_meta_get_u64(f->st, txn, name, &v), 0);
    mdb_txn_abort(txn);
    return v;
}

static Jiefen__CaseView *view(struct fixture *f, const char *id)
{
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(caseindex_get(f->st, txn, id, &v), 0);
    mdb_txn_abort(txn);
    return v;
}

static void test_group_commit_and_rollback(void **state)
{
    struct fixture *f = *state;
    struct job jobs[10];
    int failed = 1;
    for (int i = 0; i < 5; i++)
        queue_intake(f, "第一批", &jobs[i]);
    eventlog_submit(f->log, fail_apply, done_status, &failed);
    for (int i = 5; i < 10; i++)
        queue_intake(f, "第一批", &jobs[i]);
    assert_int_equal(eventlog_pending(f->log), 11);
    assert_int_equal(eventlog_flush(f->log), 10);
    assert_int_equal(failed, JF_EINVAL);
    for (int i = 0; i < 10; i++)
        assert_int_equal(jobs[i].status, 0);
    printf("  last case id %s\n", intake_case_id(jobs[9].in));
    assert_non_null(strstr(intake_case_id(jobs[9].in), "-000010"));
    assert_int_equal(meta(f, "should-not-exist"), 0);
    assert_int_equal(meta(f, "cases:open"), 10);
    assert_int_equal(eventlog_batches_total(f->log), 1);
    Jiefen__CaseView *v = view(f, intake_case_id(jobs[3].in));
    assert_non_null(v);
    assert_string_equal(v->summary, "第一批");
    assert_string_equal(v->department, "农业农村局");
    assert_int_equal(v->due_ms - v->opened_ms, 3 * 86400000LL);
    assert_int_equal(v->event_count, 1);
    case_view_free(&v);
    assert_int_equal(run_verify(f), 0);
    free_jobs(jobs, 10);
}

static int record_apply(eventlog_tx *tx, void *arg)
{
    (void)arg;
    return store_meta_put_u64(tx->st, tx->txn, "a-record", 7);
}

/* Below the free-space floor an intake (an event) fails with JF_EFULL and leaves nothing,
 * a record that is no event (a session) is written; with room again, intakes go on. */
static void test_no_event_below_the_floor(void **state)
{
    struct fixture *f = *state;
    struct job jobs[2];
    int recorded = 1;
    store_set_limits(f->st, 0, UINT64_MAX / 2);
    queue_intake(f, "磁盘满", &jobs[0]);
    eventlog_submit(f->log, record_apply, done_status, &recorded);
    assert_int_equal(eventlog_flush(f->log), 1);
    printf("  intake: %s; record: %d\n", jf_strerror(jobs[0].status), recorded);
    assert_int_equal(jobs[0].status, JF_EFULL);
    assert_int_equal(recorded, 0);
    assert_int_equal(meta(f, "a-record"), 7);
    assert_int_equal(meta(f, "cases:open"), 0);
    assert_int_equal(eventlog_appended_total(f->log), 0);
    store_set_limits(f->st, 0, 1);
    queue_intake(f, "有空间", &jobs[1]);
    assert_int_equal(eventlog_flush(f->log), 1);
    assert_int_equal(jobs[1].status, 0);
    assert_int_equal(meta(f, "cases:open"), 1);
    assert_int_equal(run_verify(f), 0);
    free_jobs(jobs, 2);
}

static void test_map_grows_and_nothing_is_lost(void **state)
{
    struct fixture *f = *state;
    char summary[1800];
    memset(summary, 'a', sizeof summary - 1);
    summary[sizeof summary - 1] = 0;
    enum { BATCHES = 20, PER = 50 };
    size_t map_before = f->st->map_size;
    for (int b = 0; b < BATCHES; b++) {
        struct job jobs[PER];
        for (int i = 0; i < PER; i++)
            queue_intake(f, summary, &jobs[i]);
        assert_int_equal(eventlog_flush(f->log), PER);
        for (int i = 0; i < PER; i++)
            assert_int_equal(jobs[i].status, 0);
        free_jobs(jobs, PER);
    }
    printf("  map %zu -> %zu bytes\n", map_before, f->st->map_size);
    assert_true(f->st->map_size > map_before);
    assert_int_equal(meta(f, "cases:open"), BATCHES * PER);
    assert_int_equal(run_verify(f), 0);
}

/* A batch commits on the pool while the caller goes on: its callers hear nothing until
 * the loop runs; what is queued meanwhile waits for the next batch, in order. */
static void test_commit_on_the_pool(void **state)
{
    struct fixture *f = *state;
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    eventlog_use_loop(f->log, &loop);
    struct job jobs[8];
    for (int i = 0; i < 5; i++)
        queue_intake(f, "第一批", &jobs[i]);
    eventlog_commit(f->log);
    assert_int_equal(eventlog_pending(f->log), 0);
    for (int i = 5; i < 8; i++)
        queue_intake(f, "第二批", &jobs[i]);
    eventlog_commit(f->log); /* the first batch is in flight: this one waits for it */
    assert_int_equal(eventlog_pending(f->log), 3);
    for (int i = 0; i < 8; i++)
        assert_int_equal(jobs[i].status, 1);
    done_elsewhere = 0;
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(done_elsewhere, 0);
    assert_int_equal(eventlog_pending(f->log), 0);
    assert_int_equal(eventlog_batches_total(f->log), 2);
    for (int i = 0; i < 8; i++) {
        char want[16];
        snprintf(want, sizeof want, "-%06d", i + 1);
        assert_int_equal(jobs[i].status, 0);
        assert_non_null(strstr(intake_case_id(jobs[i].in), want));
    }
    Jiefen__CaseView *v = view(f, intake_case_id(jobs[7].in));
    assert_non_null(v);
    assert_string_equal(v->summary, "第二批");
    case_view_free(&v);
    assert_int_equal(meta(f, "cases:open"), 8);
    assert_int_equal(run_verify(f), 0);
    free_jobs(jobs, 8);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* A batch that fills the map on the pool is replayed after the loop grows it. */
static void test_map_grows_on_the_pool(void **state)
{
    struct fixture *f = *state;
    char summary[1800];
    memset(summary, 'b', sizeof summary - 1);
    summary[sizeof summary - 1] = 0;
    enum { BATCHES = 20, PER = 50 };
    uv_loop_t loop;
    assert_int_equal(uv_loop_init(&loop), 0);
    eventlog_use_loop(f->log, &loop);
    size_t map_before = f->st->map_size;
    for (int b = 0; b < BATCHES; b++) {
        struct job jobs[PER];
        for (int i = 0; i < PER; i++)
            queue_intake(f, summary, &jobs[i]);
        eventlog_commit(f->log);
        assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
        for (int i = 0; i < PER; i++)
            assert_int_equal(jobs[i].status, 0);
        free_jobs(jobs, PER);
    }
    assert_true(f->st->map_size > map_before);
    assert_int_equal(meta(f, "cases:open"), BATCHES * PER);
    assert_int_equal(eventlog_batches_total(f->log), BATCHES);
    assert_int_equal(run_verify(f), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

static void test_restart_continues_chain(void **state)
{
    struct fixture *f = *state;
    struct job a, b;
    queue_intake(f, "重启前", &a);
    assert_int_equal(eventlog_flush(f->log), 1);
    close_fixture(f);
    open_fixture(f, 1 << 20);
    queue_intake(f, "重启后", &b);
    assert_int_equal(eventlog_flush(f->log), 1);
    assert_string_not_equal(intake_case_id(a.in), intake_case_id(b.in));
    assert_non_null(strstr(intake_case_id(b.in), "-000002"));
    assert_int_equal(run_verify(f), 0);
    free_jobs(&a, 1);
    free_jobs(&b, 1);
}

/* Rewrites the stored bytes of event (v1, seq) through fn. */
static void rewrite_event(struct fixture *f, uint64_t seq, void (*fn)(MDB_txn *, store *, MDB_val *))
{
    MDB_txn *txn;
    uint8_t key[STORE_KEY_MAX];
    MDB_val k = {store_event_key("v1", seq, key), key};
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    fn(txn, f->st, &k);
    assert_int_equal(mdb_txn_commit(txn), 0);
}

static void flip_summary_byte(MDB_txn *txn, store *st, MDB_val *k)
{
    MDB_val d;
    assert_int_equal(mdb_get(txn, st->events, k, &d), 0);
    uint8_t *copy = malloc(d.mv_size);
    memcpy(copy, d.mv_data, d.mv_size);
    uint8_t *hit = memmem(copy, d.mv_size, "TAMPER", 6);
    assert_non_null(hit);
    hit[0] = 'D';
    MDB_val nd = {d.mv_size, copy};
    assert_int_equal(mdb_put(txn, st->events, k, &nd, 0), 0);
    free(copy);
}

static void delete_event(MDB_txn *txn, store *st, MDB_val *k)
{
    assert_int_equal(mdb_del(txn, st->events, k, NULL), 0);
}

static void three_cases(struct fixture *f)
{
    struct job jobs[3];
    queue_intake(f, "one", &jobs[0]);
    queue_intake(f, "TAMPER here", &jobs[1]);
    queue_intake(f, "three", &jobs[2]);
    assert_int_equal(eventlog_flush(f->log), 3);
    free_jobs(jobs, 3);
    assert_int_equal(run_verify(f), 0);
}

static void test_verify_detects_tampering(void **state)
{
    struct fixture *f = *state;
    three_cases(f);
    rewrite_event(f, 2, flip_summary_byte); /* seq 1 is case one, seq 2 the tampered one */
    assert_true(run_verify(f) >= 2); /* bad signature, next link broken, view differs */
}

static void test_verify_detects_gap(void **state)
{
    struct fixture *f = *state;
    three_cases(f);
    rewrite_event(f, 2, delete_event);
    assert_true(run_verify(f) >= 2); /* gap, chain, orphaned view */
}

int main(void)
{
    node_register_folds();
    crypto_init();
    setenv("TZ", "Asia/Shanghai", 1);
    main_thread = pthread_self();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_group_commit_and_rollback, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_event_below_the_floor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_grows_and_nothing_is_lost, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_on_the_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_grows_on_the_pool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_restart_continues_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_detects_tampering, setup, teardown),
        cmocka_unit_test_setup_teardown(test_verify_detects_gap, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
