/* Case fold: the same events give the same view whatever order events of different
 * origins arrive in (each origin's own events in order, as a link delivers them); events
 * that come too early wait; events that can never apply change nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "error.h"

#include <stdlib.h>
#include <string.h>

#define CASE "v1-2026-000001"
#define MAX_EVENTS 32

struct scenario {
    Jiefen__Event ev[MAX_EVENTS];
    Jiefen__CaseOpened opened;
    Jiefen__MediationAttempt attempt[MAX_EVENTS];
    Jiefen__CaseMoved moved[4];
    Jiefen__LeaderAssigned leader;
    Jiefen__LeaderAck ack;
    Jiefen__ExtensionRequested ext, ext2;
    Jiefen__ExtensionDecided decision, decision2;
    Jiefen__CaseClosed closed;
    Jiefen__FollowUp follow_up;
    Jiefen__RiskChanged risk;
    uint64_t seq[3];
    size_t n;
    int64_t t;
};

static const char *ORIGINS[] = {"v1", "t1", "c1"};

static Jiefen__Event *next(struct scenario *s, int who, unsigned epoch)
{
    Jiefen__Event *e = &s->ev[s->n++];
    jiefen__event__init(e);
    e->origin = (char *)ORIGINS[who];
    e->seq = ++s->seq[who];
    e->time_ms = (s->t += 60000);
    e->case_id = CASE;
    e->case_epoch = epoch;
    e->actor = "test";
    return e;
}

static void attempt(struct scenario *s, int who, unsigned epoch, Jiefen__Outcome outcome)
{
    Jiefen__MediationAttempt *a = &s->attempt[s->n];
    jiefen__mediation_attempt__init(a);
    a->outcome = outcome;
    Jiefen__Event *e = next(s, who, epoch);
    e->body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    e->attempt = a;
}

static void move(struct scenario *s, int k, int from, int to, const char *kind, unsigned epoch)
{
    Jiefen__CaseMoved *m = &s->moved[k];
    jiefen__case_moved__init(m);
    m->kind = (char *)kind;
    m->from = (char *)ORIGINS[from];
    m->to = (char *)ORIGINS[to];
    m->due_ms = s->t + 7 * 86400000LL;
    Jiefen__Event *e = next(s, from, epoch);
    e->body_case = JIEFEN__EVENT__BODY_CASE_MOVED;
    e->case_moved = m;
}

/* Village takes in, fails, escalates; the township fails, gets a leader from the county,
 * acknowledges, asks for an extension the county grants and a second it refuses, hands
 * back down; the village
 * changes the risk, settles, closes and follows up. */
