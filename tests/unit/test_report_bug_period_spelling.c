/* KNOWN BUG, failing on purpose, NOT in tests/CMakeLists.txt's UNIT_TESTS (see the report of
 * branch wt-tests). Build it by adding `report_bug_period_spelling` to the list.
 *
 * report_period_parse() (through sscanf "%4d-%2d-%2d" and clock_parse_local_date) accepts
 * other spellings of a date, such as "2026-+3-10" or " 2026-03-1" (10 characters: sscanf
 * skips the space and takes the sign). fold_submitted() checks admissibility against the
 * parsed period (p.period, "2026-03-10") but stores the view under the event's own period
 * string. A report submitted as "2026-+3-10" is then kept where no reader looks: report_get
 * and report_status (and the parent's review, and the check that refuses a second report)
 * all use "2026-03-10", so the child shows as absent and may submit the period again. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "report/report.h"
#include "testutil.h"

static int submit(struct test_node *f, const char *period)
{
    Jiefen__ReportSubmitted r = JIEFEN__REPORT_SUBMITTED__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    r.kind = "daily";
    r.period = (char *)period;
    r.figures = "{}";
    ev.body_case = JIEFEN__EVENT__BODY_REPORT_SUBMITTED;
    ev.report_submitted = &r;
    return test_chain_store(f->st, "t1", &f->t.cv1, &ev, NULL, NULL);
}

static void test_report_is_found_under_its_period(void **state)
{
    struct test_node *f = *state;
    struct report_period p;
    const char *why = report_period_parse("daily", "2026-+3-10", &p);
    printf("  \"2026-+3-10\" parses: %s, as %s\n", why ? why : "yes", why ? "-" : p.period);
    int rc = submit(f, "2026-+3-10");
    /* Refused, or found under the period it parses as: never stored out of sight. */
    if (rc == 0) {
        MDB_txn *txn;
        Jiefen__ReportView *v = NULL;
        assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
        assert_int_equal(report_get(f->st, txn, "v1", "daily", "2026-03-10", &v), 0);
        store_txn_abort(txn);
        printf("  report_get of 2026-03-10: %s\n", v ? v->state : "none");
        assert_non_null(v);
        jiefen__report_view__free_unpacked(v, NULL);
        assert_int_equal(submit(f, "2026-03-10"), JF_EINVAL);
    } else {
        assert_int_equal(rc, JF_EINVAL);
    }
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        TEST_NODE(test_report_is_found_under_its_period),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
