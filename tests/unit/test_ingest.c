/* Applying batches that arrive over a link (log/ingest.h): a township t1 receives up
 * batches from its village v1 (and v1's subtree) and down batches from its county c1.
 * Checks what is applied, what is refused and why, and that a refusal changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/agenda.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "error.h"
#include "log/eventlog.h"
#include "log/fold.h"
#include "log/ingest.h"
#include "log/quarantine.h"
#include "log/registry.h"
#include "testutil.h"

/* A batch of envelope bytes the test fills in and frees. */
struct batch {
    ProtobufCBinaryData env[64];
    size_t n;
};

static void add(struct batch *b, uint8_t *bytes, size_t len)
{
    assert_true(b->n < 64);
    b->env[b->n++] = (ProtobufCBinaryData){len, bytes};
}

/* Opens case "<origin>-case-<seq>" as the chain's next event and adds it to b. */
static void add_case(struct batch *b, struct test_chain *c)
{
    char id[64];
    size_t len;
    snprintf(id, sizeof id, "%s-case-%llu", c->origin, (unsigned long long)(c->seq + 1));
    uint8_t *bytes = test_chain_open_case(c, id, &len);
    add(b, bytes, len);
}

static void batch_free(struct batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        free(b->env[i].data);
    b->n = 0;
}

static void print_result(const char *what, int rc, const struct ingest_result *r)
{
    printf("  %s: rc %d, applied %u, duplicates %u, rejected", what, rc, r->applied,
           r->duplicates);
    for (int i = 0; i < REJ_COUNT; i++)
        if (r->rejected[i])
            printf(" %s=%u", ingest_reason_name(i), r->rejected[i]);
    printf("\n");
}

static unsigned rejected_total(const struct ingest_result *r)
{
    unsigned n = 0;
    for (int i = 0; i < REJ_COUNT; i++)
        n += r->rejected[i];
    return n;
}

static int up(struct test_node *f, const char *child, struct batch *b, struct ingest_result *r)
{
    Jiefen__UpBatch ub = JIEFEN__UP_BATCH__INIT;
    ub.envelopes = b->env;
    ub.n_envelopes = b->n;
    int rc = ingest_up(f->st, "t1", child, &ub, r);
    print_result("up", rc, r);
    return rc;
}

static int down(struct test_node *f, uint64_t first, struct batch *b, struct ingest_result *r)
{
    Jiefen__DownBatch db = JIEFEN__DOWN_BATCH__INIT;
    db.first_qseq = first;
    db.envelopes = b->env;
    db.n_envelopes = b->n;
    int rc = ingest_down(f->st, "t1", &db, r);
    print_result("down", rc, r);
    printf("  down cursor %llu\n", (unsigned long long)r->down_cursor);
    return rc;
}

/* The head t1 records for origin. */
static uint64_t head(struct test_node *f, const char *origin)
{
    MDB_txn *txn;
    uint64_t seq;
    uint8_t hash[CRYPTO_HASH_LEN];
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(eventlog_head(f->st, txn, origin, &seq, hash), 0);
    store_txn_abort(txn);
    printf("  head of %s: %llu\n", origin, (unsigned long long)seq);
    return seq;
}

/* 1 if t1 holds a view of the case. */
static int has_case(struct test_node *f, const char *case_id)
{
    Jiefen__CaseView *v = test_case_view(f->st, case_id);
    int has = v != NULL;
    case_view_free(&v);
    return has;
}

/* 1 if event (origin, seq) is stored in t1's `events`. */
static int stored(struct test_node *f, const char *origin, uint64_t seq)
{
    MDB_txn *txn;
    MDB_val d;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    int rc = store_event_get(f->st, txn, origin, seq, &d);
    store_txn_abort(txn);
    return rc == 0;
}

static int quarantined(struct test_node *f, const char *origin)
{
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    int q = quarantine_is(f->st, txn, origin);
    store_txn_abort(txn);
    return q;
}

static int count_proof(const Jiefen__EquivocationRecord *rec, void *arg)
{
    (void)rec;
    ++*(int *)arg;
    return 0;
}

static int proofs(struct test_node *f)
{
    MDB_txn *txn;
    int n = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(quarantine_each(f->st, txn, count_proof, &n), 0);
    store_txn_abort(txn);
    return n;
}

/* ---- up ----------------------------------------------------------------------------- */

