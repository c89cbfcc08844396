/* policy (case/policy.h): responsible departments (the seed's table, [routing] overrides,
 * a bad category refused with file and line), time limits in calendar or working days with
 * a holiday file, extensions, the 3221 threshold per tier, and the four colours' officials. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <time.h>

#include "case/policy.h"
#include "error.h"
#include "jiefen.pb-c.h"
#include "testutil.h"

#define DAY 86400000LL

#define sh test_shanghai_ms

static void show(const char *what, int64_t ms)
{
    time_t s = (time_t)(ms / 1000) + 8 * 3600;
    struct tm tm;
    char buf[32];
    gmtime_r(&s, &tm);
    strftime(buf, sizeof buf, "%Y-%m-%d %H:%M %a", &tm);
    printf("  %s: %s (Shanghai)\n", what, buf);
}

static struct config cfg_of(int tier)
{
    struct config c;
    config_defaults(&c);
    c.tier = tier;
    return c;
}

static void load_ok(struct policy *p, const struct config *c)
{
    char err[CONFIG_ERR_MAX] = "";
    int rc = policy_load(p, c, test_dir, err, sizeof err);
    if (rc)
        printf("  policy_load: %d %s\n", rc, err);
    assert_int_equal(rc, 0);
}

static void test_default_departments(void **state)
{
    (void)state;
    struct config c = cfg_of(JIEFEN__TIER__TIER_VILLAGE);
    struct policy p;
    load_ok(&p, &c);
    /* DESIGN.md rule 2 (seed 002, §4.3). */
    struct {
        const char *category, *department;
    } want[] = {
        {"land_ownership", "自然资源局"},
        {"land_contract", "农业农村局"},
        {"labour_wages", "人力资源和社会保障局"},
        {"medical", "卫生健康局"},
        {"consumer", "市场监督管理局(12315)"},
        {"elderly_care", "民政局"},
        {"adoption_guardianship", "民政局"},
        {"housing_expropriation", "住房和城乡建设局"},
        {"property_management", "住房和城乡建设局"},
        {"pollution", "生态环境局"},
        {"school", "教育局"},
        {"marriage_family", "妇联、司法局"},
        {"traffic_accident", "公安局"},
        {"minor_offence", "公安局"},
        {"土地承包经营", "农业农村局"}, /* by its Chinese name too */
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
        const char *d = policy_department(&p, want[i].category);
        printf("  %s -> %s\n", want[i].category, d ? d : "(null)");
        assert_non_null(d);
        assert_string_equal(d, want[i].department);
    }
    assert_null(policy_department(&p, "no_such_category"));
    assert_null(policy_department(&p, ""));
    policy_free(&p);
}

static void test_routing_overrides(void **state)
{
    (void)state;
    struct config c = cfg_of(JIEFEN__TIER__TIER_TOWNSHIP);
    struct policy p;
    snprintf(c.routing[0].category, sizeof c.routing[0].category, "land_contract");
    snprintf(c.routing[0].department, sizeof c.routing[0].department, "镇农业综合服务中心");
    c.routing[0].line = 12;
    c.n_routing = 1;
    load_ok(&p, &c);
    assert_string_equal(policy_department(&p, "land_contract"), "镇农业综合服务中心");
    assert_string_equal(policy_department(&p, "土地承包经营"), "镇农业综合服务中心");
    assert_string_equal(policy_department(&p, "land_ownership"), "自然资源局");
    policy_free(&p);
}

static void test_unknown_routing_category_is_refused(void **state)
{
    (void)state;
    struct config c = cfg_of(JIEFEN__TIER__TIER_TOWNSHIP);
    struct policy p;
    char err[CONFIG_ERR_MAX] = "";
    snprintf(c.routing[0].category, sizeof c.routing[0].category, "land_contract");
    snprintf(c.routing[0].department, sizeof c.routing[0].department, "x");
    c.routing[0].line = 11;
    snprintf(c.routing[1].category, sizeof c.routing[1].category, "land_contrakt");
    snprintf(c.routing[1].department, sizeof c.routing[1].department, "y");
    c.routing[1].line = 12;
    c.n_routing = 2;
    int rc = policy_load(&p, &c, test_dir, err, sizeof err);
    printf("  %d: %s\n", rc, err);
    assert_int_equal(rc, JF_ECONFIG);
    assert_string_equal(err, "jiefend.conf:12: [routing] unknown category \"land_contrakt\"");
    policy_free(&p);
}

