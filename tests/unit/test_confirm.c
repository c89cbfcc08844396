/* confirm (case/confirm.h), 司法确认: only a case with an agreement applies, one
 * application waits at a time, numbered case id "-SQ" n; a ruling applies once, to the
 * pending application, confirmed or refused with a reason; after a refusal the case may
 * apply again, the refusal's time kept for the ledger. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/confirm.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

static Jiefen__CaseView *view(int outcome)
{
    Jiefen__CaseView *v = malloc(sizeof *v);
    assert_non_null(v);
    jiefen__case_view__init(v);
    v->case_id = strdup("v1-2026-000007");
    v->last_outcome = outcome;
    return v;
}

static int applied(Jiefen__CaseView *v, const char *no, int64_t at)
{
    Jiefen__ConfirmApplied a = JIEFEN__CONFIRM_APPLIED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    a.court = "court_dc";
    a.application_no = (char *)no;
    ev.body_case = JIEFEN__EVENT__BODY_CONFIRM_APPLIED;
    ev.confirm_applied = &a;
    ev.time_ms = at;
    return confirm_apply(v, &ev);
}

static int ruled(Jiefen__CaseView *v, const char *no, const char *decision, const char *reason,
                 int64_t at)
{
    Jiefen__ConfirmRuled r = JIEFEN__CONFIRM_RULED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    r.application_no = (char *)no;
    r.decision = (char *)decision;
    r.ruling_no = "（2026）京0101民特1号";
    r.reason = (char *)reason;
    ev.body_case = JIEFEN__EVENT__BODY_CONFIRM_RULED;
    ev.confirm_ruled = &r;
    ev.time_ms = at;
    return confirm_apply(v, &ev);
}

static void test_only_an_agreement_applies(void **state)
{
    (void)state;
    const char *code;
    Jiefen__CaseView *v = view(JIEFEN__OUTCOME__OUTCOME_FAILED);
    assert_non_null(confirm_refusal(v, &code));
    assert_string_equal(code, "no_agreement");
    assert_int_equal(applied(v, "v1-2026-000007-SQ1", 1000), JF_EINVAL);
    assert_null(v->confirm);
    jiefen__case_view__free_unpacked(v, NULL);
}

static void test_apply_rule_once_and_apply_again_after_a_refusal(void **state)
{
    (void)state;
    const char *code;
    char no[CONFIRM_NO_MAX];
    Jiefen__CaseView *v = view(JIEFEN__OUTCOME__OUTCOME_PARTIAL);
    assert_null(confirm_refusal(v, &code));
    confirm_next_no(v, no);
    assert_string_equal(no, "v1-2026-000007-SQ1");
    assert_int_equal(applied(v, "v1-2026-000007-SQ2", 1000), JF_EINVAL); /* not its number */
    assert_int_equal(applied(v, no, 1000), 0);
    assert_non_null(confirm_refusal(v, &code));
    assert_string_equal(code, "confirm_pending");
    assert_int_equal(applied(v, "v1-2026-000007-SQ2", 1500), JF_EINVAL); /* one waits */
    /* A refusal needs its reason, and rules the pending application only. */
    assert_int_equal(ruled(v, no, "refused", "", 2000), JF_EINVAL);
    assert_int_equal(ruled(v, "v1-2026-000007-SQ9", "refused", "超出处分范围", 2000), JF_EINVAL);
    assert_int_equal(ruled(v, no, "maybe", "x", 2000), JF_EINVAL);
    assert_int_equal(ruled(v, no, "refused", "超出处分范围", 2000), 0);
    assert_string_equal(v->confirm->decision, "refused");
    assert_int_equal(v->confirm->refused_ms, 2000);
    assert_int_equal(ruled(v, no, "confirmed", "", 2500), JF_EINVAL); /* ruled already */
    /* Applied again: a new number, the refusal's time kept. */
    confirm_next_no(v, no);
    assert_string_equal(no, "v1-2026-000007-SQ2");
    assert_int_equal(applied(v, no, 3000), 0);
    assert_int_equal(v->confirm->applications, 2);
    assert_string_equal(v->confirm->decision, "");
    assert_int_equal(ruled(v, no, "confirmed", "", 4000), 0);
    assert_int_equal(v->confirm->refused_ms, 2000);
    assert_int_equal(v->confirm->ruled_ms, 4000);
    assert_non_null(confirm_refusal(v, &code));
    assert_string_equal(code, "already_confirmed");
    json_t *j = confirm_json(v);
    printf("  %s\n", json_string_value(json_object_get(j, "decision_name")));
    assert_string_equal(json_string_value(json_object_get(j, "decision_name")),
                        "法院裁定确认协议有效");
    json_decref(j);
    jiefen__case_view__free_unpacked(v, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_only_an_agreement_applies),
        cmocka_unit_test(test_apply_rule_once_and_apply_again_after_a_refusal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
