/* interop (case/interop.h), 诉前委派: a court's delegation becomes one case whose time limit
 * is the court's deadline, kept with its 案号 (the same delegation again finds that case);
 * the court is told the mediation's result once: agreement after an attempt that reached
 * one, withdrawn for a close that says so (not for a result text starting 撤回), no
 * agreement otherwise or when guided away;
 * an escalation tells it nothing. A work order of the 12345 hotline still gets "closed". */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/interop.h"
#include "outbox/outbox.h"
#define TESTUTIL_CASES
#include "testutil.h"

#define CASE_NO "（2026）京0101民诉前调7号"

struct take_op {
    struct interop_take take;
};

static int take_apply(eventlog_tx *tx, void *arg)
{
    return interop_take_apply(tx, &((struct take_op *)arg)->take);
}

/* Takes order `no` of system (a court's when deadline_ms) into case_id (64); duplicate out. */
static void take(struct case_node *f, const char *system, const char *no, int64_t deadline_ms,
                 char *case_id, int *duplicate)
{
    char idn[19];
    struct intake_ctx ctx = {f->cfg.node_id, f->cfg.node_name, "system", f->cfg.tier,
                             &f->policy, clock_now_ms(), f->id, NULL, NULL};
    struct intake_error ie;
    struct take_op op = {{system, no, NULL, deadline_ms ? CASE_NO : NULL, deadline_ms, "", 0}};
    json_t *body = json_pack("{s:[{s:s, s:s, s:s, s:s}], s:s, s:s, s:s, s:s, s:s}",
                             "parties", "name", "张三", "id_number", cn_id_number(7, idn),
                             "phone", "010-12345678", "address", "东村3组", "category",
                             "land_contract", "matter_type", "dispute_mediation", "source",
                             "court", "summary", "承包地边界争议", "complexity", "simple");
    assert_non_null(body);
    int rc = intake_parse(body, &ctx, &op.take.in, &ie);
    if (rc)
        printf("  refused: %s %s\n", ie.field, ie.message);
    assert_int_equal(rc, 0);
    json_decref(body);
    assert_int_equal(cn_run(f, take_apply, &op), 0);
    snprintf(case_id, 64, "%s", op.take.case_id);
    *duplicate = op.take.duplicate;
    intake_free(&op.take.in);
}

/* Appends an event of case_id: an attempt with outcome, a closing with result, a guiding. */
struct step {
    const char *case_id;
    int what; /* 'a' attempt, 'c' close, 'w' close withdrawn, 'g' guide, 'e' escalate */
    int outcome;
    const char *result;
    lifecycle_ctx *lc;
};

static int step_apply(eventlog_tx *tx, void *arg)
{
    struct step *s = arg;
    Jiefen__CaseView *v = NULL;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    Jiefen__MediationAttempt a = JIEFEN__MEDIATION_ATTEMPT__INIT;
    Jiefen__CaseClosed c = JIEFEN__CASE_CLOSED__INIT;
    Jiefen__CaseGuided g = JIEFEN__CASE_GUIDED__INIT;
    char err[256];
    int rc = caseindex_get(tx->st, tx->txn, s->case_id, &v);
    if (rc || !v)
        return rc ? rc : JF_ENOTFOUND;
    if (s->what == 'e') {
        rc = lifecycle_escalate(tx, s->lc, v, "需上级协调", 0, "mediator", err);
        case_view_free(&v);
        return rc;
    }
    a.mediator = "王调解";
    a.date = "2026-12-07";
    a.method = "people";
    a.outcome = s->outcome;
    c.result = (char *)s->result;
    c.withdrawn = s->what == 'w';
    g.channel = "court";
    g.guidance = "告知当事人由法院审理";
    if (s->what == 'a') {
        ev.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
        ev.attempt = &a;
    } else if (s->what == 'c' || s->what == 'w') {
        ev.body_case = JIEFEN__EVENT__BODY_CASE_CLOSED;
        ev.case_closed = &c;
    } else {
        ev.body_case = JIEFEN__EVENT__BODY_CASE_GUIDED;
        ev.case_guided = &g;
    }
    rc = lifecycle_append(tx, v, &ev, "mediator");
    case_view_free(&v);
    return rc;
}

static void run_step(struct case_node *f, const char *case_id, int what, int outcome,
                     const char *result)
{
    struct step s = {.case_id = case_id, .what = what, .outcome = outcome, .result = result,
                     .lc = &f->lc};
    assert_int_equal(cn_run(f, step_apply, &s), 0);
}

