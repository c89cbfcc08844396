/* Directives down the tree (交办, 督办, 通知, rule 10) as the township t1 folds them (the
 * test tree of testutil.h: c1 over t1 over v1 (v1a below it), v2 and v3 (revoked); x1
 * unknown): a directive lists every node known here that it addresses (its targets; with
 * subtree, every node under a target; never its sender); an addressee's ack is recorded
 * once; an ack naming an origin too long to be a key is refused with JF_EINVAL; an
 * unknown directive reads as NULL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/directive.h"
#include "error.h"
#include "log/fold.h"
#include "store.h"
#include "testutil.h"

/* Signs a directive on chain c (targets, NULL-terminated) and folds it at t1; the fold's
 * result. */
static int send(struct test_node *f, struct test_chain *c, int subtree, const char **targets)
{
    Jiefen__Event ev;
    Jiefen__Directive d;
    jiefen__event__init(&ev);
    jiefen__directive__init(&d);
    d.kind = "notice";
    d.title = "矛盾纠纷排查";
    d.body = "本周开展排查";
    d.targets = (char **)targets;
    while (targets[d.n_targets])
        d.n_targets++;
    d.subtree = subtree;
    ev.body_case = JIEFEN__EVENT__BODY_DIRECTIVE;
    ev.directive = &d;
    return test_chain_store(f->st, "t1", c, &ev, NULL, NULL);
}

/* Signs an ack of the directive (origin, seq) on chain c and folds it at t1. */
static int ack(struct test_node *f, struct test_chain *c, const char *origin, uint64_t seq,
               const char *note)
{
    Jiefen__Event ev;
    Jiefen__DirectiveAck a;
    jiefen__event__init(&ev);
    jiefen__directive_ack__init(&a);
    a.origin = (char *)origin;
    a.seq = seq;
    a.note = (char *)note;
    ev.body_case = JIEFEN__EVENT__BODY_DIRECTIVE_ACK;
    ev.directive_ack = &a;
    return test_chain_store(f->st, "t1", c, &ev, NULL, NULL);
}

static Jiefen__DirectiveView *get(struct test_node *f, const char *origin, uint64_t seq)
{
    MDB_txn *txn;
    Jiefen__DirectiveView *v = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(directive_get(f->st, txn, origin, seq, &v), 0);
    store_txn_abort(txn);
    if (v) {
        printf("  directive %s/%llu addresses", origin, (unsigned long long)seq);
        for (size_t i = 0; i < v->n_addressees; i++)
            printf(" %s", v->addressees[i]);
        printf("; acked by");
        for (size_t i = 0; i < v->n_acked_by; i++)
            printf(" %s (\"%s\")", v->acked_by[i], v->ack_notes[i]);
        printf("\n");
    } else {
        printf("  directive %s/%llu: none\n", origin, (unsigned long long)seq);
    }
    return v;
}

static int listed(char **ids, size_t n, const char *id)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(ids[i], id) == 0)
            return 1;
    return 0;
}

/* The view of (origin, seq) addresses exactly the nodes of `want` (NULL-terminated) among
 * the tree's live nodes, and neither x1 nor its sender. */
static void assert_addressees(struct test_node *f, const char *origin, uint64_t seq,
                              const char **want)
{
    static const char *live[] = {"c1", "t1", "v1", "v1a", "v2", "x1"};
    Jiefen__DirectiveView *v = get(f, origin, seq);
    assert_non_null(v);
    for (size_t i = 0; i < sizeof live / sizeof *live; i++) {
        int expect = 0;
        for (size_t k = 0; want[k]; k++)
            expect |= strcmp(want[k], live[i]) == 0;
        int got = listed(v->addressees, v->n_addressees, live[i]);
        printf("    %s: listed %d, expected %d\n", live[i], got, expect);
        assert_int_equal(got, expect);
    }
    assert_int_equal(v->n_acked_by, 0);
    jiefen__directive_view__free_unpacked(v, NULL);
}

/* The county to the township's subtree: t1 and every node under it. */
static void test_subtree_lists_every_node_under_target(void **state)
{
    struct test_node *f = *state;
    const char *targets[] = {"t1", NULL};
    assert_int_equal(send(f, &f->t.cc1, 1, targets), 0);
    assert_addressees(f, "c1", 1, (const char *[]){"t1", "v1", "v1a", "v2", NULL});
    Jiefen__DirectiveView *v = get(f, "c1", 1);
    assert_non_null(v);
    assert_string_equal(v->origin, "c1");
    assert_int_equal(v->seq, 1);
    assert_string_equal(v->directive->kind, "notice");
    assert_string_equal(v->directive->title, "矛盾纠纷排查");
    assert_true(v->directive->subtree);
    jiefen__directive_view__free_unpacked(v, NULL);
}

/* Its targets only without subtree: v1, not v1a below it; x1, unknown here, not at all. */
static void test_targets_only_known_nodes(void **state)
{
    struct test_node *f = *state;
    const char *targets[] = {"v1", "x1", NULL};
    assert_int_equal(send(f, &f->t.ct1, 0, targets), 0);
    assert_addressees(f, "t1", 1, (const char *[]){"v1", NULL});
}

/* A node under two targets is listed once; v1 with subtree brings v1a. */
static void test_subtree_of_a_village(void **state)
{
    struct test_node *f = *state;
    const char *targets[] = {"v1", "v1a", NULL};
    assert_int_equal(send(f, &f->t.ct1, 1, targets), 0);
    assert_addressees(f, "t1", 1, (const char *[]){"v1", "v1a", NULL});
    Jiefen__DirectiveView *v = get(f, "t1", 1);
    assert_int_equal(v->n_addressees, 2);
    jiefen__directive_view__free_unpacked(v, NULL);
}

