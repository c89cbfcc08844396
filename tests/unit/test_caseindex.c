/* The indexes the case fold keeps with the views, as the township t1 folds case events
 * (the test tree of testutil.h: c1 over t1 over v1 and v2): the counters of cases per
 * status (meta keys from caseindex_status_key) equal the views after every event; the timers
 * index holds 'w'+limit for an open case held here, 'd'+limit after its warning, nothing
 * once its limit is found passed, once it is resolved or closed, escalated away, or held
 * elsewhere; caseindex_timer_parse refuses malformed keys; a case id longer than
 * FOLD_CASE_ID_MAX (or empty) is refused with JF_EINVAL. The `opened` index lists every view
 * by opening time, whatever the case numbers, and caseindex_opened_fill() rebuilds it for a
 * store without it, once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "case/caseindex.h"
#include "error.h"
#include "log/fold.h"
#include "store.h"
#include "testutil.h"

#define DAY 86400000LL
#define T0 1767225600000LL /* 2026-01-01 UTC */

#define N_STATUS 6 /* CASE_STATUS_OPEN (1) to GUIDED (5) */

/* ---- what the indexes hold ---- */

static int count_view(const MDB_val *key, const MDB_val *val, void *arg)
{
    uint64_t *by_status = arg;
    (void)key;
    Jiefen__CaseView *v = case_view_decode(val->mv_data, val->mv_size);
    if (!v)
        return JF_ECORRUPT;
    if (v->status > 0 && v->status < N_STATUS)
        by_status[v->status]++;
    case_view_free(&v);
    return 0;
}

/* Each status counter equals the number of views in that status. */
static void assert_counters_match(struct test_node *f)
{
    uint64_t views[N_STATUS] = {0};
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_walk(txn, f->st->cases, NULL, count_view, views), 0);
    for (int s = 1; s < N_STATUS; s++) {
        char key[32];
        uint64_t n = 0;
        caseindex_status_key(s, key);
        assert_int_equal(store_meta_get_u64(f->st, txn, key, &n), 0);
        printf("    %s: counter %llu, views %llu\n", key, (unsigned long long)n,
               (unsigned long long)views[s]);
        assert_int_equal(n, views[s]);
    }
    store_txn_abort(txn);
}

static uint64_t counter(struct test_node *f, int status)
{
    char key[32];
    uint64_t n = 0;
    MDB_txn *txn;
    caseindex_status_key(status, key);
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_meta_get_u64(f->st, txn, key, &n), 0);
    store_txn_abort(txn);
    return n;
}

struct timers {
    unsigned n;
    char kind;                         /* of the entry of `want` */
    int64_t due;
    const char *want;
    unsigned of_want;
};

static int timer_entry(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct timers *t = arg;
    char kind, id[FOLD_CASE_ID_MAX + 1];
    int64_t due;
    (void)val;
    assert_int_equal(caseindex_timer_parse(key, &kind, &due, id), 0);
    printf("    timer %c %lld %s\n", kind, (long long)due, id);
    t->n++;
    if (strcmp(id, t->want) == 0) {
        t->of_want++;
        t->kind = kind;
        t->due = due;
    }
    return 0;
}

/* The timers entry of case `id`: its kind ('w', 'd', or 0 for none) and limit. */
static char timer_of(struct test_node *f, const char *id, int64_t *due)
{
    struct timers t = {.want = id};
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_walk(txn, f->st->timers, NULL, timer_entry, &t), 0);
    store_txn_abort(txn);
    printf("  %u timer(s), %u of %s\n", t.n, t.of_want, id);
    assert_true(t.of_want <= 1);
    if (due)
        *due = t.of_want ? t.due : 0;
    return t.of_want ? t.kind : 0;
}

static void assert_timer(struct test_node *f, const char *id, char kind, int64_t due)
{
    int64_t got_due;
    char got = timer_of(f, id, &got_due);
    printf("  timer of %s: '%c' %lld, expected '%c' %lld\n", id, got ? got : '-',
           (long long)got_due, kind ? kind : '-', (long long)due);
    assert_int_equal(got, kind);
    assert_int_equal(got_due, due);
}

/* ---- case events, signed on a chain and folded at t1 ---- */

static int fold_at_t1(struct test_node *f, struct test_chain *c, Jiefen__Event *ev)
{
    int rc = test_chain_store(f->st, "t1", c, ev, NULL, NULL);
    assert_counters_match(f);
    return rc;
}

