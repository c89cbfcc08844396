/* Early warnings (预测预警) as a caller sees them: each rule appends a signed `warning`
 * event, folded into the warnings database, once for its condition: category_cluster at
 * [warning] category_cases cases of one category in one village within category_days,
 * repeat_escalation, red_risk once per case; repeat_party for openings received from the
 * children, checked from the party queue in batches, when one party (one ID number, one
 * pseudonym) is in party_cases open cases, and never when the rule is off. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/party.h"
#include "case/warning.h"
#include "node.h"
#define TESTUTIL_CASES
#include "testutil.h"

#define DAY CLOCK_DAY_MS

/* ---- the warnings database ---- */

struct seen {
    const char *rule, *case_id; /* what is counted (case_id NULL: any) */
    const char *origin;
    unsigned n;
    uint32_t count, days; /* of the last one counted */
    char village[64], category[64], detail[512], last_case[64];
};

static int seen_one(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct seen *s = arg;
    (void)k;
    Jiefen__WarningView *w = jiefen__warning_view__unpack(NULL, d->mv_size, d->mv_data);
    assert_non_null(w);
    assert_non_null(w->warning);
    if (strcmp(w->warning->rule, s->rule) == 0 && (!s->case_id || !strcmp(w->case_id, s->case_id))) {
        assert_string_equal(w->origin, s->origin); /* raised by this node */
        s->n++;
        s->count = w->warning->count;
        s->days = w->warning->days;
        snprintf(s->village, sizeof s->village, "%s", w->warning->village);
        snprintf(s->category, sizeof s->category, "%s", w->warning->category);
        snprintf(s->detail, sizeof s->detail, "%s", w->warning->detail);
        snprintf(s->last_case, sizeof s->last_case, "%s", w->case_id);
    }
    jiefen__warning_view__free_unpacked(w, NULL);
    return 0;
}

/* The warnings of `rule` (about case_id, when not NULL) listed at this node. */
static struct seen warnings(struct case_node *f, const char *rule, const char *case_id)
{
    struct seen s = {.rule = rule, .case_id = case_id, .origin = f->cfg.node_id};
    /* Every key; an empty prefix, not NULL: store_walk at e5f0d9f passes a NULL prefix to
     * memcmp, which UBSan stops (fixed on wt-store, eee3afd). */
    struct store_range all = {.prefix = "", .prefix_len = 0};
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_walk(txn, f->st->warnings, &all, seen_one, &s), 0);
    store_txn_abort(txn);
    printf("  %s%s%s: %u warnings", rule, case_id ? " of " : "", case_id ? case_id : "", s.n);
    if (s.n)
        printf(", last: count %u, %u days, %s %s, \"%s\"", s.count, s.days, s.village,
               s.category, s.detail);
    printf("\n");
    return s;
}

/* Every warning event in the case's file is a signed event of this node by "system". */
static unsigned warning_events(struct case_node *f, const char *case_id)
{
    MDB_txn *txn;
    uint64_t head = cn_head(f);
    unsigned n = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    for (uint64_t seq = 1; seq <= head; seq++) {
        MDB_val d;
        envelope *e = NULL;
        assert_int_equal(store_event_get(f->st, txn, f->cfg.node_id, seq, &d), 0);
        assert_int_equal(envelope_decode(d.mv_data, d.mv_size, &e), 0);
        if (e->event->body_case == JIEFEN__EVENT__BODY_WARNING &&
            strcmp(e->event->case_id, case_id) == 0) {
            assert_string_equal(e->event->actor, "system");
            assert_int_equal(envelope_verify(e, crypto_identity_pk(f->id)), 0);
            n++;
        }
        envelope_free(&e);
    }
    store_txn_abort(txn);
    return n;
}

static void open_at(struct case_node *f, const char *village, const char *category,
                    unsigned person, const char *risk, char *id)
{
    char idn[19];
    assert_int_equal(cn_open_case(f, village, category, cn_id_number(person, idn), risk, id), 0);
}

/* warning_check of a case in its own operation, as the API runs it after an action. */
struct check {
    struct case_node *f;
    const char *case_id;
    int risk; /* 0: only the check; else first a risk_changed to this colour */
};

