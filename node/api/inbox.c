/* inbox — the kinds of to-do items as staff see them (inbox.h). */
#include "api/inbox.h"
#include "case/todo.h"

static const struct {
    const char *name;
    enum perm perm;   /* who acts on an item of this kind */
} kinds[TODO_N] = {
    [TODO_ROUTE] = {"待分流", PERM_CASE_ROUTE},
    [TODO_TAKE_OVER] = {"待接办", PERM_CASE_CLOSE},
    [TODO_LEADER] = {"待安排包案领导", PERM_CASE_LEADER},
    [TODO_LEADER_ACK] = {"待签收包案", PERM_CASE_LEADER_ACK},
    [TODO_DUE] = {"办理时限", PERM_CASE_EXTENSION},
    [TODO_EXTENSION] = {"待审批延期", PERM_CASE_EXTENSION_DECIDE},
    [TODO_FOLLOW_UP] = {"待回访", PERM_CASE_FOLLOWUP},
    [TODO_DIRECTIVE] = {"待签收指令", PERM_DIRECTIVE_ACK},
    [TODO_REPORT] = {"待审阅下级报告", PERM_REPORT_REVIEW},
};

const char *inbox_kind_name(int kind)
{
    return kind >= 0 && kind < TODO_N ? kinds[kind].name : NULL;
}

int inbox_kind_allowed(const struct api_who *who, int kind)
{
    if (kind < 0 || kind >= TODO_N)
        return 0;
    if (who->auth == API_AUTH_TOKEN)
        return 1;
    return who->auth == API_AUTH_SESSION && permission_grant(who->role, kinds[kind].perm) != GRANT_NO;
}

unsigned inbox_kinds_of(const struct api_who *who)
{
    unsigned m = 0;
    for (int k = 0; k < TODO_N; k++)
        if (inbox_kind_allowed(who, k))
            m |= 1u << k;
    return m;
}
