/* A review's own record (report/review.h) as the submission reads it: decisions, action
 * items (objects or plain text), a meeting's date inside its month and its attendees; each
 * fault named by its field (review.decisions, review.actions[N], review.meeting_date,
 * review.attendees) with a Chinese message; and the record shown back as JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "report/review.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* review_parse of `text` (JSON) for a report of kind/period; its status, with *out and *f. */
static int parse(const char *kind, const char *period, const char *text,
                 Jiefen__ReviewRecord **out, struct review_fault *f, json_t **doc)
{
    struct report_period p;
    assert_null(report_period_parse(kind, period, &p));
    *doc = json_loads(text, 0, NULL);
    assert_non_null(*doc);
    memset(f, 0, sizeof *f);
    int rc = review_parse(*doc, &p, out, f);
    printf("  %s %s %s -> %d %s %s\n", kind, period, text, rc, f->field, f->message);
    return rc;
}

static void test_decisions_and_actions(void **state)
{
    (void)state;
    Jiefen__ReviewRecord *r;
    struct review_fault f;
    json_t *doc;
    assert_int_equal(parse("quarterly", "2026-04-01",
                           "{\"decisions\": [\"加强排查\"], \"actions\": [{\"text\": \"专项排查\","
                           " \"owner\": \"司法所\", \"due\": \"2026-06-30\"}, \"完善台账\"]}",
                           &r, &f, &doc), 0);
    assert_int_equal(r->n_decisions, 1);
    assert_string_equal(r->decisions[0], "加强排查");
    assert_int_equal(r->n_actions, 2);
    assert_string_equal(r->actions[0]->owner, "司法所");
    assert_string_equal(r->actions[1]->text, "完善台账");
    assert_string_equal(r->actions[1]->due, "");
    json_t *back = review_json(r);
    char *s = json_dumps(back, JSON_COMPACT | JSON_SORT_KEYS);
    printf("  as JSON: %s\n", s);
    assert_non_null(strstr(s, "\"actions\":[{\"due\":\"2026-06-30\",\"owner\":\"司法所\","
                              "\"text\":\"专项排查\"}"));
    free(s);
    json_decref(back);
    review_free(&r);
    assert_null(r);
    json_decref(doc);
    back = review_json(NULL);
    assert_true(json_is_null(back));
    json_decref(back);
}

static void test_faults_named(void **state)
{
    (void)state;
    static const struct {
        const char *kind, *period, *body, *field, *says;
    } cases[] = {
        {"quarterly", "2026-04-01", "{}", "review.decisions", "研判结论"},
        {"halfyear", "2026-07-01", "{\"decisions\": []}", "review.decisions", "研判结论"},
        {"halfyear", "2026-07-01", "{\"decisions\": [\"\"]}", "review.decisions", "第 1 项"},
        {"quarterly", "2026-04-01", "{\"decisions\": \"一条\"}", "review.decisions", "列表"},
        {"quarterly", "2026-04-01", "{\"decisions\": [\"a\"], \"actions\": [\"x\", {\"owner\": \"y\"}]}",
         "review.actions[1]", "第 2 项"},
        {"quarterly", "2026-04-01",
         "{\"decisions\": [\"a\"], \"actions\": [{\"text\": \"x\", \"due\": \"6月底\"}]}",
         "review.actions[0]", "完成期限"},
        {"meeting", "2026-05-01", "{\"decisions\": [\"a\"], \"attendees\": [\"李\"]}",
         "review.meeting_date", "会议日期"},
        {"meeting", "2026-05-01",
         "{\"decisions\": [\"a\"], \"attendees\": [\"李\"], \"meeting_date\": \"2026-06-01\"}",
         "review.meeting_date", "报告期"},
        {"meeting", "2026-05-01", "{\"decisions\": [\"a\"], \"meeting_date\": \"2026-05-20\"}",
         "review.attendees", "参会人员"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        Jiefen__ReviewRecord *r;
        struct review_fault f;
        json_t *doc;
        assert_int_equal(parse(cases[i].kind, cases[i].period, cases[i].body, &r, &f, &doc),
                         JF_EINVAL);
        assert_string_equal(f.field, cases[i].field);
        assert_non_null(strstr(f.message, cases[i].says));
        review_free(&r);
        json_decref(doc);
    }
}

static void test_meeting_record(void **state)
{
    (void)state;
    Jiefen__ReviewRecord *r;
    struct review_fault f;
    json_t *doc;
    assert_int_equal(parse("meeting", "2026-05-01",
                           "{\"decisions\": [\"由司法所牵头\"], \"meeting_date\": \"2026-05-20\","
                           " \"attendees\": [\"李主任\", \"王所长\"], \"cases\": [\"v1-2026-000001\"]}",
                           &r, &f, &doc), 0);
    assert_string_equal(r->meeting_date, "2026-05-20");
    assert_int_equal(r->n_attendees, 2);
    assert_int_equal(r->n_cases, 1);
    review_free(&r);
    json_decref(doc);
}

static void test_review_periods(void **state)
{
    (void)state;
    struct report_period p;
    assert_true(report_kind_is_review("quarterly") && report_kind_is_review("meeting"));
    assert_false(report_kind_is_review("weekly"));
    assert_null(report_period_parse("quarterly", "2026-07-01", &p));
    assert_int_equal((p.to_ms - p.from_ms) / 86400000LL, 92);
    assert_non_null(strstr(report_period_parse("quarterly", "2026-05-01", &p), "季度"));
    assert_non_null(strstr(report_period_parse("halfyear", "2026-04-01", &p), "半年"));
    assert_null(report_period_parse("halfyear", "2026-01-01", &p));
    assert_int_equal((p.to_ms - p.from_ms) / 86400000LL, 181);
    report_period_at("quarterly", p.from_ms + 100LL * 86400000LL, &p);   /* 2026-04-11 */
    assert_string_equal(p.period, "2026-04-01");
    report_period_at("halfyear", p.from_ms + 100LL * 86400000LL, &p);    /* 2026-07-10 */
    assert_string_equal(p.period, "2026-07-01");
    assert_null(report_period_parse("meeting", "2026-05-01", &p));
    assert_true(report_kind_for_tier("meeting", JIEFEN__TIER__TIER_TOWNSHIP));
    assert_false(report_kind_for_tier("meeting", JIEFEN__TIER__TIER_VILLAGE));
    assert_true(report_kind_for_tier("quarterly", JIEFEN__TIER__TIER_VILLAGE));
    assert_string_equal(report_kind_name("halfyear"), "半年分析研判");
}

int main(void)
{
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decisions_and_actions),
        cmocka_unit_test(test_faults_named),
        cmocka_unit_test(test_meeting_record),
        cmocka_unit_test(test_review_periods),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
