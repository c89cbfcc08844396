/* The throttle of a child that keeps sending invalid envelopes (link/throttle.h): only
 * bad signatures and unreadable envelopes count, within the window; at the limit its
 * batches are refused for the cooldown, then it is heard again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "link/throttle.h"

static const struct link_throttle limits = {10, 60000, 30000};

static struct ingest_result result(unsigned bad_sig, unsigned undecodable, unsigned gap)
{
    struct ingest_result r = {0};
    r.rejected[REJ_SIGNATURE] = bad_sig;
    r.rejected[REJ_UNDECODABLE] = undecodable;
    r.rejected[REJ_GAP] = gap;
    return r;
}

static void test_invalid_envelopes_throttle_at_the_limit(void **state)
{
    (void)state;
    struct link_peer p = {.id = "v1"};
    int64_t t = 1000000;
    struct ingest_result r = result(4, 5, 0);
    throttle_count(&p, &limits, &r, t);
    assert_false(throttle_active(&p, t));
    r = result(1, 0, 0);
    throttle_count(&p, &limits, &r, t + 1000);
    assert_true(throttle_active(&p, t + 1000));
    assert_int_equal(p.throttled_until_ms, t + 1000 + 30000);
    assert_true(throttle_active(&p, t + 30999));
    assert_false(throttle_active(&p, t + 31000)); /* the cooldown is over */
}

static void test_what_an_honest_link_shows_does_not_count(void **state)
{
    (void)state;
    struct link_peer p = {.id = "v1"};
    struct ingest_result r = result(0, 0, 1000);
    for (int i = 0; i < 100; i++)
        throttle_count(&p, &limits, &r, 1000000 + i);
    assert_false(throttle_active(&p, 1000100));
    assert_int_equal(p.invalid_in_window, 0);
}

static void test_the_window_forgets(void **state)
{
    (void)state;
    struct link_peer p = {.id = "v1"};
    struct ingest_result r = result(9, 0, 0);
    throttle_count(&p, &limits, &r, 1000000);
    r = result(9, 0, 0); /* the first nine are older than the window by then */
    throttle_count(&p, &limits, &r, 1000000 + 60001);
    assert_false(throttle_active(&p, 1000000 + 60001));
    assert_int_equal(p.invalid_in_window, 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_envelopes_throttle_at_the_limit),
        cmocka_unit_test(test_what_an_honest_link_shows_does_not_count),
        cmocka_unit_test(test_the_window_forgets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
