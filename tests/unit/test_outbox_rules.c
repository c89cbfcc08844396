/* Outbox rules: what the courier does with a message at a given time — expiry, quiet hours
 * (wrapping midnight, none), the per-number rate limit, back-off with jitter — and the [sms]
 * config they come from, bad values refused by name. Pure functions: times are made up. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "outbox/outbox_rules.h"
#include "outbox/sms.h"

#include <stdio.h>
#include <string.h>

#define MIN_MS 60000LL
#define T0 1000000000000LL /* any time */

static struct outbox_rules rules(void)
{
    struct config_sms s;
    struct outbox_rules r;
    config_sms_defaults(&s);
    outbox_rules_from_sms(&s, &r);
    return r;
}

static void test_defaults_quiet_21_to_8(void **state)
{
    (void)state;
    struct outbox_rules r = rules();
    int left = -1;
    assert_int_equal(outbox_rules_quiet(&r, 20 * 60 + 59, &left), 0);
    assert_int_equal(outbox_rules_quiet(&r, 21 * 60, &left), 1);
    print_message("21:00 quiet, %d min left\n", left);
    assert_int_equal(left, 11 * 60);
    assert_int_equal(outbox_rules_quiet(&r, 3 * 60, &left), 1);
    assert_int_equal(left, 5 * 60);
    assert_int_equal(outbox_rules_quiet(&r, 7 * 60 + 59, &left), 1);
    assert_int_equal(left, 1);
    assert_int_equal(outbox_rules_quiet(&r, 8 * 60, &left), 0);
    assert_int_equal(outbox_rules_quiet(&r, 12 * 60, &left), 0);
}

static void test_quiet_within_a_day_and_none(void **state)
{
    (void)state;
    struct outbox_rules r = rules();
    int left;
    r.quiet_start_min = 12 * 60;
    r.quiet_end_min = 14 * 60;
    assert_int_equal(outbox_rules_quiet(&r, 11 * 60, &left), 0);
    assert_int_equal(outbox_rules_quiet(&r, 13 * 60, &left), 1);
    assert_int_equal(left, 60);
    assert_int_equal(outbox_rules_quiet(&r, 14 * 60, &left), 0);
    r.quiet_start_min = r.quiet_end_min = 0;
    for (int m = 0; m < 1440; m += 7)
        assert_int_equal(outbox_rules_quiet(&r, m, &left), 0);
}

static void test_step_send_hold_wait_expire(void **state)
{
    (void)state;
    struct outbox_rules r = rules();
    int64_t until = 0;
    /* noon, due, no rate limit: send */
    assert_int_equal(outbox_rules_step(&r, T0, 12 * 60, T0, T0, T0, &until), OUTBOX_SEND);
    /* 22:30: held until 08:00, 9.5 hours later */
    assert_int_equal(outbox_rules_step(&r, T0, 22 * 60 + 30, T0, T0, T0, &until), OUTBOX_HOLD);
    assert_int_equal(until, T0 + 570 * MIN_MS);
    /* backing off: wait for next_ms */
    assert_int_equal(outbox_rules_step(&r, T0, 12 * 60, T0, T0 + 5000, T0, &until),
                     OUTBOX_WAIT);
    assert_int_equal(until, T0 + 5000);
    /* rate-limited: wait for the later of the two */
    assert_int_equal(outbox_rules_step(&r, T0, 12 * 60, T0, T0 + 5000, T0 + 9000, &until),
                     OUTBOX_WAIT);
    assert_int_equal(until, T0 + 9000);
    /* 24 hours after it was queued it is expired, even in quiet hours or backing off */
    int64_t late = T0 + 24 * OUTBOX_HOUR_MS;
    assert_int_equal(outbox_rules_step(&r, late - 1, 12 * 60, T0, T0, T0, &until), OUTBOX_SEND);
    assert_int_equal(outbox_rules_step(&r, late, 12 * 60, T0, T0, T0, &until), OUTBOX_EXPIRE);
    assert_int_equal(outbox_rules_step(&r, late, 23 * 60, T0, late + 1, T0, &until),
                     OUTBOX_EXPIRE);
}

static void test_backoff_doubles_with_jitter_capped(void **state)
{
    (void)state;
    struct outbox_rules r = rules(); /* 30 s, at most an hour */
    int64_t want[] = {30000, 60000, 120000, 240000, 480000, 960000, 1920000, 3600000, 3600000};
    for (unsigned a = 1; a <= sizeof want / sizeof want[0]; a++) {
        int64_t lo = outbox_rules_backoff(&r, a, 0);
        int64_t hi = outbox_rules_backoff(&r, a, UINT32_MAX);
        int64_t mid = outbox_rules_backoff(&r, a, 12345);
        print_message("attempt %u: %lld..%lld ms\n", a, (long long)lo, (long long)hi);
        assert_int_equal(lo, want[a - 1] / 2);
        assert_true(hi <= want[a - 1] && hi >= lo);
        assert_true(mid >= lo && mid <= want[a - 1]);
    }
    assert_int_equal(outbox_rules_backoff(&r, 1000, 0), 1800000);
}

