/* Store keys sort by origin then seq; meta values round-trip; the typed helpers get, put,
 * delete, unpack and walk ranges. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "jiefen.pb-c.h"
#include "store.h"
#include "testutil.h"

static void test_keys_roundtrip_and_order(void **state)
{
    (void)state;
    uint8_t a[STORE_KEY_MAX], b[STORE_KEY_MAX];
    size_t la = store_event_key("v1", 255, a), lb = store_event_key("v1", 256, b);
    assert_true(la > 0 && la == lb);
    assert_true(memcmp(a, b, la) < 0); /* big-endian: numeric order is byte order */
    MDB_val k = {la, a};
    char origin[STORE_ORIGIN_MAX + 1];
    uint64_t seq;
    assert_int_equal(store_event_key_parse(&k, origin, &seq), 0);
    assert_string_equal(origin, "v1");
    assert_int_equal(seq, 255);
    /* "v1" events sort before "v10" events whatever their seq. */
    size_t lc = store_event_key("v10", 1, b);
    assert_true(memcmp(a, b, la < lc ? la : lc) < 0);
    assert_int_equal(store_event_key("", 1, a), 0);
    assert_int_equal(store_event_key("abcdefghijabcdefghijabcdefghijabc", 1, a), 0);
    MDB_val bad = {3, "abc"};
    assert_int_equal(store_event_key_parse(&bad, origin, &seq), JF_ECORRUPT);
}

/* Time keys sort by time first (the warnings' order), then as event keys. */
static void test_time_keys(void **state)
{
    (void)state;
    uint8_t a[STORE_TIME_KEY_MAX], b[STORE_TIME_KEY_MAX];
    size_t la = store_time_key(1790000000000LL, "v10", 9, a);
    assert_int_equal(la, 8 + store_event_key("v10", 9, b));
    size_t lb = store_time_key(1790000000001LL, "v1", 1, b);
    assert_true(lb > 0);
    assert_true(memcmp(a, b, 8) < 0); /* earlier first, whatever the origin */
    size_t lc = store_time_key(1790000000000LL, "v10", 10, b);
    assert_true(lc == la && memcmp(a, b, la) < 0);
    assert_int_equal(store_time_key(1, "", 1, a), 0);
    assert_int_equal(store_time_key(1, "abcdefghijabcdefghijabcdefghijabc", 1, a), 0);
}

static void test_meta_and_reopen(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/store", dir);
    store *s = NULL;
    MDB_txn *txn;
    uint64_t v;
    assert_int_equal(store_open(path, 1 << 20, 1, &s), 0);
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    assert_int_equal(store_meta_get_u64(s, txn, "x", &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(store_meta_put_u64(s, txn, "x", 42), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    store_close(&s);
    assert_null(s);
    assert_int_equal(store_open(path, 1 << 20, 0, &s), 0);
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_meta_get_u64(s, txn, "x", &v), 0);
    assert_int_equal(v, 42);
    mdb_txn_abort(txn);
    assert_int_equal(store_grow(s), 0);
    assert_int_equal(s->map_size, 2 << 20);
    store_close(&s);
    test_rmtree(dir);
}

/* A store in a fresh directory for the helper tests, in *state. */
static int store_setup(void **state)
{
    char path[4200];
    store *s = NULL;
    test_dir_setup(state);
    snprintf(path, sizeof path, "%s/store", test_dir);
    if (store_open(path, 1 << 20, 1, &s))
        return -1;
    *state = s;
    return 0;
}

static int store_teardown(void **state)
{
    store *s = *state;
    store_close(&s);
    return test_dir_teardown(state);
}

static void test_get_put_del(void **state)
{
    store *s = *state;
    MDB_txn *txn;
    MDB_val v;
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    assert_int_equal(store_get(txn, s->meta, "k", 1, &v), JF_ENOTFOUND);
    assert_int_equal(store_put(txn, s->meta, "k", 1, "one", 3, STORE_NEW), 0);
    assert_int_equal(store_put(txn, s->meta, "k", 1, "two", 3, STORE_NEW), JF_EEXIST);
    assert_int_equal(store_get(txn, s->meta, "k", 1, &v), 0);
    assert_true(v.mv_size == 3 && memcmp(v.mv_data, "one", 3) == 0);
    assert_int_equal(store_put(txn, s->meta, "k", 1, "three", 5, 0), 0);
    assert_int_equal(store_get(txn, s->meta, "k", 1, &v), 0);
    assert_true(v.mv_size == 5 && memcmp(v.mv_data, "three", 5) == 0);
    assert_int_equal(store_del(txn, s->meta, "k", 1), 0);
    assert_int_equal(store_get(txn, s->meta, "k", 1, &v), JF_ENOTFOUND);
    assert_int_equal(store_del(txn, s->meta, "k", 1), 0); /* absent: not an error */
    assert_int_equal(store_txn_commit(txn), 0);
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), 0);
    assert_int_not_equal(store_put(txn, s->meta, "k", 1, "x", 1, 0), 0);
    store_txn_abort(txn);
    store_txn_abort(NULL);
}

