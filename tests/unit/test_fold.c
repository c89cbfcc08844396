/* Folding received events in a real store: an event that comes before the one it depends
 * on waits (parked) and is applied when that one arrives, however many other events of
 * other origins wait on the same case. */
#include <setjmp.h>
#include "node.h"
#include "case/caseindex.h"
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "envelope.h"
#include "error.h"
#include "log/fold.h"
#include "log/registry.h"
#include "testutil.h"

#define CASE "v1-2026-000001"
#define T0 1767225600000LL
#define DAY 86400000LL

struct fixture {
    char dir[4096];
    store *st;
    crypto_identity *id;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char path[4200];
    uint8_t pk[32] = {0};
    MDB_txn *txn;
    test_tmpdir(f->dir, sizeof f->dir);
    snprintf(path, sizeof path, "%s/node.key", f->dir);
    assert_int_equal(crypto_identity_create(path, &f->id), 0);
    snprintf(path, sizeof path, "%s/store", f->dir);
    assert_int_equal(store_open(path, 1 << 24, 1, &f->st), 0);
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(registry_put(f->st, txn, "t1", "镇", 2, pk, ""), 0);
    assert_int_equal(registry_put(f->st, txn, "v1", "村1", 1, pk, "t1"), 0);
    assert_int_equal(registry_put(f->st, txn, "a0", "村0", 1, pk, "t1"), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(&f->st);
    crypto_identity_free(&f->id);
    test_rmtree(f->dir);
    free(f);
    return 0;
}

/* Stores ev as received from a child at t1 and folds it, in one transaction. */
static void receive(struct fixture *f, Jiefen__Event *ev)
{
    uint8_t prev[32] = {0}, hash[32], key[STORE_KEY_MAX], *bytes;
    size_t len;
    envelope *e = NULL;
    MDB_txn *txn;
    ev->prev_hash.data = prev;
    ev->prev_hash.len = sizeof prev;
    ev->case_id = CASE;
    ev->actor = "test";
    assert_int_equal(envelope_sign(f->id, ev, &bytes, &len, hash), 0);
    assert_int_equal(envelope_decode(bytes, len, &e), 0);
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    MDB_val k = {store_event_key(ev->origin, ev->seq, key), key}, d = {len, bytes};
    assert_int_equal(mdb_put(txn, f->st->events, &k, &d, 0), 0);
    assert_int_equal(fold_event(f->st, txn, "t1", e, bytes, len, 0), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    envelope_free(&e);
    free(bytes);
}

static Jiefen__Event event(const char *origin, uint64_t seq, unsigned epoch, int64_t t)
{
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.origin = (char *)origin;
    ev.seq = seq;
    ev.case_epoch = epoch;
    ev.time_ms = t;
    return ev;
}

static Jiefen__CaseView *view(struct fixture *f)
{
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(caseindex_get(f->st, txn, CASE, &v), 0);
    mdb_txn_abort(txn);
    return v;
}

static void test_early_event_applies_despite_many_waiting(void **state)
{
    struct fixture *f = *state;
    Jiefen__MediationAttempt failed = JIEFEN__MEDIATION_ATTEMPT__INIT;
    failed.outcome = JIEFEN__OUTCOME__OUTCOME_FAILED;

    /* The township's attempt in period 2 arrives before the village's escalation. */
    Jiefen__Event early = event("t1", 1, 2, T0 + 3000);
    early.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    early.attempt = &failed;
    receive(f, &early);
    /* 200 events that can never apply (period 50) wait on the same case, from an origin
     * that sorts first. */
    for (uint64_t i = 1; i <= 200; i++) {
        Jiefen__Event junk = event("a0", i, 50, T0 + 1000);
        junk.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
        junk.attempt = &failed;
        receive(f, &junk);
    }
    Jiefen__CaseOpened o = JIEFEN__CASE_OPENED__INIT;
    o.case_id = CASE;
    o.due_ms = T0 + 3 * DAY;
    Jiefen__Event opened = event("v1", 1, 1, T0);
    opened.body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    opened.case_opened = &o;
    receive(f, &opened);
    Jiefen__CaseView *v = view(f);
    assert_int_equal(v->attempts, 0);
    case_view_free(&v);

    Jiefen__CaseMoved m = JIEFEN__CASE_MOVED__INIT;
    m.kind = "escalate";
    m.from = "v1";
    m.to = "t1";
    m.due_ms = T0 + 2000 + 3 * DAY;
    Jiefen__Event up = event("v1", 2, 2, T0 + 2000);
    up.body_case = JIEFEN__EVENT__BODY_CASE_MOVED;
    up.case_moved = &m;
    receive(f, &up);

    v = view(f);
    assert_string_equal(v->holder, "t1");
    assert_int_equal(v->attempts, 1);
    assert_int_equal(v->failed_here, 1);
    case_view_free(&v);
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_false(fold_parked(f->st, txn, &early));
    Jiefen__Event junk = event("a0", 200, 50, 0);
    junk.case_id = CASE;
    assert_true(fold_parked(f->st, txn, &junk));
    mdb_txn_abort(txn);
}

/* Every kind of event the schema has can be given a fold (fold_set ignores a kind past
 * FOLD_KINDS, and its events would then never apply). */
static void test_every_kind_fits(void **state)
{
    (void)state;
    const ProtobufCMessageDescriptor *d = &jiefen__event__descriptor;
    unsigned kinds = 0, highest = 0;
    for (unsigned i = 0; i < d->n_fields; i++)
        if (d->fields[i].flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
            kinds++;
            highest = d->fields[i].id > highest ? d->fields[i].id : highest;
        }
    printf("  %u kinds of event, the highest %u, FOLD_KINDS %d\n", kinds, highest, FOLD_KINDS);
    assert_true(kinds > 20);
    assert_true(highest < FOLD_KINDS);
}

int main(void)
{
    node_register_folds();
    if (crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_early_event_applies_despite_many_waiting, setup,
                                        teardown),
        cmocka_unit_test(test_every_kind_fits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
