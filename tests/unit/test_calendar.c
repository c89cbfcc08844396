/* Calendar: deadlines in calendar and working days, holiday files, and bad files naming
 * their line. Times are written as local wall clock in Asia/Shanghai (+08:00, no DST). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/calendar.h"
#include "error.h"
#include "testutil.h"

#include <errno.h>
#include <limits.h>
#include <time.h>
#include <unistd.h>

#define MS_PER_DAY 86400000LL
#define HOUR_MS 3600000LL

static int setup(void **state)
{
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    return test_dir_setup(state);
}

/* UTC ms of a wall-clock time at a fixed offset from UTC. */
static int64_t at(int y, int mo, int d, int h, int mi, int offset_h)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi};
    return (int64_t)timegm(&tm) * 1000 - offset_h * HOUR_MS;
}

static int64_t sh(int y, int mo, int d, int h, int mi)
{
    return at(y, mo, d, h, mi, 8);
}

static void show(const char *what, int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[64];
    localtime_r(&t, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S %z", &tm);
    printf("  %s %s (%lld)\n", what, buf, (long long)ms);
}

static void check_due(const calendar *c, int64_t start, unsigned days, int64_t want)
{
    int64_t got = calendar_due(c, start, days);
    printf("  due(%u days)\n", days);
    show("  start", start);
    show("  got  ", got);
    show("  want ", want);
    assert_int_equal(got, want);
}

static int load_text(const char *text, calendar **c, char *err, size_t errlen)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/holidays.txt", test_dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_true(fputs(text, f) >= 0);
    assert_int_equal(fclose(f), 0);
    err[0] = '\0';
    int rc = calendar_load(path, c, err, errlen);
    printf("  load -> %d %s\n", rc, err);
    return rc;
}

/* China's 2026 National Day week, as the State Council set it: Oct 1-7 off (the weekdays
 * among them listed), Sunday Sep 20 and Saturday Oct 10 worked. */
static const char *NATIONAL_DAY =
    "# 2026 国庆节\n"
    "\n"
    "2026-09-20 work   调休上班 (Sunday)\n"
    "2026-10-01 off    国庆节\n"
    "2026-10-02 off\n"
    "   2026-10-05 off # indented, comment after a '#'\n"
    "2026-10-06\toff\r\n"
    "2026-10-07 off\n"
    "2026-10-10 work   调休上班 (Saturday)\n"
    "2026-10-01 off    listed twice with the same meaning: harmless\n"
    "2027-01-01 off    元旦\n";

static void test_calendar_days(void **state)
{
    (void)state;
    int64_t start = sh(2026, 11, 26, 10, 0);
    check_due(NULL, start, 3, start + 3 * MS_PER_DAY);
    check_due(NULL, start, 0, start);
    check_due(NULL, start, 7, sh(2026, 12, 3, 10, 0));
    check_due(NULL, INT64_MAX - 5, 1, INT64_MAX);
}

static void test_working_days_skip_weekend(void **state)
{
    (void)state;
    calendar *c = NULL;
    assert_int_equal(calendar_new(&c), 0);
    /* Thursday 10:00: Fri 27, Mon 30, Tue 1 → the end of Tuesday. */
    check_due(c, sh(2026, 11, 26, 10, 0), 3, sh(2026, 12, 2, 0, 0));
    check_due(c, sh(2026, 11, 26, 10, 0), 0, sh(2026, 11, 27, 0, 0));
    check_due(c, sh(2026, 11, 26, 10, 0), 1, sh(2026, 11, 28, 0, 0));
    /* A start on Saturday counts from Sunday: Monday is the first working day. */
    check_due(c, sh(2026, 11, 28, 9, 0), 1, sh(2026, 12, 1, 0, 0));
    /* 07:00 Friday in Shanghai is still Thursday in UTC: the local date decides. */
    check_due(c, sh(2026, 11, 27, 7, 0), 0, sh(2026, 11, 28, 0, 0));
    check_due(c, sh(2026, 11, 27, 0, 0), 1, sh(2026, 12, 1, 0, 0));
    check_due(c, sh(2026, 11, 26, 23, 59) + 59999, 1, sh(2026, 11, 28, 0, 0));
    assert_int_equal(calendar_is_working_day(c, sh(2026, 11, 27, 23, 59)), 1);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 11, 28, 0, 0)), 0);
    assert_int_equal(calendar_is_working_day(NULL, sh(2026, 11, 29, 12, 0)), 0);
    assert_int_equal(calendar_is_working_day(NULL, sh(2026, 11, 30, 0, 0)), 1);
    calendar_free(&c);
    assert_null(c);
    calendar_free(&c);
    calendar_free(NULL);
}