static void test_reason_names(void **state)
{
    (void)state;
    assert_string_equal(ingest_reason_name(REJ_GAP), "gap");
    assert_string_equal(ingest_reason_name(REJ_CHAIN), "broken_chain");
    assert_string_equal(ingest_reason_name(REJ_SIGNATURE), "bad_signature");
    assert_string_equal(ingest_reason_name(REJ_EQUIVOCATION), "equivocation");
    assert_string_equal(ingest_reason_name(REJ_FOREIGN), "foreign_origin");
    assert_string_equal(ingest_reason_name(REJ_REVOKED), "revoked_origin");
    assert_string_equal(ingest_reason_name(-1), "unknown");
    assert_string_equal(ingest_reason_name(REJ_COUNT), "unknown");
}

static void test_valid_chain_applies_and_folds(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    for (int i = 0; i < 5; i++)
        add_case(&b, &f->t.cv1);
    /* The grandchild's events come up the same link, as a second run. */
    add_case(&b, &f->t.cv1a);
    add_case(&b, &f->t.cv1a);
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.applied, 7);
    assert_int_equal(r.duplicates, 0);
    assert_int_equal(rejected_total(&r), 0);
    assert_int_equal(head(f, "v1"), 5);
    assert_int_equal(head(f, "v1a"), 2);
    assert_true(has_case(f, "v1-case-1"));
    assert_true(has_case(f, "v1-case-5"));
    assert_true(has_case(f, "v1a-case-2"));
    batch_free(&b);

    /* The next batch continues the chain. */
    add_case(&b, &f->t.cv1);
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.applied, 1);
    assert_int_equal(head(f, "v1"), 6);
    batch_free(&b);
}

static void test_resent_batch_is_harmless(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    for (int i = 0; i < 3; i++)
        add_case(&b, &f->t.cv1);
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.applied, 3);
    /* The same bytes again (the ack was lost), and one new event after them. */
    add_case(&b, &f->t.cv1);
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.duplicates, 3);
    assert_int_equal(r.applied, 1);
    assert_int_equal(rejected_total(&r), 0);
    assert_int_equal(head(f, "v1"), 4);
    assert_false(quarantined(f, "v1"));
    batch_free(&b);
}

static void test_gap_is_refused(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0}, lost = {0};
    struct ingest_result r;
    add_case(&b, &f->t.cv1);
    assert_int_equal(up(f, "v1", &b, &r), 0);
    batch_free(&b);
    add_case(&lost, &f->t.cv1); /* seq 2 never arrives */
    add_case(&b, &f->t.cv1);    /* seq 3 */
    add_case(&b, &f->t.cv1);    /* seq 4 */
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.applied, 0);
    assert_int_equal(r.rejected[REJ_GAP], 1);
    assert_int_equal(head(f, "v1"), 1);
    assert_false(stored(f, "v1", 3));
    assert_false(has_case(f, "v1-case-3"));
    /* A gap is a lost message, not an attack: once seq 2 comes, all goes in. */
    assert_false(quarantined(f, "v1"));
    add(&lost, b.env[0].data, b.env[0].len);
    add(&lost, b.env[1].data, b.env[1].len);
    b.n = 0;
    assert_int_equal(up(f, "v1", &lost, &r), 0);
    assert_int_equal(r.applied, 3);
    assert_int_equal(head(f, "v1"), 4);
    batch_free(&lost);
}

static void test_first_event_must_be_seq_one(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0}, first = {0};
    struct ingest_result r;
    add_case(&first, &f->t.cv2);
    add_case(&b, &f->t.cv2);
    assert_int_equal(up(f, "v2", &b, &r), 0);
    assert_int_equal(r.applied, 0);
    assert_int_equal(r.rejected[REJ_GAP], 1);
    assert_int_equal(head(f, "v2"), 0);
    batch_free(&b);
    batch_free(&first);
}

static void test_broken_hash_link_is_refused(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    add_case(&b, &f->t.cv1);
    add_case(&b, &f->t.cv1);
    /* Seq 3 properly signed by v1 but naming some other event as its predecessor. */
    memset(f->t.cv1.prev, 0xab, sizeof f->t.cv1.prev);
    add_case(&b, &f->t.cv1);
    add_case(&b, &f->t.cv1);
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.applied, 2);
    assert_int_equal(r.rejected[REJ_CHAIN], 1);
    assert_int_equal(head(f, "v1"), 2);
    assert_false(stored(f, "v1", 3));
    assert_false(has_case(f, "v1-case-3"));
    batch_free(&b);
}

