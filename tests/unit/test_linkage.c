/* Linkage without ID numbers (case/linkage.h, report/ledger_link.h): tags of normalised ID
 * numbers at intake, never the numbers on disk; court filings in and refused; and the
 * linkage rates on a constructed set of cases whose right answers are known. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/intake.h"
#include "case/linkage.h"
#include "report/ledger.h"
#define TESTUTIL_CASES
#include "testutil.h"

#define DAY 86400000LL

static const uint8_t KEY[LINKAGE_KEY_LEN] = {0x11, 0x22, 0x33};
static const uint8_t OTHER_KEY[LINKAGE_KEY_LEN] = {0x44};

static void test_tag_of_the_normalised_number(void **state)
{
    (void)state;
    char a[LINKAGE_TAG_HEX + 1], b[LINKAGE_TAG_HEX + 1], c[LINKAGE_TAG_HEX + 1];
    assert_int_equal(linkage_tag(KEY, "11010519491231002X", a), 0);
    assert_int_equal(linkage_tag(KEY, " 110105 19491231002x ", b), 0);
    assert_string_equal(a, b);
    assert_true(linkage_tag_valid(a));
    assert_int_equal(linkage_tag(OTHER_KEY, "11010519491231002X", c), 0);
    assert_string_not_equal(a, c);
    assert_int_equal(linkage_tag(KEY, "   ", c), JF_EINVAL);
    assert_false(linkage_tag_valid("ABCDEF0123456789abcdef0123456789"));
    assert_false(linkage_tag_valid("abc"));
}

/* The whole store file, to look for what must not be in it. */
static int file_has(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 24];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return memmem(buf, n, needle, strlen(needle)) != NULL;
}

static json_t *party(const char *name, const char *id_number)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "name", name, "id_number", id_number, "phone",
                     "13800138000", "address", "东村3组");
}

static void test_intake_keeps_tags_never_numbers(void **state)
{
    struct case_node *f = *state;
    char id_a[19], id_b[19], tag_a[LINKAGE_TAG_HEX + 1], tag_b[LINKAGE_TAG_HEX + 1], path[4200];
    cn_id_number(701, id_a);
    cn_id_number(702, id_b);
    struct intake_ctx ctx = {f->cfg.node_id, f->cfg.node_name, "clerk", f->cfg.tier,
                             &f->policy, clock_now_ms(), f->id, NULL, KEY};
    struct intake_error ie;
    struct cn_intake job = {NULL};
    json_t *body = json_pack(
        "{s:[o, o], s:s, s:s, s:s, s:s, s:s, s:s}", "parties", party("张三", id_a),
        party("李四", id_b), "category", "land_contract", "matter_type", "dispute_mediation", "village", "东村", "source",
        "walk_in", "summary", "两户因承包地边界发生争执", "complexity", "simple");
    int rc = intake_parse(body, &ctx, &job.in, &ie);
    if (rc)
        fprintf(stderr, "intake refused: %s %s\n", ie.field, ie.message);
    assert_int_equal(rc, 0);
    json_decref(body);
    assert_int_equal(cn_run(f, cn_intake_apply, &job), 0);
    Jiefen__CaseView *v = cn_view(f, intake_case_id(job.in));
    intake_free(&job.in);
    assert_int_equal(linkage_tag(KEY, id_a, tag_a), 0);
    assert_int_equal(linkage_tag(KEY, id_b, tag_b), 0);
    assert_int_equal(strlen(v->linkage_tags), 2 * LINKAGE_TAG_HEX);
    assert_memory_equal(v->linkage_tags, tag_a, LINKAGE_TAG_HEX);
    assert_string_equal(v->linkage_tags + LINKAGE_TAG_HEX, tag_b);
    case_view_free(&v);
    snprintf(path, sizeof path, "%s/store/data.mdb", f->dir);
    assert_true(file_has(path, tag_a));
    assert_false(file_has(path, id_a));
    assert_false(file_has(path, id_b));
}

