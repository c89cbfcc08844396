/* The holder's timers of 限时办结 on a real libuv loop over a real store, driven as node.c
 * drives them (deadline_new, deadline_arm, the loop committing the log after each
 * submitted operation), with the clock moved instead of slept: a warning [limits]
 * warn_hours before a limit, overdue after it, escalation of an overdue case with
 * overdue_escalates, no late warning for a limit passed while stopped, and nothing for a
 * case that is not held here or is closed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/deadline.h"
#include "case/lifecycle.h"
#include "node.h"
#define TESTUTIL_CASES
#include "testutil.h"

#include <uv.h>

#define HOUR 3600000LL
#define DAY CLOCK_DAY_MS

/* ---- one run of the daemon's loop, as node.c wires it ---- */

struct run {
    uv_loop_t loop;
    uv_check_t commit_check;
    uv_idle_t commit_idle;
    uv_timer_t guard;
    struct case_node *f;
    deadline *dl;
    unsigned commits;
    int expired;
};

static void commit_idle_cb(uv_idle_t *h)
{
    (void)h;
}

/* An operation was queued: keep the loop from sleeping until the check phase commits. */
static void log_submitted(void *arg)
{
    struct run *r = arg;
    uv_idle_start(&r->commit_idle, commit_idle_cb);
}

static void commit_check_cb(uv_check_t *h)
{
    struct run *r = h->data;
    uv_idle_stop(&r->commit_idle);
    if (eventlog_pending(r->f->log)) {
        assert_true(eventlog_flush(r->f->log) >= 0);
        r->commits++;
    }
}

/* Starts the node's timers (as at the daemon's start). */
static void run_start(struct run *r, struct case_node *f)
{
    memset(r, 0, sizeof *r);
    r->f = f;
    assert_int_equal(uv_loop_init(&r->loop), 0);
    uv_check_init(&r->loop, &r->commit_check);
    uv_idle_init(&r->loop, &r->commit_idle);
    uv_timer_init(&r->loop, &r->guard);
    r->commit_check.data = r->guard.data = r;
    uv_check_start(&r->commit_check, commit_check_cb);
    eventlog_on_submit(f->log, log_submitted, r);
    r->dl = deadline_new(&r->loop, f->log, f->st, &f->lc);
    assert_non_null(r->dl);
    deadline_arm(r->dl);
}

/* Runs what is due now (and what that makes due), without waiting for later moments. */
static void run_due(struct run *r)
{
    for (int i = 0; i < 20; i++)
        uv_run(&r->loop, UV_RUN_NOWAIT);
}

static void guard_cb(uv_timer_t *t)
{
    ((struct run *)t->data)->expired = 1;
}

/* Runs the loop, waiting on its timers, until done(f) or max_ms have passed. */
static void run_until(struct run *r, int (*done)(struct case_node *), uint64_t max_ms)
{
    uv_timer_start(&r->guard, guard_cb, max_ms, 0);
    while (!done(r->f) && !r->expired)
        uv_run(&r->loop, UV_RUN_ONCE);
    uv_timer_stop(&r->guard);
}

static void close_one(uv_handle_t *h, void *arg)
{
    (void)arg;
    if (!uv_is_closing(h))
        uv_close(h, NULL);
}

/* Stops the timers and closes the loop (as at the daemon's stop). */
static void run_stop(struct run *r)
{
    deadline_stop(r->dl);
    uv_walk(&r->loop, close_one, NULL);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&r->loop), 0);
    eventlog_on_submit(r->f->log, NULL, NULL);
    deadline_free(&r->dl);
    assert_null(r->dl);
}

/* A whole run with the clock at `at`: started, what is due recorded, stopped. */
static void run_at(struct run *r, struct case_node *f, int64_t at)
{
    cn_set_now(at);
    run_start(r, f);
    run_due(r);
    run_stop(r);
}

/* ---- what the log says ---- */

