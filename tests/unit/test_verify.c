/* verify (case/verify.h), the store's fsck: a township t1 with its own log (cases with sealed
 * parts, through eventlog), its village v1's log (received through ingest) and an event of
 * its county c1 (inbox). A clean store has no problem; each kind of damage done to it by
 * hand is reported, naming the event. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "case/caseindex.h"
#include "error.h"
#include "log/eventlog.h"
#include "log/fold.h"
#include "log/ingest.h"
#include "log/registry.h"
#include "case/verify.h"
#include "testutil.h"

#define OWN 3   /* t1's events: cases t1-case-1..3, each with a sealed part */
#define CHILD 3 /* v1's events */

static int own_case(eventlog_tx *tx, void *arg)
{
    const int *n = arg;
    char id[32], sealed[64];
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    snprintf(id, sizeof id, "t1-case-%d", *n);
    snprintf(sealed, sizeof sealed, "personal data of case %d", *n);
    test_case_opened(&ev, &o, id, tx->now_ms);
    o.summary = "own";
    return eventlog_append(tx, &ev, (const uint8_t *)sealed, strlen(sealed));
}

/* t1 with cases of its own, of v1 (received up) and of c1 (received down). */
static int setup(void **state)
{
    test_node_setup(state);
    struct test_node *f = *state;
    eventlog *log;
    assert_int_equal(eventlog_new(f->st, f->t.t1, "t1", &log), 0);
    for (int i = 1; i <= OWN; i++)
        assert_int_equal(test_eventlog_run(log, own_case, &i), 0);
    eventlog_free(&log);

    ProtobufCBinaryData env[CHILD];
    char id[32];
    for (int i = 0; i < CHILD; i++) {
        snprintf(id, sizeof id, "v1-case-%d", i + 1);
        env[i].data = test_chain_open_case(&f->t.cv1, id, &env[i].len);
    }
    Jiefen__UpBatch ub = JIEFEN__UP_BATCH__INIT;
    ub.envelopes = env;
    ub.n_envelopes = CHILD;
    struct ingest_result r;
    assert_int_equal(ingest_up(f->st, "t1", "v1", &ub, &r), 0);
    assert_int_equal(r.applied, CHILD);
    for (int i = 0; i < CHILD; i++)
        free(env[i].data);

    ProtobufCBinaryData d;
    d.data = test_chain_open_case(&f->t.cc1, "c1-case-1", &d.len);
    Jiefen__DownBatch db = JIEFEN__DOWN_BATCH__INIT;
    db.first_qseq = 1;
    db.envelopes = &d;
    db.n_envelopes = 1;
    assert_int_equal(ingest_down(f->st, "t1", &db, &r), 0);
    assert_int_equal(r.applied, 1);
    free(d.data);
    return 0;
}

/* Runs verify at t1, prints the problems, and returns the report (free it). */
static struct verify_report run(struct test_node *f)
{
    struct verify_report r;
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(verify_run(f->st, txn, f->t.t1, "t1", &r), 0);
    store_txn_abort(txn);
    printf("  %llu events, %llu cases, %llu problems\n", (unsigned long long)r.events,
           (unsigned long long)r.cases, (unsigned long long)r.problem_count);
    for (size_t i = 0; i < r.n_problems; i++)
        printf("  problem: [%s/%llu] [%s] %s\n", r.problems[i].origin,
               (unsigned long long)r.problems[i].seq, r.problems[i].case_id, r.problems[i].what);
    return r;
}

/* 1 if the report lists a problem `what` (a prefix) at (origin, seq), or for case_id. */
static int reports(const struct verify_report *r, const char *origin, uint64_t seq,
                   const char *case_id, const char *what)
{
    for (size_t i = 0; i < r->n_problems; i++) {
        const struct verify_problem *p = &r->problems[i];
        if (strncmp(p->what, what, strlen(what)))
            continue;
        if (origin && (strcmp(p->origin, origin) || p->seq != seq))
            continue;
        if (case_id && strcmp(p->case_id, case_id))
            continue;
        return 1;
    }
    return 0;
}

/* Runs fn in a write transaction on t1's store. */
static void damage(struct test_node *f, void (*fn)(struct test_node *, MDB_txn *))
{
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    fn(f, txn);
    assert_int_equal(store_txn_commit(txn), 0);
}

