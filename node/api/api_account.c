/* api_account — who is asking and the routes of accounts (一人一密码): the bearer token or
 * a session cookie on every request (with its CSRF token on a state-changing one), login
 * and logout, a user's own password, and the node's users for its administrators.
 *
 * Passwords are checked and hashed on the thread pool (argon2id, about 0.1 s each), at most
 * ACCOUNT_HASHES_MAX at once; a login after ACCOUNT_SLOW_AFTER failures in a row waits its
 * delay in n->pw_waiting under one timer, so neither holds the loop. What a check decides
 * (a session made, a failure counted, a password set) is then one operation of the group
 * commit, answered once durable. */
#include "api/api.h"
#include "api/api_internal.h"
#include "clock.h"
#include "api/decoy.h"
#include "error.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAITING_MAX 64    /* logins and password changes waiting for the pool */

/* ---- who is asking ------------------------------------------------------------------ */

static struct session_limits limits(const struct node *n)
{
    return (struct session_limits){(int64_t)n->cfg.session_idle_minutes * 60000,
                                   (int64_t)n->cfg.session_max_hours * 3600000};
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
static void touch(struct node *n, const uint8_t *key, int64_t now)
{
    struct touch *t = malloc(sizeof *t);
    if (!t)
        return;
    memcpy(t->key, key, sizeof t->key);
    t->now = now;
    if (node_log_submit(n, touch_apply, touch_done, t))
        free(t);
}

/* The session of the cookie, with its user: 0 and the state, or a store error. */
static int session_of(struct node *n, const char *cookie, uint8_t *key,
                      Jiefen__SessionRecord **s, Jiefen__UserRecord **u,
                      enum session_state *state)
{
    MDB_txn *txn;
    struct session_limits l = limits(n);
    *state = SESSION_VOID;
    if (session_key(cookie, key))
        return 0;
    int rc = store_txn_begin(n->st, MDB_RDONLY, &txn);
    if (rc)
        return rc;
    if ((rc = session_get(n->st, txn, key, s)) == 0 && *s)
        rc = account_get(n->st, txn, (*s)->user, u);
    mdb_txn_abort(txn);
    if (rc == 0 && *s)
        *state = session_check(*s, *u, &l, clock_now_ms());
    return rc;
}

static void who_of_session(struct api_call *c, const Jiefen__SessionRecord *s,
                           const Jiefen__UserRecord *u, const uint8_t *key, int64_t now)
{
    struct session_limits l = limits(c->n);
    struct api_who *w = &c->who;
    w->auth = API_AUTH_SESSION;
    w->role = permission_role_parse(u->role);
    snprintf(w->user, sizeof w->user, "%s", u->user);
    snprintf(w->name, sizeof w->name, "%s", u->name);
    memcpy(w->key, key, sizeof w->key);
    snprintf(w->csrf, sizeof w->csrf, "%s", s->csrf);
    /* This request counts as a use: the idle limit runs from now. */
    Jiefen__SessionRecord used = *s;
    used.last_seen_ms = now;
    w->expires_ms = session_expires_ms(&used, &l);
}

static int session_identify(struct api_call *c, const http_request *r, const char *cookie)
{
    struct node *n = c->n;
    uint8_t key[CRYPTO_HASH_LEN];
    Jiefen__SessionRecord *s = NULL;
    Jiefen__UserRecord *u = NULL;
    enum session_state state;
    int64_t now = clock_now_ms();
    int rc = session_of(n, cookie, key, &s, &u, &state), out = -1;
    if (rc)
        reply_store_error(c, rc);
    else if (state == SESSION_EXPIRED)
        reply_error(c, 401, "session_expired", NULL, "登录已过期，请重新登录");
    else if (state != SESSION_VALID || !permission_role_parse(u->role))
        reply_error(c, 401, "session_expired", NULL, "登录已失效，请重新登录");
    else if (strcmp(r->method, "GET") && strcmp(r->method, "HEAD") &&
             !session_csrf_ok(s, r->csrf_token))
        reply_error(c, 403, "csrf", NULL, "请求缺少有效的 CSRF 令牌，请刷新页面后重试");
    else
        out = 0;
    if (out == 0) {
        who_of_session(c, s, u, key, now);
        if (session_touch_due(s, now))
            touch(n, key, now);
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
            crypto_str_equal(r->authorization + 7, c->n->token)) {
            reply_error(c, 401, "unauthorized", NULL, "需要有效的访问令牌");
            return -1;
        }
        c->who.auth = API_AUTH_TOKEN;
        c->who.role = ROLE_ADMIN;
        return 0;
    }
    char name[SESSION_COOKIE_MAX];
    session_cookie_name(c->n->cfg.node_id, name);
    int got = http_cookie_get(r->cookie, name, cookie, sizeof cookie);
    if (got == -1)
        return 0;
    return session_identify(c, r, got < 0 ? "" : cookie);
}

