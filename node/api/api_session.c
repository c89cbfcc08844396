/* api_session — who is asking and the sessions of accounts (一人一密码): the bearer token
 * or a session cookie on every request (with its CSRF token on a state-changing one), login
 * and logout, a user's own password, and the removal of ended sessions. A login's
 * password is checked on the thread pool (api_account.h); a name that is no account is
 * answered from its stand-in (decoy.h), as an account would be. */
#include "api/api_account.h"
#include "api/api_routes.h"
#include "api/decoy.h"
#include "api/device.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "outbox/staffbook.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVICE_PENDING_MSG "此设备尚未登记，已提交登记申请，请联系管理员批准"
#define DEVICE_REVOKED_MSG "此设备未获批准或登记已撤销，登录已结束，请联系管理员"

/* ---- who is asking ------------------------------------------------------------------ */

static struct session_limits limits(const struct api *api)
{
    return (struct session_limits){(int64_t)api->dep.cfg->session_idle_minutes * 60000,
                                   (int64_t)api->dep.cfg->session_max_hours * 3600000};
}

struct touch {
    uint8_t key[CRYPTO_HASH_LEN];
    int64_t now;
};

static int touch_apply(eventlog_tx *tx, void *arg)
{
    struct touch *t = arg;
    Jiefen__SessionRecord *s = NULL;
    int rc = session_get(tx->st, tx->txn, t->key, &s);
    /* Due by the stored record: of a burst of requests only the first is written. */
    if (rc == 0 && s && session_touch_due(s, t->now)) {
        s->last_seen_ms = t->now;
        rc = session_put(tx->st, tx->txn, t->key, s);
    }
    session_free(&s);
    return rc;
}

static void touch_done(void *arg, int status)
{
    if (status)
        log_warn("session", "cannot record a session's use (%s)", jf_strerror(status));
    free(arg);
}

/* Stores the session's last use; the request does not wait for it. */
static void touch(struct api *api, const uint8_t *key, int64_t now)
{
    struct touch *t = malloc(sizeof *t);
    if (!t)
        return;
    memcpy(t->key, key, sizeof t->key);
    t->now = now;
    if (eventlog_submit(api->dep.log, touch_apply, touch_done, t))
        free(t);
}

/* The session of the cookie, with its user: 0 and the state, or a store error. With device
 * binding on, *device_ok says whether its device is approved for its user (else 1). */
static int session_of(struct api *api, const char *cookie, uint8_t *key,
                      Jiefen__SessionRecord **s, Jiefen__UserRecord **u,
                      enum session_state *state, int *device_ok)
{
    MDB_txn *txn;
    struct session_limits l = limits(api);
    *state = SESSION_VOID;
    *device_ok = 1;
    if (session_key(cookie, key))
        return 0;
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &txn);
    if (rc)
        return rc;
    if ((rc = session_get(api->dep.st, txn, key, s)) == 0 && *s)
        rc = account_get(api->dep.st, txn, (*s)->user, u);
    if (rc == 0 && *s && api->dep.cfg->device_binding)
        rc = device_approved(api->dep.st, txn, (*s)->user, (*s)->device, device_ok);
    store_txn_abort(txn);
    if (rc == 0 && *s)
        *state = session_check(*s, *u, &l, clock_now_ms());
    return rc;
}

/* The session's user and keys into c->who; its end counted from used_ms, its last use as
 * stored (or about to be). */
static void who_of_session(struct api_call *c, const Jiefen__SessionRecord *s,
                           const Jiefen__UserRecord *u, const uint8_t *key, int64_t used_ms)
{
    struct session_limits l = limits(c->api);
    struct api_who *w = &c->who;
    w->auth = API_AUTH_SESSION;
    w->role = permission_role_parse(u->role);
    snprintf(w->user, sizeof w->user, "%s", u->user);
    snprintf(w->name, sizeof w->name, "%s", u->name);
    snprintf(w->department, sizeof w->department, "%s", u->department);
    memcpy(w->key, key, sizeof w->key);
    snprintf(w->csrf, sizeof w->csrf, "%s", s->csrf);
    Jiefen__SessionRecord used = *s;
    used.last_seen_ms = used_ms;
    w->expires_ms = session_expires_ms(&used, &l);
}

#define EXPIRY_PATH "/api/v1/session/expiry"

/* Whether the request counts as a use of the session: all do but the console's look at
 * when it ends, which must not keep an idle session alive. */
static int counts_as_use(const http_request *r)
{
    return strcmp(r->method, "GET") || strcmp(r->path, EXPIRY_PATH);
}