static void test_holiday_off_skipped(void **state)
{
    (void)state;
    calendar *c = NULL;
    char err[256];
    assert_int_equal(load_text("2026-11-27 off\n", &c, err, sizeof err), 0);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 11, 27, 12, 0)), 0);
    /* Thursday: Fri 27 off, Mon 30, Tue 1, Wed 2 → the end of Wednesday. */
    check_due(c, sh(2026, 11, 26, 10, 0), 3, sh(2026, 12, 3, 0, 0));
    calendar_free(&c);
}

static void check_work(const calendar *c, int64_t start, int hours, int64_t want)
{
    int64_t got = calendar_add_work(c, start, hours * HOUR_MS, 8 * 60 + 30, 17 * 60 + 30);
    printf("  add_work(%d working hours, 08:30-17:30)\n", hours);
    show("  start", start);
    show("  got  ", got);
    show("  want ", want);
    assert_int_equal(got, want);
}

/* The 签收 limit of departments: working hours of working days (2026-12-07 is a Monday). */
static void test_working_hours(void **state)
{
    (void)state;
    calendar *c = NULL;
    char err[256];
    check_work(NULL, sh(2026, 12, 7, 10, 0), 2, sh(2026, 12, 7, 12, 0));
    check_work(NULL, sh(2026, 12, 7, 16, 30), 2, sh(2026, 12, 8, 9, 30));   /* overnight */
    check_work(NULL, sh(2026, 12, 7, 7, 0), 2, sh(2026, 12, 7, 10, 30));    /* before opening */
    check_work(NULL, sh(2026, 12, 7, 18, 0), 2, sh(2026, 12, 8, 10, 30));   /* after closing */
    check_work(NULL, sh(2026, 12, 11, 17, 0), 2, sh(2026, 12, 14, 10, 0));  /* Fri → Mon */
    check_work(NULL, sh(2026, 12, 12, 10, 0), 2, sh(2026, 12, 14, 10, 30)); /* Saturday */
    check_work(NULL, sh(2026, 12, 7, 9, 0), 18, sh(2026, 12, 9, 9, 0));     /* two days */
    assert_int_equal(load_text("2026-12-14 off\n2026-12-12 work\n", &c, err, sizeof err), 0);
    check_work(c, sh(2026, 12, 11, 17, 0), 2, sh(2026, 12, 12, 10, 0));     /* 调休 Saturday */
    check_work(c, sh(2026, 12, 12, 17, 0), 2, sh(2026, 12, 15, 10, 0));    /* Monday off */
    calendar_free(&c);
    /* No time to add, or empty hours: the start itself. */
    assert_int_equal(calendar_add_work(NULL, sh(2026, 12, 7, 10, 0), 0, 510, 1050),
                     sh(2026, 12, 7, 10, 0));
    assert_int_equal(calendar_add_work(NULL, sh(2026, 12, 7, 10, 0), HOUR_MS, 600, 600),
                     sh(2026, 12, 7, 10, 0));
}

static void test_work_saturday_counted(void **state)
{
    (void)state;
    calendar *c = NULL;
    char err[256];
    assert_int_equal(load_text(NATIONAL_DAY, &c, err, sizeof err), 0);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 9, 20, 12, 0)), 1);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 10, 1, 12, 0)), 0);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 10, 3, 12, 0)), 0);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 10, 6, 12, 0)), 0);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 10, 8, 12, 0)), 1);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 10, 10, 12, 0)), 1);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 10, 11, 12, 0)), 0);
    /* Wednesday Sep 30: Oct 1-7 off, Thu 8, Fri 9, Sat 10 (worked) → the end of Sat 10. */
    check_due(c, sh(2026, 9, 30, 10, 0), 3, sh(2026, 10, 11, 0, 0));
    /* Friday Sep 18: Sat 19 no, Sun 20 worked, Mon 21 → the end of Mon 21. */
    check_due(c, sh(2026, 9, 18, 16, 0), 2, sh(2026, 9, 22, 0, 0));
    calendar_free(&c);
}

