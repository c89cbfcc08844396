/* name_index: each name finds the number put first for it, however many names there are;
 * names never put find none; a cleared index is empty. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/name_index.h"

#include <stdio.h>

static void test_names_find_their_numbers(void **state)
{
    (void)state;
    static char names[3000][16];
    struct name_index x = {0};
    assert_int_equal(name_index_get(&x, "东村"), -1); /* empty */
    for (size_t i = 0; i < 3000; i++) {
        snprintf(names[i], sizeof names[i], "v%zu", i);
        assert_int_equal(name_index_put(&x, names[i], i), 0);
    }
    assert_int_equal(name_index_put(&x, "v7", 99), 0); /* the first number stays */
    for (size_t i = 0; i < 3000; i++)
        assert_int_equal(name_index_get(&x, names[i]), (ssize_t)i);
    assert_int_equal(name_index_get(&x, "v3000"), -1);
    assert_int_equal(name_index_get(&x, ""), -1);
    printf("  %zu names in %zu slots\n", x.count, x.n_slots);
    assert_int_equal(x.count, 3000);
    assert_true(x.n_slots >= 2 * x.count);
    name_index_clear(&x);
    assert_int_equal(name_index_get(&x, "v1"), -1);
    assert_int_equal(x.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_find_their_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
