/* Departments in a case (dept.h), through the case fold: routing to a lead and helpers,
 * signing for, returning (by a helper, by the lead: back to the routing queue), progress
 * and the result, the sign-for limit found passed, a move ending the parts; refusals that
 * change nothing; the per-department ledger figures (ledger_dept.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "case/dept.h"
#include "error.h"
#include "report/ledger_dept.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE "t1-2026-000001"
#define T0 1796601600000LL /* 2026-12-07 08:00 +08:00 */
#define MIN 60000LL
#define HOUR (60 * MIN)

static int depth(void *arg, const char *node, const char *top)
{
    (void)arg;
    if (strcmp(node, top) == 0)
        return 0;
    return strcmp(top, "c1") == 0 && strcmp(node, "t1") == 0 ? 1 : -1;
}

static const case_tree TREE = {depth, NULL, NULL};

struct fx {
    Jiefen__CaseView *v;
    uint64_t seq;
    int64_t t;
    unsigned epoch;
    const char *origin;
};

static Jiefen__Event event(struct fx *f)
{
    Jiefen__Event e = JIEFEN__EVENT__INIT;
    e.origin = (char *)f->origin;
    e.seq = ++f->seq;
    e.time_ms = (f->t += 10 * MIN);
    e.case_id = CASE;
    e.case_epoch = f->epoch;
    e.actor = "test";
    return e;
}

static int apply(struct fx *f, Jiefen__Event *e)
{
    int rc = case_apply(&f->v, e, &TREE);
    printf("  %s by %s -> %d\n", e->body_case == JIEFEN__EVENT__BODY_DEPT_ROUTED ? "route"
                                 : e->body_case == JIEFEN__EVENT__BODY_DEPT_SIGNED ? "sign"
                                 : e->body_case == JIEFEN__EVENT__BODY_DEPT_RETURNED ? "return"
                                 : e->body_case == JIEFEN__EVENT__BODY_DEPT_FEEDBACK ? "feedback"
                                                                                    : "other",
           e->origin, rc);
    if (rc)
        f->seq--; /* not folded: the next event takes its place in the test's chain */
    return rc;
}

static void open_case(struct fx *f)
{
    memset(f, 0, sizeof *f);
    f->origin = "t1";
    f->epoch = 1;
    f->t = T0;
    Jiefen__CaseOpened o = JIEFEN__CASE_OPENED__INIT;
    o.case_id = CASE;
    o.due_ms = T0 + 3 * 24 * HOUR;
    Jiefen__Event e = event(f);
    e.body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    e.case_opened = &o;
    assert_int_equal(apply(f, &e), 0);
}

static int route(struct fx *f, const char *lead, char **helpers, size_t n, int64_t sign_due)
{
    Jiefen__DeptRouted r = JIEFEN__DEPT_ROUTED__INIT;
    r.lead = (char *)lead;
    r.helpers = helpers;
    r.n_helpers = n;
    r.reason = "跨部门事项";
    r.sign_due_ms = sign_due;
    Jiefen__Event e = event(f);
    e.body_case = JIEFEN__EVENT__BODY_DEPT_ROUTED;
    e.dept_routed = &r;
    return apply(f, &e);
}

static int sign(struct fx *f, const char *dept)
{
    Jiefen__DeptSigned s = JIEFEN__DEPT_SIGNED__INIT;
    s.department = (char *)dept;
    Jiefen__Event e = event(f);
    e.body_case = JIEFEN__EVENT__BODY_DEPT_SIGNED;
    e.dept_signed = &s;
    return apply(f, &e);
}

static int give_back(struct fx *f, const char *dept, const char *reason)
{
    Jiefen__DeptReturned r = JIEFEN__DEPT_RETURNED__INIT;
    r.department = (char *)dept;
    r.reason = (char *)reason;
    Jiefen__Event e = event(f);
    e.body_case = JIEFEN__EVENT__BODY_DEPT_RETURNED;
    e.dept_returned = &r;
    return apply(f, &e);
}

static int feedback(struct fx *f, const char *dept, const char *text, int final)
{
    Jiefen__DeptFeedback b = JIEFEN__DEPT_FEEDBACK__INIT;
    b.department = (char *)dept;
    b.text = (char *)text;
    b.final = final;
    Jiefen__Event e = event(f);
    e.body_case = JIEFEN__EVENT__BODY_DEPT_FEEDBACK;
    e.dept_feedback = &b;
    return apply(f, &e);
}

static int overdue(struct fx *f, const char *dept, int64_t due)
{
    Jiefen__DeptSignOverdue o = JIEFEN__DEPT_SIGN_OVERDUE__INIT;
    o.department = (char *)dept;
    o.sign_due_ms = due;
    Jiefen__Event e = event(f);
    e.body_case = JIEFEN__EVENT__BODY_DEPT_SIGN_OVERDUE;
    e.dept_sign_overdue = &o;
    return apply(f, &e);
}