/* The order of case_id (its result, "" when none yet) and the outbox message's vars. */
static void told(struct case_node *f, const char *case_id, char *result, char *court_case_no)
{
    MDB_txn *txn;
    Jiefen__InteropOrder *o = NULL;
    Jiefen__NotifyPayload *p = NULL;
    result[0] = court_case_no[0] = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(interop_order_of_case(f->st, txn, case_id, &o), 0);
    assert_non_null(o);
    if (o->receipt_id) {
        assert_int_equal(outbox_payload(f->st, txn, f->id, o->receipt_id, &p), 0);
        for (size_t i = 0; i < p->n_vars; i++) {
            if (strcmp(p->vars[i]->name, "result") == 0)
                strcpy(result, p->vars[i]->value);
            if (strcmp(p->vars[i]->name, "court_case_no") == 0)
                strcpy(court_case_no, p->vars[i]->value);
        }
        assert_string_equal(result, o->result);
        jiefen__notify_payload__free_unpacked(p, NULL);
    }
    printf("  %s: told %s %s\n", case_id, result[0] ? result : "nothing", court_case_no);
    jiefen__interop_order__free_unpacked(o, NULL);
    store_txn_abort(txn);
}

static void test_delegation_is_one_case_with_the_courts_deadline(void **state)
{
    struct case_node *f = *state;
    int64_t deadline = clock_local_day_end(clock_now_ms() + 20 * CLOCK_DAY_MS);
    char id[64], again[64];
    int dup;
    take(f, "court_dc", "WT-1", deadline, id, &dup);
    assert_false(dup);
    take(f, "court_dc", "WT-1", deadline, again, &dup);
    assert_true(dup);
    assert_string_equal(again, id);
    Jiefen__CaseView *v = cn_view(f, id);
    assert_int_equal(v->due_ms, deadline);
    case_view_free(&v);
    MDB_txn *txn;
    Jiefen__InteropOrder *o;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(interop_order_of_case(f->st, txn, id, &o), 0);
    store_txn_abort(txn);
    assert_string_equal(o->court_case_no, CASE_NO);
    assert_int_equal(o->deadline_ms, deadline);
    jiefen__interop_order__free_unpacked(o, NULL);
}

static void test_the_court_is_told_the_mediations_result_once(void **state)
{
    struct case_node *f = *state;
    int64_t deadline = clock_local_day_end(clock_now_ms() + 20 * CLOCK_DAY_MS);
    char ids[5][64], result[64], no[128];
    int dup;
    eventlog_on_append(f->log, interop_on_append, NULL);
    for (int i = 0; i < 4; i++) {
        char order[16];
        snprintf(order, sizeof order, "WT-1%d", i);
        take(f, "court_dc", order, deadline, ids[i], &dup);
    }
    take(f, "12345", "GD-1", 0, ids[4], &dup);

    run_step(f, ids[0], 'a', JIEFEN__OUTCOME__OUTCOME_AGREEMENT, NULL);
    run_step(f, ids[0], 'c', 0, "双方达成协议");
    told(f, ids[0], result, no);
    assert_string_equal(result, "agreement");
    assert_string_equal(no, CASE_NO);

    run_step(f, ids[1], 'a', JIEFEN__OUTCOME__OUTCOME_FAILED, NULL);
    run_step(f, ids[1], 'w', 0, "当事人自行和解");
    told(f, ids[1], result, no);
    assert_string_equal(result, "withdrawn");

    /* A result text starting 撤回 says nothing: the close's field does. */
    run_step(f, ids[2], 'a', JIEFEN__OUTCOME__OUTCOME_FAILED, NULL);
    run_step(f, ids[2], 'c', 0, "撤回申请");
    told(f, ids[2], result, no);
    assert_string_equal(result, "no_agreement");

    /* Escalated within the tree: the court is told nothing (the mediation goes on). */
    run_step(f, ids[3], 'e', 0, NULL);
    told(f, ids[3], result, no);
    assert_string_equal(result, "");

    /* The hotline's order keeps its own result, without a 案号. */
    run_step(f, ids[4], 'g', 0, NULL);
    told(f, ids[4], result, no);
    assert_string_equal(result, "returned");
    assert_string_equal(no, "");
}

static void test_guided_back_is_no_agreement(void **state)
{
    struct case_node *f = *state;
    int64_t deadline = clock_local_day_end(clock_now_ms() + 20 * CLOCK_DAY_MS);
    char id[64], result[64], no[128];
    int dup;
    eventlog_on_append(f->log, interop_on_append, NULL);
    take(f, "court_dc", "WT-2", deadline, id, &dup);
    run_step(f, id, 'g', 0, NULL);
    told(f, id, result, no);
    assert_string_equal(result, "no_agreement");
}

int main(void)
{
    if (cn_init())
        return 1;
    const struct CMUnitTest tests[] = {
        CN_TEST(test_delegation_is_one_case_with_the_courts_deadline, v1),
        CN_TEST(test_the_court_is_told_the_mediations_result_once, v1),
        CN_TEST(test_guided_back_is_no_agreement, v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
