#include "store.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static int open_dbis(store *s, int create)
{
    MDB_txn *txn;
    int rc = mdb_txn_begin(s->env, NULL, 0, &txn);
    if (rc)
        return rc;
    unsigned f = create ? MDB_CREATE : 0;
    if ((rc = mdb_dbi_open(txn, "events", f, &s->events)) ||
        (rc = mdb_dbi_open(txn, "sealed", f, &s->sealed)) ||
        (rc = mdb_dbi_open(txn, "cases", f, &s->cases)) ||
        (rc = mdb_dbi_open(txn, "meta", f, &s->meta)) ||
        (rc = mdb_dbi_open(txn, "nodes", MDB_CREATE, &s->nodes)) ||
        (rc = mdb_dbi_open(txn, "inbox", MDB_CREATE, &s->inbox)) ||
        (rc = mdb_dbi_open(txn, "outbox", MDB_CREATE, &s->outbox)) ||
        (rc = mdb_dbi_open(txn, "directives", MDB_CREATE, &s->directives)) ||
        (rc = mdb_dbi_open(txn, "parked", MDB_CREATE, &s->parked)) ||
        (rc = mdb_dbi_open(txn, "timers", MDB_CREATE, &s->timers)) ||
        (rc = mdb_dbi_open(txn, "reports", MDB_CREATE, &s->reports)) ||
        (rc = mdb_dbi_open(txn, "warnings", MDB_CREATE, &s->warnings)) ||
        (rc = mdb_dbi_open(txn, "parties", MDB_CREATE, &s->parties)) ||
        (rc = mdb_dbi_open(txn, "users", MDB_CREATE, &s->users)) ||
        (rc = mdb_dbi_open(txn, "sessions", MDB_CREATE, &s->sessions)) ||
        (rc = mdb_dbi_open(txn, "search", MDB_CREATE, &s->search)) ||
        (rc = mdb_dbi_open(txn, "agenda", MDB_CREATE, &s->agenda)) ||
        (rc = mdb_dbi_open(txn, "opened", MDB_CREATE, &s->opened)) ||
        (rc = mdb_dbi_open(txn, "access", MDB_CREATE, &s->access)) ||
        (rc = mdb_dbi_open(txn, "hazards", MDB_CREATE, &s->hazards)) ||
        (rc = mdb_dbi_open(txn, "roster", MDB_CREATE, &s->roster)) ||
        (rc = mdb_dbi_open(txn, "notify", MDB_CREATE, &s->notify)) ||
        (rc = mdb_dbi_open(txn, "docwant", MDB_CREATE, &s->docwant)) ||
        (rc = mdb_dbi_open(txn, "interop", MDB_CREATE, &s->interop)) ||
        (rc = mdb_dbi_open(txn, "deptq", MDB_CREATE, &s->deptq)) ||
        (rc = mdb_dbi_open(txn, "filings", MDB_CREATE, &s->filings)) ||
        (rc = mdb_dbi_open(txn, "devices", MDB_CREATE, &s->devices))) {
        mdb_txn_abort(txn);
        return rc;
    }
    return mdb_txn_commit(txn);
}

int store_open(const char *dir, size_t map_size, int create, store **out)
{
    if (create && mkdir(dir, 0700) < 0 && errno != EEXIST)
        return -errno;
    store *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    pthread_rwlock_init(&s->remap, NULL);
    snprintf(s->path, sizeof s->path, "%s", dir);
    int rc = mdb_env_create(&s->env);
    if (rc)
        goto fail;
    mdb_env_set_maxdbs(s->env, STORE_MAX_DBS);
    if ((rc = mdb_env_set_mapsize(s->env, map_size)))
        goto fail;
    /* NOTLS: read transactions are also opened on the thread pool (verify). */
    if ((rc = mdb_env_open(s->env, dir, MDB_NOTLS, 0600)))
        goto fail;
    MDB_envinfo info;
    mdb_env_info(s->env, &info);
    s->map_size = info.me_mapsize; /* an existing file may be larger than asked */
    store_reader_check(s);
    if ((rc = open_dbis(s, create)))
        goto fail;
    *out = s;
    return 0;
fail:
    store_close(&s);
    return rc;
}

void store_close(store **s)
{
    if (!s || !*s)
        return;
    if ((*s)->env)
        mdb_env_close((*s)->env);
    pthread_rwlock_destroy(&(*s)->remap);
    free(*s);
    *s = NULL;
}

