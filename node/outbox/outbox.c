#include "outbox/outbox.h"
#include "error.h"

#include "array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define KEY_ID_LEN 9            /* tag, id:u64be */
#define VARS_MAX 8
#define VAR_NAME_MAX 32
#define VAR_VALUE_MAX 256
#define RECIPIENT_MAX 64
#define CASE_KEY_MAX (1 + 128 + 1 + 8)
#define SYSTEM_MAX 64
#define DUE_KEY_MAX (1 + SYSTEM_MAX + 1 + 8 + 8)

static void id_key(char tag, uint64_t id, uint8_t key[KEY_ID_LEN])
{
    key[0] = (uint8_t)tag;
    store_u64_be(id, key + 1);
}

/* 'c' case "\0" id:u64be; its length, or 0 when the case id is too long. */
static size_t case_key(const char *case_id, uint64_t id, uint8_t *key)
{
    size_t n = strlen(case_id);
    if (n > 128)
        return 0;
    key[0] = 'c';
    memcpy(key + 1, case_id, n + 1);
    id_key('c', id, key + n + 1);
    key[n + 1] = 0; /* the separator, over id_key's tag */
    return n + 2 + 8;
}

int outbox_is_mobile(const char *phone)
{
    return strlen(phone) == 11 && phone[0] == '1' && strspn(phone, "0123456789") == 11;
}

void outbox_mask(const char *phone, char *out)
{
    size_t n = strnlen(phone, OUTBOX_MASK_MAX - 1);
    size_t head = n >= 11 ? 3 : 0, tail = n >= 11 ? 4 : (n > 4 ? 2 : 0);
    memcpy(out, phone, head);
    memset(out + head, '*', n - head - tail);
    memcpy(out + n - tail, phone + n - tail, tail);
    out[n] = 0;
}

static int check_vars(const struct notify_var *vars, size_t n)
{
    if (n > VARS_MAX)
        return JF_EINVAL;
    for (size_t i = 0; i < n; i++)
        if (!vars[i].name || !vars[i].value || !vars[i].name[0] ||
            strlen(vars[i].name) >= VAR_NAME_MAX || strlen(vars[i].value) >= VAR_VALUE_MAX)
            return JF_EINVAL;
    return 0;
}

/* The payload, packed, into *buf (the caller wipes and frees it). */
static int pack_payload(const char *recipient, const struct notify_var *vars, size_t n,
                        uint8_t **buf, size_t *len)
{
    Jiefen__NotifyVar v[VARS_MAX], *pv[VARS_MAX];
    Jiefen__NotifyPayload p = JIEFEN__NOTIFY_PAYLOAD__INIT;
    for (size_t i = 0; i < n; i++) {
        jiefen__notify_var__init(&v[i]);
        v[i].name = (char *)vars[i].name;
        v[i].value = (char *)vars[i].value;
        pv[i] = &v[i];
    }
    p.recipient = (char *)recipient;
    p.vars = pv;
    p.n_vars = n;
    *len = jiefen__notify_payload__get_packed_size(&p);
    if (!(*buf = malloc(*len ? *len : 1)))
        return -ENOMEM;
    jiefen__notify_payload__pack(&p, *buf);
    return 0;
}

/* 'q' system "\0" at:u64be id:u64be; its length (system is checked at queueing). */
static size_t due_key(const char *system, int64_t at, uint64_t id, uint8_t *key)
{
    size_t n = strlen(system);
    key[0] = 'q';
    memcpy(key + 1, system, n + 1);
    store_u64_be(at > 0 ? (uint64_t)at : 0, key + n + 2);
    store_u64_be(id, key + n + 10);
    return n + 18;
}

/* Takes rec out of the due index, where 'p' says it stands. */
static int unindex_due(store *st, MDB_txn *txn, const Jiefen__NotifyRecord *rec)
{
    uint8_t k[DUE_KEY_MAX];
    MDB_val v;
    id_key('p', rec->id, k);
    int rc = store_get(txn, st->notify, k, KEY_ID_LEN, &v);
    if (rc == JF_ENOTFOUND || (rc == 0 && v.mv_size != 8))
        return 0; /* new, or done */
    if (rc)
        return rc;
    size_t klen = due_key(rec->system, (int64_t)store_be_u64(v.mv_data), rec->id, k);
    return store_del(txn, st->notify, k, klen);
}

