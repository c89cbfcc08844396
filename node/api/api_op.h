/*
 * api_op — the shape of every state-changing route: the JSON body is checked and turned
 * into events inside one operation of the group commit, which either appends them all or
 * is refused (nothing changes) with a status, code, field and message; the answer is sent
 * once the events are durable.
 */
#ifndef JIEFEN_API_OP_H
#define JIEFEN_API_OP_H

#include "api/api_core.h"

struct api_op;
typedef int (*op_apply_fn)(eventlog_tx *tx, struct api_op *o);

/* Runs after the answer of an operation that committed (e.g. to start a link). */
typedef void (*op_after_fn)(struct api *a);

/* Runs, instead of answering, once an operation is durable: it owns data and answers. */
typedef void (*op_then_fn)(struct api_call *c, void *data);

struct api_op {
    struct api_call *c;
    op_apply_fn apply;
    json_t *in;            /* the request body */
    json_t *out;           /* the answer, rebuilt by each run of apply */
    int refused;           /* apply refused: status, code, field, message below */
    int status;
    char code[32], field[64], msg[512];
    op_after_fn after;
    void *data;            /* the route's own, freed with the operation */
    op_then_fn then;       /* instead of the answer, once durable (op_submit_then) */
    /* Runs once answered, before data is freed, with whether the operation committed: undoes
     * what the route did outside the store when it did not (a blob written), wipes secrets.
     * May be NULL. */
    void (*release)(void *data, int committed);
};

/* Records why the operation is refused and returns JF_EINVAL: the operation's nested
 * transaction is rolled back and the caller gets the error. An apply that must keep what it
 * wrote and still answer with an error (a failed login is counted) records the refusal and
 * returns 0. */
int op_refuse(struct api_op *o, int status, const char *code, const char *field,
              const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Runs apply in the next group commit and answers when it is durable. Takes `in`. */
void op_submit(struct api_call *c, json_t *in, op_apply_fn apply, op_after_fn after);

/* op_submit with data for apply (o->data), freed with free() once answered. */
void op_submit_data(struct api_call *c, json_t *in, op_apply_fn apply, op_after_fn after,
                    void *data);

/* op_submit_data whose success is not answered but goes on in then(c, data) (e.g. work
 * that may only start once what it records is durable); a refusal or an error is answered
 * as usual and data freed. */
void op_submit_then(struct api_call *c, json_t *in, op_apply_fn apply, op_then_fn then,
                    void *data);
/* op_submit_data with release (struct api_op) run once the operation is answered. */
void op_submit_release(struct api_call *c, json_t *in, op_apply_fn apply, void *data,
                       void (*release)(void *data, int committed));

/* A JSON body, then op_submit. */
void op_route(struct api_call *c, const http_request *r, op_apply_fn apply, op_after_fn after);

/* op_route with data for apply (o->data), freed with free() once answered. */
void op_route_data(struct api_call *c, const http_request *r, op_apply_fn apply,
                   op_after_fn after, void *data);

/* A string member of the body into *out ("" when absent): required (non-empty) or not, at
 * most max bytes; label names it in the refusal. 0 or op_refuse's JF_EINVAL. */
int op_text(struct api_op *o, const char *key, const char *label, int required, size_t max,
            const char **out);

/* A boolean member (false when absent and not required). 0 or JF_EINVAL. */
int op_bool(struct api_op *o, const char *key, const char *label, int required, int *out);

/* Appends ev as done by op_actor(). */
int op_append(eventlog_tx *tx, struct api_op *o, Jiefen__Event *ev);

/* api_actor() of the operation's call and body. */
const char *op_actor(const struct api_op *o);

/* Names who acts in the operation run on tx (eventlog_tx.actor, actor_name): `actor`, and
 * the person's name into buf (len bytes, which must outlive the operation): the session's,
 * or for the local token the account named `actor` ("" when none), so the events carry a
 * person's name, not a login. Cleared by the caller when the operation ends. */
void op_set_actor(eventlog_tx *tx, const struct api_call *c, const char *actor, char *buf,
                  size_t len);

#endif
