/* Appointments (调解预约) in a case's view: set, changed (counted) and cancelled; refused
 * without a time or a place, with a place too long, when nothing is set to cancel, and on a
 * case not open, leaving the view as it was; the reminder due a day before, none for a
 * session set less than a day ahead or on a closed case; the API's JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/appointment.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

#define DAY APPOINTMENT_REMIND_MS
#define NOW 1765000000000LL

static int apply(Jiefen__CaseView *v, int64_t at, const char *place, int cancel, int64_t now)
{
    Jiefen__AppointmentSet a = JIEFEN__APPOINTMENT_SET__INIT;
    a.at_ms = at;
    a.place = (char *)place;
    a.cancel = cancel;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_APPOINTMENT_SET;
    ev.appointment_set = &a;
    ev.actor = "li";
    ev.actor_name = "李调解";
    ev.time_ms = now;
    return appointment_apply(v, &ev);
}

static void test_set_change_cancel(void **state)
{
    (void)state;
    Jiefen__CaseView v = JIEFEN__CASE_VIEW__INIT;
    v.status = JIEFEN__CASE_STATUS__CASE_STATUS_OPEN;
    assert_true(appointment_kind(JIEFEN__EVENT__BODY_APPOINTMENT_SET));
    assert_false(appointment_kind(JIEFEN__EVENT__BODY_ATTEMPT));
    assert_int_equal(apply(&v, 0, "", 1, NOW), JF_EINVAL);  /* nothing to cancel */
    assert_int_equal(apply(&v, NOW + 3 * DAY, "", 0, NOW), JF_EINVAL);
    assert_int_equal(apply(&v, 0, "调解室", 0, NOW), JF_EINVAL);
    char longer[APPOINTMENT_PLACE_MAX + 2];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    assert_int_equal(apply(&v, NOW + 3 * DAY, longer, 0, NOW), JF_EINVAL);
    assert_null(v.appointment);
    json_t *j = appointment_json(&v);
    assert_true(json_is_null(j));
    json_decref(j);

    assert_int_equal(apply(&v, NOW + 3 * DAY, "东村调解室", 0, NOW), 0);
    assert_non_null(v.appointment);
    assert_string_equal(v.appointment->by_name, "李调解");
    assert_int_equal(v.appointment->changes, 0);
    assert_int_equal(appointment_remind_at(&v), NOW + 2 * DAY);
    assert_int_equal(apply(&v, NOW + DAY / 2, "东村二楼", 0, NOW), 0);  /* changed */
    assert_int_equal(v.appointment->changes, 1);
    assert_string_equal(v.appointment->place, "东村二楼");
    assert_int_equal(appointment_remind_at(&v), 0);  /* less than a day ahead */
    j = appointment_json(&v);
    assert_string_equal(json_string_value(json_object_get(j, "place")), "东村二楼");
    assert_int_equal(json_integer_value(json_object_get(j, "changes")), 1);
    json_decref(j);
    assert_int_equal(apply(&v, 0, "", 1, NOW), 0);
    assert_null(v.appointment);
}

static void test_closed_case_refused(void **state)
{
    (void)state;
    Jiefen__CaseView v = JIEFEN__CASE_VIEW__INIT;
    v.status = JIEFEN__CASE_STATUS__CASE_STATUS_OPEN;
    assert_int_equal(apply(&v, NOW + 3 * DAY, "东村调解室", 0, NOW), 0);
    v.status = JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED;
    assert_int_equal(appointment_remind_at(&v), 0);
    assert_int_equal(apply(&v, NOW + 4 * DAY, "别处", 0, NOW), JF_EINVAL);
    assert_string_equal(v.appointment->place, "东村调解室");
    jiefen__case_appointment__free_unpacked(v.appointment, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_set_change_cancel),
        cmocka_unit_test(test_closed_case_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