/* Flips a byte inside the signature of an Envelope's bytes (the last bytes of its
 * encoding: field 2, 64 bytes). */
static void spoil_signature(ProtobufCBinaryData *env)
{
    env->data[env->len - 10] ^= 0x01;
}

static void test_bad_signature_is_refused(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    for (int i = 0; i < 3; i++)
        add_case(&b, &f->t.cv1);
    spoil_signature(&b.env[2]); /* the newest, the one checked for the run */
    assert_int_equal(up(f, "v1", &b, &r), 0);
    /* The two before it verify one by one and go in; the bad one does not. */
    assert_int_equal(r.applied, 2);
    assert_int_equal(r.rejected[REJ_SIGNATURE], 1);
    assert_int_equal(head(f, "v1"), 2);
    assert_false(stored(f, "v1", 3));
    assert_false(has_case(f, "v1-case-3"));
    batch_free(&b);
}

static void test_event_signed_by_another_key_is_refused(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    /* v2 signs events that claim to be v1's and sends them on v1's link. */
    struct test_chain forged = {.id = f->t.v2, .origin = "v1"};
    add_case(&b, &forged);
    add_case(&b, &forged);
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.applied, 0);
    assert_int_equal(r.rejected[REJ_SIGNATURE], 2); /* each is tried, each refused */
    assert_int_equal(head(f, "v1"), 0);
    assert_false(has_case(f, "v1-case-1"));
    batch_free(&b);
}

static void test_unknown_and_foreign_origins_are_refused(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    add_case(&b, &f->t.cx1); /* a node t1 does not know */
    add_case(&b, &f->t.cv2); /* known, but v2 is not in v1's subtree */
    add_case(&b, &f->t.cc1); /* t1's parent, never sent up by a child */
    add_case(&b, &f->t.ct1); /* t1's own log does not come back to it */
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.applied, 0);
    assert_int_equal(r.rejected[REJ_FOREIGN], 4);
    assert_int_equal(head(f, "t1"), 0);
    assert_int_equal(head(f, "x1"), 0);
    assert_int_equal(head(f, "v2"), 0);
    assert_int_equal(head(f, "c1"), 0);
    /* The same v2 event on v2's own link is fine. */
    struct batch own = {0};
    add(&own, b.env[1].data, b.env[1].len);
    assert_int_equal(up(f, "v2", &own, &r), 0);
    assert_int_equal(r.applied, 1);
    assert_int_equal(head(f, "v2"), 1);
    batch_free(&b);
}

static void test_revoked_origin_is_refused(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    add_case(&b, &f->t.cv3);
    assert_int_equal(up(f, "v3", &b, &r), 0);
    assert_int_equal(r.applied, 0);
    assert_int_equal(r.rejected[REJ_REVOKED], 1);
    assert_int_equal(head(f, "v3"), 0);
    assert_false(has_case(f, "v3-case-1"));
    batch_free(&b);
}

static void test_undecodable_envelope_is_refused(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    uint8_t *junk = malloc(7);
    memcpy(junk, "\xff\xff\xff\xff\xff\xff\xff", 7);
    add(&b, junk, 7);
    add_case(&b, &f->t.cv1);
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.rejected[REJ_UNDECODABLE], 1);
    assert_int_equal(r.applied, 1);
    assert_int_equal(head(f, "v1"), 1);
    batch_free(&b);
}

