/* lifecycle_move refused by the case's own rules (a move to an enrolled node that is not
 * the holder's parent or child, or of a kind that is neither "escalate" nor "handdown")
 * appends nothing and names its reason in err, as lifecycle.h promises: the API answers
 * that text to the person who asked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/lifecycle.h"
#include "node.h"
#define TESTUTIL_CASES
#include "testutil.h"

static void refused_with_reason(struct case_node *f, const char *id, const char *kind,
                                const char *to)
{
    struct cn_move mv = {.f = f, .case_id = id, .kind = kind, .to = to};
    assert_int_equal(cn_run(f, cn_move_apply, &mv), 0);
    printf("  %s from %s to %s: %d, %u appended, err \"%s\"\n", kind, f->cfg.node_id, to, mv.rc,
           mv.appended, mv.err);
    assert_int_equal(mv.rc, JF_EINVAL);
    assert_int_equal(mv.appended, 0);
    assert_true(mv.err[0] != 0); /* "" is what it was given */
}

static void test_refused_move_names_its_reason(void **state)
{
    (void)state;
    struct case_node *f = cn_new(CN_V1);
    char id[64], idn[19];
    assert_int_equal(cn_open_case(f, "东村", "land_contract", cn_id_number(1, idn), NULL, id), 0);
    refused_with_reason(f, id, "escalate", "v2"); /* a sibling, not the parent */
    refused_with_reason(f, id, "handdown", "t1"); /* the parent, not a child */
    refused_with_reason(f, id, "sideways", "t1"); /* no such kind of move */
    cn_free(&f);
}

int main(void)
{
    if (cn_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_move_names_its_reason),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
