/* dept — the departments' parts of a case (dept.h). */
#include "case/dept.h"
#include "array.h"
#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Views are allocated field by field with the system allocator, as protobuf-c unpacks
 * them, so one free_unpacked() frees what the fold added too. */
static int put_str(char **field, const char *v)
{
    char *copy = strdup(v ? v : "");
    if (!copy)
        return -ENOMEM;
    if (*field && *field != protobuf_c_empty_string)
        free(*field);
    *field = copy;
    return 0;
}

int dept_kind(int body_case)
{
    switch (body_case) {
    case JIEFEN__EVENT__BODY_DEPT_ROUTED:
    case JIEFEN__EVENT__BODY_DEPT_SIGNED:
    case JIEFEN__EVENT__BODY_DEPT_RETURNED:
    case JIEFEN__EVENT__BODY_DEPT_FEEDBACK:
    case JIEFEN__EVENT__BODY_DEPT_SIGN_OVERDUE:
        return 1;
    default:
        return 0;
    }
}

static int current(const Jiefen__DeptPart *p)
{
    return !p->ended && !p->returned_ms;
}

static Jiefen__DeptPart *find_part(const Jiefen__CaseView *v, const char *department)
{
    for (size_t i = 0; v->dept && i < v->dept->n_parts; i++) {
        Jiefen__DeptPart *p = v->dept->parts[i];
        if (current(p) && strcmp(p->department, department) == 0)
            return p;
    }
    return NULL;
}

const Jiefen__DeptPart *dept_part(const Jiefen__CaseView *v, const char *department)
{
    return find_part(v, department);
}

/* The view's DeptState, made on first use. */
static Jiefen__DeptState *state_of(Jiefen__CaseView *v)
{
    if (!v->dept && (v->dept = malloc(sizeof *v->dept)))
        jiefen__dept_state__init(v->dept);
    return v->dept;
}

static int add_part(Jiefen__DeptState *s, const Jiefen__Event *ev, const char *name, int lead)
{
    const Jiefen__DeptRouted *r = ev->dept_routed;
    Jiefen__DeptPart **parts = array_one_more(s->parts, s->n_parts, sizeof *parts);
    Jiefen__DeptPart *p = malloc(sizeof *p);
    if (parts)
        s->parts = parts;
    if (!parts || !p) {
        free(p);
        return -ENOMEM;
    }
    jiefen__dept_part__init(p);
    s->parts[s->n_parts++] = p;
    p->lead = lead;
    p->routed_ms = ev->time_ms;
    p->sign_due_ms = r->sign_due_ms;
    return put_str(&p->department, name) || put_str(&p->node, ev->origin) ||
                   put_str(&p->routed_reason, r->reason)
               ? -ENOMEM
               : 0;
}

/* Ends every part not ended yet, at at_ms. */
static void end_all(Jiefen__DeptState *s, int64_t at_ms)
{
    for (size_t i = 0; i < s->n_parts; i++)
        if (!s->parts[i]->ended) {
            s->parts[i]->ended = 1;
            s->parts[i]->ended_ms = at_ms;
        }
}

static int valid_routing(const Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__DeptRouted *r = ev->dept_routed;
    if (v->status != JIEFEN__CASE_STATUS__CASE_STATUS_OPEN || !r->lead[0] || !r->reason[0] ||
        r->sign_due_ms <= ev->time_ms)
        return 0;
    for (size_t i = 0; i < r->n_helpers; i++) {
        if (!r->helpers[i][0] || strcmp(r->helpers[i], r->lead) == 0)
            return 0;
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->helpers[i], r->helpers[j]) == 0)
                return 0;
    }
    return 1;
}

static int apply_routed(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__DeptRouted *r = ev->dept_routed;
    Jiefen__DeptState *s;
    if (!valid_routing(v, ev))
        return JF_EINVAL;
    if (!(s = state_of(v)))
        return -ENOMEM;
    end_all(s, ev->time_ms);
    s->awaiting_route = 0;
    int rc = add_part(s, ev, r->lead, 1);
    for (size_t i = 0; i < r->n_helpers && rc == 0; i++)
        rc = add_part(s, ev, r->helpers[i], 0);
    return rc ? rc : put_str(&v->department, r->lead);
}