static int session_identify(struct api_call *c, const http_request *r, const char *cookie)
{
    struct api *api = c->api;
    uint8_t key[CRYPTO_HASH_LEN];
    Jiefen__SessionRecord *s = NULL;
    Jiefen__UserRecord *u = NULL;
    enum session_state state;
    int64_t now = clock_now_ms();
    int device_ok;
    int rc = session_of(api, cookie, key, &s, &u, &state, &device_ok), out = -1;
    if (rc)
        reply_store_error(c, rc);
    else if (state == SESSION_EXPIRED)
        reply_error(c, 401, "session_expired", NULL, "登录已过期，请重新登录");
    else if (state != SESSION_VALID || !permission_role_parse(u->role))
        reply_error(c, 401, "session_expired", NULL, "登录已失效，请重新登录");
    else if (!device_ok)
        reply_error(c, 401, "device_revoked", NULL, DEVICE_REVOKED_MSG);
    else if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD") &&
             !session_csrf_ok(s, r->csrf_token))
        reply_error(c, 403, "csrf", NULL, "请求缺少有效的 CSRF 令牌，请刷新页面后重试");
    else
        out = 0;
    if (out == 0) {
        /* A use is stored at most once per SESSION_TOUCH_MS: the end answered is the one
         * the store will hold, not one a minute later. */
        int store_use = counts_as_use(r) && session_touch_due(s, now);
        who_of_session(c, s, u, key, store_use ? now : s->last_seen_ms);
        if (store_use)
            touch(api, key, now);
    }
    session_free(&s);
    account_free(&u);
    return out;
}

int api_identify(struct api_call *c, const http_request *r)
{
    char cookie[SESSION_HEX];
    if (r->authorization[0]) {
        if (strncmp(r->authorization, "Bearer ", 7) ||
            crypto_str_equal(r->authorization + 7, c->api->dep.token)) {
            reply_error(c, 401, "unauthorized", NULL, "需要有效的访问令牌");
            return -1;
        }
        c->who.auth = API_AUTH_TOKEN;
        c->who.role = ROLE_ADMIN;
        return 0;
    }
    char name[SESSION_COOKIE_MAX];
    session_cookie_name(c->api->dep.cfg->node_id, name);
    int got = http_cookie_get(r->cookie, name, cookie, sizeof cookie);
    if (got == -1)
        return 0;
    return session_identify(c, r, got < 0 ? "" : cookie);
}
/* ---- sessions ----------------------------------------------------------------------- */

static json_t *permissions_json(const struct api_call *c)
{
    json_t *list = json_array();
    for (int p = 0; p < PERM_COUNT; p++)
        if (api_grant(c, (enum perm)p) != GRANT_NO)
            json_array_append_new(list, json_string(permission_code((enum perm)p)));
    return list;
}

/* What GET /session and a login answer about the caller. */
static json_t *session_json(const struct api_call *c)
{
    const struct api *api = c->api;
    int token = c->who.auth == API_AUTH_TOKEN;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:o, s:s}", "user",
                     token ? "admin" : c->who.user, "name", token ? "本机管理令牌" : c->who.name,
                     "role", permission_role_code(c->who.role), "role_name",
                     permission_role_name(c->who.role), "node_id", api->dep.cfg->node_id, "node_name",
                     api->dep.cfg->node_name, "tier", config_tier_name(api->dep.cfg->tier), "token", token,
                     "csrf", c->who.csrf, "permissions", permissions_json(c), "department",
                     c->who.department);
}

/* When the caller's session ends if unused, on this node's clock (the console counts down
 * from now_ms, not from its own clock), and the idle limit. */
static json_t *with_expiry(json_t *out, const struct api_call *c, int64_t expires_ms)
{
    json_object_set_new(out, "expires_ms", json_integer(expires_ms));
    json_object_set_new(out, "now_ms", json_integer(clock_now_ms()));
    json_object_set_new(out, "idle_ms", json_integer(limits(c->api).idle_ms));
    return out;
}

#define BAD_LOGIN "用户名或密码错误"

/* Counts a failed check of u's password and refuses: 423 if that locked it, else with the
 * caller's status, code, field and message. An account's count is stored; a stand-in's
 * (decoy.h) only kept in memory, by the same rules. Returns 0 (or a store error) so that
 * the count is kept. */