int store_grow(store *s)
{
    size_t next = s->map_size * 2;
    if (s->max_map && next > s->max_map) {
        if (s->map_size >= s->max_map) {
            log_warn("store", "map at its ceiling of %zu MiB ([store] max_map_mb)",
                     s->max_map >> 20);
            return JF_EFULL;
        }
        next = s->max_map;
    }
    /* Remapping under a reader on another thread would pull its pages away. */
    pthread_rwlock_wrlock(&s->remap);
    int rc = mdb_env_set_mapsize(s->env, next);
    pthread_rwlock_unlock(&s->remap);
    if (rc)
        return rc;
    log_info("store", "map grown from %zu to %zu bytes", s->map_size, next);
    s->map_size = next;
    return 0;
}

void store_set_limits(store *s, size_t max_map, uint64_t min_free)
{
    s->max_map = max_map && max_map < s->map_size ? s->map_size : max_map;
    s->min_free = min_free;
}

int store_space_check(store *s)
{
    struct statvfs v;
    if (statvfs(s->path, &v) < 0) {
        log_warn("store", "cannot measure the free space of %s (%s)", s->path,
                 strerror(errno));
        return 0;
    }
    uint64_t avail = (uint64_t)v.f_bavail * v.f_frsize;
    int low = s->min_free && avail < s->min_free;
    __atomic_store_n(&s->free_bytes, avail, __ATOMIC_RELAXED);
    __atomic_store_n(&s->low, low, __ATOMIC_RELAXED);
    return low ? JF_EFULL : 0;
}

int store_space(store *s, uint64_t *free_bytes, uint64_t *min_free)
{
    if (free_bytes)
        *free_bytes = __atomic_load_n(&s->free_bytes, __ATOMIC_RELAXED);
    if (min_free)
        *min_free = s->min_free;
    return __atomic_load_n(&s->low, __ATOMIC_RELAXED);
}

int store_txn_begin(store *s, unsigned flags, MDB_txn **txn)
{
    int rc = mdb_txn_begin(s->env, NULL, flags, txn);
    if (rc == MDB_MAP_RESIZED) {
        /* Another process (jiefenctl tools, tests) grew the file; adopt its size. */
        if ((rc = mdb_env_set_mapsize(s->env, 0)) == 0) {
            MDB_envinfo info;
            mdb_env_info(s->env, &info);
            s->map_size = info.me_mapsize;
            rc = mdb_txn_begin(s->env, NULL, flags, txn);
        }
    }
    return rc;
}

size_t store_event_key(const char *origin, uint64_t seq, uint8_t *buf)
{
    size_t n = strlen(origin);
    if (n == 0 || n > STORE_ORIGIN_MAX)
        return 0;
    memcpy(buf, origin, n);
    buf[n] = 0;
    for (int i = 0; i < 8; i++)
        buf[n + 1 + i] = (uint8_t)(seq >> (56 - 8 * i));
    return n + 9;
}

size_t store_time_key(int64_t time_ms, const char *origin, uint64_t seq, uint8_t *buf)
{
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)((uint64_t)time_ms >> (56 - 8 * i));
    size_t n = store_event_key(origin, seq, buf + 8);
    return n ? n + 8 : 0;
}

int store_event_key_parse(const MDB_val *key, char *origin, uint64_t *seq)
{
    const uint8_t *p = key->mv_data;
    if (key->mv_size < 10 || key->mv_size > STORE_ORIGIN_MAX + 9)
        return JF_ECORRUPT;
    size_t n = key->mv_size - 9;
    if (p[n] != 0 || memchr(p, 0, n))
        return JF_ECORRUPT;
    memcpy(origin, p, n);
    origin[n] = 0;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[n + 1 + i];
    *seq = v;
    return 0;
}

int store_put_message(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
                      const ProtobufCMessage *m)
{
    /* One walk of the message, into a buffer on the stack (the heap past it), then a
     * copy: get_packed_size then pack, straight into a page MDB_RESERVE gives, walk it
     * twice, and a walk of a view's 73 fields costs more than copying its bytes. */
    uint8_t scratch[4096];
    ProtobufCBufferSimple b = PROTOBUF_C_BUFFER_SIMPLE_INIT(scratch);
    size_t len = protobuf_c_message_pack_to_buffer(m, &b.base);
    MDB_val k = {klen, (void *)key}, d = {b.len, b.data};
    /* protobuf-c's buffer drops what it cannot allocate room for. */
    int rc = len == b.len ? mdb_put(txn, dbi, &k, &d, 0) : -ENOMEM;
    PROTOBUF_C_BUFFER_SIMPLE_CLEAR(&b);
    return rc;
}

int store_txn_commit(MDB_txn *txn)
{
    return mdb_txn_commit(txn);
}

void store_txn_abort(MDB_txn *txn)
{
    if (txn)
        mdb_txn_abort(txn);
}

int store_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, MDB_val *val)
{
    MDB_val k = {klen, (void *)key};
    int rc = mdb_get(txn, dbi, &k, val);
    return rc == MDB_NOTFOUND ? JF_ENOTFOUND : rc;
}