static void build(struct scenario *s)
{
    memset(s, 0, sizeof *s);
    s->t = 1767225600000LL;
    jiefen__case_opened__init(&s->opened);
    s->opened.case_id = CASE;
    s->opened.due_ms = s->t + 3 * 86400000LL;
    Jiefen__Event *e = next(s, 0, 1);
    e->body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    e->case_opened = &s->opened;
    attempt(s, 0, 1, JIEFEN__OUTCOME__OUTCOME_FAILED);
    move(s, 0, 0, 1, "escalate", 2);
    attempt(s, 1, 2, JIEFEN__OUTCOME__OUTCOME_FAILED);
    jiefen__leader_assigned__init(&s->leader);
    s->leader.leader = "赵六";
    e = next(s, 2, 2);
    e->body_case = JIEFEN__EVENT__BODY_LEADER_ASSIGNED;
    e->leader_assigned = &s->leader;
    jiefen__leader_ack__init(&s->ack);
    s->ack.origin = "c1";
    s->ack.seq = 1;
    e = next(s, 1, 2);
    e->body_case = JIEFEN__EVENT__BODY_LEADER_ACK;
    e->leader_ack = &s->ack;
    jiefen__extension_requested__init(&s->ext);
    s->ext.days = 3;
    s->ext.reason = "当事人外出";
    e = next(s, 1, 2);
    e->body_case = JIEFEN__EVENT__BODY_EXTENSION_REQUESTED;
    e->extension_requested = &s->ext;
    jiefen__extension_decided__init(&s->decision);
    s->decision.origin = "t1";
    s->decision.seq = e->seq;
    s->decision.approved = 1;
    s->decision.new_due_ms = s->moved[0].due_ms + 3 * 86400000LL;
    e = next(s, 2, 2);
    e->body_case = JIEFEN__EVENT__BODY_EXTENSION_DECIDED;
    e->extension_decided = &s->decision;
    /* A second request, made after the first was decided, is refused. */
    jiefen__extension_requested__init(&s->ext2);
    s->ext2.days = 5;
    s->ext2.reason = "再次延期";
    s->ext2.settled_origin = "c1";
    s->ext2.settled_seq = e->seq;
    e = next(s, 1, 2);
    e->body_case = JIEFEN__EVENT__BODY_EXTENSION_REQUESTED;
    e->extension_requested = &s->ext2;
    jiefen__extension_decided__init(&s->decision2);
    s->decision2.origin = "t1";
    s->decision2.seq = e->seq;
    e = next(s, 2, 2);
    e->body_case = JIEFEN__EVENT__BODY_EXTENSION_DECIDED;
    e->extension_decided = &s->decision2;
    attempt(s, 1, 2, JIEFEN__OUTCOME__OUTCOME_FAILED);
    move(s, 1, 1, 0, "handdown", 3);
    jiefen__risk_changed__init(&s->risk);
    s->risk.risk = JIEFEN__RISK__RISK_ORANGE;
    s->risk.reason = "情绪激动";
    e = next(s, 0, 3);
    e->body_case = JIEFEN__EVENT__BODY_RISK_CHANGED;
    e->risk_changed = &s->risk;
    attempt(s, 0, 3, JIEFEN__OUTCOME__OUTCOME_AGREEMENT);
    jiefen__case_closed__init(&s->closed);
    s->closed.result = "达成协议";
    e = next(s, 0, 3);
    e->body_case = JIEFEN__EVENT__BODY_CASE_CLOSED;
    e->case_closed = &s->closed;
    jiefen__follow_up__init(&s->follow_up);
    s->follow_up.satisfaction = "satisfied";
    e = next(s, 0, 3);
    e->body_case = JIEFEN__EVENT__BODY_FOLLOW_UP;
    e->follow_up = &s->follow_up;
}

/* v1 under t1 under c1. */
static int depth(void *arg, const char *node, const char *top)
{
    (void)arg;
    static const char *chain[] = {"v1", "t1", "c1"};
    int n = -1, t = -1;
    for (int i = 0; i < 3; i++) {
        if (strcmp(chain[i], node) == 0)
            n = i;
        if (strcmp(chain[i], top) == 0)
            t = i;
    }
    return n < 0 || t < 0 || n > t ? -1 : t - n;
}

static const case_tree TREE = {depth, NULL, NULL};

static uint8_t *fold_bytes(const Jiefen__Event *const *evs, size_t n, size_t *len)
{
    Jiefen__CaseView *v = NULL;
    assert_int_equal(case_fold_list(evs, n, &TREE, &v), 0);
    assert_non_null(v);
    uint8_t *b = case_view_encode(v, len);
    case_view_free(&v);
    return b;
}

static void test_in_order(void **state)
{
    (void)state;
    struct scenario s;
    const Jiefen__Event *evs[MAX_EVENTS];
    build(&s);
    Jiefen__CaseView *v = NULL;
    for (size_t i = 0; i < s.n; i++) {
        evs[i] = &s.ev[i];
        assert_int_equal(case_apply(&v, evs[i], &TREE), 0);
    }
    assert_int_equal(v->status, JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED);
    assert_string_equal(v->holder, "v1");
    assert_int_equal(v->epoch, 3);
    assert_int_equal(v->attempts, 4);
    assert_int_equal(v->failed_here, 0);
    assert_int_equal(v->escalations, 1);
    assert_true(v->leader_acked);
    assert_string_equal(v->ext_state, "");
    assert_int_equal(v->risk, JIEFEN__RISK__RISK_ORANGE);
    assert_int_equal(v->event_count, s.n);
    assert_string_equal(v->satisfaction, "satisfied");
    case_view_free(&v);
}

/* Random interleavings of the three origins' chains, cut after each event of the log (so a
 * later move cannot hide a difference in what came before). */
