/* intake (case/intake.h), 一窗受理 (DESIGN.md rule 1): a dispute's JSON becomes a case_opened
 * event with the department and time limit of the policy, its parties only in the sealed
 * part (and as keyed tags when the tree's key is here); bad input is refused naming every
 * wrong field at once; ID numbers are made plain before the check, and one person is one
 * party of a case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/case.h"
#include "case/casefile.h"
#include "case/intake.h"
#include "utf8.h"
#include "case/party.h"
#include "case/resident_id.h"
#include "clock.h"
#include "error.h"
#include "testutil.h"

#define ID_A "11010519491231002X"
#define ID_B "110105194912310038"

static struct config cfg;
static struct policy policy;

static const char *GOOD =
    "{\"parties\":[{\"name\":\" 张三 \",\"id_number\":\"11010519491231002x\","
    "\"phone\":\"13800138000\",\"address\":\"东村3组\"},"
    "{\"name\":\"李四\",\"id_number\":\"110105194912310038\",\"phone\":\"010-12345678\","
    "\"address\":\"东村5组\",\"role\":\"第三人\"}],"
    "\"category\":\"土地承包经营\",\"matter_type\":\"dispute_mediation\","
    "\"source\":\"walk_in\",\"summary\":\"承包地边界争议\",\"complexity\":\"simple\"}";

static struct intake_ctx ctx(struct test_node *f, int tier)
{
    config_defaults(&cfg);
    cfg.tier = tier;
    policy = (struct policy){&cfg, NULL};
    return (struct intake_ctx){"v1", "东村", "clerk1", tier, &policy, clock_now_ms(),
                               f ? f->t.v1 : NULL, NULL, NULL};
}

/* Parses text; returns intake_parse's code, the error in *err. */
static int parse(const char *text, const struct intake_ctx *c, struct intake **in,
                 struct intake_error *err)
{
    json_error_t jerr;
    json_t *body = json_loads(text, JSON_ALLOW_NUL, &jerr);
    assert_non_null(body);
    memset(err, 0, sizeof *err);
    *in = NULL;
    int rc = intake_parse(body, c, in, err);
    json_decref(body);
    if (rc)
        printf("  refused: %s %s: %s\n", err->code, err->field, err->message);
    return rc;
}

static int apply(eventlog_tx *tx, void *arg)
{
    return intake_apply(tx, arg);
}

static Jiefen__CaseView *view(struct test_node *f, const char *id)
{
    Jiefen__CaseView *v = test_case_view(f->st, id);
    assert_non_null(v);
    return v;
}

/* The case_opened event of case `id` (the intake's, v1's seq). */
static envelope *event_of(struct test_node *f, uint64_t seq)
{
    MDB_txn *txn;
    MDB_val d;
    envelope *e = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(store_event_get(f->st, txn, "v1", seq, &d), 0);
    assert_int_equal(envelope_decode(d.mv_data, d.mv_size, &e), 0);
    store_txn_abort(txn);
    return e;
}

static int keep_sealed(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    (void)ev;
    Jiefen__Sealed **out = arg;
    *out = jiefen__sealed__unpack(NULL, len, plain);
    return *out ? 0 : JF_ECORRUPT;
}