static const char *state(const struct fx *f, const char *dept)
{
    const Jiefen__DeptPart *p = dept_part(f->v, dept);
    return p ? dept_part_state(p) : "none";
}

static void test_sign_feedback_and_helper_return(void **s)
{
    (void)s;
    struct fx f;
    char *helpers[] = {"派出所", "妇联"};
    open_case(&f);
    int64_t due = T0 + 3 * HOUR;
    assert_int_equal(route(&f, "司法所", helpers, 2, due), 0);
    assert_string_equal(f.v->department, "司法所");
    assert_string_equal(state(&f, "司法所"), "to_sign");
    assert_string_equal(state(&f, "派出所"), "to_sign");
    assert_int_equal(dept_sign_next(f.v, "t1"), due);
    assert_int_equal(dept_sign_next(f.v, "c1"), 0);
    /* Progress before signing for it is refused and changes nothing. */
    assert_int_equal(feedback(&f, "司法所", "已联系双方", 0), JF_EINVAL);
    assert_int_equal(sign(&f, "司法所"), 0);
    assert_int_equal(sign(&f, "司法所"), JF_EINVAL);
    assert_int_equal(sign(&f, "人民法庭"), JF_EINVAL); /* not routed to it */
    assert_string_equal(state(&f, "司法所"), "in_hand");
    /* A helper's return ends only its own part. */
    assert_int_equal(give_back(&f, "妇联", ""), JF_EINVAL);
    assert_int_equal(give_back(&f, "妇联", "不属本部门职责"), 0);
    assert_string_equal(state(&f, "妇联"), "none");
    assert_false(f.v->dept->awaiting_route);
    assert_string_equal(state(&f, "司法所"), "in_hand");
    assert_int_equal(feedback(&f, "司法所", "已联系双方", 0), 0);
    assert_int_equal(feedback(&f, "司法所", "双方达成协议", 1), 0);
    const Jiefen__DeptPart *p = dept_part(f.v, "司法所");
    assert_string_equal(dept_part_state(p), "done");
    assert_string_equal(p->result, "双方达成协议");
    assert_int_equal(p->feedback_count, 2);
    assert_false(dept_part_sign_late(p, T0 + 30 * HOUR));
    assert_int_equal(feedback(&f, "司法所", "再次反馈", 1), JF_EINVAL);
    assert_int_equal(give_back(&f, "司法所", "退回"), JF_EINVAL); /* done: no return */
    /* The 派出所 never signed: its limit is the next one, and passed it is due. */
    const char *names[4];
    assert_int_equal(dept_sign_due(f.v, "t1", due - 1, names, 4), 0);
    assert_int_equal(dept_sign_due(f.v, "t1", due, names, 4), 1);
    assert_string_equal(names[0], "派出所");
    json_t *j = dept_json(f.v, f.t);
    char *text = json_dumps(j, JSON_COMPACT);
    printf("  %s\n", text);
    assert_non_null(strstr(text, "\"state\":\"done\""));
    assert_non_null(strstr(text, "\"state\":\"returned\""));
    free(text);
    json_decref(j);
    case_view_free(&f.v);
}

static void test_lead_return_and_route_again(void **s)
{
    (void)s;
    struct fx f;
    char *helpers[] = {"派出所"};
    open_case(&f);
    assert_int_equal(route(&f, "自然资源所", helpers, 1, T0 + 2 * HOUR), 0);
    assert_int_equal(give_back(&f, "自然资源所", "属土地承包，应由农业农村办牵头"), 0);
    assert_true(f.v->dept->awaiting_route);
    assert_string_equal(f.v->dept->returned_by, "自然资源所");
    assert_string_equal(state(&f, "派出所"), "none"); /* the whole routing ended */
    assert_int_equal(dept_sign_next(f.v, "t1"), 0);
    assert_int_equal(route(&f, "农业农村办", NULL, 0, T0 + 5 * HOUR), 0);
    assert_false(f.v->dept->awaiting_route);
    assert_string_equal(state(&f, "农业农村办"), "to_sign");
    assert_int_equal(f.v->dept->n_parts, 3);
    case_view_free(&f.v);
}

