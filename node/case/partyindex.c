#include "case/partyindex.h"
#include "case/resident_id.h"
#include "crypto.h"
#include "error.h"
#include "log/fold.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define KEY_FILE "search.key"
#define PARTY 'p'
#define AUDIT 'a'
#define ARRIVED 'q'
#define AUDIT_SEQ "search_log_seq"

int partyindex_key_read(const char *path, uint8_t key[PARTYINDEX_KEY_LEN])
{
    char hex[PARTYINDEX_KEY_LEN * 2 + 2];
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    if (fstat(fd, &sb) < 0 || (sb.st_mode & 077)) {
        close(fd);
        return -EPERM;
    }
    ssize_t n = read(fd, hex, sizeof hex - 1);
    close(fd);
    if (n < 0)
        return -errno;
    hex[n] = 0;
    hex[strcspn(hex, "\r\n")] = 0;
    int rc = crypto_unhex(hex, key, PARTYINDEX_KEY_LEN);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

int partyindex_key_load(const char *dir, uint8_t key[PARTYINDEX_KEY_LEN])
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/%s", dir, KEY_FILE);
    int rc = partyindex_key_read(path, key);
    if (rc == -ENOENT && (rc = crypto_token_create(path)) == 0)
        rc = partyindex_key_read(path, key);
    return rc;
}

enum partyindex_field partyindex_field_parse(const char *name)
{
    if (strcmp(name, "name") == 0)
        return PARTYINDEX_NAME;
    if (strcmp(name, "id_number") == 0)
        return PARTYINDEX_ID;
    if (strcmp(name, "phone") == 0)
        return PARTYINDEX_PHONE;
    return 0;
}

const char *partyindex_field_code(enum partyindex_field f)
{
    return f == PARTYINDEX_NAME ? "name" : f == PARTYINDEX_ID ? "id_number" : "phone";
}

/* The half-width byte of a full-width form U+FF01..U+FF5E at s (UTF-8 EF BC 81..EF BD 9E),
 * or 0. */
static char halfwidth(const unsigned char *s)
{
    if (s[0] != 0xEF)
        return 0;
    if (s[1] == 0xBC && s[2] >= 0x81 && s[2] <= 0xBF)
        return (char)(0x20 + (s[2] - 0x80));
    if (s[1] == 0xBD && s[2] >= 0x80 && s[2] <= 0x9E)
        return (char)(0x60 + (s[2] - 0x80));
    return 0;
}

static int dropped(enum partyindex_field f, char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
           (f == PARTYINDEX_PHONE && (c == '-' || c == '(' || c == ')'));
}

int partyindex_normalise(enum partyindex_field f, const char *in, char *out, size_t cap)
{
    /* An ID number is found as intake stores it: one rule for both. */
    if (f == PARTYINDEX_ID) {
        resident_id_normalize(in, out, cap);
        return out[0] ? 0 : JF_EINVAL;
    }
    const unsigned char *s = (const unsigned char *)in;
    size_t n = 0;
    while (*s) {
        char c = halfwidth(s);
        size_t len = 1;
        if (c)
            len = 3;
        else if (*s < 0x80)
            c = (char)*s;
        else if (s[0] == 0xE3 && s[1] == 0x80 && s[2] == 0x80) /* U+3000, the wide space */
            c = ' ', len = 3;
        if (!c) {
            /* Any other character is kept whole (a name's Chinese characters). */
            if (n + 1 >= cap)
                return JF_EINVAL;
            out[n++] = (char)*s++;
            continue;
        }
        s += len;
        if (dropped(f, c))
            continue;
        if (n + 1 >= cap)
            return JF_EINVAL;
        out[n++] = c;
    }
    out[n] = 0;
    return n ? 0 : JF_EINVAL;
}

