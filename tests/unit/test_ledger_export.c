/* ledger_export (report/ledger_export.h): the month's ledger of t1 as CSV: its caption,
 * the register of the cases taken in (those of the month, in its subtree, named by their
 * Chinese names), and the figure sheets; a stored report as CSV with its 报告 sheet; XLSX is
 * a zip; refusals of figures that are not JSON and of a directory that cannot be written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "report/ledger_export.h"
#include "testutil.h"

#define sh test_shanghai_ms

/* Opens a case on chain c at t1 on day `day` of month `mo` 2026. */
static void open_case(struct test_node *f, struct test_chain *c, int mo, int day,
                      const char *category, const char *village, const char *source)
{
    char id[32];
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    snprintf(id, sizeof id, "%s-2026-%06llu", c->origin, (unsigned long long)c->seq + 1);
    test_case_opened(&ev, &o, id, sh(2026, mo, day, 9, 0));
    o.category = (char *)category;
    o.department = "部门";
    o.village = (char *)village;
    o.source = (char *)source;
    o.risk = JIEFEN__RISK__RISK_BLUE;
    assert_int_equal(test_chain_store(f->st, "t1", c, &ev, NULL, NULL), 0);
}

static int setup(void **state)
{
    test_node_setup(state);
    struct test_node *f = *state;
    open_case(f, &f->t.cv1, 1, 5, "land_contract", "东村", "walk_in");
    open_case(f, &f->t.cv1, 1, 20, "land_contract", "东村", "walk_in");
    open_case(f, &f->t.cv1a, 1, 31, "medical", "西组", "hotline_12345");
    open_case(f, &f->t.cv2, 2, 1, "pollution", "南村", "online"); /* next month */
    return 0;
}

/* The CSV ledger of `node` for January 2026; free it. */
static char *january(struct test_node *f, const char *node, const char *name)
{
    struct ledger_export_req q = {node, name, sh(2026, 1, 1, 0, 0), sh(2026, 2, 1, 0, 0),
                                  sh(2026, 2, 2, 0, 0), 0, f->dir};
    MDB_txn *txn;
    char *out = NULL, err[256] = "";
    size_t len = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    int rc = ledger_export(f->st, txn, &q, &out, &len, err, sizeof err);
    store_txn_abort(txn);
    if (rc)
        printf("  ledger_export: %d %s\n", rc, err);
    assert_int_equal(rc, 0);
    char *text = malloc(len + 1);
    memcpy(text, out, len);
    text[len] = 0;
    free(out);
    printf("%s\n", text);
    return text;
}

/* 1 if the CSV has this line (CRLF ends). */
static int line(const char *text, const char *want)
{
    char buf[512];
    snprintf(buf, sizeof buf, "\r\n%s\r\n", want);
    if (strstr(text, buf))
        return 1;
    printf("  missing line: %s\n", want);
    return 0;
}

static void test_month_ledger_csv(void **state)
{
    struct test_node *f = *state;
    char *t = january(f, "t1", "镇");
    assert_memory_equal(t, "\xEF\xBB\xBF", 3);
    assert_non_null(strstr(t, "镇 综合台账（2026-01-01 至 2026-01-31）"));
    assert_true(line(t, "案件编号,受理日期,村(社区),纠纷类别,归口部门,事项类型,来源,风险等级,"
                        "状态,承办节点,办理期限,办结日期,满意度"));
    /* The register: the three cases of January in t1's subtree, by their names. */
    assert_true(line(t, "v1-2026-000001,2026-01-05,东村,土地承包经营,部门,纠纷调处,来访,蓝,"
                        "办理中,村1,2026-01-08,,")); /* the holder by its name */
    assert_non_null(strstr(t, "v1-2026-000002,2026-01-20,"));
    assert_non_null(strstr(t, "v1a-2026-000001,2026-01-31,西组,医疗纠纷,部门,纠纷调处,12345热线"));
    assert_null(strstr(t, "v2-2026-000001")); /* taken in on 1 February */
    /* The figures. */
    assert_true(line(t, "受理案件数,3"));
    assert_true(line(t, "期末在办,3"));
    assert_true(line(t, "期末超期,2")); /* due 8 and 23 January, as of 2 February */
    assert_true(line(t, "化解率,0%"));
    assert_true(line(t, "按期办结率,")); /* nothing closed: no rate, an empty cell */
    assert_true(line(t, "土地承包经营,2"));
    assert_true(line(t, "医疗纠纷,1"));
    assert_true(line(t, "土地权属,0"));
    assert_true(line(t, "东村,2"));
    assert_true(line(t, "西组,1"));
    assert_true(line(t, "来访,2"));
    assert_true(line(t, "12345热线,1"));
    assert_true(line(t, "网上受理,0"));
    free(t);
}