static int64_t opened_due(struct test_chain *c)
{
    return T0 + (int64_t)(c->seq + 1) * 1000 + 3 * DAY;
}

/* Opens case id on chain c; the limit it set. */
static int64_t open_case(struct test_node *f, struct test_chain *c, const char *id)
{
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    int64_t due = opened_due(c);
    test_case_opened(&ev, &o, id, T0 + (int64_t)(c->seq + 1) * 1000);
    assert_int_equal(fold_at_t1(f, c, &ev), 0);
    return due;
}

static Jiefen__Event case_event(const char *id, unsigned epoch)
{
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.case_id = (char *)id;
    ev.case_epoch = epoch;
    return ev;
}

static int deadline(struct test_node *f, struct test_chain *c, const char *id,
                    unsigned epoch, const char *kind, int64_t due)
{
    Jiefen__DeadlineReached d = JIEFEN__DEADLINE_REACHED__INIT;
    Jiefen__Event ev = case_event(id, epoch);
    d.kind = (char *)kind;
    d.due_ms = due;
    ev.body_case = JIEFEN__EVENT__BODY_DEADLINE;
    ev.deadline = &d;
    return fold_at_t1(f, c, &ev);
}

static int escalate(struct test_node *f, struct test_chain *c, const char *id, unsigned epoch,
                    const char *from, const char *to, int64_t due)
{
    Jiefen__CaseMoved m = JIEFEN__CASE_MOVED__INIT;
    Jiefen__Event ev = case_event(id, epoch);
    m.kind = "escalate";
    m.from = (char *)from;
    m.to = (char *)to;
    m.reason = "人工上报";
    m.due_ms = due;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_MOVED;
    ev.case_moved = &m;
    return fold_at_t1(f, c, &ev);
}

static int settle(struct test_node *f, struct test_chain *c, const char *id, unsigned epoch)
{
    Jiefen__MediationAttempt a = JIEFEN__MEDIATION_ATTEMPT__INIT;
    Jiefen__Event ev = case_event(id, epoch);
    a.outcome = JIEFEN__OUTCOME__OUTCOME_AGREEMENT;
    ev.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    ev.attempt = &a;
    return fold_at_t1(f, c, &ev);
}

static int close_case(struct test_node *f, struct test_chain *c, const char *id,
                      unsigned epoch)
{
    Jiefen__CaseClosed cl = JIEFEN__CASE_CLOSED__INIT;
    Jiefen__Event ev = case_event(id, epoch);
    cl.result = "达成协议";
    cl.feedback = "已告知双方";
    ev.body_case = JIEFEN__EVENT__BODY_CASE_CLOSED;
    ev.case_closed = &cl;
    return fold_at_t1(f, c, &ev);
}

/* The `opened` index, in key order, as "time id" lines (at most 4). */
struct opened {
    unsigned n;
    char line[4][64];
};

static int opened_entry(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct opened *w = arg;
    const uint8_t *b = key->mv_data;
    uint64_t t = 0;
    (void)val;
    for (int i = 0; i < 8; i++)
        t = t << 8 | b[i];
    if (w->n < 4)
        snprintf(w->line[w->n], sizeof w->line[0], "%llu %.*s", (unsigned long long)t,
                 (int)key->mv_size - 8, (const char *)b + 8);
    printf("  opened: %llu %.*s\n", (unsigned long long)t, (int)key->mv_size - 8,
           (const char *)b + 8);
    w->n++;
    return 0;
}

static struct opened opened_index(struct test_node *f)
{
    struct opened w = {0};
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_walk(txn, f->st->opened, NULL, opened_entry, &w), 0);
    store_txn_abort(txn);
    return w;
}

static void open_at(struct test_node *f, struct test_chain *c, const char *id, int64_t t)
{
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    test_case_opened(&ev, &o, id, t);
    assert_int_equal(fold_at_t1(f, c, &ev), 0);
}

/* ---- the tests ---- */

/* A case opened here: counted open, 'w'+limit; after its warning 'd'+limit; once its
 * limit is found passed, nothing. */
static void test_timer_warning_then_limit(void **state)
{
    struct test_node *f = *state;
    int64_t due = open_case(f, &f->t.ct1, "T-1");
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_OPEN), 1);
    assert_timer(f, "T-1", 'w', due);
    assert_int_equal(deadline(f, &f->t.ct1, "T-1", 1, "warning", due), 0);
    assert_timer(f, "T-1", 'd', due);
    assert_int_equal(deadline(f, &f->t.ct1, "T-1", 1, "overdue", due), 0);
    assert_timer(f, "T-1", 0, 0);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_OPEN), 1);
}

