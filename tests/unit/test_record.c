/* record (case/record.h): the form records' model. An entry is checked field by field
 * (missing, too long, not a date, unknown, not text) with the field named; a good one is
 * appended as a forms_record event of the case whose texts are its sealed part, and read
 * back as the newest entry of its kind with the hash of its event as signed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/caseindex.h"
#include "case/record.h"
#include "envelope.h"
#include "error.h"
#include "log/eventlog.h"
#include "testutil.h"

#define CASE "v1-case-1"

static eventlog *v1_log;

static json_t *agreement(const char *terms)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "facts", "边界争议", "terms", terms,
                     "deadline", "2026-02-01", "method", "当面交接", "mediator", "王调解");
}

static void expect_refused(int k, json_t *fields, const char *field, const char *code,
                           const char *words)
{
    struct record_error e;
    uint8_t *out = (uint8_t *)"x";
    size_t len;
    assert_int_equal(record_parse(k, fields, &out, &len, &e), JF_EINVAL);
    printf("  refused: %s %s %s\n", e.field, e.code, e.msg);
    assert_null(out);
    assert_string_equal(e.field, field);
    assert_string_equal(e.code, code);
    assert_non_null(strstr(e.msg, words));
    json_decref(fields);
}

static void test_kinds(void **state)
{
    (void)state;
    assert_int_equal(record_kind_index("agreement"), RECORD_AGREEMENT);
    assert_int_equal(record_kind_index("调解笔录"), RECORD_MEDIATION);
    assert_int_equal(record_kind_index("回访单"), RECORD_FOLLOW_UP);
    assert_int_equal(record_kind_index("minutes"), -1);
}

static void test_refusals_name_the_field(void **state)
{
    (void)state;
    json_t *f = agreement("退还两分地");
    json_object_del(f, "terms");
    expect_refused(RECORD_AGREEMENT, f, "terms", "missing_field", "协议内容");
    f = agreement("退还两分地");
    json_object_set_new(f, "deadline", json_string("2026/02/01"));
    expect_refused(RECORD_AGREEMENT, f, "deadline", "invalid_field", "YYYY-MM-DD");
    f = agreement("退还两分地");
    json_object_set_new(f, "method", json_integer(3));
    expect_refused(RECORD_AGREEMENT, f, "method", "invalid_field", "履行方式应为文字");
    f = agreement("退还两分地");
    json_object_set_new(f, "court", json_string("贺兰县人民法院"));
    expect_refused(RECORD_AGREEMENT, f, "court", "unknown_field", "court");
    char big[4100];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    expect_refused(RECORD_AGREEMENT, agreement(big), "terms", "invalid_field", "过长");
    expect_refused(RECORD_AGREEMENT, json_string("terms"), "fields", "invalid_field", "对象");
}

/* ---- appended and read back --------------------------------------------------------- */

struct entry {
    int kind;
    const char *terms;
};

static int op_open(eventlog_tx *tx, void *arg)
{
    (void)arg;
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    test_case_opened(&ev, &o, CASE, tx->now_ms);
    return eventlog_append(tx, &ev, (const uint8_t *)"parties", 7);
}

static int op_record(eventlog_tx *tx, void *arg)
{
    const struct entry *en = arg;
    struct record_error e;
    Jiefen__CaseView *v = NULL;
    uint8_t *sealed;
    size_t len;
    json_t *f = agreement(en->terms);
    int rc = record_parse(en->kind, f, &sealed, &len, &e);
    json_decref(f);
    if (rc == 0 && (rc = caseindex_get(tx->st, tx->txn, CASE, &v)) == 0)
        rc = record_append(tx, v, en->kind, sealed, len, "mediator1");
    case_view_free(&v);
    free(sealed);
    return rc;
}

static void test_newest_entry_read_back(void **state)
{
    struct test_node *f = *state;
    struct record_set rs;
    struct entry first = {RECORD_AGREEMENT, "第一稿"}, second = {RECORD_AGREEMENT, "第二稿"};
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    assert_int_equal(eventlog_new(f->st, f->t.v1, "v1", &v1_log), 0);
    assert_int_equal(test_eventlog_run(v1_log, op_open, NULL), 0);
    assert_int_equal(test_eventlog_run(v1_log, op_record, &first), 0);
    assert_int_equal(test_eventlog_run(v1_log, op_record, &second), 0);

    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(caseindex_get(f->st, txn, CASE, &v), 0);
    assert_int_equal(v->n_event_origins, 3);
    assert_int_equal(record_read(f->st, txn, f->t.v1, "v1", v, &rs), 0);
    const Jiefen__FormsContent *c = rs.content[RECORD_AGREEMENT];
    assert_non_null(c);
    assert_null(rs.content[RECORD_MEDIATION]);
    printf("  newest terms: %s\n", record_value(c, "terms"));
    assert_string_equal(record_value(c, "terms"), "第二稿");
    assert_string_equal(record_value(c, "mediator"), "王调解");
    assert_string_equal(record_value(c, "court"), "");
    assert_string_equal(rs.actor[RECORD_AGREEMENT], "mediator1");
    assert_int_equal(rs.seq[RECORD_AGREEMENT], 3);

    /* The hash is the event's as signed and stored. */
    MDB_val d;
    envelope *e = NULL;
    assert_int_equal(store_event_get(f->st, txn, "v1", 3, &d), 0);
    assert_int_equal(envelope_decode(d.mv_data, d.mv_size, &e), 0);
    assert_memory_equal(rs.hash[RECORD_AGREEMENT], e->hash, 32);
    assert_string_equal(e->event->forms_record->kind, "agreement");
    /* The event itself carries no text: only the hash of the sealed part. */
    assert_null(memmem(d.mv_data, d.mv_size, "第二稿", strlen("第二稿")));
    assert_int_equal(e->event->sealed_hash.len, 32);
    envelope_free(&e);

    /* Another node's key reads no entry. */
    record_set_clear(&rs);
    assert_int_equal(record_read(f->st, txn, f->t.v2, "v1", v, &rs), 0);
    assert_null(rs.content[RECORD_AGREEMENT]);
    record_set_clear(&rs);
    case_view_free(&v);
    store_txn_abort(txn);
    eventlog_free(&v1_log);
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_refusals_name_the_field),
        TEST_NODE(test_newest_entry_read_back),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