static void test_sign_overdue(void **s)
{
    (void)s;
    struct fx f;
    int64_t since;
    open_case(&f);
    int64_t due = T0 + 25 * MIN; /* routed at +20 min: due before the next event */
    assert_int_equal(route(&f, "信访办", NULL, 0, due), 0);
    assert_false(dept_sign_overdue_at(f.v, "t1", &since));
    assert_int_equal(overdue(&f, "信访办", due + 1), JF_EINVAL); /* another limit */
    assert_int_equal(overdue(&f, "信访办", due), 0);
    assert_true(dept_sign_overdue_at(f.v, "t1", &since));
    assert_int_equal(since, due);
    assert_int_equal(dept_sign_next(f.v, "t1"), 0); /* recorded: the timer is done */
    assert_int_equal(overdue(&f, "信访办", due), JF_EINVAL);
    assert_int_equal(sign(&f, "信访办"), 0); /* late, but signed: no more to-do */
    assert_false(dept_sign_overdue_at(f.v, "t1", &since));
    assert_true(dept_part_sign_late(dept_part(f.v, "信访办"), f.t));
    case_view_free(&f.v);
}

static void test_refusals(void **s)
{
    (void)s;
    struct fx f;
    char *same[] = {"司法所"}, *twice[] = {"妇联", "妇联"};
    open_case(&f);
    assert_int_equal(route(&f, "司法所", same, 1, T0 + 5 * HOUR), JF_EINVAL);
    assert_int_equal(route(&f, "司法所", twice, 2, T0 + 5 * HOUR), JF_EINVAL);
    assert_int_equal(route(&f, "", NULL, 0, T0 + 5 * HOUR), JF_EINVAL);
    assert_int_equal(route(&f, "司法所", NULL, 0, T0), JF_EINVAL); /* limit before routing */
    assert_null(f.v->dept);
    /* Only the holder routes: a node above it cannot. */
    f.origin = "c1";
    f.seq = 0;
    assert_int_equal(route(&f, "司法所", NULL, 0, T0 + 5 * HOUR), JF_EINVAL);
    assert_null(f.v->dept);
    case_view_free(&f.v);
}

static void test_move_ends_parts(void **s)
{
    (void)s;
    struct fx f;
    open_case(&f);
    assert_int_equal(route(&f, "司法所", NULL, 0, T0 + 5 * HOUR), 0);
    Jiefen__CaseMoved m = JIEFEN__CASE_MOVED__INIT;
    m.kind = "escalate";
    m.from = "t1";
    m.to = "c1";
    f.epoch = 2;
    Jiefen__Event e = event(&f);
    m.due_ms = e.time_ms + 7 * 24 * HOUR;
    e.body_case = JIEFEN__EVENT__BODY_CASE_MOVED;
    e.case_moved = &m;
    assert_int_equal(apply(&f, &e), 0);
    assert_string_equal(state(&f, "司法所"), "none");
    assert_string_equal(dept_part_state(f.v->dept->parts[0]), "ended");
    assert_int_equal(sign(&f, "司法所"), JF_EINVAL);
    case_view_free(&f.v);
}

static void test_ledger_figures(void **s)
{
    (void)s;
    struct fx f;
    struct ledger_depts t = {0};
    char *helpers[] = {"派出所"};
    open_case(&f);
    int64_t due = T0 + 35 * MIN; /* routed at +20 min, signed at +30 */
    assert_int_equal(route(&f, "司法所", helpers, 1, due), 0);
    assert_int_equal(sign(&f, "司法所"), 0);                 /* on time */
    assert_int_equal(feedback(&f, "司法所", "已化解", 1), 0); /* before the case's limit */
    assert_int_equal(ledger_depts_add(&t, f.v, T0, T0 + 24 * HOUR, T0 + 24 * HOUR), 0);
    json_t *j = ledger_depts_json(&t);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    printf("  %s\n", text);
    json_t *a = json_object_get(j, "司法所"), *b = json_object_get(j, "派出所");
    assert_int_equal(json_integer_value(json_object_get(a, "received")), 1);
    assert_int_equal(json_integer_value(json_object_get(a, "signed_on_time")), 1);
    assert_int_equal(json_integer_value(json_object_get(a, "closed_on_time")), 1);
    assert_int_equal(json_integer_value(json_object_get(a, "overdue")), 0);
    assert_int_equal(json_integer_value(json_object_get(b, "received")), 1);
    assert_int_equal(json_integer_value(json_object_get(b, "signed_on_time")), 0);
    assert_int_equal(json_integer_value(json_object_get(b, "overdue")), 1); /* unsigned */
    assert_true(json_is_null(json_object_get(b, "closed_on_time_rate")));
    free(text);
    json_decref(j);
    ledger_depts_clear(&t);
    /* A period before the routing counts nothing. */
    assert_int_equal(ledger_depts_add(&t, f.v, T0 - 24 * HOUR, T0, T0 + 24 * HOUR), 0);
    assert_int_equal(t.n, 0);
    ledger_depts_clear(&t);
    case_view_free(&f.v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_feedback_and_helper_return),
        cmocka_unit_test(test_lead_return_and_route_again),
        cmocka_unit_test(test_sign_overdue),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_move_ends_parts),
        cmocka_unit_test(test_ledger_figures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
