/* KNOWN BUG, failing on purpose, NOT in tests/CMakeLists.txt's UNIT_TESTS (see the report of
 * branch wt-tests). Build it by adding `intake_bug_many_parties` to the list.
 *
 * intake.h allows INTAKE_MAX_PARTIES (20) parties, and refuses more with a message. But
 * intake_parse() keeps every trimmed string in a fixed table of 32 (struct intake.strings):
 * four per party (name, ID number, phone, address) plus the case's own fields. From the
 * 33rd string own() frees it and get_text() answers -ENOMEM, so an intake of seven or more
 * valid parties fails as "out of memory" (a 500 for the clerk) instead of opening the case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/intake.h"
#include "clock.h"
#include "error.h"
#include "testutil.h"

static void test_many_parties(void **state)
{
    (void)state;
    struct config cfg;
    config_defaults(&cfg);
    cfg.tier = JIEFEN__TIER__TIER_VILLAGE;
    struct policy policy = {&cfg, NULL};
    struct intake_ctx ctx = {"v1", "东村", "clerk1", JIEFEN__TIER__TIER_VILLAGE, &policy,
                             clock_now_ms(), NULL};
    for (int n = 1; n <= INTAKE_MAX_PARTIES; n++) {
        json_t *parties = json_array();
        for (int i = 0; i < n; i++)
            json_array_append_new(parties,
                                  json_pack("{s:s, s:s, s:s, s:s}", "name", "张三", "id_number",
                                            "11010519491231002X", "phone", "13800138000",
                                            "address", "东村3组"));
        json_t *body = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}", "parties", parties,
                                 "category", "land_contract", "matter_type",
                                 "dispute_mediation", "source", "walk_in", "summary",
                                 "多人纠纷", "complexity", "complex");
        struct intake *in = NULL;
        struct intake_error err = {0};
        int rc = intake_parse(body, &ctx, &in, &err);
        printf("  %2d parties: %d %s %s\n", n, rc, err.code ? err.code : "", err.field);
        json_decref(body);
        intake_free(&in);
        assert_int_equal(rc, 0);
    }
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_many_parties),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