static char case_a[64];

static unsigned deadlines(struct case_node *f, const char *id, const char *kind)
{
    return cn_events(f, id, JIEFEN__EVENT__BODY_DEADLINE, kind, NULL);
}

static int warned_a(struct case_node *f)
{
    return deadlines(f, case_a, "warning") > 0;
}

static void show(struct case_node *f, const char *id)
{
    Jiefen__CaseView *v = cn_view(f, id);
    printf("  %s: holder %s, warnings %u, overdue %u, moves %u, warned for %lld, overdue for "
           "%lld, due %lld\n",
           id, v->holder, deadlines(f, id, "warning"), deadlines(f, id, "overdue"),
           cn_events(f, id, JIEFEN__EVENT__BODY_CASE_MOVED, NULL, NULL),
           (long long)v->warned_due_ms, (long long)v->overdue_due_ms, (long long)v->due_ms);
    case_view_free(&v);
}

/* The deadline event of kind about case id (exactly one): recorded for its limit `due` by
 * "system", at or after `not_before`. */
static void assert_recorded(struct case_node *f, const char *id, const char *kind, int64_t due,
                            int64_t not_before)
{
    envelope *e;
    assert_int_equal(cn_events(f, id, JIEFEN__EVENT__BODY_DEADLINE, kind, &e), 1);
    printf("  %s recorded at %lld for the limit %lld (%lld ms after its moment)\n", kind,
           (long long)e->event->time_ms, (long long)e->event->deadline->due_ms,
           (long long)(e->event->time_ms - not_before));
    assert_int_equal(e->event->deadline->due_ms, due);
    assert_string_equal(e->event->actor, "system");
    assert_true(e->event->time_ms >= not_before);
    envelope_free(&e);
}

static int64_t due_of(struct case_node *f, const char *id)
{
    Jiefen__CaseView *v = cn_view(f, id);
    int64_t due = v->due_ms;
    case_view_free(&v);
    return due;
}

static void open_case(struct case_node *f, unsigned n, char *id)
{
    char idn[19];
    assert_int_equal(cn_open_case(f, "东村", "land_contract", cn_id_number(n, idn), NULL, id), 0);
}

/* ---- the tests ---- */

static void test_warning_before_limit_then_overdue(void **state)
{
    struct case_node *f = *state;
    struct run r;
    open_case(f, 1, case_a);
    int64_t due = due_of(f, case_a), warn_at = due - f->cfg.warn_hours * HOUR;
    printf("  warn_hours %d: warning at %lld, limit %lld\n", f->cfg.warn_hours,
           (long long)warn_at, (long long)due);
    assert_int_equal(f->cfg.warn_hours, 24);

    /* 60 ms before the warning's moment: nothing yet, then the warning on its timer. */
    cn_set_now(warn_at - 60);
    run_start(&r, f);
    run_due(&r);
    assert_int_equal(deadlines(f, case_a, NULL), 0);
    run_until(&r, warned_a, 5000);
    show(f, case_a);
    assert_false(r.expired);
    assert_recorded(f, case_a, "warning", due, warn_at);
    assert_int_equal(deadlines(f, case_a, "overdue"), 0);
    Jiefen__CaseView *v = cn_view(f, case_a);
    assert_int_equal(v->warned_due_ms, due);
    assert_int_equal(v->overdue_due_ms, 0);
    case_view_free(&v);
    run_due(&r); /* once only */
    assert_int_equal(deadlines(f, case_a, "warning"), 1);
    run_stop(&r);

    /* Started again an hour past the limit: overdue, and the case stays here. */
    run_at(&r, f, due + HOUR);
    show(f, case_a);
    assert_recorded(f, case_a, "overdue", due, due);
    assert_int_equal(deadlines(f, case_a, "warning"), 1);
    v = cn_view(f, case_a);
    assert_int_equal(v->overdue_due_ms, due);
    assert_string_equal(v->holder, "v1");
    assert_int_equal(v->status, JIEFEN__CASE_STATUS__CASE_STATUS_OPEN);
    case_view_free(&v);
    assert_int_equal(cn_events(f, case_a, JIEFEN__EVENT__BODY_CASE_MOVED, NULL, NULL), 0);

    /* And again a day later: nothing fires twice. */
    run_at(&r, f, due + DAY);
    assert_int_equal(r.commits, 0);
    assert_int_equal(deadlines(f, case_a, NULL), 2);
}

