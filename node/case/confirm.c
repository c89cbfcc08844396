#include "case/confirm.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int confirm_kind(int body_case)
{
    return body_case == JIEFEN__EVENT__BODY_CONFIRM_APPLIED ||
           body_case == JIEFEN__EVENT__BODY_CONFIRM_RULED;
}

const char *confirm_refusal(const Jiefen__CaseView *v, const char **code)
{
    const Jiefen__ConfirmState *s = v->confirm;
    *code = NULL;
    if (v->last_outcome != JIEFEN__OUTCOME__OUTCOME_AGREEMENT &&
        v->last_outcome != JIEFEN__OUTCOME__OUTCOME_PARTIAL)
        *code = "no_agreement";
    else if (s && !s->decision[0])
        *code = "confirm_pending";
    else if (s && strcmp(s->decision, "confirmed") == 0)
        *code = "already_confirmed";
    return !*code                                  ? NULL
           : strcmp(*code, "no_agreement") == 0    ? "案件尚未达成调解协议，不能申请司法确认"
           : strcmp(*code, "confirm_pending") == 0 ? "已申请司法确认，等待法院裁定"
                                                   : "调解协议已经法院确认";
}

const char *confirm_forms_locked(const Jiefen__CaseView *v, const char **code)
{
    const Jiefen__ConfirmState *s = v->confirm;
    *code = !s                                        ? NULL
            : !s->decision[0]                         ? "confirm_pending"
            : strcmp(s->decision, "confirmed") == 0   ? "already_confirmed"
                                                      : NULL;
    return !*code ? NULL
           : strcmp(*code, "confirm_pending") == 0
               ? "已申请司法确认，等待法院裁定：调解协议书和司法确认申请书不能再修改"
               : "调解协议已经法院确认：调解协议书和司法确认申请书不能再修改";
}

void confirm_next_no(const Jiefen__CaseView *v, char *out)
{
    snprintf(out, CONFIRM_NO_MAX, "%.60s-SQ%u", v->case_id,
             (v->confirm ? v->confirm->applications : 0) + 1);
}

/* Views are allocated field by field with the system allocator, as protobuf-c unpacks
 * them, so one free_unpacked() frees what the fold added too. */
static int put_str(char **field, const char *s)
{
    char *copy = strdup(s);
    if (!copy)
        return -ENOMEM;
    if (*field && *field != protobuf_c_empty_string)
        free(*field);
    *field = copy;
    return 0;
}

static int apply_applied(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__ConfirmApplied *a = ev->confirm_applied;
    char want[CONFIRM_NO_MAX];
    const char *code;
    confirm_next_no(v, want);
    if (!a->court[0] || strcmp(a->application_no, want) || confirm_refusal(v, &code))
        return JF_EINVAL;
    if (!v->confirm && (v->confirm = malloc(sizeof *v->confirm)))
        jiefen__confirm_state__init(v->confirm);
    Jiefen__ConfirmState *s = v->confirm;
    if (!s || put_str(&s->court, a->court) || put_str(&s->application_no, a->application_no) ||
        put_str(&s->decision, "") || put_str(&s->ruling_no, "") || put_str(&s->reason, ""))
        return -ENOMEM;
    s->applied_ms = ev->time_ms;
    s->applications++;
    s->ruled_ms = 0;
    return 0;
}

static int apply_ruled(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__ConfirmRuled *r = ev->confirm_ruled;
    Jiefen__ConfirmState *s = v->confirm;
    int confirmed = strcmp(r->decision, "confirmed") == 0;
    if (!s || s->decision[0] || strcmp(r->application_no, s->application_no) ||
        (!confirmed && strcmp(r->decision, "refused")) || !r->ruling_no[0] ||
        (!confirmed && !r->reason[0]))
        return JF_EINVAL;
    if (put_str(&s->decision, r->decision) || put_str(&s->ruling_no, r->ruling_no) ||
        put_str(&s->reason, r->reason))
        return -ENOMEM;
    s->ruled_ms = ev->time_ms;
    if (!confirmed)
        s->refused_ms = ev->time_ms;
    return 0;
}

int confirm_apply(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    return ev->body_case == JIEFEN__EVENT__BODY_CONFIRM_APPLIED ? apply_applied(v, ev)
                                                                 : apply_ruled(v, ev);
}

static const char *decision_name(const char *d)
{
    return !d[0]                         ? "已申请，等待法院裁定"
           : strcmp(d, "confirmed") == 0 ? "法院裁定确认协议有效"
                                         : "法院裁定驳回申请";
}

json_t *confirm_json(const Jiefen__CaseView *v)
{
    const Jiefen__ConfirmState *s = v->confirm;
    if (!s)
        return json_null();
    return json_pack("{s:s, s:s, s:I, s:i, s:s, s:s, s:s, s:s, s:I}", "court", s->court,
                     "application_no", s->application_no, "applied_ms",
                     (json_int_t)s->applied_ms, "applications", (int)s->applications, "decision", s->decision,
                     "decision_name", decision_name(s->decision), "ruling_no", s->ruling_no,
                     "reason", s->reason, "ruled_ms", (json_int_t)s->ruled_ms);
}
