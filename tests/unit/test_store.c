/* Store keys sort by origin then seq; meta values round-trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_keys_roundtrip_and_order),
        cmocka_unit_test(test_time_keys),
        cmocka_unit_test(test_meta_and_reopen),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
