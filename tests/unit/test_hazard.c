/* The 苗头隐患 register (case/hazard.h) as a caller sees it, at the village v1 of the test
 * tree: the check-in policy by colour; a registration folds into a watched hazard whose
 * to-do item is due at its first check-in; a check-in moves it (the colour's new interval),
 * and the item counts as overdue only once that time has passed; closing ends it and a
 * step after that does not apply; an id not of the origin, or registered twice, does not
 * apply; converting links the case both ways and the figures count it; the hazard_cluster
 * warning fires once at [warning] category_cases hazards of one category in one village. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/agenda.h"
#include "case/hazard.h"
#include "case/warning.h"
#include "node.h"
#define TESTUTIL_CASES
#include "testutil.h"

#define DAY CLOCK_DAY_MS

/* One step appended here as an operation: a registration (id "" takes the next number) or
 * a check-in, conversion or closing of `id`. */
struct step {
    struct case_node *f;
    int kind;                       /* JIEFEN__EVENT__BODY_HAZARD_* */
    char id[HAZARD_ID_MAX + 1];
    const char *village, *category, *case_id;
    int risk;
    int warn;                       /* check the warning rule after a registration */
};

static int step_apply(eventlog_tx *tx, void *arg)
{
    struct step *s = arg;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    Jiefen__HazardRegistered r = JIEFEN__HAZARD_REGISTERED__INIT;
    Jiefen__HazardCheckin c = JIEFEN__HAZARD_CHECKIN__INIT;
    Jiefen__HazardConverted v = JIEFEN__HAZARD_CONVERTED__INIT;
    Jiefen__HazardClosed d = JIEFEN__HAZARD_CLOSED__INIT;
    uint64_t n;
    int rc = 0;
    ev.actor = "grid";
    ev.body_case = s->kind;
    if (s->kind == JIEFEN__EVENT__BODY_HAZARD_REGISTERED) {
        if (!s->id[0] && ((rc = hazard_next_number(tx->st, tx->txn, &n)) ||
                          (rc = hazard_id_make(s->f->cfg.node_id, n, s->id))))
            return rc;
        r.hazard_id = s->id;
        r.village = (char *)s->village;
        r.title = "宅基地边界矛盾苗头";
        r.category = (char *)s->category;
        r.risk = s->risk;
        r.watcher = "网格员赵六";
        r.next_due_ms = hazard_next_due(s->risk, tx->now_ms);
        ev.hazard_registered = &r;
    } else if (s->kind == JIEFEN__EVENT__BODY_HAZARD_CHECKIN) {
        c.hazard_id = s->id;
        c.date = "2026-01-05";
        c.risk = s->risk;
        c.next_due_ms = hazard_next_due(s->risk, tx->now_ms);
        ev.hazard_checkin = &c;
    } else if (s->kind == JIEFEN__EVENT__BODY_HAZARD_CONVERTED) {
        v.hazard_id = s->id;
        v.case_id = (char *)s->case_id;
        ev.hazard_converted = &v;
    } else {
        d.hazard_id = s->id;
        d.result = "已化解";
        ev.hazard_closed = &d;
    }
    rc = eventlog_append(tx, &ev, NULL, 0);
    if (rc == 0 && s->warn)
        rc = warning_check_hazard(tx, &s->f->cfg, s->id);
    return rc;
}

static int run(struct step *s)
{
    int rc = cn_run(s->f, step_apply, s);
    printf("  step %d on %s: %d\n", s->kind, s->id, rc);
    return rc;
}

static void registered(struct case_node *f, const char *village, const char *category,
                       int risk, char *id)
{
    struct step s = {f, JIEFEN__EVENT__BODY_HAZARD_REGISTERED, "", village, category, NULL,
                     risk, 1};
    assert_int_equal(run(&s), 0);
    snprintf(id, HAZARD_ID_MAX + 1, "%s", s.id);
}

