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
    assert_string_equal(jf_strerror(7), "unknown error");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
