/* staffbook — the staff accounts' mobile numbers, sealed (staffbook.h). */
#include "outbox/staffbook.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define USER_KEY_MAX 64
#define PHONE_MAX 16

/* tag user; its length, or 0 when the user name is too long. */
static size_t user_key(char tag, const char *user, uint8_t *key)
{
    size_t n = strlen(user);
    if (!n || n >= USER_KEY_MAX)
        return 0;
    key[0] = (uint8_t)tag;
    memcpy(key + 1, user, n);
    return n + 1;
}

static int get_contact(store *st, MDB_txn *txn, const char *user, Jiefen__StaffContact **out)
{
    uint8_t k[USER_KEY_MAX + 1];
    size_t klen = user_key('u', user, k);
    *out = NULL;
    return klen ? STORE_GET_MESSAGE(txn, st->notify, k, klen,
                                    &jiefen__staff_contact__descriptor, out)
                : 0;
}

/* The number sealed under 'v' (phone: "" or a number to seal). */
static int put_phone(eventlog_tx *tx, const uint8_t *k, size_t klen, const char *phone)
{
    if (!phone[0])
        return store_del(tx->txn, tx->st->notify, k, klen);
    return eventlog_put_sealed(tx, tx->st->notify, k, klen, (const uint8_t *)phone,
                               strlen(phone));
}

int staffbook_set(eventlog_tx *tx, const char *user, const char *role, const char *department,
                  int disabled, const char *phone)
{
    uint8_t ku[USER_KEY_MAX + 1], kv[USER_KEY_MAX + 1];
    size_t klen = user_key('u', user, ku);
    if (!klen || (phone && phone[0] && !outbox_is_mobile(phone)))
        return JF_EINVAL;
    user_key('v', user, kv);
    Jiefen__StaffContact *have = NULL;
    int rc = get_contact(tx->st, tx->txn, user, &have);
    if (rc || (!have && !phone)) /* nothing to keep up to date */
        return rc;
    char masked[OUTBOX_MASK_MAX] = "";
    if (phone)
        outbox_mask(phone, masked);
    Jiefen__StaffContact c = JIEFEN__STAFF_CONTACT__INIT;
    c.user = (char *)user;
    c.role = (char *)role;
    c.department = (char *)(department ? department : "");
    c.masked = phone ? masked : have->masked;
    c.disabled = disabled != 0;
    if (phone && !phone[0])
        rc = store_del(tx->txn, tx->st->notify, ku, klen);
    else
        rc = store_put_message(tx->txn, tx->st->notify, ku, klen, &c.base);
    if (rc == 0 && phone)
        rc = put_phone(tx, kv, klen, phone);
    if (have)
        jiefen__staff_contact__free_unpacked(have, NULL);
    return rc;
}

int staffbook_masked(store *st, MDB_txn *txn, const char *user, char *out)
{
    Jiefen__StaffContact *c = NULL;
    int rc = get_contact(st, txn, user, &c);
    snprintf(out, OUTBOX_MASK_MAX, "%s", rc == 0 && c ? c->masked : "");
    if (c)
        jiefen__staff_contact__free_unpacked(c, NULL);
    return rc;
}

/* The number of `user` into phone (PHONE_MAX bytes). */
static int open_phone(store *st, MDB_txn *txn, const crypto_identity *id, const char *user,
                      char *phone)
{
    uint8_t k[USER_KEY_MAX + 1];
    size_t klen = user_key('v', user, k);
    MDB_val v;
    int rc = klen ? store_get(txn, st->notify, k, klen, &v) : JF_ECORRUPT;
    if (rc)
        return rc;
    if (v.mv_size <= CRYPTO_SEAL_OVERHEAD || v.mv_size - CRYPTO_SEAL_OVERHEAD >= PHONE_MAX)
        return JF_ECORRUPT;
    if (crypto_unseal(id, v.mv_data, v.mv_size, k, klen, (uint8_t *)phone))
        return JF_ECRYPTO;
    phone[v.mv_size - CRYPTO_SEAL_OVERHEAD] = '\0';
    return 0;
}

#define NOTICE_MAX 64 /* accounts reached by one notice */

/* The accounts a notice reaches, collected before queueing (queueing writes the db). */
struct notice {
    const struct staffbook_to *to;
    char users[NOTICE_MAX][USER_KEY_MAX];
    size_t n;
};

static int matches(const char *filter, const char *value)
{
    return !filter || strcmp(filter, value) == 0;
}

static int collect(const ProtobufCMessage *m, void *arg)
{
    struct notice *n = arg;
    const Jiefen__StaffContact *c = (const Jiefen__StaffContact *)m;
    if (!c->disabled && matches(n->to->role, c->role) &&
        matches(n->to->department, c->department) && matches(n->to->user, c->user))
        snprintf(n->users[n->n++], USER_KEY_MAX, "%s", c->user);
    return n->n == NOTICE_MAX ? STORE_STOP : 0;
}

int staffbook_notify(eventlog_tx *tx, const crypto_identity *id, const struct staffbook_to *to,
                     const char *tmpl, const char *case_id, const char *once,
                     const struct notify_var *vars, size_t n_vars, unsigned *queued)
{
    static struct notice n; /* one operation at a time: the log's loop */
    struct store_range r = {.prefix = "u", .prefix_len = 1};
    char phone[PHONE_MAX], key[OUTBOX_ONCE_MAX + 1];
    unsigned count = 0;
    n.to = to;
    n.n = 0;
    int rc = store_walk_messages(tx->txn, tx->st->notify, &r,
                                 &jiefen__staff_contact__descriptor, collect, &n);
    for (size_t i = 0; i < n.n && rc == 0; i++) {
        if (snprintf(key, sizeof key, "%s:%s", once, n.users[i]) >= (int)sizeof key)
            return JF_EINVAL;
        if ((rc = open_phone(tx->st, tx->txn, id, n.users[i], phone)) == 0)
            rc = notify_queue_once(tx, key, tmpl, phone, case_id, vars, n_vars);
        crypto_wipe(phone, sizeof phone);
        count += rc == 0;
        rc = rc == 1 ? 0 : rc;
    }
    if (queued)
        *queued = count;
    return rc;
}
