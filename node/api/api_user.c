/* api_user — the node's users for its administrators (一人一密码): the list, a new user,
 * a password set by an administrator, disabling (every session ends) and enabling (a lock
 * is lifted). A new password is hashed on the thread pool (api_account.h). */
#include "api/api_account.h"
#include "api/api_routes.h"
#include "case/depttable.h"
#include "clock.h"
#include "log.h"
#include "outbox/staffbook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct user_list {
    json_t *list;
    int64_t now;
    store *st;
    MDB_txn *txn;
};

static int add_user_json(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__UserRecord *u = (const Jiefen__UserRecord *)m;
    struct user_list *l = arg;
    return json_array_append_new(l->list, api_user_json(l->st, l->txn, u, l->now)) ? -ENOMEM : 0;
}

void route_users(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct user_list l = {json_array(), clock_now_ms(), c->api->dep.st, NULL};
    MDB_txn *txn;
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn);
    if (rc == 0) {
        l.txn = txn;
        rc = account_each(c->api->dep.st, txn, add_user_json, &l);
        store_txn_abort(txn);
    }
    if (rc) {
        json_decref(l.list);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "users", l.list));
}

/* A department account names a department of this node's table (enabled); the other
 * roles name none. 0, or the refusal. */
static int check_department(eventlog_tx *tx, struct api_op *o, int role, const char *dept)
{
    Jiefen__DeptRecord *d = NULL;
    if (role != ROLE_DEPARTMENT)
        return dept[0] ? op_refuse(o, 400, "invalid_field", "department",
                                   "只有入驻部门账户需要填写所属部门")
                       : 0;
    if (!dept[0])
        return op_refuse(o, 400, "missing_field", "department", "请填写入驻部门账户所属的部门");
    int rc = depttable_get(tx->st, tx->txn, dept, &d), ok = d && !d->disabled;
    depttable_free(&d);
    if (rc == 0 && !ok)
        rc = op_refuse(o, 400, "invalid_field", "department", "本中心没有启用的部门“%s”", dept);
    return rc;
}

static int user_add_apply(eventlog_tx *tx, struct api_op *o)
{
    const struct pw_result *res = o->data;
    const char *name = api_str(o->in, "name");
    Jiefen__UserRecord *have = NULL;
    int rc = account_get(tx->st, tx->txn, res->user, &have), exists = have != NULL;
    account_free(&have);
    if (exists)
        return op_refuse(o, 409, "user_exists", "user", "用户名 %s 已存在", res->user);
    Jiefen__UserRecord u = JIEFEN__USER_RECORD__INIT;
    u.user = (char *)res->user;
    u.name = (char *)(name[0] ? name : res->user);
    u.role = (char *)permission_role_code(permission_role_parse(api_str(o->in, "role")));
    u.department = (char *)api_str(o->in, "department");
    if (rc == 0 && (rc = check_department(tx, o, permission_role_parse(u.role), u.department)))
        return rc;
    u.password_hash = (char *)res->hash;
    u.created_ms = u.password_ms = tx->now_ms;
    u.generation = 1;
    if (rc == 0 && (rc = account_put(tx->st, tx->txn, &u)) == 0 &&
        (rc = staffbook_set(tx, u.user, u.role, u.department, 0, api_str(o->in, "phone"))) == 0) {
        api_user_out(tx, o, &u);
        log_info("account", "user %s (%s) added by %s", u.user, u.role, api_actor(o->c, NULL));
    }
    return rc;
}

static const char *const k_add[] = {"user", "name", "role", "password", "department", "phone",
                                    NULL};
static const char *const k_add_required[] = {"user", "role", "password", NULL};

/* Why the new user's fields are wrong (answered 400), or 0. */
static int check_new_user(struct api_call *c, const json_t *in)
{
    const char *user = api_str(in, "user"), *name = api_str(in, "name"), *why;
    if ((why = account_check_user(user)))
        reply_error(c, 400, "invalid_field", "user", "%s", why);
    else if (name[0] && (why = account_check_name(name)))
        reply_error(c, 400, "invalid_field", "name", "%s", why);
    else if (!account_check_role(api_str(in, "role"), c->api->dep.cfg->tier, &why))
        reply_error(c, 400, "invalid_field", "role", "%s", why);
    else if ((why = account_check_password(user, api_str(in, "password"))))
        reply_error(c, 400, "invalid_field", "password", "%s", why);
    else if ((why = api_check_staff_phone(api_str(in, "phone"))))
        reply_error(c, 400, "invalid_field", "phone", "%s", why);
    return why ? -1 : 0;
}

void route_user_add(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    json_t *in = api_account_body(c, r, k_add, k_add_required);
    Jiefen__UserRecord *have = NULL;
    if (!in || check_new_user(c, in) || api_read_user(c, api_str(in, "user"), &have)) {
        json_decref(in);
        return;
    }
    if (have) {
        reply_error(c, 409, "user_exists", "user", "用户名 %s 已存在", have->user);
        account_free(&have);
        json_decref(in);
        return;
    }
    struct pw_job *j = pw_job_new(c, in, user_add_apply);
    if (j) {
        snprintf(j->res.user, sizeof j->res.user, "%s", api_str(in, "user"));
        api_take_password(in, "password", j->set, sizeof j->set);
        pw_queue(j, 0);
    }
}

static int user_passwd_apply(eventlog_tx *tx, struct api_op *o)
{
    const struct pw_result *res = o->data;
    Jiefen__UserRecord *u = NULL;
    int rc = account_get(tx->st, tx->txn, res->user, &u);
    if (rc == 0 && !u)
        rc = op_refuse(o, 404, "not_found", NULL, "无此用户：%s", res->user);
    else if (rc == 0 && (rc = api_put_password(tx, o, u, res->hash)) == 0)
        log_info("account", "password of %s set by %s", u->user, api_actor(o->c, NULL));
    account_free(&u);
    return rc;
}

