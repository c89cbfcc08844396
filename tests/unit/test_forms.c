/* forms (print/forms.h) and pdf (print/pdf.h): every form of a case renders as a PDF; a
 * form whose step has no record, a case that is not there, or parties this node cannot
 * open are refused with the reason; text longer than a page flows onto the next ones, each
 * page numbered. (The text and the QR code of the PDFs are read back by test_forms.py.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/caseindex.h"
#include "case/record.h"
#include "error.h"
#include "log/eventlog.h"
#include "print/forms.h"
#include "print/pdf.h"
#include "testutil.h"

#define CASE "v1-case-1"

static int op_open(eventlog_tx *tx, void *arg)
{
    (void)arg;
    Jiefen__Party p = JIEFEN__PARTY__INIT;
    Jiefen__Party *parties[] = {&p};
    Jiefen__Sealed s = JIEFEN__SEALED__INIT;
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    uint8_t buf[256];
    p.role = "applicant";
    p.name = "张三";
    s.parties = parties;
    s.n_parties = 1;
    size_t len = jiefen__sealed__pack(&s, buf);
    test_case_opened(&ev, &o, CASE, tx->now_ms);
    return eventlog_append(tx, &ev, buf, len);
}

static int op_record(eventlog_tx *tx, void *arg)
{
    (void)arg;
    struct record_error e;
    Jiefen__CaseView *v = NULL;
    uint8_t *sealed = NULL;
    size_t len;
    json_t *f = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "date", "2026-01-05", "place",
                          "东村调解室", "mediator", "王调解", "applicant_statement", "占地",
                          "respondent_statement", "未占", "mediator_notes", "实地测量");
    int rc = record_parse(RECORD_MEDIATION, f, &sealed, &len, &e);
    json_decref(f);
    if (rc == 0 && (rc = caseindex_get(tx->st, tx->txn, CASE, &v)) == 0)
        rc = record_append(tx, v, RECORD_MEDIATION, sealed, len, "mediator1");
    case_view_free(&v);
    free(sealed);
    return rc;
}

static int render(struct test_node *f, const crypto_identity *id, const char *case_id,
                  int form, char *why)
{
    MDB_txn *txn;
    uint8_t *pdf = NULL;
    size_t len = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    int rc = forms_render(f->st, txn, id, "v1", case_id, form, &pdf, &len, why);
    store_txn_abort(txn);
    printf("  %s: %d, %zu bytes%s%s\n", forms_names[form].code, rc, len, rc ? " — " : "",
           rc ? why : "");
    if (rc == 0) {
        assert_true(len > 1000);
        assert_memory_equal(pdf, "%PDF-", 5);
    }
    free(pdf);
    return rc;
}

static void test_every_form_and_the_refusals(void **state)
{
    struct test_node *f = *state;
    eventlog *log = NULL;
    char why[FORMS_ERR_MAX];
    assert_int_equal(eventlog_new(f->st, f->t.v1, "v1", &log), 0);
    assert_int_equal(test_eventlog_run(log, op_open, NULL), 0);

    /* Before the mediation record: that form is refused, naming what to enter. */
    assert_int_equal(render(f, f->t.v1, CASE, FORM_MEDIATION_RECORD, why), JF_EINVAL);
    assert_non_null(strstr(why, "调解笔录"));
    assert_int_equal(test_eventlog_run(log, op_record, NULL), 0);

    for (int form = 0; form < FORMS; form++) {
        int rc = render(f, f->t.v1, CASE, form, why);
        int needs = form == FORM_AGREEMENT || form == FORM_CONFIRMATION || form == FORM_FOLLOW_UP;
        assert_int_equal(rc, needs ? JF_EINVAL : 0);
    }
    assert_int_equal(render(f, f->t.v1, "no-such-case", FORM_RECEIPT, why), JF_ENOTFOUND);
    /* With another node's key the parties cannot be opened: only the cover is made. */
    assert_int_equal(render(f, f->t.v2, CASE, FORM_RECEIPT, why), JF_EINVAL);
    assert_non_null(strstr(why, "当事人信息"));
    assert_int_equal(render(f, f->t.v2, CASE, FORM_COVER, why), 0);
    eventlog_free(&log);
}

static void test_form_names(void **state)
{
    (void)state;
    assert_int_equal(forms_index("receipt"), FORM_RECEIPT);
    assert_int_equal(forms_index("调解协议书"), FORM_AGREEMENT);
    assert_int_equal(forms_index("cover"), FORM_COVER);
    assert_int_equal(forms_index("receipt.pdf"), -1);
}

static void test_long_text_flows_onto_numbered_pages(void **state)
{
    (void)state;
    char text[16000] = "";
    for (int i = 0; i < 300; i++)
        strcat(text, "调解员组织双方当事人实地查看。");
    struct pdf *p = pdf_new(0);
    uint8_t *out = NULL;
    size_t len = 0;
    int pages = 0;
    assert_non_null(p);
    pdf_title(p, "调解笔录");
    pdf_text(p, text, 0);
    assert_int_equal(pdf_finish(&p, &out, &len, &pages), 0);
    assert_null(p);
    printf("  %zu characters: %d pages, %zu bytes\n", strlen(text) / 3, pages, len);
    assert_true(pages >= 2);
    assert_memory_equal(out, "%PDF-", 5);
    free(out);
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        TEST_NODE(test_every_form_and_the_refusals),
        cmocka_unit_test(test_form_names),
        cmocka_unit_test(test_long_text_flows_onto_numbered_pages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