/* Tags of persons P1..P4 (any 32 hex digits: the ledger never sees a number). */
#define P1 "11111111111111111111111111111111"
#define P2 "22222222222222222222222222222222"
#define P3 "33333333333333333333333333333333"
#define P4 "44444444444444444444444444444444"

static void put_view(store *st, MDB_txn *txn, const char *id, const char *at, int64_t opened,
                     const char *tags, int agreed, int escalated)
{
    char *holders[2] = {(char *)at, "t1"};
    Jiefen__CaseView v = JIEFEN__CASE_VIEW__INIT;
    v.case_id = (char *)id;
    v.opened_at_node = v.holder = (char *)at;
    v.opened_ms = opened;
    v.linkage_tags = (char *)tags;
    v.period_holders = holders;
    v.n_period_holders = escalated ? 2 : 1;
    if (agreed)
        v.status = JIEFEN__CASE_STATUS__CASE_STATUS_RESOLVED;
    assert_int_equal(store_put_message(txn, st->cases, id, strlen(id), &v.base), 0);
}

static json_int_t int_at(const json_t *o, const char *path1, const char *path2)
{
    const json_t *x = json_object_get(o, path1);
    return json_integer_value(path2 ? json_object_get(x, path2) : x);
}

static json_t *linkage_of(store *st, MDB_txn *txn, const char *node, int64_t from, int64_t to)
{
    struct ledger l;
    assert_int_equal(ledger_compute(st, txn, node, from, to, to, NULL, NULL, &l), 0);
    json_t *j = ledger_json(&l);
    ledger_clear(&l);
    json_t *k = json_incref(json_object_get(j, "linkage"));
    json_decref(j);
    return k;
}

/* Five cases in September with tags, one in August, one without: the answers by hand. */
static void test_rates_on_a_known_set(void **state)
{
    struct case_node *f = *state;
    int64_t from, to, t0;
    MDB_txn *txn;
    assert_int_equal(clock_parse_local_date("2026-09-01", &from), 0);
    assert_int_equal(clock_parse_local_date("2026-10-01", &to), 0);
    t0 = from + 3600000;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    put_view(f->st, txn, "e0", "v1", t0 - 10 * DAY, P1, 1, 0);   /* before: P1 seen */
    put_view(f->st, txn, "c1", "v1", t0 + 1 * DAY, P1, 1, 0);    /* not first (e0) */
    put_view(f->st, txn, "c2", "v1", t0 + 2 * DAY, P2, 1, 0);    /* first, resolved there */
    put_view(f->st, txn, "c3", "v2", t0 + 3 * DAY, P3, 1, 1);    /* first, escalated */
    put_view(f->st, txn, "c4", "v2", t0 + 4 * DAY, P2 P4, 0, 0); /* P2 again */
    put_view(f->st, txn, "c5", "v1", t0 + 5 * DAY, P4, 0, 0);    /* P4 again */
    put_view(f->st, txn, "c6", "v2", t0 + 6 * DAY, "", 1, 0);    /* no ID number */

    json_t *k = linkage_of(f->st, txn, "c1", from, to);
    assert_int_equal(int_at(k, "linked_cases", NULL), 5);
    assert_int_equal(int_at(k, "first_cases", NULL), 2);
    assert_int_equal(int_at(k, "first_resolved", NULL), 1);
    assert_true(json_real_value(json_object_get(k, "first_resolution_rate")) == 0.5);
    assert_int_equal(int_at(k, "repeat_persons", NULL), 2);
    assert_int_equal(int_at(k, "repeat_cases", NULL), 3);
    json_decref(k);

    /* v1's own ledger knows only its cases: c5's P4 was not seen before there. */
    k = linkage_of(f->st, txn, "v1", from, to);
    assert_int_equal(int_at(k, "linked_cases", NULL), 3);
    assert_int_equal(int_at(k, "first_cases", NULL), 2);
    assert_int_equal(int_at(k, "repeat_persons", NULL), 0);
    json_decref(k);
    assert_int_equal(store_txn_commit(txn), 0);
}

