/* route (case/route.h): which of t1's children get an event queued. Directives go to the
 * children under their addressees; a review to the child whose report it is; a case event
 * to the children under the intake node, the holder and a hand-down's target, a hand-down
 * to a child that never had the case preceded by the file; nothing for a revoked child,
 * an unknown case or an event that only goes up. Each child's queue is dense from 1. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "case/route.h"
#include "error.h"
#include "log/eventlog.h"
#include "log/fold.h"
#include "log/ingest.h"
#include "testutil.h"

#define DAY 86400000LL

/* Signs ev on chain c, keeps it in t1's log, and (with route) queues it as t1 would an
 * event it appends. Returns the envelope bytes (free them) and their length. */
static uint8_t *put(struct test_node *f, struct test_chain *c, Jiefen__Event *ev, int route,
                    size_t *len)
{
    uint8_t *bytes;
    envelope *e = NULL;
    MDB_txn *txn;
    int rc = test_chain_store(f->st, "t1", c, ev, &bytes, len);
    /* A review of a report t1 does not hold does not apply; an event of an unknown case
     * waits: they are still routed (or not) by what they say. */
    assert_true(rc == 0 || rc == JF_EINVAL || rc == JF_ELATER);
    if (route) {
        assert_int_equal(envelope_decode(bytes, *len, &e), 0);
        assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
        assert_int_equal(route_down(f->st, txn, "t1", e->event, bytes, *len), 0);
        assert_int_equal(store_txn_commit(txn), 0);
        envelope_free(&e);
    }
    return bytes;
}

static void put_free(struct test_node *f, struct test_chain *c, Jiefen__Event *ev, int route)
{
    size_t len;
    free(put(f, c, ev, route, &len));
}

/* The length of child's queue (its counter), printed. */
static uint64_t queued(struct test_node *f, const char *child)
{
    char name[64];
    uint64_t n;
    MDB_txn *txn;
    route_queue_key(child, name, sizeof name);
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_meta_get_u64(f->st, txn, name, &n), 0);
    store_txn_abort(txn);
    printf("  %s: %llu\n", name, (unsigned long long)n);
    return n;
}

/* The event at qseq of child's queue: "origin/seq kind". */
static void queue_item(struct test_node *f, const char *child, uint64_t qseq, char *out,
                       size_t outlen)
{
    uint8_t key[STORE_KEY_MAX];
    MDB_val d;
    MDB_txn *txn;
    envelope *e = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_get(txn, f->st->outbox, key, store_event_key(child, qseq, key), &d),
                     0);
    assert_int_equal(envelope_decode(d.mv_data, d.mv_size, &e), 0);
    snprintf(out, outlen, "%s/%llu %s", e->event->origin, (unsigned long long)e->event->seq,
             envelope_kind(e->event));
    printf("  %s queue #%llu: %s\n", child, (unsigned long long)qseq, out);
    envelope_free(&e);
    store_txn_abort(txn);
}

static void expect_item(struct test_node *f, const char *child, uint64_t qseq, const char *want)
{
    char got[128];
    queue_item(f, child, qseq, got, sizeof got);
    assert_string_equal(got, want);
}

static Jiefen__Event directive(Jiefen__Directive *d, char **targets, size_t n, int subtree)
{
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    d->kind = "notice";
    d->title = "通知";
    d->targets = targets;
    d->n_targets = n;
    d->subtree = subtree;
    ev.body_case = JIEFEN__EVENT__BODY_DIRECTIVE;
    ev.directive = d;
    return ev;
}

static void test_queue_key(void **state)
{
    (void)state;
    char buf[64];
    route_queue_key("v1", buf, sizeof buf);
    assert_string_equal(buf, "outq:v1");
}

static void test_directive_to_one_child(void **state)
{
    struct test_node *f = *state;
    Jiefen__Directive d = JIEFEN__DIRECTIVE__INIT;
    char *targets[] = {"v1"};
    Jiefen__Event ev = directive(&d, targets, 1, 0);
    size_t len;
    uint8_t *bytes = put(f, &f->t.ct1, &ev, 1, &len);
    assert_int_equal(queued(f, "v1"), 1);
    assert_int_equal(queued(f, "v2"), 0);
    assert_int_equal(queued(f, "v3"), 0);
    assert_int_equal(queued(f, "v1a"), 0); /* not a direct child: v1 relays */
    /* The bytes queued are the bytes signed. */
    uint8_t key[STORE_KEY_MAX];
    MDB_val q;
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_get(txn, f->st->outbox, key, store_event_key("v1", 1, key), &q), 0);
    assert_int_equal(q.mv_size, len);
    assert_memory_equal(q.mv_data, bytes, len);
    store_txn_abort(txn);
    free(bytes);
    /* A second directive takes the next place in the queue. */
    ev = directive(&d, targets, 1, 0);
    put_free(f, &f->t.ct1, &ev, 1);
    assert_int_equal(queued(f, "v1"), 2);
    expect_item(f, "v1", 2, "t1/2 directive");
}