/* A copy of the value under (origin, seq) in dbi; free it. */
static uint8_t *copy_of(MDB_txn *txn, MDB_dbi dbi, const char *origin,
                        uint64_t seq, size_t *len)
{
    uint8_t key[STORE_KEY_MAX];
    MDB_val d;
    assert_int_equal(store_get(txn, dbi, key, store_event_key(origin, seq, key), &d), 0);
    uint8_t *c = malloc(d.mv_size);
    memcpy(c, d.mv_data, d.mv_size);
    *len = d.mv_size;
    return c;
}

static void put_at(MDB_txn *txn, MDB_dbi dbi, const char *origin, uint64_t seq,
                   const uint8_t *bytes, size_t len)
{
    uint8_t key[STORE_KEY_MAX];
    assert_int_equal(store_put(txn, dbi, key, store_event_key(origin, seq, key), bytes, len, 0),
                     0);
}

static void del_at(MDB_txn *txn, MDB_dbi dbi, const char *origin, uint64_t seq)
{
    uint8_t key[STORE_KEY_MAX];
    assert_int_equal(store_del(txn, dbi, key, store_event_key(origin, seq, key)), 0);
}

/* ---- tests -------------------------------------------------------------------------- */

static void test_clean_store_verifies(void **state)
{
    struct test_node *f = *state;
    struct verify_report r = run(f);
    assert_int_equal(r.problem_count, 0);
    assert_int_equal(r.n_problems, 0);
    assert_int_equal(r.events, OWN + CHILD + 1);
    assert_int_equal(r.cases, OWN + CHILD + 1);
    json_t *j = verify_report_json(&r);
    char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    printf("  %s\n", text);
    assert_true(json_is_true(json_object_get(j, "ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "events_checked")), OWN + CHILD + 1);
    assert_int_equal(json_integer_value(json_object_get(j, "cases_checked")), OWN + CHILD + 1);
    assert_int_equal(json_array_size(json_object_get(j, "problems")), 0);
    free(text);
    json_decref(j);
    verify_report_free(&r);
}

/* One byte of t1-case-2's event changed ("own" -> "owN"). */
static void tamper_own(struct test_node *f, MDB_txn *txn)
{
    size_t len;
    uint8_t *c = copy_of(txn, f->st->events, "t1", 2, &len);
    uint8_t *hit = memmem(c, len, "own", 3);
    assert_non_null(hit);
    hit[2] = 'N';
    put_at(txn, f->st->events, "t1", 2, c, len);
    free(c);
}

static void test_tampered_event_is_reported(void **state)
{
    struct test_node *f = *state;
    damage(f, tamper_own);
    struct verify_report r = run(f);
    assert_true(reports(&r, "t1", 2, "t1-case-2", "bad signature"));
    assert_true(reports(&r, "t1", 3, NULL, "broken hash chain"));
    /* Nothing is blamed on the events around it. */
    assert_false(reports(&r, "t1", 1, NULL, ""));
    assert_false(reports(&r, "v1", 2, NULL, ""));
    json_t *j = verify_report_json(&r);
    assert_true(json_is_false(json_object_get(j, "ok")));
    assert_int_equal(json_integer_value(json_object_get(j, "problem_count")), r.problem_count);
    json_t *first = json_array_get(json_object_get(j, "problems"), 0);
    assert_non_null(json_object_get(first, "problem"));
    json_decref(j);
    verify_report_free(&r);
}

static void delete_child_event(struct test_node *f, MDB_txn *txn)
{
    del_at(txn, f->st->events, "v1", 2);
}

static void test_gap_is_reported(void **state)
{
    struct test_node *f = *state;
    damage(f, delete_child_event);
    struct verify_report r = run(f);
    assert_true(reports(&r, "v1", 3, NULL, "gap in sequence: expected 2"));
    assert_true(reports(&r, "v1", 3, NULL, "broken hash chain"));
    /* The case it opened is still in the views, now without its event. */
    assert_true(reports(&r, NULL, 0, "v1-case-2", "view differs from the log"));
    verify_report_free(&r);
}

/* Only the signature bytes of v1's first event changed: the chain still holds. */
static void spoil_child_signature(struct test_node *f, MDB_txn *txn)
{
    size_t len;
    uint8_t *c = copy_of(txn, f->st->events, "v1", 1, &len);
    c[len - 5] ^= 0x40;
    put_at(txn, f->st->events, "v1", 1, c, len);
    free(c);
}

static void test_bad_signature_alone_is_reported(void **state)
{
    struct test_node *f = *state;
    damage(f, spoil_child_signature);
    struct verify_report r = run(f);
    assert_int_equal(r.problem_count, 1);
    assert_true(reports(&r, "v1", 1, "v1-case-1", "bad signature"));
    verify_report_free(&r);
}

/* v1's event 1 copied over event 2. */
static void misplace_event(struct test_node *f, MDB_txn *txn)
{
    size_t len;
    uint8_t *c = copy_of(txn, f->st->events, "v1", 1, &len);
    put_at(txn, f->st->events, "v1", 2, c, len);
    free(c);
}

static void test_event_under_another_key_is_reported(void **state)
{
    struct test_node *f = *state;
    damage(f, misplace_event);
    struct verify_report r = run(f);
    assert_true(reports(&r, "v1", 2, NULL, "event stored under another key"));
    assert_true(reports(&r, "v1", 2, NULL, "broken hash chain"));
    verify_report_free(&r);
}

/* A whole chain of a node t1 does not know, slipped into `events`. */
static void foreign_chain(struct test_node *f, MDB_txn *txn)
{
        size_t len;
    uint8_t *b = test_chain_sign(&f->t.cx1, &(Jiefen__Event)JIEFEN__EVENT__INIT, &len);
    put_at(txn, f->st->events, "x1", 1, b, len);
    assert_int_equal(eventlog_head_put(f->st, txn, "x1", 1, f->t.cx1.prev), 0);
    free(b);
}

static void test_unknown_origin_is_reported(void **state)
{
    struct test_node *f = *state;
    damage(f, foreign_chain);
    struct verify_report r = run(f);
    assert_int_equal(r.problem_count, 1);
    assert_true(reports(&r, "x1", 1, NULL, "unknown origin"));
    verify_report_free(&r);
}

static void wrong_head(struct test_node *f, MDB_txn *txn)
{
    uint8_t hash[CRYPTO_HASH_LEN] = {0};
    assert_int_equal(eventlog_head_put(f->st, txn, "v1", CHILD - 1, hash), 0);
}

static void test_chain_head_record_is_checked(void **state)
{
    struct test_node *f = *state;
    damage(f, wrong_head);
    struct verify_report r = run(f);
    assert_int_equal(r.problem_count, 1);
    assert_true(reports(&r, "v1", CHILD, NULL, "chain head record differs from the log"));
    verify_report_free(&r);
}

/* The sealed parts of t1's events 1 and 2 swapped: each is a valid ciphertext of this
 * node's key, but bound to the other record. */
static void swap_sealed(struct test_node *f, MDB_txn *txn)
{
    size_t l1, l2;
    uint8_t *s1 = copy_of(txn, f->st->sealed, "t1", 1, &l1);
    uint8_t *s2 = copy_of(txn, f->st->sealed, "t1", 2, &l2);
    put_at(txn, f->st->sealed, "t1", 1, s2, l2);
    put_at(txn, f->st->sealed, "t1", 2, s1, l1);
    free(s1);
    free(s2);
}

static void test_moved_sealed_part_does_not_decrypt(void **state)
{
    struct test_node *f = *state;
    damage(f, swap_sealed);
    struct verify_report r = run(f);
    assert_int_equal(r.problem_count, 2);
    assert_true(reports(&r, "t1", 1, NULL, "sealed part does not decrypt"));
    assert_true(reports(&r, "t1", 2, NULL, "sealed part does not decrypt"));
    verify_report_free(&r);
}

static void drop_sealed(struct test_node *f, MDB_txn *txn)
{
    del_at(txn, f->st->sealed, "t1", 3);
}

static void test_missing_sealed_part_is_reported(void **state)
{
    struct test_node *f = *state;
    damage(f, drop_sealed);
    struct verify_report r = run(f);
    assert_int_equal(r.problem_count, 1);
    assert_true(reports(&r, "t1", 3, "t1-case-3", "sealed part missing"));
    verify_report_free(&r);
}

/* A case view edited in place (its summary), and a status counter off by one. */
static void edit_view(struct test_node *f, MDB_txn *txn)
{
    Jiefen__CaseView *v = NULL;
    assert_int_equal(caseindex_get(f->st, txn, "v1-case-3", &v), 0);
    assert_non_null(v);
    free(v->summary);
    v->summary = strdup("edited");
    assert_int_equal(store_put_message(txn, f->st->cases, "v1-case-3", strlen("v1-case-3"),
                                       &v->base),
                     0);
    char key[32];
    uint64_t n;
    caseindex_status_key(v->status, key);
    assert_int_equal(store_meta_get_u64(f->st, txn, key, &n), 0);
    printf("  counter %s was %llu\n", key, (unsigned long long)n);
    assert_int_equal(n, OWN + CHILD + 1);
    assert_int_equal(store_meta_put_u64(f->st, txn, key, n + 1), 0);
    case_view_free(&v);
}

static void test_edited_view_and_counter_are_reported(void **state)
{
    struct test_node *f = *state;
    damage(f, edit_view);
    struct verify_report r = run(f);
    assert_int_equal(r.problem_count, 2);
    assert_true(reports(&r, NULL, 0, "v1-case-3", "view differs from the log"));
    assert_true(reports(&r, NULL, 0, NULL, "counter "));
    verify_report_free(&r);
}

static void spoil_inbox(struct test_node *f, MDB_txn *txn)
{
    size_t len;
    uint8_t *c = copy_of(txn, f->st->inbox, "c1", 1, &len);
    c[len - 5] ^= 0x40;
    put_at(txn, f->st->inbox, "c1", 1, c, len);
    free(c);
}

static void test_inbox_event_is_verified(void **state)
{
    struct test_node *f = *state;
    damage(f, spoil_inbox);
    struct verify_report r = run(f);
    assert_int_equal(r.problem_count, 1);
    assert_true(reports(&r, "c1", 1, NULL, "bad signature"));
    verify_report_free(&r);
}

/* verify_signature on single events. */
static int sig_of(struct test_node *f, const char *origin, uint64_t seq, int tamper)
{
    MDB_txn *txn;
    MDB_val d;
    envelope *e = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_event_get(f->st, txn, origin, seq, &d), 0);
    uint8_t *c = malloc(d.mv_size);
    memcpy(c, d.mv_data, d.mv_size);
    if (tamper)
        c[d.mv_size - 5] ^= 0x40;
    assert_int_equal(envelope_decode(c, d.mv_size, &e), 0);
    int rc = verify_signature(f->st, txn, f->t.t1, "t1", e);
    envelope_free(&e);
    free(c);
    store_txn_abort(txn);
    printf("  signature of %s/%llu%s: %d\n", origin, (unsigned long long)seq,
           tamper ? " (tampered)" : "", rc);
    return rc;
}

static void revoke_v1(struct test_node *f, MDB_txn *txn)
{
    assert_int_equal(registry_revoke(f->st, txn, "v1"), 0);
}

static void forget_v1(struct test_node *f, MDB_txn *txn)
{
    uint8_t *k = (uint8_t *)"v1";
    assert_int_equal(store_del(txn, f->st->nodes, k, 2), 0);
}

static void test_verify_signature_of_one_event(void **state)
{
    struct test_node *f = *state;
    assert_int_equal(sig_of(f, "t1", 1, 0), 0);
    assert_int_equal(sig_of(f, "v1", 2, 0), 0);
    assert_int_equal(sig_of(f, "c1", 1, 0), 0); /* from the inbox */
    assert_int_equal(sig_of(f, "t1", 1, 1), JF_EBADSIG);
    assert_int_equal(sig_of(f, "v1", 2, 1), JF_EBADSIG);
    /* A revoked origin's past events still verify with its key. */
    damage(f, revoke_v1);
    assert_int_equal(sig_of(f, "v1", 2, 0), 0);
    assert_int_equal(sig_of(f, "v1", 2, 1), JF_EBADSIG);
    struct verify_report r = run(f);
    assert_int_equal(r.problem_count, 0);
    verify_report_free(&r);
    /* An origin no longer in the registry is unknown. */
    damage(f, forget_v1);
    assert_int_equal(sig_of(f, "v1", 2, 0), JF_ENOTFOUND);
}

int main(void)
{
    if (test_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, test_node_teardown)
    const struct CMUnitTest tests[] = {
        T(test_clean_store_verifies),
        T(test_tampered_event_is_reported),
        T(test_gap_is_reported),
        T(test_bad_signature_alone_is_reported),
        T(test_event_under_another_key_is_reported),
        T(test_unknown_origin_is_reported),
        T(test_chain_head_record_is_checked),
        T(test_moved_sealed_part_does_not_decrypt),
        T(test_missing_sealed_part_is_reported),
        T(test_edited_view_and_counter_are_reported),
        T(test_inbox_event_is_verified),
        T(test_verify_signature_of_one_event),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