int store_get_message(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen,
                      const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out)
{
    MDB_val d;
    *out = NULL;
    int rc = store_get(txn, dbi, key, klen, &d);
    if (rc)
        return rc == JF_ENOTFOUND ? 0 : rc;
    *out = protobuf_c_message_unpack(desc, NULL, d.mv_size, d.mv_data);
    return *out ? 0 : JF_ECORRUPT;
}

int store_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, const void *val,
              size_t len, unsigned flags)
{
    MDB_val k = {klen, (void *)key}, d = {len, (void *)val};
    int rc = mdb_put(txn, dbi, &k, &d, flags & STORE_NEW ? MDB_NOOVERWRITE : 0);
    return rc == MDB_KEYEXIST ? JF_EEXIST : rc;
}

int store_del(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen)
{
    MDB_val k = {klen, (void *)key};
    int rc = mdb_del(txn, dbi, &k, NULL);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

#define WALK_KEY_MAX 511 /* LMDB's longest key */

int store_count(MDB_txn *txn, MDB_dbi dbi, uint64_t *count)
{
    MDB_stat st;
    int rc = mdb_stat(txn, dbi, &st);
    *count = rc ? 0 : st.ms_entries;
    return rc;
}

static int in_prefix(const struct store_range *r, const MDB_val *k)
{
    return !r->prefix_len ||
           (k->mv_size >= r->prefix_len && memcmp(k->mv_data, r->prefix, r->prefix_len) == 0);
}

/* LMDB's default order: bytes, then the shorter first. */
static int key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
    int c = memcmp(a, b, alen < blen ? alen : blen);
    return c ? c : (alen > blen) - (alen < blen);
}

/* Past every key of the prefix: the prefix up to its last byte that is not 0xff, that
 * byte incremented, into past (WALK_KEY_MAX bytes). Its length, 0 when there is no
 * such key (no prefix, or only 0xff bytes: the prefix's keys are the last ones). */
static size_t past_prefix(const struct store_range *r, uint8_t *past)
{
    size_t n = r->prefix_len < WALK_KEY_MAX ? r->prefix_len : WALK_KEY_MAX;
    if (!n)
        return 0;
    memcpy(past, r->prefix, n);
    while (n && past[n - 1] == 0xff)
        n--;
    if (n)
        past[n - 1]++;
    return n;
}

/* Forward: on the first key >= both the prefix and `from`. */
static int walk_first_forward(MDB_cursor *c, const struct store_range *r, MDB_val *k,
                              MDB_val *d)
{
    *k = (MDB_val){r->prefix_len, (void *)r->prefix};
    if (r->from_len &&
        (!r->prefix_len || key_cmp(r->from, r->from_len, r->prefix, r->prefix_len) > 0))
        *k = (MDB_val){r->from_len, (void *)r->from};
    return mdb_cursor_get(c, k, d, k->mv_size ? MDB_SET_RANGE : MDB_FIRST);
}

/* Backward: on the last key below both `from` and the end of the prefix. */
static int walk_first_reverse(MDB_cursor *c, const struct store_range *r, MDB_val *k,
                              MDB_val *d)
{
    uint8_t past[WALK_KEY_MAX];
    size_t n = past_prefix(r, past);
    *k = (MDB_val){n, past};
    if (r->from_len && (!n || key_cmp(r->from, r->from_len, past, n) < 0))
        *k = (MDB_val){r->from_len, (void *)r->from};
    if (!k->mv_size)
        return mdb_cursor_get(c, k, d, MDB_LAST);
    int rc = mdb_cursor_get(c, k, d, MDB_SET_RANGE);
    if (rc == MDB_NOTFOUND)
        return mdb_cursor_get(c, k, d, MDB_LAST);
    return rc ? rc : mdb_cursor_get(c, k, d, MDB_PREV);
}