static void test_year_end(void **state)
{
    (void)state;
    calendar *c = NULL;
    char err[256];
    assert_int_equal(load_text(NATIONAL_DAY, &c, err, sizeof err), 0);
    /* Wednesday Dec 30: Thu 31, Fri Jan 1 off, weekend, Mon Jan 4 → the end of Jan 4. */
    check_due(c, sh(2026, 12, 30, 15, 0), 2, sh(2027, 1, 5, 0, 0));
    check_due(c, sh(2026, 12, 31, 23, 30), 0, sh(2027, 1, 1, 0, 0));
    check_due(NULL, sh(2026, 12, 30, 15, 0), 3, sh(2027, 1, 2, 15, 0));
    calendar_free(&c);
}

/* Reference: step one day at a time through calendar_is_working_day. Shanghai has no DST
 * now, so a day is always 86,400,000 ms. */
static int64_t naive_due(const calendar *c, int64_t start, unsigned days)
{
    int64_t midnight = calendar_due(c, start, 0) - MS_PER_DAY; /* start of the start day */
    while (days > 0) {
        midnight += MS_PER_DAY;
        days -= (unsigned)calendar_is_working_day(c, midnight);
    }
    return midnight + MS_PER_DAY;
}

static void test_long_limits_match_day_by_day(void **state)
{
    (void)state;
    calendar *c = NULL, *none = NULL;
    char err[256];
    assert_int_equal(load_text(NATIONAL_DAY, &c, err, sizeof err), 0);
    assert_int_equal(calendar_new(&none), 0);
    /* Whole weeks are skipped at once between entries; they must agree with counting. */
    int64_t starts[] = {sh(2026, 1, 5, 9, 0), sh(2026, 9, 17, 9, 0), sh(2026, 10, 9, 9, 0),
                        sh(2026, 12, 31, 9, 0)};
    for (size_t i = 0; i < sizeof starts / sizeof starts[0]; i++) {
        for (unsigned d = 0; d <= 400; d++) {
            assert_int_equal(calendar_due(c, starts[i], d), naive_due(c, starts[i], d));
            assert_int_equal(calendar_due(none, starts[i], d), naive_due(none, starts[i], d));
        }
    }
    /* 5000 working days of plain weeks are 1000 weeks: Thursday again, 7000 days on. */
    check_due(none, sh(2026, 11, 26, 10, 0), 5000, sh(2026, 11, 27, 0, 0) + 7000 * MS_PER_DAY);
    /* The largest limit still answers at once, later than any calendar-day limit. */
    int64_t far = calendar_due(c, sh(2026, 11, 26, 10, 0), UINT_MAX);
    show("UINT_MAX working days", far);
    assert_true(far > calendar_due(NULL, sh(2026, 11, 26, 10, 0), UINT_MAX));
    calendar_free(&none);
    calendar_free(&c);
}

/* Where DST skips or repeats midnight, the end of a day is still the first instant of the
 * next date. Cuba moves its clocks at midnight: 2026-03-08 00:00 CST → 01:00 CDT, and
 * 2026-11-01 01:00 CDT → 00:00 CST. */
static void test_dst_midnight(void **state)
{
    (void)state;
    if (access("/usr/share/zoneinfo/America/Havana", R_OK) != 0)
        skip();
    setenv("TZ", "America/Havana", 1);
    tzset();
    calendar *c = NULL;
    char err[256];
    assert_int_equal(load_text("2026-03-07 work\n2026-10-31 work\n", &c, err, sizeof err), 0);
    /* Friday 10:00 CST, 1 working day: Saturday (worked), ending at 01:00 CDT Sunday. */
    check_due(c, at(2026, 3, 6, 10, 0, -5), 1, at(2026, 3, 8, 1, 0, -4));
    /* Friday 10:00 CDT: Saturday (worked) ends at the first of Sunday's two midnights. */
    check_due(c, at(2026, 10, 30, 10, 0, -4), 1, at(2026, 11, 1, 0, 0, -4));
    /* Thursday before each: Friday ends at an ordinary midnight. */
    check_due(c, at(2026, 3, 5, 10, 0, -5), 1, at(2026, 3, 7, 0, 0, -5));
    check_due(c, at(2026, 10, 29, 10, 0, -4), 1, at(2026, 10, 31, 0, 0, -4));
    calendar_free(&c);
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
}