static int put_indexes(store *st, MDB_txn *txn, const Jiefen__NotifyRecord *rec)
{
    uint8_t k[DUE_KEY_MAX > CASE_KEY_MAX ? DUE_KEY_MAX : CASE_KEY_MAX], at[8];
    id_key('p', rec->id, k);
    store_u64_be(rec->next_ms > 0 ? (uint64_t)rec->next_ms : 0, at);
    int rc = store_put(txn, st->notify, k, KEY_ID_LEN, at, sizeof at, 0);
    size_t klen = due_key(rec->system, rec->next_ms, rec->id, k);
    if (rc == 0)
        rc = store_put(txn, st->notify, k, klen, "", 0, 0);
    klen = rec->case_id[0] ? case_key(rec->case_id, rec->id, k) : 0;
    if (rc == 0 && klen)
        rc = store_put(txn, st->notify, k, klen, "", 0, 0);
    if (rc == 0)
        store_queue_note(st, st->notify); /* a message to send: idle couriers start on it */
    return rc;
}

int outbox_queue(eventlog_tx *tx, const char *system, const char *tmpl, const char *recipient,
                 const char *case_id, const struct notify_var *vars, size_t n_vars,
                 uint64_t *id_out)
{
    if (!case_id)
        case_id = "";
    if (!system || !system[0] || strlen(system) > SYSTEM_MAX || !tmpl || !tmpl[0] || strlen(tmpl) >= VAR_NAME_MAX ||
        !recipient || !recipient[0] || strlen(recipient) >= RECIPIENT_MAX ||
        strlen(case_id) > 128 || check_vars(vars, n_vars))
        return JF_EINVAL;
    uint64_t id;
    int rc = store_meta_get_u64(tx->st, tx->txn, "notify:last", &id);
    if (rc || (rc = store_meta_put_u64(tx->st, tx->txn, "notify:last", ++id)))
        return rc;
    uint8_t rnd[16];
    char idem[2 * sizeof rnd + 1], masked[OUTBOX_MASK_MAX];
    crypto_random(rnd, sizeof rnd);
    crypto_hex(rnd, sizeof rnd, idem);
    outbox_mask(recipient, masked);
    Jiefen__NotifyRecord rec = JIEFEN__NOTIFY_RECORD__INIT;
    rec.id = id;
    rec.system = (char *)system;
    rec.template_ = (char *)tmpl;
    rec.case_id = (char *)case_id;
    rec.status = JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED;
    rec.created_ms = tx->now_ms;
    rec.next_ms = tx->now_ms;
    rec.idempotency_key = idem;
    rec.masked = masked;
    uint8_t *payload, key[KEY_ID_LEN];
    size_t plen;
    if ((rc = pack_payload(recipient, vars, n_vars, &payload, &plen)))
        return rc;
    id_key('s', id, key);
    rc = eventlog_put_sealed(tx, tx->st->notify, key, sizeof key, payload, plen);
    crypto_wipe(payload, plen);
    free(payload);
    if (rc == 0)
        rc = outbox_put(tx->st, tx->txn, &rec);
    if (rc == 0 && id_out)
        *id_out = id;
    return rc;
}

int notify_queue(eventlog_tx *tx, const char *tmpl, const char *phone, const char *case_id,
                 const struct notify_var *vars, size_t n_vars)
{
    if (!phone || !outbox_is_mobile(phone))
        return JF_EINVAL;
    return outbox_queue(tx, "sms", tmpl, phone, case_id, vars, n_vars, NULL);
}

int notify_queue_once(eventlog_tx *tx, const char *once, const char *tmpl, const char *phone,
                      const char *case_id, const struct notify_var *vars, size_t n_vars)
{
    size_t n = once ? strlen(once) : 0;
    uint8_t k[1 + OUTBOX_ONCE_MAX];
    if (!n || n > OUTBOX_ONCE_MAX)
        return JF_EINVAL;
    k[0] = 'k';
    memcpy(k + 1, once, n);
    int rc = store_put(tx->txn, tx->st->notify, k, n + 1, "", 0, STORE_NEW);
    if (rc == JF_EEXIST)
        return 1;
    return rc ? rc : notify_queue(tx, tmpl, phone, case_id, vars, n_vars);
}

int outbox_done(Jiefen__NotifyStatus s)
{
    return s == JIEFEN__NOTIFY_STATUS__NOTIFY_SENT ||
           s == JIEFEN__NOTIFY_STATUS__NOTIFY_DELIVERED ||
           s == JIEFEN__NOTIFY_STATUS__NOTIFY_FAILED || s == JIEFEN__NOTIFY_STATUS__NOTIFY_EXPIRED;
}

int outbox_put(store *st, MDB_txn *txn, const Jiefen__NotifyRecord *rec)
{
    uint8_t k[KEY_ID_LEN];
    id_key('m', rec->id, k);
    int rc = store_put_message(txn, st->notify, k, sizeof k, &rec->base);
    if (rc || (rc = unindex_due(st, txn, rec)))
        return rc;
    if (!outbox_done(rec->status))
        return put_indexes(st, txn, rec);
    id_key('p', rec->id, k);
    return store_del(txn, st->notify, k, sizeof k);
}

