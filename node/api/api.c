/* api — the top of the API (api.h): its state, the one route table with what each route
 * needs of its caller, the Host and Origin checks, and the dispatch of every request to
 * its route module. */
#include "api/api.h"
#include "api/api_account.h"
#include "api/api_dept.h"
#include "api/api_document.h"
#include "api/api_routes.h"
#include "api/decoy.h"
#include "api/events.h"

#include <stdlib.h>
#include <string.h>

struct api *api_new(const struct api_deps *d)
{
    struct api *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->dep = *d;
    if (!(a->pw = pwcheck_new(d->loop)) || !(a->events = events_new(d->loop, d->st))) {
        pwcheck_free(&a->pw);
        free(a);
        return NULL;
    }
    return a;
}

void api_free(struct api **a)
{
    if (!a || !*a)
        return;
    pwcheck_free(&(*a)->pw);
    events_free(&(*a)->events);
    decoy_free(&(*a)->decoys);
    free(*a);
    *a = NULL;
}

void api_stop(struct api *a)
{
    pwcheck_stop(a->pw);
    events_stop(a->events);
}

void api_changed(struct api *a)
{
    events_changed(a->events);
}

void api_sweep(struct api *a)
{
    api_session_sweep(a);
}

/* ---- routing ------------------------------------------------------------------------ */

/* What a route needs of its caller, besides a permission (enum perm) of the table in
 * permission.h: */
enum {
    NEED_NOTHING = -3,  /* anyone may ask (logging in) */
    NEED_SESSION = -2,  /* a user's browser session, not the token */
    NEED_LOGIN = -1,    /* the token or any session: reading what this node sees */
};

struct route {
    const char *method, *path;
    int prefix;            /* path is a prefix; the rest is passed as `tail` */
    int need;              /* NEED_* or a permission */
    route_fn fn;
};

/* Every route and what it needs: with api_case_act.c's table of case actions, the whole of
 * docs/permissions.md as the API enforces it. */
