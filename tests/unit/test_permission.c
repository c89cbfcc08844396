/* Permission: the role matrix of docs/permissions.md, row by row, and the roles' codes,
 * names and tiers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "jiefen.pb-c.h"
#include "api/permission.h"

#include <stdio.h>
#include <string.h>

/* docs/permissions.md's table: Y yes, O own cases only (领导包案), . no;
 * columns clerk, mediator, director, leader, admin, department. */
static const struct {
    const char *code, *grants;
} matrix[] = {
    {"case.create", "Y.Y..."},          {"case.route", "Y.Y..."},
    {"case.guide", "Y.Y..."},           {"case.attempt", ".Y...."},
    {"case.escalate", "..Y..."},        {"case.risk", ".YY..."},
    {"case.handdown", "..Y..."},        {"case.leader", "..Y..."},
    {"case.leader.ack", "..YO.."},      {"case.leader.progress", "..YO.."},
    {"case.extension", ".YY..."},       {"case.extension.decide", "..Y..."},
    {"case.close", ".YY..."},           {"case.followup", ".YY..."},
    {"case.parties", "YYY..."},         {"report.submit", "..Y..."},
    {"report.review", "..Y..."},        {"directive.send", "..Y..."},
    {"directive.ack", "..Y..."},        {"user.admin", "....Y."},
    {"node.admin", "....Y."},
    {"access.audit", "..YYY."},         {"access.request", "YYY..."},
    {"access.decide", "..Y..."},        {"roster.edit", "..Y.Y."},
    {"department.table", "..Y.Y."},     {"department.act", ".....Y"},
};

static void test_matrix(void **state)
{
    (void)state;
    assert_int_equal(sizeof matrix / sizeof matrix[0], PERM_COUNT);
    for (int p = 0; p < PERM_COUNT; p++) {
        assert_string_equal(permission_code((enum perm)p), matrix[p].code);
        for (int r = ROLE_CLERK; r < ROLE_COUNT; r++) {
            char want = matrix[p].grants[r - ROLE_CLERK];
            enum grant g = permission_grant(r, (enum perm)p);
            printf("  %-22s %-9s %d (want %c)\n", matrix[p].code, permission_role_code(r), g,
                   want);
            assert_int_equal(g, want == 'Y' ? GRANT_YES : want == 'O' ? GRANT_OWN : GRANT_NO);
        }
        assert_int_equal(permission_grant(ROLE_NONE, (enum perm)p), GRANT_NO);
        assert_int_equal(permission_grant(ROLE_COUNT, (enum perm)p), GRANT_NO);
    }
    assert_int_equal(permission_grant(ROLE_DIRECTOR, PERM_COUNT), GRANT_NO);
    assert_null(permission_code(PERM_COUNT));
}

static void test_roles(void **state)
{
    (void)state;
    assert_int_equal(permission_role_parse("clerk"), ROLE_CLERK);
    assert_int_equal(permission_role_parse("调解员"), ROLE_MEDIATOR);
    assert_int_equal(permission_role_parse("中心主任"), ROLE_DIRECTOR);
    assert_int_equal(permission_role_parse("leader"), ROLE_LEADER);
    assert_int_equal(permission_role_parse("admin"), ROLE_ADMIN);
    assert_int_equal(permission_role_parse("入驻部门"), ROLE_DEPARTMENT);
    assert_int_equal(permission_role_parse("boss"), ROLE_NONE);
    assert_int_equal(permission_role_parse(""), ROLE_NONE);
    assert_int_equal(permission_role_parse(NULL), ROLE_NONE);
    assert_string_equal(permission_role_name(ROLE_CLERK), "窗口受理");
    assert_null(permission_role_code(ROLE_NONE));
    assert_null(permission_role_name(ROLE_COUNT));
}

/* A department's account reads only its queue, the departments and single cases. */
static void test_department_reads(void **state)
{
    (void)state;
    assert_true(permission_department_reads("/api/v1/departments/queue"));
    assert_true(permission_department_reads("/api/v1/cases/"));
    assert_true(permission_department_reads("/api/v1/session"));
    assert_false(permission_department_reads("/api/v1/cases"));
    assert_false(permission_department_reads("/api/v1/ledger"));
    assert_false(permission_department_reads("/api/v1/parties"));
    assert_false(permission_department_reads("/api/v1/supervision"));
}

static void test_tiers(void **state)
{
    (void)state;
    assert_false(permission_role_fits_tier(ROLE_LEADER, JIEFEN__TIER__TIER_VILLAGE));
    assert_true(permission_role_fits_tier(ROLE_LEADER, JIEFEN__TIER__TIER_TOWNSHIP));
    assert_true(permission_role_fits_tier(ROLE_LEADER, JIEFEN__TIER__TIER_COUNTY));
    for (int r = ROLE_CLERK; r < ROLE_COUNT; r++)
        if (r != ROLE_LEADER)
            assert_true(permission_role_fits_tier(r, JIEFEN__TIER__TIER_VILLAGE));
    assert_false(permission_role_fits_tier(ROLE_NONE, JIEFEN__TIER__TIER_COUNTY));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_matrix),
        cmocka_unit_test(test_roles),
        cmocka_unit_test(test_department_reads),
        cmocka_unit_test(test_tiers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