const char *api_actor(const struct api_call *c, const json_t *in)
{
    if (c->who.auth == API_AUTH_SESSION)
        return c->who.user;
    return eventlog_actor(in ? op_str(in, "actor") : NULL);
}

enum grant api_grant(const struct api_call *c, enum perm p)
{
    if (c->who.auth == API_AUTH_TOKEN)
        return GRANT_YES;
    return c->who.auth == API_AUTH_SESSION ? permission_grant(c->who.role, p) : GRANT_NO;
}

int api_permit(struct api_call *c, enum perm p)
{
    if (api_grant(c, p) != GRANT_NO)
        return 0;
    const char *role = permission_role_name(c->who.role);
    reply_error(c, 403, "forbidden", NULL, "当前角色（%s）无权执行此操作", role ? role : "未登录");
    return -1;
}

int api_leads(const struct api_call *c, const Jiefen__CaseView *v)
{
    const char *leader = v->leader ? v->leader->leader : "";
    return leader[0] && (strcmp(leader, c->who.user) == 0 || strcmp(leader, c->who.name) == 0);
}

/* ---- password checks on the thread pool --------------------------------------------- */

/* What the pool found, handed to the operation that records it (o->data). */
struct pw_result {
    char user[ACCOUNT_USER_MAX + 1];
    uint32_t generation;            /* the user's when the check started; 0: no account */
    int match;                      /* the password checked matched */
    char hash[CRYPTO_PWHASH_MAX];   /* the new password's hash, "" for none */
};

struct pw_job {
    uv_work_t work;
    struct api_call *c;
    json_t *in;                     /* the request body, its passwords removed */
    op_apply_fn apply;              /* records the result in the group commit */
    uint64_t due;                   /* uv_now() from which it may run (a slowed login) */
    struct pw_job *next;            /* in n->pw_waiting */
    int verify;                     /* check `check` against `stored` */
    char stored[CRYPTO_PWHASH_MAX]; /* "" when the user is unknown */
    char check[ACCOUNT_PASSWORD_MAX + 1];
    char set[ACCOUNT_PASSWORD_MAX + 1]; /* hashed when not "" (and the check matched) */
    int rc;
    struct pw_result res;
};

static void pw_free(struct pw_job *j)
{
    crypto_wipe(j->check, sizeof j->check);
    crypto_wipe(j->set, sizeof j->set);
    json_decref(j->in);
    free(j);
}

static void pw_work(uv_work_t *w)
{
    struct pw_job *j = w->data;
    if (j->verify)
        j->res.match = crypto_password_verify(j->stored, j->check) == 0;
    if (j->set[0] && (!j->verify || j->res.match))
        j->rc = crypto_password_hash(j->set, j->res.hash);
}

static void pw_run_ready(struct node *n);

static void pw_after(uv_work_t *w, int status)
{
    struct pw_job *j = w->data;
    struct api_call *c = j->c;
    struct node *n = c->n;
    struct pw_result *res = malloc(sizeof *res);
    n->pw_running--;
    if (n->stopping || status || j->rc || !res) {
        free(res);
        if (n->stopping)
            reply_error(c, 503, "stopping", NULL, "节点正在停止，请稍后再试");
        else
            reply_error(c, 500, "internal", NULL, "密码处理失败：%s",
                        jf_strerror(status ? status : j->rc ? j->rc : -ENOMEM));
    } else {
        *res = j->res;
        op_submit_data(c, j->in, j->apply, NULL, res);
        j->in = NULL;
    }
    pw_free(j);
    pw_run_ready(n);
}

