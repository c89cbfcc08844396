/*
 * appointment — 调解预约: the time and place of a mediation session set on a case by its
 * holder (AppointmentSet: set, changed by setting again, or cancelled), folded into the
 * view (CaseView.appointment), and its SMS: the parties are told the time and place when it
 * is set or changed (template appointment), told when it is cancelled
 * (appointment_cancelled) and reminded the day before (appointment_reminder, by the
 * holder's timer, deadline.h, from the 'a' run of the timers index, caseindex.c). The place
 * names a place, never a person, so nothing of it is sealed.
 */
#ifndef JIEFEN_APPOINTMENT_H
#define JIEFEN_APPOINTMENT_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "log/eventlog.h"

#include <jansson.h>
#include <stdint.h>

#define APPOINTMENT_PLACE_MAX 200            /* bytes */
#define APPOINTMENT_REMIND_MS 86400000LL     /* the reminder: a day before */

/* 1 if body_case (JIEFEN__EVENT__BODY_*) is an appointment event. */
int appointment_kind(int body_case);

/* Applies AppointmentSet ev to view v (called by case.c's fold once the event is
 * admissible). 0, JF_EINVAL (no time or place, a place too long, a cancel with nothing
 * set, a case not open) with v unchanged, or -ENOMEM (then v must be discarded). */
int appointment_apply(Jiefen__CaseView *v, const Jiefen__Event *ev);

/* When the reminder of v's appointment is due: a day before it, if it was set more than a
 * day ahead and the case is open; 0 if none. */
int64_t appointment_remind_at(const Jiefen__CaseView *v);

/* The appointment as API JSON ({at_ms, place, by, by_name, set_ms, changes}) or null. */
json_t *appointment_json(const Jiefen__CaseView *v);

/* The details of an appointment event for a case's history. New reference. */
json_t *appointment_event_json(const Jiefen__Event *ev);

/* After ev (an AppointmentSet of case v, v as it was before), tells the parties: the time
 * and place, or the cancellation; once per change. 0 or notice_parties' errors. */
int appointment_notify(eventlog_tx *tx, const crypto_identity *id, const char *self,
                       const Jiefen__CaseView *v, const Jiefen__AppointmentSet *a);

/* The reminder of case v's appointment (the timer's), once per appointment time. */
int appointment_remind(eventlog_tx *tx, const crypto_identity *id, const char *self,
                       const Jiefen__CaseView *v);

#endif
