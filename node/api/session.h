/*
 * session — browser sessions of this node's users and their CSRF tokens.
 *
 * A session is a random 32-byte value the browser keeps in the cookie SESSION_COOKIE<node>
 * (64 hex, HttpOnly, SameSite=Strict); the store keeps only its BLAKE2b-256 hash, in the
 * `sessions` database, so whoever reads the store cannot log in with what they find. Each
 * session has its own CSRF token, returned to the page at login, which every state-changing
 * request authenticated by the cookie carries in X-CSRF-Token.
 *
 * A session ends when unused for the idle limit or at its absolute limit from the login,
 * when its user is deleted or disabled or their password is set (the user's generation
 * moves on), or at logout. Its last use is stored at most once per SESSION_TOUCH_MS, so the
 * idle limit holds to that precision and a busy console does not commit on every request.
 * Sessions live in the store: a restart keeps them.
 */
#ifndef JIEFEN_SESSION_H
#define JIEFEN_SESSION_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

/* The cookie is named per node ("jiefen_session_" + node id): browsers do not keep
 * cookies apart by port, and several nodes on one host (a test bench, run-local.sh) would
 * otherwise log each other's users out. */
#define SESSION_COOKIE "jiefen_session_"
#define SESSION_COOKIE_MAX (sizeof SESSION_COOKIE + 32)
#define SESSION_HEX 65                 /* 64 hex digits and a NUL: cookie and CSRF token */
#define SESSION_TOUCH_MS 60000

struct session_limits {
    int64_t idle_ms, max_ms;
};

enum session_state { SESSION_VALID, SESSION_EXPIRED, SESSION_VOID };

/* Starts a session for u at `now`: a new cookie value and CSRF token (hex, into cookie and
 * csrf), stored under the cookie's hash (into key). 0, -ENOMEM or an LMDB code. */
int session_create(store *st, MDB_txn *txn, const Jiefen__UserRecord *u, int64_t now,
                   char cookie[SESSION_HEX], char csrf[SESSION_HEX],
                   uint8_t key[CRYPTO_HASH_LEN]);

/* The key of a cookie value. 0, or JF_EINVAL when it is not 64 hex digits. */
int session_key(const char *cookie, uint8_t key[CRYPTO_HASH_LEN]);

/* The session stored under key: 0 and *out (NULL when there is none; free with
 * session_free()), JF_ECORRUPT or an LMDB code. */
int session_get(store *st, MDB_txn *txn, const uint8_t key[CRYPTO_HASH_LEN],
                Jiefen__SessionRecord **out);

/* Stores s under key. 0, -ENOMEM or an LMDB code. */
int session_put(store *st, MDB_txn *txn, const uint8_t key[CRYPTO_HASH_LEN],
                const Jiefen__SessionRecord *s);

/* Ends the session stored under key (none: 0). 0 or an LMDB code. */
int session_delete(store *st, MDB_txn *txn, const uint8_t key[CRYPTO_HASH_LEN]);

/* Frees; accepts NULL and clears the caller's pointer. */
void session_free(Jiefen__SessionRecord **s);

/* What s is worth at `now` for its user u (NULL when the user is gone). */
enum session_state session_check(const Jiefen__SessionRecord *s, const Jiefen__UserRecord *u,
                                 const struct session_limits *l, int64_t now);

/* When s ends if it is not used again. */
int64_t session_expires_ms(const Jiefen__SessionRecord *s, const struct session_limits *l);

/* Whether the request's X-CSRF-Token is the session's (constant time). 1 or 0. */
int session_csrf_ok(const Jiefen__SessionRecord *s, const char *header);

/* Whether its last use should be stored now. */
int session_touch_due(const Jiefen__SessionRecord *s, int64_t now);

/* Removes every session that is not SESSION_VALID at `now`; *removed counts them.
 * 0 or an LMDB code. */
int session_sweep(store *st, MDB_txn *txn, const struct session_limits *l, int64_t now,
                  unsigned *removed);

/* The session cookie's name at node `node_id` into name (SESSION_COOKIE_MAX bytes). */
void session_cookie_name(const char *node_id, char *name);

/* The Set-Cookie header line ("Set-Cookie: ...\r\n") that gives the browser `cookie` for
 * max_age_s seconds at node `node_id`, or with cookie NULL removes it. */
void session_cookie_header(char *buf, size_t len, const char *node_id, const char *cookie,
                           int64_t max_age_s);

#endif