/* Removes and returns the first waiting job that is due, or NULL; *next is the earliest
 * time one still waits for (0: none waits). */
static struct pw_job *pw_take_due(struct node *n, uint64_t now, uint64_t *next)
{
    struct pw_job **p = &n->pw_waiting, *found = NULL;
    *next = 0;
    for (; *p; p = &(*p)->next) {
        if ((*p)->due <= now) {
            found = *p;
            *p = found->next;
            break;
        }
    }
    for (struct pw_job *j = n->pw_waiting; j; j = j->next)
        if (j->due > now && (!*next || j->due < *next))
            *next = j->due;
    return found;
}

static void pw_timer_cb(uv_timer_t *t)
{
    pw_run_ready(t->data);
}

/* Starts what may start, and sets the timer for the next slowed one. */
static void pw_run_ready(struct node *n)
{
    uint64_t now = uv_now(&n->loop), next = 0;
    struct pw_job *j;
    while (n->pw_running < ACCOUNT_HASHES_MAX && (j = pw_take_due(n, now, &next))) {
        int rc = uv_queue_work(&n->loop, &j->work, pw_work, pw_after);
        if (rc) {
            reply_error(j->c, 500, "internal", NULL, "无法启动密码校验：%s", uv_strerror(rc));
            pw_free(j);
            continue;
        }
        n->pw_running++;
    }
    if (!n->stopping && next)
        uv_timer_start(&n->pw_timer, pw_timer_cb, next - now, 0);
}

/* Queues j, last, to run after delay_ms (taking it), or answers 503 when too many wait. */
static void pw_queue(struct pw_job *j, int64_t delay_ms)
{
    struct node *n = j->c->n;
    struct pw_job **tail = &n->pw_waiting;
    int count = 0;
    for (; *tail; tail = &(*tail)->next)
        count++;
    if (count >= WAITING_MAX) {
        reply_error(j->c, 503, "busy", NULL, "登录请求过多，请稍后再试");
        pw_free(j);
        return;
    }
    j->work.data = j;
    j->due = uv_now(&n->loop) + (uint64_t)delay_ms;
    *tail = j;
    pw_run_ready(n);
}

/* A job for call c with body `in` (taken) whose result `apply` records. NULL (answered 500)
 * when out of memory. */
static struct pw_job *pw_job_new(struct api_call *c, json_t *in, op_apply_fn apply)
{
    struct pw_job *j = calloc(1, sizeof *j);
    if (!j) {
        json_decref(in);
        reply_error(c, 500, "internal", NULL, "内存不足");
        return NULL;
    }
    j->c = c;
    j->in = in;
    j->apply = apply;
    return j;
}

/* Moves the body's password member into buf and removes it from the body. */
static void take_password(json_t *in, const char *key, char *buf, size_t len)
{
    snprintf(buf, len, "%s", op_str(in, key));
    json_object_del(in, key);
}

void api_account_init(struct node *n)
{
    uv_timer_init(&n->loop, &n->pw_timer);
    n->pw_timer.data = n;
}

void api_account_stop(struct node *n)
{
    uv_timer_stop(&n->pw_timer);
    while (n->pw_waiting) {
        struct pw_job *j = n->pw_waiting;
        n->pw_waiting = j->next;
        reply_error(j->c, 503, "stopping", NULL, "节点正在停止，请稍后再试");
        pw_free(j);
    }
}

/* ---- the body of an account route --------------------------------------------------- */

/* What the staff call a member of an account route's body. */
static const char *label(const char *key)
{
    static const char *const names[][2] = {{"user", "用户名"}, {"name", "姓名"},
                                           {"role", "角色"},   {"password", "密码"},
                                           {"old", "原密码"},  {"new", "新密码"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], key) == 0)
            return names[i][1];
    return key;
}

/* The body's members must be among `keys`, each a string; those in `required` must not be
 * empty. 0, or -1 once answered 400. */
static int check_body(struct api_call *c, const json_t *in, const char *const *keys,
                      const char *const *required)
{
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)in, key, v) {
        int known = 0;
        for (size_t i = 0; keys[i] && !known; i++)
            known = strcmp(keys[i], key) == 0;
        if (!known) {
            reply_error(c, 400, "unknown_field", key, "不认识的字段 %s", key);
            return -1;
        }
        if (!json_is_string(v)) {
            reply_error(c, 400, "invalid_field", key, "%s应为文字", label(key));
            return -1;
        }
    }
    for (size_t i = 0; required[i]; i++) {
        if (!op_str(in, required[i])[0]) {
            reply_error(c, 400, "missing_field", required[i], "请填写%s", label(required[i]));
            return -1;
        }
    }
    return 0;
}