int outbox_get(store *st, MDB_txn *txn, uint64_t id, Jiefen__NotifyRecord **out)
{
    uint8_t k[KEY_ID_LEN];
    id_key('m', id, k);
    return STORE_GET_MESSAGE(txn, st->notify, k, sizeof k, &jiefen__notify_record__descriptor,
                             out);
}

int outbox_payload(store *st, MDB_txn *txn, const crypto_identity *id, uint64_t id_msg,
                   Jiefen__NotifyPayload **out)
{
    uint8_t k[KEY_ID_LEN];
    MDB_val v;
    id_key('s', id_msg, k);
    int rc = store_get(txn, st->notify, k, sizeof k, &v);
    if (rc)
        return rc;
    if (v.mv_size < CRYPTO_SEAL_OVERHEAD)
        return JF_ECORRUPT;
    size_t n = v.mv_size - CRYPTO_SEAL_OVERHEAD;
    uint8_t *plain = malloc(n ? n : 1);
    if (!plain)
        return -ENOMEM;
    rc = crypto_unseal(id, v.mv_data, v.mv_size, k, sizeof k, plain);
    if (rc == 0) {
        *out = jiefen__notify_payload__unpack(NULL, n, plain);
        rc = *out ? 0 : JF_ECORRUPT;
    }
    crypto_wipe(plain, n);
    free(plain);
    return rc;
}

struct walk {
    store *st;
    MDB_txn *txn;
    size_t id_at;      /* where the id starts in an index key */
    outbox_fn fn;
    void *arg;
};

static int walk_one(const MDB_val *key, const MDB_val *val, void *arg)
{
    (void)val;
    struct walk *w = arg;
    Jiefen__NotifyRecord *rec = NULL;
    if (key->mv_size != w->id_at + 8)
        return JF_ECORRUPT;
    const uint8_t *id = (const uint8_t *)key->mv_data + w->id_at;
    int rc = outbox_get(w->st, w->txn, store_be_u64(id), &rec);
    if (rc || !rec)
        return rc ? rc : JF_ECORRUPT;
    rc = w->fn(rec, w->arg);
    jiefen__notify_record__free_unpacked(rec, NULL);
    return rc;
}

int outbox_each_pending(store *st, MDB_txn *txn, outbox_fn fn, void *arg)
{
    struct walk w = {st, txn, 1, fn, arg};
    struct store_range r = {.prefix = "p", .prefix_len = 1};
    return store_walk(txn, st->notify, &r, walk_one, &w);
}

struct due_walk {
    struct walk w;
    int64_t now_ms, *next_ms;
};

static int due_one(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct due_walk *d = arg;
    if (key->mv_size != d->w.id_at + 8)
        return JF_ECORRUPT;
    int64_t at = (int64_t)store_be_u64((const uint8_t *)key->mv_data + d->w.id_at - 8);
    if (at > d->now_ms) {
        *d->next_ms = at;
        return STORE_STOP;
    }
    return walk_one(key, val, &d->w);
}

int outbox_each_due(store *st, MDB_txn *txn, const char *system, int64_t now_ms,
                    int64_t *next_ms, outbox_fn fn, void *arg)
{
    uint8_t k[DUE_KEY_MAX];
    size_t n = strlen(system);
    if (n > SYSTEM_MAX)
        return JF_EINVAL;
    size_t klen = due_key(system, 0, 0, k);
    struct due_walk d = {{st, txn, klen - 8, fn, arg}, now_ms, next_ms};
    struct store_range r = {.prefix = k, .prefix_len = klen - 16};
    *next_ms = INT64_MAX;
    return store_walk(txn, st->notify, &r, due_one, &d);
}

struct ids {
    uint64_t *v;
    size_t n, cap;
};

static int note_id(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct ids *ids = arg;
    (void)val;
    if (key->mv_size != KEY_ID_LEN)
        return JF_ECORRUPT;
    uint64_t *v = array_room(ids->v, ids->n, &ids->cap, sizeof *v, 256);
    if (!v)
        return -ENOMEM;
    ids->v = v;
    v[ids->n++] = store_be_u64((const uint8_t *)key->mv_data + 1);
    return 0;
}

/* Indexes message id by when it is due (again: idempotent). */
static int reindex(store *st, MDB_txn *txn, uint64_t id)
{
    Jiefen__NotifyRecord *rec;
    int rc = outbox_get(st, txn, id, &rec);
    if (rc == 0 && !rec)
        rc = JF_ECORRUPT;
    if (rc)
        return rc;
    if ((rc = unindex_due(st, txn, rec)) == 0)
        rc = put_indexes(st, txn, rec);
    jiefen__notify_record__free_unpacked(rec, NULL);
    return rc;
}

