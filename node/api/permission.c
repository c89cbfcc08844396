#include "api/permission.h"
#include "jiefen.pb-c.h"

#include <stddef.h>
#include <string.h>

static const struct {
    const char *code, *name;
} roles[ROLE_COUNT] = {
    [ROLE_CLERK] = {"clerk", "窗口受理"},       [ROLE_MEDIATOR] = {"mediator", "调解员"},
    [ROLE_DIRECTOR] = {"director", "中心主任"}, [ROLE_LEADER] = {"leader", "领导"},
    [ROLE_ADMIN] = {"admin", "管理员"},       [ROLE_DEPARTMENT] = {"department", "入驻部门"},
};

#define N GRANT_NO
#define Y GRANT_YES
#define O GRANT_OWN

/* The matrix (docs/permissions.md): one row per permission, one column per role. */
static const struct {
    const char *code;
    enum grant by[ROLE_COUNT];   /* indexed by role; [ROLE_NONE] is always N */
} table[PERM_COUNT] = {
    /*                                         -  clerk med  dir  lead admin dept */
    [PERM_CASE_CREATE] = {"case.create", {N, Y, N, Y, N, N}},
    [PERM_CASE_ROUTE] = {"case.route", {N, Y, N, Y, N, N}},
    [PERM_CASE_GUIDE] = {"case.guide", {N, Y, N, Y, N, N}},
    [PERM_CASE_ATTEMPT] = {"case.attempt", {N, N, Y, N, N, N}},
    [PERM_CASE_ESCALATE] = {"case.escalate", {N, N, N, Y, N, N}},
    [PERM_CASE_RISK] = {"case.risk", {N, N, Y, Y, N, N}},
    [PERM_CASE_HANDDOWN] = {"case.handdown", {N, N, N, Y, N, N}},
    [PERM_CASE_LEADER] = {"case.leader", {N, N, N, Y, N, N}},
    [PERM_CASE_LEADER_ACK] = {"case.leader.ack", {N, N, N, Y, O, N}},
    [PERM_CASE_LEADER_PROGRESS] = {"case.leader.progress", {N, N, N, Y, O, N}},
    [PERM_CASE_EXTENSION] = {"case.extension", {N, N, Y, Y, N, N}},
    [PERM_CASE_EXTENSION_DECIDE] = {"case.extension.decide", {N, N, N, Y, N, N}},
    [PERM_CASE_CLOSE] = {"case.close", {N, N, Y, Y, N, N}},
    [PERM_CASE_FOLLOWUP] = {"case.followup", {N, N, Y, Y, N, N}},
    [PERM_CASE_PARTIES] = {"case.parties", {N, Y, Y, Y, N, N}},
    [PERM_REPORT_SUBMIT] = {"report.submit", {N, N, N, Y, N, N}},
    [PERM_REPORT_REVIEW] = {"report.review", {N, N, N, Y, N, N}},
    [PERM_DIRECTIVE_SEND] = {"directive.send", {N, N, N, Y, N, N}},
    [PERM_DIRECTIVE_ACK] = {"directive.ack", {N, N, N, Y, N, N}},
    [PERM_USER_ADMIN] = {"user.admin", {N, N, N, N, N, Y}},
    [PERM_NODE_ADMIN] = {"node.admin", {N, N, N, N, N, Y}},
    [PERM_ACCESS_AUDIT] = {"access.audit", {N, N, N, Y, Y, Y, N}},
    [PERM_ACCESS_REQUEST] = {"access.request", {N, Y, Y, Y, N, N, N}},
    [PERM_ACCESS_DECIDE] = {"access.decide", {N, N, N, Y, N, N, N}},
    [PERM_ROSTER_EDIT] = {"roster.edit", {N, N, N, Y, N, Y, N}},
    [PERM_DEPT_TABLE] = {"department.table", {N, N, N, Y, N, Y, N}},
    [PERM_DEPT_ACT] = {"department.act", {N, N, N, N, N, N, Y}},
};

#undef N
#undef Y
#undef O

const char *permission_role_code(int role)
{
    return role > ROLE_NONE && role < ROLE_COUNT ? roles[role].code : NULL;
}

const char *permission_role_name(int role)
{
    return role > ROLE_NONE && role < ROLE_COUNT ? roles[role].name : NULL;
}

int permission_role_parse(const char *s)
{
    for (int r = ROLE_NONE + 1; s && r < ROLE_COUNT; r++)
        if (strcmp(s, roles[r].code) == 0 || strcmp(s, roles[r].name) == 0)
            return r;
    return ROLE_NONE;
}

int permission_role_fits_tier(int role, int tier)
{
    if (role <= ROLE_NONE || role >= ROLE_COUNT)
        return 0;
    return role != ROLE_LEADER || tier >= JIEFEN__TIER__TIER_TOWNSHIP;
}

const char *permission_code(enum perm p)
{
    return (unsigned)p < PERM_COUNT ? table[p].code : NULL;
}

int permission_department_reads(const char *path)
{
    static const char *const exact[] = {"/api/v1/status", "/api/v1/reference",
                                        "/api/v1/session", "/api/v1/inbox",
                                        "/api/v1/departments", "/api/v1/departments/queue"};
    for (size_t i = 0; i < sizeof exact / sizeof exact[0]; i++)
        if (strcmp(path, exact[i]) == 0)
            return 1;
    return strcmp(path, "/api/v1/cases/") == 0;
}

enum grant permission_grant(int role, enum perm p)
{
    if ((unsigned)p >= PERM_COUNT || role <= ROLE_NONE || role >= ROLE_COUNT)
        return GRANT_NO;
    return table[p].by[role];
}