static int check_apply(eventlog_tx *tx, void *arg)
{
    struct check *c = arg;
    int rc = 0;
    if (c->risk) {
        Jiefen__CaseView *v = NULL;
        Jiefen__RiskChanged r = JIEFEN__RISK_CHANGED__INIT;
        r.risk = c->risk;
        r.reason = "当事人情绪激动，扬言上访";
        Jiefen__Event ev = JIEFEN__EVENT__INIT;
        ev.body_case = JIEFEN__EVENT__BODY_RISK_CHANGED;
        ev.risk_changed = &r;
        if ((rc = caseindex_get(tx->st, tx->txn, c->case_id, &v)) == 0)
            rc = lifecycle_append(tx, v, &ev, "director");
        case_view_free(&v);
    }
    return rc ? rc : warning_check(tx, &c->f->cfg, c->case_id);
}

static void check(struct case_node *f, const char *id, int risk)
{
    struct check c = {f, id, risk};
    assert_int_equal(cn_run(f, check_apply, &c), 0);
}

/* ---- category_cluster ---- */

static void test_category_cluster_once_per_window(void **state)
{
    struct case_node *f = *state;
    char id[64], third[64];
    f->cfg.warn_category_cases = 3;
    f->cfg.warn_category_days = 7;
    open_at(f, "东村", "land_contract", 1, NULL, id);
    open_at(f, "东村", "land_contract", 2, NULL, id);
    /* Another village, another category: not the same cluster. */
    open_at(f, "西村", "land_contract", 3, NULL, id);
    open_at(f, "东村", "labour_wages", 4, NULL, id);
    assert_int_equal(warnings(f, "category_cluster", NULL).n, 0);

    open_at(f, "东村", "land_contract", 5, NULL, third);
    struct seen s = warnings(f, "category_cluster", NULL);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.count, 3);
    assert_int_equal(s.days, 7);
    assert_string_equal(s.village, "东村");
    assert_string_equal(s.category, "land_contract");
    assert_string_equal(s.last_case, third);
    assert_non_null(strstr(s.detail, "土地承包经营"));
    assert_int_equal(warning_events(f, third), 1);

    /* The same condition again: nothing new, for the new case or the old one. */
    open_at(f, "东村", "land_contract", 6, NULL, id);
    check(f, third, 0);
    assert_int_equal(warnings(f, "category_cluster", NULL).n, 1);

    /* A window later the count starts again: two are not enough, three warn anew. */
    clock_set_offset(8 * DAY);
    open_at(f, "东村", "land_contract", 7, NULL, id);
    open_at(f, "东村", "land_contract", 8, NULL, id);
    assert_int_equal(warnings(f, "category_cluster", NULL).n, 1);
    open_at(f, "东村", "land_contract", 9, NULL, id);
    s = warnings(f, "category_cluster", NULL);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.count, 3);
    assert_string_equal(s.last_case, id);
}

/* Off (category_cases 0, the default): never. */
static void test_category_cluster_off(void **state)
{
    struct case_node *f = *state;
    char id[64];
    assert_int_equal(f->cfg.warn_category_cases, 0);
    for (unsigned i = 0; i < 5; i++)
        open_at(f, "东村", "land_contract", i, NULL, id);
    assert_int_equal(warnings(f, "category_cluster", NULL).n, 0);
}

/* ---- red_risk ---- */

static void test_red_risk_once_per_case(void **state)
{
    struct case_node *f = *state;
    char red[64], later[64];
    assert_true(f->cfg.warn_red);
    open_at(f, "东村", "land_contract", 1, "red", red);
    struct seen s = warnings(f, "red_risk", red);
    assert_int_equal(s.n, 1);
    assert_non_null(strstr(s.detail, red));
    check(f, red, 0);
    check(f, red, JIEFEN__RISK__RISK_ORANGE);
    check(f, red, JIEFEN__RISK__RISK_RED); /* red again: still one */
    assert_int_equal(warnings(f, "red_risk", red).n, 1);
    assert_int_equal(warning_events(f, red), 1);

    /* Taken in yellow, set red later: one for that case. */
    open_at(f, "东村", "land_contract", 2, "yellow", later);
    assert_int_equal(warnings(f, "red_risk", later).n, 0);
    check(f, later, JIEFEN__RISK__RISK_RED);
    assert_int_equal(warnings(f, "red_risk", later).n, 1);
    check(f, later, JIEFEN__RISK__RISK_RED);
    assert_int_equal(warnings(f, "red_risk", NULL).n, 2);

    /* The rule off: a red case raises nothing. */
    f->cfg.warn_red = 0;
    open_at(f, "东村", "land_contract", 3, "red", later);
    assert_int_equal(warnings(f, "red_risk", NULL).n, 2);
}

/* ---- events received from the children ---- */