static int apply_signed(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    Jiefen__DeptPart *p = find_part(v, ev->dept_signed->department);
    if (!p || p->signed_ms)
        return JF_EINVAL;
    p->signed_ms = ev->time_ms;
    return 0;
}

static int apply_returned(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__DeptReturned *r = ev->dept_returned;
    Jiefen__DeptPart *p = find_part(v, r->department);
    if (!p || p->done_ms || !r->reason[0])
        return JF_EINVAL;
    p->returned_ms = ev->time_ms;
    if (put_str(&p->return_reason, r->reason))
        return -ENOMEM;
    if (!p->lead)
        return 0;
    /* The lead gives the case back: the whole routing ends, the centre routes it anew. */
    end_all(v->dept, ev->time_ms);
    v->dept->awaiting_route = 1;
    v->dept->returned_ms = ev->time_ms;
    return put_str(&v->dept->return_reason, r->reason) ||
                   put_str(&v->dept->returned_by, r->department)
               ? -ENOMEM
               : 0;
}

static int apply_feedback(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__DeptFeedback *f = ev->dept_feedback;
    Jiefen__DeptPart *p = find_part(v, f->department);
    if (!p || !p->signed_ms || p->done_ms || !f->text[0])
        return JF_EINVAL;
    p->feedback_count++;
    if (f->final) {
        p->done_ms = ev->time_ms;
        p->done_due_ms = v->due_ms;
        if (put_str(&p->result, f->text))
            return -ENOMEM;
    }
    return put_str(&p->last_feedback, f->text);
}

static int apply_overdue(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__DeptSignOverdue *o = ev->dept_sign_overdue;
    Jiefen__DeptPart *p = find_part(v, o->department);
    if (!p || p->signed_ms || p->sign_overdue || p->sign_due_ms != o->sign_due_ms ||
        ev->time_ms < p->sign_due_ms)
        return JF_EINVAL;
    p->sign_overdue = 1;
    return 0;
}

int dept_apply(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_DEPT_ROUTED:
        return apply_routed(v, ev);
    case JIEFEN__EVENT__BODY_DEPT_SIGNED:
        return apply_signed(v, ev);
    case JIEFEN__EVENT__BODY_DEPT_RETURNED:
        return apply_returned(v, ev);
    case JIEFEN__EVENT__BODY_DEPT_FEEDBACK:
        return apply_feedback(v, ev);
    case JIEFEN__EVENT__BODY_DEPT_SIGN_OVERDUE:
        return apply_overdue(v, ev);
    default:
        return JF_EINVAL;
    }
}

int dept_end_parts(Jiefen__CaseView *v, int64_t at_ms)
{
    if (!v->dept)
        return 0;
    end_all(v->dept, at_ms);
    v->dept->awaiting_route = 0;
    return 0;
}

const char *dept_part_state(const Jiefen__DeptPart *p)
{
    if (p->done_ms)
        return "done";
    if (p->returned_ms)
        return "returned";
    if (p->ended)
        return "ended";
    return p->signed_ms ? "in_hand" : "to_sign";
}

int dept_part_sign_late(const Jiefen__DeptPart *p, int64_t now_ms)
{
    if (p->sign_overdue)
        return 1;
    if (p->signed_ms)
        return p->signed_ms > p->sign_due_ms;
    return current(p) && now_ms > p->sign_due_ms;
}

/* A current part routed at self, unsigned, whose overdue the timer has still to record. */
static int awaits_timer(const Jiefen__DeptPart *p, const char *self)
{
    return current(p) && !p->signed_ms && !p->sign_overdue && strcmp(p->node, self) == 0;
}

int64_t dept_sign_next(const Jiefen__CaseView *v, const char *self)
{
    int64_t next = 0;
    for (size_t i = 0; v->dept && i < v->dept->n_parts; i++) {
        const Jiefen__DeptPart *p = v->dept->parts[i];
        if (awaits_timer(p, self) && (!next || p->sign_due_ms < next))
            next = p->sign_due_ms;
    }
    return next;
}

