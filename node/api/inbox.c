/* inbox — the kinds of to-do items as staff see them (inbox.h). */
#include "api/inbox.h"
#include "case/agenda.h"

static const struct {
    const char *name;
    enum perm perm;   /* who acts on an item of this kind */
} kinds[AGENDA_N] = {
    [AGENDA_ROUTE] = {"待分流", PERM_CASE_ROUTE},
    [AGENDA_TAKE_OVER] = {"待接办", PERM_CASE_CLOSE},
    [AGENDA_LEADER] = {"待安排包案领导", PERM_CASE_LEADER},
    [AGENDA_LEADER_ACK] = {"待签收包案", PERM_CASE_LEADER_ACK},
    [AGENDA_DUE] = {"办理时限", PERM_CASE_EXTENSION},
    [AGENDA_EXTENSION] = {"待审批延期", PERM_CASE_EXTENSION_DECIDE},
    [AGENDA_FOLLOW_UP] = {"待回访", PERM_CASE_FOLLOWUP},
    [AGENDA_DIRECTIVE] = {"待签收指令", PERM_DIRECTIVE_ACK},
    [AGENDA_REPORT] = {"待审阅下级报告", PERM_REPORT_REVIEW},
    [AGENDA_ACCESS] = {"待审批摘抄复印", PERM_ACCESS_DECIDE},
    [AGENDA_HAZARD] = {"隐患待走访", PERM_CASE_RISK},
    [AGENDA_DEPT_OVERDUE] = {"部门签收逾期", PERM_CASE_ESCALATE},
    [AGENDA_APPOINTMENT] = {"调解预约", PERM_CASE_ATTEMPT},
};

const char *inbox_kind_name(int kind)
{
    return kind >= 0 && kind < AGENDA_N ? kinds[kind].name : NULL;
}

int inbox_kind_allowed(const struct api_who *who, int kind)
{
    if (kind < 0 || kind >= AGENDA_N)
        return 0;
    if (who->auth == API_AUTH_TOKEN)
        return 1;
    return who->auth == API_AUTH_SESSION && permission_grant(who->role, kinds[kind].perm) != GRANT_NO;
}

unsigned inbox_kinds_of(const struct api_who *who)
{
    unsigned m = 0;
    for (int k = 0; k < AGENDA_N; k++)
        if (inbox_kind_allowed(who, k))
            m |= 1u << k;
    return m;
}
