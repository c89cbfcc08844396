/* api_account — the account routes' shared part (api_account.h): the queue of password
 * checks on the thread pool, the checked body of an account route, a user's record and a
 * new password. */
#include "api/api_account.h"
#include "error.h"
#include "outbox/staffbook.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WAITING_MAX 64    /* logins and password changes waiting for the pool */

/* ---- password checks on the thread pool --------------------------------------------- */

/* The queue: jobs waiting (slowed logins until their time) and how many run. */
struct pwcheck {
    uv_loop_t *loop;
    uv_timer_t timer;
    struct pw_job *waiting;
    int running;
    int stopping;
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

static void pw_run_ready(struct pwcheck *q);

static void pw_after(uv_work_t *w, int status)
{
    struct pw_job *j = w->data;
    struct api_call *c = j->c;
    struct pwcheck *q = c->api->pw;
    struct pw_result *res = malloc(sizeof *res);
    q->running--;
    if (q->stopping || status || j->rc || !res) {
        free(res);
        if (q->stopping)
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
    pw_run_ready(q);
}

/* Removes and returns the first waiting job that is due, or NULL; *next is the earliest
 * time one still waits for (0: none waits). */
static struct pw_job *pw_take_due(struct pwcheck *q, uint64_t now, uint64_t *next)
{
    struct pw_job **p = &q->waiting, *found = NULL;
    *next = 0;
    for (; *p; p = &(*p)->next) {
        if ((*p)->due <= now) {
            found = *p;
            *p = found->next;
            break;
        }
    }
    for (struct pw_job *j = q->waiting; j; j = j->next)
        if (j->due > now && (!*next || j->due < *next))
            *next = j->due;
    return found;
}

static void pw_timer_cb(uv_timer_t *t)
{
    pw_run_ready(t->data);
}

/* Starts what may start, and sets the timer for the next slowed one. */
static void pw_run_ready(struct pwcheck *q)
{
    uint64_t now = uv_now(q->loop), next = 0;
    struct pw_job *j;
    while (q->running < ACCOUNT_HASHES_MAX && (j = pw_take_due(q, now, &next))) {
        int rc = uv_queue_work(q->loop, &j->work, pw_work, pw_after);
        if (rc) {
            reply_error(j->c, 500, "internal", NULL, "无法启动密码校验：%s", uv_strerror(rc));
            pw_free(j);
            continue;
        }
        q->running++;
    }
    if (!q->stopping && next)
        uv_timer_start(&q->timer, pw_timer_cb, next - now, 0);
}

void pw_queue(struct pw_job *j, int64_t delay_ms)
{
    struct pwcheck *q = j->c->api->pw;
    struct pw_job **tail = &q->waiting;
    int count = 0;
    for (; *tail; tail = &(*tail)->next)
        count++;
    if (count >= WAITING_MAX) {
        reply_error(j->c, 503, "busy", NULL, "登录请求过多，请稍后再试");
        pw_free(j);
        return;
    }
    j->work.data = j;
    j->due = uv_now(q->loop) + (uint64_t)delay_ms;
    *tail = j;
    pw_run_ready(q);
}

struct pw_job *pw_job_new(struct api_call *c, json_t *in, op_apply_fn apply)
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

void api_take_password(json_t *in, const char *key, char *buf, size_t len)
{
    snprintf(buf, len, "%s", api_str(in, key));
    json_object_del(in, key);
}

struct pwcheck *pwcheck_new(uv_loop_t *loop)
{
    struct pwcheck *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->loop = loop;
    uv_timer_init(loop, &q->timer);
    q->timer.data = q;
    return q;
}

void pwcheck_free(struct pwcheck **q)
{
    if (!q || !*q)
        return;
    free(*q);
    *q = NULL;
}

void pwcheck_stop(struct pwcheck *q)
{
    q->stopping = 1;
    uv_timer_stop(&q->timer);
    while (q->waiting) {
        struct pw_job *j = q->waiting;
        q->waiting = j->next;
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
        if (!api_str(in, required[i])[0]) {
            reply_error(c, 400, "missing_field", required[i], "请填写%s", label(required[i]));
            return -1;
        }
    }
    return 0;
}

json_t *api_account_body(struct api_call *c, const http_request *r, const char *const *keys,
                         const char *const *required)
{
    json_t *in = r->body_len ? api_body(c, r) : json_object();
    if (in && check_body(c, in, keys, required)) {
        json_decref(in);
        return NULL;
    }
    return in;
}

int api_read_user(struct api_call *c, const char *user, Jiefen__UserRecord **u)
{
    MDB_txn *txn;
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = account_get(c->api->dep.st, txn, user, u);
        store_txn_abort(txn);
    }
    if (rc)
        reply_store_error(c, rc);
    return rc ? -1 : 0;
}

json_t *api_user_json(store *st, MDB_txn *txn, const Jiefen__UserRecord *u, int64_t now)
{
    char masked[OUTBOX_MASK_MAX];
    json_t *j = account_json(u, now);
    if (j && (staffbook_masked(st, txn, u->user, masked) ||
              json_object_set_new(j, "phone", json_string(masked)))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

void api_user_out(eventlog_tx *tx, struct api_op *o, const Jiefen__UserRecord *u)
{
    o->out = json_pack("{s:o}", "user", api_user_json(tx->st, tx->txn, u, tx->now_ms));
}

int api_put_password(eventlog_tx *tx, struct api_op *o, const Jiefen__UserRecord *u,
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
        api_user_out(tx, o, &w);
    return rc;
}