static void test_calendar_day_limits(void **state)
{
    (void)state;
    struct config c = cfg_of(JIEFEN__TIER__TIER_VILLAGE);
    struct policy p;
    load_ok(&p, &c);
    int64_t t = sh(2026, 1, 9, 10, 0); /* a Friday */
    assert_int_equal(policy_due(&p, t, JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE), t + 3 * DAY);
    assert_int_equal(policy_due(&p, t, JIEFEN__COMPLEXITY__COMPLEXITY_COMPLEX), t + 7 * DAY);
    assert_int_equal(policy_extend(&p, t + 3 * DAY, 5), t + 8 * DAY);
    policy_free(&p);
    c.simple_days = 5;
    c.complex_days = 15;
    load_ok(&p, &c);
    assert_int_equal(policy_due(&p, t, JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE), t + 5 * DAY);
    assert_int_equal(policy_due(&p, t, JIEFEN__COMPLEXITY__COMPLEXITY_COMPLEX), t + 15 * DAY);
    policy_free(&p);
}

static void test_working_day_limits(void **state)
{
    (void)state;
    struct config c = cfg_of(JIEFEN__TIER__TIER_VILLAGE);
    struct policy p;
    c.working_days = 1;
    load_ok(&p, &c);
    int64_t fri = sh(2026, 1, 9, 10, 0);
    /* From Friday, 3 working days are Mon-Wed: the limit is Wednesday's midnight. */
    int64_t due = policy_due(&p, fri, JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE);
    show("3 working days from Fri 10:00", due);
    assert_int_equal(due, sh(2026, 1, 15, 0, 0));
    int64_t cdue = policy_due(&p, fri, JIEFEN__COMPLEXITY__COMPLEXITY_COMPLEX);
    show("7 working days from Fri 10:00", cdue);
    assert_int_equal(cdue, sh(2026, 1, 21, 0, 0));
    /* Two more days from Wednesday's end: Thursday and Friday. */
    int64_t ext = policy_extend(&p, due, 2);
    show("extended by 2", ext);
    assert_int_equal(ext, sh(2026, 1, 17, 0, 0));
    /* Two more from Friday's end: over the weekend to Tuesday. */
    assert_int_equal(policy_extend(&p, ext, 2), sh(2026, 1, 21, 0, 0));
    policy_free(&p);
}

/* 回访 is due [limits] followup_days after closing (15 by default), counted like the limits. */
static void test_followup_due(void **state)
{
    (void)state;
    struct config c = cfg_of(JIEFEN__TIER__TIER_VILLAGE);
    struct policy p;
    int64_t fri = sh(2026, 1, 9, 10, 0);
    assert_int_equal(c.followup_days, 15);
    load_ok(&p, &c);
    show("follow-up 15 days from Fri 10:00", policy_followup_due(&p, fri));
    assert_int_equal(policy_followup_due(&p, fri), fri + 15 * DAY);
    policy_free(&p);
    c.followup_days = 3;
    c.working_days = 1;
    load_ok(&p, &c);
    /* 3 working days from Friday: Mon-Wed, due at Wednesday's midnight. */
    show("follow-up 3 working days from Fri 10:00", policy_followup_due(&p, fri));
    assert_int_equal(policy_followup_due(&p, fri), sh(2026, 1, 15, 0, 0));
    policy_free(&p);
}

static void test_holiday_file_from_data_dir(void **state)
{
    (void)state;
    char path[4200], err[CONFIG_ERR_MAX] = "";
    snprintf(path, sizeof path, "%s/holidays.txt", test_dir);
    FILE *fp = fopen(path, "w");
    fputs("2026-01-12 off  # a Monday off\n2026-01-10 work # a Saturday on\n", fp);
    fclose(fp);
    struct config c = cfg_of(JIEFEN__TIER__TIER_VILLAGE);
    struct policy p;
    c.working_days = 1;
    snprintf(c.holidays, sizeof c.holidays, "holidays.txt");
    load_ok(&p, &c);
    /* From Friday: Saturday (worked), Tuesday, Wednesday. */
    int64_t due = policy_due(&p, sh(2026, 1, 9, 10, 0), JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE);
    show("with the holiday file", due);
    assert_int_equal(due, sh(2026, 1, 15, 0, 0));
    assert_int_equal(policy_due(&p, sh(2026, 1, 10, 10, 0),
                                JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE),
                     sh(2026, 1, 16, 0, 0));
    policy_free(&p);
    /* The same by absolute path. */
    assert_true(strlen(path) < sizeof c.holidays);
    memcpy(c.holidays, path, strlen(path) + 1);
    load_ok(&p, &c);
    assert_int_equal(policy_due(&p, sh(2026, 1, 10, 10, 0),
                                JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE),
                     sh(2026, 1, 16, 0, 0));
    policy_free(&p);

    /* A missing or bad file stops the start, naming the file. */
    snprintf(c.holidays, sizeof c.holidays, "missing.txt");
    int rc = policy_load(&p, &c, test_dir, err, sizeof err);
    printf("  %d: %s\n", rc, err);
    assert_int_equal(rc, JF_ECONFIG);
    assert_non_null(strstr(err, "missing.txt"));
    policy_free(&p);
    fp = fopen(path, "w");
    fputs("2026-01-12 off\n2026-02-30 off\n", fp);
    fclose(fp);
    snprintf(c.holidays, sizeof c.holidays, "holidays.txt");
    err[0] = 0;
    rc = policy_load(&p, &c, test_dir, err, sizeof err);
    printf("  %d: %s\n", rc, err);
    assert_int_equal(rc, JF_ECONFIG);
    assert_non_null(strstr(err, "holidays.txt:2"));
    policy_free(&p);
}

