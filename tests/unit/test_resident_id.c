/* GB 11643 resident ID checks: the check digit, dates, region codes and lengths. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/resident_id.h"

#include <stdio.h>
#include <string.h>

static const int64_t NOW = 1795000000000LL; /* 2026-11-18 */

static void check(const char *id, int want_ok)
{
    char buf[128];
    const char *why = resident_id_check(id, NOW, buf, sizeof buf);
    printf("  %-20s -> %s\n", id, why ? why : "ok");
    if (want_ok)
        assert_null(why);
    else
        assert_non_null(why);
}

static void test_valid_numbers(void **state)
{
    (void)state;
    check("11010519491231002X", 1); /* the standard's own example */
    check("11010519491231002x", 1); /* lower-case x accepted */
    check("110101199003077571", 1);
    check("440308199901011234", 1);
}

static void test_check_digit(void **state)
{
    (void)state;
    char buf[128];
    assert_int_equal(resident_id_check_char("11010519491231002"), 'X');
    assert_int_equal(resident_id_check_char("11010119900307757"), '1');
    check("110105194912310021", 0);
    const char *why = resident_id_check("110101199003077578", NOW, buf, sizeof buf);
    assert_non_null(why);
    assert_non_null(strstr(why, "应为 1"));
}

static void test_bad_shapes(void **state)
{
    (void)state;
    check("", 0);
    check("11010519491231002", 0);      /* 17 */
    check("11010519491231002XX", 0);    /* 19 */
    check("1101051949123100AX", 0);     /* letter in the body */
    check("000000199003077574", 0);     /* region 00 */
    check("110101199002307574", 0);     /* 30 February */
    check("110101203001017574", 0);     /* born in 2030 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_numbers),
        cmocka_unit_test(test_check_digit),
        cmocka_unit_test(test_bad_shapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