int outbox_due_fill(store *st, MDB_txn *txn)
{
    struct ids ids = {0};
    struct store_range r = {.prefix = "p", .prefix_len = 1};
    int rc = store_walk(txn, st->notify, &r, note_id, &ids);
    for (size_t i = 0; rc == 0 && i < ids.n; i++)
        rc = reindex(st, txn, ids.v[i]);
    free(ids.v);
    return rc;
}

int outbox_each_of_case(store *st, MDB_txn *txn, const char *case_id, outbox_fn fn, void *arg)
{
    uint8_t k[CASE_KEY_MAX];
    size_t klen = case_key(case_id, 0, k);
    if (!klen)
        return 0;
    struct walk w = {st, txn, klen - 8, fn, arg};
    struct store_range r = {.prefix = k, .prefix_len = klen - 8};
    return store_walk(txn, st->notify, &r, walk_one, &w);
}

/* A record of the walk of 'm' through the caller's fn. */
static int each_record(const ProtobufCMessage *m, void *arg)
{
    const struct walk *w = arg;
    return w->fn((const Jiefen__NotifyRecord *)m, w->arg);
}

int outbox_each(store *st, MDB_txn *txn, uint64_t before, outbox_fn fn, void *arg)
{
    uint8_t from[KEY_ID_LEN];
    id_key('m', before, from);
    struct walk w = {st, txn, 1, fn, arg};
    struct store_range r = {.prefix = "m", .prefix_len = 1, .reverse = 1};
    if (before) {
        r.from = from;
        r.from_len = sizeof from;
    }
    return store_walk_messages(txn, st->notify, &r, &jiefen__notify_record__descriptor,
                               each_record, &w);
}

int outbox_dead(const Jiefen__NotifyRecord *rec)
{
    return !rec->discarded && (rec->status == JIEFEN__NOTIFY_STATUS__NOTIFY_FAILED ||
                               rec->status == JIEFEN__NOTIFY_STATUS__NOTIFY_EXPIRED);
}

/* Dead message id into *out (the caller frees it). 0, JF_ENOTFOUND, JF_EINVAL or a store
 * error. */
static int get_dead(store *st, MDB_txn *txn, uint64_t id, Jiefen__NotifyRecord **out)
{
    int rc = outbox_get(st, txn, id, out);
    if (rc == 0 && !*out)
        rc = JF_ENOTFOUND;
    if (rc == 0 && !outbox_dead(*out))
        rc = JF_EINVAL;
    if (rc && *out) {
        jiefen__notify_record__free_unpacked(*out, NULL);
        *out = NULL;
    }
    return rc;
}

int outbox_retry(store *st, MDB_txn *txn, uint64_t id, int64_t now_ms)
{
    Jiefen__NotifyRecord *rec;
    int rc = get_dead(st, txn, id, &rec);
    if (rc)
        return rc;
    rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED;
    rec->attempts = 0;
    rec->next_ms = now_ms;
    rec->done_ms = 0;
    rec->retried_ms = now_ms;
    rc = outbox_put(st, txn, rec);
    jiefen__notify_record__free_unpacked(rec, NULL);
    return rc;
}

int outbox_discard(store *st, MDB_txn *txn, uint64_t id)
{
    Jiefen__NotifyRecord *rec;
    int rc = get_dead(st, txn, id, &rec);
    if (rc)
        return rc;
    rec->discarded = 1;
    rc = outbox_put(st, txn, rec);
    jiefen__notify_record__free_unpacked(rec, NULL);
    return rc;
}

static const char *const status_codes[] = {"queued", "held", "sending", "sent",
                                           "delivered", "failed", "expired"};
static const char *const status_names[] = {"待发送", "夜间免扰，待早晨发送", "发送中", "已发送",
                                           "已送达", "发送失败", "已过期"};
#define N_STATUS (sizeof status_codes / sizeof status_codes[0])

const char *outbox_status_code(Jiefen__NotifyStatus s)
{
    return (unsigned)s < N_STATUS ? status_codes[s] : "unknown";
}

const char *outbox_status_name(const Jiefen__NotifyRecord *rec)
{
    if (rec->status == JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED && rec->waiting_gateway)
        return "未配置网关，等待发送";
    return (unsigned)rec->status < N_STATUS ? status_names[rec->status] : "未知";
}

int outbox_status_parse(const char *code)
{
    for (size_t i = 0; i < N_STATUS; i++)
        if (strcmp(code, status_codes[i]) == 0 || strcmp(code, status_names[i]) == 0)
            return (int)i;
    return -1;
}