/* Resolved, then closed: the counters follow the status, the timer goes. */
static void test_resolved_closed_no_timer(void **state)
{
    struct test_node *f = *state;
    open_case(f, &f->t.ct1, "T-1");
    int64_t due2 = open_case(f, &f->t.ct1, "T-2");
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_OPEN), 2);
    assert_int_equal(settle(f, &f->t.ct1, "T-1", 1), 0);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_OPEN), 1);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_RESOLVED), 1);
    assert_timer(f, "T-1", 0, 0);
    assert_int_equal(close_case(f, &f->t.ct1, "T-1", 1), 0);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_RESOLVED), 0);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED), 1);
    assert_timer(f, "T-1", 0, 0);
    assert_timer(f, "T-2", 'w', due2);
}

/* Escalated away to the county: still open (the counters follow the view), no timer. */
static void test_escalated_away_no_timer(void **state)
{
    struct test_node *f = *state;
    int64_t due = open_case(f, &f->t.ct1, "T-1");
    assert_int_equal(deadline(f, &f->t.ct1, "T-1", 1, "warning", due), 0);
    assert_timer(f, "T-1", 'd', due);
    assert_int_equal(escalate(f, &f->t.ct1, "T-1", 2, "t1", "c1", T0 + 10 * DAY), 0);
    Jiefen__CaseView *v = test_case_view(f->st, "T-1");
    assert_non_null(v);
    printf("  holder %s, status %s\n", v->holder, case_status_code(v->status));
    assert_string_equal(v->holder, "c1");
    case_view_free(&v);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_OPEN), 1);
    assert_timer(f, "T-1", 0, 0);
}

/* A village's case is counted here but timed there; escalated to t1 it is timed here with
 * its new limit, a fresh 'w' even though the village was warned of the old one. */
static void test_held_elsewhere_then_here(void **state)
{
    struct test_node *f = *state;
    int64_t due = open_case(f, &f->t.cv1, "V-1");
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_OPEN), 1);
    assert_timer(f, "V-1", 0, 0);
    assert_int_equal(deadline(f, &f->t.cv1, "V-1", 1, "warning", due), 0);
    assert_timer(f, "V-1", 0, 0);
    int64_t later = T0 + 20 * DAY;
    assert_int_equal(escalate(f, &f->t.cv1, "V-1", 2, "v1", "t1", later), 0);
    assert_timer(f, "V-1", 'w', later);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_OPEN), 1);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_ESCALATED), 0);
}

/* An event that does not apply changes neither the view nor the indexes. */
static void test_refused_event_changes_nothing(void **state)
{
    struct test_node *f = *state;
    int64_t due = open_case(f, &f->t.ct1, "T-1");
    assert_int_equal(close_case(f, &f->t.ct1, "T-1", 1), 0);
    assert_int_equal(close_case(f, &f->t.ct1, "T-1", 1), JF_EINVAL); /* closed already */
    assert_int_equal(deadline(f, &f->t.ct1, "T-1", 1, "later", due), JF_EINVAL);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED), 1);
    assert_timer(f, "T-1", 0, 0);
}

/* A case id of FOLD_CASE_ID_MAX characters folds and is timed; one longer, or empty, is
 * refused with JF_EINVAL and leaves nothing behind. */
static void test_case_id_length(void **state)
{
    struct test_node *f = *state;
    char id[FOLD_CASE_ID_MAX + 2];
    memset(id, 'C', sizeof id - 1);
    id[sizeof id - 1] = 0;
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    test_case_opened(&ev, &o, id, T0 + 1000);
    printf("  case id of %zu characters\n", strlen(id));
    assert_int_equal(fold_at_t1(f, &f->t.ct1, &ev), JF_EINVAL);
    test_case_opened(&ev, &o, "", T0 + 2000);
    assert_int_equal(fold_at_t1(f, &f->t.ct1, &ev), JF_EINVAL);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_OPEN), 0);
    id[FOLD_CASE_ID_MAX] = 0;
    printf("  case id of %zu characters\n", strlen(id));
    int64_t due = open_case(f, &f->t.ct1, id);
    assert_int_equal(counter(f, JIEFEN__CASE_STATUS__CASE_STATUS_OPEN), 1);
    assert_timer(f, id, 'w', due);
}

