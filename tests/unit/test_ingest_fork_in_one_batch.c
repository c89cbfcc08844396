/* Two different, validly signed events under one (origin, seq) in the same up batch, in
 * one run of their origin ([1, 2, 3, 3']): the first is applied, the second is an
 * equivocation (not a gap, which would be taken for a lost message and resent): the origin
 * is quarantined and the proof kept. (Once a bug: the fork was counted as a gap.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "log/ingest.h"
#include "log/quarantine.h"
#include "testutil.h"

static int count_proof(const Jiefen__EquivocationRecord *r, void *arg)
{
    assert_string_equal(r->proof->origin, "v1");
    assert_int_equal(r->proof->seq, 3);
    assert_string_equal(r->detected_by, "t1");
    ++*(int *)arg;
    return 0;
}

static void test_fork_inside_one_batch_is_an_equivocation(void **state)
{
    struct test_node *f = *state;
    ProtobufCBinaryData env[4];
    env[0].data = test_chain_open_case(&f->t.cv1, "v1-case-1", &env[0].len);
    env[1].data = test_chain_open_case(&f->t.cv1, "v1-case-2", &env[1].len);
    struct test_chain fork = f->t.cv1; /* v1 signs two different seq 3 */
    env[2].data = test_chain_open_case(&f->t.cv1, "v1-case-3", &env[2].len);
    env[3].data = test_chain_open_case(&fork, "v1-fork-3", &env[3].len);
    Jiefen__UpBatch ub = JIEFEN__UP_BATCH__INIT;
    ub.envelopes = env;
    ub.n_envelopes = 4;
    struct ingest_result r;
    assert_int_equal(ingest_up(f->st, "t1", "v1", &ub, &r), 0);
    for (int i = 0; i < 4; i++)
        free(env[i].data);
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    int quarantined = quarantine_is(f->st, txn, "v1");
    store_txn_abort(txn);
    printf("  applied %u, gap %u, equivocation %u, quarantined %d\n", r.applied,
           r.rejected[REJ_GAP], r.rejected[REJ_EQUIVOCATION], quarantined);
    assert_int_equal(r.rejected[REJ_GAP], 0);
    assert_int_equal(r.rejected[REJ_EQUIVOCATION], 1);
    assert_true(quarantined);
    assert_int_equal(r.applied, 3);
    int n = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(quarantine_each(f->st, txn, count_proof, &n), 0);
    store_txn_abort(txn);
    assert_int_equal(n, 1);
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        TEST_NODE(test_fork_inside_one_batch_is_an_equivocation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
