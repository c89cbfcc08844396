/* dashboard (report/dashboard.h): the director's figures of t1 on Sunday 1 February 2026
 * (the week of Monday 26 January): this week's two cases by category and village, the 12
 * weeks' trend with each case in the week it was taken in and the one past its limit
 * counted overdue, the cases open now; a village sees only its subtree. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/dashboard.h"
#include "testutil.h"

#define sh test_shanghai_ms

static void open_case(struct test_node *f, struct test_chain *c, int mo, int day,
                      const char *category, const char *village)
{
    char id[32];
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    snprintf(id, sizeof id, "%s-2026-%06llu", c->origin, (unsigned long long)c->seq + 1);
    test_case_opened(&ev, &o, id, sh(2026, mo, day, 9, 0));
    o.category = (char *)category;
    o.village = (char *)village;
    assert_int_equal(test_chain_store(f->st, "t1", c, &ev, NULL, NULL), 0);
}

static int setup(void **state)
{
    test_node_setup(state);
    struct test_node *f = *state;
    open_case(f, &f->t.cv1, 1, 5, "land_contract", "东村");
    open_case(f, &f->t.cv1, 1, 20, "land_contract", "东村");
    open_case(f, &f->t.cv1a, 1, 31, "medical", "西组");
    open_case(f, &f->t.cv2, 2, 1, "pollution", "南村");
    return 0;
}

static json_t *dashboard_of(struct test_node *f, const char *node)
{
    MDB_txn *txn;
    json_t *d = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(dashboard_compute(f->st, txn, node, sh(2026, 2, 1, 12, 0), &d), 0);
    store_txn_abort(txn);
    char *text = json_dumps(d, JSON_COMPACT);
    printf("  %s: %s\n", node, text);
    free(text);
    return d;
}

static json_int_t num(const json_t *o, const char *path)
{
    return json_integer_value(json_object_get(o, path));
}

static void test_week_by_category_and_village(void **state)
{
    json_t *d = dashboard_of(*state, "t1");
    const json_t *w = json_object_get(d, "week");
    assert_string_equal(json_string_value(json_object_get(w, "period")), "2026-01-26");
    assert_int_equal(num(w, "taken_in"), 2);
    assert_int_equal(num(w, "closed"), 0);
    assert_int_equal(num(w, "withdrawn"), 0);
    assert_true(json_real_value(json_object_get(w, "closure_rate")) == 0.0);
    assert_int_equal(num(w, "overdue"), 0); /* due 3 and 4 February */
    const json_t *cats = json_object_get(w, "by_category");
    assert_int_equal(json_array_size(cats), 2);
    for (size_t i = 0; i < 2; i++) {
        const char *code = json_string_value(json_object_get(json_array_get(cats, i), "category"));
        assert_true(strcmp(code, "medical") == 0 || strcmp(code, "pollution") == 0);
        assert_int_equal(num(json_array_get(cats, i), "taken_in"), 1);
    }
    const json_t *vills = json_object_get(w, "by_village");
    assert_int_equal(json_array_size(vills), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(vills, 0), "village")),
                        "南村"); /* one each: by name */
    assert_int_equal(num(d, "open"), 4);
    assert_int_equal(num(d, "overdue_now"), 2); /* due 8 and 23 January */
    json_decref(d);
}

static void test_trend_of_12_weeks(void **state)
{
    json_t *d = dashboard_of(*state, "t1");
    const json_t *t = json_object_get(d, "trend");
    assert_int_equal(json_array_size(t), 12);
    assert_string_equal(json_string_value(json_object_get(json_array_get(t, 0), "period")),
                        "2025-11-10");
    assert_string_equal(json_string_value(json_object_get(json_array_get(t, 8), "period")),
                        "2026-01-05");
    const json_int_t taken[12] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 2};
    for (size_t i = 0; i < 12; i++)
        assert_int_equal(num(json_array_get(t, i), "taken_in"), taken[i]);
    assert_int_equal(num(json_array_get(t, 10), "overdue"), 1);
    assert_int_equal(num(json_array_get(t, 8), "overdue"), 1);
    assert_true(json_is_null(json_object_get(json_array_get(t, 9), "closure_rate")));
    json_decref(d);
}

static void test_a_village_sees_its_subtree(void **state)
{
    json_t *d = dashboard_of(*state, "v2");
    assert_int_equal(num(json_object_get(d, "week"), "taken_in"), 1);
    assert_int_equal(num(d, "open"), 1);
    json_decref(d);
}

int main(void)
{
    if (test_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, test_node_teardown)
    const struct CMUnitTest tests[] = {
        T(test_week_by_category_and_village),
        T(test_trend_of_12_weeks),
        T(test_a_village_sees_its_subtree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
