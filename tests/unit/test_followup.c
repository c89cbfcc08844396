/* followup (case/followup.h): closing sets the follow-up's due date and assignee, the
 * record completes it, and its state at a time is due, overdue, on time or late; a
 * reopening is asked by dissatisfaction or a request; roster people join a case once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/followup.h"

#include <stdio.h>
#include <string.h>

#define DAY 86400000LL
#define T0 1790000000000LL

static void closed(Jiefen__CaseView *v, int64_t at, const char *assignee)
{
    Jiefen__CaseClosed c = JIEFEN__CASE_CLOSED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    c.followup_due_ms = at + 15 * DAY;
    c.followup_assignee = (char *)assignee;
    ev.time_ms = at;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_CLOSED;
    ev.case_closed = &c;
    assert_int_equal(followup_fold_closed(v, &ev), 0);
    v->status = JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED;
}

static void recorded(Jiefen__CaseView *v, int64_t at, const char *method)
{
    Jiefen__FollowUp f = JIEFEN__FOLLOW_UP__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    f.satisfaction = "satisfied";
    f.method = (char *)method;
    f.performance = "performed";
    ev.time_ms = at;
    ev.body_case = JIEFEN__EVENT__BODY_FOLLOW_UP;
    ev.follow_up = &f;
    assert_int_equal(followup_fold_done(v, &ev), 0);
}

static void show(const char *what, const Jiefen__CaseView *v, int64_t now)
{
    printf("  %-28s state %s (due %+lld d)\n", what, followup_state_code(followup_state(v, now)),
           (long long)((v->followup_due_ms - now) / DAY));
}

static void test_due_overdue_on_time_late(void **state)
{
    (void)state;
    Jiefen__CaseView *v = malloc(sizeof *v);
    jiefen__case_view__init(v);
    v->status = JIEFEN__CASE_STATUS__CASE_STATUS_OPEN;
    assert_int_equal(followup_state(v, T0), FOLLOWUP_NONE);
    assert_true(json_is_null(followup_json(v, T0)));
    closed(v, T0, "li");
    show("closed, a day later", v, T0 + DAY);
    assert_int_equal(followup_state(v, T0 + DAY), FOLLOWUP_DUE);
    assert_int_equal(followup_state(v, T0 + 15 * DAY), FOLLOWUP_DUE);
    show("16 days later", v, T0 + 16 * DAY);
    assert_int_equal(followup_state(v, T0 + 16 * DAY), FOLLOWUP_OVERDUE);
    assert_string_equal(v->followup_assignee, "li");
    recorded(v, T0 + 16 * DAY, "phone");
    assert_int_equal(followup_state(v, T0 + 30 * DAY), FOLLOWUP_LATE);
    json_t *j = followup_json(v, T0 + 30 * DAY);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "late");
    assert_string_equal(json_string_value(json_object_get(j, "method")), "phone");
    json_decref(j);
    /* Closed again: a new follow-up, nothing recorded; made in time: on time. */
    closed(v, T0 + 40 * DAY, "wang");
    assert_int_equal(v->followup_done_ms, 0);
    assert_string_equal(v->followup_method, "");
    assert_int_equal(followup_state(v, T0 + 41 * DAY), FOLLOWUP_DUE);
    recorded(v, T0 + 41 * DAY, "visit");
    assert_int_equal(followup_state(v, T0 + 99 * DAY), FOLLOWUP_ON_TIME);
    jiefen__case_view__free_unpacked(v, NULL);
}

static void test_reopens(void **state)
{
    (void)state;
    Jiefen__FollowUp f = JIEFEN__FOLLOW_UP__INIT;
    f.satisfaction = "basically_satisfied";
    assert_false(followup_reopens(&f));
    f.reopen_requested = 1;
    assert_true(followup_reopens(&f));
    f.reopen_requested = 0;
    f.satisfaction = "dissatisfied";
    assert_true(followup_reopens(&f));
}

static void test_roster_people_once(void **state)
{
    (void)state;
    Jiefen__CaseView *v = malloc(sizeof *v);
    jiefen__case_view__init(v);
    Jiefen__MediationAttempt a = JIEFEN__MEDIATION_ATTEMPT__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    ev.attempt = &a;
    assert_int_equal(followup_fold_attempt(v, &ev), 0);   /* none chosen */
    a.roster_id = "R1";
    assert_int_equal(followup_fold_attempt(v, &ev), 0);
    assert_int_equal(followup_fold_attempt(v, &ev), 0);
    a.roster_id = "R2";
    assert_int_equal(followup_fold_attempt(v, &ev), 0);
    assert_int_equal(v->n_roster_ids, 2);
    assert_true(followup_has_roster(v, "R1") && followup_has_roster(v, "R2"));
    assert_false(followup_has_roster(v, "R3"));
    jiefen__case_view__free_unpacked(v, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_overdue_on_time_late),
        cmocka_unit_test(test_reopens),
        cmocka_unit_test(test_roster_people_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