/* A JSON body as api_body() reads it, checked by check_body(). NULL once answered. */
static json_t *account_body(struct api_call *c, const http_request *r, const char *const *keys,
                            const char *const *required)
{
    json_t *in = r->body_len ? api_body(c, r) : json_object();
    if (in && check_body(c, in, keys, required)) {
        json_decref(in);
        return NULL;
    }
    return in;
}

/* The user's record now: 0 and *u (NULL: none), or -1 once answered 503. */
static int read_user(struct api_call *c, const char *user, Jiefen__UserRecord **u)
{
    MDB_txn *txn;
    int rc = store_txn_begin(c->n->st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = account_get(c->n->st, txn, user, u);
        mdb_txn_abort(txn);
    }
    if (rc)
        reply_store_error(c, rc);
    return rc ? -1 : 0;
}

static void user_out(struct api_op *o, const Jiefen__UserRecord *u, int64_t now)
{
    o->out = json_pack("{s:o}", "user", account_json(u, now));
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
    const struct node *n = c->n;
    int token = c->who.auth == API_AUTH_TOKEN;
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:I, s:o}", "user",
                     token ? "admin" : c->who.user, "name", token ? "本机管理令牌" : c->who.name,
                     "role", permission_role_code(c->who.role), "role_name",
                     permission_role_name(c->who.role), "node_id", n->cfg.node_id, "node_name",
                     n->cfg.node_name, "tier", config_tier_name(n->cfg.tier), "token", token,
                     "csrf", c->who.csrf, "expires_ms", (json_int_t)c->who.expires_ms,
                     "permissions", permissions_json(c));
}

#define BAD_LOGIN "用户名或密码错误"

/* Counts a failed check of u's password and refuses: 423 if that locked it, else with the
 * caller's status, code, field and message. An account's count is stored; a stand-in's
 * (decoy.h) only kept in memory, by the same rules. Returns 0 (or a store error) so that
 * the count is kept. */
static int refuse_counted(eventlog_tx *tx, struct api_op *o, Jiefen__UserRecord *u, int stored,
                          int status, const char *code, const char *field, const char *msg)
{
    struct node *n = o->c->n;
    char locked[160];
    int now_locked = account_failed(u, tx->now_ms, n->cfg.lock_failures, n->cfg.lock_minutes);
    int rc = stored ? account_put(tx->st, tx->txn, u) : 0;
    if (rc)
        return rc;
    if (now_locked) {
        log_warn("account", "%s%s locked after %d failed password checks", u->user,
                 stored ? "" : " (no account here)", n->cfg.lock_failures);
        op_refuse(o, 423, "locked", NULL, "%s", account_locked_message(u, locked, sizeof locked));
    } else {
        op_refuse(o, status, code, field, "%s", msg);
    }
    return 0;
}

static int login_ok(eventlog_tx *tx, struct api_op *o, Jiefen__UserRecord *u)
{
    struct api_call *c = o->c;
    struct session_limits l = limits(c->n);
    char cookie[SESSION_HEX], csrf[SESSION_HEX];
    uint8_t key[CRYPTO_HASH_LEN];
    account_logged_in(u, tx->now_ms);
    int rc = account_put(tx->st, tx->txn, u);
    if (rc == 0)
        rc = session_create(tx->st, tx->txn, u, tx->now_ms, cookie, csrf, key);
    if (rc == 0) {
        /* The answer speaks for the new session, as GET /session will. */
        Jiefen__SessionRecord s = JIEFEN__SESSION_RECORD__INIT;
        s.csrf = csrf;
        s.created_ms = tx->now_ms;
        who_of_session(c, &s, u, key, tx->now_ms);
        session_cookie_header(c->headers, sizeof c->headers, c->n->cfg.node_id, cookie,
                              l.max_ms / 1000);
        o->out = session_json(c);
    }
    crypto_wipe(cookie, sizeof cookie);
    return rc;
}

