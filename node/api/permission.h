/*
 * permission — the roles of a centre's staff and what each may do at its own node
 * (一级一权限). One table, permission_grant(), is the whole matrix: the API checks every
 * route and every case action against it in its two dispatchers (api.c, api_case_act.c)
 * and the console hides what it refuses. docs/permissions.md is this table in words, with the
 * reasons from the domain.
 *
 * Reading is not in the table: every role reads what its node can see (the cases and
 * ledger of its subtree, reports, directives), except the parties' personal data, which is
 * PERM_CASE_PARTIES, and except a department's accounts (ROLE_DEPARTMENT), which read only
 * the cases routed to their department (permission_department_reads). The local admin token (jiefenctl) is not a role: it may do everything.
 */
#ifndef JIEFEN_PERMISSION_H
#define JIEFEN_PERMISSION_H

enum role {
    ROLE_NONE = 0,
    ROLE_CLERK, /* 窗口受理: takes disputes in at the window, routes and guides them */
    ROLE_MEDIATOR, /* 调解员: mediates, keeps the risk colour, closes and follows up */
    ROLE_DIRECTOR, /* 中心主任: moves cases, assigns leaders, decides, reports, directs */
    ROLE_LEADER,   /* 领导: owns the cases assigned to them (领导包案) */
    ROLE_ADMIN,    /* 管理员: accounts, enrolment and links of the node */
    ROLE_DEPARTMENT, /* 入驻部门: a department's staff, only the cases routed to it */
    ROLE_COUNT
};

enum perm {
    PERM_CASE_CREATE,          /* POST /cases: take a dispute in (一窗受理) */
    PERM_CASE_ROUTE,           /* route: the responsible department or lead unit */
    PERM_CASE_GUIDE,           /* guide: already decided elsewhere, to the legal channel */
    PERM_CASE_ATTEMPT,         /* attempts: a mediation attempt */
    PERM_CASE_ESCALATE,        /* escalate by hand */
    PERM_CASE_RISK,            /* risk: the colour (四色管控) */
    PERM_CASE_HANDDOWN,        /* handdown to a child */
    PERM_CASE_LEADER,          /* leader: assign a leader (领导包案) */
    PERM_CASE_LEADER_ACK,      /* leader/ack */
    PERM_CASE_LEADER_PROGRESS, /* leader/progress */
    PERM_CASE_EXTENSION,       /* extension: request one */
    PERM_CASE_EXTENSION_DECIDE,/* extension/decide: a child's request */
    PERM_CASE_CLOSE,           /* close */
    PERM_CASE_FOLLOWUP,        /* followup */
    PERM_CASE_PARTIES,         /* read the parties' personal data in the case file */
    PERM_REPORT_SUBMIT,
    PERM_REPORT_REVIEW,
    PERM_DIRECTIVE_SEND,
    PERM_DIRECTIVE_ACK,
    PERM_USER_ADMIN,           /* the node's accounts */
    PERM_NODE_ADMIN,           /* enrolment, revocation, link quarantine, verify */
    PERM_ACCESS_AUDIT,         /* the record of who saw what (查阅记录), GET /access */
    PERM_ACCESS_REQUEST,       /* ask to copy, print or archive (摘抄复印报批) */
    PERM_ACCESS_DECIDE,        /* approve or refuse such a request */
    PERM_ROSTER_EDIT,          /* the node's rosters (名册): add, change, deactivate */
    PERM_DEPT_TABLE,           /* the node's departments: add, edit */
    PERM_DEPT_ACT,             /* sign/return/feedback: only for the account's department */
    PERM_COUNT
};

enum grant {
    GRANT_NO = 0,
    GRANT_YES,
    GRANT_OWN,   /* only on a case whose current leader (领导包案) is this user */
};

/* The role's code ("clerk") and Chinese name ("窗口受理"); NULL for none. */
const char *permission_role_code(int role);
const char *permission_role_name(int role);

/* A role from its code or Chinese name; ROLE_NONE if unknown. */
int permission_role_parse(const char *s);

/* Whether a node of this tier (JIEFEN__TIER__*) has the role: leaders (领导包案) sit at a
 * township or above; a village's head is its centre director. 1 or 0. */
int permission_role_fits_tier(int role, int tier);

/* The permission's code ("case.create"), as GET /api/v1/session lists it. */
const char *permission_code(enum perm p);

/* Whether a department's account may use read route `path` (GET, or a route every
 * logged-in user may call): its session, the node's status and vocabulary, the to-do
 * counts, the departments and its queue, and single cases (each then checked to be routed
 * to its department). 1 or 0. */
int permission_department_reads(const char *path);

/* What the role may do with p. GRANT_NO for an unknown role or permission. */
enum grant permission_grant(int role, enum perm p);

#endif