static void test_ledger_of_a_child_covers_its_subtree_only(void **state)
{
    struct test_node *f = *state;
    char *t = january(f, "v1", "村1");
    assert_non_null(strstr(t, "村1 综合台账（2026-01-01 至 2026-01-31）"));
    assert_true(line(t, "受理案件数,3")); /* v1's two and v1a's one */
    free(t);
    t = january(f, "v2", "村2");
    assert_true(line(t, "受理案件数,0"));
    assert_null(strstr(t, "-2026-0000"));
    free(t);
}

static void test_xlsx_is_a_zip(void **state)
{
    struct test_node *f = *state;
    struct ledger_export_req q = {"t1", "镇", sh(2026, 1, 1, 0, 0), sh(2026, 2, 1, 0, 0),
                                  sh(2026, 2, 2, 0, 0), 1, f->dir};
    MDB_txn *txn;
    char *out = NULL, err[256] = "";
    size_t len = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(ledger_export(f->st, txn, &q, &out, &len, err, sizeof err), 0);
    store_txn_abort(txn);
    printf("  xlsx of %zu bytes\n", len);
    assert_true(len > 1000);
    assert_memory_equal(out, "PK\x03\x04", 4);
    free(out);
}

static void test_cannot_write(void **state)
{
    struct test_node *f = *state;
    struct ledger_export_req q = {"t1", "镇", sh(2026, 1, 1, 0, 0), sh(2026, 2, 1, 0, 0),
                                  sh(2026, 2, 2, 0, 0), 0, "/nonexistent/jiefen"};
    MDB_txn *txn;
    char *out = (char *)1, err[256] = "";
    size_t len = 7;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    int rc = ledger_export(f->st, txn, &q, &out, &len, err, sizeof err);
    store_txn_abort(txn);
    printf("  into a missing directory: %d '%s'\n", rc, err);
    assert_true(rc < 0);
    assert_null(out);
    assert_int_equal(len, 0);
}

static void test_report_csv(void **state)
{
    struct test_node *f = *state;
    char *missing[] = {"v1a/2026-01-05", "v2/2026-01-06"}, *reasons[] = {"停电"};
    Jiefen__ReportView v = JIEFEN__REPORT_VIEW__INIT;
    v.origin = "v1";
    v.seq = 9;
    v.kind = "daily";
    v.period = "2026-01-05";
    v.from_ms = sh(2026, 1, 5, 0, 0);
    v.to_ms = sh(2026, 1, 6, 0, 0);
    v.submitted_ms = sh(2026, 1, 6, 9, 30);
    v.actor = "zhangsan";
    v.figures = "{\"taken_in\":4,\"resolution_rate\":0.5,"
                "\"taken_in_by\":{\"category\":{\"land_contract\":4},\"village\":{\"东村\":4}}}";
    v.analysis = "无重大矛盾";
    v.missing = missing;
    v.n_missing = 2;
    v.missing_reason = reasons; /* the second without a reason */
    v.n_missing_reason = 1;
    v.state = "accepted";
    v.reviewer = "t1";
    v.comment = "同意";
    v.reviewed_ms = sh(2026, 1, 7, 10, 0);
    struct report_export_req q = {&v, "村1", "张三", "镇1", 0, f->dir};
    char *out = NULL, err[256] = "";
    size_t len = 0;
    assert_int_equal(ledger_export_report(&q, &out, &len, err, sizeof err), 0);
    char *t = malloc(len + 1);
    memcpy(t, out, len);
    t[len] = 0;
    free(out);
    printf("%s\n", t);
    assert_non_null(strstr(t, "村1 日排查（2026-01-05 至 2026-01-05）"));
    assert_true(line(t, "报送单位,村1（v1）"));
    assert_true(line(t, "报告类型,日排查"));
    assert_true(line(t, "报告期,2026-01-05 至 2026-01-05"));
    assert_true(line(t, "报送截止,2026-01-06 12:00:00"));
    assert_true(line(t, "状态,已接收"));
    assert_true(line(t, "报送时间,2026-01-06 09:30:00"));
    assert_true(line(t, "报送人,张三"));
    assert_true(line(t, "审核单位,镇1（t1）"));
    assert_true(line(t, "审核意见,同意"));
    assert_true(line(t, "标注缺报的下级报告,v1a/2026-01-05（停电）、v2/2026-01-06"));
    assert_true(line(t, "分析研判,无重大矛盾"));
    assert_true(line(t, "受理案件数,4"));
    assert_true(line(t, "化解率,50%"));
    assert_true(line(t, "土地承包经营,4"));
    assert_true(line(t, "东村,4"));
    free(t);

    v.figures = "not json";
    out = NULL;
    assert_int_equal(ledger_export_report(&q, &out, &len, err, sizeof err), JF_ECORRUPT);
    assert_null(out);
}

