/* Config: written files load back; every kind of bad file names its line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "config.h"
#include "error.h"
#include "jiefen.pb-c.h"
#include "testutil.h"

#include <errno.h>


static int load_text(const char *text, struct config *c, char *err)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/t.conf", test_dir);
    FILE *f = fopen(path, "w");
    fputs(text, f);
    fclose(f);
    int rc = config_load(path, c, err, CONFIG_ERR_MAX);
    printf("  -> %d %s\n", rc, rc ? err : "");
    return rc;
}

static void test_write_then_load(void **state)
{
    (void)state;
    struct config c, back;
    char path[4200], err[CONFIG_ERR_MAX];
    config_defaults(&c);
    strcpy(c.node_id, "v-dongcun");
    strcpy(c.node_name, "东村");
    c.tier = JIEFEN__TIER__TIER_VILLAGE;
    c.http_port = 0;
    snprintf(path, sizeof path, "%s/w.conf", test_dir);
    assert_int_equal(config_write(path, &c), 0);
    assert_int_equal(config_write(path, &c), -EEXIST);
    assert_int_equal(config_load(path, &back, err, sizeof err), 0);
    assert_string_equal(back.node_id, "v-dongcun");
    assert_string_equal(back.node_name, "东村");
    assert_int_equal(back.tier, JIEFEN__TIER__TIER_VILLAGE);
    assert_string_equal(back.time_zone, "Asia/Shanghai");
    assert_int_equal(back.http_port, 0);
    assert_int_equal(back.simple_days, 3);
    assert_int_equal(back.complex_days, 7);
    assert_int_equal(back.session_idle_minutes, 30);
    assert_int_equal(back.session_max_hours, 12);
    assert_int_equal(back.lock_failures, 5);
    assert_int_equal(back.lock_minutes, 15);
}

static const char *BASE = "[node]\nid = t1\nname = 乡\ntier = township\n";

static void test_errors_name_the_line(void **state)
{
    (void)state;
    struct config c;
    char err[CONFIG_ERR_MAX], text[512];
    snprintf(text, sizeof text, "%s[limits]\nsimple_days = 0\n", BASE);
    assert_int_equal(load_text(text, &c, err), JF_ECONFIG);
    assert_non_null(strstr(err, ":6: [limits] simple_days"));
    snprintf(text, sizeof text, "%s[limits]\nsimpel_days = 3\n", BASE);
    assert_int_equal(load_text(text, &c, err), JF_ECONFIG);
    assert_non_null(strstr(err, ":6: unknown option [limits] simpel_days"));
    snprintf(text, sizeof text, "%s[http]\nlisten = nowhere\n", BASE);
    assert_int_equal(load_text(text, &c, err), JF_ECONFIG);
    assert_non_null(strstr(err, ":6: [http] listen"));
    assert_int_equal(load_text("[node]\nid = Bad_Id\nname = x\ntier = county\n", &c, err),
                     JF_ECONFIG);
    assert_non_null(strstr(err, ":2: [node] id"));
    assert_int_equal(load_text("[node]\nid = a\nname = x\n", &c, err), JF_ECONFIG);
    assert_non_null(strstr(err, "missing required option [node] tier"));
    assert_int_equal(load_text("[node\nid = a\n", &c, err), JF_ECONFIG);
    assert_non_null(strstr(err, ":1: syntax error"));
    /* 摘抄复印报批: what needs approval, from a known list; the default is the archive. */
    snprintf(text, sizeof text, "%s", BASE);
    assert_int_equal(load_text(text, &c, err), 0);
    assert_string_equal(c.access_approval_for, "archive");
    snprintf(text, sizeof text, "%s[access]\napproval_for = archive,print,copy\n", BASE);
    assert_int_equal(load_text(text, &c, err), 0);
    assert_string_equal(c.access_approval_for, "archive,print,copy");
    snprintf(text, sizeof text, "%s[access]\napproval_for = \n", BASE);
    assert_int_equal(load_text(text, &c, err), 0);
    assert_string_equal(c.access_approval_for, "");
    snprintf(text, sizeof text, "%s[access]\napproval_for = archive,photocopy\n", BASE);
    assert_int_equal(load_text(text, &c, err), JF_ECONFIG);
    printf("  %s\n", err);
    assert_non_null(strstr(err, ":6: [access] approval_for must list archive, print or copy"));
    /* [linkage]: the villages' residents as NODE_ID:N, spaces allowed, nothing else. */
    snprintf(text, sizeof text, "%s[linkage]\npopulation = 1500\nvillages = v11:1500, v12 : 800\n",
             BASE);
    assert_int_equal(load_text(text, &c, err), 0);
    assert_int_equal(c.linkage_population, 1500);
    snprintf(text, sizeof text, "%s[linkage]\nvillages = v11:1500;v12:0\n", BASE);
    assert_int_equal(load_text(text, &c, err), JF_ECONFIG);
    assert_non_null(strstr(err, "[linkage] villages must be NODE_ID:RESIDENTS"));
    snprintf(text, sizeof text, "%s[linkage]\nvillages = v11:0\n", BASE);
    assert_int_equal(load_text(text, &c, err), JF_ECONFIG);
    /* 一机一账号: on or off, off by default. */
    assert_int_equal(c.device_binding, 0);
    snprintf(text, sizeof text, "%s[auth]\ndevice_binding = on\n", BASE);
    assert_int_equal(load_text(text, &c, err), 0);
    assert_int_equal(c.device_binding, 1);
    snprintf(text, sizeof text, "%s[auth]\ndevice_binding = yes\n", BASE);
    assert_int_equal(load_text(text, &c, err), JF_ECONFIG);
    assert_non_null(strstr(err, ":6: [auth] device_binding must be on or off (got \"yes\")"));
}

static void test_addresses_and_ids(void **state)
{
    (void)state;
    char host[64];
    int port;
    assert_int_equal(config_parse_addr("127.0.0.1:7800", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 7800);
    assert_int_equal(config_parse_addr("[::1]:0", host, sizeof host, &port), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(config_parse_addr("127.0.0.1:70000", host, sizeof host, &port), -1);
    assert_int_equal(config_parse_addr(":80", host, sizeof host, &port), -1);
    assert_int_equal(config_valid_node_id("v-dongcun-01"), 0);
    assert_int_equal(config_valid_node_id("-v"), -1);
    assert_int_equal(config_valid_node_id("V1"), -1);
    assert_int_equal(config_valid_node_id("abcdefghijabcdefghijabcdefghijabc"), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_write_then_load, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_errors_name_the_line, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_addresses_and_ids, test_dir_setup, test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