static int refuse_counted(eventlog_tx *tx, struct api_op *o, Jiefen__UserRecord *u, int stored,
                          int status, const char *code, const char *field, const char *msg)
{
    struct api *api = o->c->api;
    char locked[160];
    int now_locked = account_failed(u, tx->now_ms, api->dep.cfg->lock_failures,
                                    api->dep.cfg->lock_minutes);
    int rc = stored ? account_put(tx->st, tx->txn, u) : 0;
    if (rc)
        return rc;
    if (now_locked) {
        log_warn("account", "%s%s locked after %d failed password checks", u->user,
                 stored ? "" : " (no account here)", api->dep.cfg->lock_failures);
        op_refuse(o, 423, "locked", NULL, "%s", account_locked_message(u, locked, sizeof locked));
    } else {
        op_refuse(o, status, code, field, "%s", msg);
    }
    return 0;
}

/* The session under key records the device it was opened from. */
static int session_bind_device(eventlog_tx *tx, const uint8_t *key, const char *device)
{
    Jiefen__SessionRecord *s = NULL;
    int rc = session_get(tx->st, tx->txn, key, &s);
    if (rc == 0 && s) {
        s->device = (char *)device;
        rc = session_put(tx->st, tx->txn, key, s);
        s->device = NULL;
    }
    session_free(&s);
    return rc;
}

/* 一机一账号: with binding on, a login of u from a device not approved for it is refused
 * (*refused), and recorded as a request for approval. 0, or a store error. */
static int device_gate(eventlog_tx *tx, struct api_op *o, const Jiefen__UserRecord *u,
                       int *refused)
{
    const char *device = api_str(o->in, "device");
    int ok = 1;
    int rc = o->c->api->dep.cfg->device_binding
                 ? device_approved(tx->st, tx->txn, u->user, device, &ok)
                 : 0;
    *refused = rc == 0 && !ok;
    if (!*refused)
        return rc;
    if (!device[0]) {
        log_warn("device", "login of %s refused: no device id sent", u->user);
        op_refuse(o, 403, "device_required", "device",
                  "本中心只允许已登记的设备登录，请在控制台登录以提交设备登记申请");
        return 0;
    }
    char id[DEVICE_ID_HEX];
    device_id(u->user, device, id);
    if ((rc = device_refused(tx->st, tx->txn, u->user, device, api_str(o->in, "device_label"),
                             tx->now_ms)) == 0) {
        log_warn("device", "login of %s refused: device %s not approved", u->user, id);
        op_refuse(o, 403, "device_pending", "device", DEVICE_PENDING_MSG);
    }
    return rc;
}

static int login_ok(eventlog_tx *tx, struct api_op *o, Jiefen__UserRecord *u)
{
    struct api_call *c = o->c;
    struct session_limits l = limits(c->api);
    char cookie[SESSION_HEX], csrf[SESSION_HEX];
    uint8_t key[CRYPTO_HASH_LEN];
    account_logged_in(u, tx->now_ms);
    int rc = account_put(tx->st, tx->txn, u);
    if (rc == 0)
        rc = session_create(tx->st, tx->txn, u, tx->now_ms, cookie, csrf, key);
    if (rc == 0 && c->api->dep.cfg->device_binding)
        rc = session_bind_device(tx, key, api_str(o->in, "device"));
    if (rc == 0) {
        /* The answer speaks for the new session, as GET /session will. */
        Jiefen__SessionRecord s = JIEFEN__SESSION_RECORD__INIT;
        s.csrf = csrf;
        s.created_ms = tx->now_ms;
        who_of_session(c, &s, u, key, tx->now_ms);
        session_cookie_header(c->headers, sizeof c->headers, c->api->dep.cfg->node_id, cookie,
                              l.max_ms / 1000);
        o->out = with_expiry(session_json(c), c, c->who.expires_ms);
    }
    crypto_wipe(cookie, sizeof cookie);
    return rc;
}

/* A wrong login with a name that is no account: refused as an account's would be, so the
 * answer does not tell them apart. */
static int refuse_decoy(eventlog_tx *tx, struct api_op *o, const char *user)
{
    char locked[160];
    Jiefen__UserRecord *d = decoy_get(&o->c->api->decoys, user, tx->now_ms);
    if (!d)
        return op_refuse(o, 401, "bad_login", NULL, BAD_LOGIN);
    if (account_locked(d, tx->now_ms))
        return op_refuse(o, 423, "locked", NULL, "%s",
                         account_locked_message(d, locked, sizeof locked));
    return refuse_counted(tx, o, d, 0, 401, "bad_login", NULL, BAD_LOGIN);
}