static void test_equivocation_quarantines_origin(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0}, other = {0};
    struct ingest_result r;
    add_case(&b, &f->t.cv1);
    add_case(&b, &f->t.cv1);
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.applied, 2);
    /* v1 signs a different seq 2 (a fork of its own log). */
    struct test_chain fork = f->t.cv1;
    fork.seq = 1;
    {
        MDB_txn *txn;
        MDB_val d;
        envelope *e = NULL;
        assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
        assert_int_equal(store_event_get(f->st, txn, "v1", 1, &d), 0);
        assert_int_equal(envelope_decode(d.mv_data, d.mv_size, &e), 0);
        memcpy(fork.prev, e->hash, sizeof fork.prev);
        envelope_free(&e);
        store_txn_abort(txn);
    }
    size_t len;
    uint8_t *forked = test_chain_open_case(&fork, "v1-fork", &len);
    add(&other, forked, len);
    assert_int_equal(up(f, "v1", &other, &r), 0);
    assert_int_equal(r.rejected[REJ_EQUIVOCATION], 1);
    assert_int_equal(r.applied, 0);
    assert_true(quarantined(f, "v1"));
    assert_int_equal(proofs(f), 1);
    assert_false(has_case(f, "v1-fork"));
    assert_true(has_case(f, "v1-case-2"));

    /* Until an operator clears it, even good events of v1 are refused. */
    batch_free(&other);
    add_case(&other, &f->t.cv1);
    assert_int_equal(up(f, "v1", &other, &r), 0);
    assert_int_equal(r.applied, 0);
    assert_int_equal(r.rejected[REJ_QUARANTINED], 1);
    assert_int_equal(head(f, "v1"), 2);
    /* Others are not affected. */
    struct batch w = {0};
    add_case(&w, &f->t.cv2);
    assert_int_equal(up(f, "v2", &w, &r), 0);
    assert_int_equal(r.applied, 1);
    batch_free(&w);

    assert_int_equal(quarantine_clear(f->st, "v1"), 0);
    assert_false(quarantined(f, "v1"));
    assert_int_equal(quarantine_clear(f->st, "v1"), JF_ENOTFOUND);
    assert_int_equal(up(f, "v1", &other, &r), 0);
    assert_int_equal(r.applied, 1);
    assert_int_equal(head(f, "v1"), 3);
    batch_free(&other);
    batch_free(&b);
}

/* A corrupt copy of an event t1 holds (its signature garbled on the way, or forged by a
 * relay) is refused as badly signed; it says nothing about v1, whose next events apply. */
static void test_corrupt_copy_of_known_event_changes_nothing(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0}, bad = {0}, next = {0};
    struct ingest_result r;
    add_case(&b, &f->t.cv1);
    add_case(&b, &f->t.cv1);
    assert_int_equal(up(f, "v1", &b, &r), 0);
    assert_int_equal(r.applied, 2);
    /* The same signature over other event bytes (a case id changed on the way). */
    uint8_t *copy = malloc(b.env[1].len);
    memcpy(copy, b.env[1].data, b.env[1].len);
    size_t at = 0;
    while (at + 9 <= b.env[1].len && memcmp(copy + at, "v1-case-2", 9))
        at++;
    assert_true(at + 9 <= b.env[1].len);
    copy[at + 8] = '9';
    add(&bad, copy, b.env[1].len);
    assert_int_equal(up(f, "v1", &bad, &r), 0);
    assert_int_equal(r.rejected[REJ_SIGNATURE], 1);
    assert_int_equal(r.rejected[REJ_EQUIVOCATION], 0);
    assert_false(quarantined(f, "v1"));
    /* A copy whose event bytes were changed and re-signed by another key: the same. */
    struct test_chain forged = {f->t.v2, "v1", 1, {0}};
    memcpy(forged.prev, f->t.cv1.prev, sizeof forged.prev); /* any prev: it is not linked */
    size_t len;
    uint8_t *forgery = test_chain_open_case(&forged, "v1-forged", &len);
    add(&bad, forgery, len);
    assert_int_equal(up(f, "v1", &bad, &r), 0);
    assert_int_equal(r.rejected[REJ_SIGNATURE], 2);
    assert_false(quarantined(f, "v1"));
    assert_false(has_case(f, "v1-forged"));
    assert_false(has_case(f, "v1-case-9"));
    /* Only the signature garbled: the same event (its hash is of the event bytes), a
     * harmless duplicate. */
    batch_free(&bad);
    copy = malloc(b.env[1].len);
    memcpy(copy, b.env[1].data, b.env[1].len);
    copy[b.env[1].len - 5] ^= 0x40;
    add(&bad, copy, b.env[1].len);
    assert_int_equal(up(f, "v1", &bad, &r), 0);
    assert_int_equal(r.duplicates, 1);
    assert_int_equal(rejected_total(&r), 0);
    add_case(&next, &f->t.cv1);
    assert_int_equal(up(f, "v1", &next, &r), 0);
    assert_int_equal(r.applied, 1);
    assert_int_equal(head(f, "v1"), 3);
    batch_free(&b);
    batch_free(&bad);
    batch_free(&next);
}

