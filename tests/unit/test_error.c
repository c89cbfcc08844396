/* error (common/error.h): jf_strerror decodes every kind of code the project returns: its
 * own JF_E*, LMDB's, -errno, 0; never NULL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <lmdb.h>

#include "error.h"
#include "testutil.h"

static void test_codes(void **state)
{
    (void)state;
    assert_string_equal(jf_strerror(0), "success");
    assert_string_equal(jf_strerror(JF_EINVAL), "invalid argument");
    assert_string_equal(jf_strerror(JF_EBADSIG), "bad signature");
    assert_string_equal(jf_strerror(JF_ENOTFOUND), "not found");
    assert_string_equal(jf_strerror(JF_ELATER), "depends on an event not received yet");
    /* Every JF_E* has its own message. */
    for (int c = JF_EBASE; c < JF_ELAST; c++) {
        assert_non_null(jf_strerror(c));
        for (int d = JF_EBASE; d < c; d++)
            assert_string_not_equal(jf_strerror(c), jf_strerror(d));
    }
    assert_string_equal(jf_strerror(MDB_MAP_FULL), mdb_strerror(MDB_MAP_FULL));
    assert_string_equal(jf_strerror(MDB_NOTFOUND), mdb_strerror(MDB_NOTFOUND));
    assert_string_equal(jf_strerror(-ENOMEM), strerror(ENOMEM));
    assert_string_equal(jf_strerror(-EEXIST), strerror(EEXIST));
    printf("  %d: %s; %d: %s; %d: %s\n", JF_ELAST, jf_strerror(JF_ELAST), 7, jf_strerror(7),
           MDB_MAP_FULL, jf_strerror(MDB_MAP_FULL));
    assert_non_null(jf_strerror(JF_ELAST));
    assert_non_null(jf_strerror(JF_EBASE - 1));
}

/* LMDB returns the system's errors positive: a short write on a full disk is EIO or
 * ENOSPC, and must read as such, never as "unknown error". */
static void test_positive_errno(void **state)
{
    (void)state;
    printf("  EIO: %s; ENOSPC: %s; JF_EFULL: %s\n", jf_strerror(EIO), jf_strerror(ENOSPC),
           jf_strerror(JF_EFULL));
    assert_string_equal(jf_strerror(EIO), strerror(EIO));
    assert_string_equal(jf_strerror(ENOSPC), strerror(ENOSPC));
    assert_string_equal(jf_strerror(-ENOSPC), strerror(ENOSPC));
    assert_string_not_equal(jf_strerror(EIO), "unknown error");
    assert_string_equal(jf_strerror(JF_EFULL), "no space left for the store");
    assert_string_equal(jf_strerror(JF_ENEWER), "store format newer than this release");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_positive_errno),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
