/* report_status (report/report_status.h): the township t1's view of a period's reports.
 * Its children v1 and v2 owe dailies (not the revoked v3, not the grandchild v1a); v1's
 * report is compared with what t1 computes from the cases it holds for v1's subtree
 * (v1 and v1a), a child with no report is absent and late only once the due moment has
 * passed, a report sent after it is late. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "report/report_status.h"
#include "testutil.h"

#define PERIOD "2026-01-01"

#define sh test_shanghai_ms

/* The daily period looked at. */
static struct report_period day;

/* Opens a case of chain c at t1 (on 1 January, 08:00 Shanghai and on). */
static void open_case(struct test_node *f, struct test_chain *c)
{
    char id[32];
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    snprintf(id, sizeof id, "%s-case-%llu", c->origin, (unsigned long long)c->seq + 1);
    test_case_opened(&ev, &o, id, sh(2026, 1, 1, 8, 0) + (int64_t)c->seq * 60000);
    assert_int_equal(test_chain_store(f->st, "t1", c, &ev, NULL, NULL), 0);
}

static void submit(struct test_node *f, struct test_chain *c, const char *figures, int64_t t)
{
    Jiefen__ReportSubmitted r = JIEFEN__REPORT_SUBMITTED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    r.kind = "daily";
    r.period = PERIOD;
    r.figures = (char *)figures;
    r.analysis = "无";
    ev.body_case = JIEFEN__EVENT__BODY_REPORT_SUBMITTED;
    ev.report_submitted = &r;
    ev.time_ms = t;
    assert_int_equal(test_chain_store(f->st, "t1", c, &ev, NULL, NULL), 0);
}

/* t1 holds three cases of v1 and one of v1a opened on the day. */
static int setup(void **state)
{
    test_node_setup(state);
    struct test_node *f = *state;
    assert_null(report_period_parse("daily", PERIOD, &day));
    for (int i = 0; i < 3; i++)
        open_case(f, &f->t.cv1);
    open_case(f, &f->t.cv1a);
    return 0;
}

/* report_status at t1 as of now; the caller frees the result. */
static json_t *status(struct test_node *f, const struct report_period *p, int64_t now)
{
    MDB_txn *txn;
    json_t *out = json_object();
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(report_status(f->st, txn, "t1", p, now, out), 0);
    store_txn_abort(txn);
    char *text = json_dumps(out, JSON_INDENT(1) | JSON_SORT_KEYS);
    printf("%s\n", text);
    free(text);
    return out;
}

static json_t *child(json_t *st, size_t i, const char *node)
{
    json_t *c = json_array_get(json_object_get(st, "children"), i);
    assert_non_null(c);
    assert_string_equal(json_string_value(json_object_get(c, "node")), node);
    return c;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    assert_non_null(s);
    return s;
}

static void test_nothing_sent_before_due(void **state)
{
    struct test_node *f = *state;
    json_t *st = status(f, &day, sh(2026, 1, 2, 11, 59));
    assert_true(json_is_null(json_object_get(st, "own"))); /* a township sends no daily */
    assert_int_equal(json_array_size(json_object_get(st, "children")), 2);
    json_t *v1 = child(st, 0, "v1"), *v2 = child(st, 1, "v2");
    assert_string_equal(str(v1, "state"), "absent");
    assert_string_equal(str(v1, "name"), "村1");
    assert_false(json_is_true(json_object_get(v1, "late")));
    assert_string_equal(str(v2, "state"), "absent");
    assert_false(json_is_true(json_object_get(v2, "late")));
    json_decref(st);
    /* After the due moment (the next day's noon) the absent ones are late. */
    st = status(f, &day, sh(2026, 1, 2, 12, 1));
    assert_true(json_is_true(json_object_get(child(st, 0, "v1"), "late")));
    assert_true(json_is_true(json_object_get(child(st, 1, "v2"), "late")));
    json_decref(st);
}

static void test_figures_checked_against_the_subtree(void **state)
{
    struct test_node *f = *state;
    /* v1 reports 3 cases taken in; t1 holds 4 for v1's subtree (v1a's counts too). */
    submit(f, &f->t.cv1, "{\"taken_in\":3,\"closed\":0,\"guided\":0,\"petitions\":0}",
           sh(2026, 1, 2, 10, 0));
    /* v2 reports its day (nothing) right, but after the due moment. */
    submit(f, &f->t.cv2, "{\"taken_in\":0,\"closed\":0,\"guided\":0,\"petitions\":0}",
           sh(2026, 1, 2, 12, 30));
    json_t *st = status(f, &day, sh(2026, 1, 3, 9, 0));
    json_t *v1 = child(st, 0, "v1"), *v2 = child(st, 1, "v2");
    assert_string_equal(str(v1, "state"), "submitted");
    assert_int_equal(json_integer_value(json_object_get(v1, "seq")), 4);
    assert_false(json_is_true(json_object_get(v1, "late")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(v1, "figures"),
                                                        "taken_in")),
                     3);
    json_t *dis = json_object_get(v1, "disagreements");
    assert_int_equal(json_array_size(dis), 1);
    json_t *d = json_array_get(dis, 0);
    assert_string_equal(str(d, "figure"), "taken_in");
    assert_int_equal(json_integer_value(json_object_get(d, "reported")), 3);
    assert_int_equal(json_integer_value(json_object_get(d, "recomputed")), 4);

    assert_string_equal(str(v2, "state"), "submitted");
    assert_true(json_is_true(json_object_get(v2, "late")));
    assert_int_equal(json_array_size(json_object_get(v2, "disagreements")), 0);
    json_decref(st);
}

static void test_own_report_and_other_kinds(void **state)
{
    struct test_node *f = *state;
    struct report_period ledger, weekly;
    MDB_txn *txn;
    assert_null(report_period_parse("ledger", PERIOD, &ledger));
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(report_draft_put(f->st, txn, "t1", &ledger, "{\"taken_in\":4}", 5), 1);
    assert_int_equal(store_txn_commit(txn), 0);
    json_t *st = status(f, &ledger, sh(2026, 2, 1, 0, 0));
    json_t *own = json_object_get(st, "own");
    assert_string_equal(str(own, "state"), "draft");
    assert_string_equal(str(own, "node"), "t1");
    /* Villages owe the ledger too; not yet due on 1 February. */
    assert_int_equal(json_array_size(json_object_get(st, "children")), 2);
    assert_false(json_is_true(json_object_get(child(st, 0, "v1"), "late")));
    json_decref(st);
    /* Nobody below a township owes it a weekly. */
    assert_null(report_period_parse("weekly", "2025-12-29", &weekly));
    st = status(f, &weekly, sh(2026, 1, 9, 0, 0));
    assert_int_equal(json_array_size(json_object_get(st, "children")), 0);
    json_decref(st);
}

int main(void)
{
    if (test_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, test_node_teardown)
    const struct CMUnitTest tests[] = {
        T(test_nothing_sent_before_due),
        T(test_figures_checked_against_the_subtree),
        T(test_own_report_and_other_kinds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
