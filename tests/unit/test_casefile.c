/* casefile (case/casefile.h): the personal data of a case's file. Village v1 opens a case
 * and records an attempt, each with a sealed part, then escalates it to t1 with the parts
 * boxed to t1 in the move. v1 reads the parts from its store; t1, which got the events
 * without them, reads them from the move; another node or key reads nothing; a part that
 * does not decrypt or does not match the hash the origin signed is left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>

#include "case/case.h"
#include "case/caseindex.h"
#include "case/casefile.h"
#include "error.h"
#include "log/eventlog.h"
#include "log/fold.h"
#include "log/ingest.h"
#include "testutil.h"

#define CASE "v1-case-1"
#define PART1 "parties: 张三 11010519491231002X"
#define PART2 "attempt record: 李四 13800138000"

/* v1's store is the fixture's (struct test_node, with the tree); t1's is beside it. */
static store *t1_st;
static eventlog *v1_log;

/* ---- v1's operations -------------------------------------------------------------- */

static int op_open(eventlog_tx *tx, void *arg)
{
    (void)arg;
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    test_case_opened(&ev, &o, CASE, tx->now_ms);
    return eventlog_append(tx, &ev, (const uint8_t *)PART1, strlen(PART1));
}

static int op_attempt(eventlog_tx *tx, void *arg)
{
    (void)arg;
    Jiefen__MediationAttempt a = JIEFEN__MEDIATION_ATTEMPT__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    a.outcome = JIEFEN__OUTCOME__OUTCOME_FAILED;
    ev.case_id = CASE;
    ev.case_epoch = 1;
    ev.actor = "test";
    ev.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    ev.attempt = &a;
    return eventlog_append(tx, &ev, (const uint8_t *)PART2, strlen(PART2));
}

/* Escalates to t1 with every readable part boxed to t1's key. */
static int op_escalate(eventlog_tx *tx, void *arg)
{
    struct test_node *f = arg;
    Jiefen__CaseView *v = NULL;
    Jiefen__SealedCopy **copies = NULL;
    size_t n = 0;
    int rc = caseindex_get(tx->st, tx->txn, CASE, &v);
    if (rc == 0)
        rc = casefile_copies(tx->st, tx->txn, f->t.v1, "v1", v,
                             crypto_identity_pk(f->t.t1), &copies, &n);
    case_view_free(&v);
    if (rc)
        return rc;
    Jiefen__CaseMoved m = JIEFEN__CASE_MOVED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    m.kind = "escalate";
    m.from = "v1";
    m.to = "t1";
    m.reason = "3221";
    m.due_ms = tx->now_ms + 7 * 86400000LL;
    m.copies = copies;
    m.n_copies = n;
    ev.case_id = CASE;
    ev.case_epoch = 2;
    ev.actor = "test";
    ev.body_case = JIEFEN__EVENT__BODY_CASE_MOVED;
    ev.case_moved = &m;
    rc = eventlog_append(tx, &ev, NULL, 0);
    casefile_copies_free(copies, n);
    return rc;
}

/* Copies a node record of v1's registry into t1's. */
static int copy_node(const Jiefen__NodeInfo *ni, void *arg)
{
    MDB_txn *txn;
    (void)arg;
    assert_int_equal(store_txn_begin(t1_st, 0, &txn), 0);
    assert_int_equal(registry_put(t1_st, txn, ni->node_id, ni->name, ni->tier,
                                  ni->public_key.data, ni->parent),
                     0);
    assert_int_equal(store_txn_commit(txn), 0);
    return 0;
}

/* v1's log sent up to t1, as the link does: the events without their sealed parts. */
static void send_up(struct test_node *f)
{
    MDB_txn *txn;
    ProtobufCBinaryData env[3];
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    for (uint64_t s = 1; s <= 3; s++) {
        MDB_val d;
        assert_int_equal(store_event_get(f->st, txn, "v1", s, &d), 0);
        env[s - 1] = (ProtobufCBinaryData){d.mv_size, d.mv_data};
    }
    Jiefen__UpBatch ub = JIEFEN__UP_BATCH__INIT;
    ub.envelopes = env;
    ub.n_envelopes = 3;
    struct ingest_result r;
    assert_int_equal(ingest_up(t1_st, "t1", "v1", &ub, &r), 0);
    store_txn_abort(txn);
    assert_int_equal(r.applied, 3);
}