static int login_apply(eventlog_tx *tx, struct api_op *o)
{
    const struct pw_result *res = o->data;
    Jiefen__UserRecord *u = NULL;
    char locked[160];
    int refused = 0;
    o->c->headers[0] = 0;
    int rc = account_get(tx->st, tx->txn, res->user, &u);
    if (rc)
        return rc;
    if (!u && !res->generation)
        rc = refuse_decoy(tx, o, res->user);
    /* A password set since the check started was not the one checked. */
    else if (!u || u->generation != res->generation)
        rc = op_refuse(o, 401, "bad_login", NULL, BAD_LOGIN);
    else if (account_locked(u, tx->now_ms))
        rc = op_refuse(o, 423, "locked", NULL, "%s",
                       account_locked_message(u, locked, sizeof locked));
    else if (!res->match)
        rc = refuse_counted(tx, o, u, 1, 401, "bad_login", NULL, BAD_LOGIN);
    else if (u->disabled)
        rc = op_refuse(o, 403, "disabled", NULL, "账户已停用，请联系管理员");
    else if ((rc = device_gate(tx, o, u, &refused)) || refused)
        ;
    else if ((rc = login_ok(tx, o, u)) == 0)
        log_info("session", "%s logged in", u->user);
    account_free(&u);
    return rc;
}

static const char *const k_login[] = {"user", "password", "device", "device_label", NULL};
static const char *const k_login_required[] = {"user", "password", NULL};

/* Why the body's device (optional) is not acceptable: 0, or -1 once answered 400. */
static int login_device_bad(struct api_call *c, const json_t *in)
{
    const char *device = api_str(in, "device"), *label = api_str(in, "device_label");
    const char *why = device[0] ? device_check(device) : NULL;
    if (why)
        reply_error(c, 400, "invalid_field", "device", "%s", why);
    else if (strlen(label) > DEVICE_LABEL_MAX || !utf8_valid(label))
        reply_error(c, 400, "invalid_field", "device_label", "设备名称过长（最多 %d 字节）",
                    DEVICE_LABEL_MAX);
    else
        return 0;
    return -1;
}

void route_session_login(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    json_t *in = api_account_body(c, r, k_login, k_login_required);
    Jiefen__UserRecord *u = NULL;
    char locked[160];
    if (!in || login_device_bad(c, in) || api_read_user(c, api_str(in, "user"), &u)) {
        json_decref(in);
        return;
    }
    /* An unknown name is answered from its stand-in, as if it were an account. */
    const Jiefen__UserRecord *as = u ? u : decoy_find(c->api->decoys, api_str(in, "user"));
    if (as && account_locked(as, clock_now_ms())) {
        reply_error(c, 423, "locked", NULL, "%s", account_locked_message(as, locked, sizeof locked));
        json_decref(in);
    } else {
        struct pw_job *j = pw_job_new(c, in, login_apply);
        if (j) {
            j->verify = 1;
            /* A name no account could have stays "": a plain 401, never a stand-in (cut
             * to fit, it could stand for another name). */
            if (!account_check_user(api_str(in, "user")))
                snprintf(j->res.user, sizeof j->res.user, "%s", api_str(in, "user"));
            if (u) {
                snprintf(j->stored, sizeof j->stored, "%s", u->password_hash);
                j->res.generation = u->generation;
            }
            /* An over-long password is no stored one: it is checked as "" (never matches). */
            if (strlen(api_str(in, "password")) <= ACCOUNT_PASSWORD_MAX)
                api_take_password(in, "password", j->check, sizeof j->check);
            json_object_del(in, "password");
            pw_queue(j, as ? account_delay_ms(as) : 0);
        }
    }
    account_free(&u);
}

/* The session's user's staff phone, masked ("" for none and for the token). */
static json_t *own_phone(const struct api_call *c)
{
    char masked[OUTBOX_MASK_MAX] = "";
    MDB_txn *txn;
    if (c->who.auth == API_AUTH_SESSION &&
        store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn) == 0) {
        if (staffbook_masked(c->api->dep.st, txn, c->who.user, masked))
            masked[0] = '\0';
        store_txn_abort(txn);
    }
    return json_string(masked);
}

void route_session_show(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    json_t *out = session_json(c);
    if (out)
        json_object_set_new(out, "phone", own_phone(c));
    reply_json(c, 200, with_expiry(out, c, c->who.expires_ms));
}

void route_session_expiry(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    reply_json(c, 200, with_expiry(json_object(), c, c->who.expires_ms));
}

/* The idle limit runs from this commit: stored now, whatever the last stored use. */
static int touch_now_apply(eventlog_tx *tx, struct api_op *o)
{
    Jiefen__SessionRecord *s = NULL;
    struct session_limits l = limits(o->c->api);
    int rc = session_get(tx->st, tx->txn, o->c->who.key, &s);
    if (rc == 0 && !s)
        rc = op_refuse(o, 401, "session_expired", NULL, "登录已失效，请重新登录");
    else if (rc == 0) {
        s->last_seen_ms = tx->now_ms;
        if ((rc = session_put(tx->st, tx->txn, o->c->who.key, s)) == 0)
            o->out = with_expiry(json_object(), o->c, session_expires_ms(s, &l));
    }
    session_free(&s);
    return rc;
}