static void check_interleavings(struct scenario *sp)
{
    struct scenario s = *sp;
    const Jiefen__Event *evs[MAX_EVENTS], *mixed[MAX_EVENTS];
    for (size_t i = 0; i < s.n; i++)
        evs[i] = &s.ev[i];
    srand(4);
    for (size_t cut = 1; cut <= s.n; cut++) {
        size_t want_len, len;
        uint8_t *want = fold_bytes(evs, cut, &want_len);
        for (int round = 0; round < 500; round++) {
            size_t pos[3] = {0}, k = 0;
            while (k < cut) {
                int who = rand() % 3;
                /* the next event of that origin, in its order, if within the cut */
                for (size_t i = 0, seen = 0; i < cut; i++) {
                    if (strcmp(s.ev[i].origin, ORIGINS[who]))
                        continue;
                    if (seen++ == pos[who]) {
                        mixed[k++] = &s.ev[i];
                        pos[who]++;
                        break;
                    }
                }
            }
            uint8_t *got = fold_bytes(mixed, cut, &len);
            assert_int_equal(len, want_len);
            assert_memory_equal(got, want, len);
            free(got);
        }
        free(want);
    }
}

static void test_any_interleaving_gives_the_same_view(void **state)
{
    (void)state;
    struct scenario s;
    build(&s);
    check_interleavings(&s);
}

/* The county assigns a leader while the township holds the case, and the township
 * escalates it to the county before the assignment reaches it: folded before or after the
 * move, the assignment is the same (made in period 2, not by that period's holder, so not
 * acknowledged). */
static void test_assignment_crossing_a_move(void **state)
{
    (void)state;
    struct scenario s;
    memset(&s, 0, sizeof s);
    s.t = 1767225600000LL;
    jiefen__case_opened__init(&s.opened);
    s.opened.case_id = CASE;
    s.opened.due_ms = s.t + 3 * 86400000LL;
    Jiefen__Event *e = next(&s, 0, 1);
    e->body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    e->case_opened = &s.opened;
    move(&s, 0, 0, 1, "escalate", 2);
    jiefen__leader_assigned__init(&s.leader);
    s.leader.leader = "赵六";
    e = next(&s, 2, 2);
    e->body_case = JIEFEN__EVENT__BODY_LEADER_ASSIGNED;
    e->leader_assigned = &s.leader;
    move(&s, 1, 1, 2, "escalate", 3);
    check_interleavings(&s);
    const Jiefen__Event *evs[] = {&s.ev[0], &s.ev[1], &s.ev[3], &s.ev[2]};
    Jiefen__CaseView *v = NULL;
    assert_int_equal(case_fold_list(evs, 4, &TREE, &v), 0);
    assert_non_null(v->leader);
    assert_false(v->leader_acked);
    assert_string_equal(v->holder, "c1");
    case_view_free(&v);
}

static void test_early_and_impossible_events(void **state)
{
    (void)state;
    struct scenario s;
    build(&s);
    Jiefen__CaseView *v = NULL;
    /* Nothing before the case exists; a township event of period 2 waits for the move. */
    assert_int_equal(case_apply(&v, &s.ev[3], &TREE), JF_ELATER);
    assert_int_equal(case_apply(&v, &s.ev[0], &TREE), 0);
    assert_int_equal(case_apply(&v, &s.ev[3], &TREE), JF_ELATER);
    /* The ack waits for the assignment it refers to. */
    assert_int_equal(case_apply(&v, &s.ev[1], &TREE), 0);
    assert_int_equal(case_apply(&v, &s.ev[2], &TREE), 0);
    assert_int_equal(case_apply(&v, &s.ev[5], &TREE), JF_ELATER);
    /* The village no longer holds it: its attempt in period 2 never applies. */
    Jiefen__Event stray = s.ev[1];
    stray.seq = 99;
    stray.case_epoch = 2;
    assert_int_equal(case_apply(&v, &stray, &TREE), JF_EINVAL);
    /* A second move into the same period is a conflict. */
    Jiefen__Event again = s.ev[2];
    again.seq = 98;
    assert_int_equal(case_apply(&v, &again, &TREE), JF_EINVAL);
    /* Events the signer may not make: the village assigning its own leader to a case its
     * township holds, the village deciding its township's extension, a hand-down upwards. */
    Jiefen__Event forged = s.ev[4];
    forged.origin = "v1";
    forged.seq = 97;
    assert_int_equal(case_apply(&v, &forged, &TREE), JF_EINVAL);
    forged = s.ev[7];
    forged.origin = "v1";
    forged.seq = 96;
    assert_int_equal(case_apply(&v, &forged, &TREE), JF_EINVAL);
    assert_int_equal(v->event_count, 3);
    case_view_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_in_order),
        cmocka_unit_test(test_any_interleaving_gives_the_same_view),
        cmocka_unit_test(test_assignment_crossing_a_move),
        cmocka_unit_test(test_early_and_impossible_events),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