static int step(struct case_node *f, int kind, const char *id, int risk, const char *case_id)
{
    struct step s = {f, kind, "", NULL, NULL, case_id, risk, 0};
    snprintf(s.id, sizeof s.id, "%s", id);
    return run(&s);
}

static Jiefen__HazardView *get(struct case_node *f, const char *id)
{
    MDB_txn *txn;
    Jiefen__HazardView *v = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(hazard_get(f->st, txn, id, &v), 0);
    store_txn_abort(txn);
    if (v)
        printf("  %s: %s, risk %d, %u check-ins, next due %lld, case \"%s\"\n", id, v->state,
               v->risk, v->checkins, (long long)v->next_due_ms, v->case_id);
    return v;
}

struct items {
    unsigned n;
    int64_t due;
};

static int item_one(const struct agenda_item *it, void *arg)
{
    struct items *i = arg;
    i->n++;
    i->due = it->due_ms;
    return 0;
}

/* The hazard items of this node's agenda due before max_due (0: all). */
static struct items items(struct case_node *f, int64_t max_due)
{
    struct items i = {0, 0};
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(agenda_each(f->st, txn, AGENDA_HAZARD, max_due, item_one, &i), 0);
    store_txn_abort(txn);
    printf("  hazard items due before %lld: %u\n", (long long)max_due, i.n);
    return i;
}

static void test_checkin_policy(void **state)
{
    (void)state;
    assert_int_equal(hazard_checkin_days(JIEFEN__RISK__RISK_RED), 7);
    assert_int_equal(hazard_checkin_days(JIEFEN__RISK__RISK_ORANGE), 14);
    assert_int_equal(hazard_checkin_days(JIEFEN__RISK__RISK_YELLOW), 30);
    assert_int_equal(hazard_checkin_days(JIEFEN__RISK__RISK_BLUE), 90);
    assert_int_equal(hazard_checkin_days(0), 90);
    assert_int_equal(hazard_next_due(JIEFEN__RISK__RISK_RED, 1000), 1000 + 7 * DAY);
    char id[HAZARD_ID_MAX + 1];
    assert_int_equal(hazard_id_make("v1", 12, id), 0);
    assert_string_equal(id, "YH-v1-12");
    assert_int_equal(hazard_id_make("v123456789012345678901234567890123456789012345678901234567890123456789",
                                    1, id), JF_EINVAL);
}

static void test_checkin_moves_due_and_overdue(void **state)
{
    struct case_node *f = *state;
    char id[HAZARD_ID_MAX + 1];
    int64_t t0 = clock_now_ms();
    registered(f, "东村", "land_ownership", JIEFEN__RISK__RISK_RED, id);
    assert_string_equal(id, "YH-v1-1");
    Jiefen__HazardView *v = get(f, id);
    assert_string_equal(v->state, "watching");
    assert_string_equal(v->hazard->village, "东村");
    assert_true(v->next_due_ms >= t0 + 7 * DAY && v->next_due_ms < t0 + 7 * DAY + 60000);
    int64_t due = v->next_due_ms;
    hazard_free(&v);
    /* Its to-do item is due at the check-in: not overdue now, overdue after it. */
    assert_int_equal(items(f, 0).due, due);
    assert_int_equal(items(f, clock_now_ms()).n, 0);
    assert_int_equal(items(f, due + 1).n, 1);

    /* Eight days on: a check-in turns it yellow, the next one 30 days from then. */
    clock_set_offset(8 * DAY);
    assert_int_equal(step(f, JIEFEN__EVENT__BODY_HAZARD_CHECKIN, id, JIEFEN__RISK__RISK_YELLOW,
                          NULL), 0);
    v = get(f, id);
    assert_int_equal(v->checkins, 1);
    assert_int_equal(v->risk, JIEFEN__RISK__RISK_YELLOW);
    assert_string_equal(v->checkin_dates[0], "2026-01-05");
    assert_true(v->next_due_ms >= clock_now_ms() + 29 * DAY);
    struct items now = items(f, 0);
    assert_int_equal(now.n, 1);                 /* moved, not added */
    assert_int_equal(now.due, v->next_due_ms);
    assert_int_equal(items(f, clock_now_ms()).n, 0);
    hazard_free(&v);

    /* Closed: no item, and no step applies any more. */
    assert_int_equal(step(f, JIEFEN__EVENT__BODY_HAZARD_CLOSED, id, 0, NULL), 0);
    v = get(f, id);
    assert_string_equal(v->state, "closed");
    assert_int_equal(v->next_due_ms, 0);
    hazard_free(&v);
    assert_int_equal(items(f, 0).n, 0);
    assert_int_equal(step(f, JIEFEN__EVENT__BODY_HAZARD_CHECKIN, id, 0, NULL), JF_EINVAL);
    assert_int_equal(step(f, JIEFEN__EVENT__BODY_HAZARD_CLOSED, id, 0, NULL), JF_EINVAL);
    clock_set_offset(0);
}

