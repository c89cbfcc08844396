/* Ledgers of several nodes in one pass (the parent's view of its children's reports) equal
 * each node's ledger computed alone, over a small tree with cases taken in at every tier;
 * the closings the parties withdrew (撤回) are counted among the closed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "report/ledger.h"
#include "case/reference.h"
#include "log/registry.h"
#include "testutil.h"

#define DAY 86400000LL
#define T0 1790000000000LL

/* c1 > t0, t1 > v0, v1 (under t0), v2, v3 (under t1); "gone" is not in the registry. */
static const char *const OPENED_AT[] = {"v0", "v1", "v2", "v3", "t0", "t1", "c1", "gone"};
#define N_OPENED (sizeof OPENED_AT / sizeof OPENED_AT[0])

static void make_tree(store *st, MDB_txn *txn)
{
    uint8_t pk[32] = {0};
    assert_int_equal(registry_put(st, txn, "c1", "县", 3, pk, ""), 0);
    assert_int_equal(registry_put(st, txn, "t0", "镇0", 2, pk, "c1"), 0);
    assert_int_equal(registry_put(st, txn, "t1", "镇1", 2, pk, "c1"), 0);
    assert_int_equal(registry_put(st, txn, "v0", "村0", 1, pk, "t0"), 0);
    assert_int_equal(registry_put(st, txn, "v1", "村1", 1, pk, "t0"), 0);
    assert_int_equal(registry_put(st, txn, "v2", "村2", 1, pk, "t1"), 0);
    assert_int_equal(registry_put(st, txn, "v3", "村3", 1, pk, "t1"), 0);
}

/* A fresh store in test_dir with the tree made, and a write transaction open on it. */
static store *tree_store(MDB_txn **txn)
{
    store *st = test_store(test_dir, "store");
    assert_int_equal(store_txn_begin(st, 0, txn), 0);
    make_tree(st, *txn);
    return st;
}

/* Case i: opened somewhere over 60 days, some closed, some escalated, various risks. */
static void put_case(store *st, MDB_txn *txn, int i)
{
    char id[40], *holders[2];
    const char *at = OPENED_AT[i % N_OPENED];
    Jiefen__CaseView v = JIEFEN__CASE_VIEW__INIT;
    snprintf(id, sizeof id, "%s-2026-%06d", at, i);
    v.case_id = id;
    v.category = (char *)ref_categories.entries[i % ref_categories.count].code;
    v.matter_type = (char *)ref_matter_types.entries[i % ref_matter_types.count].code;
    v.source = (char *)ref_sources.entries[i % ref_sources.count].code;
    v.village = i % 3 ? "东村" : "西村";
    v.opened_at_node = (char *)at;
    v.opened_ms = T0 + (i % 60) * DAY;
    v.due_ms = v.opened_ms + 3 * DAY;
    v.risk = 1 + i % 4;
    holders[0] = (char *)at;
    holders[1] = "c1";
    v.period_holders = holders;
    v.n_period_holders = i % 4 == 0 ? 2 : 1;
    v.holder = holders[v.n_period_holders - 1];
    if (i % 3) {
        v.status = JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED;
        v.closed_ms = v.last_closed_ms = v.opened_ms + (i % 9) * DAY;
        v.closed_due_ms = v.due_ms;
        v.closed_at_node = v.last_closed_at_node = v.holder;
        v.last_outcome = JIEFEN__OUTCOME__OUTCOME_AGREEMENT;
        v.satisfaction = i % 5 ? "satisfied" : "dissatisfied";
    }
    assert_int_equal(store_put_message(txn, st->cases, id, strlen(id), &v.base), 0);
}

static char *alone(store *st, MDB_txn *txn, const char *node, int64_t from, int64_t to)
{
    char *text = NULL;
    assert_int_equal(ledger_figures(st, txn, node, from, to, T0 + 60 * DAY, NULL, &text), 0);
    return text;
}

static void test_many_equals_each_alone(void **state)
{
    (void)state;
    store *st;
    MDB_txn *txn;
    st = tree_store(&txn);
    for (int i = 0; i < 400; i++)
        put_case(st, txn, i);
    assert_int_equal(mdb_txn_commit(txn), 0);

    /* Siblings, a node with its ancestors, and one the registry does not know. */
    static const char *const nodes[] = {"t1", "v0", "c1", "t0", "gone", "v3"};
    const size_t n = sizeof nodes / sizeof nodes[0];
    const int64_t from = T0 + 10 * DAY, to = T0 + 40 * DAY;
    struct ledger many[sizeof nodes / sizeof nodes[0]];
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    assert_int_equal(ledger_compute_many(st, txn, nodes, n, from, to, T0 + 60 * DAY, many), 0);
    for (size_t i = 0; i < n; i++) {
        json_t *j = ledger_json(&many[i]);
        char *text = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
        char *want = alone(st, txn, nodes[i], from, to);
        printf("  %s: taken in %llu, closed %llu, pending %llu\n", nodes[i],
               (unsigned long long)many[i].taken_in, (unsigned long long)many[i].closed,
               (unsigned long long)many[i].pending);
        assert_string_equal(text, want);
        free(text);
        free(want);
        json_decref(j);
        ledger_clear(&many[i]);
    }
    /* The county's is the sum of its townships' and its own. */
    assert_true(many[2].taken_in > many[0].taken_in + many[3].taken_in);
    assert_true(many[4].taken_in > 0); /* unknown to the registry: still its own cases */
    mdb_txn_abort(txn);
    store_close(&st);
}