static void test_rate_per_number_per_hour(void **state)
{
    (void)state;
    outbox_rate *rt = outbox_rate_new();
    assert_non_null(rt);
    /* 2 an hour: a third waits until the first leaves the window */
    assert_int_equal(outbox_rate_free_at(rt, 7, T0, 2), T0);
    assert_int_equal(outbox_rate_note(rt, 7, T0), 0);
    assert_int_equal(outbox_rate_note(rt, 7, T0 + 10 * MIN_MS), 0);
    assert_int_equal(outbox_rate_free_at(rt, 7, T0 + 20 * MIN_MS, 2), T0 + OUTBOX_HOUR_MS);
    /* another number is not held back */
    assert_int_equal(outbox_rate_free_at(rt, 8, T0 + 20 * MIN_MS, 2), T0 + 20 * MIN_MS);
    /* an hour on, one slot is free again */
    assert_int_equal(outbox_rate_free_at(rt, 7, T0 + 61 * MIN_MS, 2), T0 + 61 * MIN_MS);
    /* a limit lowered to 1 waits for both to leave; 0 is no limit */
    assert_int_equal(outbox_rate_free_at(rt, 7, T0 + 20 * MIN_MS, 1),
                     T0 + 10 * MIN_MS + OUTBOX_HOUR_MS);
    assert_int_equal(outbox_rate_free_at(rt, 7, T0 + 20 * MIN_MS, 0), T0 + 20 * MIN_MS);
    outbox_rate_free(&rt);
    assert_null(rt);
}

static void test_sms_config_and_refusals(void **state)
{
    (void)state;
    struct config_sms s;
    char msg[128];
    config_sms_defaults(&s);
    assert_string_equal(s.gateway_url, "");
    assert_non_null(config_sms_template(&s, "receipt"));
    assert_null(config_sms_set(&s, "quiet_hours", "22:30-07:00", msg, sizeof msg));
    assert_int_equal(s.quiet_start_min, 22 * 60 + 30);
    assert_int_equal(s.quiet_end_min, 7 * 60);
    assert_null(config_sms_set(&s, "template.hearing", "{case_id}开庭", msg, sizeof msg));
    assert_null(config_sms_set(&s, "template_id.hearing", "SMS_9", msg, sizeof msg));
    assert_string_equal(config_sms_template(&s, "hearing")->gateway_id, "SMS_9");
    const char *why;
    assert_non_null(why = config_sms_set(&s, "quiet_hours", "25:00-07:00", msg, sizeof msg));
    print_message("quiet_hours 25:00-07:00: %s\n", why);
    assert_non_null(config_sms_set(&s, "gateway_url", "ftp://x", msg, sizeof msg));
    assert_non_null(config_sms_set(&s, "expiry_hours", "0", msg, sizeof msg));
    assert_non_null(config_sms_set(&s, "template.Bad-Name", "x", msg, sizeof msg));
    assert_non_null(config_sms_set(&s, "colour", "x", msg, sizeof msg));
    assert_int_equal(s.expiry_hours, 24); /* a refused value changes nothing */
}

static void test_render_fills_placeholders(void **state)
{
    (void)state;
    Jiefen__NotifyVar v = JIEFEN__NOTIFY_VAR__INIT, *pv = &v;
    Jiefen__NotifyPayload p = JIEFEN__NOTIFY_PAYLOAD__INIT;
    v.name = "time";
    v.value = "12月8日9时";
    p.vars = &pv;
    p.n_vars = 1;
    char out[256];
    sms_render("{centre}：案号{case_id}，{time}调解，{unknown}", &p, "v-1-2026-000001", "东村", out,
               sizeof out);
    assert_string_equal(out, "东村：案号v-1-2026-000001，12月8日9时调解，{unknown}");
    char small[9]; /* cut at a character boundary: 东村 is 6 bytes, 调 and the NUL do not fit */
    sms_render("{centre}调解", &p, "", "东村", small, sizeof small);
    assert_string_equal(small, "东村");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_quiet_21_to_8),
        cmocka_unit_test(test_quiet_within_a_day_and_none),
        cmocka_unit_test(test_step_send_hold_wait_expire),
        cmocka_unit_test(test_backoff_doubles_with_jitter_capped),
        cmocka_unit_test(test_rate_per_number_per_hour),
        cmocka_unit_test(test_sms_config_and_refusals),
        cmocka_unit_test(test_render_fills_placeholders),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
