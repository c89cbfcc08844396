/* csv (node/report/csv.h): fields quoted only when they must be (RFC 4180, quotes
 * doubled), text that a spreadsheet would run as a formula kept as text, numbers with at
 * most 15 significant digits and percentages rounded as the XLSX export shows them, lines
 * ending in CRLF. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "report/csv.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What fn writes, as a string the caller frees. */
static char *written(void (*fn)(FILE *f, void *arg), void *arg)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    fn(f, arg);
    assert_int_equal(fclose(f), 0);
    return buf;
}

static void put_field(FILE *f, void *arg)
{
    csv_field(f, "", arg);
}

static void check_field(const char *in, const char *want)
{
    char *got = written(put_field, (void *)in);
    printf("  field [%s] -> [%s]\n", in ? in : "(null)", got);
    assert_string_equal(got, want);
    free(got);
}

static void test_fields(void **state)
{
    (void)state;
    check_field("东村", "东村");
    check_field(NULL, "");
    check_field("a,b", "\"a,b\"");
    check_field("say \"hi\"", "\"say \"\"hi\"\"\"");
    check_field("two\r\nlines", "\"two\r\nlines\"");
}

struct row {
    const struct export_cell *cells;
    size_t n;
};

static void put_row(FILE *f, void *arg)
{
    const struct row *r = arg;
    csv_row(f, r->cells, r->n);
}

static void test_row_keeps_formulas_as_text(void **state)
{
    (void)state;
    const struct export_cell cells[] = {
        {EXPORT_TEXT, "=HYPERLINK(\"x\")", 0}, {EXPORT_TEXT, "+1", 0},
        {EXPORT_TEXT, "-2", 0},                {EXPORT_TEXT, "@SUM(A1)", 0},
        {EXPORT_TEXT, "3-1", 0},               {EXPORT_NUMBER, NULL, -3},
    };
    struct row r = {cells, sizeof cells / sizeof cells[0]};
    char *got = written(put_row, &r);
    printf("  row -> [%s]\n", got);
    assert_string_equal(got, "\"'=HYPERLINK(\"\"x\"\")\",'+1,'-2,'@SUM(A1),3-1,-3\r\n");
    free(got);
}

static void test_numbers_and_percents(void **state)
{
    (void)state;
    char out[CSV_NUM_MAX];
    const struct { double v; const char *want; } nums[] = {
        {0.1 + 0.2, "0.3"}, {-0.0, "0"}, {42, "42"}, {1e15, "1e+15"}, {2.5, "2.5"},
        {NAN, ""}, {INFINITY, ""},
    };
    for (size_t i = 0; i < sizeof nums / sizeof nums[0]; i++) {
        csv_number(nums[i].v, out);
        printf("  number %g -> [%s]\n", nums[i].v, out);
        assert_string_equal(out, nums[i].want);
    }
    const struct { double v; const char *want; } pcts[] = {
        {0.935, "93.5%"}, {1, "100%"}, {0, "0%"}, {0.12345, "12.3%"}, {NAN, ""},
    };
    for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++) {
        csv_percent(pcts[i].v, out);
        printf("  percent %g -> [%s]\n", pcts[i].v, out);
        assert_string_equal(out, pcts[i].want);
    }
}

struct head {
    const char *title, *caption;
};

static void put_head(FILE *f, void *arg)
{
    const struct head *h = arg;
    const char *headers[] = {"类别", NULL, "件数"};
    csv_head(f, h->title, h->caption, 3, headers);
}

static void test_head(void **state)
{
    (void)state;
    struct head with = {"台账", "2026年3月 东村"}, bare = {"台账", NULL}, none = {NULL, NULL};
    char *a = written(put_head, &with), *b = written(put_head, &bare), *c = written(put_head, &none);
    printf("  [%s] [%s] [%s]\n", a, b, c);
    assert_string_equal(a, "2026年3月 东村\r\n类别,,件数\r\n");
    assert_string_equal(b, "台账\r\n类别,,件数\r\n");
    assert_string_equal(c, "类别,,件数\r\n");
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_row_keeps_formulas_as_text),
        cmocka_unit_test(test_numbers_and_percents),
        cmocka_unit_test(test_head),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