static void test_get_message(void **state)
{
    store *s = *state;
    MDB_txn *txn;
    Jiefen__NodeInfo ni = JIEFEN__NODE_INFO__INIT, *got = NULL;
    ni.node_id = "v1";
    ni.parent = "t1";
    ni.revoked = 1;
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    assert_int_equal(STORE_GET_MESSAGE(txn, s->nodes, "v1", 2, &jiefen__node_info__descriptor,
                                       &got), 0);
    assert_null(got); /* absent */
    assert_int_equal(store_put_message(txn, s->nodes, "v1", 2, &ni.base), 0);
    assert_int_equal(STORE_GET_MESSAGE(txn, s->nodes, "v1", 2, &jiefen__node_info__descriptor,
                                       &got), 0);
    assert_non_null(got);
    assert_string_equal(got->node_id, "v1");
    assert_string_equal(got->parent, "t1");
    assert_true(got->revoked);
    jiefen__node_info__free_unpacked(got, NULL);
    /* A length-delimited field longer than what follows does not unpack. */
    assert_int_equal(store_put(txn, s->nodes, "bad", 3, "\x0a\x05x", 3, 0), 0);
    assert_int_equal(STORE_GET_MESSAGE(txn, s->nodes, "bad", 3,
                                       &jiefen__node_info__descriptor, &got), JF_ECORRUPT);
    assert_null(got);
    store_txn_abort(txn);
}

/* Walk callback: appends each key and a ',' to the string in arg; stops or fails at the
 * key named by `at`. */
struct seen {
    char keys[256];
    const char *at;
    int result;
};

static int note_key(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct seen *w = arg;
    (void)val;
    size_t n = strlen(w->keys);
    snprintf(w->keys + n, sizeof w->keys - n, "%.*s,", (int)key->mv_size, (char *)key->mv_data);
    if (w->at && key->mv_size == strlen(w->at) && memcmp(key->mv_data, w->at, key->mv_size) == 0)
        return w->result;
    return 0;
}

/* The keys the walk of r visits, as "k1,k2,"; its result in *rc. */
static const char *walk_keys(MDB_txn *txn, MDB_dbi dbi, const char *prefix, const char *from,
                             int reverse, struct seen *w, int *rc)
{
    struct store_range r = {prefix, prefix ? strlen(prefix) : 0, from, from ? strlen(from) : 0,
                            reverse};
    w->keys[0] = 0;
    *rc = store_walk(txn, dbi, &r, note_key, w);
    return w->keys;
}

static void test_walk(void **state)
{
    static const char *const keys[] = {"a", "b:1", "b:2", "b:3", "b\xff", "c", "\xff\xff"};
    store *s = *state;
    MDB_txn *txn;
    struct seen w = {.at = NULL};
    int rc;
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        assert_int_equal(store_put(txn, s->meta, keys[i], strlen(keys[i]), "", 0, 0), 0);
    assert_int_equal(store_walk(txn, s->meta, NULL, note_key, &w), 0);
    assert_string_equal(w.keys, "a,b:1,b:2,b:3,b\xff,c,\xff\xff,");
    assert_string_equal(walk_keys(txn, s->meta, "b:", NULL, 0, &w, &rc), "b:1,b:2,b:3,");
    assert_string_equal(walk_keys(txn, s->meta, "b:", "b:2", 0, &w, &rc), "b:2,b:3,");
    assert_string_equal(walk_keys(txn, s->meta, "b:", "a", 0, &w, &rc), "b:1,b:2,b:3,");
    assert_string_equal(walk_keys(txn, s->meta, NULL, "b:25", 0, &w, &rc), "b:3,b\xff,c,\xff\xff,");
    assert_string_equal(walk_keys(txn, s->meta, "x", NULL, 0, &w, &rc), "");
    assert_int_equal(rc, 0);
    /* Backwards: from the end of the prefix, or below `from`. */
    assert_string_equal(walk_keys(txn, s->meta, "b:", NULL, 1, &w, &rc), "b:3,b:2,b:1,");
    assert_string_equal(walk_keys(txn, s->meta, "b", NULL, 1, &w, &rc), "b\xff,b:3,b:2,b:1,");
    assert_string_equal(walk_keys(txn, s->meta, "b:", "b:3", 1, &w, &rc), "b:2,b:1,");
    assert_string_equal(walk_keys(txn, s->meta, "b:", "c", 1, &w, &rc), "b:3,b:2,b:1,");
    assert_string_equal(walk_keys(txn, s->meta, "b:", "a", 1, &w, &rc), "");
    assert_string_equal(walk_keys(txn, s->meta, "\xff", NULL, 1, &w, &rc), "\xff\xff,");
    assert_string_equal(walk_keys(txn, s->meta, NULL, "b:1", 1, &w, &rc), "a,");
    assert_string_equal(walk_keys(txn, s->meta, NULL, NULL, 1, &w, &rc),
                        "\xff\xff,c,b\xff,b:3,b:2,b:1,a,");
    assert_int_equal(rc, 0);
    assert_string_equal(walk_keys(txn, s->parked, NULL, NULL, 1, &w, &rc), "");
    assert_int_equal(rc, 0);
    store_txn_abort(txn);
}

