/* device (api/device.h): 一机一账号 records: which device ids are acceptable, one record id
 * per account and device, a refused login filing a request and counting the next ones, a
 * revoked device staying revoked when refused again, and only approved ones let in. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/device.h"
#include "crypto.h"
#include "testutil.h"

#include <string.h>

#define T0 1767225600000LL
#define PHONE "0123456789abcdef0123456789abcdef"
#define LAPTOP "fedcba9876543210"

static void test_device_ids(void **state)
{
    (void)state;
    char a[DEVICE_ID_HEX], b[DEVICE_ID_HEX], c[DEVICE_ID_HEX];
    assert_null(device_check(PHONE));
    assert_null(device_check("A-b_c0123456789x"));
    assert_string_equal(device_check("short"), "设备标识应为 16 到 64 个字符");
    assert_non_null(device_check("0123456789abcdef 0123"));
    assert_non_null(device_check(""));
    device_id("zhang", PHONE, a);
    device_id("zhang", PHONE, b);
    device_id("li", PHONE, c);
    assert_int_equal(strlen(a), DEVICE_ID_HEX - 1);
    assert_string_equal(a, b);
    assert_string_not_equal(a, c);
    device_id("zhang", LAPTOP, b);
    assert_string_not_equal(a, b);
}

static void test_refused_files_then_counts(void **state)
{
    struct test_txn *f = *state;
    char id[DEVICE_ID_HEX];
    Jiefen__DeviceRecord *d = NULL;
    int ok = 1;
    assert_int_equal(device_approved(f->st, f->txn, "zhang", PHONE, &ok), 0);
    assert_false(ok);
    assert_int_equal(device_refused(f->st, f->txn, "zhang", PHONE, "浏览器 Chrome", T0), 0);
    assert_int_equal(device_refused(f->st, f->txn, "zhang", PHONE, "另一个名字", T0 + 5), 0);
    device_id("zhang", PHONE, id);
    assert_int_equal(device_get(f->st, f->txn, id, &d), 0);
    assert_non_null(d);
    assert_string_equal(d->user, "zhang");
    assert_string_equal(d->device, PHONE);
    assert_string_equal(d->label, "浏览器 Chrome");   /* the first request's */
    assert_int_equal(d->state, DEVICE_PENDING);
    assert_int_equal(d->refusals, 2);
    assert_int_equal(d->requested_ms, T0);
    assert_int_equal(d->last_refused_ms, T0 + 5);
    assert_string_equal(device_state_name(d->state), "待批准");

    d->state = DEVICE_APPROVED;
    assert_int_equal(device_put(f->st, f->txn, d), 0);
    assert_int_equal(device_approved(f->st, f->txn, "zhang", PHONE, &ok), 0);
    assert_true(ok);
    assert_int_equal(device_approved(f->st, f->txn, "li", PHONE, &ok), 0);
    assert_false(ok);   /* approved for one account, not for another */
    assert_int_equal(device_approved(f->st, f->txn, "zhang", "", &ok), 0);
    assert_false(ok);

    d->state = DEVICE_REVOKED;
    assert_int_equal(device_put(f->st, f->txn, d), 0);
    device_free(&d);
    assert_int_equal(device_refused(f->st, f->txn, "zhang", PHONE, "x", T0 + 9), 0);
    assert_int_equal(device_get(f->st, f->txn, id, &d), 0);
    assert_int_equal(d->state, DEVICE_REVOKED);
    assert_int_equal(d->refusals, 3);
    assert_string_equal(device_state_code(d->state), "revoked");
    device_free(&d);
    assert_null(d);
    assert_int_equal(device_get(f->st, f->txn, "nonsense", &d), 0);
    assert_null(d);
}

int main(void)
{
    if (crypto_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, test_txn_setup, test_txn_teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_device_ids),
        T(test_refused_files_then_counts),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