static void test_overdue_escalates_to_parent(void **state)
{
    struct case_node *f = *state;
    struct run r;
    envelope *e;
    f->cfg.overdue_escalates = 1;
    open_case(f, 1, case_a);
    int64_t due = due_of(f, case_a);
    run_at(&r, f, due + HOUR);
    show(f, case_a);
    assert_recorded(f, case_a, "overdue", due, due);
    assert_int_equal(deadlines(f, case_a, "warning"), 0);
    assert_int_equal(cn_events(f, case_a, JIEFEN__EVENT__BODY_CASE_MOVED, "escalate", &e), 1);
    const Jiefen__CaseMoved *m = e->event->case_moved;
    printf("  moved %s -> %s, automatic %d: %s\n", m->from, m->to, m->automatic, m->reason);
    assert_string_equal(m->to, "t1");
    assert_true(m->automatic);
    assert_non_null(strstr(m->reason, "逾期"));
    Jiefen__CaseView *v = cn_view(f, case_a);
    assert_string_equal(v->holder, "t1");
    assert_int_equal(v->due_ms, e->event->time_ms + 3 * DAY); /* the parent's fresh limit */
    case_view_free(&v);
    envelope_free(&e);

    /* Not held here any more: the village's timers leave it alone. */
    run_at(&r, f, due + 10 * DAY);
    assert_int_equal(r.commits, 0);
    assert_int_equal(deadlines(f, case_a, NULL), 1);
}

/* With overdue_escalates at the top of the tree there is no parent: overdue, held here. */
static void test_overdue_at_top_stays(void **state)
{
    struct case_node *f = *state; /* c1 */
    struct run r;
    f->cfg.overdue_escalates = 1;
    open_case(f, 1, case_a);
    int64_t due = due_of(f, case_a);
    run_at(&r, f, due + HOUR);
    show(f, case_a);
    assert_int_equal(deadlines(f, case_a, "overdue"), 1);
    assert_int_equal(cn_events(f, case_a, JIEFEN__EVENT__BODY_CASE_MOVED, NULL, NULL), 0);
}

