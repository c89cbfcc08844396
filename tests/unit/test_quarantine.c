/* Quarantine and equivocation proofs (log/quarantine.h), at the township t1 of the test
 * tree: a proof is believed only when both envelopes are the origin's valid signatures of
 * different events under one seq; a believed proof quarantines the origin and is kept with
 * who found it; anything else changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "log/fold.h"
#include "log/quarantine.h"
#include "testutil.h"

/* Two envelopes of v1 under seq 1: different cases, both validly signed. */
struct fork {
    uint8_t *a, *b;
    size_t alen, blen;
};

static void fork_make(struct test_node *f, struct fork *k)
{
    struct test_chain other = f->t.cv1;
    k->a = test_chain_open_case(&f->t.cv1, "v1-case-1", &k->alen);
    k->b = test_chain_open_case(&other, "v1-fork-1", &k->blen);
}

static void fork_free(struct fork *k)
{
    free(k->a);
    free(k->b);
}

static Jiefen__EquivocationProof proof_of(const struct fork *k, const char *origin,
                                          uint64_t seq)
{
    Jiefen__EquivocationProof p = JIEFEN__EQUIVOCATION_PROOF__INIT;
    p.origin = (char *)origin;
    p.seq = seq;
    p.envelope_a = (ProtobufCBinaryData){k->alen, k->a};
    p.envelope_b = (ProtobufCBinaryData){k->blen, k->b};
    return p;
}

/* Folds the proof as an event of c1's (a proof that came from above or a relay) at t1. */
static int fold_proof(struct test_node *f, Jiefen__EquivocationProof *p, const char *by)
{
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.origin = (char *)by;
    ev.seq = 7;
    ev.body_case = JIEFEN__EVENT__BODY_EQUIVOCATION_PROOF;
    ev.equivocation_proof = p;
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    int rc = fold_apply(f->st, txn, "t1", &ev);
    assert_int_equal(store_txn_commit(txn), 0);
    return rc;
}

static int quarantined(struct test_node *f, const char *origin)
{
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    int q = quarantine_is(f->st, txn, origin);
    store_txn_abort(txn);
    return q;
}

struct seen {
    int n;
    char origin[33], by[33];
    uint64_t seq;
    int64_t time_ms;
};

static int see(const Jiefen__EquivocationRecord *r, void *arg)
{
    struct seen *s = arg;
    s->n++;
    snprintf(s->origin, sizeof s->origin, "%s", r->proof->origin);
    snprintf(s->by, sizeof s->by, "%s", r->detected_by);
    s->seq = r->proof->seq;
    s->time_ms = r->time_ms;
    return 0;
}

static struct seen proofs(struct test_node *f)
{
    struct seen s = {0};
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(quarantine_each(f->st, txn, see, &s), 0);
    store_txn_abort(txn);
    printf("  proofs kept: %d (last: %s/%llu found by %s)\n", s.n, s.origin,
           (unsigned long long)s.seq, s.by);
    return s;
}

static void test_valid_proof_quarantines_and_is_kept(void **state)
{
    struct test_node *f = *state;
    struct fork k;
    fork_make(f, &k);
    Jiefen__EquivocationProof p = proof_of(&k, "v1", 1);
    assert_false(quarantined(f, "v1"));
    assert_int_equal(fold_proof(f, &p, "v2"), 0);
    assert_true(quarantined(f, "v1"));
    struct seen s = proofs(f);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.origin, "v1");
    assert_int_equal(s.seq, 1);
    assert_string_equal(s.by, "v2");
    assert_true(s.time_ms > 0);
    /* The same proof again, from another node: the first finder stays on record. */
    assert_int_equal(fold_proof(f, &p, "c1"), 0);
    s = proofs(f);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.by, "v2");
    /* Clearing the quarantine keeps the evidence. */
    assert_int_equal(quarantine_clear(f->st, "v1"), 0);
    assert_false(quarantined(f, "v1"));
    assert_int_equal(quarantine_clear(f->st, "v1"), JF_ENOTFOUND);
    assert_int_equal(proofs(f).n, 1);
    fork_free(&k);
}

