/* registry (log/registry.h): the nodes t1 knows, their keys, revocation, and the tree
 * questions (depth below, branch, subtree) every check of an origin relies on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "testutil.h"

/* One write transaction per test, never committed. */
static MDB_txn *txn;

static int setup(void **state)
{
    test_node_setup(state);
    struct test_node *f = *state;
    return store_txn_begin(f->st, 0, &txn);
}

static int teardown(void **state)
{
    store_txn_abort(txn);
    return test_node_teardown(state);
}

static void test_get_and_put(void **state)
{
    struct test_node *f = *state;
    Jiefen__NodeInfo *ni = NULL;
    assert_int_equal(registry_get(f->st, txn, "v1a", &ni), 0);
    assert_non_null(ni);
    printf("  v1a: name %s tier %d parent %s revoked %d\n", ni->name, ni->tier, ni->parent,
           ni->revoked);
    assert_string_equal(ni->node_id, "v1a");
    assert_string_equal(ni->name, "组");
    assert_int_equal(ni->tier, 1);
    assert_string_equal(ni->parent, "v1");
    assert_false(ni->revoked);
    assert_int_equal(ni->public_key.len, 32);
    assert_memory_equal(ni->public_key.data, crypto_identity_pk(f->t.v1a), 32);
    registry_free(&ni);
    assert_null(ni);
    registry_free(&ni); /* NULL is fine */

    /* Unknown: 0 and NULL. */
    assert_int_equal(registry_get(f->st, txn, "x1", &ni), 0);
    assert_null(ni);

    /* Put replaces (a renewed certificate: another key, another name). */
    assert_int_equal(registry_put(f->st, txn, "v1a", "新组", 1, crypto_identity_pk(f->t.x1),
                                  "v1"),
                     0);
    uint8_t pk[32];
    assert_int_equal(registry_key(f->st, txn, "v1a", pk), 0);
    assert_memory_equal(pk, crypto_identity_pk(f->t.x1), 32);
    assert_int_equal(registry_get(f->st, txn, "v1a", &ni), 0);
    assert_string_equal(ni->name, "新组");
    registry_free(&ni);
}

static void test_keys_and_revocation(void **state)
{
    struct test_node *f = *state;
    uint8_t pk[32];
    assert_int_equal(registry_key(f->st, txn, "v2", pk), 0);
    assert_memory_equal(pk, crypto_identity_pk(f->t.v2), 32);
    assert_int_equal(registry_key(f->st, txn, "x1", pk), JF_ENOTFOUND);
    /* v3 was revoked: its key is not given for new events. */
    assert_int_equal(registry_key(f->st, txn, "v3", pk), JF_EINVAL);
    assert_int_equal(registry_revoke(f->st, txn, "v2"), 0);
    assert_int_equal(registry_key(f->st, txn, "v2", pk), JF_EINVAL);
    Jiefen__NodeInfo *ni = NULL;
    assert_int_equal(registry_get(f->st, txn, "v2", &ni), 0);
    assert_true(ni->revoked);
    /* ...but the record and its key stay (past events still verify). */
    assert_memory_equal(ni->public_key.data, crypto_identity_pk(f->t.v2), 32);
    registry_free(&ni);
    assert_int_equal(registry_revoke(f->st, txn, "x1"), JF_ENOTFOUND);
    /* Revoked twice is still revoked. */
    assert_int_equal(registry_revoke(f->st, txn, "v2"), 0);
    assert_int_equal(registry_key(f->st, txn, "v2", pk), JF_EINVAL);
}

static void test_depth_below(void **state)
{
    struct test_node *f = *state;
    struct {
        const char *node, *top;
        int depth;
    } cases[] = {
        {"t1", "t1", 0},  {"v1", "t1", 1},  {"v1a", "t1", 2}, {"v1a", "c1", 3},
        {"v1a", "v1", 1}, {"v2", "v1", -1}, {"t1", "v1", -1}, {"c1", "t1", -1},
        {"x1", "t1", -1}, {"x1", "x1", 0},  {"v3", "t1", 1},
    };
    struct registry_tree rt = {f->st, txn};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        int d = registry_depth_below(f->st, txn, cases[i].node, cases[i].top);
        printf("  depth of %s below %s: %d\n", cases[i].node, cases[i].top, d);
        assert_int_equal(d, cases[i].depth);
        assert_int_equal(registry_tree_depth(&rt, cases[i].node, cases[i].top), d);
        assert_int_equal(registry_in_subtree(f->st, txn, cases[i].node, cases[i].top),
                         d >= 0);
    }
}

static void test_branch(void **state)
{
    struct test_node *f = *state;
    char below[STORE_ORIGIN_MAX + 1];
    assert_int_equal(registry_branch(f->st, txn, "v1a", "t1", below), 0);
    assert_string_equal(below, "v1");
    assert_int_equal(registry_branch(f->st, txn, "v1a", "c1", below), 0);
    assert_string_equal(below, "t1");
    assert_int_equal(registry_branch(f->st, txn, "v2", "t1", below), 0);
    assert_string_equal(below, "v2");
    assert_int_equal(registry_branch(f->st, txn, "t1", "t1", below), JF_ENOTFOUND);
    assert_int_equal(registry_branch(f->st, txn, "v2", "v1", below), JF_ENOTFOUND);
    assert_int_equal(registry_branch(f->st, txn, "x1", "t1", below), JF_ENOTFOUND);
}