/* Takes in, as received from `child`, the opening of case_id (one party whose pseudonym is
 * tag, or none when tag is NULL). */
static void receive_opening(struct case_node *f, struct cn_chain *child, const char *case_id,
                            const uint8_t *tag)
{
    ProtobufCBinaryData tags[1] = {{PARTY_TAG_LEN, (uint8_t *)tag}};
    char *roles[1] = {"applicant"};
    Jiefen__CaseOpened o = JIEFEN__CASE_OPENED__INIT;
    o.case_id = (char *)case_id;
    o.category = "land_contract";
    o.department = "农业农村局";
    o.matter_type = "dispute_mediation";
    o.village = (char *)cn_tree[child->node].name;
    o.source = "walk_in";
    o.summary = "承包地边界争执";
    o.complexity = JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE;
    o.risk = JIEFEN__RISK__RISK_BLUE;
    o.due_ms = clock_now_ms() + 3 * DAY;
    o.party_count = 1;
    o.party_roles = roles;
    o.n_party_roles = 1;
    o.party_tags = tags;
    o.n_party_tags = tag ? 1 : 0;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.case_id = (char *)case_id;
    ev.case_epoch = 1;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    ev.case_opened = &o;
    cn_receive(f, child, &ev);
}

/* ---- repeat_escalation ---- */

struct escalate {
    struct case_node *f;
    const char *case_id;
};

/* POST .../escalate as the API runs it: the move, then the rules. */
static int escalate_apply(eventlog_tx *tx, void *arg)
{
    struct escalate *e = arg;
    char err[LIFECYCLE_ERR_MAX];
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(tx->st, tx->txn, e->case_id, &v);
    if (rc == 0)
        rc = lifecycle_escalate(tx, &e->f->lc, v, "涉及多个乡镇", 0, "director", err);
    case_view_free(&v);
    return rc ? rc : warning_check(tx, &e->f->cfg, e->case_id);
}

/* A case escalated by v1 to the township, then by the township to the county: its second
 * escalation within escalation_days warns, once. */
static void test_repeat_escalation(void **state)
{
    struct case_node *f = *state; /* t1 */
    struct cn_chain v1 = {CN_V1, 0, {0}};
    const char *id = "v1-2026-000042";
    receive_opening(f, &v1, id, NULL);
    Jiefen__CaseMoved m = JIEFEN__CASE_MOVED__INIT;
    m.kind = "escalate";
    m.from = "v1";
    m.to = "t1";
    m.reason = "3221：本级调解 3 次未成功";
    m.due_ms = clock_now_ms() + 3 * DAY;
    m.automatic = 1;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.case_id = (char *)id;
    ev.case_epoch = 2;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_MOVED;
    ev.case_moved = &m;
    cn_receive(f, &v1, &ev);
    Jiefen__CaseView *v = cn_view(f, id);
    printf("  %s held by %s after %u escalation\n", id, v->holder, v->escalations);
    assert_string_equal(v->holder, "t1");
    case_view_free(&v);
    check(f, id, 0);
    assert_int_equal(warnings(f, "repeat_escalation", id).n, 0); /* one is not a repeat */

    struct escalate e = {f, id};
    assert_int_equal(cn_run(f, escalate_apply, &e), 0);
    struct seen s = warnings(f, "repeat_escalation", id);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.count, 2);
    assert_int_equal(s.days, 7);
    assert_non_null(strstr(s.detail, id));
    check(f, id, 0);
    assert_int_equal(warnings(f, "repeat_escalation", NULL).n, 1);
    assert_int_equal(warning_events(f, id), 1);
}

/* ---- repeat_party, from the party queue ---- */

/* Openings waiting in the party queue. */
static int queued_one(const MDB_val *k, const MDB_val *d, void *arg)
{
    (void)k;
    (void)d;
    (*(unsigned *)arg)++;
    return 0;
}

static unsigned queued(struct case_node *f)
{
    MDB_txn *txn;
    unsigned n = 0;
    struct store_range r = {.prefix = "party_check:", .prefix_len = 12};
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_walk(txn, f->st->meta, &r, queued_one, &n), 0);
    store_txn_abort(txn);
    return n;
}

/* Checks the queue as the node does after receiving, committing each batch. Returns the
 * number of batches it took. */
static unsigned drain(struct case_node *f, warning_queue *q)
{
    unsigned batches = 0;
    warning_check_received(q);
    while (eventlog_pending(f->log)) {
        assert_int_equal(eventlog_flush(f->log), 1);
        batches++;
        printf("  batch %u: %u openings left in the queue\n", batches, queued(f));
    }
    return batches;
}