static int setup(void **state)
{
    test_node_setup(state);
    struct test_node *f = *state;
    MDB_txn *txn;
    t1_st = test_store(f->dir, "t1-store");
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(registry_each(f->st, txn, copy_node, NULL), 0);
    store_txn_abort(txn);
    assert_int_equal(eventlog_new(f->st, f->t.v1, "v1", &v1_log), 0);
    assert_int_equal(test_eventlog_run(v1_log, op_open, f), 0);
    assert_int_equal(test_eventlog_run(v1_log, op_attempt, f), 0);
    return 0;
}

static int teardown(void **state)
{
    eventlog_free(&v1_log);
    store_close(&t1_st);
    return test_node_teardown(state);
}

/* ---- reading ---------------------------------------------------------------------- */

struct parts {
    char text[4][128];
    uint64_t seq[4];
    size_t n;
};

static int collect(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    struct parts *p = arg;
    assert_true(p->n < 4);
    snprintf(p->text[p->n], sizeof p->text[0], "%.*s", (int)len, (const char *)plain);
    p->seq[p->n] = ev->seq;
    printf("    part of %s/%llu: %s\n", ev->origin, (unsigned long long)ev->seq, p->text[p->n]);
    p->n++;
    return 0;
}

static struct parts read_file(store *st, const crypto_identity *id, const char *self)
{
    struct parts p = {0};
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    assert_int_equal(caseindex_get(st, txn, CASE, &v), 0);
    assert_non_null(v);
    printf("  the file as %s reads it:\n", self);
    assert_int_equal(casefile_each(st, txn, id, self, v, collect, &p), 0);
    case_view_free(&v);
    store_txn_abort(txn);
    return p;
}

static void expect_both(const struct parts *p)
{
    assert_int_equal(p->n, 2);
    assert_string_equal(p->text[0], PART1);
    assert_int_equal(p->seq[0], 1);
    assert_string_equal(p->text[1], PART2);
    assert_int_equal(p->seq[1], 2);
}

static void test_intake_node_reads_its_store(void **state)
{
    struct test_node *f = *state;
    struct parts p = read_file(f->st, f->t.v1, "v1");
    expect_both(&p);
    /* Another node's at-rest key reads nothing from v1's store. */
    p = read_file(f->st, f->t.v2, "v1");
    assert_int_equal(p.n, 0);
}

static void test_copies_open_only_for_their_addressee(void **state)
{
    struct test_node *f = *state;
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    Jiefen__SealedCopy **c = NULL;
    size_t n = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(caseindex_get(f->st, txn, CASE, &v), 0);
    assert_int_equal(casefile_copies(f->st, txn, f->t.v1, "v1", v,
                                     crypto_identity_pk(f->t.t1), &c, &n),
                     0);
    printf("  %zu copies\n", n);
    assert_int_equal(n, 2);
    uint8_t tpk[32], tsk[32], opk[32], osk[32], plain[128];
    crypto_curve_keys(f->t.t1, tpk, tsk);
    crypto_curve_keys(f->t.v2, opk, osk);
    const char *want[] = {PART1, PART2};
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(c[i]->origin, "v1");
        assert_int_equal(c[i]->seq, i + 1);
        size_t len = c[i]->box.len - crypto_box_SEALBYTES;
        assert_int_equal(len, strlen(want[i]));
        /* No plaintext travels. */
        assert_null(memmem(c[i]->box.data, c[i]->box.len, want[i], strlen(want[i])));
        assert_int_equal(crypto_box_seal_open(plain, c[i]->box.data, c[i]->box.len, tpk, tsk), 0);
        assert_memory_equal(plain, want[i], len);
        assert_int_not_equal(
            crypto_box_seal_open(plain, c[i]->box.data, c[i]->box.len, opk, osk), 0);
    }
    casefile_copies_free(c, n);
    /* Not a key one can box to. */
    uint8_t junk[32];
    memset(junk, 0xff, sizeof junk);
    c = (Jiefen__SealedCopy **)1;
    assert_int_equal(casefile_copies(f->st, txn, f->t.v1, "v1", v, junk, &c, &n),
                     JF_ECRYPTO);
    assert_null(c);
    assert_int_equal(n, 0);
    case_view_free(&v);
    store_txn_abort(txn);
    crypto_wipe(tsk, sizeof tsk);
    crypto_wipe(osk, sizeof osk);
}

