/* api_appointment — the case action `appointment` (调解预约, case/appointment.h): sets,
 * changes or cancels the mediation session of a case held here; the parties are told by
 * SMS in the same operation. Its keys and apply function go in api_case_act.c's table. */
#include "api/api_op.h"
#include "api/api_routes.h"
#include "case/appointment.h"
#include "case/lifecycle.h"

#include <jansson.h>
#include <string.h>
#include <time.h>

const char *const api_appointment_keys[] = {"at", "at_ms", "place", "cancel", NULL};

/* "YYYY-MM-DD HH:MM" (or with a T, as a browser's datetime-local gives it), the node's
 * local time, into *ms. 0 or -1. */
static int parse_local(const char *s, int64_t *ms)
{
    struct tm tm = {0};
    const char *end = strptime(s, strchr(s, 'T') ? "%Y-%m-%dT%H:%M" : "%Y-%m-%d %H:%M", &tm);
    tm.tm_isdst = -1;
    time_t t = end && !*end ? mktime(&tm) : (time_t)-1;
    *ms = (int64_t)t * 1000;
    return t == (time_t)-1 ? -1 : 0;
}

/* The time: `at` (local text) or `at_ms`, after now. 0 or the refusal. */
static int get_at(eventlog_tx *tx, struct api_op *o, int64_t *at)
{
    const json_t *t = json_object_get(o->in, "at"), *j = json_object_get(o->in, "at_ms");
    const char *key = t ? "at" : "at_ms";
    if ((!t || json_is_null(t)) && (!j || json_is_null(j)))
        return op_refuse(o, 400, "missing_field", "at", "请填写调解时间");
    if (t ? !json_is_string(t) || parse_local(json_string_value(t), at)
          : !json_is_integer(j) || (*at = json_integer_value(j)) <= 0)
        return op_refuse(o, 400, "invalid_field", key,
                         "调解时间格式不正确，应为 YYYY-MM-DD HH:MM，例如 2026-12-10 14:30");
    if (*at <= tx->now_ms)
        return op_refuse(o, 400, "invalid_field", key, "调解时间应在当前时间之后");
    return 0;
}

int api_appointment_apply(eventlog_tx *tx, struct api_op *o, struct api *api,
                          const Jiefen__CaseView *v)
{
    Jiefen__AppointmentSet a = JIEFEN__APPOINTMENT_SET__INIT;
    const char *place = "";
    int cancel = 0, rc = op_bool(o, "cancel", "取消预约", 0, &cancel);
    if (rc == 0 && !cancel &&
        ((rc = get_at(tx, o, &a.at_ms)) ||
         (rc = op_text(o, "place", "调解地点", 1, APPOINTMENT_PLACE_MAX, &place))))
        return rc;
    if (rc)
        return rc;
    if (v->status != JIEFEN__CASE_STATUS__CASE_STATUS_OPEN)
        return op_refuse(o, 409, "invalid_state", NULL, "案件 %s 不在办理中，不能预约调解",
                         v->case_id);
    if (cancel && !v->appointment)
        return op_refuse(o, 409, "no_appointment", NULL, "案件 %s 没有可取消的调解预约",
                         v->case_id);
    a.place = (char *)place;
    a.cancel = cancel;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_APPOINTMENT_SET;
    ev.appointment_set = &a;
    if ((rc = lifecycle_append(tx, v, &ev, op_actor(o))))
        return rc;
    return appointment_notify(tx, api->dep.id, api->dep.cfg->node_id, v, &a);
}