static void test_directive_to_grandchild_goes_through_its_parent(void **state)
{
    struct test_node *f = *state;
    Jiefen__Directive d = JIEFEN__DIRECTIVE__INIT;
    char *targets[] = {"v1a", "v2"};
    Jiefen__Event ev = directive(&d, targets, 2, 0);
    put_free(f, &f->t.ct1, &ev, 1);
    assert_int_equal(queued(f, "v1"), 1);
    assert_int_equal(queued(f, "v2"), 1);
    assert_int_equal(queued(f, "v3"), 0);
}

static void test_directive_to_subtree(void **state)
{
    struct test_node *f = *state;
    Jiefen__Directive d = JIEFEN__DIRECTIVE__INIT;
    char *targets[] = {"t1"};
    /* Addressed to t1 alone: no child concerned. */
    Jiefen__Event ev = directive(&d, targets, 1, 0);
    put_free(f, &f->t.ct1, &ev, 1);
    assert_int_equal(queued(f, "v1"), 0);
    assert_int_equal(queued(f, "v2"), 0);
    /* To t1's whole subtree: every child but the revoked one. */
    ev = directive(&d, targets, 1, 1);
    put_free(f, &f->t.ct1, &ev, 1);
    assert_int_equal(queued(f, "v1"), 1);
    assert_int_equal(queued(f, "v2"), 1);
    assert_int_equal(queued(f, "v3"), 0);
    expect_item(f, "v2", 1, "t1/2 directive");
}

static void test_parent_directive_is_queued_on_by_ingest(void **state)
{
    struct test_node *f = *state;
    Jiefen__Directive d = JIEFEN__DIRECTIVE__INIT;
    char *targets[] = {"v2"};
    Jiefen__Event ev = directive(&d, targets, 1, 0);
    size_t len;
    ProtobufCBinaryData b;
    b.data = test_chain_sign(&f->t.cc1, &ev, &len);
    b.len = len;
    Jiefen__DownBatch db = JIEFEN__DOWN_BATCH__INIT;
    db.first_qseq = 1;
    db.envelopes = &b;
    db.n_envelopes = 1;
    struct ingest_result r;
    assert_int_equal(ingest_down(f->st, "t1", &db, &r), 0);
    assert_int_equal(r.applied, 1);
    assert_int_equal(queued(f, "v2"), 1);
    assert_int_equal(queued(f, "v1"), 0);
    expect_item(f, "v2", 1, "c1/1 directive");
    free(b.data);
}

static void test_review_goes_back_to_the_reporter(void **state)
{
    struct test_node *f = *state;
    Jiefen__ReportReviewed rr = JIEFEN__REPORT_REVIEWED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    rr.origin = "v1a";
    rr.seq = 4;
    rr.accepted = 1;
    ev.body_case = JIEFEN__EVENT__BODY_REPORT_REVIEWED;
    ev.report_reviewed = &rr;
    put_free(f, &f->t.ct1, &ev, 1);
    assert_int_equal(queued(f, "v1"), 1);
    assert_int_equal(queued(f, "v2"), 0);
}

static void test_up_only_and_unknown_case_go_nowhere(void **state)
{
    struct test_node *f = *state;
    Jiefen__WarningRaised w = JIEFEN__WARNING_RAISED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    w.rule = "red_risk";
    w.village = "v1";
    ev.body_case = JIEFEN__EVENT__BODY_WARNING;
    ev.warning = &w;
    put_free(f, &f->t.ct1, &ev, 1);
    /* An attempt on a case t1 has no view of. */
    Jiefen__MediationAttempt a = JIEFEN__MEDIATION_ATTEMPT__INIT;
    Jiefen__Event at = JIEFEN__EVENT__INIT;
    a.outcome = JIEFEN__OUTCOME__OUTCOME_FAILED;
    at.case_id = "v1-nowhere";
    at.case_epoch = 1;
    at.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    at.attempt = &a;
    put_free(f, &f->t.ct1, &at, 1);
    assert_int_equal(queued(f, "v1"), 0);
    assert_int_equal(queued(f, "v2"), 0);
}

static Jiefen__Event moved(Jiefen__CaseMoved *m, const char *kind, const char *from,
                           const char *to, unsigned epoch, int64_t t)
{
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    m->kind = (char *)kind;
    m->from = (char *)from;
    m->to = (char *)to;
    m->reason = "test";
    m->due_ms = t + 7 * DAY;
    ev.case_id = "v1-case-1";
    ev.case_epoch = epoch;
    ev.time_ms = t;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_MOVED;
    ev.case_moved = m;
    return ev;
}

