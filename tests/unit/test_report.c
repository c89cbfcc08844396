/* report (report/report.h): who sends which kind, periods and their due moments in
 * Asia/Shanghai, refusals of bad kinds and periods, and the fold of submissions and
 * reviews at the township t1: a draft, a submission, a refused one (wrong tier, over a
 * pending one), a review by the parent only, a resubmission after a return, and a stale
 * review that changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "report/report.h"
#include "testutil.h"

#define sh test_shanghai_ms

static void show(const struct report_period *p)
{
    printf("  %s %s: from %lld to %lld, due %lld\n", p->kind, p->period, (long long)p->from_ms,
           (long long)p->to_ms, (long long)p->due_ms);
}

static void test_kinds_and_tiers(void **state)
{
    (void)state;
    const int V = JIEFEN__TIER__TIER_VILLAGE, T = JIEFEN__TIER__TIER_TOWNSHIP,
              C = JIEFEN__TIER__TIER_COUNTY, P = JIEFEN__TIER__TIER_PROVINCE;
    assert_true(report_kind_valid("daily"));
    assert_true(report_kind_valid("ledger"));
    assert_false(report_kind_valid("yearly"));
    assert_false(report_kind_valid(""));
    /* DESIGN.md rule 9: village daily, township weekly, county monthly, ledger everywhere. */
    assert_true(report_kind_for_tier("daily", V));
    assert_false(report_kind_for_tier("daily", T));
    assert_true(report_kind_for_tier("weekly", T));
    assert_false(report_kind_for_tier("weekly", V));
    assert_false(report_kind_for_tier("weekly", C));
    assert_true(report_kind_for_tier("monthly", C));
    assert_true(report_kind_for_tier("monthly", P));
    assert_false(report_kind_for_tier("monthly", T));
    for (int tier = V; tier <= P; tier++)
        assert_true(report_kind_for_tier("ledger", tier));
    assert_false(report_kind_for_tier("yearly", V));
    /* What a parent's report rests on. */
    assert_string_equal(report_child_kind("weekly"), "daily");
    assert_string_equal(report_child_kind("ledger"), "ledger");
    assert_null(report_child_kind("daily"));
    assert_null(report_child_kind("yearly"));
    /* Names staff read. */
    assert_string_equal(report_kind_name("daily"), "日排查");
    assert_string_equal(report_kind_name("weekly"), "周分析");
    assert_string_equal(report_kind_name("monthly"), "月研判");
    assert_string_equal(report_kind_name("ledger"), "综合台账");
    assert_string_equal(report_kind_name("yearly"), "yearly");
    assert_string_equal(report_state_name("draft"), "草稿");
    assert_string_equal(report_state_name("submitted"), "已报送");
    assert_string_equal(report_state_name("accepted"), "已接收");
    assert_string_equal(report_state_name("returned"), "已退回");
    assert_string_equal(report_state_name("odd"), "odd");
}

static void test_child_expected(void **state)
{
    (void)state;
    Jiefen__NodeInfo ni = JIEFEN__NODE_INFO__INIT;
    ni.node_id = "v1";
    ni.parent = "t1";
    ni.tier = JIEFEN__TIER__TIER_VILLAGE;
    assert_true(report_child_expected(&ni, "t1", "daily"));
    assert_true(report_child_expected(&ni, "t1", "ledger"));
    assert_false(report_child_expected(&ni, "t1", "weekly"));
    assert_false(report_child_expected(&ni, "t2", "daily")); /* not its child */
    ni.revoked = 1;
    assert_false(report_child_expected(&ni, "t1", "daily"));
}

static void test_periods(void **state)
{
    (void)state;
    struct report_period p;
    assert_null(report_period_parse("daily", "2026-03-10", &p));
    show(&p);
    assert_string_equal(p.kind, "daily");
    assert_string_equal(p.period, "2026-03-10");
    assert_int_equal(p.from_ms, sh(2026, 3, 10, 0, 0));
    assert_int_equal(p.to_ms, sh(2026, 3, 11, 0, 0));
    assert_int_equal(p.due_ms, sh(2026, 3, 11, 12, 0)); /* the next day's noon */

    assert_null(report_period_parse("weekly", "2026-03-09", &p)); /* a Monday */
    show(&p);
    assert_int_equal(p.from_ms, sh(2026, 3, 9, 0, 0));
    assert_int_equal(p.to_ms, sh(2026, 3, 16, 0, 0));
    assert_int_equal(p.due_ms, sh(2026, 3, 16, 12, 0));

    assert_null(report_period_parse("monthly", "2026-12-01", &p));
    show(&p);
    assert_int_equal(p.from_ms, sh(2026, 12, 1, 0, 0));
    assert_int_equal(p.to_ms, sh(2027, 1, 1, 0, 0)); /* over the year's end */
    assert_int_equal(p.due_ms, sh(2027, 1, 1, 12, 0));

    /* The ledger tables are due by the 25th of the next month, to its end. */
    assert_null(report_period_parse("ledger", "2026-02-01", &p));
    show(&p);
    assert_int_equal(p.to_ms, sh(2026, 3, 1, 0, 0));
    assert_int_equal(p.due_ms, sh(2026, 3, 26, 0, 0));
}

