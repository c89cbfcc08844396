#include "api/session.h"
#include "array.h"
#include "api/account.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RAW 32

int session_key(const char *cookie, uint8_t key[CRYPTO_HASH_LEN])
{
    uint8_t raw[RAW];
    if (crypto_unhex(cookie, raw, sizeof raw))
        return JF_EINVAL;
    crypto_blake2b(raw, sizeof raw, key);
    crypto_wipe(raw, sizeof raw);
    return 0;
}

int session_create(store *st, MDB_txn *txn, const Jiefen__UserRecord *u, int64_t now,
                   char cookie[SESSION_HEX], char csrf[SESSION_HEX],
                   uint8_t key[CRYPTO_HASH_LEN])
{
    uint8_t raw[RAW];
    crypto_random(raw, sizeof raw);
    crypto_hex(raw, sizeof raw, cookie);
    crypto_blake2b(raw, sizeof raw, key);
    crypto_random(raw, sizeof raw);
    crypto_hex(raw, sizeof raw, csrf);
    crypto_wipe(raw, sizeof raw);
    Jiefen__SessionRecord s = JIEFEN__SESSION_RECORD__INIT;
    s.user = u->user;
    s.csrf = csrf;
    s.created_ms = now;
    s.last_seen_ms = now;
    s.generation = u->generation;
    return session_put(st, txn, key, &s);
}

int session_get(store *st, MDB_txn *txn, const uint8_t key[CRYPTO_HASH_LEN],
                Jiefen__SessionRecord **out)
{
    return STORE_GET_MESSAGE(txn, st->sessions, key, CRYPTO_HASH_LEN,
                             &jiefen__session_record__descriptor, out);
}

int session_put(store *st, MDB_txn *txn, const uint8_t key[CRYPTO_HASH_LEN],
                const Jiefen__SessionRecord *s)
{
    return store_put_message(txn, st->sessions, key, CRYPTO_HASH_LEN, &s->base);
}

int session_delete(store *st, MDB_txn *txn, const uint8_t key[CRYPTO_HASH_LEN])
{
    return store_del(txn, st->sessions, key, CRYPTO_HASH_LEN);
}

void session_free(Jiefen__SessionRecord **s)
{
    if (!s || !*s)
        return;
    jiefen__session_record__free_unpacked(*s, NULL);
    *s = NULL;
}

int64_t session_expires_ms(const Jiefen__SessionRecord *s, const struct session_limits *l)
{
    int64_t idle = s->last_seen_ms + l->idle_ms, max = s->created_ms + l->max_ms;
    return idle < max ? idle : max;
}

enum session_state session_check(const Jiefen__SessionRecord *s, const Jiefen__UserRecord *u,
                                 const struct session_limits *l, int64_t now)
{
    if (!u || u->disabled || u->generation != s->generation)
        return SESSION_VOID;
    return now < session_expires_ms(s, l) ? SESSION_VALID : SESSION_EXPIRED;
}

int session_csrf_ok(const Jiefen__SessionRecord *s, const char *header)
{
    return header[0] && crypto_str_equal(s->csrf, header) == 0;
}

int session_touch_due(const Jiefen__SessionRecord *s, int64_t now)
{
    return now - s->last_seen_ms >= SESSION_TOUCH_MS;
}

/* Longer than any session key made here (CRYPTO_HASH_LEN): a damaged store may hold others,
 * which the sweep deletes too. */
#define SESSION_KEY_MAX 64

/* A sweep: the sessions no longer worth keeping, found by the walk, deleted after it. */
struct sweep_walk {
    store *st;
    MDB_txn *txn;
    const struct session_limits *l;
    int64_t now;
    struct ended {
        size_t len;
        uint8_t key[SESSION_KEY_MAX];
    } *ended;
    size_t count, room;
};

/* Whether the session d is still worth keeping. 0 or a code. */
static int keep_session(const struct sweep_walk *w, const MDB_val *d, int *keep)
{
    Jiefen__SessionRecord *s = jiefen__session_record__unpack(NULL, d->mv_size, d->mv_data);
    Jiefen__UserRecord *u = NULL;
    int rc = s ? account_get(w->st, w->txn, s->user, &u) : 0;
    *keep = rc == 0 && s && session_check(s, u, w->l, w->now) == SESSION_VALID;
    account_free(&u);
    session_free(&s);
    return rc == JF_ECORRUPT ? 0 : rc; /* a bad user record voids its sessions */
}

static int sweep_one(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct sweep_walk *w = arg;
    int keep, rc = keep_session(w, val, &keep);
    if (rc || keep || key->mv_size > SESSION_KEY_MAX)
        return rc;
    void *more = array_room(w->ended, w->count, &w->room, sizeof *w->ended, 64);
    if (!more)
        return -ENOMEM;
    w->ended = more;
    w->ended[w->count].len = key->mv_size;
    memcpy(w->ended[w->count++].key, key->mv_data, key->mv_size);
    return 0;
}

int session_sweep(store *st, MDB_txn *txn, const struct session_limits *l, int64_t now,
                  unsigned *removed)
{
    struct sweep_walk w = {st, txn, l, now, NULL, 0, 0};
    *removed = 0;
    int rc = store_walk(txn, st->sessions, NULL, sweep_one, &w);
    for (size_t i = 0; rc == 0 && i < w.count; i++)
        if ((rc = store_del(txn, st->sessions, w.ended[i].key, w.ended[i].len)) == 0)
            (*removed)++;
    free(w.ended);
    return rc;
}

void session_cookie_name(const char *node_id, char *name)
{
    snprintf(name, SESSION_COOKIE_MAX, "%s%s", SESSION_COOKIE, node_id);
}

void session_cookie_header(char *buf, size_t len, const char *node_id, const char *cookie,
                           int64_t max_age_s)
{
    char name[SESSION_COOKIE_MAX];
    session_cookie_name(node_id, name);
    /* No Secure flag: the console is served over plain HTTP inside the centre's network. */
    snprintf(buf, len, "Set-Cookie: %s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Strict\r\n",
             name, cookie ? cookie : "", cookie ? (long long)max_age_s : 0LL);
}
