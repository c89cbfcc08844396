/* reference (case/reference.h): the fixed vocabularies. Every code and every Chinese name
 * finds exactly its entry (no code or name used twice in a table, so ref_index is never
 * ambiguous), each category has its responsible department (DESIGN.md rule 2), and the
 * tables whose index follows a proto enum follow it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "case/reference.h"
#include "jiefen.pb-c.h"
#include "testutil.h"

static void test_every_code_and_name_finds_its_entry(void **state)
{
    (void)state;
    size_t tables = 0;
    for (const struct ref_table *const *t = ref_all; *t; t++, tables++) {
        printf("  %s: %zu entries\n", (*t)->kind, (*t)->count);
        assert_true((*t)->count > 0);
        for (size_t i = 0; i < (*t)->count; i++) {
            const struct ref_entry *e = &(*t)->entries[i];
            assert_true(e->code[0] && e->name[0]);
            assert_int_equal(ref_index(*t, e->code), (int)i);
            assert_int_equal(ref_index(*t, e->name), (int)i);
            assert_ptr_equal(ref_find(*t, e->code), e);
            assert_ptr_equal(ref_find(*t, e->name), e);
            /* Codes are what is stored: lower-case ASCII, digits and '_'. */
            assert_int_equal(strspn(e->code, "abcdefghijklmnopqrstuvwxyz0123456789_"),
                             strlen(e->code));
        }
        assert_int_equal(ref_index(*t, ""), -1);
        assert_int_equal(ref_index(*t, "no_such_entry"), -1);
        assert_null(ref_find(*t, "no_such_entry"));
        for (const struct ref_table *const *u = ref_all; u < t; u++)
            assert_string_not_equal((*u)->kind, (*t)->kind);
    }
    assert_int_equal(tables, 16);  /* with purposes (查阅目的), 回访 and 名册's */
    /* Exact, not by case or prefix. */
    assert_int_equal(ref_index(&ref_categories, "Medical"), -1);
    assert_int_equal(ref_index(&ref_categories, "medica"), -1);
}

static void test_departments(void **state)
{
    (void)state;
    /* DESIGN.md rule 2 (seed 002, §4.3). */
    assert_string_equal(ref_find(&ref_categories, "land_ownership")->department, "自然资源局");
    assert_string_equal(ref_find(&ref_categories, "consumer")->department,
                        "市场监督管理局(12315)");
    assert_string_equal(ref_find(&ref_categories, "pollution")->department, "生态环境局");
    assert_string_equal(ref_find(&ref_categories, "financial_consumer")->department,
                        "金融监督管理机构");
    assert_string_equal(ref_find(&ref_categories, "traffic_accident")->department, "公安局");
    for (size_t i = 0; i < ref_categories.count; i++)
        assert_true(ref_categories.entries[i].department[0]);
}

static void test_tables_follow_the_enums(void **state)
{
    (void)state;
    assert_int_equal(ref_index(&ref_complexities, "simple") + 1,
                     JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE);
    assert_int_equal(ref_index(&ref_complexities, "complex") + 1,
                     JIEFEN__COMPLEXITY__COMPLEXITY_COMPLEX);
    assert_int_equal(ref_index(&ref_risks, "blue") + 1, JIEFEN__RISK__RISK_BLUE);
    assert_int_equal(ref_index(&ref_risks, "red") + 1, JIEFEN__RISK__RISK_RED);
    assert_int_equal(ref_index(&ref_outcomes, "agreement") + 1,
                     JIEFEN__OUTCOME__OUTCOME_AGREEMENT);
    assert_int_equal(ref_index(&ref_outcomes, "failed") + 1, JIEFEN__OUTCOME__OUTCOME_FAILED);
    for (size_t i = 0; i < ref_statuses.count; i++)
        assert_string_equal(case_status_code((int)i + 1), ref_statuses.entries[i].code);
    for (size_t i = 0; i < ref_risks.count; i++)
        assert_string_equal(case_risk_code((int)i + 1), ref_risks.entries[i].code);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_and_name_finds_its_entry),
        cmocka_unit_test(test_departments),
        cmocka_unit_test(test_tables_follow_the_enums),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
