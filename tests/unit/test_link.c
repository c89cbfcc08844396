/* link (link/link.h): what both ends keep about their peer: online when heard from,
 * offline after LINK_DEAD_MS of silence (and only then), the ingest counts summed, and the
 * status JSON of docs/api.md. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "link/link.h"
#include "testutil.h"

#define T0 1767225600000LL

static void test_online_and_offline(void **state)
{
    (void)state;
    struct link_peer p = {.id = "v1"};
    link_peer_tick(&p, T0); /* never heard: stays offline */
    assert_false(p.online);
    link_peer_seen(&p, T0);
    assert_true(p.online);
    assert_int_equal(p.since_ms, T0);
    assert_int_equal(p.last_rx_ms, T0);
    /* Heard again: still online since the first contact. */
    link_peer_seen(&p, T0 + 4000);
    assert_int_equal(p.since_ms, T0);
    assert_int_equal(p.last_rx_ms, T0 + 4000);
    /* Silence up to the limit is fine; beyond it the peer is offline from then on. */
    link_peer_tick(&p, T0 + 4000 + LINK_DEAD_MS);
    assert_true(p.online);
    link_peer_tick(&p, T0 + 4000 + LINK_DEAD_MS + 1);
    assert_false(p.online);
    assert_int_equal(p.since_ms, T0 + 4000 + LINK_DEAD_MS + 1);
    link_peer_tick(&p, T0 + 60000);
    assert_int_equal(p.since_ms, T0 + 4000 + LINK_DEAD_MS + 1);
    link_peer_seen(&p, T0 + 70000);
    assert_true(p.online);
    assert_int_equal(p.since_ms, T0 + 70000);
}

static void test_counts_and_json(void **state)
{
    (void)state;
    struct link_peer p = {.id = "v1"};
    json_t *j = link_peer_json(&p);
    assert_true(json_is_null(json_object_get(j, "last_contact_ms")));
    assert_true(json_is_null(json_object_get(j, "last_ack_ms")));
    assert_false(json_is_true(json_object_get(j, "online")));
    json_decref(j);

    struct ingest_result a = {.applied = 5, .duplicates = 2}, b = {.applied = 1};
    a.rejected[REJ_GAP] = 1;
    b.rejected[REJ_GAP] = 2;
    b.rejected[REJ_SIGNATURE] = 1;
    link_peer_count(&p, &a);
    link_peer_count(&p, &b);
    link_peer_seen(&p, T0);
    p.last_ack_ms = T0 + 5;
    j = link_peer_json(&p);
    char *text = json_dumps(j, JSON_SORT_KEYS);
    printf("  %s\n", text);
    free(text);
    assert_string_equal(json_string_value(json_object_get(j, "peer")), "v1");
    assert_true(json_is_true(json_object_get(j, "online")));
    assert_int_equal(json_integer_value(json_object_get(j, "last_contact_ms")), T0);
    assert_int_equal(json_integer_value(json_object_get(j, "last_ack_ms")), T0 + 5);
    assert_int_equal(json_integer_value(json_object_get(j, "applied")), 6);
    assert_int_equal(json_integer_value(json_object_get(j, "duplicates")), 2);
    assert_int_equal(json_integer_value(json_object_get(j, "rejected_total")), 4);
    json_t *rej = json_object_get(j, "rejected");
    assert_int_equal(json_object_size(rej), REJ_COUNT);
    assert_int_equal(json_integer_value(json_object_get(rej, "gap")), 3);
    assert_int_equal(json_integer_value(json_object_get(rej, "bad_signature")), 1);
    assert_int_equal(json_integer_value(json_object_get(rej, "equivocation")), 0);
    json_decref(j);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_online_and_offline),
        cmocka_unit_test(test_counts_and_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