/* The township with its party key (the tree's), [warning] party_cases = k, the tag of
 * person 7 into tag, and its party queue (free with warning_queue_free()). */
static warning_queue *party_node(struct case_node *f, int k, uint8_t key[PARTY_KEY_LEN],
                                 uint8_t tag[PARTY_TAG_LEN])
{
    char idn[19];
    MDB_txn *txn;
    f->cfg.warn_party_cases = k;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(party_key_create(f->st, txn, f->id), 0);
    assert_int_equal(party_key_get(f->st, txn, f->id, key), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    party_tag(key, cn_id_number(7, idn), tag);
    warning_queue *q = warning_queue_new(f->log, f->st, &f->cfg, f->id);
    assert_non_null(q);
    return q;
}

/* The queue drains to nothing and no repeat_party warning comes of it; q is freed. */
static void assert_drained_quietly(struct case_node *f, warning_queue **q)
{
    assert_int_equal(drain(f, *q), 1);
    assert_int_equal(queued(f), 0);
    assert_int_equal(warnings(f, "repeat_party", NULL).n, 0);
    warning_queue_free(q);
}

static void test_repeat_party_from_queue(void **state)
{
    struct case_node *f = *state; /* t1 */
    struct cn_chain v1 = {CN_V1, 0, {0}}, v2 = {CN_V2, 0, {0}};
    uint8_t key[PARTY_KEY_LEN], tag[PARTY_TAG_LEN], again[PARTY_TAG_LEN], other[PARTY_TAG_LEN];
    char idn[19], mine[64];
    warning_queue *q = party_node(f, 3, key, tag);
    /* One ID number, one pseudonym; another number, another. */
    party_tag(key, cn_id_number(7, idn), again);
    assert_memory_equal(tag, again, PARTY_TAG_LEN);
    party_tag(key, cn_id_number(8, idn), other);
    assert_memory_not_equal(tag, other, PARTY_TAG_LEN);

    /* Two cases of the party in v1, one of another party in v2: no warning yet. */
    receive_opening(f, &v1, "v1-2026-000001", tag);
    receive_opening(f, &v1, "v1-2026-000002", tag);
    receive_opening(f, &v2, "v2-2026-000001", other);
    assert_int_equal(queued(f), 3);
    assert_int_equal(drain(f, q), 1);
    assert_int_equal(queued(f), 0);
    assert_int_equal(warnings(f, "repeat_party", NULL).n, 0);

    /* The third, through another child: the township is the lowest node seeing all. */
    receive_opening(f, &v2, "v2-2026-000002", tag);
    drain(f, q);
    struct seen s = warnings(f, "repeat_party", NULL);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.count, 3);
    assert_string_equal(s.last_case, "v2-2026-000002");
    assert_non_null(strstr(s.detail, "v1-2026-000001"));
    assert_non_null(strstr(s.detail, "v1-2026-000002"));
    assert_non_null(strstr(s.detail, "v2-2026-000002"));
    assert_null(strstr(s.detail, "v2-2026-000001"));
    assert_null(strstr(s.detail, cn_id_number(7, idn))); /* never the number itself */

    /* Checked again with nothing queued: nothing new. */
    assert_int_equal(drain(f, q), 1);
    assert_int_equal(warnings(f, "repeat_party", NULL).n, 1);

    /* Taken in here a second later, the same number gets the same pseudonym, and makes
     * four. (Openings of one millisecond count in case id order, so not at once.) */
    cn_set_now(clock_now_ms() + 1000);
    open_at(f, "镇区", "land_contract", 7, NULL, mine);
    Jiefen__CaseView *v = cn_view(f, mine);
    assert_int_equal(v->n_party_tags, 1);
    assert_memory_equal(v->party_tags[0].data, tag, PARTY_TAG_LEN);
    case_view_free(&v);
    s = warnings(f, "repeat_party", NULL);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.count, 4);
    assert_string_equal(s.last_case, mine);
    warning_queue_free(&q);
    assert_null(q);
}

/* Three cases of one party, all from v1: v1 sees them all and warns, not the township. */
static void test_repeat_party_left_to_the_child(void **state)
{
    struct case_node *f = *state;
    struct cn_chain v1 = {CN_V1, 0, {0}};
    uint8_t key[PARTY_KEY_LEN], tag[PARTY_TAG_LEN];
    warning_queue *q = party_node(f, 3, key, tag);
    receive_opening(f, &v1, "v1-2026-000001", tag);
    receive_opening(f, &v1, "v1-2026-000002", tag);
    receive_opening(f, &v1, "v1-2026-000003", tag);
    assert_drained_quietly(f, &q);
}

