/* clockskew (node/case/clockskew.h): how an offset is said in Chinese; the parent's one
 * clock_skew warning per skewed child and episode (not again after a restart, again after
 * the child was set right and went wrong anew); a skewed child's own offset, stamped on its
 * events but not folded into its own views; another origin's skewed event folded on the
 * parent's clock (time and limits) with the view saying so. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/clockskew.h"
#include "node.h"
#define TESTUTIL_CASES
#include "testutil.h"

#define DAY CLOCK_DAY_MS
#define MIN 60000LL
#define THRESHOLD (2 * MIN)

static void test_describe(void **state)
{
    (void)state;
    char buf[64];
    const struct {
        int64_t ms;
        const char *text;
    } cases[] = {
        {3 * DAY, "快 3 天"},
        {3 * DAY - 10, "快 3 天"},                 /* rounded: latency is not news */
        {-(3 * DAY + 2 * 3600000), "慢 3 天 2 小时"},
        {2 * 3600000 + 5 * MIN + 20000, "快 2 小时 5 分钟"},
        {-5 * MIN, "慢 5 分钟"},
        {61000, "快 1 分钟 1 秒"},
        {400, "快 0 秒"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        clockskew_describe(cases[i].ms, buf, sizeof buf);
        assert_string_equal(buf, cases[i].text);
    }
}

static uint64_t count_warnings(struct case_node *f)
{
    MDB_txn *txn;
    uint64_t n = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_count(txn, f->st->warnings, &n), 0);
    store_txn_abort(txn);
    return n;
}

/* The newest event of this node's log, decoded (free with envelope_free). */
static envelope *newest(struct case_node *f)
{
    MDB_txn *txn;
    MDB_val d;
    envelope *e = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_event_get(f->st, txn, f->cfg.node_id, cn_head(f), &d), 0);
    assert_int_equal(envelope_decode(d.mv_data, d.mv_size, &e), 0);
    store_txn_abort(txn);
    return e;
}

static void test_parent_warns_once_per_episode(void **state)
{
    struct case_node *f = *state;
    clockskew *cs = clockskew_new(f->log, "t1", THRESHOLD);
    assert_non_null(cs);
    clockskew_seen(cs, "v2", 0, 30000); /* within the threshold: nothing to say */
    clockskew_seen(cs, "v1", 0, 3 * DAY);
    eventlog_flush(f->log);
    assert_int_equal(count_warnings(f), 1);
    envelope *e = newest(f);
    assert_int_equal(e->event->body_case, JIEFEN__EVENT__BODY_WARNING);
    assert_string_equal(e->event->warning->rule, "clock_skew");
    assert_string_equal(e->event->warning->village, "东村");
    assert_non_null(strstr(e->event->warning->detail, "东村"));
    assert_non_null(strstr(e->event->warning->detail, "快 3 天"));
    envelope_free(&e);

    /* Still skewed: no second warning, nor from a restarted node that measures anew. */
    clockskew_seen(cs, "v1", 0, 3 * DAY + 5);
    eventlog_flush(f->log);
    clockskew_free(&cs);
    cs = clockskew_new(f->log, "t1", THRESHOLD);
    clockskew_seen(cs, "v1", 0, 3 * DAY);
    eventlog_flush(f->log);
    assert_int_equal(count_warnings(f), 1);

    /* The parent is the reference: its own clock is never called skewed by a child. */
    json_t *j = clockskew_json(cs);
    assert_true(json_is_false(json_object_get(j, "skewed")));
    assert_true(json_is_null(json_object_get(j, "offset_ms")));
    json_t *p = json_array_get(json_object_get(j, "peers"), 0);
    assert_string_equal(json_string_value(json_object_get(p, "direction")), "child");
    assert_string_equal(json_string_value(json_object_get(p, "text")), "快 3 天");
    assert_true(json_is_true(json_object_get(p, "skewed")));
    json_decref(j);
    assert_int_equal(clockskew_own(cs), 0);

    /* Set right, then wrong again: a new episode, a new warning. */
    clockskew_seen(cs, "v1", 0, 1000);
    eventlog_flush(f->log);
    clockskew_seen(cs, "v1", 0, -2 * DAY);
    eventlog_flush(f->log);
    assert_int_equal(count_warnings(f), 2);
    e = newest(f);
    assert_non_null(strstr(e->event->warning->detail, "慢 2 天"));
    envelope_free(&e);
    clockskew_free(&cs);
    clockskew_free(&cs); /* NULL is fine */
}