static void test_intake_opens_a_case(void **state)
{
    struct test_node *f = *state;
    struct intake_ctx c = ctx(f, JIEFEN__TIER__TIER_VILLAGE);
    struct intake *in;
    struct intake_error err;
    eventlog *log;
    assert_int_equal(parse(GOOD, &c, &in, &err), 0);
    assert_int_equal(eventlog_new(f->st, f->t.v1, "v1", &log), 0);
    assert_int_equal(test_eventlog_run(log, apply, in), 0);
    char want[64];
    int year = clock_local_year(clock_now_ms());
    snprintf(want, sizeof want, "v1-%d-000001", year);
    printf("  case %s\n", intake_case_id(in));
    assert_string_equal(intake_case_id(in), want);

    Jiefen__CaseView *v = view(f, want);
    assert_string_equal(v->category, "land_contract"); /* the code, given its name */
    assert_string_equal(v->department, "农业农村局");
    assert_string_equal(v->village, "东村"); /* a village's own name when not given */
    assert_string_equal(v->summary, "承包地边界争议");
    assert_int_equal(v->due_ms - v->opened_ms, 3 * CLOCK_DAY_MS);
    assert_string_equal(v->holder, "v1");
    case_view_free(&v);

    envelope *e = event_of(f, 1);
    const Jiefen__CaseOpened *o = e->event->case_opened;
    assert_int_equal(e->event->body_case, JIEFEN__EVENT__BODY_CASE_OPENED);
    assert_string_equal(e->event->actor, "clerk1");
    assert_int_equal(o->party_count, 2);
    assert_int_equal(o->n_party_roles, 2);
    assert_string_equal(o->party_roles[0], "applicant");
    assert_string_equal(o->party_roles[1], "third_party");
    assert_int_equal(o->complexity, JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE);
    assert_int_equal(o->risk, JIEFEN__RISK__RISK_BLUE);
    assert_int_equal(o->n_party_tags, 0); /* no tree key here */
    /* The signed bytes carry no personal data; the sealed part does. */
    const ProtobufCBinaryData *b = &e->wire->event;
    const char *personal[] = {"张三", "李四", "110105194912310", "13800138000", "东村3组"};
    for (size_t i = 0; i < sizeof personal / sizeof *personal; i++)
        assert_null(memmem(b->data, b->len, personal[i], strlen(personal[i])));
    assert_int_equal(e->event->sealed_hash.len, CRYPTO_HASH_LEN);

    MDB_txn *txn;
    Jiefen__Sealed *s = NULL;
    v = view(f, want);
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(casefile_each(f->st, txn, f->t.v1, "v1", v, keep_sealed, &s), 0);
    store_txn_abort(txn);
    case_view_free(&v);
    assert_non_null(s);
    assert_int_equal(s->n_parties, 2);
    assert_string_equal(s->parties[0]->name, "张三"); /* trimmed */
    assert_string_equal(s->parties[0]->id_number, ID_A); /* check character upper-cased */
    assert_string_equal(s->parties[1]->phone, "010-12345678");
    assert_string_equal(s->parties[1]->role, "third_party");
    jiefen__sealed__free_unpacked(s, NULL);
    envelope_free(&e);
    intake_free(&in);

    /* The next one gets the next number. */
    assert_int_equal(parse(GOOD, &c, &in, &err), 0);
    assert_int_equal(test_eventlog_run(log, apply, in), 0);
    snprintf(want, sizeof want, "v1-%d-000002", year);
    assert_string_equal(intake_case_id(in), want);
    intake_free(&in);
    intake_free(&in);
    eventlog_free(&log);
}