static void test_parent_loop_ends(void **state)
{
    struct test_node *f = *state;
    uint8_t pk[32] = {1};
    /* A corrupt record: a and b each other's parent. The walk must end. */
    assert_int_equal(registry_put(f->st, txn, "a", "a", 1, pk, "b"), 0);
    assert_int_equal(registry_put(f->st, txn, "b", "b", 1, pk, "a"), 0);
    assert_int_equal(registry_depth_below(f->st, txn, "a", "t1"), -1);
    assert_int_equal(registry_in_subtree(f->st, txn, "a", "t1"), 0);
    /* A node that is its own parent is a root. */
    assert_int_equal(registry_put(f->st, txn, "r", "r", 3, pk, "r"), 0);
    assert_int_equal(registry_depth_below(f->st, txn, "r", "t1"), -1);
}

struct seen {
    char ids[16][STORE_ORIGIN_MAX + 1];
    int revoked[16];
    size_t n, stop_after;
};

static int collect(const Jiefen__NodeInfo *ni, void *arg)
{
    struct seen *s = arg;
    snprintf(s->ids[s->n], sizeof s->ids[s->n], "%s", ni->node_id);
    s->revoked[s->n] = ni->revoked;
    s->n++;
    return s->n == s->stop_after ? 42 : 0;
}

static void test_each_in_id_order(void **state)
{
    struct test_node *f = *state;
    struct seen s = {0};
    assert_int_equal(registry_each(f->st, txn, collect, &s), 0);
    const char *want[] = {"c1", "t1", "v1", "v1a", "v2", "v3"};
    assert_int_equal(s.n, 6);
    for (size_t i = 0; i < s.n; i++) {
        printf("  %s%s\n", s.ids[i], s.revoked[i] ? " (revoked)" : "");
        assert_string_equal(s.ids[i], want[i]);
        assert_int_equal(s.revoked[i], strcmp(want[i], "v3") == 0);
    }
    /* The callback's non-zero ends the walk and is returned. */
    struct seen part = {.stop_after = 2};
    assert_int_equal(registry_each(f->st, txn, collect, &part), 42);
    assert_int_equal(part.n, 2);
}

/* A rebuilt node (RebuildSuccession): the new key signs from from_seq, the old one below;
 * an old enrolment folded again never makes the old key current; bad rotations refused. */
static void test_succession(void **state)
{
    struct test_node *f = *state;
    const uint8_t *old = crypto_identity_pk(f->t.v1a), *new = crypto_identity_pk(f->t.x1);
    uint8_t pk[32];
    uint64_t until;
    Jiefen__NodeInfo *ni = NULL;
    assert_int_equal(registry_key_at(f->st, txn, "v1a", 5, pk, &until), 0);
    assert_memory_equal(pk, old, 32);
    assert_true(until == UINT64_MAX);
    assert_int_equal(registry_succeed(f->st, txn, "v1a", new, 41), 0);
    assert_int_equal(registry_key_at(f->st, txn, "v1a", 40, pk, &until), 0);
    assert_memory_equal(pk, old, 32);
    assert_int_equal(until, 40);
    assert_int_equal(registry_key_at(f->st, txn, "v1a", 41, pk, &until), 0);
    assert_memory_equal(pk, new, 32);
    assert_true(until == UINT64_MAX);
    assert_int_equal(registry_get(f->st, txn, "v1a", &ni), 0);
    assert_int_equal(registry_key_since(ni), 41);
    registry_free(&ni);
    /* Folded again, it changes nothing; the old key never comes back by a put. */
    assert_int_equal(registry_succeed(f->st, txn, "v1a", new, 41), 0);
    assert_int_equal(registry_put(f->st, txn, "v1a", "组", 1, old, "v1"), 0);
    assert_int_equal(registry_key(f->st, txn, "v1a", pk), 0);
    assert_memory_equal(pk, new, 32);
    assert_int_equal(registry_key_at(f->st, txn, "v1a", 3, pk, &until), 0);
    assert_memory_equal(pk, old, 32);
    /* Refused: back to a succeeded key, a start below the current key's, an unknown node. */
    assert_int_equal(registry_succeed(f->st, txn, "v1a", old, 50), JF_EINVAL);
    assert_int_equal(registry_succeed(f->st, txn, "v1a", crypto_identity_pk(f->t.v1), 30),
                     JF_EINVAL);
    assert_int_equal(registry_succeed(f->st, txn, "nobody", new, 2), JF_ENOTFOUND);
    assert_int_equal(registry_key_at(f->st, txn, "nobody", 1, pk, &until), JF_ENOTFOUND);
}

int main(void)
{
    if (crypto_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_get_and_put),
        T(test_keys_and_revocation),
        T(test_depth_below),
        T(test_branch),
        T(test_parent_loop_ends),
        T(test_each_in_id_order),
        T(test_succession),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
