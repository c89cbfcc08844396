/* runfiles (node/runfiles.h): the lock on the data directory refuses a second holder and
 * names the first's pid; a file is written whole through its temp; a file that cannot be
 * written leaves no old one behind (nor its temp); release removes the pid and address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "runfiles.h"
#include "testutil.h"

static int exists(const char *name)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", test_dir, name);
    return access(path, F_OK) == 0;
}

static void test_lock_and_files(void **state)
{
    (void)state;
    char err[512], buf[64];
    int fd = -1, fd2 = -1;
    assert_int_equal(runfiles_lock(test_dir, &fd, err, sizeof err), 0);
    assert_int_equal(runfiles_put(test_dir, "jiefend.pid", "4242\n"), 0);
    test_read_text(test_dir, "jiefend.pid", buf, sizeof buf);
    assert_string_equal(buf, "4242\n");
    assert_false(exists("jiefend.pid.tmp"));
    /* A second daemon: refused, naming the first. */
    assert_int_equal(runfiles_lock(test_dir, &fd2, err, sizeof err), -1);
    printf("  %s\n", err);
    assert_int_equal(fd2, -1);
    assert_non_null(strstr(err, "another jiefend (pid 4242) is already running"));
    /* Replaced whole. */
    assert_int_equal(runfiles_put(test_dir, "jiefend.addr", "127.0.0.1:7800\nAsia/Shanghai\n"), 0);
    assert_int_equal(runfiles_put(test_dir, "jiefend.addr", "127.0.0.1:7801\nAsia/Shanghai\n"), 0);
    test_read_text(test_dir, "jiefend.addr", buf, sizeof buf);
    assert_string_equal(buf, "127.0.0.1:7801\nAsia/Shanghai\n");
    runfiles_release(test_dir, fd);
    assert_false(exists("jiefend.pid"));
    assert_false(exists("jiefend.addr"));
    /* Released: the next daemon takes it. */
    assert_int_equal(runfiles_lock(test_dir, &fd2, err, sizeof err), 0);
    runfiles_release(test_dir, fd2);
    runfiles_release(test_dir, -1); /* accepted */
}

/* The temp cannot be made (a directory is in its way): an error, and the old file, which
 * would name a dead process, is gone rather than stale. */
static void test_failed_write_leaves_nothing_stale(void **state)
{
    (void)state;
    char path[4200];
    assert_int_equal(runfiles_put(test_dir, "jiefend.pid", "1\n"), 0);
    snprintf(path, sizeof path, "%s/jiefend.pid.tmp", test_dir);
    assert_int_equal(mkdir(path, 0700), 0);
    int rc = runfiles_put(test_dir, "jiefend.pid", "2\n");
    printf("  %d\n", rc);
    assert_true(rc < 0);
    assert_false(exists("jiefend.pid"));
    rmdir(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_lock_and_files, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_leaves_nothing_stale, test_dir_setup,
                                        test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
