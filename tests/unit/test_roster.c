/* roster (case/roster.h): people stored and read back, ids counted, the phone sealed at rest
 * (not in the store's file in clear, opened only with the node's key and only for its own
 * person), and the per-person figures from the case views. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "case/roster.h"
#include "error.h"
#include "testutil.h"

#define PHONE "13812345678"

struct fixture {
    char dir[4096];
    store *st;
    crypto_identity *id, *other;
    MDB_txn *txn;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    test_tmpdir(f->dir, sizeof f->dir);
    f->id = test_identity(f->dir, "v1");
    f->other = test_identity(f->dir, "v2");
    f->st = test_store(f->dir, "v1");
    assert_int_equal(store_txn_begin(f->st, 0, &f->txn), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->txn)
        store_txn_abort(f->txn);
    store_close(&f->st);
    crypto_identity_free(&f->id);
    crypto_identity_free(&f->other);
    test_rmtree(f->dir);
    free(f);
    return 0;
}

static void put_person(struct fixture *f, const char *name, const char *phone, char *id)
{
    Jiefen__RosterRecord r = JIEFEN__ROSTER_RECORD__INIT;
    uint8_t sealed[ROSTER_SEALED_MAX];
    assert_int_equal(roster_next_id(f->st, f->txn, id), 0);
    r.id = id;
    r.name = (char *)name;
    r.kind = "lawyer";
    assert_int_equal(roster_seal_phone(f->id, id, phone, sealed, &r.sealed_phone.len), 0);
    r.sealed_phone.data = sealed;
    assert_int_equal(roster_put(f->st, f->txn, &r), 0);
}

static int count_people(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__RosterRecord *r = (const Jiefen__RosterRecord *)m;
    printf("  %s %s\n", r->id, r->name);
    (*(int *)arg)++;
    return 0;
}

static void test_phone_sealed_at_rest(void **state)
{
    struct fixture *f = *state;
    char id1[ROSTER_ID_MAX + 1], id2[ROSTER_ID_MAX + 1], phone[ROSTER_PHONE_MAX + 1];
    uint8_t sealed[ROSTER_SEALED_MAX];
    size_t len;
    put_person(f, "王律师", PHONE, id1);
    put_person(f, "刘专家", "", id2);
    assert_string_equal(id1, "R1");
    assert_string_equal(id2, "R2");
    Jiefen__RosterRecord *r = NULL;
    assert_int_equal(roster_get(f->st, f->txn, "R1", &r), 0);
    assert_int_equal(roster_phone(f->id, r, phone, sizeof phone), 0);
    printf("  R1 phone opened: %s (%zu sealed bytes)\n", phone, r->sealed_phone.len);
    assert_string_equal(phone, PHONE);
    /* Another node's key does not open it; nor does it open as another person's. */
    assert_int_equal(roster_phone(f->other, r, phone, sizeof phone), JF_ECRYPTO);
    free(r->id);
    r->id = strdup("R2");
    assert_int_equal(roster_phone(f->id, r, phone, sizeof phone), JF_ECRYPTO);
    roster_free(&r);
    assert_int_equal(roster_get(f->st, f->txn, "R2", &r), 0);
    assert_int_equal(roster_phone(f->id, r, phone, sizeof phone), 0);
    assert_string_equal(phone, "");
    roster_free(&r);
    assert_int_equal(roster_get(f->st, f->txn, "R3", &r), JF_ENOTFOUND);
    assert_null(r);
    assert_int_equal(roster_seal_phone(f->id, "R1", "123456789012345678901234567890123", sealed,
                                       &len), JF_EINVAL);
    int n = 0;
    assert_int_equal(roster_each(f->st, f->txn, count_people, &n), 0);
    assert_int_equal(n, 2);
    /* On disk: no phone in clear. */
    assert_int_equal(store_txn_commit(f->txn), 0);
    f->txn = NULL;
    char path[4200];
    snprintf(path, sizeof path, "%s/v1/data.mdb", f->dir);
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 22];
    size_t got = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    printf("  %zu bytes of %s read\n", got, path);
    assert_true(got > 0);
    assert_null(memmem(buf, got, PHONE, strlen(PHONE)));
    assert_non_null(memmem(buf, got, "王律师", strlen("王律师")));
}

static void test_figures_from_the_cases(void **state)
{
    struct fixture *f = *state;
    char *ids_a[] = {"R1"}, *ids_b[] = {"R1", "R2"};
    struct {
        const char *id, *satisfaction;
        char **roster;
        size_t n;
        Jiefen__Outcome outcome;
    } cases[] = {
        {"c1", "satisfied", ids_a, 1, JIEFEN__OUTCOME__OUTCOME_AGREEMENT},
        {"c2", "dissatisfied", ids_b, 2, JIEFEN__OUTCOME__OUTCOME_FAILED},
        {"c3", "", NULL, 0, JIEFEN__OUTCOME__OUTCOME_AGREEMENT},
    };
    for (size_t i = 0; i < 3; i++) {
        Jiefen__CaseView v = JIEFEN__CASE_VIEW__INIT;
        size_t len;
        v.case_id = (char *)cases[i].id;
        v.satisfaction = (char *)cases[i].satisfaction;
        v.roster_ids = cases[i].roster;
        v.n_roster_ids = cases[i].n;
        v.last_outcome = cases[i].outcome;
        uint8_t *buf = case_view_encode(&v, &len);
        assert_int_equal(store_put(f->txn, f->st->cases, v.case_id, strlen(v.case_id), buf, len, 0), 0);
        free(buf);
    }
    const char *ids[] = {"R1", "R2", "R3"};
    struct roster_figures out[3];
    assert_int_equal(roster_figures(f->st, f->txn, ids, 3, out), 0);
    for (int i = 0; i < 3; i++)
        printf("  %s: cases %llu agreements %llu satisfied %llu dissatisfied %llu\n", ids[i],
               (unsigned long long)out[i].cases, (unsigned long long)out[i].agreements,
               (unsigned long long)out[i].satisfied, (unsigned long long)out[i].dissatisfied);
    assert_int_equal(out[0].cases, 2);
    assert_int_equal(out[0].agreements, 1);
    assert_int_equal(out[0].satisfied, 1);
    assert_int_equal(out[0].dissatisfied, 1);
    assert_int_equal(out[1].cases, 1);
    assert_int_equal(out[1].agreements, 0);
    assert_int_equal(out[2].cases, 0);
}

int main(void)
{
    if (crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_phone_sealed_at_rest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_figures_from_the_cases, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
