/* The report drafts at the end of each period (rule 9) on a real libuv loop over a real
 * store, wired as node.c wires them (a work pool, the loop committing the log after each
 * submitted operation), with the clock moved instead of slept: a draft of each period of
 * the kinds this tier submits that ended without a report, with its figures as of then;
 * several periods caught up at start (at most 31 per kind, none before the node's first
 * event); no second draft of a period that has a report; the timer at a period's end, and
 * schedule_stop stopping it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "log/work.h"
#include "report/report.h"
#include "report/schedule.h"
#define TESTUTIL_CASES
#include "testutil.h"
#include "testloop.h"

#include <jansson.h>

/* ---- one run of the daemon: its loop, pool and schedule ---- */

struct run {
    struct test_loop l;
    struct work *work;
    schedule *s;
};

static void run_start(struct run *r, struct case_node *f)
{
    test_loop_start(&r->l, f->log);
    r->work = work_new(&r->l.loop, f->st);
    assert_non_null(r->work);
    r->s = schedule_new(&r->l.loop, f->log, f->st, r->work, &f->cfg);
    assert_non_null(r->s);
}

/* Nothing left on the pool or waiting for a commit. */
static int settled(void *arg)
{
    struct run *r = arg;
    return r->l.loop.active_reqs.count == 0 && eventlog_pending(r->l.log) == 0;
}

/* schedule_run, then the loop until its reads are done and its drafts committed. */
static void run_drafts(struct run *r)
{
    schedule_run(r->s);
    assert_true(test_loop_until(&r->l, settled, r, 5000));
}

static void run_stop(struct run *r)
{
    schedule_stop(r->s);
    work_stop(r->work);
    assert_int_equal(test_loop_stop(&r->l), 0);
    schedule_free(&r->s);
    assert_null(r->s);
    work_free(&r->work);
}

/* A whole run with the clock at `at`: started, the drafts due made, stopped. */
static void run_at(struct case_node *f, int64_t at)
{
    struct run r;
    cn_set_now(at);
    run_start(&r, f);
    run_drafts(&r);
    printf("  run at %lld: %u commit(s)\n", (long long)at, r.l.commits);
    run_stop(&r);
}

/* ---- what the store holds ---- */

static Jiefen__ReportView *report(struct case_node *f, const char *kind, const char *period)
{
    MDB_txn *txn;
    Jiefen__ReportView *v = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(report_get(f->st, txn, f->cfg.node_id, kind, period, &v), 0);
    store_txn_abort(txn);
    printf("  %s %s %s: %s\n", f->cfg.node_id, kind, period, v ? v->state : "(none)");
    return v;
}

static int has_report(struct case_node *f, const char *kind, const char *period)
{
    Jiefen__ReportView *v = report(f, kind, period);
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    return v != NULL;
}

/* None of the reports named by the (kind, period) pairs of `kp` (NULL-terminated). */
static void assert_no_reports(struct case_node *f, const char *const *kp)
{
    for (; kp[0]; kp += 2)
        assert_false(has_report(f, kp[0], kp[1]));
}

/* The draft of a period: there, a draft, its bounds those of the period; its taken_in. */
static long long draft_taken_in(struct case_node *f, const char *kind, const char *period)
{
    struct report_period p;
    Jiefen__ReportView *v = report(f, kind, period);
    assert_non_null(v);
    assert_null(report_period_parse(kind, period, &p));
    assert_string_equal(v->state, "draft");
    assert_int_equal(v->from_ms, p.from_ms);
    assert_int_equal(v->to_ms, p.to_ms);
    json_t *fig = json_loads(v->figures, 0, NULL);
    assert_non_null(fig);
    long long n = json_integer_value(json_object_get(fig, "taken_in"));
    printf("    figures %s, taken_in %lld\n", v->figures, n);
    json_decref(fig);
    jiefen__report_view__free_unpacked(v, NULL);
    return n;
}

static void open_case_at(struct case_node *f, int64_t at, unsigned n)
{
    char id[64], num[19];
    cn_set_now(at);
    assert_int_equal(cn_open_case(f, "东村", "land_contract", cn_id_number(n, num), NULL, id), 0);
    printf("  case %s opened at %lld\n", id, (long long)at);
}

static int64_t local(int mo, int d, int h)
{
    return test_shanghai_ms(2026, mo, d, h, 0);
}

/* ---- the tests ---- */

