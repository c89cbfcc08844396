/* followup (case/followup.h), through the case fold: closing sets the follow-up's due date
 * and assignee, the record completes it, and its state at a time is due, overdue, on time
 * or late; a reopening is asked by dissatisfaction or a request; roster people join a case
 * once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "case/followup.h"

#include <stdio.h>
#include <string.h>

#define DAY 86400000LL
#define T0 1790000000000LL

/* A case of v1 folded event by event through the case fold (case_apply). */
struct fold {
    Jiefen__CaseView *v;
    uint64_t seq;
};

/* v1 alone. */
static int depth(void *arg, const char *node, const char *top)
{
    (void)arg;
    return strcmp(node, top) == 0 ? 0 : -1;
}

static const case_tree TREE = {depth, NULL, NULL};

static void apply(struct fold *f, Jiefen__Event *ev, int64_t at)
{
    ev->origin = "v1";
    ev->seq = ++f->seq;
    ev->time_ms = at;
    ev->case_id = "v1-2026-000001";
    /* A move (a reopening) starts the next period. */
    ev->case_epoch = f->v ? f->v->epoch + (unsigned)case_event_is_move(ev) : 1;
    assert_int_equal(case_apply(&f->v, ev, &TREE), 0);
}

static void opened(struct fold *f)
{
    Jiefen__CaseOpened o = JIEFEN__CASE_OPENED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    o.case_id = "v1-2026-000001";
    o.category = "neighbour";
    o.due_ms = T0 + 3 * DAY;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    ev.case_opened = &o;
    apply(f, &ev, T0);
}

static void closed(struct fold *f, int64_t at, const char *assignee)
{
    Jiefen__CaseClosed c = JIEFEN__CASE_CLOSED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    c.result = "达成协议";
    c.followup_due_ms = at + 15 * DAY;
    c.followup_assignee = (char *)assignee;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_CLOSED;
    ev.case_closed = &c;
    apply(f, &ev, at);
}

static void recorded(struct fold *f, int64_t at, const char *satisfaction, int reopen)
{
    Jiefen__FollowUp fu = JIEFEN__FOLLOW_UP__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    fu.satisfaction = (char *)satisfaction;
    fu.method = "phone";
    fu.performance = "performed";
    fu.reopen_requested = reopen;
    ev.body_case = JIEFEN__EVENT__BODY_FOLLOW_UP;
    ev.follow_up = &fu;
    if (followup_reopens(&fu))
        fu.reopen_due_ms = at + 3 * DAY;
    apply(f, &ev, at);
}

static void attempted(struct fold *f, const char *roster_id)
{
    Jiefen__MediationAttempt a = JIEFEN__MEDIATION_ATTEMPT__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    a.mediator = "王律师";
    a.outcome = JIEFEN__OUTCOME__OUTCOME_PARTIAL;
    a.roster_id = (char *)roster_id;
    ev.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    ev.attempt = &a;
    apply(f, &ev, T0 + 1000 * (int64_t)f->seq);
}

static int state_at(const struct fold *f, int64_t now, const char *what)
{
    int st = followup_state(f->v, now);
    printf("  %-36s %s\n", what, followup_state_code(st));
    return st;
}

static void test_due_overdue_late_on_time(void **state)
{
    (void)state;
    struct fold f = {0};
    opened(&f);
    assert_int_equal(state_at(&f, T0, "open"), FOLLOWUP_NONE);
    json_t *j = followup_json(f.v, T0);
    assert_true(json_is_null(j));
    json_decref(j);
    closed(&f, T0 + DAY, "li");
    assert_int_equal(f.v->followup_due_ms, T0 + 16 * DAY);
    assert_string_equal(f.v->followup_assignee, "li");
    assert_int_equal(state_at(&f, T0 + 2 * DAY, "closed, a day later"), FOLLOWUP_DUE);
    assert_int_equal(state_at(&f, T0 + 16 * DAY, "on its due date"), FOLLOWUP_DUE);
    assert_int_equal(state_at(&f, T0 + 17 * DAY, "a day after it"), FOLLOWUP_OVERDUE);
    /* Made late, and reopening asked: the case is open again, the follow-up stays late. */
    recorded(&f, T0 + 17 * DAY, "basically_satisfied", 1);
    assert_int_equal(f.v->status, CASE_STATUS(OPEN));
    assert_int_equal(state_at(&f, T0 + 30 * DAY, "made late, reopened"), FOLLOWUP_LATE);
    j = followup_json(f.v, T0 + 30 * DAY);
    assert_string_equal(json_string_value(json_object_get(j, "state")), "late");
    assert_string_equal(json_string_value(json_object_get(j, "method")), "phone");
    assert_string_equal(json_string_value(json_object_get(j, "performance")), "performed");
    json_decref(j);
    /* Closed again: a new follow-up, nothing of the last one; made in time: on time. */
    closed(&f, T0 + 40 * DAY, "wang");
    assert_int_equal(f.v->followup_done_ms, 0);
    assert_string_equal(f.v->followup_method, "");
    assert_string_equal(f.v->followup_assignee, "wang");
    assert_int_equal(state_at(&f, T0 + 41 * DAY, "closed again"), FOLLOWUP_DUE);
    recorded(&f, T0 + 41 * DAY, "satisfied", 0);
    assert_int_equal(f.v->status, CASE_STATUS(CLOSED));
    assert_int_equal(state_at(&f, T0 + 99 * DAY, "made in time"), FOLLOWUP_ON_TIME);
    case_view_free(&f.v);
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
    struct fold f = {0};
    opened(&f);
    attempted(&f, "");
    attempted(&f, "R1");
    attempted(&f, "R1");
    attempted(&f, "R2");
    assert_int_equal(f.v->n_roster_ids, 2);
    assert_true(followup_has_roster(f.v, "R1") && followup_has_roster(f.v, "R2"));
    assert_false(followup_has_roster(f.v, "R3"));
    case_view_free(&f.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_due_overdue_late_on_time),
        cmocka_unit_test(test_reopens),
        cmocka_unit_test(test_roster_people_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
