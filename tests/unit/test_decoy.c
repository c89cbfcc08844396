/* Decoy: the stand-ins of names that are no account count, slow and lock like accounts,
 * and a full table forgets the least-tried name tried longest ago, a locked one last. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/account.h"
#include "api/decoy.h"

#include <stdio.h>

#define T0 1800000000000LL

static void test_counts_like_an_account(void **state)
{
    (void)state;
    struct decoys *d = NULL;
    assert_null(decoy_find(d, "nosuch"));
    for (int i = 0; i < 4; i++)
        assert_int_equal(account_failed(decoy_get(&d, "nosuch", T0 + i), T0 + i, 5, 15), 0);
    Jiefen__UserRecord *r = decoy_find(d, "nosuch");
    assert_non_null(r);
    assert_string_equal(r->user, "nosuch");
    assert_int_equal(account_delay_ms(r), 2000);
    assert_int_equal(account_failed(decoy_get(&d, "nosuch", T0 + 5), T0 + 5, 5, 15), 1);
    assert_true(account_locked(decoy_find(d, "nosuch"), T0 + 6));
    assert_false(account_locked(decoy_find(d, "nosuch"), T0 + 5 + 15 * 60000));
    /* Names no account could have get no stand-in. */
    assert_null(decoy_get(&d, "No Such", T0));
    assert_null(decoy_get(&d, "admin", T0));
    assert_null(decoy_get(&d, "a-name-far-too-long-to-be-any-account", T0));
    decoy_free(&d);
    assert_null(d);
}

static void test_full_table_forgets_the_least_tried(void **state)
{
    (void)state;
    struct decoys *d = NULL;
    char name[32];
    Jiefen__UserRecord *locked = decoy_get(&d, "locked", T0);
    for (int i = 0; i < 5; i++)
        account_failed(locked, T0, 5, 15);
    Jiefen__UserRecord *guessed = decoy_get(&d, "guessed", T0);
    for (int i = 0; i < 4; i++)
        account_failed(guessed, T0, 5, 15);
    for (int i = 2; i < DECOY_MAX; i++) {
        snprintf(name, sizeof name, "name%d", i);
        account_failed(decoy_get(&d, name, T0 + i), T0 + i, 5, 15);
    }
    assert_non_null(decoy_find(d, "name2"));
    assert_non_null(decoy_get(&d, "newcomer", T0 + DECOY_MAX));
    assert_null(decoy_find(d, "name2"));        /* the least tried, longest ago, went */
    assert_non_null(decoy_find(d, "name3"));
    assert_int_equal(decoy_find(d, "guessed")->failures, 4); /* older, but more tried */
    assert_true(account_locked(decoy_find(d, "locked"), T0 + DECOY_MAX));
    assert_int_equal(decoy_find(d, "newcomer")->failures, 0);
    decoy_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts_like_an_account),
        cmocka_unit_test(test_full_table_forgets_the_least_tried),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