/* The rule off: the queue is emptied all the same, and nothing is raised. */
static void test_repeat_party_off(void **state)
{
    struct case_node *f = *state;
    struct cn_chain v1 = {CN_V1, 0, {0}}, v2 = {CN_V2, 0, {0}};
    uint8_t key[PARTY_KEY_LEN], tag[PARTY_TAG_LEN];
    assert_int_equal(f->cfg.warn_party_cases, 0); /* the default */
    warning_queue *q = party_node(f, 0, key, tag);
    receive_opening(f, &v1, "v1-2026-000001", tag);
    receive_opening(f, &v1, "v1-2026-000002", tag);
    receive_opening(f, &v2, "v2-2026-000001", tag);
    receive_opening(f, &v2, "v2-2026-000002", tag);
    assert_int_equal(queued(f), 4);
    assert_drained_quietly(f, &q);
}

/* More openings than one batch (1000): the queue drains in two commits. */
static void test_party_queue_in_batches(void **state)
{
    struct case_node *f = *state;
    struct cn_chain v1 = {CN_V1, 0, {0}}, v2 = {CN_V2, 0, {0}};
    uint8_t key[PARTY_KEY_LEN], tag[PARTY_TAG_LEN];
    char idn[19], id[64];
    warning_queue *q = party_node(f, 2, key, tag);
    for (unsigned i = 0; i < 1005; i++) {
        party_tag(key, cn_id_number(i, idn), tag);
        tag[0] ^= (uint8_t)(i >> 8); /* 1005 people: the numbers repeat every 1000 */
        snprintf(id, sizeof id, "v%u-2026-%06u", i % 2 + 1, i + 1);
        receive_opening(f, i % 2 ? &v2 : &v1, id, tag);
    }
    /* And one party in both villages, queued last. */
    party_tag(key, "11010519491231002X", tag);
    receive_opening(f, &v1, "v1-2026-009999", tag);
    receive_opening(f, &v2, "v2-2026-009999", tag);
    assert_int_equal(queued(f), 1007);
    assert_int_equal(drain(f, q), 2);
    assert_int_equal(queued(f), 0);
    struct seen s = warnings(f, "repeat_party", NULL);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.count, 2);
    warning_queue_free(&q);
}

/* Openings come from different children in any order: the case opened last, received
 * first, is counted again when the earlier ones arrive, and the warning names it. */
static void test_repeat_party_latest_received_first(void **state)
{
    struct case_node *f = *state; /* t1 */
    struct cn_chain v1 = {CN_V1, 0, {0}}, v2 = {CN_V2, 0, {0}};
    uint8_t key[PARTY_KEY_LEN], tag[PARTY_TAG_LEN];
    warning_queue *q = party_node(f, 3, key, tag);
    int64_t t0 = clock_now_ms();
    cn_set_now(t0 + 2000);
    receive_opening(f, &v2, "v2-2026-000001", tag);
    drain(f, q);
    assert_int_equal(warnings(f, "repeat_party", NULL).n, 0);
    cn_set_now(t0);
    receive_opening(f, &v1, "v1-2026-000001", tag);
    cn_set_now(t0 + 1000);
    receive_opening(f, &v1, "v1-2026-000002", tag);
    drain(f, q);
    struct seen s = warnings(f, "repeat_party", NULL);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.count, 3);
    assert_string_equal(s.last_case, "v2-2026-000001");
    /* Checked again: the same count is not warned twice. */
    receive_opening(f, &v1, "v1-2026-000003", NULL);
    drain(f, q);
    assert_int_equal(warnings(f, "repeat_party", NULL).n, 1);
    warning_queue_free(&q);
}

int main(void)
{
    if (cn_init())
        return 1;
    const struct CMUnitTest tests[] = {
        CN_TEST(test_category_cluster_once_per_window, v1),
        CN_TEST(test_category_cluster_off, v1),
        CN_TEST(test_red_risk_once_per_case, v1),
        CN_TEST(test_repeat_escalation, t1),
        CN_TEST(test_repeat_party_from_queue, t1),
        CN_TEST(test_repeat_party_left_to_the_child, t1),
        CN_TEST(test_repeat_party_off, t1),
        CN_TEST(test_party_queue_in_batches, t1),
        CN_TEST(test_repeat_party_latest_received_first, t1),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