int store_walk(MDB_txn *txn, MDB_dbi dbi, const struct store_range *r, store_walk_fn fn,
               void *arg)
{
    static const struct store_range all = {0};
    MDB_cursor *c;
    MDB_val k, d;
    r = r ? r : &all;
    int rc = mdb_cursor_open(txn, dbi, &c), stop = 0;
    if (rc)
        return rc;
    rc = r->reverse ? walk_first_reverse(c, r, &k, &d) : walk_first_forward(c, r, &k, &d);
    for (; rc == 0 && in_prefix(r, &k);
         rc = mdb_cursor_get(c, &k, &d, r->reverse ? MDB_PREV : MDB_NEXT))
        if ((stop = fn(&k, &d, arg)))
            break;
    mdb_cursor_close(c);
    if (stop)
        return stop == STORE_STOP ? 0 : stop;
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The walk of store_walk_messages: each value unpacked for the caller's fn. */
struct walk_messages {
    const ProtobufCMessageDescriptor *desc;
    store_message_fn fn;
    void *arg;
};

static int walk_message(const MDB_val *key, const MDB_val *val, void *arg)
{
    const struct walk_messages *w = arg;
    (void)key;
    ProtobufCMessage *m = protobuf_c_message_unpack(w->desc, NULL, val->mv_size, val->mv_data);
    if (!m)
        return JF_ECORRUPT;
    int rc = w->fn(m, w->arg);
    protobuf_c_message_free_unpacked(m, NULL);
    return rc;
}

int store_walk_messages(MDB_txn *txn, MDB_dbi dbi, const struct store_range *r,
                        const ProtobufCMessageDescriptor *desc, store_message_fn fn,
                        void *arg)
{
    struct walk_messages w = {desc, fn, arg};
    return store_walk(txn, dbi, r, walk_message, &w);
}

int store_counter_get(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, int codec,
                      uint64_t *v)
{
    MDB_val d;
    int rc = store_get(txn, dbi, key, klen, &d);
    *v = 0;
    if (rc)
        return rc == JF_ENOTFOUND ? 0 : rc;
    if (d.mv_size != 8)
        return codec == STORE_NATIVE ? JF_ECORRUPT : 0;
    if (codec == STORE_NATIVE)
        memcpy(v, d.mv_data, 8);
    else
        *v = store_be_u64(d.mv_data);
    return 0;
}

int store_counter_put(MDB_txn *txn, MDB_dbi dbi, const void *key, size_t klen, int codec,
                      uint64_t v)
{
    uint8_t b[8];
    if (codec == STORE_NATIVE)
        memcpy(b, &v, 8);
    else
        store_u64_be(v, b);
    return store_put(txn, dbi, key, klen, b, sizeof b, 0);
}

int store_meta_get_u64(store *s, MDB_txn *txn, const char *name, uint64_t *v)
{
    return store_counter_get(txn, s->meta, name, strlen(name), STORE_NATIVE, v);
}

int store_meta_put_u64(store *s, MDB_txn *txn, const char *name, uint64_t v)
{
    return store_counter_put(txn, s->meta, name, strlen(name), STORE_NATIVE, v);
}

void store_queue_note(store *s, MDB_dbi dbi)
{
    if (dbi < sizeof s->queued / sizeof s->queued[0])
        __atomic_add_fetch(&s->queued[dbi], 1, __ATOMIC_RELEASE);
}

uint64_t store_queue_notes(store *s, MDB_dbi dbi)
{
    if (dbi < sizeof s->queued / sizeof s->queued[0])
        return __atomic_load_n(&s->queued[dbi], __ATOMIC_ACQUIRE);
    return 0;
}

void store_usage(store *s, uint64_t *used, uint64_t *map)
{
    MDB_envinfo info;
    MDB_stat st;
    mdb_env_info(s->env, &info);
    mdb_env_stat(s->env, &st);
    *used = (uint64_t)(info.me_last_pgno + 1) * st.ms_psize;
    *map = info.me_mapsize;
}

int store_reader_check(store *s)
{
    int dead = 0;
    mdb_reader_check(s->env, &dead);
    if (dead > 0)
        log_warn("store", "cleared %d stale reader slots", dead);
    return dead;
}

int store_event_get(store *s, MDB_txn *txn, const char *origin, uint64_t seq, MDB_val *data)
{
    uint8_t key[STORE_KEY_MAX];
    MDB_val k = {store_event_key(origin, seq, key), key};
    if (!k.mv_size)
        return JF_EINVAL;
    int rc = mdb_get(txn, s->events, &k, data);
    if (rc == MDB_NOTFOUND)
        rc = mdb_get(txn, s->inbox, &k, data);
    return rc == MDB_NOTFOUND ? JF_ENOTFOUND : rc;
}

void store_read_begin(store *s)
{
    pthread_rwlock_rdlock(&s->remap);
}

void store_read_end(store *s)
{
    pthread_rwlock_unlock(&s->remap);
}

struct first {
    MDB_val *key, *val;
    int found;
};

static int take_first(const MDB_val *k, const MDB_val *v, void *arg)
{
    struct first *f = arg;
    *f->key = *k;
    *f->val = *v;
    f->found = 1;
    return STORE_STOP;
}

int store_first(MDB_txn *txn, MDB_dbi dbi, const struct store_range *r, MDB_val *key,
                MDB_val *val)
{
    struct first f = {key, val, 0};
    int rc = store_walk(txn, dbi, r, take_first, &f);
    return rc ? rc : f.found ? 0 : JF_ENOTFOUND;
}