/* With overdue_escalates and the parent revoked: overdue, held here, nothing fails. */
static void test_overdue_parent_revoked_stays(void **state)
{
    struct case_node *f = *state;
    struct run r;
    MDB_txn *txn;
    f->cfg.overdue_escalates = 1;
    open_case(f, 1, case_a);
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(registry_revoke(f->st, txn, "t1"), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    run_at(&r, f, due_of(f, case_a) + HOUR);
    show(f, case_a);
    assert_int_equal(r.commits, 1);
    assert_int_equal(deadlines(f, case_a, "overdue"), 1);
    assert_int_equal(cn_events(f, case_a, JIEFEN__EVENT__BODY_CASE_MOVED, NULL, NULL), 0);
    Jiefen__CaseView *v = cn_view(f, case_a);
    assert_string_equal(v->holder, "v1");
    case_view_free(&v);
}

/* More cases due at once than one run records (256): the rest right after, each once. */
static void test_many_due_at_once(void **state)
{
    struct case_node *f = *state;
    struct run r;
    enum { N = 300 };
    static char ids[N][64];
    for (unsigned i = 0; i < N; i++)
        open_case(f, i, ids[i]);
    run_at(&r, f, due_of(f, ids[N - 1]) + HOUR);
    unsigned overdue = 0, other = 0;
    for (unsigned i = 0; i < N; i++) {
        overdue += deadlines(f, ids[i], "overdue") == 1;
        other += deadlines(f, ids[i], "warning");
    }
    printf("  %u cases: %u overdue once, %u warnings, in %u commits\n", N, overdue, other,
           r.commits);
    assert_int_equal(overdue, N);
    assert_int_equal(other, 0);
    assert_int_equal(r.commits, 2);
}

/* Both due at the start, in one run: the limit that passed while the daemon was stopped
 * gets overdue and no late warning; the one in its warning window gets its warning. */
static void test_passed_while_stopped_no_late_warning(void **state)
{
    struct case_node *f = *state;
    struct run r;
    char late[64];
    int64_t real = clock_now_ms();
    cn_set_now(real - 5 * DAY);
    open_case(f, 1, late);
    cn_set_now(real);
    open_case(f, 2, case_a);
    int64_t due_late = due_of(f, late), due_a = due_of(f, case_a);
    printf("  limits: %s %lld, %s %lld\n", late, (long long)due_late, case_a, (long long)due_a);

    run_at(&r, f, due_a - 12 * HOUR);
    show(f, late);
    show(f, case_a);
    assert_recorded(f, late, "overdue", due_late, due_late);
    assert_int_equal(deadlines(f, late, "warning"), 0);
    assert_recorded(f, case_a, "warning", due_a, due_a - 24 * HOUR);
    assert_int_equal(deadlines(f, case_a, "overdue"), 0);
}

/* Closes a case held here (办结). */
static int close_apply(eventlog_tx *tx, void *arg)
{
    Jiefen__CaseView *v = NULL;
    Jiefen__CaseClosed c = JIEFEN__CASE_CLOSED__INIT;
    c.result = "调解成功，双方签订协议";
    c.feedback = "已电话告知双方";
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_CLOSED;
    ev.case_closed = &c;
    int rc = caseindex_get(tx->st, tx->txn, arg, &v);
    if (rc == 0)
        rc = lifecycle_append(tx, v, &ev, "director");
    case_view_free(&v);
    return rc;
}

static void test_nothing_for_case_not_held_or_closed(void **state)
{
    struct case_node *f = *state;
    struct run r;
    char up[64], closed[64];
    open_case(f, 1, up);
    open_case(f, 2, closed);
    open_case(f, 3, case_a);
    struct cn_move mv = {.f = f, .case_id = up, .kind = "escalate"};
    assert_int_equal(cn_run(f, cn_move_apply, &mv), 0);
    assert_int_equal(mv.rc, 0);
    assert_int_equal(cn_run(f, close_apply, closed), 0);
    Jiefen__CaseView *v = cn_view(f, closed);
    assert_int_equal(v->status, JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED);
    case_view_free(&v);
    v = cn_view(f, up);
    assert_string_equal(v->holder, "t1");
    case_view_free(&v);

    run_at(&r, f, due_of(f, case_a) + HOUR);
    show(f, up);
    show(f, closed);
    show(f, case_a);
    assert_int_equal(deadlines(f, up, NULL), 0);
    assert_int_equal(deadlines(f, closed, NULL), 0);
    assert_int_equal(deadlines(f, case_a, "overdue"), 1); /* the timers did run */
}

int main(void)
{
    if (cn_init())
        return 1;
    const struct CMUnitTest tests[] = {
        CN_TEST(test_warning_before_limit_then_overdue, v1),
        CN_TEST(test_overdue_escalates_to_parent, v1),
        CN_TEST(test_overdue_at_top_stays, c1),
        CN_TEST(test_overdue_parent_revoked_stays, v1),
        CN_TEST(test_many_due_at_once, v1),
        CN_TEST(test_passed_while_stopped_no_late_warning, v1),
        CN_TEST(test_nothing_for_case_not_held_or_closed, v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
