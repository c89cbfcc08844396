/*
 * api_account — what the account routes share (sessions in api_session.c, the users of
 * api_user.c): their bodies, a user's record, setting a password, and the password checks.
 *
 * Passwords are checked and hashed on the thread pool (argon2id, about 0.1 s each), at most
 * ACCOUNT_HASHES_MAX at once; a login after ACCOUNT_SLOW_AFTER failures in a row waits its
 * delay in the queue (struct pwcheck) under one timer, so neither holds the loop. What a
 * check decides (a session made, a failure counted, a password set) is then one operation
 * of the group commit (its apply), answered once durable.
 */
#ifndef JIEFEN_API_ACCOUNT_H
#define JIEFEN_API_ACCOUNT_H

#include "api/api_op.h"

/* The queue of password checks of one API. */
struct pwcheck;

/* A queue on loop (its timer initialised); NULL when out of memory. */
struct pwcheck *pwcheck_new(uv_loop_t *loop);

/* Frees it once its timer is closed (the loop has stopped); accepts NULL and clears the
 * caller's pointer. */
void pwcheck_free(struct pwcheck **q);

/* At shutdown: answers the checks still waiting (503), stops the timer, and answers those
 * on the pool 503 when they finish. */
void pwcheck_stop(struct pwcheck *q);

/* What the pool found, handed to the operation that records it (o->data). */
struct pw_result {
    char user[ACCOUNT_USER_MAX + 1];
    uint32_t generation;            /* the user's when the check started; 0: no account */
    int match;                      /* the password checked matched */
    char hash[CRYPTO_PWHASH_MAX];   /* the new password's hash, "" for none */
};

/* One check, filled in by its route before pw_queue(). */
struct pw_job {
    uv_work_t work;
    struct api_call *c;
    json_t *in;                     /* the request body, its passwords removed */
    op_apply_fn apply;              /* records the result in the group commit */
    uint64_t due;                   /* uv_now() from which it may run (a slowed login) */
    struct pw_job *next;            /* in the queue */
    int verify;                     /* check `check` against `stored` */
    char stored[CRYPTO_PWHASH_MAX]; /* "" when the user is unknown */
    char check[ACCOUNT_PASSWORD_MAX + 1];
    char set[ACCOUNT_PASSWORD_MAX + 1]; /* hashed when not "" (and the check matched) */
    int rc;
    struct pw_result res;
};

/* A job for call c with body `in` (taken) whose result `apply` records. NULL (answered 500)
 * when out of memory. */
struct pw_job *pw_job_new(struct api_call *c, json_t *in, op_apply_fn apply);

/* Queues j, last, to run after delay_ms (taking it), or answers 503 when too many wait. */
void pw_queue(struct pw_job *j, int64_t delay_ms);

/* Moves the body's password member into buf and removes it from the body. */
void api_take_password(json_t *in, const char *key, char *buf, size_t len);

/* A JSON body as api_body() reads it (none: {}), whose members must be among `keys`, each
 * a string, those in `required` not empty. NULL once answered 400. */
json_t *api_account_body(struct api_call *c, const http_request *r, const char *const *keys,
                         const char *const *required);

/* The user's record now: 0 and *u (NULL: none), or -1 once answered 503. */
int api_read_user(struct api_call *c, const char *user, Jiefen__UserRecord **u);

/* The account as the API shows it: account_json and its staff phone, masked ("phone": ""
 * when none; outbox/staffbook.h). NULL when out of memory or the store fails. */
json_t *api_user_json(store *st, MDB_txn *txn, const Jiefen__UserRecord *u, int64_t now);

/* Why a staff phone is not acceptable ("" is: none), or NULL. */
const char *api_check_staff_phone(const char *phone);

/* POST /api/v1/users/{user}/phone (user.admin): {"phone"} sets or ("") removes the
 * account's mobile number for its notifications. */
void api_staff_phone(struct api_call *c, const http_request *r, const char *user);

/* The operation's answer: {"user": USER}. */
void api_user_out(eventlog_tx *tx, struct api_op *o, const Jiefen__UserRecord *u);

/* u with a new password hash, written and answered: every session of the old generation
 * ends. */
int api_put_password(eventlog_tx *tx, struct api_op *o, const Jiefen__UserRecord *u,
                     const char *hash);

#endif
