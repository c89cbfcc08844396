/* clock (common/clock.h): the offset tests move time with, and the local-time helpers in
 * the process time zone: year, format, date parsing (refusing dates that do not exist) and
 * the end of a local day, also on a daylight-saving day (not 24 hours long). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "testutil.h"

#define sh test_shanghai_ms
#define HOUR 3600000LL

static void test_offset_moves_now(void **state)
{
    (void)state;
    assert_int_equal(clock_offset(), 0);
    int64_t before = clock_now_ms();
    clock_set_offset(3 * CLOCK_DAY_MS);
    int64_t after = clock_now_ms();
    clock_set_offset(0);
    int64_t back = clock_now_ms();
    printf("  moved by %lld ms\n", (long long)(after - before));
    assert_true(after - before >= 3 * CLOCK_DAY_MS);
    assert_true(after - before < 3 * CLOCK_DAY_MS + 60000);
    assert_true(back < after);
    assert_true(back >= before);
    clock_set_offset(-5000);
    assert_int_equal(clock_offset(), -5000);
    clock_set_offset(0);
}

static void test_local_year_and_format(void **state)
{
    (void)state;
    char buf[32];
    int64_t new_year = sh(2026, 1, 1, 0, 0); /* 2025-12-31 16:00 UTC */
    assert_int_equal(clock_local_year(new_year), 2026);
    assert_int_equal(clock_local_year(new_year - 1), 2025);
    clock_format_local(new_year, buf, sizeof buf);
    assert_string_equal(buf, "2026-01-01 00:00:00");
    clock_format_local(sh(2026, 3, 10, 15, 4) + 5999, buf, sizeof buf);
    assert_string_equal(buf, "2026-03-10 15:04:05");
}

static void test_parse_local_date(void **state)
{
    (void)state;
    int64_t ms = 0;
    assert_int_equal(clock_parse_local_date("2026-03-10", &ms), 0);
    assert_int_equal(ms, sh(2026, 3, 10, 0, 0));
    assert_int_equal(clock_parse_local_date("2028-02-29", &ms), 0); /* a leap day */
    const char *bad[] = {"2026-02-30", "2027-02-29", "2026-13-01", "2026-00-10", "2026-04-31",
                         "1969-12-31", "2026-3-10",  "2026-03-10x", "20260310",  "",
                         "2026/03/10", "yesterday"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ms = 42;
        int rc = clock_parse_local_date(bad[i], &ms);
        printf("  \"%s\": %d\n", bad[i], rc);
        assert_int_equal(rc, -1);
        assert_int_equal(ms, 42);
    }
}

static void test_local_day_end(void **state)
{
    (void)state;
    assert_int_equal(clock_local_day_end(sh(2026, 3, 10, 15, 0)), sh(2026, 3, 11, 0, 0));
    assert_int_equal(clock_local_day_end(sh(2026, 3, 10, 0, 0)), sh(2026, 3, 11, 0, 0));
    assert_int_equal(clock_local_day_end(sh(2026, 3, 10, 23, 59)), sh(2026, 3, 11, 0, 0));
    assert_int_equal(clock_local_day_end(sh(2026, 12, 31, 12, 0)), sh(2027, 1, 1, 0, 0));
}

static void test_daylight_saving_day(void **state)
{
    (void)state;
    setenv("TZ", "America/New_York", 1);
    tzset();
    int64_t start, end;
    /* 8 March 2026: clocks go from 02:00 to 03:00, the day has 23 hours. */
    assert_int_equal(clock_parse_local_date("2026-03-08", &start), 0);
    end = clock_local_day_end(start + 12 * HOUR);
    printf("  2026-03-08 in New York: %lld hours\n", (long long)((end - start) / HOUR));
    assert_int_equal(end - start, 23 * HOUR);
    /* 1 November 2026: back from 02:00 to 01:00, 25 hours. */
    assert_int_equal(clock_parse_local_date("2026-11-01", &start), 0);
    end = clock_local_day_end(start + 2 * HOUR);
    assert_int_equal(end - start, 25 * HOUR);
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offset_moves_now),
        cmocka_unit_test(test_local_year_and_format),
        cmocka_unit_test(test_parse_local_date),
        cmocka_unit_test(test_local_day_end),
        cmocka_unit_test(test_daylight_saving_day),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
