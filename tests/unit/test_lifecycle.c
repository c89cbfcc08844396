/* The holder's steps after a failed mediation (the 3221 rule) and its moves, as a caller
 * sees them in the log and the case: below the tier's threshold nothing happens; at it a
 * village or township escalates to its parent (a case_moved event, the file's sealed parts
 * boxed to the parent, a fresh time limit); a county, or the top of a tree, marks the case
 * as needing a leader once; an escalation without a parent and a move to a node that is
 * unknown or revoked are refused with a Chinese reason, appending nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/casefile.h"
#include "case/lifecycle.h"
#include "node.h"
#define TESTUTIL_CASES
#include "testutil.h"

#define DAY CLOCK_DAY_MS

static void open_case(struct case_node *f, char *id)
{
    char idn[19];
    assert_int_equal(cn_open_case(f, "东村", "land_contract", cn_id_number(1, idn), NULL, id), 0);
    printf("  opened %s at %s\n", id, f->cfg.node_id);
}

/* ---- one failed attempt, then the rule, in one operation (as POST .../attempts) ---- */

struct failure {
    struct case_node *f;
    const char *case_id;
    const char *what;
    char err[LIFECYCLE_ERR_MAX];
    int rc;
    int64_t now;
    unsigned appended;
};

static int failure_apply(eventlog_tx *tx, void *arg)
{
    struct failure *fl = arg;
    Jiefen__CaseView *v = NULL;
    Jiefen__MediationAttempt a = JIEFEN__MEDIATION_ATTEMPT__INIT;
    a.mediator = "李调解员";
    a.outcome = JIEFEN__OUTCOME__OUTCOME_FAILED;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    ev.attempt = &a;
    int rc = caseindex_get(tx->st, tx->txn, fl->case_id, &v);
    if (rc == 0)
        rc = lifecycle_append(tx, v, &ev, "mediator");
    case_view_free(&v);
    if (rc == 0 && (rc = caseindex_get(tx->st, tx->txn, fl->case_id, &v)) == 0)
        rc = lifecycle_after_failure(tx, &fl->f->lc, v, &fl->what, fl->err);
    case_view_free(&v);
    fl->rc = rc;
    fl->now = tx->now_ms;
    fl->appended = tx->appended;
    return rc;
}

/* Records a failed attempt; returns what the rule did (NULL: nothing). */
static const char *fail_once(struct case_node *f, const char *id, struct failure *fl)
{
    *fl = (struct failure){.f = f, .case_id = id};
    int status = cn_run(f, failure_apply, fl);
    printf("  failure at %s: status %d, rule %s, %u events appended\n", f->cfg.node_id,
           status, fl->what ? fl->what : "(none)", fl->appended);
    assert_int_equal(status, 0);
    return fl->what;
}

/* Fails n times, each below the threshold: nothing but the attempt is appended. */
static void fail_below(struct case_node *f, const char *id, int n)
{
    struct failure fl;
    for (int i = 1; i <= n; i++) {
        assert_null(fail_once(f, id, &fl));
        assert_int_equal(fl.appended, 1);
        Jiefen__CaseView *v = cn_view(f, id);
        printf("  holder %s, failed here %u\n", v->holder, v->failed_here);
        assert_string_equal(v->holder, f->cfg.node_id);
        assert_int_equal(v->failed_here, i);
        assert_false(v->leader_required);
        case_view_free(&v);
    }
}

/* The case escalated from here to `parent` at fl->now: the case and its move event. */
static void assert_escalated(struct case_node *f, const char *id, const char *parent,
                             const struct failure *fl)
{
    envelope *e;
    assert_string_equal(fl->what, "escalated");
    assert_int_equal(fl->appended, 2); /* the attempt, the move */
    Jiefen__CaseView *v = cn_view(f, id);
    printf("  holder %s (before %s), period %u, escalations %u, failed here %u, due +%lld ms\n",
           v->holder, v->previous_holder, v->epoch, v->escalations, v->failed_here,
           (long long)(v->due_ms - fl->now));
    assert_string_equal(v->holder, parent);
    assert_string_equal(v->previous_holder, f->cfg.node_id);
    assert_int_equal(v->epoch, 2);
    assert_int_equal(v->escalations, 1);
    assert_int_equal(v->failed_here, 0);
    assert_int_equal(v->due_ms, fl->now + 3 * DAY); /* a fresh limit: simple, 3 days */
    case_view_free(&v);
    assert_int_equal(cn_events(f, id, JIEFEN__EVENT__BODY_CASE_MOVED, "escalate", &e), 1);
    const Jiefen__CaseMoved *m = e->event->case_moved;
    printf("  case_moved %s -> %s, automatic %d, reason %s, %zu sealed copies\n", m->from,
           m->to, m->automatic, m->reason, m->n_copies);
    assert_string_equal(m->from, f->cfg.node_id);
    assert_string_equal(m->to, parent);
    assert_true(m->automatic);
    assert_string_equal(e->event->actor, "system");
    assert_non_null(strstr(m->reason, "3221"));
    assert_int_equal(m->due_ms, fl->now + 3 * DAY);
    assert_int_equal(m->n_copies, 1); /* the opening's parties */
    assert_string_equal(m->copies[0]->origin, f->cfg.node_id);
    envelope_free(&e);
}

