/* linkstat (link/linkstat.h): what a node keeps about its links. A peer is online when
 * heard from and offline when its connection is lost (not before: an idle link is
 * silent); ingest counts add up; the status JSON of docs/api.md; every counter and the
 * last contact survive a restart through the store; refusals are counted by reason and
 * logged at most once a minute per host and reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "link/linkstat.h"
#include "testutil.h"

#define T0 1767225600000LL

static void test_online_until_lost(void **state)
{
    (void)state;
    struct link_peer p = {.id = "v1", .fd = -1};
    linkstat_seen(&p, T0);
    assert_true(p.online);
    assert_int_equal(p.since_ms, T0);
    /* Heard again much later: still online since the first contact; silence is idle. */
    linkstat_seen(&p, T0 + 3600000);
    assert_int_equal(p.since_ms, T0);
    assert_int_equal(p.last_rx_ms, T0 + 3600000);
    p.fd = 12;
    linkstat_lost(&p, T0 + 3600001);
    assert_false(p.online);
    assert_int_equal(p.fd, -1);
    assert_int_equal(p.since_ms, T0 + 3600001);
    assert_int_equal(p.disconnects, 1);
    linkstat_seen(&p, T0 + 3700000);
    assert_true(p.online);
    assert_int_equal(p.since_ms, T0 + 3700000);
}

static void fill(struct link_peer *p)
{
    struct ingest_result a = {.applied = 5, .duplicates = 2}, b = {.applied = 1};
    a.rejected[REJ_GAP] = 1;
    b.rejected[REJ_GAP] = 2;
    b.rejected[REJ_SIGNATURE] = 1;
    linkstat_count(p, &a);
    linkstat_count(p, &b);
    linkstat_seen(p, T0);
    linkstat_lost(p, T0 + 1);
}

static void check_json(const struct link_peer *p)
{
    json_t *j = linkstat_peer_json(p);
    char *text = json_dumps(j, JSON_SORT_KEYS);
    printf("  %s\n", text);
    free(text);
    assert_string_equal(json_string_value(json_object_get(j, "peer")), "v1");
    assert_int_equal(json_integer_value(json_object_get(j, "last_contact_ms")), T0);
    assert_int_equal(json_integer_value(json_object_get(j, "applied")), 6);
    assert_int_equal(json_integer_value(json_object_get(j, "duplicates")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "disconnects")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "rejected_total")), 4);
    json_t *rej = json_object_get(j, "rejected");
    assert_int_equal(json_object_size(rej), REJ_COUNT);
    assert_int_equal(json_integer_value(json_object_get(rej, "gap")), 3);
    assert_int_equal(json_integer_value(json_object_get(rej, "bad_signature")), 1);
    assert_int_equal(json_integer_value(json_object_get(rej, "equivocation")), 0);
    json_decref(j);
}

static void test_counts_and_json(void **state)
{
    (void)state;
    struct link_peer p = {.id = "v1", .fd = -1};
    json_t *j = linkstat_peer_json(&p);
    assert_true(json_is_null(json_object_get(j, "last_contact_ms")));
    assert_true(json_is_null(json_object_get(j, "last_ack_ms")));
    assert_false(json_is_true(json_object_get(j, "online")));
    json_decref(j);
    fill(&p);
    check_json(&p);
}

/* What was saved is what a restarted node reads back; only dirty records are written. */
static void test_survives_restart(void **state)
{
    (void)state;
    store *st = test_store(test_dir, "s");
    struct link_peer peers[2] = {{.id = "v1", .fd = -1}, {.id = "v2", .fd = -1}};
    struct link_refusals r = {.key = "link-refused:down"};
    struct linkmon_event plain = {LINKMON_REFUSED, LINKMON_MECHANISM, 7, "10.0.0.9:4000"};
    struct linkmon_event key = {LINKMON_REFUSED, LINKMON_KEY, 8, "10.0.0.9:4001"};
    fill(&peers[0]);
    linkstat_refused(&r, &plain, "test", T0);
    linkstat_refused(&r, &plain, "test", T0 + 1);
    linkstat_refused(&r, &key, "test", T0 + 2);
    assert_int_equal(linkstat_save(st, peers, 2, &r), 0);
    assert_false(peers[0].dirty);
    assert_false(r.dirty);
    store_close(&st);

    st = test_store(test_dir, "s");
    struct link_peer back = {.id = "v1", .fd = -1}, none = {.id = "v2", .fd = -1};
    struct link_refusals rb = {.key = "link-refused:down"};
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    linkstat_peer_load(st, txn, &back);
    linkstat_peer_load(st, txn, &none);
    linkstat_refusals_load(st, txn, &rb);
    store_txn_abort(txn);
    check_json(&back);
    assert_false(back.online); /* a restarted node has heard from nobody yet */
    assert_int_equal(none.applied + none.last_rx_ms + none.disconnects, 0);
    json_t *j = linkstat_refusals_json(&rb);
    assert_int_equal(json_integer_value(json_object_get(j, "mechanism_mismatch")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "unenrolled_key")), 1);
    assert_int_equal(json_integer_value(json_object_get(j, "protocol_error")), 0);
    json_decref(j);
    store_close(&st);
}

/* One line a minute per host, whatever port each connection comes from. */
static void test_log_once_a_minute_per_host(void **state)
{
    (void)state;
    struct link_refusals r = {.key = "k"};
    assert_true(linkstat_should_log(&r, LINKMON_KEY, "10.0.0.9:4000", T0));
    assert_false(linkstat_should_log(&r, LINKMON_KEY, "10.0.0.9:4001", T0 + 59999));
    assert_true(linkstat_should_log(&r, LINKMON_KEY, "10.0.0.10:4000", T0 + 1));
    assert_true(linkstat_should_log(&r, LINKMON_KEY, "[::1]:5000", T0 + 2));
    assert_false(linkstat_should_log(&r, LINKMON_KEY, "[::1]:5001", T0 + 3));
    assert_true(linkstat_should_log(&r, LINKMON_KEY, "10.0.0.9:4002", T0 + 60000));
    /* Another reason from the same host is another line. */
    assert_true(linkstat_should_log(&r, LINKMON_MECHANISM, "10.0.0.9:4003", T0 + 60001));
    /* A flood of distinct hosts cannot make the table forget to count. */
    char addr[32];
    for (int i = 0; i < 1000; i++) {
        snprintf(addr, sizeof addr, "10.1.%d.%d:1", i / 256, i % 256);
        assert_true(linkstat_should_log(&r, LINKMON_KEY, addr, T0 + 100));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_online_until_lost),
        cmocka_unit_test(test_counts_and_json),
        cmocka_unit_test_setup_teardown(test_survives_restart, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test(test_log_once_a_minute_per_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