/* The register's dates (受理日期) of cases taken in a second either side of local
 * midnight, and a quarter hour after it, are their own local dates: in Shanghai, whose
 * midnight falls on a quarter hour of UTC, and in a zone 7 h 10 min east, whose midnight
 * falls inside one (16:50 UTC). */
static void test_register_dates_around_midnight(void **state)
{
    struct test_node *f = *state;
    static const char *const zones[] = {"Asia/Shanghai", "<+0710>-07:10"};
    /* UTC instants on 10 March 2026: 15:59:59, 16:00:00, 16:14:59, 16:49:59, 16:50:00. */
    const int64_t base = sh(2026, 3, 10, 8, 0); /* 00:00 UTC */
    static const int64_t seconds[] = {57599, 57600, 58499, 60599, 60600};
    char id[5][40];
    for (int i = 0; i < 5; i++) {
        Jiefen__CaseOpened o;
        Jiefen__Event ev;
        snprintf(id[i], sizeof id[i], "v1-2026-%06llu", (unsigned long long)f->t.cv1.seq + 1);
        test_case_opened(&ev, &o, id[i], base + seconds[i] * 1000);
        assert_int_equal(test_chain_store(f->st, "t1", &f->t.cv1, &ev, NULL, NULL), 0);
    }
    for (size_t z = 0; z < sizeof zones / sizeof zones[0]; z++) {
        setenv("TZ", zones[z], 1);
        tzset();
        struct ledger_export_req q = {"t1", "镇", sh(2026, 3, 1, 0, 0), sh(2026, 4, 1, 0, 0),
                                      sh(2026, 4, 2, 0, 0), 0, f->dir};
        MDB_txn *txn;
        char *out = NULL, err[256] = "";
        size_t len = 0;
        assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
        assert_int_equal(ledger_export(f->st, txn, &q, &out, &len, err, sizeof err), 0);
        store_txn_abort(txn);
        char *t = strndup(out, len);
        free(out);
        for (int i = 0; i < 5; i++) {
            time_t at = (time_t)(base / 1000 + seconds[i]);
            struct tm tm;
            char want[96], date[16];
            localtime_r(&at, &tm);
            strftime(date, sizeof date, "%Y-%m-%d", &tm);
            snprintf(want, sizeof want, "\r\n%.39s,%.15s,", id[i], date);
            printf("  %s: %s %s\n", zones[z], id[i], date);
            assert_non_null(strstr(t, want));
        }
        free(t);
    }
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
}

int main(void)
{
    if (test_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, test_node_teardown)
    const struct CMUnitTest tests[] = {
        T(test_month_ledger_csv),
        T(test_ledger_of_a_child_covers_its_subtree_only),
        T(test_xlsx_is_a_zip),
        T(test_cannot_write),
        T(test_register_dates_around_midnight),
        TEST_NODE(test_report_csv),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
