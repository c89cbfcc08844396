/* An acknowledgement by a node a directive did not address changes nothing (directive.h's
 * promise). Once a known bug (tests/unit/pending, fixed by issue 14): an ack by v2 of a
 * directive sent to v1 alone, or by the directive's own sender, was listed in acked_by, so
 * the sender's list of who acknowledged counted nodes never asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/directive.h"
#include "log/fold.h"
#include "store.h"
#include "testutil.h"

static int fold_ack(struct test_node *f, struct test_chain *c, const char *origin,
                    uint64_t seq)
{
    Jiefen__Event ev;
    Jiefen__DirectiveAck a;
    jiefen__event__init(&ev);
    jiefen__directive_ack__init(&a);
    a.origin = (char *)origin;
    a.seq = seq;
    a.note = "收到";
    ev.body_case = JIEFEN__EVENT__BODY_DIRECTIVE_ACK;
    ev.directive_ack = &a;
    return test_chain_store(f->st, "t1", c, &ev, NULL, NULL);
}

static void test_ack_by_node_not_asked_changes_nothing(void **state)
{
    struct test_node *f = *state;
    Jiefen__Event ev;
    Jiefen__Directive d;
    char *targets[] = {"v1"};
    jiefen__event__init(&ev);
    jiefen__directive__init(&d);
    d.kind = "notice";
    d.targets = targets;
    d.n_targets = 1;
    ev.body_case = JIEFEN__EVENT__BODY_DIRECTIVE;
    ev.directive = &d;
    assert_int_equal(test_chain_store(f->st, "t1", &f->t.ct1, &ev, NULL, NULL), 0);
    assert_int_equal(fold_ack(f, &f->t.cv2, "t1", 1), 0); /* v2: not addressed */
    assert_int_equal(fold_ack(f, &f->t.ct1, "t1", 1), 0); /* t1: its sender */
    MDB_txn *txn;
    Jiefen__DirectiveView *v = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(directive_get(f->st, txn, "t1", 1, &v), 0);
    store_txn_abort(txn);
    assert_non_null(v);
    printf("  addressees %zu (%s), acked by %zu%s%s\n", v->n_addressees,
           v->n_addressees ? v->addressees[0] : "", v->n_acked_by,
           v->n_acked_by ? ": " : "", v->n_acked_by ? v->acked_by[0] : "");
    size_t acked = v->n_acked_by;
    jiefen__directive_view__free_unpacked(v, NULL);
    assert_int_equal(acked, 0);
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        TEST_NODE(test_ack_by_node_not_asked_changes_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