/* The sender is never its own addressee, even as a target or inside a target's subtree. */
static void test_never_its_sender(void **state)
{
    struct test_node *f = *state;
    const char *own[] = {"t1", NULL};
    assert_int_equal(send(f, &f->t.ct1, 1, own), 0);
    assert_addressees(f, "t1", 1, (const char *[]){"v1", "v1a", "v2", NULL});
    const char *root[] = {"c1", NULL};
    assert_int_equal(send(f, &f->t.cc1, 1, root), 0);
    assert_addressees(f, "c1", 1, (const char *[]){"t1", "v1", "v1a", "v2", NULL});
    const char *self_only[] = {"v2", NULL};
    assert_int_equal(send(f, &f->t.cv2, 0, self_only), 0);
    assert_addressees(f, "v2", 1, (const char *[]){NULL});
}

/* An addressee's ack is recorded with its time and note; a second ack changes nothing. */
static void test_ack_recorded_once(void **state)
{
    struct test_node *f = *state;
    const char *targets[] = {"t1", NULL};
    assert_int_equal(send(f, &f->t.cc1, 1, targets), 0);
    assert_int_equal(ack(f, &f->t.cv1, "c1", 1, "已排查"), 0);
    assert_int_equal(ack(f, &f->t.cv1, "c1", 1, "再次确认"), 0);
    assert_int_equal(ack(f, &f->t.cv2, "c1", 1, "收到"), 0);
    Jiefen__DirectiveView *v = get(f, "c1", 1);
    assert_non_null(v);
    assert_int_equal(v->n_acked_by, 2);
    assert_int_equal(v->n_acked_ms, 2);
    assert_int_equal(v->n_ack_notes, 2);
    assert_string_equal(v->acked_by[0], "v1");
    assert_string_equal(v->ack_notes[0], "已排查");
    assert_int_equal(v->acked_ms[0], 1767225600000LL + 1 * 1000); /* v1's first event */
    assert_string_equal(v->acked_by[1], "v2");
    assert_string_equal(v->ack_notes[1], "收到");
    jiefen__directive_view__free_unpacked(v, NULL);
}

/* An ack naming an origin too long to be a key is refused; one of the longest valid
 * length, of a directive not here, changes nothing. */
static void test_ack_origin_too_long_refused(void **state)
{
    struct test_node *f = *state;
    char longest[STORE_ORIGIN_MAX + 2];
    memset(longest, 'a', sizeof longest - 1);
    longest[sizeof longest - 1] = 0;
    printf("  origin of %zu characters\n", strlen(longest));
    assert_int_equal(ack(f, &f->t.cv1, longest, 1, "收到"), JF_EINVAL);
    longest[STORE_ORIGIN_MAX] = 0;
    printf("  origin of %zu characters\n", strlen(longest));
    assert_int_equal(ack(f, &f->t.cv1, longest, 1, "收到"), 0);
    Jiefen__DirectiveView *v = get(f, longest, 1);
    assert_null(v);
}

/* An unknown directive reads as NULL, and an ack of it makes none. */
static void test_unknown_directive_null(void **state)
{
    struct test_node *f = *state;
    Jiefen__DirectiveView *v = get(f, "c1", 7);
    assert_null(v);
    assert_int_equal(ack(f, &f->t.cv1, "c1", 7, "收到"), 0);
    v = get(f, "c1", 7);
    assert_null(v);
    const char *targets[] = {"v1", NULL};
    assert_int_equal(send(f, &f->t.cc1, 0, targets), 0);
    v = get(f, "c1", 2);
    assert_null(v);
}

/* directive_addresses answers for one node as the fold lists them. */
static void test_addresses_one_node(void **state)
{
    struct test_node *f = *state;
    Jiefen__Directive d;
    MDB_txn *txn;
    char *targets[] = {"v1"};
    jiefen__directive__init(&d);
    d.targets = targets;
    d.n_targets = 1;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    int v1 = directive_addresses(f->st, txn, &d, "v1");
    int v1a = directive_addresses(f->st, txn, &d, "v1a");
    d.subtree = 1;
    int v1a_sub = directive_addresses(f->st, txn, &d, "v1a");
    int v2_sub = directive_addresses(f->st, txn, &d, "v2");
    int t1_sub = directive_addresses(f->st, txn, &d, "t1");
    store_txn_abort(txn);
    printf("  v1 %d, v1a %d; with subtree v1a %d, v2 %d, t1 %d\n", v1, v1a, v1a_sub, v2_sub,
           t1_sub);
    assert_int_equal(v1, 1);
    assert_int_equal(v1a, 0);
    assert_int_equal(v1a_sub, 1);
    assert_int_equal(v2_sub, 0);
    assert_int_equal(t1_sub, 0);
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        TEST_NODE(test_subtree_lists_every_node_under_target),
        TEST_NODE(test_targets_only_known_nodes),
        TEST_NODE(test_subtree_of_a_village),
        TEST_NODE(test_never_its_sender),
        TEST_NODE(test_ack_recorded_once),
        TEST_NODE(test_ack_origin_too_long_refused),
        TEST_NODE(test_unknown_directive_null),
        TEST_NODE(test_addresses_one_node),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
