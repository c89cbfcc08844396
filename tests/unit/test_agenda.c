/* The to-do index (agenda.h) as the township t1 of the test tree keeps it (c1 over t1 over
 * v1, v2): which items a case view gives (escalated from a child: route; handed down from
 * above: take over; a leader to assign, then to acknowledge; a time limit; a child's
 * extension request; a follow-up after closing here; nothing for a case elsewhere); the
 * index and its counters follow a case's changes and directive/report items set and unset;
 * the journal numbers every change, lists what was added and removed, and keeps only the
 * last AGENDA_JOURNAL (a ring: no more slots than that, read in order across its end); a
 * subject too long is refused and changes nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/agenda.h"
#include "error.h"
#include "store.h"
#include "testutil.h"

#define DAY 86400000LL
#define T0 1767225600000LL

static char *origins_t1[] = {"t1"}, *origins_v1[] = {"v1"}, *origins_c1[] = {"c1"};

/* An open case held by t1 since T0, its last step t1's. */
static void held_here(Jiefen__CaseView *v)
{
    jiefen__case_view__init(v);
    v->case_id = "t1-2026-0000001";
    v->status = JIEFEN__CASE_STATUS__CASE_STATUS_OPEN;
    v->holder = "t1";
    v->epoch = 1;
    v->holder_since_ms = T0;
    v->due_ms = T0 + 10 * DAY;
    v->event_origins = origins_t1;
    v->n_event_origins = 1;
}

static unsigned items(struct test_node *f, const Jiefen__CaseView *v, int64_t *due)
{
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    struct registry_tree rt = {f->st, txn};
    case_tree tree = {registry_tree_depth, &rt, "t1"};
    unsigned m = agenda_of_case(v, "t1", &tree, due);
    store_txn_abort(txn);
    return m;
}

static void test_items_of_a_case(void **state)
{
    struct test_node *f = *state;
    Jiefen__CaseView v;
    int64_t due[AGENDA_N];

    held_here(&v);
    assert_int_equal(items(f, &v, due), 1u << AGENDA_DUE);
    assert_int_equal(due[AGENDA_DUE], T0 + 10 * DAY);
    /* Escalated from the village v1, nothing done here yet: to route. */
    v.epoch = 2;
    v.previous_holder = "v1";
    v.event_origins = origins_v1;
    assert_int_equal(items(f, &v, due), 1u << AGENDA_DUE | 1u << AGENDA_ROUTE);
    assert_int_equal(due[AGENDA_ROUTE], T0);
    /* Handed down by the county: to take over; once t1 acts, neither. */
    v.previous_holder = "c1";
    v.event_origins = origins_c1;
    assert_int_equal(items(f, &v, due), 1u << AGENDA_DUE | 1u << AGENDA_TAKE_OVER);
    v.event_origins = origins_t1;
    assert_int_equal(items(f, &v, due), 1u << AGENDA_DUE);
    /* 3221 reached: a leader to assign; assigned: to acknowledge; acknowledged: neither. */
    v.leader_required = 1;
    assert_true(items(f, &v, due) & 1u << AGENDA_LEADER);
    v.leader_origin = "c1";
    v.leader_epoch = 2;
    v.leader_time_ms = T0 + DAY;
    assert_int_equal(items(f, &v, due), 1u << AGENDA_DUE | 1u << AGENDA_LEADER_ACK);
    assert_int_equal(due[AGENDA_LEADER_ACK], T0 + DAY);
    v.leader_acked = 1;
    assert_int_equal(items(f, &v, due), 1u << AGENDA_DUE);
    /* Closed here without the follow-up visit: a follow-up; made: nothing. */
    v.status = JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED;
    v.closed_at_node = "t1";
    v.closed_ms = T0 + 2 * DAY;
    assert_int_equal(items(f, &v, due), 1u << AGENDA_FOLLOW_UP);
    assert_int_equal(due[AGENDA_FOLLOW_UP], T0 + 2 * DAY);
    /* With a follow-up due date (closed since they exist): by that date. */
    v.followup_due_ms = T0 + 17 * DAY;
    assert_int_equal(items(f, &v, due), 1u << AGENDA_FOLLOW_UP);
    assert_int_equal(due[AGENDA_FOLLOW_UP], T0 + 17 * DAY);
    /* Closed above and returned to v1: the follow-up is v1's, not the closer's. */
    v.holder = "v1";
    assert_int_equal(items(f, &v, due), 0);
    v.holder = "t1";
    v.satisfaction = "satisfied";
    assert_int_equal(items(f, &v, due), 0);
    /* Held by the child v1 asking for more time: t1 decides; held by v1a (v1's): not t1. */
    held_here(&v);
    v.holder = "v1";
    v.ext_state = "pending";
    v.ext_epoch = 1;
    assert_int_equal(items(f, &v, due), 1u << AGENDA_EXTENSION);
    v.holder = "v1a";
    assert_int_equal(items(f, &v, due), 0);
    assert_int_equal(items(f, NULL, due), 0);
}

