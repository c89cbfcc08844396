/* api_op — operations of the group commit on behalf of a route (api_op.h). */
#include "api/api_op.h"
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Records why the operation is refused; the nested transaction is then rolled back. */
int op_refuse(struct api_op *o, int status, const char *code, const char *field,
              const char *fmt, ...)
{
    va_list ap;
    o->refused = 1;
    o->status = status;
    snprintf(o->code, sizeof o->code, "%s", code);
    snprintf(o->field, sizeof o->field, "%s", field ? field : "");
    va_start(ap, fmt);
    vsnprintf(o->msg, sizeof o->msg, fmt, ap);
    va_end(ap);
    return JF_EINVAL;
}

void op_set_actor(eventlog_tx *tx, const struct api_call *c, const char *actor, char *buf,
                  size_t len)
{
    Jiefen__UserRecord *u = NULL;
    tx->actor = actor;
    tx->actor_name = buf;
    buf[0] = '\0';
    if (c->who.auth == API_AUTH_SESSION)
        snprintf(buf, len, "%s", c->who.name);
    else if (account_get(tx->st, tx->txn, actor, &u) == 0 && u) {
        snprintf(buf, len, "%s", u->name);
        account_free(&u);
    }
}

static int op_apply(eventlog_tx *tx, void *arg)
{
    struct api_op *o = arg;
    char name[ACCOUNT_NAME_MAX * 4 + 1];
    o->refused = 0;
    json_decref(o->out);
    o->out = NULL;
    op_set_actor(tx, o->c, op_actor(o), name, sizeof name);
    int rc = o->apply(tx, o);
    tx->actor = tx->actor_name = NULL;
    return rc;
}

static void op_done(void *arg, int status)
{
    struct api_op *o = arg;
    /* Before the answer: whoever reads it finds nothing of a refused operation left. */
    if (o->release)
        o->release(o->data, !o->refused && !status);
    if (o->refused)
        reply_error(o->c, o->status, o->code, o->field, "%s", o->msg);
    else if (status)
        reply_store_error(o->c, status);
    else if (o->then) {
        o->then(o->c, o->data);
        o->data = NULL;
    } else {
        struct api *a = o->c->api;
        reply_json(o->c, 200, o->out ? o->out : json_object());
        o->out = NULL;
        if (o->after)
            o->after(a);
    }
    json_decref(o->in);
    json_decref(o->out);
    free(o->data);
    free(o);
}

/* Queues the operation made of tmpl (its c, apply, in, data and after or then). */
static void submit(struct api_op tmpl)
{
    struct api_op *o = calloc(1, sizeof *o);
    if (o)
        *o = tmpl;
    if (!o || eventlog_submit(tmpl.c->api->dep.log, op_apply, op_done, o)) {
        if (tmpl.release)
            tmpl.release(tmpl.data, 0);
        free(o);
        json_decref(tmpl.in);
        free(tmpl.data);
        reply_error(tmpl.c, 500, "internal", NULL, "内存不足");
    }
}

void op_submit_data(struct api_call *c, json_t *in, op_apply_fn apply,
                    op_after_fn after, void *data)
{
    submit((struct api_op){.c = c, .apply = apply, .in = in, .after = after, .data = data});
}

void op_submit_then(struct api_call *c, json_t *in, op_apply_fn apply, op_then_fn then,
                    void *data)
{
    submit((struct api_op){.c = c, .apply = apply, .in = in, .then = then, .data = data});
}

void op_submit_release(struct api_call *c, json_t *in, op_apply_fn apply, void *data,
                       void (*release)(void *data, int committed))
{
    submit((struct api_op){.c = c, .apply = apply, .in = in, .data = data, .release = release});
}

void op_submit(struct api_call *c, json_t *in, op_apply_fn apply, op_after_fn after)
{
    op_submit_data(c, in, apply, after, NULL);
}

void op_route(struct api_call *c, const http_request *r, op_apply_fn apply,
              op_after_fn after)
{
    op_route_data(c, r, apply, after, NULL);
}

void op_route_data(struct api_call *c, const http_request *r, op_apply_fn apply,
                   op_after_fn after, void *data)
{
    json_t *in = api_body(c, r);
    if (in)
        op_submit_data(c, in, apply, after, data);
    else
        free(data);
}

const char *op_actor(const struct api_op *o)
{
    return api_actor(o->c, o->in);
}

int op_append(eventlog_tx *tx, struct api_op *o, Jiefen__Event *ev)
{
    ev->actor = (char *)op_actor(o);
    return eventlog_append(tx, ev, NULL, 0);
}

int op_text(struct api_op *o, const char *key, const char *label, int required, size_t max,
            const char **out)
{
    const json_t *j = json_object_get(o->in, key);
    *out = "";
    if (!j || json_is_null(j)) {
        if (required)
            return op_refuse(o, 400, "missing_field", key, "请填写%s", label);
        return 0;
    }
    if (!json_is_string(j))
        return op_refuse(o, 400, "invalid_field", key, "%s应为文字", label);
    if (required && json_string_length(j) == 0)
        return op_refuse(o, 400, "missing_field", key, "请填写%s", label);
    if (json_string_length(j) > max)
        return op_refuse(o, 400, "invalid_field", key, "%s过长（最多 %zu 字节）", label, max);
    *out = json_string_value(j);
    return 0;
}

int op_bool(struct api_op *o, const char *key, const char *label, int required, int *out)
{
    const json_t *j = json_object_get(o->in, key);
    *out = 0;
    if (!j || json_is_null(j))
        return required ? op_refuse(o, 400, "missing_field", key, "请填写%s", label) : 0;
    if (!json_is_boolean(j))
        return op_refuse(o, 400, "invalid_field", key, "%s应为 true 或 false", label);
    *out = json_is_true(j);
    return 0;
}