static void test_proof_with_bad_signature_is_ignored(void **state)
{
    struct test_node *f = *state;
    struct fork k;
    fork_make(f, &k);
    k.b[k.blen - 5] ^= 0x40; /* b's signature */
    Jiefen__EquivocationProof p = proof_of(&k, "v1", 1);
    assert_int_equal(fold_proof(f, &p, "v2"), JF_EINVAL);
    assert_false(quarantined(f, "v1"));
    assert_int_equal(proofs(f).n, 0);
    fork_free(&k);
}

static void test_proofs_that_prove_nothing_are_ignored(void **state)
{
    struct test_node *f = *state;
    struct fork k, other;
    fork_make(f, &k);
    const char *why;
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    /* The same event twice. */
    Jiefen__EquivocationProof p = proof_of(&k, "v1", 1);
    p.envelope_b = p.envelope_a;
    assert_int_equal(quarantine_check(f->st, txn, &p, &why), JF_EINVAL);
    printf("  same event twice: %s\n", why);
    assert_string_equal(why, "the two envelopes hold the same event");
    /* Another seq than the envelopes'. */
    p = proof_of(&k, "v1", 2);
    assert_int_equal(quarantine_check(f->st, txn, &p, &why), JF_EINVAL);
    assert_string_equal(why, "an envelope is of another origin or seq");
    /* Blaming v2 with v1's events. */
    p = proof_of(&k, "v2", 1);
    assert_int_equal(quarantine_check(f->st, txn, &p, &why), JF_EINVAL);
    /* Signed by someone else under v1's name. */
    struct test_chain forged = {f->t.v2, "v1", 0, {0}};
    other.a = k.a, other.alen = k.alen;
    other.b = test_chain_open_case(&forged, "v1-forged", &other.blen);
    p = proof_of(&other, "v1", 1);
    assert_int_equal(quarantine_check(f->st, txn, &p, &why), JF_EINVAL);
    assert_string_equal(why, "an envelope is not signed by the origin");
    /* Bytes that are no envelope; an origin this node never heard of. */
    p = proof_of(&k, "v1", 1);
    p.envelope_b = (ProtobufCBinaryData){3, (uint8_t *)"\xff\xff\xff"};
    assert_int_equal(quarantine_check(f->st, txn, &p, &why), JF_EINVAL);
    assert_string_equal(why, "an envelope does not decode");
    p = proof_of(&k, "x1", 1);
    assert_int_equal(quarantine_check(f->st, txn, &p, &why), JF_EINVAL);
    assert_string_equal(why, "the origin is unknown or revoked here");
    /* And the good one checks. */
    p = proof_of(&k, "v1", 1);
    assert_int_equal(quarantine_check(f->st, txn, &p, &why), 0);
    store_txn_abort(txn);
    free(other.b);
    fork_free(&k);
    assert_false(quarantined(f, "v1"));
}

/* A proof found here is marked for this node's log: quarantine_detected keeps it and
 * quarantines at once. */
static void test_detected_proof_is_kept_and_quarantines(void **state)
{
    struct test_node *f = *state;
    struct fork k;
    fork_make(f, &k);
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(quarantine_detected(f->st, txn, "t1", "v1", 1, k.a, k.alen, k.b, k.blen),
                     0);
    assert_int_equal(store_txn_commit(txn), 0);
    assert_true(quarantined(f, "v1"));
    struct seen s = proofs(f);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.by, "t1");
    fork_free(&k);
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        TEST_NODE(test_valid_proof_quarantines_and_is_kept),
        TEST_NODE(test_proof_with_bad_signature_is_ignored),
        TEST_NODE(test_proofs_that_prove_nothing_are_ignored),
        TEST_NODE(test_detected_proof_is_kept_and_quarantines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