struct seen {
    int n;
    struct agenda_change ch[8];
};

static int collect(const struct agenda_change *ch, void *arg)
{
    struct seen *s = arg;
    if (s->n < 8)
        s->ch[s->n] = *ch;
    s->n++;
    return 0;
}

static int count_key(const MDB_val *k, const MDB_val *v, void *arg)
{
    (void)k, (void)v;
    ++*(uint64_t *)arg;
    return 0;
}

static int stop_at_first(const struct agenda_change *ch, void *arg)
{
    struct seen *s = arg;
    s->ch[0] = *ch;
    return STORE_STOP;
}

static int list_item(const struct agenda_item *it, void *arg)
{
    struct agenda_item *out = arg;
    *out = *it;
    return 0;
}

static void test_index_counters_and_journal(void **state)
{
    struct test_node *f = *state;
    MDB_txn *txn;
    uint64_t counts[AGENDA_N], last, first;
    int64_t old_due[AGENDA_N] = {0}, new_due[AGENDA_N] = {0};
    struct seen seen = {0};
    struct agenda_item it = {0};

    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    new_due[AGENDA_ROUTE] = T0;
    new_due[AGENDA_DUE] = T0 + DAY;
    assert_int_equal(agenda_case_update(f->st, txn, "c-1", 0, old_due,
                                      1u << AGENDA_ROUTE | 1u << AGENDA_DUE, new_due), 0);
    /* Routed: the route item goes; the limit moves. */
    old_due[AGENDA_ROUTE] = T0;
    old_due[AGENDA_DUE] = T0 + DAY;
    new_due[AGENDA_DUE] = T0 + 3 * DAY;
    assert_int_equal(agenda_case_update(f->st, txn, "c-1", 1u << AGENDA_ROUTE | 1u << AGENDA_DUE,
                                      old_due, 1u << AGENDA_DUE, new_due), 0);
    assert_int_equal(agenda_set(f->st, txn, AGENDA_ABOUT_DIRECTIVE, AGENDA_DIRECTIVE, "c1/7", T0, 1), 0);
    assert_int_equal(agenda_set(f->st, txn, AGENDA_ABOUT_DIRECTIVE, AGENDA_DIRECTIVE, "c1/7", T0, 1), 0);
    char long_subject[AGENDA_SUBJECT_MAX + 2];
    memset(long_subject, 'x', sizeof long_subject - 1);
    long_subject[sizeof long_subject - 1] = 0;
    assert_int_equal(agenda_set(f->st, txn, AGENDA_ABOUT_REPORT, AGENDA_REPORT, long_subject, T0, 1),
                     JF_EINVAL);
    assert_int_equal(store_txn_commit(txn), 0);

    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(agenda_count(f->st, txn, counts), 0);
    assert_int_equal(counts[AGENDA_ROUTE], 0);
    assert_int_equal(counts[AGENDA_DUE], 1);
    assert_int_equal(counts[AGENDA_DIRECTIVE], 1);
    assert_int_equal(counts[AGENDA_REPORT], 0);
    assert_int_equal(agenda_each(f->st, txn, AGENDA_DUE, 0, list_item, &it), 0);
    assert_string_equal(it.subject, "c-1");
    assert_int_equal(it.due_ms, T0 + 3 * DAY);
    /* Only what is due before max_due. */
    it.subject[0] = 0;
    assert_int_equal(agenda_each(f->st, txn, AGENDA_DUE, T0 + 2 * DAY, list_item, &it), 0);
    assert_string_equal(it.subject, "");
    /* Three changes (the second set of the same directive changed nothing). */
    assert_int_equal(agenda_changes(f->st, txn, 0, collect, &seen, &last, &first), 0);
    assert_int_equal(seen.n, 3);
    assert_int_equal(last, 3);
    assert_int_equal(first, 1);
    assert_int_equal(seen.ch[0].added, 1u << AGENDA_ROUTE | 1u << AGENDA_DUE);
    assert_int_equal(seen.ch[1].added, 0);
    assert_int_equal(seen.ch[1].removed, 1u << AGENDA_ROUTE);
    assert_string_equal(seen.ch[2].subject, "c1/7");
    assert_int_equal(seen.ch[2].about, AGENDA_ABOUT_DIRECTIVE);
    seen.n = 0;
    assert_int_equal(agenda_changes(f->st, txn, 2, collect, &seen, &last, &first), 0);
    assert_int_equal(seen.n, 1);
    assert_int_equal(seen.ch[0].seq, 3);
    store_txn_abort(txn);

    /* The journal keeps the last AGENDA_JOURNAL changes. */
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    for (int i = 0; i < AGENDA_JOURNAL; i++)
        assert_int_equal(agenda_case_update(f->st, txn, "c-2", 0, old_due, 0, new_due), 0);
    seen.n = 0;
    assert_int_equal(agenda_changes(f->st, txn, 0, collect, &seen, &last, &first), 0);
    assert_int_equal(last, 3 + AGENDA_JOURNAL);
    assert_int_equal(first, 4);
    assert_int_equal(seen.n, AGENDA_JOURNAL);
    assert_int_equal(seen.ch[0].seq, 4);
    /* Twice round the ring again: the last AGENDA_JOURNAL in order, in as many slots. */
    for (int i = 0; i < 2 * AGENDA_JOURNAL; i++)
        assert_int_equal(agenda_case_update(f->st, txn, "c-2", 0, old_due, 0, new_due), 0);
    seen.n = 0;
    assert_int_equal(agenda_changes(f->st, txn, 0, collect, &seen, &last, &first), 0);
    assert_int_equal(last, 3 + 3 * AGENDA_JOURNAL);
    assert_int_equal(seen.n, AGENDA_JOURNAL);
    assert_int_equal(seen.ch[0].seq, first);
    assert_int_equal(seen.ch[7].seq, first + 7);
    seen.n = 0;
    assert_int_equal(agenda_changes(f->st, txn, last - 2, collect, &seen, &last, &first), 0);
    assert_int_equal(seen.n, 2);
    assert_int_equal(seen.ch[1].seq, last);
    struct store_range ring = {.prefix = "r", .prefix_len = 1};
    uint64_t held = 0;
    assert_int_equal(store_walk(txn, f->st->agenda, &ring, count_key, &held), 0);
    assert_int_equal(held, AGENDA_JOURNAL);
    /* A reader that stops: nothing after. */
    assert_int_equal(agenda_changes(f->st, txn, 0, stop_at_first, &seen, &last, &first), 0);
    assert_int_equal(seen.ch[0].seq, first);
    store_txn_abort(txn);
}

static void test_kind_codes(void **state)
{
    (void)state;
    for (int k = 0; k < AGENDA_N; k++)
        assert_int_equal(agenda_kind_parse(agenda_kind_code(k)), k);
    assert_int_equal(agenda_kind_parse("nonsense"), -1);
    assert_null(agenda_kind_code(AGENDA_N));
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        TEST_NODE(test_items_of_a_case),
        TEST_NODE(test_index_counters_and_journal),
        cmocka_unit_test(test_kind_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
