/* module (common/module.h): a node maps libarchive, libcurl and cairo only once it uses
 * them; a module is found beside the program (or in the build tree), loaded once, and a
 * missing one is an error, not a crash. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "module.h"
#include "outbox/curlpost.h"
#include "print/pdf_ops.h"
#include "zipout.h"
#include "testutil.h"

#include <stdio.h>
#include <string.h>

/* Whether a library whose file name contains name is mapped into this process. */
static int mapped(const char *name)
{
    char line[1024];
    int found = 0;
    FILE *f = fopen("/proc/self/maps", "r");
    assert_non_null(f);
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, name) != NULL;
    fclose(f);
    return found;
}

static void test_libraries_are_mapped_on_first_use(void **state)
{
    (void)state;
    const char *libs[] = {"libarchive.so", "libcurl.so", "libcairo.so", "libpango-1.0.so"};
    for (size_t i = 0; i < sizeof libs / sizeof libs[0]; i++)
        assert_false(mapped(libs[i]));
    const struct zipout_ops *zip = module_table(ZIPOUT_MODULE, ZIPOUT_OPS_SYMBOL);
    assert_non_null(zip);
    assert_non_null(zip->open);
    assert_true(mapped("libarchive.so"));
    assert_false(mapped("libcurl.so"));
    assert_ptr_equal(module_table(ZIPOUT_MODULE, ZIPOUT_OPS_SYMBOL), zip);
    const struct curlpost_ops *http = module_table(CURLPOST_MODULE, CURLPOST_OPS_SYMBOL);
    assert_non_null(http);
    assert_true(mapped("libcurl.so"));
    const struct pdf_ops *pdf = module_table(PDF_MODULE, PDF_OPS_SYMBOL);
    assert_non_null(pdf);
    assert_true(mapped("libcairo.so"));
}

static void test_a_missing_module_is_an_error(void **state)
{
    (void)state;
    assert_null(module_table("jiefen-none.so", "jiefen_none_ops"));
    assert_null(module_table(ZIPOUT_MODULE, "jiefen_no_such_table"));
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_libraries_are_mapped_on_first_use),
        cmocka_unit_test(test_a_missing_module_is_an_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