/* A wrong login with a name that is no account: refused as an account's would be, so the
 * answer does not tell them apart. */
static int refuse_decoy(eventlog_tx *tx, struct api_op *o, const char *user)
{
    char locked[160];
    Jiefen__UserRecord *d = decoy_get(&o->c->n->decoys, user, tx->now_ms);
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
    else if ((rc = login_ok(tx, o, u)) == 0)
        log_info("session", "%s logged in", u->user);
    account_free(&u);
    return rc;
}

static const char *const k_login[] = {"user", "password", NULL};

void route_session_login(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    json_t *in = account_body(c, r, k_login, k_login);
    Jiefen__UserRecord *u = NULL;
    char locked[160];
    if (!in || read_user(c, op_str(in, "user"), &u)) {
        json_decref(in);
        return;
    }
    /* An unknown name is answered from its stand-in, as if it were an account. */
    const Jiefen__UserRecord *as = u ? u : decoy_find(c->n->decoys, op_str(in, "user"));
    if (as && account_locked(as, clock_now_ms())) {
        reply_error(c, 423, "locked", NULL, "%s", account_locked_message(as, locked, sizeof locked));
        json_decref(in);
    } else {
        struct pw_job *j = pw_job_new(c, in, login_apply);
        if (j) {
            j->verify = 1;
            /* A name no account could have stays "": a plain 401, never a stand-in (cut
             * to fit, it could stand for another name). */
            if (!account_check_user(op_str(in, "user")))
                snprintf(j->res.user, sizeof j->res.user, "%s", op_str(in, "user"));
            if (u) {
                snprintf(j->stored, sizeof j->stored, "%s", u->password_hash);
                j->res.generation = u->generation;
            }
            /* An over-long password is no stored one: it is checked as "" (never matches). */
            if (strlen(op_str(in, "password")) <= ACCOUNT_PASSWORD_MAX)
                take_password(in, "password", j->check, sizeof j->check);
            json_object_del(in, "password");
            pw_queue(j, as ? account_delay_ms(as) : 0);
        }
    }
    account_free(&u);
}

void route_session_show(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    reply_json(c, 200, session_json(c));
}

static int logout_apply(eventlog_tx *tx, struct api_op *o)
{
    session_cookie_header(o->c->headers, sizeof o->c->headers, o->c->n->cfg.node_id, NULL, 0);
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
 * ends. */
static int put_password(eventlog_tx *tx, struct api_op *o, const Jiefen__UserRecord *u,
                        const char *hash)
{
    Jiefen__UserRecord w = *u;
    w.password_hash = (char *)hash;
    w.password_ms = tx->now_ms;
    w.generation = u->generation + 1;
    w.failures = 0;
    w.locked_until_ms = 0;
    int rc = account_put(tx->st, tx->txn, &w);
    if (rc == 0)
        user_out(o, &w, tx->now_ms);
    return rc;
}

/* The caller's session belongs to the new generation: changing one's own password keeps
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
    else if ((rc = put_password(tx, o, u, res->hash)) == 0 &&
             (rc = keep_own_session(tx, o, u->generation + 1)) == 0)
        log_info("account", "%s changed their password", u->user);
    account_free(&u);
    return rc;
}

static const char *const k_passwd[] = {"old", "new", NULL};

void route_session_passwd(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    json_t *in = account_body(c, r, k_passwd, k_passwd);
    Jiefen__UserRecord *u = NULL;
    char locked[160];
    const char *why = in ? account_check_password(c->who.user, op_str(in, "new")) : NULL;
    if (!in || why || read_user(c, c->who.user, &u)) {
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
            if (strlen(op_str(in, "old")) <= ACCOUNT_PASSWORD_MAX)
                take_password(in, "old", j->check, sizeof j->check);
            take_password(in, "new", j->set, sizeof j->set);
            json_object_del(in, "old");
            pw_queue(j, account_delay_ms(u));
        }
    }
    account_free(&u);
}

/* ---- users (for administrators) ------------------------------------------------------ */

struct user_list {
    json_t *list;
    int64_t now;
};

static int add_user_json(const Jiefen__UserRecord *u, void *arg)
{
    struct user_list *l = arg;
    return json_array_append_new(l->list, account_json(u, l->now)) ? -ENOMEM : 0;
}

void route_users(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct user_list l = {json_array(), clock_now_ms()};
    MDB_txn *txn;
    int rc = store_txn_begin(c->n->st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = account_each(c->n->st, txn, add_user_json, &l);
        mdb_txn_abort(txn);
    }
    if (rc) {
        json_decref(l.list);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "users", l.list));
}