size_t dept_sign_due(const Jiefen__CaseView *v, const char *self, int64_t now_ms,
                     const char **names, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; v->dept && i < v->dept->n_parts && n < max; i++) {
        const Jiefen__DeptPart *p = v->dept->parts[i];
        if (awaits_timer(p, self) && p->sign_due_ms <= now_ms)
            names[n++] = p->department;
    }
    return n;
}

int dept_sign_overdue_at(const Jiefen__CaseView *v, const char *self, int64_t *since)
{
    for (size_t i = 0; v->dept && i < v->dept->n_parts; i++) {
        const Jiefen__DeptPart *p = v->dept->parts[i];
        if (current(p) && !p->signed_ms && p->sign_overdue && strcmp(p->node, self) == 0) {
            *since = p->sign_due_ms;
            return 1;
        }
    }
    return 0;
}

static json_t *part_json(const Jiefen__DeptPart *p, int64_t now_ms)
{
    return json_pack("{s:s, s:b, s:s, s:s, s:I, s:I, s:I, s:b, s:I, s:s, s:i, s:s, s:I, s:s,"
                     " s:b, s:s}",
                     "department", p->department, "lead", p->lead, "state",
                     dept_part_state(p), "node", p->node, "routed_ms",
                     (json_int_t)p->routed_ms, "sign_due_ms", (json_int_t)p->sign_due_ms,
                     "signed_ms", (json_int_t)p->signed_ms, "sign_late",
                     dept_part_sign_late(p, now_ms), "returned_ms",
                     (json_int_t)p->returned_ms, "return_reason", p->return_reason,
                     "feedback_count", (int)p->feedback_count, "last_feedback",
                     p->last_feedback, "done_ms", (json_int_t)p->done_ms, "result", p->result,
                     "done_on_time",
                     p->done_ms && (p->done_due_ms <= 0 || p->done_ms <= p->done_due_ms),
                     "reason", p->routed_reason);
}

json_t *dept_json(const Jiefen__CaseView *v, int64_t now_ms)
{
    const Jiefen__DeptState *s = v->dept;
    json_t *parts = json_array();
    for (size_t i = 0; parts && s && i < s->n_parts; i++)
        if (json_array_append_new(parts, part_json(s->parts[i], now_ms))) {
            json_decref(parts);
            return NULL;
        }
    return json_pack("{s:o*, s:b, s:I, s:s, s:s}", "parts", parts, "awaiting_route",
                     s && s->awaiting_route, "returned_ms",
                     (json_int_t)(s ? s->returned_ms : 0), "return_reason",
                     s ? s->return_reason : "", "returned_by", s ? s->returned_by : "");
}

json_t *dept_event_json(const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_DEPT_ROUTED: {
        json_t *h = json_array();
        for (size_t i = 0; i < ev->dept_routed->n_helpers; i++)
            json_array_append_new(h, json_string(ev->dept_routed->helpers[i]));
        return json_pack("{s:s, s:o, s:s, s:I}", "lead", ev->dept_routed->lead, "helpers", h,
                         "reason", ev->dept_routed->reason, "sign_due_ms",
                         (json_int_t)ev->dept_routed->sign_due_ms);
    }
    case JIEFEN__EVENT__BODY_DEPT_SIGNED:
        return json_pack("{s:s, s:s}", "department", ev->dept_signed->department, "note",
                         ev->dept_signed->note);
    case JIEFEN__EVENT__BODY_DEPT_RETURNED:
        return json_pack("{s:s, s:s}", "department", ev->dept_returned->department, "reason",
                         ev->dept_returned->reason);
    case JIEFEN__EVENT__BODY_DEPT_FEEDBACK:
        return json_pack("{s:s, s:s, s:b}", "department", ev->dept_feedback->department,
                         "text", ev->dept_feedback->text, "final", ev->dept_feedback->final);
    case JIEFEN__EVENT__BODY_DEPT_SIGN_OVERDUE:
        return json_pack("{s:s, s:I}", "department", ev->dept_sign_overdue->department,
                         "sign_due_ms", (json_int_t)ev->dept_sign_overdue->sign_due_ms);
    default:
        return json_object();
    }
}