static int parse(const void *key, size_t len, char *kind, int64_t *due, char *id)
{
    MDB_val k = {len, (void *)key};
    int rc = caseindex_timer_parse(&k, kind, due, id);
    printf("  key of %zu bytes starting '%c': %d\n", len, len ? *(const char *)key : '-', rc);
    return rc;
}

/* caseindex_timer_parse reads back a key of each kind, and refuses one with no case id, one
 * too long, or of an unknown kind. */
/* Cases of two villages by opening time, the lower number the newer; rebuilt once lost. */
static void test_opened_index(void **state)
{
    struct test_node *f = *state;
    char want[2][64];
    open_at(f, &f->t.cv1, "v1-2026-000001", T0 + 9000);
    open_at(f, &f->t.cv2, "v2-2026-000001", T0 + 5000);
    snprintf(want[0], sizeof want[0], "%lld v2-2026-000001", (long long)(T0 + 5000));
    snprintf(want[1], sizeof want[1], "%lld v1-2026-000001", (long long)(T0 + 9000));
    struct opened w = opened_index(f);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.line[0], want[0]);
    assert_string_equal(w.line[1], want[1]);
    /* A later event of the case leaves its entry as it is. */
    assert_int_equal(close_case(f, &f->t.cv1, "v1-2026-000001", 1), 0);
    assert_int_equal(opened_index(f).n, 2);

    /* A store from before the index: rebuilt by its migration (case/migrations.c). */
    MDB_txn *txn;
    uint8_t k[8 + FOLD_CASE_ID_MAX];
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(store_del(txn, f->st->opened, k,
                               caseindex_opened_key(T0 + 5000, "v2-2026-000001", k)), 0);
    assert_int_equal(store_del(txn, f->st->opened, k,
                               caseindex_opened_key(T0 + 9000, "v1-2026-000001", k)), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    assert_int_equal(opened_index(f).n, 0);
    /* The migration's step, twice: the second changes nothing. */
    for (int i = 0; i < 2; i++) {
        assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
        assert_int_equal(caseindex_opened_fill(f->st, txn), 0);
        assert_int_equal(store_txn_commit(txn), 0);
    }
    w = opened_index(f);
    assert_int_equal(w.n, 2);
    assert_string_equal(w.line[0], want[0]);
    assert_string_equal(w.line[1], want[1]);
}

static void test_timer_parse(void **state)
{
    (void)state;
    uint8_t key[9 + FOLD_CASE_ID_MAX + 1];
    char kind = 0, id[FOLD_CASE_ID_MAX + 1];
    int64_t due = 0, limit = T0 + 3 * DAY;
    key[0] = 'd';
    for (int i = 0; i < 8; i++)
        key[1 + i] = (uint8_t)((uint64_t)limit >> (56 - 8 * i));
    memcpy(key + 9, "V-7", 3);
    assert_int_equal(parse(key, 12, &kind, &due, id), 0);
    assert_int_equal(kind, 'd');
    assert_int_equal(due, limit);
    assert_string_equal(id, "V-7");
    key[0] = 'w';
    assert_int_equal(parse(key, 12, &kind, &due, id), 0);
    assert_int_equal(kind, 'w');

    assert_int_equal(parse(key, 9, &kind, &due, id), JF_ECORRUPT);
    assert_int_equal(parse(key, 0, &kind, &due, id), JF_ECORRUPT);
    memset(key + 9, 'C', FOLD_CASE_ID_MAX + 1);
    assert_int_equal(parse(key, 9 + FOLD_CASE_ID_MAX, &kind, &due, id), 0);
    assert_int_equal(strlen(id), FOLD_CASE_ID_MAX);
    assert_int_equal(parse(key, 9 + FOLD_CASE_ID_MAX + 1, &kind, &due, id), JF_ECORRUPT);
    key[0] = 'x';
    assert_int_equal(parse(key, 12, &kind, &due, id), JF_ECORRUPT);
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        TEST_NODE(test_timer_warning_then_limit),
        TEST_NODE(test_resolved_closed_no_timer),
        TEST_NODE(test_escalated_away_no_timer),
        TEST_NODE(test_held_elsewhere_then_here),
        TEST_NODE(test_refused_event_changes_nothing),
        TEST_NODE(test_case_id_length),
        TEST_NODE(test_opened_index),
        cmocka_unit_test(test_timer_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