/* ---- what the new holder can read of the file ---- */

struct parts {
    unsigned n;
    int has_name, has_id;
};

static int part_seen(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    struct parts *p = arg;
    (void)ev;
    p->n++;
    p->has_name |= memmem(plain, len, "张三", strlen("张三")) != NULL;
    p->has_id |= memmem(plain, len, "1101051980", 10) != NULL;
    return 0;
}

/* The sealed parts of the case that node `reader` (with its own key) can open as `as`. */
static struct parts readable(struct case_node *f, const char *id, int reader, const char *as)
{
    struct parts p = {0, 0, 0};
    MDB_txn *txn;
    Jiefen__CaseView *v = cn_view(f, id);
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(casefile_each(f->st, txn, f->ids[reader], as, v, part_seen, &p), 0);
    store_txn_abort(txn);
    case_view_free(&v);
    printf("  %s's key opens %u sealed parts as %s (name %d, ID number %d)\n",
           cn_tree[reader].id, p.n, as, p.has_name, p.has_id);
    return p;
}

/* ---- the 3221 rule ---- */

static void test_village_escalates_at_third_failure(void **state)
{
    struct case_node *f = *state;
    struct failure fl;
    char id[64];
    open_case(f, id);
    fail_below(f, id, 2);
    assert_non_null(fail_once(f, id, &fl));
    assert_escalated(f, id, "t1", &fl);
    /* The file travels whole, readable by the township alone. */
    struct parts p = readable(f, id, CN_T1, "t1");
    assert_int_equal(p.n, 1);
    assert_true(p.has_name && p.has_id);
    assert_int_equal(readable(f, id, CN_C1, "t1").n, 0);
    assert_int_equal(readable(f, id, CN_V2, "t1").n, 0);
}

static void test_township_escalates_at_second_failure(void **state)
{
    struct case_node *f = *state;
    struct failure fl;
    char id[64];
    open_case(f, id);
    fail_below(f, id, 1);
    assert_non_null(fail_once(f, id, &fl));
    assert_escalated(f, id, "c1", &fl);
    assert_int_equal(readable(f, id, CN_C1, "c1").n, 1);
}

/* At the county the threshold (2) marks the case for a leader (包案), once. */
static void test_county_marks_leader_required_once(void **state)
{
    struct case_node *f = *state;
    struct failure fl;
    char id[64];
    open_case(f, id);
    fail_below(f, id, 1);
    assert_string_equal(fail_once(f, id, &fl), "leader_required");
    assert_int_equal(fl.appended, 2);
    Jiefen__CaseView *v = cn_view(f, id);
    assert_string_equal(v->holder, "c1");
    assert_true(v->leader_required);
    case_view_free(&v);
    assert_int_equal(cn_events(f, id, JIEFEN__EVENT__BODY_LEADER_REQUIRED, NULL, NULL), 1);

    /* The next failure leaves it as it is: no second mark, no move. */
    assert_null(fail_once(f, id, &fl));
    assert_int_equal(fl.appended, 1);
    v = cn_view(f, id);
    printf("  after the third failure: holder %s, failed here %u, needs leader %d\n",
           v->holder, v->failed_here, v->leader_required);
    assert_string_equal(v->holder, "c1");
    assert_int_equal(v->failed_here, 3);
    assert_true(v->leader_required);
    case_view_free(&v);
    assert_int_equal(cn_events(f, id, JIEFEN__EVENT__BODY_LEADER_REQUIRED, NULL, NULL), 1);
    assert_int_equal(cn_events(f, id, JIEFEN__EVENT__BODY_CASE_MOVED, NULL, NULL), 0);
}

/* A village at the top of its tree has nowhere to send the case: it needs a leader. */
static void test_village_at_top_marks_leader_required(void **state)
{
    struct case_node *f = *state;
    struct failure fl;
    char id[64];
    open_case(f, id);
    fail_below(f, id, 2);
    assert_string_equal(fail_once(f, id, &fl), "leader_required");
    assert_int_equal(cn_events(f, id, JIEFEN__EVENT__BODY_CASE_MOVED, NULL, NULL), 0);
    assert_null(fail_once(f, id, &fl));
    assert_int_equal(cn_events(f, id, JIEFEN__EVENT__BODY_LEADER_REQUIRED, NULL, NULL), 1);
}