/* A village (daily and ledger) stopped for three days: the three dailies that ended since
 * its first event, with the figures of each day; none of the day before its first event,
 * none of today, no ledger for a month not ended, no weekly or monthly. */
static void test_village_dailies_since_first_event(void **state)
{
    struct case_node *f = *state;
    open_case_at(f, local(3, 10, 10), 1);
    open_case_at(f, local(3, 10, 11), 2);
    open_case_at(f, local(3, 12, 9), 3);
    run_at(f, local(3, 13, 10));
    assert_int_equal(draft_taken_in(f, "daily", "2026-03-10"), 2);
    assert_int_equal(draft_taken_in(f, "daily", "2026-03-11"), 0);
    assert_int_equal(draft_taken_in(f, "daily", "2026-03-12"), 1);
    assert_no_reports(f, (const char *[]){"daily", "2026-03-09", "daily", "2026-03-13",
                                           "ledger", "2026-03-01", "ledger", "2026-02-01",
                                           "weekly", "2026-03-09", "monthly", "2026-03-01", NULL});
}

/* The draft's figures are those at the period's end: the later run keeps them, and adds
 * only the day that ended since. */
static void test_draft_kept_next_run_adds_new_day(void **state)
{
    struct case_node *f = *state;
    open_case_at(f, local(3, 10, 10), 1);
    run_at(f, local(3, 11, 10));
    Jiefen__ReportView *first = report(f, "daily", "2026-03-10");
    assert_non_null(first);
    int64_t generated = first->generated_ms;
    printf("  generated at %lld (clock %lld)\n", (long long)generated,
           (long long)local(3, 11, 10));
    assert_true(generated >= local(3, 11, 10) && generated < local(3, 11, 11));
    jiefen__report_view__free_unpacked(first, NULL);

    open_case_at(f, local(3, 11, 12), 2);
    run_at(f, local(3, 12, 10));
    Jiefen__ReportView *again = report(f, "daily", "2026-03-10");
    assert_non_null(again);
    printf("  generated at %lld, was %lld\n", (long long)again->generated_ms,
           (long long)generated);
    assert_int_equal(again->generated_ms, generated);
    jiefen__report_view__free_unpacked(again, NULL);
    assert_int_equal(draft_taken_in(f, "daily", "2026-03-10"), 1);
    assert_int_equal(draft_taken_in(f, "daily", "2026-03-11"), 1);
    assert_false(has_report(f, "daily", "2026-03-12"));
}

/* Stopped for over two months: 31 dailies at most, the newest (03-14 back to 02-12); a
 * ledger of each month ended since the first event, the month of that event included,
 * none before. */
static void test_catch_up_at_most_31_none_before_birth(void **state)
{
    struct case_node *f = *state;
    open_case_at(f, test_shanghai_ms(2026, 1, 5, 10, 0), 1);
    run_at(f, local(3, 15, 10));
    assert_true(has_report(f, "daily", "2026-03-14"));
    assert_true(has_report(f, "daily", "2026-03-01"));
    assert_true(has_report(f, "daily", "2026-02-12"));
    assert_no_reports(f, (const char *[]){"daily", "2026-02-11", "daily", "2026-01-05",
                                           "daily", "2026-03-15", NULL});
    assert_int_equal(draft_taken_in(f, "ledger", "2026-01-01"), 1);
    assert_int_equal(draft_taken_in(f, "ledger", "2026-02-01"), 0);
    assert_no_reports(f, (const char *[]){"ledger", "2025-12-01", "ledger", "2026-03-01", NULL});
}

static int put_draft(struct case_node *f, const char *kind, const char *period,
                     const char *figures)
{
    struct report_period p;
    MDB_txn *txn;
    assert_null(report_period_parse(kind, period, &p));
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    int rc = report_draft_put(f->st, txn, f->cfg.node_id, &p, figures, clock_now_ms());
    assert_int_equal(store_txn_commit(txn), 0);
    return rc;
}

/* A report of a period already there is kept as it is, and no draft is made of it, nor of
 * the periods before it (made then); a run with nothing due stores nothing. */