/* 'p' field hash: the prefix of a value's entries. */
static int entry_prefix(const uint8_t key[PARTYINDEX_KEY_LEN], enum partyindex_field f,
                        const char *value, uint8_t out[2 + PARTYINDEX_HASH_LEN])
{
    char norm[PARTYINDEX_TEXT_MAX];
    int rc = partyindex_normalise(f, value, norm, sizeof norm);
    if (rc)
        return rc;
    out[0] = PARTY;
    out[1] = (uint8_t)f;
    crypto_generichash(out + 2, PARTYINDEX_HASH_LEN, (const uint8_t *)norm, strlen(norm), key,
                       PARTYINDEX_KEY_LEN);
    sodium_memzero(norm, sizeof norm);
    return 0;
}

static int add_one(store *st, MDB_txn *txn, const uint8_t key[PARTYINDEX_KEY_LEN],
                   enum partyindex_field f, const char *value, const char *case_id,
                   const char *role, const uint8_t *tag)
{
    uint8_t k[2 + PARTYINDEX_HASH_LEN + FOLD_CASE_ID_MAX], v[PARTY_TAG_LEN + 32];
    size_t idlen = strlen(case_id), rlen = strlen(role), vlen = 0;
    if (!value || !value[0] || entry_prefix(key, f, value, k))
        return 0; /* a field left empty (or only spaces) is found by the others */
    if (idlen > FOLD_CASE_ID_MAX || rlen > 32)
        return JF_EINVAL;
    memcpy(k + 2 + PARTYINDEX_HASH_LEN, case_id, idlen);
    if (tag) {
        memcpy(v, tag, PARTY_TAG_LEN);
        vlen = PARTY_TAG_LEN;
    }
    memcpy(v + vlen, role, rlen);
    return store_put(txn, st->search, k, 2 + PARTYINDEX_HASH_LEN + idlen, v, vlen + rlen, 0);
}

int partyindex_add(store *st, MDB_txn *txn, const uint8_t key[PARTYINDEX_KEY_LEN],
                   const char *case_id, const Jiefen__Party *const *parties,
                   const uint8_t (*tags)[PARTY_TAG_LEN], size_t n)
{
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        const Jiefen__Party *p = parties[i];
        const uint8_t *tag = tags ? tags[i] : NULL;
        const char *role = p->role ? p->role : "";
        if ((rc = add_one(st, txn, key, PARTYINDEX_NAME, p->name, case_id, role, tag)) == 0 &&
            (rc = add_one(st, txn, key, PARTYINDEX_ID, p->id_number, case_id, role, tag)) == 0)
            rc = add_one(st, txn, key, PARTYINDEX_PHONE, p->phone, case_id, role, tag);
    }
    return rc;
}

struct find {
    int (*fn)(const struct partyindex_hit *h, void *arg);
    void *arg;
    int stop;
};

static int find_one(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct find *w = arg;
    char id[FOLD_CASE_ID_MAX + 1], role[33];
    size_t n = k->mv_size - 2 - PARTYINDEX_HASH_LEN;
    if (k->mv_size <= 2 + PARTYINDEX_HASH_LEN || n > FOLD_CASE_ID_MAX)
        return JF_ECORRUPT;
    memcpy(id, (char *)k->mv_data + 2 + PARTYINDEX_HASH_LEN, n);
    id[n] = 0;
    /* A value longer than a tag starts with one: roles are shorter than tags. */
    const uint8_t *tag = d->mv_size > PARTY_TAG_LEN ? d->mv_data : NULL;
    size_t off = tag ? PARTY_TAG_LEN : 0, rlen = d->mv_size - off;
    if (rlen >= sizeof role)
        return JF_ECORRUPT;
    memcpy(role, (char *)d->mv_data + off, rlen);
    role[rlen] = 0;
    struct partyindex_hit h = {id, role, tag};
    w->stop = w->fn(&h, w->arg);
    return w->stop ? STORE_STOP : 0;
}

int partyindex_find(store *st, MDB_txn *txn, const uint8_t key[PARTYINDEX_KEY_LEN],
                    enum partyindex_field f, const char *value,
                    int (*fn)(const struct partyindex_hit *h, void *arg), void *arg)
{
    uint8_t prefix[2 + PARTYINDEX_HASH_LEN];
    int rc = entry_prefix(key, f, value, prefix);
    if (rc)
        return rc;
    struct find w = {fn, arg, 0};
    struct store_range r = {.prefix = prefix, .prefix_len = sizeof prefix};
    rc = store_walk(txn, st->search, &r, find_one, &w);
    return w.stop ? w.stop : rc;
}