static void test_foreign_or_double_registration(void **state)
{
    struct case_node *f = *state;
    struct step s = {f, JIEFEN__EVENT__BODY_HAZARD_REGISTERED, "YH-t1-1", "东村",
                     "land_ownership", NULL, JIEFEN__RISK__RISK_BLUE, 0};
    assert_int_equal(run(&s), JF_EINVAL);      /* an id of another node */
    snprintf(s.id, sizeof s.id, "YH-v1-9");
    assert_int_equal(run(&s), 0);
    assert_int_equal(run(&s), JF_EINVAL);      /* the same id again */
    s.village = "";
    snprintf(s.id, sizeof s.id, "YH-v1-10");
    assert_int_equal(run(&s), JF_EINVAL);      /* no village */
    assert_null(get(f, "YH-t1-1"));
    assert_null(get(f, "YH-v1-10"));
    assert_int_equal(step(f, JIEFEN__EVENT__BODY_HAZARD_CHECKIN, "YH-v1-404", 0, NULL),
                     JF_EINVAL);
}

static void test_convert_links_and_figures(void **state)
{
    struct case_node *f = *state;
    char id[HAZARD_ID_MAX + 1], other[HAZARD_ID_MAX + 1], case_id[64], idn[19], found[80];
    int64_t t0 = clock_now_ms();
    registered(f, "东村", "land_ownership", JIEFEN__RISK__RISK_ORANGE, id);
    registered(f, "东村", "labour_wages", JIEFEN__RISK__RISK_BLUE, other);
    assert_int_equal(cn_open_case(f, "东村", "land_ownership", cn_id_number(1, idn), NULL,
                                  case_id), 0);
    assert_int_equal(step(f, JIEFEN__EVENT__BODY_HAZARD_CONVERTED, id, 0, case_id), 0);
    Jiefen__HazardView *v = get(f, id);
    assert_string_equal(v->state, "converted");
    assert_string_equal(v->case_id, case_id);
    hazard_free(&v);
    MDB_txn *txn;
    struct hazard_figures h;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(hazard_of_case(f->st, txn, case_id, found), 0);
    assert_string_equal(found, id);
    assert_int_equal(hazard_of_case(f->st, txn, "v1-none", found), 0);
    assert_string_equal(found, "");
    assert_int_equal(hazard_figures(f->st, txn, "v1", t0 - DAY, t0 + DAY, t0 + DAY, &h), 0);
    printf("  figures: registered %llu, converted %llu, resolved %llu, watching %llu, "
           "overdue %llu\n", (unsigned long long)h.registered, (unsigned long long)h.converted,
           (unsigned long long)h.resolved, (unsigned long long)h.watching,
           (unsigned long long)h.overdue);
    assert_int_equal(h.registered, 2);
    assert_int_equal(h.converted, 1);
    assert_int_equal(h.resolved, 0);
    assert_int_equal(h.watching, 1);
    assert_int_equal(h.overdue, 0);
    /* 100 days on, the blue one's quarterly check-in is overdue; a period before has none. */
    assert_int_equal(hazard_figures(f->st, txn, "v1", t0 - DAY, t0 + 100 * DAY, t0 + 100 * DAY,
                                    &h), 0);
    assert_int_equal(h.overdue, 1);
    assert_int_equal(hazard_figures(f->st, txn, "v1", t0 - 9 * DAY, t0 - DAY, t0 - DAY, &h), 0);
    assert_int_equal(h.registered + h.watching, 0);
    store_txn_abort(txn);
    /* A converted hazard is not converted again. */
    assert_int_equal(step(f, JIEFEN__EVENT__BODY_HAZARD_CONVERTED, id, 0, case_id), JF_EINVAL);
}