/* [escalation] failed_attempts replaces the tier's threshold. */
static void test_threshold_from_config(void **state)
{
    struct case_node *f = *state; /* t1: 2 by default */
    struct failure fl;
    char id[64];
    f->cfg.failed_attempts = 4;
    printf("  threshold at %s: %d\n", f->cfg.node_id, policy_failed_attempts(&f->policy));
    assert_int_equal(policy_failed_attempts(&f->policy), 4);
    open_case(f, id);
    fail_below(f, id, 3);
    assert_non_null(fail_once(f, id, &fl));
    assert_escalated(f, id, "c1", &fl);

    struct case_node *v1 = cn_new(CN_V1);
    v1->cfg.failed_attempts = 1;
    open_case(v1, id);
    assert_non_null(fail_once(v1, id, &fl));
    assert_escalated(v1, id, "t1", &fl);
    cn_free(&v1);
}

/* ---- refusals ---- */

/* Tries a move of the case and checks it is refused with a reason containing `reason`,
 * leaving the log and the case as they were. */
static void assert_move_refused(struct case_node *f, const char *id, const char *kind,
                                const char *to, const char *reason)
{
    struct cn_move mv = {.f = f, .case_id = id, .kind = kind, .to = to};
    uint64_t head = cn_head(f);
    assert_int_equal(cn_run(f, cn_move_apply, &mv), 0);
    printf("  %s to %s: %d (%s), %u appended\n", kind, to ? to : "(parent)", mv.rc, mv.err,
           mv.appended);
    assert_int_equal(mv.rc, JF_EINVAL);
    assert_non_null(strstr(mv.err, reason));
    assert_int_equal(mv.appended, 0);
    assert_int_equal(cn_head(f), head);
    Jiefen__CaseView *v = cn_view(f, id);
    assert_string_equal(v->holder, f->cfg.node_id);
    assert_int_equal(v->epoch, 1);
    case_view_free(&v);
}

static void test_escalate_without_parent_refused(void **state)
{
    struct case_node *f = *state; /* c1, the root */
    char id[64];
    open_case(f, id);
    assert_move_refused(f, id, "escalate", NULL, "没有可上报的上级");

    struct case_node *v0 = cn_new(CN_V0);
    open_case(v0, id);
    assert_move_refused(v0, id, "escalate", NULL, "没有可上报的上级");
    cn_free(&v0);
}

static void test_move_to_unknown_or_revoked_refused(void **state)
{
    struct case_node *f = *state; /* v1 */
    struct failure fl;
    MDB_txn *txn;
    char id[64];
    open_case(f, id);
    assert_move_refused(f, id, "escalate", "x9", "节点 x9 未登记或已撤销");

    /* The township revoked: neither a move to it nor an escalation goes through. */
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(registry_revoke(f->st, txn, "t1"), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    assert_move_refused(f, id, "escalate", "t1", "节点 t1 未登记或已撤销");
    assert_move_refused(f, id, "escalate", NULL, "节点 t1 未登记或已撤销");

    /* The 3221 rule then leaves the case here: the attempt stands, nothing else. */
    fail_below(f, id, 2);
    assert_null(fail_once(f, id, &fl));
    assert_int_equal(fl.rc, 0);
    assert_int_equal(fl.appended, 1);
    Jiefen__CaseView *v = cn_view(f, id);
    assert_string_equal(v->holder, "v1");
    assert_int_equal(v->failed_here, 3);
    assert_int_equal(v->attempts, 3);
    case_view_free(&v);
    assert_int_equal(cn_events(f, id, JIEFEN__EVENT__BODY_CASE_MOVED, NULL, NULL), 0);
}

/* A hand-down (交办) to an enrolled child moves the case there, with its file. */
static void test_handdown_to_child(void **state)
{
    struct case_node *f = *state; /* t1 */
    char id[64];
    open_case(f, id);
    struct cn_move mv = {.f = f, .case_id = id, .kind = "handdown", .to = "v2"};
    assert_int_equal(cn_run(f, cn_move_apply, &mv), 0);
    printf("  handdown to v2: %d, %u appended\n", mv.rc, mv.appended);
    assert_int_equal(mv.rc, 0);
    assert_int_equal(mv.appended, 1);
    Jiefen__CaseView *v = cn_view(f, id);
    assert_string_equal(v->holder, "v2");
    assert_int_equal(v->escalations, 0);
    case_view_free(&v);
    assert_int_equal(readable(f, id, CN_V2, "v2").n, 1);
}

int main(void)
{
    if (cn_init())
        return 1;
    const struct CMUnitTest tests[] = {
        CN_TEST(test_village_escalates_at_third_failure, v1),
        CN_TEST(test_township_escalates_at_second_failure, t1),
        CN_TEST(test_county_marks_leader_required_once, c1),
        CN_TEST(test_village_at_top_marks_leader_required, v0),
        CN_TEST(test_threshold_from_config, t1),
        CN_TEST(test_escalate_without_parent_refused, c1),
        CN_TEST(test_move_to_unknown_or_revoked_refused, v1),
        CN_TEST(test_handdown_to_child, t1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