/* The first key of a range and its value, or JF_ENOTFOUND for an empty range. */
static void test_first(void **state)
{
    store *s = *state;
    MDB_txn *txn;
    MDB_val k, v;
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    assert_int_equal(store_put(txn, s->meta, "q:2", 3, "two", 3, 0), 0);
    assert_int_equal(store_put(txn, s->meta, "q:1", 3, "one", 3, 0), 0);
    assert_int_equal(store_put(txn, s->meta, "r", 1, "", 0, 0), 0);
    struct store_range q = {.prefix = "q:", .prefix_len = 2}, none = {.prefix = "x", .prefix_len = 1};
    assert_int_equal(store_first(txn, s->meta, &q, &k, &v), 0);
    printf("  first of q: %.*s = %.*s\n", (int)k.mv_size, (char *)k.mv_data, (int)v.mv_size,
           (char *)v.mv_data);
    assert_memory_equal(k.mv_data, "q:1", 3);
    assert_memory_equal(v.mv_data, "one", 3);
    q.reverse = 1;
    assert_int_equal(store_first(txn, s->meta, &q, &k, &v), 0);
    assert_memory_equal(k.mv_data, "q:2", 3);
    assert_int_equal(store_first(txn, s->meta, &none, &k, &v), JF_ENOTFOUND);
    assert_int_equal(store_first(txn, s->parked, NULL, &k, &v), JF_ENOTFOUND);
    store_txn_abort(txn);
}

/* STORE_STOP ends a walk without error; a callback's error code, whatever it is, and an
 * LMDB error end it with that code. */
static void test_walk_stop_and_errors(void **state)
{
    store *s = *state;
    MDB_txn *txn;
    int rc;
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    for (char k[2] = "a"; k[0] <= 'e'; k[0]++)
        assert_int_equal(store_put(txn, s->meta, k, 1, "", 0, 0), 0);
    struct seen w = {.at = "b", .result = STORE_STOP};
    assert_string_equal(walk_keys(txn, s->meta, NULL, NULL, 0, &w, &rc), "a,b,");
    assert_int_equal(rc, 0);
    assert_string_equal(walk_keys(txn, s->meta, NULL, NULL, 1, &w, &rc), "e,d,c,b,");
    assert_int_equal(rc, 0);
    w.result = JF_ECORRUPT;
    assert_string_equal(walk_keys(txn, s->meta, NULL, "b", 0, &w, &rc), "b,");
    assert_int_equal(rc, JF_ECORRUPT);
    w.result = MDB_NOTFOUND; /* the callback's, not the end of the range */
    assert_string_equal(walk_keys(txn, s->meta, NULL, NULL, 0, &w, &rc), "a,b,");
    assert_int_equal(rc, MDB_NOTFOUND);
    assert_int_not_equal(store_walk(txn, 1000, NULL, note_key, &w), 0); /* no such dbi */
    store_txn_abort(txn);
}

/* The map grows up to its ceiling, the last step only as far as the ceiling, and then says
 * JF_EFULL; the free-space floor is measured on the store's file system: none set, never
 * low; one above what any disk has, low, and said so by store_space. */
static void test_map_ceiling_and_space(void **state)
{
    store *s = *state;
    uint64_t avail = 0, min = 0;
    store_set_limits(s, 3 << 20, 0);
    assert_int_equal(store_grow(s), 0);
    assert_int_equal(s->map_size, 2 << 20);
    assert_int_equal(store_grow(s), 0);
    printf("  map %zu bytes at the ceiling of %zu\n", s->map_size, s->max_map);
    assert_int_equal(s->map_size, 3 << 20);
    assert_int_equal(store_grow(s), JF_EFULL);
    assert_int_equal(s->map_size, 3 << 20);
    store_set_limits(s, 1 << 20, 0); /* below the map: the map it is */
    assert_int_equal(s->max_map, 3 << 20);

    assert_int_equal(store_space_check(s), 0);
    assert_int_equal(store_space(s, &avail, &min), 0);
    assert_true(avail > 0);
    assert_int_equal(min, 0);
    store_set_limits(s, 0, UINT64_MAX / 2);
    assert_int_equal(store_space_check(s), JF_EFULL);
    assert_int_equal(store_space(s, &avail, &min), 1);
    assert_int_equal(min, UINT64_MAX / 2);
    printf("  %llu bytes free, low\n", (unsigned long long)avail);
    store_set_limits(s, 0, 1);
    assert_int_equal(store_space_check(s), 0);
    assert_int_equal(store_space(s, NULL, NULL), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_roundtrip_and_order),
        cmocka_unit_test(test_time_keys),
        cmocka_unit_test(test_meta_and_reopen),
        cmocka_unit_test_setup_teardown(test_get_put_del, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_get_message, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_walk, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_walk_stop_and_errors, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_map_ceiling_and_space, store_setup, store_teardown),
        cmocka_unit_test_setup_teardown(test_first, store_setup, store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