static const struct route routes[] = {
    {"GET", "/api/v1/status", 0, NEED_LOGIN, route_status},
    {"GET", "/api/v1/reference", 0, NEED_LOGIN, route_reference},
    {"POST", "/api/v1/cases", 0, PERM_CASE_CREATE, route_case_new},
    {"GET", "/api/v1/cases", 0, NEED_LOGIN, route_case_list},
    {"GET", "/api/v1/cases/", 1, NEED_LOGIN, route_case_show},
    {"POST", "/api/v1/cases/", 1, NEED_LOGIN, route_case_action}, /* per action */
    {"GET", "/api/v1/supervision", 0, NEED_LOGIN, route_supervision},
    {"GET", "/api/v1/ledger", 0, NEED_LOGIN, route_ledger},
    {"GET", "/api/v1/ledger/export", 0, NEED_LOGIN, route_ledger_export},
    {"GET", "/api/v1/dashboard", 0, NEED_LOGIN, route_dashboard},
    {"GET", "/api/v1/reports", 0, NEED_LOGIN, route_reports},
    {"GET", "/api/v1/warnings", 0, NEED_LOGIN, route_warnings},
    {"GET", "/api/v1/reports/draft", 0, NEED_LOGIN, route_report_draft},
    {"GET", "/api/v1/reports/export", 0, NEED_LOGIN, route_report_export},
    {"POST", "/api/v1/reports/submit", 0, PERM_REPORT_SUBMIT, route_report_submit},
    {"POST", "/api/v1/reports/review", 0, PERM_REPORT_REVIEW, route_report_review},
    {"POST", "/api/v1/verify", 0, PERM_NODE_ADMIN, route_verify},
    {"POST", "/api/v1/backup", 0, PERM_NODE_ADMIN, route_backup},
    {"POST", "/api/v1/enrol/request", 0, PERM_NODE_ADMIN, route_enrol_request},
    {"POST", "/api/v1/enrol/root", 0, PERM_NODE_ADMIN, route_enrol_root},
    {"POST", "/api/v1/enrol/approve", 0, PERM_NODE_ADMIN, route_enrol_approve},
    {"POST", "/api/v1/enrol/install", 0, PERM_NODE_ADMIN, route_enrol_install},
    {"POST", "/api/v1/enrol/revoke", 0, PERM_NODE_ADMIN, route_enrol_revoke},
    {"GET", "/api/v1/nodes", 0, NEED_LOGIN, route_nodes},
    {"POST", "/api/v1/directives", 0, PERM_DIRECTIVE_SEND, route_directive_send},
    {"GET", "/api/v1/directives", 0, NEED_LOGIN, route_directive_list},
    {"POST", "/api/v1/directives/ack", 0, PERM_DIRECTIVE_ACK, route_directive_ack},
    {"POST", "/api/v1/links/clear-quarantine", 0, PERM_NODE_ADMIN, route_quarantine_clear},
    {"GET", "/api/v1/links/quarantine", 0, NEED_LOGIN, route_quarantine_list},
    {"POST", "/api/v1/session", 0, NEED_NOTHING, route_session_login},
    {"GET", "/api/v1/session", 0, NEED_LOGIN, route_session_show},
    {"DELETE", "/api/v1/session", 0, NEED_SESSION, route_session_logout},
    {"POST", "/api/v1/session/passwd", 0, NEED_SESSION, route_session_passwd},
    {"POST", "/api/v1/session/phone", 0, NEED_SESSION, route_session_phone},
    {"GET", "/api/v1/session/expiry", 0, NEED_SESSION, route_session_expiry},
    {"POST", "/api/v1/session/touch", 0, NEED_SESSION, route_session_touch},
    {"GET", "/api/v1/users", 0, PERM_USER_ADMIN, route_users},
    {"POST", "/api/v1/users", 0, PERM_USER_ADMIN, route_user_add},
    {"POST", "/api/v1/users/", 1, PERM_USER_ADMIN, route_user_action},
    {"GET", "/api/v1/devices", 0, PERM_USER_ADMIN, route_devices},
    {"POST", "/api/v1/devices/", 1, PERM_USER_ADMIN, route_device_action},
    {"GET", "/metrics", 0, NEED_LOGIN, route_metrics},
    {"GET", "/api/v1/parties", 0, PERM_CASE_PARTIES, route_party_find},
    {"GET", "/api/v1/parties/log", 0, PERM_USER_ADMIN, route_party_log},
    {"GET", "/api/v1/inbox", 0, NEED_LOGIN, route_inbox},
    {"GET", "/api/v1/events", 0, NEED_LOGIN, route_events},
    {"GET", "/api/v1/access", 0, PERM_ACCESS_AUDIT, route_access_list},
    {"GET", "/api/v1/access/requests", 0, NEED_LOGIN, route_access_requests},
    {"POST", "/api/v1/access/requests", 0, PERM_ACCESS_REQUEST, route_access_request},
    {"POST", "/api/v1/access/decide", 0, PERM_ACCESS_DECIDE, route_access_decide},
    {"POST", "/api/v1/access/copy", 0, PERM_CASE_PARTIES, route_access_copy},
    {"GET", "/api/v1/recovery", 0, NEED_LOGIN, route_recovery},
    {"POST", "/api/v1/recovery/approvals", 0, PERM_ACCESS_DECIDE, route_recovery_approve},
    {"POST", "/api/v1/recovery/reseal", 0, PERM_NODE_ADMIN, route_recovery_reseal},
    {"GET", "/api/v1/hazards", 0, NEED_LOGIN, route_hazard_list},
    {"POST", "/api/v1/hazards", 0, PERM_CASE_CREATE, route_hazard_add},
    {"GET", "/api/v1/hazards/", 1, NEED_LOGIN, route_hazard_show},
    {"POST", "/api/v1/hazards/", 1, NEED_LOGIN, route_hazard_action}, /* per step */
    {"POST", "/api/v1/receipts/verify", 0, NEED_LOGIN, route_receipt_verify},
    {"GET", "/api/v1/receipts/root", 0, NEED_LOGIN, route_receipt_root},
    {"GET", "/api/v1/followups", 0, NEED_LOGIN, route_followups},
    {"GET", "/api/v1/roster", 0, NEED_LOGIN, route_roster_list},
    {"POST", "/api/v1/roster", 0, PERM_ROSTER_EDIT, route_roster_add},
    {"GET", "/api/v1/roster/", 1, NEED_LOGIN, route_roster_person},
    {"POST", "/api/v1/roster/", 1, NEED_LOGIN, route_roster_person}, /* roster.edit */
    {"GET", "/api/v1/departments", 0, NEED_LOGIN, route_departments},
    {"POST", "/api/v1/departments", 0, PERM_DEPT_TABLE, route_department_add},
    {"POST", "/api/v1/departments/edit", 0, PERM_DEPT_TABLE, route_department_edit},
    {"GET", "/api/v1/departments/queue", 0, NEED_LOGIN, route_department_queue},
    {"GET", "/api/v1/outbox", 0, PERM_NODE_ADMIN, route_outbox},
    {"POST", "/api/v1/interop/orders", 0, NEED_NOTHING, route_interop_order}, /* signed */
    {"GET", "/api/v1/interop/refused", 0, PERM_NODE_ADMIN, route_interop_refused},
    {"POST", "/api/v1/interop/filings", 0, NEED_NOTHING, route_interop_filings}, /* signed */
    {"POST", "/api/v1/linkage/filings", 0, PERM_NODE_ADMIN, route_linkage_filings},
    {"GET", "/api/v1/webhooks", 0, PERM_NODE_ADMIN, route_webhooks},
    {"GET", "/api/v1/webhooks/dead", 0, PERM_NODE_ADMIN, route_webhook_dead},
    {"POST", "/api/v1/webhooks/dead/", 1, PERM_NODE_ADMIN, route_webhook_dead_action},
    {"POST", "/api/v1/interop/rulings", 0, NEED_NOTHING, route_interop_ruling}, /* signed */
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static int path_matches(const struct route *rt, const char *path)
{
    size_t n = strlen(rt->path);
    return rt->prefix ? strncmp(path, rt->path, n) == 0 && path[n]
                      : strcmp(path, rt->path) == 0;
}

/* Host (and Origin, which carries a scheme) must name this node's listening address. */
static int host_allowed(const struct api *api, const char *host)
{
    char want[160];
    int port = http_server_port(*api->dep.http);
    const char *names[] = {"127.0.0.1", "localhost", "[::1]", api->dep.cfg->http_host};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(want, sizeof want, "%s:%d", names[i], port);
        if (strcmp(host, want) == 0)
            return 1;
    }
    return 0;
}