static int add_filings(struct case_node *f, const char *json, size_t *added, char *err)
{
    MDB_txn *txn;
    json_t *body = json_loads(json, 0, NULL);
    assert_non_null(body);
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    int rc = linkage_filings_add(f->st, txn, body, added, err, 64);
    assert_int_equal(rc ? (mdb_txn_abort(txn), 0) : store_txn_commit(txn), 0);
    json_decref(body);
    return rc;
}

#define FILING(tag, village, date) "{\"tag\":\"" tag "\",\"village\":\"" village "\",\"date\":\"" date "\"}"

/* 万人成讼率 and 无讼村居: v1 (1500 residents) 3 filings in the period, v2 (800) none, v9
 * (population unknown) 1; a filing reported twice counts once; a bad one changes nothing. */
static void test_filings_per_village(void **state)
{
    struct case_node *f = *state;
    size_t added = 99;
    char err[64] = "";
    int64_t from, to;
    MDB_txn *txn;
    assert_int_equal(add_filings(f, "{\"filings\":[" FILING(P1, "v1", "2026-09-03") ","
                                    FILING(P2, "v1", "2026-09-30") "," FILING("ABC", "v1",
                                    "2026-09-30") "]}", &added, err), JF_EINVAL);
    assert_string_equal(err, "filings[2].tag");
    assert_int_equal(added, 0);
    assert_int_equal(add_filings(f, "{\"filings\":[" FILING(P1, "v1", "2026-09-31") "]}",
                                 &added, err), JF_EINVAL);
    assert_string_equal(err, "filings[0].date");
    assert_int_equal(add_filings(f, "{\"filings\":[" FILING(P1, "v1", "2026-09-03") ","
                                    FILING(P2, "v1", "2026-09-30") "," FILING(P3, "v1",
                                    "2026-09-15") "," FILING(P4, "v1", "2026-08-31") ","
                                    FILING(P4, "v9", "2026-09-10") "]}", &added, err), 0);
    assert_int_equal(added, 5);
    assert_int_equal(add_filings(f, "{\"filings\":[" FILING(P1, "v1", "2026-09-03") "]}",
                                 &added, err), 0);
    assert_int_equal(added, 0);

    assert_int_equal(clock_parse_local_date("2026-09-01", &from), 0);
    assert_int_equal(clock_parse_local_date("2026-10-01", &to), 0);
    json_t *k = json_object();
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(ledger_link_filings(f->st, txn, from, to, "c1", 0, "v1:1500, v2:800", k), 0);
    mdb_txn_abort(txn);
    const json_t *v = json_object_get(k, "villages");
    assert_int_equal(int_at(v, "v1", "filings"), 3);
    assert_int_equal(int_at(v, "v1", "population"), 1500);
    assert_true(json_real_value(json_object_get(json_object_get(v, "v1"), "rate_per_10k")) == 20.0);
    assert_int_equal(int_at(v, "v2", "filings"), 0);
    assert_true(json_real_value(json_object_get(json_object_get(v, "v2"), "rate_per_10k")) == 0.0);
    assert_int_equal(int_at(v, "v9", "filings"), 1);
    assert_true(json_is_null(json_object_get(json_object_get(v, "v9"), "rate_per_10k")));
    assert_null(json_object_get(v, "c1"));
    assert_string_equal(json_string_value(json_object_get(json_object_get(v, "v1"), "name")),
                        "东村");
    const json_t *none = json_object_get(k, "no_lawsuit_villages");
    assert_int_equal(json_array_size(none), 1);
    assert_string_equal(json_string_value(json_array_get(none, 0)), "v2");
    json_decref(k);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tag_of_the_normalised_number),
        CN_TEST(test_intake_keeps_tags_never_numbers, v1),
        CN_TEST(test_rates_on_a_known_set, c1),
        CN_TEST(test_filings_per_village, c1),
    };
    if (cn_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
