/* ledger_read: the fields asked for read as the full unpack reads them, the others left at
 * their defaults, from one view to the next in reused memory; names that are not fields,
 * fields it cannot read, and bytes that are not a view are refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "report/ledger_read.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const FIELDS[] = {"case_id", "status", "village", "opened_ms",
                                     "due_ms", "risk", "leader", "period_holders",
                                     "leader_required", "satisfaction"};
#define N_FIELDS (sizeof FIELDS / sizeof FIELDS[0])

/* A view with every kind of field the reader meets set, and some it must skip. */
static uint8_t *packed_view(size_t n_holders, size_t name_len, size_t *len)
{
    Jiefen__CaseView v = JIEFEN__CASE_VIEW__INIT;
    Jiefen__LeaderAssigned leader = JIEFEN__LEADER_ASSIGNED__INIT;
    char **holders = calloc(n_holders, sizeof *holders);
    char *origins[] = {"v1", "t1"};
    uint64_t seqs[] = {7, 8};
    char *name = malloc(name_len + 1);
    assert_non_null(holders);
    assert_non_null(name);
    memset(name, 'x', name_len);
    name[name_len] = '\0';
    for (size_t i = 0; i < n_holders; i++)
        holders[i] = i % 2 ? "镇" : name;
    v.case_id = "v1-2026-000001";
    v.status = JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED;
    v.village = "东村";
    v.summary = "邻里宅基地纠纷";
    v.opened_ms = 1790000000000LL;
    v.due_ms = -5; /* negative: ten bytes of varint */
    v.risk = JIEFEN__RISK__RISK_RED;
    leader.leader = "张镇长";
    v.leader = &leader;
    v.period_holders = holders;
    v.n_period_holders = n_holders;
    v.event_origins = origins;
    v.n_event_origins = 2;
    v.event_seqs = seqs;
    v.n_event_seqs = 2;
    v.leader_required = 1;
    v.satisfaction = "satisfied";
    uint8_t *buf = case_view_encode(&v, len);
    free(holders);
    free(name);
    assert_non_null(buf);
    return buf;
}

static void assert_same(const Jiefen__CaseView *got, const Jiefen__CaseView *want)
{
    assert_string_equal(got->case_id, want->case_id);
    assert_int_equal(got->status, want->status);
    assert_string_equal(got->village, want->village);
    assert_int_equal(got->opened_ms, want->opened_ms);
    assert_int_equal(got->due_ms, want->due_ms);
    assert_int_equal(got->risk, want->risk);
    assert_int_equal(got->leader_required, want->leader_required);
    assert_string_equal(got->satisfaction, want->satisfaction);
    assert_int_equal(got->leader != NULL, want->leader != NULL);
    if (want->leader)
        assert_string_equal(got->leader->leader, want->leader->leader);
    assert_int_equal(got->n_period_holders, want->n_period_holders);
    for (size_t i = 0; i < want->n_period_holders; i++)
        assert_string_equal(got->period_holders[i], want->period_holders[i]);
}

static void test_reads_the_fields_asked_for(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = packed_view(3, 10, &len);
    ledger_read *r = ledger_read_new(FIELDS, N_FIELDS, NULL, 0);
    assert_non_null(r);
    Jiefen__CaseView *want = case_view_decode(buf, len);
    const Jiefen__CaseView *got = ledger_read_view(r, buf, len);
    assert_non_null(got);
    printf("  %s: %s, due %lld, %zu holders\n", got->case_id, got->village,
           (long long)got->due_ms, got->n_period_holders);
    assert_same(got, want);
    /* Not asked for: as a view without them. */
    assert_string_equal(got->summary, "");
    assert_int_equal(got->n_event_origins, 0);
    assert_int_equal(got->n_event_seqs, 0);
    case_view_free(&want);
    ledger_read_free(&r);
    assert_null(r);
    free(buf);
}

/* A view larger than the memory kept (long names, many holders), then a small one: both
 * read right, and nothing of the first shows in the second. */
static void test_large_then_small(void **state)
{
    (void)state;
    size_t big_len, small_len;
    uint8_t *big = packed_view(500, 3000, &big_len);
    ledger_read *r = ledger_read_new(FIELDS, N_FIELDS, NULL, 0);
    Jiefen__CaseView *want = case_view_decode(big, big_len);
    for (int round = 0; round < 2; round++) /* the second in the grown memory */
        assert_same(ledger_read_view(r, big, big_len), want);
    case_view_free(&want);

    Jiefen__CaseView v = JIEFEN__CASE_VIEW__INIT;
    v.case_id = "v2-2026-000002";
    uint8_t *small = case_view_encode(&v, &small_len);
    const Jiefen__CaseView *got = ledger_read_view(r, small, small_len);
    assert_non_null(got);
    assert_string_equal(got->case_id, "v2-2026-000002");
    assert_string_equal(got->village, "");
    assert_null(got->leader);
    assert_int_equal(got->n_period_holders, 0);
    assert_int_equal(got->opened_ms, 0);
    printf("  %zu bytes, then %zu bytes\n", big_len, small_len);

    got = ledger_read_view(r, "", 0); /* no field set at all */
    assert_non_null(got);
    assert_string_equal(got->case_id, "");
    ledger_read_free(&r);
    free(big);
    free(small);
}

static void test_refuses_what_it_cannot_read(void **state)
{
    (void)state;
    char err[200] = "";
    const char *unknown[] = {"case_id", "colour"};
    assert_null(ledger_read_new(unknown, 2, err, sizeof err));
    printf("  %s\n", err);
    assert_non_null(strstr(err, "\"colour\""));
    const char *repeated_number[] = {"event_seqs"};
    assert_null(ledger_read_new(repeated_number, 1, err, sizeof err));
    printf("  %s\n", err);
    assert_non_null(strstr(err, "\"event_seqs\""));
}

static void test_refuses_what_is_not_a_view(void **state)
{
    (void)state;
    size_t len;
    uint8_t *buf = packed_view(2, 5, &len);
    ledger_read *r = ledger_read_new(FIELDS, N_FIELDS, NULL, 0);
    assert_null(ledger_read_view(r, buf, len - 1));           /* cut short */
    const uint8_t wrong_wire[] = {0x12, 0x01, 'x'};           /* status (2) as bytes */
    assert_null(ledger_read_view(r, wrong_wire, sizeof wrong_wire));
    const uint8_t group[] = {0x0b, 0x0c};                     /* a group, not proto3 */
    assert_null(ledger_read_view(r, group, sizeof group));
    const uint8_t long_varint[] = {0x68, 0xff, 0xff, 0xff, 0xff, 0xff,
                                   0xff, 0xff, 0xff, 0xff, 0xff, 0x01}; /* 11 bytes */
    assert_null(ledger_read_view(r, long_varint, sizeof long_varint));
    const uint8_t too_long[] = {0x0a, 0x7f, 'v'};             /* case_id of 127 bytes */
    assert_null(ledger_read_view(r, too_long, sizeof too_long));
    /* Still reads a good one afterwards. */
    assert_non_null(ledger_read_view(r, buf, len));
    ledger_read_free(&r);
    ledger_read_free(&r); /* NULL accepted */
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_the_fields_asked_for),
        cmocka_unit_test(test_large_then_small),
        cmocka_unit_test(test_refuses_what_it_cannot_read),
        cmocka_unit_test(test_refuses_what_is_not_a_view),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