static void put_be64(uint8_t *b, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        b[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint64_t get_be64(const uint8_t *b)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | b[i];
    return v;
}

int partyindex_log(store *st, MDB_txn *txn, int64_t now_ms, enum partyindex_field f,
                   const char *user, const char *name)
{
    uint64_t seq;
    uint8_t k[9], v[9 + 2 * 256 + 1];
    size_t ul = strnlen(user, 255), nl = strnlen(name, 255);
    int rc = store_meta_get_u64(st, txn, AUDIT_SEQ, &seq);
    if (rc || (rc = store_meta_put_u64(st, txn, AUDIT_SEQ, seq + 1)))
        return rc;
    k[0] = AUDIT;
    put_be64(k + 1, seq + 1);
    put_be64(v, (uint64_t)now_ms);
    v[8] = (uint8_t)f;
    memcpy(v + 9, user, ul);
    v[9 + ul] = 0;
    memcpy(v + 10 + ul, name, nl);
    return store_put(txn, st->search, k, sizeof k, v, 10 + ul + nl, 0);
}

struct log_walk {
    int (*fn)(const struct partyindex_entry *e, void *arg);
    void *arg;
    long left;
};

static int log_one(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct log_walk *w = arg;
    char user[256], name[256];
    const uint8_t *v = d->mv_data;
    (void)k;
    if (w->left-- <= 0)
        return STORE_STOP;
    if (d->mv_size < 10)
        return JF_ECORRUPT;
    const char *u = (const char *)v + 9;
    size_t ul = strnlen(u, d->mv_size - 9);
    if (ul >= sizeof user || 9 + ul == d->mv_size || d->mv_size - 10 - ul >= sizeof name)
        return JF_ECORRUPT;
    memcpy(user, u, ul);
    user[ul] = 0;
    memcpy(name, u + ul + 1, d->mv_size - 10 - ul);
    name[d->mv_size - 10 - ul] = 0;
    struct partyindex_entry e = {(int64_t)get_be64(v), (enum partyindex_field)v[8], user, name};
    return w->fn(&e, w->arg);
}

int partyindex_log_each(store *st, MDB_txn *txn, long limit,
                        int (*fn)(const struct partyindex_entry *e, void *arg), void *arg)
{
    uint8_t prefix = AUDIT;
    struct log_walk w = {fn, arg, limit};
    struct store_range r = {.prefix = &prefix, .prefix_len = 1, .reverse = 1};
    return store_walk(txn, st->search, &r, log_one, &w);
}

int partyindex_arrived(store *st, MDB_txn *txn, const char *case_id)
{
    char k[1 + FOLD_CASE_ID_MAX];
    size_t n = strlen(case_id);
    if (n > FOLD_CASE_ID_MAX)
        return JF_EINVAL;
    k[0] = ARRIVED;
    memcpy(k + 1, case_id, n);
    int rc = store_put(txn, st->search, k, 1 + n, "", 0, 0);
    if (rc == 0)
        store_queue_note(st, st->search); /* partyarrival's drain watches it */
    return rc;
}

int partyindex_arrival_next(store *st, MDB_txn *txn, char case_id[FOLD_CASE_ID_MAX + 1])
{
    char key[511]; /* LMDB's longest key; a copy, as the key is deleted below */
    MDB_val k, d;
    struct store_range r = {.prefix = (const char[]){ARRIVED}, .prefix_len = 1};
    int rc;
    while ((rc = store_first(txn, st->search, &r, &k, &d)) == 0) {
        size_t n = k.mv_size < sizeof key ? k.mv_size : sizeof key;
        memcpy(key, k.mv_data, n);
        if ((rc = store_del(txn, st->search, key, n)))
            return rc;
        if (n > 1 && n <= 1 + FOLD_CASE_ID_MAX) { /* no version writes others: dropped */
            memcpy(case_id, key + 1, n - 1);
            case_id[n - 1] = 0;
            return 0;
        }
    }
    return rc;
}