static int user_add_apply(eventlog_tx *tx, struct api_op *o)
{
    const struct pw_result *res = o->data;
    const char *name = op_str(o->in, "name");
    Jiefen__UserRecord *have = NULL;
    int rc = account_get(tx->st, tx->txn, res->user, &have), exists = have != NULL;
    account_free(&have);
    if (exists)
        return op_refuse(o, 409, "user_exists", "user", "用户名 %s 已存在", res->user);
    Jiefen__UserRecord u = JIEFEN__USER_RECORD__INIT;
    u.user = (char *)res->user;
    u.name = (char *)(name[0] ? name : res->user);
    u.role = (char *)permission_role_code(permission_role_parse(op_str(o->in, "role")));
    u.password_hash = (char *)res->hash;
    u.created_ms = u.password_ms = tx->now_ms;
    u.generation = 1;
    if (rc == 0 && (rc = account_put(tx->st, tx->txn, &u)) == 0) {
        user_out(o, &u, tx->now_ms);
        log_info("account", "user %s (%s) added by %s", u.user, u.role, api_actor(o->c, NULL));
    }
    return rc;
}

static const char *const k_add[] = {"user", "name", "role", "password", NULL};
static const char *const k_add_required[] = {"user", "role", "password", NULL};

/* Why the new user's fields are wrong (answered 400), or 0. */
static int check_new_user(struct api_call *c, const json_t *in)
{
    const char *user = op_str(in, "user"), *name = op_str(in, "name"), *why;
    if ((why = account_check_user(user)))
        reply_error(c, 400, "invalid_field", "user", "%s", why);
    else if (name[0] && (why = account_check_name(name)))
        reply_error(c, 400, "invalid_field", "name", "%s", why);
    else if (!account_check_role(op_str(in, "role"), c->n->cfg.tier, &why))
        reply_error(c, 400, "invalid_field", "role", "%s", why);
    else if ((why = account_check_password(user, op_str(in, "password"))))
        reply_error(c, 400, "invalid_field", "password", "%s", why);
    return why ? -1 : 0;
}

void route_user_add(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    json_t *in = account_body(c, r, k_add, k_add_required);
    Jiefen__UserRecord *have = NULL;
    if (!in || check_new_user(c, in) || read_user(c, op_str(in, "user"), &have)) {
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
        snprintf(j->res.user, sizeof j->res.user, "%s", op_str(in, "user"));
        take_password(in, "password", j->set, sizeof j->set);
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
    else if (rc == 0 && (rc = put_password(tx, o, u, res->hash)) == 0)
        log_info("account", "password of %s set by %s", u->user, api_actor(o->c, NULL));
    account_free(&u);
    return rc;
}

static const char *const k_password[] = {"password", NULL};

static void user_passwd(struct api_call *c, const http_request *r, const char *user)
{
    json_t *in = account_body(c, r, k_password, k_password);
    const char *why = in ? account_check_password(user, op_str(in, "password")) : NULL;
    if (!in || why) {
        if (why)
            reply_error(c, 400, "invalid_field", "password", "%s", why);
        json_decref(in);
        return;
    }
    struct pw_job *j = pw_job_new(c, in, user_passwd_apply);
    if (j) {
        snprintf(j->res.user, sizeof j->res.user, "%s", user);
        take_password(in, "password", j->set, sizeof j->set);
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
    if (rc == 0) {
        user_out(o, u, tx->now_ms);
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
    if (!enable && strcmp(verb, "disable"))
        return reply_error(c, 404, "not_found", NULL, "无此接口");
    json_t *in = account_body(c, r, k_none, k_none);
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

void api_account_sweep(struct node *n)
{
    struct sweep *s = calloc(1, sizeof *s);
    if (!s)
        return;
    s->l = limits(n);
    if (node_log_submit(n, sweep_apply, sweep_done, s))
        free(s);
}