static void expect_error(const char *text, const char *needle)
{
    calendar *c = (calendar *)&c; /* must come back NULL */
    char err[256];
    assert_int_equal(load_text(text, &c, err, sizeof err), JF_ECONFIG);
    assert_null(c);
    assert_non_null(strstr(err, "/holidays.txt:"));
    assert_non_null(strstr(err, needle));
}

static void test_errors_name_the_line(void **state)
{
    (void)state;
    expect_error("# 2026\n2026-10-01 off\n2026-02-30 off\n", ":3: bad date \"2026-02-30\"");
    expect_error("2025-02-29 off\n", ":1: bad date \"2025-02-29\"");
    expect_error("2028-02-29 off\n2026-1-1 off\n", ":2: bad date \"2026-1-1\"");
    expect_error("2026-10-01x off\n", ":1: bad date");
    expect_error("\n2026-10-01 holiday\n", ":2: unknown word \"holiday\"");
    expect_error("2026-10-01 OFF\n", ":1: unknown word \"OFF\"");
    expect_error("2026-10-01 off\n2026-10-02 off\n\n2026-10-01 work\n",
                 ":4: 2026-10-01 is \"work\" here but \"off\" on line 1");
    expect_error("2026-10-01 off\n2026-10-10\n", ":2: missing field");
    expect_error("2026-10-01 # off\n", ":1: missing field");
}

static void test_good_file_and_missing_file(void **state)
{
    (void)state;
    calendar *c = NULL;
    char err[256], path[4200];
    assert_int_equal(load_text("\xEF\xBB\xBF# with a BOM\r\n\r\n2026-10-10 work\r\n", &c, err,
                               sizeof err),
                     0);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 10, 10, 8, 0)), 1);
    calendar_free(&c);
    assert_int_equal(load_text("", &c, err, sizeof err), 0);
    assert_int_equal(calendar_is_working_day(c, sh(2026, 10, 1, 8, 0)), 1);
    calendar_free(&c);
    snprintf(path, sizeof path, "%s/no-such-file.txt", test_dir);
    assert_int_equal(calendar_load(path, &c, err, sizeof err), -ENOENT);
    printf("  missing -> %s\n", err);
    assert_null(c);
    assert_non_null(strstr(err, "no-such-file.txt: "));
    assert_int_equal(calendar_load(test_dir, &c, NULL, 0), -EISDIR);
    assert_int_equal(calendar_load(NULL, &c, err, sizeof err), JF_EINVAL);
    assert_int_equal(calendar_new(NULL), JF_EINVAL);
}

/* The example file shipped in deploy/ must load and say what the 2026 notice says. */
static void test_shipped_2026_file(void **state)
{
    (void)state;
    const char *self = __FILE__, *tail = strstr(self, "tests/unit/test_calendar.c");
    if (self[0] != '/' || !tail)
        skip();
    char path[4200], err[256];
    snprintf(path, sizeof path, "%.*sdeploy/holidays-2026.txt", (int)(tail - self), self);
    calendar *c = NULL;
    int rc = calendar_load(path, &c, err, sizeof err);
    printf("  %s -> %d %s\n", path, rc, rc ? err : "");
    assert_int_equal(rc, 0);
    static const struct {
        int m, d, working;
    } days[] = {{1, 1, 0},  {1, 2, 0},   {1, 4, 1},  {2, 13, 1},  {2, 14, 1},  {2, 16, 0},
                {2, 23, 0}, {2, 24, 1},  {2, 28, 1}, {4, 6, 0},   {4, 7, 1},   {5, 1, 0},
                {5, 5, 0},  {5, 6, 1},   {5, 9, 1},  {6, 19, 0},  {9, 20, 1},  {9, 25, 0},
                {10, 1, 0}, {10, 7, 0},  {10, 8, 1}, {10, 10, 1}, {10, 11, 0}, {12, 31, 1}};
    for (size_t i = 0; i < sizeof days / sizeof days[0]; i++) {
        int got = calendar_is_working_day(c, sh(2026, days[i].m, days[i].d, 12, 0));
        printf("  2026-%02d-%02d working %d (want %d)\n", days[i].m, days[i].d, got,
               days[i].working);
        assert_int_equal(got, days[i].working);
    }
    calendar_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_calendar_days, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_working_days_skip_weekend, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_holiday_off_skipped, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_work_saturday_counted, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_working_hours, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_year_end, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_long_limits_match_day_by_day, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_dst_midnight, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_errors_name_the_line, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_good_file_and_missing_file, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_shipped_2026_file, setup, test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
