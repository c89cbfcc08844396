/* migrate (node/log/migrate.h): a store without a format is format 1; the steps above it
 * run in order in one transaction with the new format, all or none; a newer store is
 * refused untouched; a missing step is an error; a step that overflows the map is replayed
 * after growth; the real list (case/migrations.h) covers every format up to
 * MIGRATIONS_FORMAT. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/migrations.h"
#include "error.h"
#include "log/migrate.h"
#include "store.h"
#include "testutil.h"

static char ran[16];     /* the steps run, in order: "23" */
static int fail_at;      /* the step that fails (0: none) */

static int step(store *st, MDB_txn *txn, uint64_t to)
{
    char key[8];
    size_t n = strlen(ran);
    ran[n] = (char)('0' + to);
    ran[n + 1] = 0;
    if ((int)to == fail_at)
        return JF_ECORRUPT;
    snprintf(key, sizeof key, "step%d", (int)to);
    return store_meta_put_u64(st, txn, key, to);
}

static int step2(store *st, MDB_txn *txn, const char *self)
{
    assert_string_equal(self, "v1");
    return step(st, txn, 2);
}

static int step3(store *st, MDB_txn *txn, const char *self)
{
    (void)self;
    return step(st, txn, 3);
}

static const struct migrate_step steps[] = {{2, "two", step2}, {3, "three", step3}};

static int setup(void **state)
{
    char path[4200];
    store *s = NULL;
    test_dir_setup(state);
    snprintf(path, sizeof path, "%s/store", test_dir);
    if (store_open(path, 1 << 20, 1, &s))
        return -1;
    ran[0] = 0;
    fail_at = 0;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    store *s = *state;
    store_close(&s);
    return test_dir_teardown(state);
}

static uint64_t meta(store *s, const char *name)
{
    MDB_txn *txn;
    uint64_t v = 99;
    assert_int_equal(store_txn_begin(s, MDB_RDONLY, &txn), 0);
    if (strcmp(name, MIGRATE_FORMAT_KEY) == 0)
        assert_int_equal(migrate_format(s, txn, &v), 0);
    else
        assert_int_equal(store_meta_get_u64(s, txn, name, &v), 0);
    store_txn_abort(txn);
    return v;
}

static void stamp(store *s, uint64_t format)
{
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(s, 0, &txn), 0);
    assert_int_equal(migrate_stamp(s, txn, format), 0);
    assert_int_equal(store_txn_commit(txn), 0);
}

static void test_unrecorded_is_format_1_and_migrates(void **state)
{
    store *s = *state;
    uint64_t from = 0;
    const char *failed = "x";
    assert_int_equal(meta(s, MIGRATE_FORMAT_KEY), 1);
    assert_int_equal(migrate_run(s, steps, 2, 3, "v1", &from, &failed), 0);
    printf("  from %llu, ran \"%s\"\n", (unsigned long long)from, ran);
    assert_int_equal(from, 1);
    assert_null(failed);
    assert_string_equal(ran, "23");
    assert_int_equal(meta(s, MIGRATE_FORMAT_KEY), 3);
    assert_int_equal(meta(s, "step2"), 2);
    assert_int_equal(meta(s, "step3"), 3);
    /* At the current format nothing runs. */
    ran[0] = 0;
    assert_int_equal(migrate_run(s, steps, 2, 3, "v1", &from, &failed), 0);
    assert_int_equal(from, 3);
    assert_string_equal(ran, "");
}

static void test_only_the_steps_above(void **state)
{
    store *s = *state;
    uint64_t from = 0;
    const char *failed;
    stamp(s, 2);
    assert_int_equal(migrate_run(s, steps, 2, 3, "v1", &from, &failed), 0);
    assert_int_equal(from, 2);
    assert_string_equal(ran, "3");
    assert_int_equal(meta(s, "step2"), 0);
    assert_int_equal(meta(s, MIGRATE_FORMAT_KEY), 3);
}

