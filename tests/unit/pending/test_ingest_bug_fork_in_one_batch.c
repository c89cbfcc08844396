/* KNOWN BUG, failing on purpose, NOT in tests/CMakeLists.txt's UNIT_TESTS (see the report of
 * branch wt-tests). Build it by adding `ingest_bug_fork_in_one_batch` to the list.
 *
 * ingest.h: "a different event under a known (origin, seq) is an equivocation and
 * quarantines the origin until an operator clears it"; DESIGN.md: two different events
 * with the same (origin, seq) are rejected, logged and counted.
 *
 * When both events of a fork come in the same up batch, in one run of their origin
 * ([1, 2, 3, 3']), ingest_up applies 3 and then counts 3' as a *gap* (seq != head + 1),
 * logged at INFO as "a lost message ... expected, and resent", instead of an equivocation:
 * the origin is not quarantined and the fork is not reported as one. (Sent in two batches,
 * the same fork is caught.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "log/ingest.h"
#include "testutil.h"

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
    int quarantined = ingest_quarantined(f->st, txn, "v1");
    store_txn_abort(txn);
    printf("  applied %u, gap %u, equivocation %u, quarantined %d\n", r.applied,
           r.rejected[REJ_GAP], r.rejected[REJ_EQUIVOCATION], quarantined);
    assert_int_equal(r.rejected[REJ_GAP], 0);
    assert_int_equal(r.rejected[REJ_EQUIVOCATION], 1);
    assert_true(quarantined);
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