static void test_no_second_draft_of_a_period_with_a_report(void **state)
{
    struct case_node *f = *state;
    open_case_at(f, local(3, 10, 10), 1);
    assert_int_equal(put_draft(f, "daily", "2026-03-11", "{\"mine\":1}"), 1);
    run_at(f, local(3, 13, 10));
    Jiefen__ReportView *v = report(f, "daily", "2026-03-11");
    assert_non_null(v);
    printf("  figures %s\n", v->figures);
    assert_string_equal(v->figures, "{\"mine\":1}");
    jiefen__report_view__free_unpacked(v, NULL);
    assert_int_equal(draft_taken_in(f, "daily", "2026-03-12"), 0);
    assert_false(has_report(f, "daily", "2026-03-10"));

    struct run r;
    run_start(&r, f);
    run_drafts(&r);
    printf("  second run: %u commit(s)\n", r.l.commits);
    assert_int_equal(r.l.commits, 0);
    run_stop(&r);
}

/* A township drafts its weeklies (Monday to Sunday) and ledgers, never dailies. */
static void test_township_weeklies(void **state)
{
    struct case_node *f = *state;
    open_case_at(f, local(3, 3, 10), 1);
    run_at(f, local(3, 18, 10));
    assert_int_equal(draft_taken_in(f, "weekly", "2026-03-02"), 1);
    assert_int_equal(draft_taken_in(f, "weekly", "2026-03-09"), 0);
    assert_no_reports(f, (const char *[]){"weekly", "2026-03-16", "weekly", "2026-02-23",
                                           "daily", "2026-03-10", "monthly", "2026-03-01", NULL});
}

/* A county drafts its monthly and its ledger of the same month, the same figures. */
static void test_county_monthly_and_ledger(void **state)
{
    struct case_node *f = *state;
    open_case_at(f, local(2, 10, 10), 1);
    run_at(f, local(3, 2, 10));
    assert_int_equal(draft_taken_in(f, "monthly", "2026-02-01"), 1);
    assert_int_equal(draft_taken_in(f, "ledger", "2026-02-01"), 1);
    Jiefen__ReportView *m = report(f, "monthly", "2026-02-01");
    Jiefen__ReportView *l = report(f, "ledger", "2026-02-01");
    assert_non_null(m);
    assert_non_null(l);
    assert_string_equal(m->figures, l->figures);
    jiefen__report_view__free_unpacked(m, NULL);
    jiefen__report_view__free_unpacked(l, NULL);
    assert_no_reports(f, (const char *[]){"weekly", "2026-02-23", "daily", "2026-03-01", NULL});
}

static struct case_node *watched;

static int day_12_drafted(void *arg)
{
    (void)arg;
    return has_report(watched, "daily", "2026-03-12");
}

/* Started 200 ms before a day ends: the drafts due now, then the timer at the day's end
 * drafts that day too; once schedule_stop, the day's end passes with no draft. */
static void timer_at_day_end(struct case_node *f, int stop)
{
    struct run r;
    open_case_at(f, local(3, 10, 10), 1);
    cn_set_now(local(3, 13, 0) - 200);
    run_start(&r, f);
    run_drafts(&r);
    assert_true(has_report(f, "daily", "2026-03-11"));
    assert_false(has_report(f, "daily", "2026-03-12"));
    if (stop)
        schedule_stop(r.s);
    watched = f;
    int drafted = test_loop_until(&r.l, day_12_drafted, NULL, stop ? 500 : 5000);
    printf("  after the day's end (%s): drafted %d\n", stop ? "stopped" : "running", drafted);
    assert_int_equal(drafted, !stop);
    if (!stop) {
        assert_true(test_loop_until(&r.l, settled, &r, 5000));
        assert_int_equal(draft_taken_in(f, "daily", "2026-03-12"), 0);
    }
    run_stop(&r);
}

static void test_timer_drafts_at_period_end(void **state)
{
    timer_at_day_end(*state, 0);
}

static void test_stop_stops_the_timer(void **state)
{
    timer_at_day_end(*state, 1);
}

int main(void)
{
    if (cn_init())
        return 1;
    const struct CMUnitTest tests[] = {
        CN_TEST(test_village_dailies_since_first_event, v1),
        CN_TEST(test_draft_kept_next_run_adds_new_day, v1),
        CN_TEST(test_catch_up_at_most_31_none_before_birth, v1),
        CN_TEST(test_no_second_draft_of_a_period_with_a_report, v1),
        CN_TEST(test_township_weeklies, t1),
        CN_TEST(test_county_monthly_and_ledger, c1),
        CN_TEST(test_timer_drafts_at_period_end, v1),
        CN_TEST(test_stop_stops_the_timer, v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