/* A batch too big for the map: nothing of it is applied; after store_grow() it all is. */
static void test_map_full_applies_nothing(void **state)
{
    struct test_node *f = *state;
    char summary[4001];
    store *small = test_small_store(f->dir, &f->t);
    memset(summary, 'x', sizeof summary - 1);
    summary[sizeof summary - 1] = 0;
    struct batch b = {0};
    for (int i = 0; i < 64; i++) {
        Jiefen__CaseOpened o;
        Jiefen__Event ev;
        char id[32];
        size_t len;
        snprintf(id, sizeof id, "v1-big-%d", i);
        test_case_opened(&ev, &o, id, 1767225600000LL);
        o.summary = summary;
        uint8_t *bytes = test_chain_sign(&f->t.cv1, &ev, &len);
        add(&b, bytes, len);
    }
    Jiefen__UpBatch ub = JIEFEN__UP_BATCH__INIT;
    ub.envelopes = b.env;
    ub.n_envelopes = b.n;
    struct ingest_result r;
    int rc = ingest_up(small, "t1", "v1", &ub, &r);
    print_result("up into a 1 MiB map", rc, &r);
    assert_int_equal(rc, MDB_MAP_FULL);
    assert_int_equal(r.applied, 0);
    uint64_t seq;
    uint8_t hash[CRYPTO_HASH_LEN];
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(small, MDB_RDONLY, &txn), 0);
    assert_int_equal(eventlog_head(small, txn, "v1", &seq, hash), 0);
    store_txn_abort(txn);
    assert_int_equal(seq, 0);
    while (rc == MDB_MAP_FULL) {
        assert_int_equal(store_grow(small), 0);
        rc = ingest_up(small, "t1", "v1", &ub, &r);
        print_result("after growing", rc, &r);
    }
    assert_int_equal(rc, 0);
    assert_int_equal(r.applied, 64);
    store_close(&small);
    batch_free(&b);
}

/* Batches that arrived together go in as one transaction: each sees what the ones before
 * it applied (a continued chain, a resent event), and the result adds them up. */
static void test_batches_together_apply_in_order(void **state)
{
    struct test_node *f = *state;
    struct batch b[3], lost = {0};
    struct ingest_result r;
    memset(b, 0, sizeof b);
    for (int i = 0; i < 3; i++)
        add_case(&b[0], &f->t.cv1);                 /* seq 1..3 */
    add(&b[1], b[0].env[2].data, b[0].env[2].len);  /* seq 3 again: a duplicate */
    add_case(&b[1], &f->t.cv1);                     /* seq 4 continues batch 0's chain */
    add_case(&b[1], &f->t.cv1a);                    /* the grandchild's first */
    add_case(&lost, &f->t.cv1);                     /* seq 5 never arrives */
    add_case(&b[2], &f->t.cv1);                     /* seq 6: a gap */
    Jiefen__UpBatch ub[3] = {JIEFEN__UP_BATCH__INIT, JIEFEN__UP_BATCH__INIT,
                             JIEFEN__UP_BATCH__INIT};
    const Jiefen__UpBatch *list[3];
    for (int i = 0; i < 3; i++) {
        ub[i].envelopes = b[i].env;
        ub[i].n_envelopes = b[i].n;
        list[i] = &ub[i];
    }
    int rc = ingest_up_many(f->st, "t1", "v1", list, 3, &r);
    print_result("three batches", rc, &r);
    assert_int_equal(rc, 0);
    assert_int_equal(r.applied, 5);
    assert_int_equal(r.duplicates, 1);
    assert_int_equal(r.rejected[REJ_GAP], 1);
    assert_int_equal(rejected_total(&r), 1);
    assert_int_equal(head(f, "v1"), 4);
    assert_int_equal(head(f, "v1a"), 1);
    assert_true(has_case(f, "v1-case-4"));
    assert_false(stored(f, "v1", 6));
    b[1].env[0].data = NULL; /* batch 0's, freed with it */
    for (int i = 0; i < 3; i++)
        batch_free(&b[i]);
    batch_free(&lost);
}

