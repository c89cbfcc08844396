/* party (case/party.h): the tree's party key (made at the root, sealed at rest, boxed to a
 * child and installed there), keyed tags of ID numbers, the (tag, case) index and the queue
 * of openings received from other nodes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/party.h"
#include "error.h"
#include "testutil.h"

#define ID_A "11010519491231002X"
#define ID_B "110105194912310038"

/* The root c1 and its child t1, each with its own store; v2 another node. */
struct fixture {
    char dir[4096];
    store *root_st, *child_st;
    crypto_identity *root, *child, *other;
    MDB_txn *rtxn, *ctxn;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    test_tmpdir(f->dir, sizeof f->dir);
    f->root = test_identity(f->dir, "c1");
    f->child = test_identity(f->dir, "t1");
    f->other = test_identity(f->dir, "v2");
    f->root_st = test_store(f->dir, "c1");
    f->child_st = test_store(f->dir, "t1");
    assert_int_equal(store_txn_begin(f->root_st, 0, &f->rtxn), 0);
    assert_int_equal(store_txn_begin(f->child_st, 0, &f->ctxn), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_txn_abort(f->rtxn);
    store_txn_abort(f->ctxn);
    store_close(&f->root_st);
    store_close(&f->child_st);
    crypto_identity_free(&f->root);
    crypto_identity_free(&f->child);
    crypto_identity_free(&f->other);
    test_rmtree(f->dir);
    free(f);
    return 0;
}

static void print_tag(const char *what, const uint8_t tag[PARTY_TAG_LEN])
{
    char hex[2 * PARTY_TAG_LEN + 1];
    crypto_hex(tag, PARTY_TAG_LEN, hex);
    printf("  tag %s: %s\n", what, hex);
}

static void test_root_key(void **state)
{
    struct fixture *f = *state;
    uint8_t k1[PARTY_KEY_LEN], k2[PARTY_KEY_LEN], zero[PARTY_KEY_LEN] = {0};
    assert_int_equal(party_key_get(f->root_st, f->rtxn, f->root, k1), JF_ENOTFOUND);
    assert_int_equal(party_key_create(f->root_st, f->rtxn, f->root), 0);
    assert_int_equal(party_key_get(f->root_st, f->rtxn, f->root, k1), 0);
    assert_memory_not_equal(k1, zero, sizeof k1);
    /* One key per tree: a second is refused and the first stays. */
    assert_int_equal(party_key_create(f->root_st, f->rtxn, f->root), JF_EINVAL);
    assert_int_equal(party_key_get(f->root_st, f->rtxn, f->root, k2), 0);
    assert_memory_equal(k1, k2, sizeof k1);
    /* Kept sealed: the stored bytes do not hold the key, and another node's at-rest key
     * does not open them. */
    MDB_val d;
    assert_int_equal(store_get(f->rtxn, f->root_st->meta, "party_key", 9, &d), 0);
    printf("  stored %zu bytes\n", d.mv_size);
    assert_int_equal(d.mv_size, PARTY_KEY_LEN + CRYPTO_SEAL_OVERHEAD);
    assert_null(memmem(d.mv_data, d.mv_size, k1, sizeof k1));
    assert_int_equal(party_key_get(f->root_st, f->rtxn, f->other, k2), JF_ECORRUPT);
}

static void test_key_travels_boxed_to_the_child(void **state)
{
    struct fixture *f = *state;
    uint8_t rk[PARTY_KEY_LEN], ck[PARTY_KEY_LEN];
    ProtobufCBinaryData box;
    /* No key yet: an empty box, which installs nothing. */
    assert_int_equal(party_key_box(f->root_st, f->rtxn, f->root, crypto_identity_pk(f->child),
                                   &box),
                     0);
    assert_int_equal(box.len, 0);
    assert_int_equal(party_key_install(f->child_st, f->ctxn, f->child, &box), 0);
    assert_int_equal(party_key_get(f->child_st, f->ctxn, f->child, ck), JF_ENOTFOUND);

    assert_int_equal(party_key_create(f->root_st, f->rtxn, f->root), 0);
    assert_int_equal(party_key_get(f->root_st, f->rtxn, f->root, rk), 0);
    assert_int_equal(party_key_box(f->root_st, f->rtxn, f->root, crypto_identity_pk(f->child),
                                   &box),
                     0);
    printf("  box of %zu bytes\n", box.len);
    assert_true(box.len > PARTY_KEY_LEN);
    assert_null(memmem(box.data, box.len, rk, sizeof rk));

    /* Only the child it was boxed for opens it. */
    assert_int_equal(party_key_install(f->child_st, f->ctxn, f->other, &box), JF_ECRYPTO);
    assert_int_equal(party_key_get(f->child_st, f->ctxn, f->other, ck), JF_ENOTFOUND);
    /* Damaged or cut short: refused. */
    box.data[box.len / 2] ^= 1;
    assert_int_equal(party_key_install(f->child_st, f->ctxn, f->child, &box), JF_ECRYPTO);
    box.data[box.len / 2] ^= 1;
    box.len--;
    assert_int_equal(party_key_install(f->child_st, f->ctxn, f->child, &box), JF_ECRYPTO);
    box.len++;
    assert_int_equal(party_key_get(f->child_st, f->ctxn, f->child, ck), JF_ENOTFOUND);

    assert_int_equal(party_key_install(f->child_st, f->ctxn, f->child, &box), 0);
    assert_int_equal(party_key_get(f->child_st, f->ctxn, f->child, ck), 0);
    assert_memory_equal(rk, ck, sizeof rk);
    /* Both compute the same tag for the same person. */
    uint8_t t1[PARTY_TAG_LEN], t2[PARTY_TAG_LEN];
    party_tag(rk, ID_A, t1);
    party_tag(ck, ID_A, t2);
    assert_memory_equal(t1, t2, sizeof t1);
    free(box.data);

    /* A key that is not a point on the curve cannot be boxed to. */
    uint8_t junk[32];
    memset(junk, 0xff, sizeof junk);
    assert_int_equal(party_key_box(f->root_st, f->rtxn, f->root, junk, &box), JF_ECRYPTO);
    assert_null(box.data);
    assert_int_equal(box.len, 0);
}

static void test_tags(void **state)
{
    (void)state;
    uint8_t k1[PARTY_KEY_LEN], k2[PARTY_KEY_LEN];
    uint8_t a1[PARTY_TAG_LEN], a1again[PARTY_TAG_LEN], b1[PARTY_TAG_LEN], a2[PARTY_TAG_LEN];
    memset(k1, 1, sizeof k1);
    memset(k2, 2, sizeof k2);
    party_tag(k1, ID_A, a1);
    party_tag(k1, ID_A, a1again);
    party_tag(k1, ID_B, b1);
    party_tag(k2, ID_A, a2);
    print_tag("A, key 1", a1);
    print_tag("B, key 1", b1);
    print_tag("A, key 2", a2);
    assert_memory_equal(a1, a1again, PARTY_TAG_LEN);
    assert_memory_not_equal(a1, b1, PARTY_TAG_LEN);
    /* Keyed: without the tree's key, the same number gives another tag. */
    assert_memory_not_equal(a1, a2, PARTY_TAG_LEN);
    /* Not the unkeyed hash of the number. */
    uint8_t plain[CRYPTO_HASH_LEN];
    crypto_blake2b((const uint8_t *)ID_A, strlen(ID_A), plain);
    assert_memory_not_equal(a1, plain, PARTY_TAG_LEN);
}

/* An opening of case_id by origin with the given tags. */
static void fold_opening(store *st, MDB_txn *txn, const char *self, const char *origin,
                         const char *case_id, ProtobufCBinaryData *tags, size_t n)
{
    Jiefen__CaseOpened o = JIEFEN__CASE_OPENED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    o.case_id = (char *)case_id;
    o.party_tags = tags;
    o.n_party_tags = n;
    ev.origin = (char *)origin;
    ev.case_id = (char *)case_id;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    ev.case_opened = &o;
    assert_int_equal(party_fold(st, txn, self, &ev), 0);
}

struct cases {
    char ids[8][FOLD_CASE_ID_MAX + 1];
    size_t n, stop_after;
};

static int collect(const char *case_id, void *arg)
{
    struct cases *c = arg;
    snprintf(c->ids[c->n++], sizeof c->ids[0], "%s", case_id);
    printf("    %s\n", case_id);
    return c->n == c->stop_after ? 7 : 0;
}

static void test_index_and_queue(void **state)
{
    struct fixture *f = *state;
    uint8_t key[PARTY_KEY_LEN], ta[PARTY_TAG_LEN], tb[PARTY_TAG_LEN];
    memset(key, 9, sizeof key);
    party_tag(key, ID_A, ta);
    party_tag(key, ID_B, tb);
    ProtobufCBinaryData a = {PARTY_TAG_LEN, ta}, b = {PARTY_TAG_LEN, tb},
                        odd = {8, ta}, ab[] = {a, b};
    store *st = f->child_st;
    MDB_txn *txn = f->ctxn;
    /* t1's own openings are indexed; those of other nodes also queued for the rule. */
    fold_opening(st, txn, "t1", "v1", "v1-2026-000002", &a, 1);
    fold_opening(st, txn, "t1", "t1", "t1-2026-000001", ab, 2);
    fold_opening(st, txn, "t1", "v2", "v2-2026-000001", &b, 1);
    fold_opening(st, txn, "t1", "v1", "v1-2026-000001", &a, 1);
    fold_opening(st, txn, "t1", "v1", "v1-2026-000003", NULL, 0); /* no tags */
    fold_opening(st, txn, "t1", "t1", "t1-2026-000002", &odd, 1); /* not a tag of ours */

    struct cases ca = {0}, cb = {0};
    printf("  cases of A:\n");
    assert_int_equal(party_each_case(st, txn, ta, collect, &ca), 0);
    printf("  cases of B:\n");
    assert_int_equal(party_each_case(st, txn, tb, collect, &cb), 0);
    assert_int_equal(ca.n, 3);
    assert_string_equal(ca.ids[0], "t1-2026-000001");
    assert_string_equal(ca.ids[1], "v1-2026-000001");
    assert_string_equal(ca.ids[2], "v1-2026-000002");
    assert_int_equal(cb.n, 2);
    assert_string_equal(cb.ids[0], "t1-2026-000001");
    assert_string_equal(cb.ids[1], "v2-2026-000001");
    /* An unknown tag has no case; fn's non-zero stops the walk and is returned. */
    uint8_t none[PARTY_TAG_LEN] = {0};
    struct cases cn = {0}, cs = {.stop_after = 1};
    assert_int_equal(party_each_case(st, txn, none, collect, &cn), 0);
    assert_int_equal(cn.n, 0);
    assert_int_equal(party_each_case(st, txn, ta, collect, &cs), 7);
    assert_int_equal(cs.n, 1);

    /* The queue: received openings with tags, each once, then empty. */
    char id[FOLD_CASE_ID_MAX + 1];
    const char *want[] = {"v1-2026-000001", "v1-2026-000002", "v2-2026-000001"};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(party_pending_next(st, txn, id), 0);
        printf("  pending: %s\n", id);
        assert_string_equal(id, want[i]);
    }
    assert_int_equal(party_pending_next(st, txn, id), JF_ENOTFOUND);
}

int main(void)
{
    if (crypto_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_root_key),
        T(test_key_travels_boxed_to_the_child),
        cmocka_unit_test(test_tags),
        T(test_index_and_queue),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
