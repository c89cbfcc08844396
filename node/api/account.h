/*
 * account — the users of this node (一人一密码): their records in the store's `users`
 * database, the rules for names, roles and passwords, and the arithmetic of failed logins
 * (slowed from the ACCOUNT_SLOW_AFTER-th, locked at the configured count). Accounts belong
 * to one node and never enter the log: nothing here travels up the tree.
 *
 * Passwords are hashed and checked with crypto_password_hash/verify (argon2id), which are
 * slow on purpose: callers run them on the thread pool, at most ACCOUNT_HASHES_MAX at once.
 */
#ifndef JIEFEN_ACCOUNT_H
#define JIEFEN_ACCOUNT_H

#include "jiefen.pb-c.h"
#include "store.h"

#include <jansson.h>
#include <stdint.h>

#define ACCOUNT_USER_MAX 32        /* bytes of a user name */
#define ACCOUNT_NAME_MAX 64        /* characters of a person's name */
#define ACCOUNT_PASSWORD_MIN 8     /* characters */
#define ACCOUNT_PASSWORD_MAX 256   /* bytes */
#define ACCOUNT_SLOW_AFTER 3       /* failures in a row before answers are delayed */
#define ACCOUNT_DELAY_MAX_MS 10000
#define ACCOUNT_HASHES_MAX 2       /* password hashes running at once */

/* Why a user name is not acceptable (Chinese, for the field `user`), or NULL: 2-32 of
 * a-z, 0-9, '.', '_', '-', starting with a letter; "admin", "system" and "init" are the
 * actors of the local token, the rules and node creation. */
const char *account_check_user(const char *user);

/* Why a person's name is not acceptable (1-64 characters, no control characters), or NULL. */
const char *account_check_name(const char *name);

/* Why a password is not acceptable for `user` (at least 8 characters, at most 256 bytes,
 * not the user name), or NULL. */
const char *account_check_password(const char *user, const char *password);

/* The role from its code or Chinese name if this tier has it (permission.h). ROLE_NONE and
 * the reason in *why (Chinese) otherwise. */
int account_check_role(const char *role, int tier, const char **why);

/* The record of `user`: 0 and *out (NULL when there is none; free with account_free()),
 * JF_ECORRUPT, or an LMDB code. */
int account_get(store *st, MDB_txn *txn, const char *user, Jiefen__UserRecord **out);

/* Stores u under its user name. 0, -ENOMEM or an LMDB code. */
int account_put(store *st, MDB_txn *txn, const Jiefen__UserRecord *u);

/* Calls fn for each user (a UserRecord) in name order; fn returns 0 to go on, or a negative
 * code, which ends the walk and is returned. The record is valid only during the call.
 * JF_ECORRUPT: a record does not unpack. */
int account_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg);

/* Frees; accepts NULL and clears the caller's pointer. */
void account_free(Jiefen__UserRecord **u);

/* Whether u is locked at `now`. */
int account_locked(const Jiefen__UserRecord *u, int64_t now);

/* How long the next login attempt of u waits before it is checked: 0 until
 * ACCOUNT_SLOW_AFTER failures in a row, then one second more for each further one, at
 * most ACCOUNT_DELAY_MAX_MS. */
int64_t account_delay_ms(const Jiefen__UserRecord *u);

/* Records a failed login at `now`; at `lock_failures` in a row the account is locked for
 * `lock_minutes` (and the count starts again). Returns 1 if it is now locked, else 0. */
int account_failed(Jiefen__UserRecord *u, int64_t now, int lock_failures, int lock_minutes);

/* Records a successful login: the failures are forgotten. */
void account_logged_in(Jiefen__UserRecord *u, int64_t now);

/* The message for a locked account, naming the local time it opens again, into buf. */
const char *account_locked_message(const Jiefen__UserRecord *u, char *buf, size_t len);

/* The account as the API shows it (never its hash). NULL when out of memory. */
json_t *account_json(const Jiefen__UserRecord *u, int64_t now);

#endif