static void test_new_holder_reads_the_move(void **state)
{
    struct test_node *f = *state;
    assert_int_equal(test_eventlog_run(v1_log, op_escalate, f), 0);
    send_up(f);
    /* t1 holds no sealed part of v1's events: only the copies in the move. */
    MDB_txn *txn;
    MDB_val d;
    uint8_t key[STORE_KEY_MAX];
    assert_int_equal(store_txn_begin(t1_st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_get(txn, t1_st->sealed, key, store_event_key("v1", 1, key), &d),
                     JF_ENOTFOUND);
    store_txn_abort(txn);
    struct parts p = read_file(t1_st, f->t.t1, "t1");
    expect_both(&p);
    /* A node the move was not for, or t1's name with another key: nothing. */
    p = read_file(t1_st, f->t.v2, "v2");
    assert_int_equal(p.n, 0);
    p = read_file(t1_st, f->t.v2, "t1");
    assert_int_equal(p.n, 0);
}

/* In v1's store: the parts of events 1 and 2 swapped (each bound to its own record), or
 * part 2 replaced by a good ciphertext of other bytes (not what the event signed). */
static void test_bad_parts_are_left_out(void **state)
{
    struct test_node *f = *state;
    MDB_txn *txn;
    uint8_t k1[STORE_KEY_MAX], k2[STORE_KEY_MAX];
    size_t l1 = store_event_key("v1", 1, k1), l2 = store_event_key("v1", 2, k2);
    MDB_val d1, d2;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(store_get(txn, f->st->sealed, k1, l1, &d1), 0);
    assert_int_equal(store_get(txn, f->st->sealed, k2, l2, &d2), 0);
    uint8_t *s1 = malloc(d1.mv_size), *s2 = malloc(d2.mv_size);
    size_t n1 = d1.mv_size, n2 = d2.mv_size;
    memcpy(s1, d1.mv_data, n1);
    memcpy(s2, d2.mv_data, n2);
    assert_int_equal(store_put(txn, f->st->sealed, k1, l1, s2, n2, 0), 0);
    assert_int_equal(store_put(txn, f->st->sealed, k2, l2, s1, n1, 0), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    struct parts p = read_file(f->st, f->t.v1, "v1");
    assert_int_equal(p.n, 0);

    const char other[] = "parties: 王五 110105194912310037";
    uint8_t sealed[sizeof other + CRYPTO_SEAL_OVERHEAD];
    crypto_seal(f->t.v1, (const uint8_t *)other, sizeof other, k2, l2, sealed);
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(store_put(txn, f->st->sealed, k1, l1, s1, n1, 0), 0);
    assert_int_equal(store_put(txn, f->st->sealed, k2, l2, sealed, sizeof sealed, 0), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    p = read_file(f->st, f->t.v1, "v1");
    assert_int_equal(p.n, 1);
    assert_string_equal(p.text[0], PART1);
    free(s1);
    free(s2);
}

static int stop_at_first(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    (void)ev;
    (void)plain;
    (void)len;
    (*(int *)arg)++;
    return -5;
}

static void test_callback_error_stops(void **state)
{
    struct test_node *f = *state;
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    int calls = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(caseindex_get(f->st, txn, CASE, &v), 0);
    assert_int_equal(casefile_each(f->st, txn, f->t.v1, "v1", v, stop_at_first, &calls), -5);
    assert_int_equal(calls, 1);
    case_view_free(&v);
    store_txn_abort(txn);
}

int main(void)
{
    if (test_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_intake_node_reads_its_store),
        T(test_copies_open_only_for_their_addressee),
        T(test_new_holder_reads_the_move),
        T(test_bad_parts_are_left_out),
        T(test_callback_error_stops),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
