/* array (common/array.h): room for one more element, growing by doubling from `first`;
 * the array is untouched when there is room, and the caller's still on failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "array.h"
#include "testutil.h"

static void test_grows_by_doubling(void **state)
{
    (void)state;
    int *a = NULL;
    size_t n = 0, cap = 0;
    size_t caps[8], k = 0;
    for (int i = 0; i < 100; i++) {
        int *g = array_room(a, n, &cap, sizeof *a, 4);
        assert_non_null(g);
        if (k == 0 || caps[k - 1] != cap)
            caps[k++] = cap;
        a = g;
        a[n++] = i;
    }
    for (size_t i = 0; i < k; i++)
        printf("  capacity %zu\n", caps[i]);
    assert_int_equal(k, 6);
    assert_int_equal(caps[0], 4);
    assert_int_equal(caps[5], 128);
    for (int i = 0; i < 100; i++)
        assert_int_equal(a[i], i); /* kept across every reallocation */
    /* With room left, the same array comes back unchanged. */
    assert_ptr_equal(array_room(a, 100, &cap, sizeof *a, 4), a);
    assert_int_equal(cap, 128);
    free(a);
}

static void test_overflow_refused(void **state)
{
    (void)state;
    char *a = malloc(8);
    size_t cap = SIZE_MAX / 2 + 1;
    /* Doubling would wrap: NULL, and the caller keeps its array and capacity. */
    assert_null(array_room(a, cap, &cap, 1, 4));
    assert_int_equal(cap, SIZE_MAX / 2 + 1);
    size_t cap2 = SIZE_MAX / 16;
    assert_null(array_room(a, cap2, &cap2, 16, 4));
    assert_int_equal(cap2, SIZE_MAX / 16);
    free(a);
}

/* An array with no capacity kept (a protobuf field) gains exactly one element each time,
 * keeping what it held; a size that would overflow is refused and the array left as is. */
static void test_one_more(void **state)
{
    (void)state;
    long *a = NULL;
    for (size_t n = 0; n < 50; n++) {
        long *g = array_one_more(a, n, sizeof *a);
        assert_non_null(g);
        a = g;
        a[n] = (long)n * 3;
    }
    for (size_t n = 0; n < 50; n++)
        assert_int_equal(a[n], (long)n * 3);
    assert_null(array_one_more(a, SIZE_MAX / sizeof *a, sizeof *a));
    assert_int_equal(a[49], 147); /* untouched by the refusal */
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_grows_by_doubling),
        cmocka_unit_test(test_one_more),
        cmocka_unit_test(test_overflow_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