static int origin_allowed(const struct api *api, const char *origin)
{
    return !origin[0] || (strncmp(origin, "http://", 7) == 0 && host_allowed(api, origin + 7));
}

/* Whether the caller meets the route's need; if not, answers and returns -1. */
static int allowed(struct api_call *c, const struct route *rt)
{
    if (rt->need == NEED_LOGIN && c->who.auth == API_AUTH_SESSION &&
        c->who.role == ROLE_DEPARTMENT && !permission_department_reads(rt->path)) {
        reply_error(c, 403, "forbidden", NULL, "入驻部门账户只能查看分流给本部门的案件");
        return -1;
    }
    if (rt->need == NEED_NOTHING || rt->need == NEED_LOGIN)
        return 0;
    if (rt->need == NEED_SESSION) {
        if (c->who.auth == API_AUTH_SESSION)
            return 0;
        reply_error(c, 400, "no_session", NULL, "本机管理令牌没有登录会话，此操作只对登录用户有效");
        return -1;
    }
    return api_permit(c, (enum perm)rt->need);
}

void api_handle(http_req *req, const http_request *r, void *data)
{
    struct api *api = data;
    struct api_call *c = calloc(1, sizeof *c);
    if (!c) {
        http_respond(req, 503, "text/plain", "out of memory\n", 14, NULL);
        return;
    }
    *c = (struct api_call){.api = api, .req = req, .route = "other", .t0 = uv_hrtime()};
    const struct route *found = NULL;
    int path_known = 0;
    for (size_t i = 0; i < N_ROUTES && !found; i++) {
        if (!path_matches(&routes[i], r->path))
            continue;
        path_known = 1;
        if (strcmp(routes[i].method, r->method) == 0)
            found = &routes[i];
    }
    if (found)
        c->route = found->path;
    if (!host_allowed(api, r->host))
        return reply_error(c, 421, "bad_host", NULL, "Host 头不是本节点地址");
    if (api_console_path(r->path)) {
        c->route = "/console";
        return route_console(c, r, "");
    }
    if (strcmp(r->method, "GET") && !origin_allowed(api, r->origin))
        return reply_error(c, 403, "bad_origin", NULL, "跨站请求被拒绝");
    int open = found && found->need == NEED_NOTHING;
    if (!open && api_identify(c, r))
        return;
    if (!open && c->who.auth == API_AUTH_NONE)
        return reply_error(c, 401, "unauthorized", NULL, "请先登录（或使用有效的访问令牌）");
    if (!found && path_known)
        return reply_error(c, 405, "method_not_allowed", NULL, "不支持的请求方法 %s", r->method);
    if (!found)
        return reply_error(c, 404, "not_found", NULL, "无此接口");
    if (allowed(c, found))
        return;
    if (strncmp(r->path, "/api/v1/cases/", 14) == 0 && api_document_route(c, r, r->path + 14))
        return;
    found->fn(c, r, r->path + strlen(found->path));
}