/* t1's count of open cases, and its 待办 journal's subjects after `after` into subj. */
static uint64_t open_count(struct test_node *f)
{
    MDB_txn *txn;
    char key[32];
    uint64_t n;
    caseindex_status_key(CASE_STATUS(OPEN), key);
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_meta_get_u64(f->st, txn, key, &n), 0);
    store_txn_abort(txn);
    return n;
}

struct subjects {
    char s[8][AGENDA_SUBJECT_MAX + 1];
    size_t n;
};

static int note_subject(const struct agenda_change *ch, void *arg)
{
    struct subjects *j = arg;
    if (j->n < 8)
        snprintf(j->s[j->n++], sizeof j->s[0], "%s", ch->subject);
    return 0;
}

static uint64_t journal_after(struct test_node *f, uint64_t after, struct subjects *j)
{
    MDB_txn *txn;
    uint64_t last, first;
    j->n = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(agenda_changes(f->st, txn, after, note_subject, j, &last, &first), 0);
    store_txn_abort(txn);
    return last;
}

/* The counters a group's folds move, gathered in its transaction (tally.h), are in the
 * store after its commit as moving them case by case would leave them: the open cases
 * counted, and one 待办 journal entry per case, numbered on from the last, in order. */
static void test_a_group_moves_its_counters_as_one_by_one(void **state)
{
    struct test_node *f = *state;
    struct batch b[2];
    struct subjects j;
    struct ingest_result r;
    memset(b, 0, sizeof b);
    uint64_t open0 = open_count(f), last0 = journal_after(f, 0, &j);
    for (int i = 0; i < 3; i++)
        add_case(&b[0], &f->t.cv1);
    add_case(&b[1], &f->t.cv1);
    add_case(&b[1], &f->t.cv1a);
    Jiefen__UpBatch ub[2] = {JIEFEN__UP_BATCH__INIT, JIEFEN__UP_BATCH__INIT};
    const Jiefen__UpBatch *list[2] = {&ub[0], &ub[1]};
    for (int i = 0; i < 2; i++)
        ub[i].envelopes = b[i].env, ub[i].n_envelopes = b[i].n;
    assert_int_equal(ingest_up_many(f->st, "t1", "v1", list, 2, &r), 0);
    assert_int_equal(r.applied, 5);
    assert_int_equal(open_count(f), open0 + 5);
    assert_int_equal(journal_after(f, last0, &j), last0 + 5);
    assert_int_equal(j.n, 5);
    const char *want[] = {"v1-case-1", "v1-case-2", "v1-case-3", "v1-case-4", "v1a-case-1"};
    for (size_t i = 0; i < 5; i++)
        assert_string_equal(j.s[i], want[i]);
    for (int i = 0; i < 2; i++)
        batch_free(&b[i]);

    /* The next group, a transaction of its own, counts on from what was committed. */
    add_case(&b[0], &f->t.cv1);
    assert_int_equal(up(f, "v1", &b[0], &r), 0);
    assert_int_equal(open_count(f), open0 + 6);
    assert_int_equal(journal_after(f, last0 + 5, &j), last0 + 6);
    assert_string_equal(j.s[0], "v1-case-5");
    batch_free(&b[0]);
}

/* ---- down --------------------------------------------------------------------------- */

static void test_down_applies_in_queue_order(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    /* Items of c1's queue for t1: c1's events, seq not dense here (c1 keeps most to
     * itself), qseq dense. */
    add_case(&b, &f->t.cc1);
    f->t.cc1.seq += 5;
    add_case(&b, &f->t.cc1);
    assert_int_equal(down(f, 1, &b, &r), 0);
    assert_int_equal(r.applied, 2);
    assert_int_equal(r.down_cursor, 2);
    assert_true(has_case(f, "c1-case-1"));
    assert_true(has_case(f, "c1-case-7"));
    /* Kept in the inbox, not in `events` (t1 does not hold c1's chain). */
    MDB_txn *txn;
    MDB_val d;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    uint64_t cursor;
    assert_int_equal(store_meta_get_u64(f->st, txn, "down_cursor", &cursor), 0);
    assert_int_equal(cursor, 2);
    uint8_t key[STORE_KEY_MAX];
    assert_int_equal(store_get(txn, f->st->inbox, key, store_event_key("c1", 7, key), &d), 0);
    store_txn_abort(txn);

    /* The same items again: duplicates, cursor unchanged. */
    assert_int_equal(down(f, 1, &b, &r), 0);
    assert_int_equal(r.applied, 0);
    assert_int_equal(r.duplicates, 2);
    assert_int_equal(r.down_cursor, 2);
    batch_free(&b);
}

