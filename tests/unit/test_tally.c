/* A tally gathers a transaction's counters and writes them once at its end: the values
 * after the commit are what moving them one by one would give; nothing reaches the store
 * before the end; an aborted transaction's tally changes nothing; past TALLY_MAX the next
 * counters are moved at once; without a tally every move is written at once. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "store.h"
#include "tally.h"
#include "testutil.h"

static int tally_setup(void **state)
{
    char path[4200];
    store *s = NULL;
    test_dir_setup(state);
    snprintf(path, sizeof path, "%s/store", test_dir);
    if (store_open(path, 1 << 22, 1, &s))
        return -1;
    *state = s;
    return 0;
}

static int tally_teardown(void **state)
{
    store *s = *state;
    store_close(&s);
    return test_dir_teardown(state);
}

/* The committed value of a big-endian counter (0 if absent). */
static uint64_t be_value(store *s, const char *key)
{
    MDB_txn *txn;
    MDB_val d;
    uint64_t v = 0;
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), 0);
    if (store_get(txn, s->agenda, key, strlen(key), &d) == 0) {
        assert_int_equal(d.mv_size, 8);
        for (int i = 0; i < 8; i++)
            v = v << 8 | ((const uint8_t *)d.mv_data)[i];
    }
    store_txn_abort(txn);
    return v;
}

static uint64_t meta_value(store *s, const char *key)
{
    MDB_txn *txn;
    uint64_t v;
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_meta_get_u64(s, txn, key, &v), 0);
    store_txn_abort(txn);
    return v;
}

static void add(store *s, MDB_txn *txn, const char *key, int codec, int64_t delta,
                uint64_t expect)
{
    uint64_t now;
    MDB_dbi dbi = codec == STORE_NATIVE ? s->meta : s->agenda;
    assert_int_equal(tally_add(s, txn, dbi, key, strlen(key), codec, delta, &now), 0);
    assert_int_equal(now, expect);
}

static void test_without_a_tally_each_move_is_written(void **state)
{
    store *s = *state;
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    add(s, txn, "cases:open", STORE_NATIVE, 1, 1);
    add(s, txn, "cases:open", STORE_NATIVE, 1, 2);
    add(s, txn, "cases:closed", STORE_NATIVE, -1, 0); /* never below 0 */
    add(s, txn, "s", STORE_BE, 5, 5);
    add(s, txn, "s", STORE_BE, 0, 5);                 /* 0 only reads */
    uint64_t v;
    assert_int_equal(store_meta_get_u64(s, txn, "cases:open", &v), 0);
    assert_int_equal(v, 2);                            /* in the store at once */
    assert_int_equal(store_txn_commit(txn), 0);
    assert_int_equal(meta_value(s, "cases:open"), 2);
    assert_int_equal(be_value(s, "s"), 5);
}

static void test_a_tally_writes_once_at_its_end(void **state)
{
    store *s = *state;
    MDB_txn *txn;
    tally t;
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    add(s, txn, "cases:open", STORE_NATIVE, 3, 3);
    add(s, txn, "s", STORE_BE, 7, 7);
    assert_int_equal(store_txn_commit(txn), 0);

    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    tally_begin(s, txn, &t);
    for (int i = 0; i < 1000; i++)
        add(s, txn, "s", STORE_BE, 1, 8 + (uint64_t)i);
    add(s, txn, "cases:open", STORE_NATIVE, -1, 2);
    add(s, txn, "cases:open", STORE_NATIVE, 1, 3);
    add(s, txn, "cases:open", STORE_NATIVE, 1, 4);
    uint64_t v;
    assert_int_equal(store_meta_get_u64(s, txn, "cases:open", &v), 0);
    assert_int_equal(v, 3);                            /* not written before the end */
    assert_int_equal(t.n, 2);                          /* each counter held once */
    assert_int_equal(tally_end(s, 1), 0);
    assert_null(s->tally);
    assert_int_equal(store_txn_commit(txn), 0);
    assert_int_equal(meta_value(s, "cases:open"), 4);
    assert_int_equal(be_value(s, "s"), 1007);
}

static void test_an_aborted_tally_changes_nothing(void **state)
{
    store *s = *state;
    MDB_txn *txn;
    tally t;
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    tally_begin(s, txn, &t);
    add(s, txn, "s", STORE_BE, 9, 9);
    assert_int_equal(tally_end(s, 0), 0);
    store_txn_abort(txn);
    assert_int_equal(be_value(s, "s"), 0);

    /* The next transaction, with no tally, starts from the store again. */
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    add(s, txn, "s", STORE_BE, 1, 1);
    assert_int_equal(store_txn_commit(txn), 0);
    assert_int_equal(be_value(s, "s"), 1);
}

static void test_past_its_room_counters_are_moved_at_once(void **state)
{
    store *s = *state;
    MDB_txn *txn;
    tally t;
    char key[16];
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    tally_begin(s, txn, &t);
    for (int round = 1; round <= 3; round++)
        for (int i = 0; i < TALLY_MAX + 5; i++) {
            snprintf(key, sizeof key, "c%d", i);
            add(s, txn, key, STORE_BE, i + 1, (uint64_t)(round * (i + 1)));
        }
    assert_int_equal(t.n, TALLY_MAX);
    for (int i = TALLY_MAX - 1; i < TALLY_MAX + 1; i++) { /* the last held, the first not */
        MDB_val d;
        snprintf(key, sizeof key, "c%d", i);
        int rc = store_get(txn, s->agenda, key, strlen(key), &d);
        assert_int_equal(rc, i < TALLY_MAX ? JF_ENOTFOUND : 0);
    }
    assert_int_equal(tally_end(s, 1), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    for (int i = 0; i < TALLY_MAX + 5; i++) {
        snprintf(key, sizeof key, "c%d", i);
        assert_int_equal(be_value(s, key), 3 * (uint64_t)(i + 1));
    }
}

static void test_a_counter_of_another_size(void **state)
{
    store *s = *state;
    MDB_txn *txn;
    tally t;
    uint64_t now;
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    assert_int_equal(store_put(txn, s->meta, "odd", 3, "abc", 3, 0), 0);
    assert_int_equal(store_put(txn, s->agenda, "odd", 3, "abc", 3, 0), 0);
    assert_int_equal(tally_add(s, txn, s->meta, "odd", 3, STORE_NATIVE, 1, &now),
                     JF_ECORRUPT);
    tally_begin(s, txn, &t);
    assert_int_equal(tally_add(s, txn, s->meta, "odd", 3, STORE_NATIVE, 1, &now),
                     JF_ECORRUPT);
    assert_int_equal(tally_add(s, txn, s->agenda, "odd", 3, STORE_BE, 1, &now), 0);
    assert_int_equal(now, 1);                          /* as the journal reads it: 0 */
    assert_int_equal(tally_end(s, 0), 0);
    store_txn_abort(txn);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_without_a_tally_each_move_is_written, tally_setup,
                                        tally_teardown),
        cmocka_unit_test_setup_teardown(test_a_tally_writes_once_at_its_end, tally_setup,
                                        tally_teardown),
        cmocka_unit_test_setup_teardown(test_an_aborted_tally_changes_nothing, tally_setup,
                                        tally_teardown),
        cmocka_unit_test_setup_teardown(test_past_its_room_counters_are_moved_at_once,
                                        tally_setup, tally_teardown),
        cmocka_unit_test_setup_teardown(test_a_counter_of_another_size, tally_setup,
                                        tally_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