static const char *const k_password[] = {"password", NULL};

static void user_passwd(struct api_call *c, const http_request *r, const char *user)
{
    json_t *in = api_account_body(c, r, k_password, k_password);
    const char *why = in ? account_check_password(user, api_str(in, "password")) : NULL;
    if (!in || why) {
        if (why)
            reply_error(c, 400, "invalid_field", "password", "%s", why);
        json_decref(in);
        return;
    }
    struct pw_job *j = pw_job_new(c, in, user_passwd_apply);
    if (j) {
        snprintf(j->res.user, sizeof j->res.user, "%s", user);
        api_take_password(in, "password", j->set, sizeof j->set);
        pw_queue(j, 0);
    }
}

struct user_switch {
    char user[ACCOUNT_USER_MAX + 1];
    int enable;
};

/* Disables u (its sessions end), or enables it and lifts a lock. */
static int switch_user(eventlog_tx *tx, struct api_op *o, Jiefen__UserRecord *u, int enable)
{
    const struct api_who *w = &o->c->who;
    if (!enable && w->auth == API_AUTH_SESSION && strcmp(w->user, u->user) == 0)
        return op_refuse(o, 409, "own_account", NULL, "不能停用自己的账户");
    if (!enable && u->disabled)
        return op_refuse(o, 409, "already_disabled", NULL, "用户 %s 已停用", u->user);
    if (enable && !u->disabled && !account_locked(u, tx->now_ms) && !u->failures)
        return op_refuse(o, 409, "already_enabled", NULL, "用户 %s 已启用且未被锁定", u->user);
    if (enable) {
        u->failures = 0;
        u->locked_until_ms = 0;
    } else {
        u->generation++;
    }
    u->disabled = !enable;
    int rc = account_put(tx->st, tx->txn, u);
    if (rc == 0)
        rc = staffbook_set(tx, u->user, u->role, u->department, u->disabled, NULL);
    if (rc == 0) {
        api_user_out(tx, o, u);
        log_info("account", "%s %s by %s", u->user, enable ? "enabled" : "disabled",
                 api_actor(o->c, NULL));
    }
    return rc;
}

static int user_switch_apply(eventlog_tx *tx, struct api_op *o)
{
    const struct user_switch *s = o->data;
    Jiefen__UserRecord *u = NULL;
    int rc = account_get(tx->st, tx->txn, s->user, &u);
    if (rc == 0)
        rc = u ? switch_user(tx, o, u, s->enable)
               : op_refuse(o, 404, "not_found", NULL, "无此用户：%s", s->user);
    account_free(&u);
    return rc;
}

static const char *const k_none[] = {NULL};

void route_user_action(struct api_call *c, const http_request *r, const char *tail)
{
    char user[ACCOUNT_USER_MAX + 1];
    const char *slash = strchr(tail, '/'), *verb = slash ? slash + 1 : "";
    int enable = strcmp(verb, "enable") == 0;
    if (!slash || http_url_decode(tail, (size_t)(slash - tail), user, sizeof user, 0) <= 0)
        return reply_error(c, 404, "not_found", NULL, "无此用户");
    if (strcmp(verb, "passwd") == 0)
        return user_passwd(c, r, user);
    if (strcmp(verb, "phone") == 0)
        return api_staff_phone(c, r, user);
    if (!enable && strcmp(verb, "disable"))
        return reply_error(c, 404, "not_found", NULL, "无此接口");
    json_t *in = api_account_body(c, r, k_none, k_none);
    struct user_switch *s = in ? calloc(1, sizeof *s) : NULL;
    if (in && !s) {
        json_decref(in);
        return reply_error(c, 500, "internal", NULL, "内存不足");
    }
    if (!s)
        return;
    snprintf(s->user, sizeof s->user, "%s", user);
    s->enable = enable;
    op_submit_data(c, in, user_switch_apply, NULL, s);
}

/* ---- staff phones (outbox/staffbook.h) ---------------------------------------------- */

const char *api_check_staff_phone(const char *phone)
{
    return phone[0] && !outbox_is_mobile(phone) ? "手机号码应为11位大陆手机号，以1开头" : NULL;
}

static int phone_apply(eventlog_tx *tx, struct api_op *o)
{
    const char *user = o->data;
    Jiefen__UserRecord *u = NULL;
    int rc = account_get(tx->st, tx->txn, user, &u);
    if (rc == 0 && !u)
        rc = op_refuse(o, 404, "not_found", NULL, "无此用户：%s", user);
    else if (rc == 0 && (rc = staffbook_set(tx, u->user, u->role, u->department, u->disabled,
                                            api_str(o->in, "phone"))) == 0) {
        api_user_out(tx, o, u);
        log_info("account", "phone of %s %s by %s", u->user,
                 api_str(o->in, "phone")[0] ? "set" : "removed", api_actor(o->c, NULL));
    }
    account_free(&u);
    return rc;
}

static const char *const k_phone[] = {"phone", NULL};

void api_staff_phone(struct api_call *c, const http_request *r, const char *user)
{
    json_t *in = api_account_body(c, r, k_phone, k_none);
    const char *why = in ? api_check_staff_phone(api_str(in, "phone")) : NULL;
    char *data = in && !why ? strdup(user) : NULL;
    if (in && !why && !data)
        reply_error(c, 500, "internal", NULL, "内存不足");
    else if (why)
        reply_error(c, 400, "invalid_field", "phone", "%s", why);
    if (!data) {
        json_decref(in);
        return;
    }
    op_submit_data(c, in, phone_apply, NULL, data);
}

void route_session_phone(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    api_staff_phone(c, r, c->who.user);
}