static void test_down_gap_stops_batch(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    add_case(&b, &f->t.cc1);
    assert_int_equal(down(f, 3, &b, &r), 0); /* qseq 1 and 2 never came */
    assert_int_equal(r.applied, 0);
    assert_int_equal(r.rejected[REJ_GAP], 1);
    assert_int_equal(r.down_cursor, 0);
    assert_false(has_case(f, "c1-case-1"));
    batch_free(&b);
}

static void test_down_refusals_are_skipped(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0};
    struct ingest_result r;
    add_case(&b, &f->t.cc1);              /* qseq 1: bad signature */
    spoil_signature(&b.env[0]);
    add_case(&b, &f->t.cv1);              /* qseq 2: a child's event does not come down */
    add_case(&b, &f->t.cx1);              /* qseq 3: unknown */
    add_case(&b, &f->t.ct1);                /* qseq 4: t1's own, not an ancestor's */
    add_case(&b, &f->t.cc1);              /* qseq 5: fine */
    assert_int_equal(down(f, 1, &b, &r), 0);
    assert_int_equal(r.rejected[REJ_SIGNATURE], 1);
    assert_int_equal(r.rejected[REJ_FOREIGN], 3);
    assert_int_equal(r.applied, 1);
    /* A refused item is skipped: the queue goes on past it. */
    assert_int_equal(r.down_cursor, 5);
    assert_false(has_case(f, "c1-case-1"));
    assert_false(has_case(f, "v1-case-1"));
    assert_false(has_case(f, "t1-case-1"));
    assert_true(has_case(f, "c1-case-2"));
    batch_free(&b);
}

static void test_down_equivocation_quarantines(void **state)
{
    struct test_node *f = *state;
    struct batch b = {0}, fork = {0};
    struct ingest_result r;
    struct test_chain again = f->t.cc1;
    add_case(&b, &f->t.cc1);
    assert_int_equal(down(f, 1, &b, &r), 0);
    assert_int_equal(r.applied, 1);
    /* The same (c1, 1) resent under a later qseq is harmless. */
    assert_int_equal(down(f, 2, &b, &r), 0);
    assert_int_equal(r.duplicates, 1);
    assert_int_equal(rejected_total(&r), 0);
    assert_false(quarantined(f, "c1"));
    /* Other bytes under (c1, 1). */
    size_t len;
    uint8_t *forked = test_chain_open_case(&again, "c1-fork", &len);
    add(&fork, forked, len);
    assert_int_equal(down(f, 3, &fork, &r), 0);
    assert_int_equal(r.rejected[REJ_EQUIVOCATION], 1);
    assert_int_equal(r.applied, 0);
    assert_true(quarantined(f, "c1"));
    assert_int_equal(proofs(f), 1);
    assert_false(has_case(f, "c1-fork"));
    batch_free(&fork);
    add_case(&fork, &f->t.cc1);
    assert_int_equal(down(f, 4, &fork, &r), 0);
    assert_int_equal(r.rejected[REJ_QUARANTINED], 1);
    assert_int_equal(r.down_cursor, 4);
    batch_free(&fork);
    batch_free(&b);
}

int main(void)
{
    if (test_init())
        return 1;
#define T TEST_NODE
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reason_names),
        T(test_valid_chain_applies_and_folds),
        T(test_resent_batch_is_harmless),
        T(test_gap_is_refused),
        T(test_first_event_must_be_seq_one),
        T(test_broken_hash_link_is_refused),
        T(test_bad_signature_is_refused),
        T(test_event_signed_by_another_key_is_refused),
        T(test_unknown_and_foreign_origins_are_refused),
        T(test_revoked_origin_is_refused),
        T(test_undecodable_envelope_is_refused),
        T(test_equivocation_quarantines_origin),
        T(test_corrupt_copy_of_known_event_changes_nothing),
        T(test_map_full_applies_nothing),
        T(test_batches_together_apply_in_order),
        T(test_a_group_moves_its_counters_as_one_by_one),
        T(test_down_applies_in_queue_order),
        T(test_down_gap_stops_batch),
        T(test_down_refusals_are_skipped),
        T(test_down_equivocation_quarantines),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
