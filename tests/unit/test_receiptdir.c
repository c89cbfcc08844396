/* 回单 to the exchange folder (node/outbox/receiptdir.h) and which way a system's 回单
 * travel (receipt.h): the body and its signature written whole as two files, the same two
 * rewritten on a retry, a folder that cannot be written an error naming the path, bad names
 * refused; durfile.h's temp file never left behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "outbox/httppost.h"
#include "outbox/receipt.h"
#include "outbox/receiptdir.h"
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <sys/stat.h>

#define SECRET "hotline-12345-secret"
#define KEY "0123456789abcdef0123456789abcdef"
#define BODY "{\"order_no\":\"GD-1\",\"case_id\":\"v1-2026-000001\",\"result\":\"closed\"}"

static char drop[4200], receipts[4300];

static int setup(void **state)
{
    test_dir_setup(state);
    snprintf(drop, sizeof drop, "%s/exchange", test_dir);
    snprintf(receipts, sizeof receipts, "%s/12345/receipts", drop);
    assert_int_equal(mkdir(drop, 0755), 0);
    return 0;
}

/* The names in receipts/ (a temp file left behind included), sorted, joined by spaces. */
static void listing(char *out, size_t len)
{
    struct dirent **e;
    int n = scandir(receipts, &e, NULL, alphasort);
    out[0] = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(e[i]->d_name, ".") && strcmp(e[i]->d_name, ".."))
            snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? " " : "",
                     e[i]->d_name);
        free(e[i]);
    }
    if (n >= 0)
        free(e);
}

static void test_written_signed_and_rewritten(void **state)
{
    (void)state;
    char why[256] = "", names[512], body[512], sig[128], want[65], ts[24];
    for (int i = 0; i < 2; i++) /* a retry rewrites the same two files */
        assert_int_equal(receiptdir_write(drop, "12345", SECRET, "GD-1", KEY, BODY, why,
                                          sizeof why),
                         0);
    listing(names, sizeof names);
    printf("receipts/: %s\n", names);
    assert_string_equal(names, "GD-1." KEY ".json GD-1." KEY ".json.sig");
    test_read_text(receipts, "GD-1." KEY ".json", body, sizeof body);
    assert_string_equal(body, BODY);
    test_read_text(receipts, "GD-1." KEY ".json.sig", sig, sizeof sig);
    char *space = strchr(sig, ' ');
    assert_non_null(space);
    snprintf(ts, sizeof ts, "%.*s", (int)(space - sig), sig);
    httppost_sign(SECRET, ts, BODY, want);
    printf("signature: %s", sig);
    assert_int_equal(strlen(space + 1), 65); /* hex and the newline */
    assert_memory_equal(space + 1, want, 64);
}

static void test_unwritable_folder_named(void **state)
{
    (void)state;
    char why[512] = "", path[4400];
    snprintf(path, sizeof path, "%s/12345", drop);
    assert_int_equal(mkdir(path, 0755), 0);
    FILE *f = fopen(receipts, "w"); /* receipts/ is a file: not writable, even for root */
    assert_non_null(f);
    fclose(f);
    int rc = receiptdir_write(drop, "12345", SECRET, "GD-1", KEY, BODY, why, sizeof why);
    printf("%s: %s\n", jf_strerror(rc), why);
    assert_int_equal(rc, -ENOTDIR);
    assert_non_null(strstr(why, "交换目录不可写"));
    assert_non_null(strstr(why, receipts));

    snprintf(path, sizeof path, "%s/none", test_dir); /* drop_dir missing: not made */
    rc = receiptdir_write(path, "12345", SECRET, "GD-1", KEY, BODY, why, sizeof why);
    printf("%s: %s\n", jf_strerror(rc), why);
    assert_int_equal(rc, -ENOENT);
    assert_non_null(strstr(why, "交换目录不可用"));
    struct stat sb;
    assert_int_equal(stat(path, &sb), -1);
}

static void test_names_refused(void **state)
{
    (void)state;
    char why[256] = "", names[512];
    const char *bad[] = {"", "../x", "a/b", "GD 1", "工单1",
                         "x1234567890123456789012345678901234567890123456789012345678901234"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_false(receiptdir_name_ok(bad[i]));
        assert_int_equal(receiptdir_write(drop, "12345", SECRET, bad[i], KEY, BODY, why,
                                          sizeof why),
                         JF_EINVAL);
    }
    assert_true(receiptdir_name_ok("GD-20261207_001"));
    assert_int_equal(receiptdir_write(drop, "12345", SECRET, "GD-1", "../k", BODY, why,
                                      sizeof why),
                     JF_EINVAL);
    printf("refused: %s\n", why);
    listing(names, sizeof names);
    assert_string_equal(names, "");
}

static void test_delivery_decided_by_config(void **state)
{
    (void)state;
    struct config_interop c;
    config_interop_defaults(&c);
    struct config_interop_system s = {.name = "12345", .key = SECRET};
    assert_int_equal(receipt_delivery_of(&c, &s), RECEIPT_NONE);
    snprintf(c.drop_dir, sizeof c.drop_dir, "%.500s", drop);
    assert_int_equal(receipt_delivery_of(&c, &s), RECEIPT_FOLDER);
    snprintf(s.receipt_url, sizeof s.receipt_url, "https://12345.example.cn/receipt");
    assert_int_equal(receipt_delivery_of(&c, &s), RECEIPT_HTTP);
    struct config_interop_system court = {.name = "court_dc", .key = SECRET, .court = 1};
    assert_int_equal(receipt_delivery_of(&c, &court), RECEIPT_NONE); /* never the folder */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_written_signed_and_rewritten, setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_unwritable_folder_named, setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_names_refused, setup, test_dir_teardown),
        cmocka_unit_test(test_delivery_decided_by_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