static void test_period_refusals(void **state)
{
    (void)state;
    struct report_period p;
    const struct {
        const char *kind, *period;
    } bad[] = {
        {"yearly", "2026-01-01"},   {"daily", "2026-02-30"}, {"daily", "2026-1-5"},
        {"daily", "2026-01-05x"},   {"daily", ""},           {"daily", "yesterday"},
        {"weekly", "2026-03-10"},   /* a Tuesday */
        {"monthly", "2026-03-02"},  {"ledger", "2026-03-15"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        const char *why = report_period_parse(bad[i].kind, bad[i].period, &p);
        printf("  %s %s: %s\n", bad[i].kind, bad[i].period, why ? why : "(accepted)");
        assert_non_null(why);
    }
    assert_non_null(strstr(report_period_parse("weekly", "2026-03-10", &p), "星期一"));
    assert_non_null(strstr(report_period_parse("ledger", "2026-03-15", &p), "1日"));
}

static void test_period_at(void **state)
{
    (void)state;
    struct report_period p;
    /* Sunday 2026-03-01 23:30: the week began Monday 23 February (previous month). */
    int64_t t = sh(2026, 3, 1, 23, 30);
    report_period_at("weekly", t, &p);
    show(&p);
    assert_string_equal(p.period, "2026-02-23");
    assert_int_equal(p.from_ms, sh(2026, 2, 23, 0, 0));
    assert_true(p.from_ms <= t && t < p.to_ms);
    report_period_at("daily", t, &p);
    assert_string_equal(p.period, "2026-03-01");
    report_period_at("monthly", t, &p);
    assert_string_equal(p.period, "2026-03-01");
    report_period_at("ledger", sh(2026, 3, 31, 23, 59), &p);
    assert_string_equal(p.period, "2026-03-01");
    /* Local, not UTC: 00:30 in Shanghai on the 2nd is still the 1st in UTC. */
    report_period_at("daily", sh(2026, 3, 2, 0, 30), &p);
    assert_string_equal(p.period, "2026-03-02");
    /* Each period parses back to itself. */
    struct report_period q;
    report_period_at("weekly", sh(2026, 1, 1, 9, 0), &p);
    assert_null(report_period_parse("weekly", p.period, &q));
    assert_int_equal(q.from_ms, p.from_ms);
    assert_int_equal(q.due_ms, p.due_ms);
}

/* ---- the fold, at t1 ------------------------------------------------------------------ */

static int submit(struct test_node *f, struct test_chain *c, const char *kind, const char *period,
                  const char *figures)
{
    Jiefen__ReportSubmitted r = JIEFEN__REPORT_SUBMITTED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    char *missing[] = {"v1a/2026-03-09"};
    r.kind = (char *)kind;
    r.period = (char *)period;
    r.figures = (char *)figures;
    r.analysis = "本周无重大矛盾";
    r.missing = missing;
    r.n_missing = 1;
    r.from_ms = 1; /* wrong on purpose: the view takes the period's */
    ev.body_case = JIEFEN__EVENT__BODY_REPORT_SUBMITTED;
    ev.report_submitted = &r;
    ev.actor = "zhangsan";
    ev.time_ms = sh(2026, 3, 11, 9, 0);
    return test_chain_store(f->st, "t1", c, &ev, NULL, NULL);
}

static int review(struct test_node *f, struct test_chain *c, const char *origin, uint64_t seq,
                  int accepted, const char *comment)
{
    Jiefen__ReportReviewed r = JIEFEN__REPORT_REVIEWED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    r.origin = (char *)origin;
    r.seq = seq;
    r.accepted = accepted;
    r.comment = (char *)comment;
    ev.body_case = JIEFEN__EVENT__BODY_REPORT_REVIEWED;
    ev.report_reviewed = &r;
    ev.time_ms = sh(2026, 3, 12, 9, 0);
    return test_chain_store(f->st, "t1", c, &ev, NULL, NULL);
}

static Jiefen__ReportView *get(struct test_node *f, const char *origin, const char *kind,
                               const char *period)
{
    MDB_txn *txn;
    Jiefen__ReportView *v = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(report_get(f->st, txn, origin, kind, period, &v), 0);
    store_txn_abort(txn);
    if (v)
        printf("  %s %s %s: state %s seq %llu reviewer '%s' comment '%s'\n", origin, kind,
               period, v->state, (unsigned long long)v->seq, v->reviewer, v->comment);
    return v;
}

static void test_submission_and_review(void **state)
{
    struct test_node *f = *state;
    struct report_period p;
    assert_null(report_period_parse("daily", "2026-03-10", &p));
    assert_int_equal(submit(f, &f->t.cv1, "daily", "2026-03-10", "{\"taken_in\":2}"), 0);
    Jiefen__ReportView *v = get(f, "v1", "daily", "2026-03-10");
    assert_non_null(v);
    assert_string_equal(v->state, "submitted");
    assert_int_equal(v->seq, 1);
    assert_string_equal(v->figures, "{\"taken_in\":2}");
    assert_string_equal(v->analysis, "本周无重大矛盾");
    assert_string_equal(v->actor, "zhangsan");
    assert_int_equal(v->n_missing, 1);
    assert_string_equal(v->missing[0], "v1a/2026-03-09");
    assert_int_equal(v->from_ms, p.from_ms);
    assert_int_equal(v->to_ms, p.to_ms);
    assert_int_equal(v->submitted_ms, sh(2026, 3, 11, 9, 0));
    jiefen__report_view__free_unpacked(v, NULL);

    /* Not again while it is pending. */
    assert_int_equal(submit(f, &f->t.cv1, "daily", "2026-03-10", "{}"), JF_EINVAL);
    v = get(f, "v1", "daily", "2026-03-10");
    assert_int_equal(v->seq, 1);
    jiefen__report_view__free_unpacked(v, NULL);

    /* Only v1's parent reviews it: not its grandparent, not another village. */
    assert_int_equal(review(f, &f->t.cc1, "v1", 1, 1, "越级"), JF_EINVAL);
    assert_int_equal(review(f, &f->t.cv2, "v1", 1, 1, "邻村"), JF_EINVAL);
    /* A review of an event t1 does not hold; of a submission that never applied (v1/2,
     * refused above): nothing changes. */
    assert_int_equal(review(f, &f->t.ct1, "v1", 99, 1, ""), JF_EINVAL);
    assert_int_equal(review(f, &f->t.ct1, "v1", 2, 1, "错的"), 0);
    v = get(f, "v1", "daily", "2026-03-10");
    assert_string_equal(v->state, "submitted");
    jiefen__report_view__free_unpacked(v, NULL);

    /* Returned by t1, then sent again (v1's seq 3), then accepted. */
    assert_int_equal(review(f, &f->t.ct1, "v1", 1, 0, "数据有误"), 0);
    v = get(f, "v1", "daily", "2026-03-10");
    assert_string_equal(v->state, "returned");
    assert_string_equal(v->comment, "数据有误");
    assert_string_equal(v->reviewer, "t1");
    assert_int_equal(v->reviewed_ms, sh(2026, 3, 12, 9, 0));
    jiefen__report_view__free_unpacked(v, NULL);
    assert_int_equal(submit(f, &f->t.cv1, "daily", "2026-03-10", "{\"taken_in\":3}"), 0);
    v = get(f, "v1", "daily", "2026-03-10");
    assert_string_equal(v->state, "submitted");
    assert_int_equal(v->seq, 3);
    assert_string_equal(v->figures, "{\"taken_in\":3}");
    jiefen__report_view__free_unpacked(v, NULL);
    /* A late review of the first submission does not touch the new one. */
    assert_int_equal(review(f, &f->t.ct1, "v1", 1, 1, "旧的"), 0);
    v = get(f, "v1", "daily", "2026-03-10");
    assert_string_equal(v->state, "submitted");
    jiefen__report_view__free_unpacked(v, NULL);
    assert_int_equal(review(f, &f->t.ct1, "v1", 3, 1, "好"), 0);
    v = get(f, "v1", "daily", "2026-03-10");
    assert_string_equal(v->state, "accepted");
    assert_string_equal(v->comment, "好");
    jiefen__report_view__free_unpacked(v, NULL);
    /* Accepted: closed to new submissions. */
    assert_int_equal(submit(f, &f->t.cv1, "daily", "2026-03-10", "{}"), JF_EINVAL);
}

static void test_submission_refusals(void **state)
{
    struct test_node *f = *state;
    /* A township does not send dailies; a village not weeklies. */
    assert_int_equal(submit(f, &f->t.ct1, "daily", "2026-03-10", "{}"), JF_EINVAL);
    assert_int_equal(submit(f, &f->t.cv1, "weekly", "2026-03-09", "{}"), JF_EINVAL);
    /* Bad kind or period. */
    assert_int_equal(submit(f, &f->t.cv1, "yearly", "2026-01-01", "{}"), JF_EINVAL);
    assert_int_equal(submit(f, &f->t.cv1, "daily", "2026-02-30", "{}"), JF_EINVAL);
    /* A node t1 does not know. */
    struct test_chain cx = {.id = f->t.x1, .origin = "x1"};
    assert_int_equal(submit(f, &cx, "daily", "2026-03-10", "{}"), JF_EINVAL);
    Jiefen__ReportView *v = get(f, "t1", "daily", "2026-03-10");
    assert_null(v);
    assert_null(get(f, "v1", "weekly", "2026-03-09"));
    assert_null(get(f, "x1", "daily", "2026-03-10"));
    /* The township's own weekly is fine. */
    assert_int_equal(submit(f, &f->t.ct1, "weekly", "2026-03-09", "{}"), 0);
}

static void test_draft(void **state)
{
    struct test_node *f = *state;
    struct report_period p;
    MDB_txn *txn;
    assert_null(report_period_parse("weekly", "2026-03-09", &p));
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(report_draft_put(f->st, txn, "t1", &p, "{\"taken_in\":1}", 1000), 1);
    /* Once: a second draft of the period is not stored. */
    assert_int_equal(report_draft_put(f->st, txn, "t1", &p, "{\"taken_in\":9}", 2000), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    Jiefen__ReportView *v = get(f, "t1", "weekly", "2026-03-09");
    assert_string_equal(v->state, "draft");
    assert_string_equal(v->figures, "{\"taken_in\":1}");
    assert_int_equal(v->generated_ms, 1000);
    assert_int_equal(v->from_ms, p.from_ms);
    jiefen__report_view__free_unpacked(v, NULL);
    /* The submission replaces the draft; then no draft goes over it. */
    assert_int_equal(submit(f, &f->t.ct1, "weekly", "2026-03-09", "{\"taken_in\":2}"), 0);
    v = get(f, "t1", "weekly", "2026-03-09");
    assert_string_equal(v->state, "submitted");
    jiefen__report_view__free_unpacked(v, NULL);
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(report_draft_put(f->st, txn, "t1", &p, "{}", 3000), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    v = get(f, "t1", "weekly", "2026-03-09");
    assert_string_equal(v->state, "submitted");
    jiefen__report_view__free_unpacked(v, NULL);
}

/* A period under another spelling of its date: a person's submission is refused
 * (report_period_read); an event that carries one is kept under the one spelling every
 * reader of the period uses, and counts as that period's report. */
static void test_period_spelled_otherwise(void **state)
{
    struct test_node *f = *state;
    struct report_period p;
    for (const char *const *bad = (const char *const[]){"2026-+3-10", " 2026-03-1", "2026-3-10",
                                                        NULL};
         *bad; bad++) {
        const char *why = report_period_read("daily", *bad, &p);
        printf("  \"%s\": %s\n", *bad, why ? why : "accepted");
        assert_non_null(why);
    }
    assert_null(report_period_parse("daily", "2026-+3-10", &p)); /* an event may carry it */
    assert_null(report_period_read("daily", "2026-03-10", &p));
    assert_int_equal(submit(f, &f->t.cv1, "daily", "2026-+3-10", "{}"), 0);
    MDB_txn *txn;
    Jiefen__ReportView *v = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(report_get(f->st, txn, "v1", "daily", "2026-03-10", &v), 0);
    store_txn_abort(txn);
    printf("  report_get of 2026-03-10: %s %s\n", v ? v->period : "none", v ? v->state : "");
    assert_non_null(v);
    assert_string_equal(v->period, "2026-03-10");
    jiefen__report_view__free_unpacked(v, NULL);
    /* the period has its report: a second one is refused */
    assert_int_equal(submit(f, &f->t.cv1, "daily", "2026-03-10", "{}"), JF_EINVAL);
}

int main(void)
{
    if (test_init())
        return 1;
#define T TEST_NODE
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds_and_tiers),
        cmocka_unit_test(test_child_expected),
        cmocka_unit_test(test_periods),
        cmocka_unit_test(test_period_refusals),
        cmocka_unit_test(test_period_at),
        T(test_submission_and_review),
        T(test_submission_refusals),
        T(test_draft),
        T(test_period_spelled_otherwise),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