static void case_view(struct test_node *f, const char *id, char *holder, size_t len)
{
    Jiefen__CaseView *v = test_case_view(f->st, id);
    assert_non_null(v);
    snprintf(holder, len, "%s", v->holder);
    case_view_free(&v);
}

static void test_case_goes_to_intake_holder_and_handdown_target(void **state)
{
    struct test_node *f = *state;
    char holder[32];
    int64_t t0 = 1767225600000LL;
    /* v1 opens a case and escalates it to t1 (both received from v1: not routed). */
    Jiefen__CaseOpened o;
    Jiefen__Event open;
    test_case_opened(&open, &o, "v1-case-1", t0);
    put_free(f, &f->t.cv1, &open, 0);
    Jiefen__CaseMoved up = JIEFEN__CASE_MOVED__INIT;
    Jiefen__Event esc = moved(&up, "escalate", "v1", "t1", 2, t0 + 1000);
    put_free(f, &f->t.cv1, &esc, 0);
    case_view(f, "v1-case-1", holder, sizeof holder);
    assert_string_equal(holder, "t1");

    /* t1 records an attempt: v1 (where the case started) follows it; v2 does not. */
    Jiefen__MediationAttempt a = JIEFEN__MEDIATION_ATTEMPT__INIT;
    Jiefen__Event at = JIEFEN__EVENT__INIT;
    a.outcome = JIEFEN__OUTCOME__OUTCOME_FAILED;
    at.case_id = "v1-case-1";
    at.case_epoch = 2;
    at.time_ms = t0 + 2000;
    at.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    at.attempt = &a;
    put_free(f, &f->t.ct1, &at, 1);
    assert_int_equal(queued(f, "v1"), 1);
    assert_int_equal(queued(f, "v2"), 0);
    expect_item(f, "v1", 1, "t1/1 attempt");

    /* t1 hands it down to v2, which never had it: v2 gets the file first (each origin's
     * events in their order), then the hand-down; v1 gets the hand-down alone. */
    Jiefen__CaseMoved dn = JIEFEN__CASE_MOVED__INIT;
    Jiefen__Event hd = moved(&dn, "handdown", "t1", "v2", 3, t0 + 3000);
    put_free(f, &f->t.ct1, &hd, 1);
    case_view(f, "v1-case-1", holder, sizeof holder);
    assert_string_equal(holder, "v2");
    assert_int_equal(queued(f, "v1"), 2);
    expect_item(f, "v1", 2, "t1/2 case_moved");
    assert_int_equal(queued(f, "v2"), 4);
    char items[4][128];
    for (int i = 0; i < 4; i++)
        queue_item(f, "v2", (uint64_t)i + 1, items[i], sizeof items[i]);
    assert_string_equal(items[3], "t1/2 case_moved");
    /* The three earlier events, each once; v1's in its chain's order. */
    const char *file[] = {"v1/1 case_opened", "v1/2 case_moved", "t1/1 attempt"};
    int at_pos[3] = {-1, -1, -1};
    for (int k = 0; k < 3; k++)
        for (int i = 0; i < 3; i++)
            if (strcmp(items[i], file[k]) == 0) {
                assert_int_equal(at_pos[k], -1);
                at_pos[k] = i;
            }
    for (int k = 0; k < 3; k++)
        assert_int_not_equal(at_pos[k], -1);
    assert_true(at_pos[0] < at_pos[1]);
    assert_int_equal(queued(f, "v3"), 0);

    /* A later event of t1's on the case concerns v1 (intake) and v2 (holder), and v2 has
     * the file already. */
    Jiefen__LeaderAssigned la = JIEFEN__LEADER_ASSIGNED__INIT;
    la.leader = "县领导";
    Jiefen__Event lev = JIEFEN__EVENT__INIT;
    lev.case_id = "v1-case-1";
    lev.case_epoch = 3;
    lev.time_ms = t0 + 4000;
    lev.body_case = JIEFEN__EVENT__BODY_LEADER_ASSIGNED;
    lev.leader_assigned = &la;
    put_free(f, &f->t.ct1, &lev, 1);
    assert_int_equal(queued(f, "v1"), 3);
    assert_int_equal(queued(f, "v2"), 5);
    expect_item(f, "v2", 5, "t1/3 leader_assigned");
}

int main(void)
{
    if (test_init())
        return 1;
#define T TEST_NODE
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_queue_key),
        T(test_directive_to_one_child),
        T(test_directive_to_grandchild_goes_through_its_parent),
        T(test_directive_to_subtree),
        T(test_parent_directive_is_queued_on_by_ingest),
        T(test_review_goes_back_to_the_reporter),
        T(test_up_only_and_unknown_case_go_nowhere),
        T(test_case_goes_to_intake_holder_and_handdown_target),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
