/* appointment — 调解预约 in the view and its SMS (appointment.h). */
#include "case/appointment.h"
#include "case/notice.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ONCE_MAX 200

int appointment_kind(int body_case)
{
    return body_case == JIEFEN__EVENT__BODY_APPOINTMENT_SET;
}

static void drop(Jiefen__CaseView *v)
{
    if (v->appointment)
        jiefen__case_appointment__free_unpacked(v->appointment, NULL);
    v->appointment = NULL;
}

int appointment_apply(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__AppointmentSet *a = ev->appointment_set;
    if (v->status != JIEFEN__CASE_STATUS__CASE_STATUS_OPEN)
        return JF_EINVAL;
    if (a->cancel) {
        if (!v->appointment)
            return JF_EINVAL;
        drop(v);
        return 0;
    }
    if (a->at_ms <= 0 || !a->place[0] || strlen(a->place) > APPOINTMENT_PLACE_MAX)
        return JF_EINVAL;
    Jiefen__CaseAppointment *n = malloc(sizeof *n);
    if (!n)
        return -ENOMEM;
    jiefen__case_appointment__init(n);
    n->place = strdup(a->place);
    n->by = strdup(ev->actor);
    n->by_name = strdup(ev->actor_name);
    n->at_ms = a->at_ms;
    n->set_ms = ev->time_ms;
    n->changes = v->appointment ? v->appointment->changes + 1 : 0;
    drop(v);
    v->appointment = n;
    return n->place && n->by && n->by_name ? 0 : -ENOMEM;
}

int64_t appointment_remind_at(const Jiefen__CaseView *v)
{
    const Jiefen__CaseAppointment *a = v->appointment;
    if (!a || v->status != JIEFEN__CASE_STATUS__CASE_STATUS_OPEN ||
        a->at_ms - APPOINTMENT_REMIND_MS <= a->set_ms)
        return 0;
    return a->at_ms - APPOINTMENT_REMIND_MS;
}

json_t *appointment_json(const Jiefen__CaseView *v)
{
    const Jiefen__CaseAppointment *a = v->appointment;
    if (!a)
        return json_null();
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:i}", "at_ms", (json_int_t)a->at_ms, "place",
                     a->place, "by", a->by, "by_name", a->by_name, "set_ms",
                     (json_int_t)a->set_ms, "changes", (int)a->changes);
}

json_t *appointment_event_json(const Jiefen__Event *ev)
{
    const Jiefen__AppointmentSet *a = ev->appointment_set;
    return json_pack("{s:I, s:s, s:b}", "at_ms", (json_int_t)a->at_ms, "place", a->place,
                     "cancel", a->cancel);
}

/* Template tmpl with the appointment's time and place to the parties, once per key. */
static int tell(eventlog_tx *tx, const crypto_identity *id, const char *self,
                const Jiefen__CaseView *v, const char *tmpl, int64_t at_ms, const char *place,
                const char *once)
{
    char when[32];
    if (notice_time(at_ms, 1, when, sizeof when))
        return JF_EINVAL;
    struct notify_var vars[] = {{"time", when}, {"place", place}};
    return notice_parties(tx, id, self, v, tmpl, once, vars, 2);
}

int appointment_notify(eventlog_tx *tx, const crypto_identity *id, const char *self,
                       const Jiefen__CaseView *v, const Jiefen__AppointmentSet *a)
{
    char once[ONCE_MAX];
    const Jiefen__CaseAppointment *had = v->appointment;
    /* Once per event of the case: its place in the case file. */
    snprintf(once, sizeof once, "%s:%s:%u", a->cancel ? "appointment_cancelled" : "appointment",
             v->case_id, v->event_count);
    if (a->cancel)
        return had ? tell(tx, id, self, v, "appointment_cancelled", had->at_ms, had->place, once)
                   : 0;
    return tell(tx, id, self, v, "appointment", a->at_ms, a->place, once);
}

int appointment_remind(eventlog_tx *tx, const crypto_identity *id, const char *self,
                       const Jiefen__CaseView *v)
{
    char once[ONCE_MAX];
    const Jiefen__CaseAppointment *a = v->appointment;
    if (!a || !appointment_remind_at(v))
        return 0;
    snprintf(once, sizeof once, "appointment_reminder:%s:%lld", v->case_id,
             (long long)a->at_ms);
    return tell(tx, id, self, v, "appointment_reminder", a->at_ms, a->place, once);
}