static void test_3221_thresholds(void **state)
{
    (void)state;
    struct {
        int tier, want;
    } cases[] = {
        {JIEFEN__TIER__TIER_VILLAGE, 3},
        {JIEFEN__TIER__TIER_TOWNSHIP, 2},
        {JIEFEN__TIER__TIER_COUNTY, 2},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct config c = cfg_of(cases[i].tier);
        struct policy p = {&c, NULL};
        printf("  %s: %d\n", config_tier_name(cases[i].tier), policy_failed_attempts(&p));
        assert_int_equal(policy_failed_attempts(&p), cases[i].want);
        c.failed_attempts = 5; /* per-tier configuration */
        assert_int_equal(policy_failed_attempts(&p), 5);
    }
}

static void test_risk_officials(void **state)
{
    (void)state;
    struct config c = cfg_of(JIEFEN__TIER__TIER_COUNTY);
    struct policy p = {&c, NULL};
    /* DESIGN.md rule 5. */
    assert_string_equal(policy_official(&p, JIEFEN__RISK__RISK_RED), "县委政法委书记");
    assert_string_equal(policy_official(&p, JIEFEN__RISK__RISK_ORANGE), "乡镇党委书记");
    assert_string_equal(policy_official(&p, JIEFEN__RISK__RISK_YELLOW), "中心主任");
    assert_string_equal(policy_official(&p, JIEFEN__RISK__RISK_BLUE), "调解员");
    assert_string_equal(policy_official(&p, 0), "");
    assert_string_equal(policy_official(&p, 5), "");
    snprintf(c.risk_official[3], sizeof c.risk_official[3], "政法委副书记");
    assert_string_equal(policy_official(&p, JIEFEN__RISK__RISK_RED), "政法委副书记");

    assert_int_equal(policy_official_tier(JIEFEN__RISK__RISK_RED), JIEFEN__TIER__TIER_COUNTY);
    assert_int_equal(policy_official_tier(JIEFEN__RISK__RISK_ORANGE),
                     JIEFEN__TIER__TIER_TOWNSHIP);
    assert_int_equal(policy_official_tier(JIEFEN__RISK__RISK_YELLOW), 0);
    assert_int_equal(policy_official_tier(JIEFEN__RISK__RISK_BLUE), 0);
}

/* A [routing] entry may name its category in Chinese; the override then applies. */
static void test_routing_entry_by_chinese_name(void **state)
{
    (void)state;
    char path[4200], err[CONFIG_ERR_MAX] = "";
    snprintf(path, sizeof path, "%s/jiefend.conf", test_dir);
    FILE *fp = fopen(path, "w");
    fputs("[node]\nid = t1\nname = 东镇\ntier = township\n\n[routing]\n"
          "土地承包经营 = 镇农业综合服务中心\n",
          fp);
    fclose(fp);
    struct config c;
    config_defaults(&c);
    int rc = config_load(path, &c, err, sizeof err);
    printf("  config_load: %d %s (%d routing entries)\n", rc, err, c.n_routing);
    assert_int_equal(rc, 0);
    struct policy p;
    rc = policy_load(&p, &c, test_dir, err, sizeof err);
    const char *d = rc == 0 ? policy_department(&p, "land_contract") : NULL;
    printf("  policy_load: %d %s; land_contract -> %s\n", rc, rc ? err : "", d ? d : "-");
    policy_free(&p);
    /* Refused at start, or applied: never accepted and ignored. */
    if (rc == 0)
        assert_string_equal(d, "镇农业综合服务中心");
    else
        assert_int_equal(rc, JF_ECONFIG);
}

int main(void)
{
    if (test_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, test_dir_setup, test_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_default_departments),
        T(test_routing_overrides),
        T(test_routing_entry_by_chinese_name),
        T(test_unknown_routing_category_is_refused),
        T(test_calendar_day_limits),
        T(test_working_day_limits),
        T(test_holiday_file_from_data_dir),
        cmocka_unit_test(test_followup_due),
        cmocka_unit_test(test_3221_thresholds),
        cmocka_unit_test(test_risk_officials),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