static void test_child_marks_its_events(void **state)
{
    struct case_node *f = *state;
    char id[64], n[19];
    clockskew *cs = clockskew_new(f->log, "v1", THRESHOLD);
    clockskew_seen(cs, "t1", 1, -3 * DAY); /* the parent is three days behind us */
    assert_int_equal(clockskew_own(cs), 3 * DAY);
    json_t *j = clockskew_json(cs);
    assert_true(json_is_true(json_object_get(j, "skewed")));
    assert_int_equal(json_integer_value(json_object_get(j, "offset_ms")), 3 * DAY);
    assert_string_equal(json_string_value(json_object_get(j, "text")),
                        "本机时钟比上级快 3 天，请校准");
    json_decref(j);

    assert_int_equal(cn_open_case(f, "东村", "land_contract", cn_id_number(1, n), NULL, id), 0);
    envelope *e = newest(f);
    assert_int_equal(e->event->clock_offset_ms, 3 * DAY);
    Jiefen__CaseView *v = cn_view(f, id);
    assert_int_equal(v->opened_ms, e->event->time_ms); /* its own view: its own clock */
    assert_int_equal(v->clock_corrected_ms, 0);
    case_view_free(&v);
    envelope_free(&e);
    assert_int_equal(count_warnings(f), 0); /* the parent warns, not the child */

    /* Set right: no longer skewed, its events carry nothing. */
    clockskew_seen(cs, "t1", 1, -20000);
    assert_int_equal(clockskew_own(cs), 0);
    assert_int_equal(cn_open_case(f, "东村", "land_contract", cn_id_number(2, n), NULL, id), 0);
    e = newest(f);
    assert_int_equal(e->event->clock_offset_ms, 0);
    envelope_free(&e);
    clockskew_free(&cs);
}

static void test_parent_folds_on_its_clock(void **state)
{
    struct case_node *f = *state;
    struct cn_chain v1 = {CN_V1, 0, {0}};
    Jiefen__Event ev;
    Jiefen__CaseOpened o;
    int64_t now = clock_now_ms();
    test_case_opened(&ev, &o, "V1-2026-0001", 0);
    o.due_ms = now + 3 * DAY + 3 * DAY; /* the village's limit, on its clock */
    ev.clock_offset_ms = 3 * DAY;
    cn_set_now(now + 3 * DAY); /* signed by the village at its (fast) time */
    cn_receive(f, &v1, &ev);
    clock_set_offset(0);
    Jiefen__CaseView *v = cn_view(f, "V1-2026-0001");
    assert_int_equal(v->opened_ms, ev.time_ms - 3 * DAY);
    assert_int_equal(v->due_ms, o.due_ms - 3 * DAY);
    assert_int_equal(v->clock_corrected_ms, 3 * DAY);
    case_view_free(&v);

    /* The same event folded by its origin, or with no self, is as carried. */
    Jiefen__Event copy;
    union clockskew_body body;
    ev.origin = "v1";
    assert_ptr_equal(clockskew_fold_event(&ev, "v1", &copy, &body), &ev);
    assert_ptr_equal(clockskew_fold_event(&ev, NULL, &copy, &body), &ev);
    const Jiefen__Event *moved = clockskew_fold_event(&ev, "t1", &copy, &body);
    assert_ptr_equal(moved, &copy);
    assert_int_equal(moved->case_opened->due_ms, o.due_ms - 3 * DAY);
    assert_int_equal(o.due_ms, now + 6 * DAY); /* the event itself is untouched */
    assert_int_equal(clockskew_fold_time(&ev, "t1", 0), 0); /* no time stays none */
}

int main(void)
{
    if (cn_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_describe),
        cmocka_unit_test_setup_teardown(test_parent_warns_once_per_episode, cn_setup_t1,
                                        cn_teardown),
        cmocka_unit_test_setup_teardown(test_child_marks_its_events, cn_setup_v1, cn_teardown),
        cmocka_unit_test_setup_teardown(test_parent_folds_on_its_clock, cn_setup_t1,
                                        cn_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