void route_session_touch(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    op_submit(c, json_object(), touch_now_apply, NULL);
}

static int logout_apply(eventlog_tx *tx, struct api_op *o)
{
    session_cookie_header(o->c->headers, sizeof o->c->headers, o->c->api->dep.cfg->node_id,
                          NULL, 0);
    o->out = json_object();
    return session_delete(tx->st, tx->txn, o->c->who.key);
}

void route_session_logout(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    log_info("session", "%s logged out", c->who.user);
    op_submit(c, json_object(), logout_apply, NULL);
}

/* u with a new password hash, written and answered: every session of the old generation
 * ends. *//* The caller's session belongs to the new generation: changing one's own password keeps
 * one logged in here and ends every other session. */
static int keep_own_session(eventlog_tx *tx, struct api_op *o, uint32_t generation)
{
    Jiefen__SessionRecord *s = NULL;
    int rc = session_get(tx->st, tx->txn, o->c->who.key, &s);
    if (rc == 0 && s) {
        s->generation = generation;
        rc = session_put(tx->st, tx->txn, o->c->who.key, s);
    }
    session_free(&s);
    return rc;
}

static int own_passwd_apply(eventlog_tx *tx, struct api_op *o)
{
    const struct pw_result *res = o->data;
    Jiefen__UserRecord *u = NULL;
    int rc = account_get(tx->st, tx->txn, res->user, &u);
    if (rc)
        return rc;
    if (!u || u->generation != res->generation)
        rc = op_refuse(o, 409, "password_changed", NULL, "密码刚被修改过，请重新登录后再试");
    else if (!res->match)
        rc = refuse_counted(tx, o, u, 1, 400, "invalid_field", "old", "原密码不正确");
    else if ((rc = api_put_password(tx, o, u, res->hash)) == 0 &&
             (rc = keep_own_session(tx, o, u->generation + 1)) == 0)
        log_info("account", "%s changed their password", u->user);
    account_free(&u);
    return rc;
}

static const char *const k_passwd[] = {"old", "new", NULL};

void route_session_passwd(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    json_t *in = api_account_body(c, r, k_passwd, k_passwd);
    Jiefen__UserRecord *u = NULL;
    char locked[160];
    const char *why = in ? account_check_password(c->who.user, api_str(in, "new")) : NULL;
    if (!in || why || api_read_user(c, c->who.user, &u)) {
        if (why)
            reply_error(c, 400, "invalid_field", "new", "%s", why);
        json_decref(in);
        return;
    }
    if (!u) {
        reply_error(c, 401, "session_expired", NULL, "登录已失效，请重新登录");
        json_decref(in);
    } else if (account_locked(u, clock_now_ms())) {
        reply_error(c, 423, "locked", NULL, "%s", account_locked_message(u, locked, sizeof locked));
        json_decref(in);
    } else {
        struct pw_job *j = pw_job_new(c, in, own_passwd_apply);
        if (j) {
            j->verify = 1;
            snprintf(j->stored, sizeof j->stored, "%s", u->password_hash);
            snprintf(j->res.user, sizeof j->res.user, "%s", u->user);
            j->res.generation = u->generation;
            if (strlen(api_str(in, "old")) <= ACCOUNT_PASSWORD_MAX)
                api_take_password(in, "old", j->check, sizeof j->check);
            api_take_password(in, "new", j->set, sizeof j->set);
            json_object_del(in, "old");
            pw_queue(j, account_delay_ms(u));
        }
    }
    account_free(&u);
}
/* ---- housekeeping ------------------------------------------------------------------- */

struct sweep {
    struct session_limits l;
    unsigned removed;
};

static int sweep_apply(eventlog_tx *tx, void *arg)
{
    struct sweep *s = arg;
    return session_sweep(tx->st, tx->txn, &s->l, tx->now_ms, &s->removed);
}

static void sweep_done(void *arg, int status)
{
    struct sweep *s = arg;
    if (status)
        log_warn("session", "cannot remove ended sessions (%s)", jf_strerror(status));
    else if (s->removed)
        log_info("session", "%u ended sessions removed", s->removed);
    free(s);
}

void api_session_sweep(struct api *api)
{
    struct sweep *s = calloc(1, sizeof *s);
    if (!s)
        return;
    s->l = limits(api);
    if (eventlog_submit(api->dep.log, sweep_apply, sweep_done, s))
        free(s);
}