/* The second step fails: the first's write and the format are not there either. */
static void test_all_or_none(void **state)
{
    store *s = *state;
    uint64_t from = 0;
    const char *failed = NULL;
    fail_at = 3;
    assert_int_equal(migrate_run(s, steps, 2, 3, "v1", &from, &failed), JF_ECORRUPT);
    printf("  failed at \"%s\" after \"%s\"\n", failed, ran);
    assert_string_equal(failed, "three");
    assert_string_equal(ran, "23");
    assert_int_equal(meta(s, "step2"), 0);
    assert_int_equal(meta(s, MIGRATE_FORMAT_KEY), 1);
    /* Fixed, the next start does it all. */
    fail_at = 0;
    ran[0] = 0;
    assert_int_equal(migrate_run(s, steps, 2, 3, "v1", &from, &failed), 0);
    assert_string_equal(ran, "23");
    assert_int_equal(meta(s, MIGRATE_FORMAT_KEY), 3);
}

static void test_newer_refused_untouched(void **state)
{
    store *s = *state;
    uint64_t from = 0;
    const char *failed;
    stamp(s, 7);
    assert_int_equal(migrate_run(s, steps, 2, 3, "v1", &from, &failed), JF_ENEWER);
    assert_int_equal(from, 7);
    assert_string_equal(ran, "");
    assert_int_equal(meta(s, MIGRATE_FORMAT_KEY), 7);
}

static void test_missing_step(void **state)
{
    store *s = *state;
    uint64_t from = 0;
    const char *failed;
    assert_int_equal(migrate_run(s, steps, 2, 4, "v1", &from, &failed), JF_EINVAL);
    assert_int_equal(meta(s, MIGRATE_FORMAT_KEY), 1);
    assert_int_equal(meta(s, "step2"), 0);
}

static int big_runs;

/* Writes 2 MiB: more than the 1 MiB map holds. */
static int big_step(store *st, MDB_txn *txn, const char *self)
{
    (void)self;
    static char value[4096];
    big_runs++;
    for (int i = 0; i < 512; i++) {
        char key[16];
        snprintf(key, sizeof key, "big%d", i);
        int rc = store_put(txn, st->meta, key, strlen(key), value, sizeof value, 0);
        if (rc)
            return rc;
    }
    return 0;
}

/* A step that overflows the map: the transaction is aborted, the map grown and every step
 * run again, so the store ends migrated and whole. */
static void test_map_full_replays(void **state)
{
    store *s = *state;
    uint64_t from = 0;
    const char *failed;
    const struct migrate_step big[] = {{2, "big", big_step}};
    big_runs = 0;
    assert_int_equal(migrate_run(s, big, 1, 2, "v1", &from, &failed), 0);
    printf("  ran %d times, map %zu bytes\n", big_runs, s->map_size);
    assert_true(big_runs >= 2);
    assert_true(s->map_size > (1 << 20));
    assert_int_equal(meta(s, MIGRATE_FORMAT_KEY), 2);
}

/* The release's own list: a step for every format from 2 up, in order, each named; run on
 * an empty store it reaches MIGRATIONS_FORMAT. */
static void test_release_steps(void **state)
{
    store *s = *state;
    size_t n;
    uint64_t from = 0;
    const char *failed;
    const struct migrate_step *list = migrations_steps(&n);
    assert_int_equal(n, MIGRATIONS_FORMAT - 1);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(list[i].to, i + 2);
        assert_true(strlen(list[i].name) > 0);
    }
    assert_int_equal(migrate_run(s, list, n, MIGRATIONS_FORMAT, "v1", &from, &failed), 0);
    assert_int_equal(meta(s, MIGRATE_FORMAT_KEY), MIGRATIONS_FORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unrecorded_is_format_1_and_migrates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_only_the_steps_above, setup, teardown),
        cmocka_unit_test_setup_teardown(test_all_or_none, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_refused_untouched, setup, teardown),
        cmocka_unit_test_setup_teardown(test_missing_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_release_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_map_full_replays, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