/* 200 villages, met in the order of the case ids (not of their names): the figures keep
 * that order and count each village's cases; a category given by its Chinese name counts
 * under its code, as a code does. */
static void test_villages_in_the_order_met(void **state)
{
    (void)state;
    char id[40], village[32];
    store *st;
    MDB_txn *txn;
    st = tree_store(&txn);
    for (int k = 0; k < 200; k++)
        for (int c = 0; c <= k % 3; c++) {
            Jiefen__CaseView v = JIEFEN__CASE_VIEW__INIT;
            snprintf(id, sizeof id, "v0-2026-%03d-%d", k, c);
            snprintf(village, sizeof village, "村%03d", 199 - k);
            v.case_id = id;
            v.village = village;
            v.opened_at_node = "v0";
            v.opened_ms = T0 + DAY;
            v.category = (char *)(c ? ref_categories.entries[2].name
                                    : ref_categories.entries[2].code);
            assert_int_equal(store_put_message(txn, st->cases, id, strlen(id), &v.base), 0);
        }
    assert_int_equal(mdb_txn_commit(txn), 0);
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    struct ledger l;
    assert_int_equal(ledger_compute(st, txn, "c1", T0, T0 + 2 * DAY, T0 + 3 * DAY, NULL, NULL,
                                    &l), 0);
    json_t *j = ledger_json(&l);
    json_t *villages = json_object_get(json_object_get(j, "taken_in_by"), "village");
    const char *name;
    json_t *n;
    int k = 0;
    json_object_foreach(villages, name, n) {
        snprintf(village, sizeof village, "村%03d", 199 - k);
        assert_string_equal(name, village);
        assert_int_equal(json_integer_value(n), k % 3 + 1);
        k++;
    }
    printf("  %d villages, %llu cases, %llu of category %s\n", k,
           (unsigned long long)l.taken_in, (unsigned long long)l.by_category[2],
           ref_categories.entries[2].code);
    assert_int_equal(k, 200);
    assert_int_equal(l.by_category[2], l.taken_in);
    json_decref(j);
    ledger_clear(&l);
    mdb_txn_abort(txn);
    store_close(&st);
}

/* Case id at v0 whose last closing (in the period) has status and withdrawn. */
static void put_closing(store *st, MDB_txn *txn, const char *id, int status, int withdrawn)
{
    Jiefen__CaseView v = JIEFEN__CASE_VIEW__INIT;
    v.case_id = (char *)id;
    v.village = "东村";
    v.opened_at_node = v.holder = v.last_closed_at_node = "v0";
    v.opened_ms = T0 + DAY;
    v.status = status;
    v.last_closed_ms = T0 + 2 * DAY;
    v.closed_ms = status == JIEFEN__CASE_STATUS__CASE_STATUS_OPEN ? 0 : v.last_closed_ms;
    v.withdrawn = withdrawn;
    assert_int_equal(store_put_message(txn, st->cases, id, strlen(id), &v.base), 0);
}

/* Of four closings, two withdrawn: one still closed, one reopened since by a dissatisfied
 * follow-up (its closing stays in the period's ledger, withdrawn with it). */
static void test_withdrawn_among_the_closed(void **state)
{
    (void)state;
    store *st;
    MDB_txn *txn;
    st = tree_store(&txn);
    put_closing(st, txn, "v0-2026-000001", JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED, 1);
    put_closing(st, txn, "v0-2026-000002", JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED, 0);
    put_closing(st, txn, "v0-2026-000003", JIEFEN__CASE_STATUS__CASE_STATUS_OPEN, 1);
    put_closing(st, txn, "v0-2026-000004", JIEFEN__CASE_STATUS__CASE_STATUS_GUIDED, 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    json_t *j = NULL;
    assert_int_equal(ledger_figures(st, txn, "t0", T0, T0 + 3 * DAY, T0 + 3 * DAY, &j, NULL),
                     0);
    json_int_t closed = json_integer_value(json_object_get(j, "closed"));
    json_int_t guided = json_integer_value(json_object_get(j, "guided"));
    json_int_t withdrawn = json_integer_value(json_object_get(j, "withdrawn"));
    printf("  closed %lld, guided %lld, withdrawn %lld\n", (long long)closed,
           (long long)guided, (long long)withdrawn);
    assert_int_equal(closed, 4);
    assert_int_equal(guided, 1);
    assert_int_equal(withdrawn, 2);
    json_decref(j);
    mdb_txn_abort(txn);
    store_close(&st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_villages_in_the_order_met, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_many_equals_each_alone, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_withdrawn_among_the_closed, test_dir_setup,
                                        test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