struct seen {
    unsigned n;
    uint32_t count;
};

static int seen_one(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct seen *w = arg;
    (void)k;
    Jiefen__WarningView *v = jiefen__warning_view__unpack(NULL, d->mv_size, d->mv_data);
    assert_non_null(v);
    if (strcmp(v->warning->rule, "hazard_cluster") == 0) {
        w->n++;
        w->count = v->warning->count;
        assert_string_equal(v->warning->village, "东村");
        assert_string_equal(v->warning->category, "land_ownership");
        assert_non_null(strstr(v->warning->detail, "土地权属"));
    }
    jiefen__warning_view__free_unpacked(v, NULL);
    return 0;
}

/* The hazard_cluster warnings listed here, and the count of the last. */
static unsigned hazard_warnings(struct case_node *f, uint32_t *count)
{
    struct store_range all = {.prefix = "", .prefix_len = 0};
    struct seen w = {0, 0};
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_walk(txn, f->st->warnings, &all, seen_one, &w), 0);
    store_txn_abort(txn);
    printf("  hazard_cluster warnings: %u (count %u)\n", w.n, w.count);
    *count = w.count;
    return w.n;
}

static void test_cluster_warning_counted(void **state)
{
    struct case_node *f = *state;
    char id[HAZARD_ID_MAX + 1];
    uint32_t count;
    f->cfg.warn_category_cases = 3;
    f->cfg.warn_category_days = 7;
    registered(f, "东村", "land_ownership", JIEFEN__RISK__RISK_BLUE, id);
    registered(f, "东村", "land_ownership", JIEFEN__RISK__RISK_BLUE, id);
    registered(f, "西村", "land_ownership", JIEFEN__RISK__RISK_BLUE, id);
    registered(f, "东村", "labour_wages", JIEFEN__RISK__RISK_BLUE, id);
    assert_int_equal(hazard_warnings(f, &count), 0);
    registered(f, "东村", "land_ownership", JIEFEN__RISK__RISK_BLUE, id);
    assert_int_equal(hazard_warnings(f, &count), 1);
    assert_int_equal(count, 3);
    registered(f, "东村", "land_ownership", JIEFEN__RISK__RISK_BLUE, id);
    assert_int_equal(hazard_warnings(f, &count), 1);   /* once per window */
    /* A window later the old ones no longer count: two new are not enough. */
    clock_set_offset(8 * DAY);
    registered(f, "东村", "land_ownership", JIEFEN__RISK__RISK_BLUE, id);
    registered(f, "东村", "land_ownership", JIEFEN__RISK__RISK_BLUE, id);
    assert_int_equal(hazard_warnings(f, &count), 1);
    clock_set_offset(0);
}

int main(void)
{
    if (cn_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_checkin_policy),
        CN_TEST(test_checkin_moves_due_and_overdue, v1),
        CN_TEST(test_foreign_or_double_registration, v1),
        CN_TEST(test_convert_links_and_figures, v1),
        CN_TEST(test_cluster_warning_counted, v1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