static void test_party_tags_with_the_tree_key(void **state)
{
    struct test_node *f = *state;
    struct intake_ctx c = ctx(f, JIEFEN__TIER__TIER_VILLAGE);
    struct intake *in;
    struct intake_error err;
    eventlog *log;
    MDB_txn *txn;
    uint8_t key[PARTY_KEY_LEN], ta[PARTY_TAG_LEN], tb[PARTY_TAG_LEN];
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(party_key_create(f->st, txn, f->t.v1), 0);
    assert_int_equal(party_key_get(f->st, txn, f->t.v1, key), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    party_tag(key, ID_A, ta);
    party_tag(key, ID_B, tb);
    assert_int_equal(parse(GOOD, &c, &in, &err), 0);
    assert_int_equal(eventlog_new(f->st, f->t.v1, "v1", &log), 0);
    assert_int_equal(test_eventlog_run(log, apply, in), 0);
    envelope *e = event_of(f, 1);
    const Jiefen__CaseOpened *o = e->event->case_opened;
    assert_int_equal(o->n_party_tags, 2);
    assert_int_equal(o->party_tags[0].len, PARTY_TAG_LEN);
    /* The tag of the upper-cased number, whatever case the clerk typed. */
    assert_memory_equal(o->party_tags[0].data, ta, PARTY_TAG_LEN);
    assert_memory_equal(o->party_tags[1].data, tb, PARTY_TAG_LEN);
    envelope_free(&e);
    intake_free(&in);
    eventlog_free(&log);
}

/* Replaces the first `from` in GOOD by `to` (once) into out. */
static const char *with(const char *from, const char *to, char *out, size_t len)
{
    const char *at = strstr(GOOD, from);
    assert_non_null(at);
    snprintf(out, len, "%.*s%s%s", (int)(at - GOOD), GOOD, to, at + strlen(from));
    return out;
}

static void test_refusals_name_the_field(void **state)
{
    (void)state;
    struct intake_ctx c = ctx(NULL, JIEFEN__TIER__TIER_VILLAGE);
    char longer[2100 * 3 + 64] = "\"summary\":\"", many[8192] = "{\"parties\":[";
    for (int i = 0; i < INTAKE_MAX_PARTIES + 1; i++)
        strcat(many, i ? ",{}" : "{}");
    strcat(many, "],\"category\":\"land_contract\"}");
    for (int i = 0; i < 2001; i++)
        strcat(longer, "字");
    strcat(longer, "\"");
    /* Either a whole text, or GOOD with `from` replaced by `to`. */
    const struct {
        const char *text, *from, *to, *code, *field, *in_message;
    } cases[] = {
        {"[1,2]", NULL, NULL, "invalid_json", "", NULL},
        {NULL, "\"source\"", "\"colour\":\"red\",\"source\"", "invalid_field", "colour", "未知"},
        {"{\"category\":\"land_contract\"}", NULL, NULL, "missing_field", "parties", NULL},
        {"{\"parties\":[]}", NULL, NULL, "missing_field", "parties", NULL},
        {"{\"parties\":{}}", NULL, NULL, "invalid_field", "parties", NULL},
        {many, NULL, NULL, "invalid_field", "parties", "20"},
        {"{\"parties\":[3]}", NULL, NULL, "invalid_field", "parties[0]", NULL},
        {"{\"parties\":[{\"age\":3}]}", NULL, NULL, "invalid_field", "parties[0].age", NULL},
        {"{\"parties\":[{\"role\":\"boss\"}]}", NULL, NULL, "invalid_field", "parties[0].role",
         NULL},
        {"{\"parties\":[{\"name\":\" \\u3000 \"}]}", NULL, NULL, "missing_field",
         "parties[0].name", NULL},
        {"{\"parties\":[{\"name\":7}]}", NULL, NULL, "invalid_field", "parties[0].name", NULL},
        {"{\"parties\":[{\"name\":\"a\\u0000b\"}]}", NULL, NULL, "invalid_field",
         "parties[0].name", NULL},
        {"{\"parties\":[{\"name\":\"张三\",\"id_number\":\"110105194912310021\"}]}", NULL, NULL,
         "invalid_field", "parties[0].id_number", "校验"},
        {"{\"parties\":[{\"name\":\"张三\"}]}", NULL, NULL, "missing_field",
         "parties[0].id_number", NULL},
        {NULL, "13800138000", "1380013800", "invalid_field", "parties[0].phone", NULL},
        {NULL, "东村5组", "", "missing_field", "parties[1].address", NULL},
        {NULL, "土地承包经营", "宅基地", "invalid_field", "category", "宅基地"},
        {NULL, "dispute_mediation", "lawsuit", "invalid_field", "matter_type", NULL},
        {NULL, "walk_in", "rumour", "invalid_field", "source", NULL},
        {NULL, "\"summary\":\"承包地边界争议\"", "\"summary\":\"  \"", "missing_field", "summary",
         NULL},
        {NULL, "\"summary\":\"承包地边界争议\"", longer, "invalid_field", "summary", "2000"},
        {NULL, ",\"complexity\":\"simple\"", "", "missing_field", "complexity", NULL},
        {NULL, "\"simple\"", "\"simple\",\"risk\":\"purple\"", "invalid_field", "risk", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct intake *in = NULL;
        struct intake_error err;
        char text[8192];
        if (cases[i].text)
            snprintf(text, sizeof text, "%s", cases[i].text);
        else
            with(cases[i].from, cases[i].to, text, sizeof text);
        assert_int_equal(parse(text, &c, &in, &err), JF_EINVAL);
        assert_null(in);
        assert_string_equal(err.code, cases[i].code);
        assert_string_equal(err.field, cases[i].field);
        assert_true(err.message[0]);
        if (cases[i].in_message)
            assert_non_null(strstr(err.message, cases[i].in_message));
    }
}

static void test_choices_and_defaults(void **state)
{
    (void)state;
    struct intake_ctx c = ctx(NULL, JIEFEN__TIER__TIER_TOWNSHIP);
    struct intake *in;
    struct intake_error err;
    char buf[4096];
    /* Above a village the village must be named. */
    assert_int_equal(parse(GOOD, &c, &in, &err), JF_EINVAL);
    assert_string_equal(err.code, "missing_field");
    assert_string_equal(err.field, "village");
    assert_int_equal(
        parse(with("\"simple\"", "\"复杂\",\"risk\":\"红\",\"village\":\"西村\"", buf, sizeof buf),
              &c, &in, &err),
        0);
    intake_free(&in);
}

static void test_chars(void **state)
{
    (void)state;
    assert_int_equal(utf8_chars(""), 0);
    assert_int_equal(utf8_chars("abc"), 3);
    assert_int_equal(utf8_chars("张三a"), 3);
    assert_int_equal(utf8_chars("𠀀"), 1); /* four bytes, one character */
}

/* Every allowed number of parties opens a case (up to 6 did: a fixed table of strings). */
static void test_many_parties(void **state)
{
    (void)state;
    struct config cfg;
    config_defaults(&cfg);
    cfg.tier = JIEFEN__TIER__TIER_VILLAGE;
    struct policy policy = {&cfg, NULL};
    struct intake_ctx ctx = {"v1", "东村", "clerk1", JIEFEN__TIER__TIER_VILLAGE, &policy,
                             clock_now_ms(), NULL, NULL, NULL};
    for (int n = 1; n <= INTAKE_MAX_PARTIES; n++) {
        json_t *parties = json_array();
        for (int i = 0; i < n; i++) {
            /* A different person each: one ID number is one party of a case. */
            char id[19];
            snprintf(id, sizeof id, "110105194912310%02d", i);
            id[17] = resident_id_check_char(id);
            id[18] = 0;
            json_array_append_new(parties,
                                  json_pack("{s:s, s:s, s:s, s:s}", "name", "张三", "id_number",
                                            id, "phone", "13800138000", "address", "东村3组"));
        }
        json_t *body = json_pack("{s:o, s:s, s:s, s:s, s:s, s:s}", "parties", parties,
                                 "category", "land_contract", "matter_type",
                                 "dispute_mediation", "source", "walk_in", "summary",
                                 "多人纠纷", "complexity", "complex");
        struct intake *in = NULL;
        struct intake_error err = {0};
        int rc = intake_parse(body, &ctx, &in, &err);
        printf("  %2d parties: %d %s %s\n", n, rc, err.code ? err.code : "", err.field);
        json_decref(body);
        intake_free(&in);
        assert_int_equal(rc, 0);
    }
}

/* Every wrong field is named in one answer, each with its own message, in body order. */
static void test_all_faults_at_once(void **state)
{
    (void)state;
    struct intake_ctx c = ctx(NULL, JIEFEN__TIER__TIER_VILLAGE);
    struct intake *in = NULL;
    struct intake_error err;
    const char *text =
        "{\"parties\":[{\"name\":\"\",\"id_number\":\"110105194912310021\","
        "\"phone\":\"12\",\"address\":\"东村3组\"}],\"category\":\"宅基地\","
        "\"matter_type\":\"dispute_mediation\",\"source\":\"walk_in\",\"summary\":\" \"}";
    assert_int_equal(parse(text, &c, &in, &err), JF_EINVAL);
    assert_null(in);
    const char *want[] = {"parties[0].name", "parties[0].id_number", "parties[0].phone",
                          "category", "summary", "complexity"};
    for (size_t i = 0; i < err.count; i++)
        printf("  %s %s: %s\n", err.all[i].code, err.all[i].field, err.all[i].message);
    assert_int_equal(err.count, sizeof want / sizeof *want);
    for (size_t i = 0; i < err.count; i++)
        assert_string_equal(err.all[i].field, want[i]);
    assert_non_null(strstr(err.all[1].message, "校验"));
    /* The first is also the error of callers that show one. */
    assert_string_equal(err.field, "parties[0].name");
    assert_string_equal(err.code, "missing_field");
}

/* Pasted with spaces, in full-width digits or with a small x: the same number, kept plain. */
static void test_id_number_made_plain(void **state)
{
    (void)state;
    char out[64], buf[4096];
    resident_id_normalize(" 1101 0519 4912 3100 2x　", out, sizeof out);
    assert_string_equal(out, ID_A);
    resident_id_normalize("１１０１０５１９４９１２３１００２Ｘ", out, sizeof out);
    assert_string_equal(out, ID_A);
    resident_id_normalize("１１０１０５１９４９１２３１００２ｘ", out, sizeof out);
    assert_string_equal(out, ID_A);
    resident_id_normalize("1101-05", out, sizeof out); /* kept for the check to name */
    assert_string_equal(out, "1101-05");
    resident_id_normalize("110105194912310038", out, 5); /* cut to fit, terminated */
    assert_string_equal(out, "1101");

    struct intake_ctx c = ctx(NULL, JIEFEN__TIER__TIER_VILLAGE);
    struct intake *in = NULL;
    struct intake_error err;
    assert_int_equal(parse(with("110105194912310038", "1101 0519 4912 3100 ３８", buf, sizeof buf),
                           &c, &in, &err),
                     0);
    intake_free(&in);
    /* Still too short once plain: the length is named, not a cut-off at 18 typed bytes. */
    assert_int_equal(parse(with("110105194912310038", "1101 0519 4912", buf, sizeof buf), &c,
                           &in, &err),
                     JF_EINVAL);
    assert_string_equal(err.field, "parties[1].id_number");
    assert_non_null(strstr(err.message, "18位"));
}

static void test_same_person_twice_refused(void **state)
{
    (void)state;
    struct intake_ctx c = ctx(NULL, JIEFEN__TIER__TIER_VILLAGE);
    struct intake *in = NULL;
    struct intake_error err;
    char buf[4096];
    /* The second party's number is the first's, written differently. */
    assert_int_equal(parse(with("110105194912310038", "11010519491231002 x", buf, sizeof buf),
                           &c, &in, &err),
                     JF_EINVAL);
    assert_null(in);
    assert_int_equal(err.count, 1);
    assert_string_equal(err.field, "parties[1].id_number");
    assert_non_null(strstr(err.message, "与当事人1的身份证号码相同"));
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        TEST_NODE(test_intake_opens_a_case),
        TEST_NODE(test_party_tags_with_the_tree_key),
        cmocka_unit_test(test_refusals_name_the_field),
        cmocka_unit_test(test_choices_and_defaults),
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_many_parties),
        cmocka_unit_test(test_all_faults_at_once),
        cmocka_unit_test(test_id_number_made_plain),
        cmocka_unit_test(test_same_person_twice_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
