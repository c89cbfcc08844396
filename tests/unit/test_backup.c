/* backup (node/log/backup.h): a copy of a data directory with its store, files and manifest,
 * private (0700/0600) and whole or absent; restores refuse a non-empty target, a directory
 * that is no backup and a newer store, and leave the target as found; a restored store is
 * marked restored (eventlog_restored); retention keeps the newest. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "log/backup.h"
#include "log/eventlog.h"
#include "store.h"
#include "testutil.h"

#include <jansson.h>
#include <sys/stat.h>

static const struct backup_info info = {"v1", "东村", 3};

static void write_file(const char *dir, const char *name, const char *text)
{
    char path[8600]; /* a directory path of up to 8400 bytes and a short name */
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static int exists(const char *dir, const char *name)
{
    char path[8400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return stat(path, &sb) == 0;
}

static int mode_of(const char *dir, const char *name)
{
    char path[8400];
    struct stat sb;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    assert_int_equal(stat(path, &sb), 0);
    return sb.st_mode & 0777;
}

/* A data directory in test_dir/data with a store, a key and run files; a backup made of
 * it into test_dir/out. */
static void make_backup(store **st, struct backup_result *res, char *data, char *out)
{
    char path[8400];
    MDB_txn *txn;
    snprintf(data, 4200, "%s/data", test_dir);
    snprintf(out, 4200, "%s/out", test_dir);
    assert_int_equal(mkdir(data, 0700), 0);
    write_file(data, "node.key", "secret");
    write_file(data, "jiefend.pid", "123");
    snprintf(path, sizeof path, "%s/docs", data);
    assert_int_equal(mkdir(path, 0700), 0);
    write_file(path, "blob", "sealed bytes");
    snprintf(path, sizeof path, "%s/store", data);
    assert_int_equal(store_open(path, 1 << 20, 1, st), 0);
    assert_int_equal(store_txn_begin(*st, MDB_RDONLY, &txn), 0);
    assert_int_equal(backup_make(*st, txn, data, out, &info, res), 0);
    store_txn_abort(txn);
}

static void test_make(void **state)
{
    (void)state;
    char data[4200], out[4200], path[4200];
    store *st = NULL;
    struct backup_result res;
    MDB_txn *txn;
    make_backup(&st, &res, data, out);
    assert_string_equal(res.path, out);
    assert_true(res.bytes > 0);
    assert_int_equal(mode_of(out, "."), 0700);
    assert_int_equal(mode_of(out, "store"), 0700);
    assert_int_equal(mode_of(out, "store/data.mdb"), 0600);
    assert_int_equal(mode_of(out, "node.key"), 0600);
    assert_int_equal(mode_of(out, "docs/blob"), 0600);
    assert_int_equal(mode_of(out, BACKUP_MANIFEST), 0600);
    assert_false(exists(out, "jiefend.pid"));
    snprintf(path, sizeof path, "%.4000s/%s", out, BACKUP_MANIFEST);
    json_t *m = json_load_file(path, 0, NULL);
    assert_string_equal(json_string_value(json_object_get(m, "node_id")), "v1");
    assert_int_equal(json_integer_value(json_object_get(m, "store_format")), 3);
    json_decref(m);
    /* Never over an existing directory; nothing is left behind. */
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    assert_int_equal(backup_make(st, txn, data, out, &info, &res), JF_EEXIST);
    store_txn_abort(txn);
    store_close(&st);
}

static void test_restore(void **state)
{
    (void)state;
    char data[4200], out[4200], to[4200], path[8400], msg[256];
    store *st = NULL;
    struct backup_result res;
    MDB_txn *txn;
    int restored = 0;
    make_backup(&st, &res, data, out);
    store_close(&st);
    /* Not empty, not a backup, newer: refused, the target as it was. */
    assert_int_equal(backup_restore(out, data, 3, msg, sizeof msg), JF_EEXIST);
    assert_non_null(strstr(msg, "不是空目录"));
    snprintf(to, sizeof to, "%s/to", test_dir);
    assert_int_equal(backup_restore(data, to, 3, msg, sizeof msg), JF_EINVAL);
    assert_non_null(strstr(msg, "不是备份"));
    assert_int_equal(backup_restore(out, to, 2, msg, sizeof msg), JF_ENEWER);
    assert_false(exists(to, "."));
    /* Restored: the files, the store marked. */
    assert_int_equal(backup_restore(out, to, 3, msg, sizeof msg), 0);
    assert_int_equal(mode_of(to, "node.key"), 0600);
    assert_true(exists(to, "docs/blob"));
    assert_false(exists(to, BACKUP_MANIFEST));
    snprintf(path, sizeof path, "%s/store", to);
    assert_int_equal(store_open(path, 1 << 20, 0, &st), 0);
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    assert_int_equal(eventlog_restored(st, txn, &restored), 0);
    store_txn_abort(txn);
    assert_int_equal(restored, 1);
    store_close(&st);
}

static void test_prune(void **state)
{
    (void)state;
    static const char *const names[] = {"backup-20261201-000000", "backup-20261203-000000",
                                        "backup-20261202-000000", "other"};
    char path[8400];
    for (size_t i = 0; i < 4; i++) {
        snprintf(path, sizeof path, "%s/%s", test_dir, names[i]);
        assert_int_equal(mkdir(path, 0700), 0);
        write_file(path, "f", "x");
    }
    assert_int_equal(backup_prune(test_dir, 2), 1);
    assert_false(exists(test_dir, names[0]));
    assert_true(exists(test_dir, names[1]));
    assert_true(exists(test_dir, names[2]));
    assert_true(exists(test_dir, "other"));
    assert_int_equal(backup_prune(test_dir, 2), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_make, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_restore, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_prune, test_dir_setup, test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
