/* Export: the exact CSV bytes of a small two-table ledger, whole or streamed, and the XLSX
 * read back the way a spreadsheet program would, through openpyxl (Debian's /usr/bin/python3
 * and its python3-openpyxl; the read-back is skipped, saying so, where they are missing),
 * a table past a sheet's rows included. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "report/export.h"
#include "testutil.h"
#include "testpy.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <sys/stat.h>
#include <unistd.h>

#define CAPTION "贺兰县 2026年11月 综合台账（2026-11-01 至 2026-11-30）"
#define REASON "邻里纠纷, 涉及\"噪音\"\n夜间施工"


/* ---- the ledger used throughout ---- */

static const char *const LEDGER_HEADERS[] = {"序号", "申请人", "纠纷事由", "调解成功率",
                                             "标的额（元）"};
static const struct export_cell LEDGER_CELLS[] = {
    {EXPORT_NUMBER, NULL, 1},   {EXPORT_TEXT, "张三", 0},      {EXPORT_TEXT, REASON, 0},
    {EXPORT_PERCENT, NULL, 0.935}, {EXPORT_NUMBER, NULL, 12000},
    {EXPORT_NUMBER, NULL, 2},   {EXPORT_TEXT, "李四", 0},      {EXPORT_TEXT, "物业费", 0},
    {EXPORT_PERCENT, NULL, 1},  {EXPORT_NUMBER, NULL, 2500.75},
};
static const char *const STATS_HEADERS[] = {"项目", "数量"};

static const struct export_table TABLES[] = {
    {"案件登记台账", CAPTION, 5, LEDGER_HEADERS, 2, LEDGER_CELLS},
    {"月度统计", NULL, 2, STATS_HEADERS, 0, NULL},
};

static const char EXPECTED_CSV[] =
    "\xEF\xBB\xBF" CAPTION "\r\n"
    "序号,申请人,纠纷事由,调解成功率,标的额（元）\r\n"
    "1,张三,\"邻里纠纷, 涉及\"\"噪音\"\"\n夜间施工\",93.5%,12000\r\n"
    "2,李四,物业费,100%,2500.75\r\n"
    "\r\n"
    "月度统计\r\n"
    "项目,数量\r\n";

static void check_csv(const struct export_table *t, size_t n, const char *want, size_t want_len)
{
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(export_csv(t, n, &out, &len), 0);
    printf("  csv (%zu bytes):\n%s\n  want (%zu bytes):\n%s\n", len, out, want_len, want);
    assert_int_equal(len, want_len);
    assert_memory_equal(out, want, want_len);
    assert_int_equal(out[len], '\0');
    free(out);
}

static void test_csv_bytes(void **state)
{
    (void)state;
    check_csv(TABLES, 2, EXPECTED_CSV, sizeof EXPECTED_CSV - 1);
    /* The BOM opens the text once, not once per table. */
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(export_csv(TABLES, 2, &out, &len), 0);
    assert_memory_equal(out, "\xEF\xBB\xBF", 3);
    assert_null(strstr(out + 3, "\xEF\xBB\xBF"));
    free(out);
}

static void test_csv_numbers_and_empty(void **state)
{
    (void)state;
    static const char *const h[] = {"值"};
    const struct export_cell cells[] = {
        {EXPORT_NUMBER, NULL, 0.1 + 0.2}, {EXPORT_NUMBER, NULL, -0.0},
        {EXPORT_NUMBER, NULL, -42},       {EXPORT_NUMBER, NULL, NAN},
        {EXPORT_PERCENT, NULL, 1.0 / 3},  {EXPORT_PERCENT, NULL, 0.0625},
        {EXPORT_PERCENT, NULL, 0},        {EXPORT_TEXT, NULL, 0},
        {EXPORT_TEXT, "a\rb", 0},
    };
    const struct export_table t = {NULL, NULL, 1, h, sizeof cells / sizeof cells[0], cells};
    static const char want[] = "\xEF\xBB\xBF值\r\n0.3\r\n0\r\n-42\r\n\r\n33.3%\r\n6.3%\r\n0%\r\n"
                               "\r\n\"a\rb\"\r\n";
    check_csv(&t, 1, want, sizeof want - 1);
    /* Nothing at all is still a valid (empty) CSV. */
    check_csv(NULL, 0, "\xEF\xBB\xBF", 3);
}

/* Text a spreadsheet would run as a formula is kept as text: a leading apostrophe. */
static void test_csv_formula_injection(void **state)
{
    (void)state;
    static const char *const h[] = {"摘要"};
    const struct export_cell cells[] = {
        {EXPORT_TEXT, "=HYPERLINK(\"http://x\",\"点\")", 0}, {EXPORT_TEXT, "-5", 0},
        {EXPORT_TEXT, "@SUM(A1)", 0}, {EXPORT_TEXT, "+1", 0}, {EXPORT_TEXT, "a=b", 0},
        {EXPORT_NUMBER, NULL, -5},
    };
    const struct export_table t = {NULL, NULL, 1, h, sizeof cells / sizeof cells[0], cells};
    static const char want[] = "\xEF\xBB\xBF摘要\r\n\"'=HYPERLINK(\"\"http://x\"\",\"\"点\"\")\"\r\n"
                               "'-5\r\n'@SUM(A1)\r\n'+1\r\na=b\r\n-5\r\n";
    check_csv(&t, 1, want, sizeof want - 1);
}

static void test_csv_bad_arguments(void **state)
{
    (void)state;
    char *out = NULL;
    size_t len = 0;
    const struct export_cell bad = {(enum export_cell_kind)7, NULL, 0};
    const char *h[] = {"x"};
    const struct export_table t1 = {"t", NULL, 1, h, 1, &bad};
    const struct export_table t2 = {"t", NULL, 1, NULL, 0, NULL};
    const struct export_table t3 = {"t", NULL, 1, h, 1, NULL};
    const struct export_table t4 = {"t", NULL, 2, h, SIZE_MAX / 2 + 1, &bad};
    assert_int_equal(export_csv(TABLES, 2, NULL, &len), JF_EINVAL);
    assert_int_equal(export_csv(TABLES, 2, &out, NULL), JF_EINVAL);
    assert_int_equal(export_csv(NULL, 1, &out, &len), JF_EINVAL);
    assert_int_equal(export_csv(&t1, 1, &out, &len), JF_EINVAL);
    assert_int_equal(export_csv(&t2, 1, &out, &len), JF_EINVAL);
    assert_int_equal(export_csv(&t3, 1, &out, &len), JF_EINVAL);
    assert_int_equal(export_csv(&t4, 1, &out, &len), JF_EINVAL);
    assert_null(out);
}

/* ---- reading an XLSX back through openpyxl ---- */

/* Prints one JSON object: {"skip": why} or {"sheets": [...]} with every non-empty cell's
 * value, openpyxl data type ("n" numeric, "s" string), number format, bold and border. */
#define READER_HEAD                                                                        \
    "import json, sys\n"                                                                  \
    "try:\n"                                                                              \
    "    import openpyxl\n"                                                               \
    "except ImportError:\n"                                                               \
    "    print(json.dumps({\"skip\": \"python3-openpyxl is not installed\"}))\n"          \
    "    sys.exit(0)\n"

static const char READER[] =
    READER_HEAD
    "wb = openpyxl.load_workbook(sys.argv[1])\n"
    "sheets = []\n"
    "for ws in wb.worksheets:\n"
    "    cells = {}\n"
    "    for row in ws.iter_rows():\n"
    "        for c in row:\n"
    "            if c.value is not None:\n"
    "                cells[c.coordinate] = {\"v\": c.value, \"t\": c.data_type,\n"
    "                    \"fmt\": c.number_format, \"bold\": bool(c.font.b),\n"
    "                    \"border\": c.border.bottom.style}\n"
    "    sheets.append({\"name\": ws.title, \"cells\": cells, \"freeze\": ws.freeze_panes,\n"
    "        \"merged\": sorted(str(r) for r in ws.merged_cells.ranges),\n"
    "        \"widths\": {k: d.width for k, d in ws.column_dimensions.items()}})\n"
    "print(json.dumps({\"sheets\": sheets}, ensure_ascii=False))\n";

/* What script (READER_HEAD first) prints for the workbook at path, as JSON; NULL (the
 * reason printed) only when openpyxl is missing here. A reader that fails fails the test. */
static json_t *run_reader(const char *script, const char *path)
{
    char args[4400];
    snprintf(args, sizeof args, "'%s'", path);
    return test_python_json(script, args);
}

static json_t *read_xlsx(const char *path)
{
    return run_reader(READER, path);
}

static json_t *sheet_at(json_t *root, size_t i)
{
    json_t *s = json_array_get(json_object_get(root, "sheets"), i);
    assert_non_null(s);
    return s;
}

static const char *sheet_name(json_t *sheet)
{
    return json_string_value(json_object_get(sheet, "name"));
}

static json_t *cell(json_t *sheet, const char *ref)
{
    json_t *c = json_object_get(json_object_get(sheet, "cells"), ref);
    if (!c)
        printf("  %s!%s: empty\n", sheet_name(sheet), ref);
    assert_non_null(c);
    return c;
}

static void check_text(json_t *sheet, const char *ref, const char *want)
{
    json_t *c = cell(sheet, ref);
    const char *got = json_string_value(json_object_get(c, "v"));
    printf("  %s!%s = \"%s\" (want \"%s\")\n", sheet_name(sheet), ref, got ? got : "(not text)",
           want);
    assert_string_equal(json_string_value(json_object_get(c, "t")), "s");
    assert_non_null(got);
    assert_string_equal(got, want);
}

static void check_number(json_t *sheet, const char *ref, double want, const char *fmt_has)
{
    json_t *c = cell(sheet, ref);
    json_t *v = json_object_get(c, "v");
    const char *fmt = json_string_value(json_object_get(c, "fmt"));
    printf("  %s!%s = %g format \"%s\" (want %g, format with \"%s\")\n", sheet_name(sheet), ref,
           json_number_value(v), fmt, want, fmt_has);
    assert_true(json_is_number(v));
    assert_string_equal(json_string_value(json_object_get(c, "t")), "n");
    assert_true(fabs(json_number_value(v) - want) < 1e-12);
    assert_non_null(strstr(fmt, fmt_has));
}

static void check_bold(json_t *sheet, const char *ref, int bold, const char *border)
{
    json_t *c = cell(sheet, ref);
    const char *b = json_string_value(json_object_get(c, "border"));
    printf("  %s!%s bold %d border %s\n", sheet_name(sheet), ref,
           json_is_true(json_object_get(c, "bold")), b ? b : "none");
    assert_int_equal(json_is_true(json_object_get(c, "bold")), bold);
    if (border)
        assert_string_equal(b ? b : "none", border);
}

static void check_string(const char *what, json_t *v, const char *want)
{
    const char *got = json_string_value(v);
    printf("  %s = %s (want %s)\n", what, got ? got : "(none)", want);
    assert_non_null(got);
    assert_string_equal(got, want);
}

static double width(json_t *sheet, const char *col)
{
    json_t *w = json_object_get(json_object_get(sheet, "widths"), col);
    assert_true(json_is_number(w));
    printf("  %s column %s width %g\n", sheet_name(sheet), col, json_number_value(w));
    return json_number_value(w);
}

/* Entries in test_dir other than . and .. */
static int dir_entries(void)
{
    DIR *d = opendir(test_dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    assert_int_equal(closedir(d), 0);
    return n;
}

static void write_xlsx(const struct export_table *t, size_t n, char *path, size_t pathlen)
{
    char err[256] = "";
    snprintf(path, pathlen, "%s/ledger.xlsx", test_dir);
    int rc = export_xlsx(t, n, path, err, sizeof err);
    printf("  export_xlsx -> %d %s\n", rc, err);
    assert_int_equal(rc, 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_true(st.st_size > 0);
}

static void test_xlsx_read_back(void **state)
{
    (void)state;
    char path[4200];
    write_xlsx(TABLES, 2, path, sizeof path);
    json_t *root = read_xlsx(path);
    if (!root)
        return;
    json_t *s = sheet_at(root, 0);
    check_string("sheet 1", json_object_get(s, "name"), "案件登记台账");
    check_text(s, "A1", CAPTION);
    check_bold(s, "A1", 1, NULL);
    check_string("merged", json_array_get(json_object_get(s, "merged"), 0), "A1:E1");
    check_string("frozen at", json_object_get(s, "freeze"), "A3");
    check_text(s, "A2", "序号");
    check_text(s, "E2", "标的额（元）");
    check_bold(s, "B2", 1, "thin");
    check_number(s, "A3", 1, "General");
    check_text(s, "B3", "张三");
    check_text(s, "C3", REASON);
    check_number(s, "D3", 0.935, "%");
    check_number(s, "E3", 12000, "General");
    check_bold(s, "E3", 0, "none");
    check_number(s, "D4", 1, "%");
    check_number(s, "E4", 2500.75, "General");
    /* The longest line, 邻里纠纷, 涉及"噪音", is 8 CJK and 4 ASCII characters: 20 wide. */
    assert_true(width(s, "C") >= 20);
    assert_true(width(s, "C") > width(s, "B"));
    json_t *s2 = sheet_at(root, 1);
    check_string("sheet 2", json_object_get(s2, "name"), "月度统计");
    check_text(s2, "A1", "项目");
    check_text(s2, "B1", "数量");
    check_bold(s2, "A1", 1, "thin");
    check_string("frozen at", json_object_get(s2, "freeze"), "A2");
    assert_int_equal(json_object_size(json_object_get(s2, "cells")), 2);
    assert_int_equal(json_array_size(json_object_get(root, "sheets")), 2);
    json_decref(root);
    /* The writer's temporary files are gone with the call. */
    assert_int_equal(dir_entries(), 1);
}

#define LONG40 "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十"

/* Titles Excel would refuse become valid, unique names; the odd cells come out readable. */
static void test_xlsx_sheet_names_and_odd_cells(void **state)
{
    (void)state;
    static const char *const h[] = {"说明"};
    const struct export_cell odd[] = {
        {EXPORT_TEXT, "坏\xFF字节", 0},
        {EXPORT_NUMBER, NULL, INFINITY},
        {EXPORT_NUMBER, NULL, 7},
    };
    const struct export_table t[] = {
        {"2026/11:台账?", NULL, 1, h, 0, NULL},
        {"案件登记台账", NULL, 1, h, 0, NULL},
        {"案件登记台账", NULL, 1, h, 0, NULL},
        {LONG40, NULL, 1, h, 0, NULL},
        {LONG40, NULL, 1, h, 0, NULL},
        {NULL, NULL, 1, h, 0, NULL},
        {"history", NULL, 1, h, 0, NULL},
        {"'引号'", "单列标题", 1, h, 3, odd},
        {"Abc", NULL, 1, h, 0, NULL},
        {"aBC", NULL, 1, h, 0, NULL},
    };
    static const char *const want[] = {
        "2026／11：台账？", "案件登记台账", "案件登记台账 (2)",
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一",
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七 (2)",
        "Sheet6", "history (2)", "引号", "Abc", "aBC (2)",
    };
    size_t n = sizeof t / sizeof t[0];
    char path[4200];
    write_xlsx(t, n, path, sizeof path);
    json_t *root = read_xlsx(path);
    if (!root)
        return;
    for (size_t i = 0; i < n; i++) {
        char what[32];
        snprintf(what, sizeof what, "sheet %zu", i + 1);
        check_string(what, json_object_get(sheet_at(root, i), "name"), want[i]);
    }
    /* One column: the caption is a plain bold cell (1.1.4 cannot merge a single cell). */
    json_t *s = sheet_at(root, 7);
    check_text(s, "A1", "单列标题");
    check_bold(s, "A1", 1, NULL);
    assert_int_equal(json_array_size(json_object_get(s, "merged")), 0);
    check_text(s, "A3", "坏\xEF\xBF\xBD字节");
    assert_null(json_object_get(json_object_get(s, "cells"), "A4"));
    check_number(s, "A5", 7, "General");
    json_decref(root);
}

static void test_xlsx_errors(void **state)
{
    (void)state;
    char path[4200], err[256];
    int rc;

    snprintf(path, sizeof path, "%s/missing/ledger.xlsx", test_dir);
    rc = export_xlsx(TABLES, 2, path, err, sizeof err);
    printf("  unwritable -> %d %s\n", rc, err);
    assert_int_equal(rc, -EIO);
    assert_non_null(strstr(err, "No such file"));

    snprintf(path, sizeof path, "%s/ledger.xlsx", test_dir);
    assert_int_equal(export_xlsx(TABLES, 2, NULL, err, sizeof err), JF_EINVAL);
    assert_int_equal(export_xlsx(NULL, 1, path, NULL, 0), JF_EINVAL);
    const struct export_table no_cells = {"t", NULL, 5, LEDGER_HEADERS, 2, NULL};
    rc = export_xlsx(&no_cells, 1, path, err, sizeof err);
    printf("  no cells -> %d %s\n", rc, err);
    assert_int_equal(rc, JF_EINVAL);
    assert_int_equal(dir_entries(), 0);

    /* Found while writing: the half-made file is removed. */
    char *big = malloc(40001);
    assert_non_null(big);
    memset(big, 'x', 40000);
    big[40000] = '\0';
    const struct export_cell cells[] = {{EXPORT_TEXT, "ok", 0}, {EXPORT_TEXT, big, 0}};
    const struct export_table t = {"长文本", NULL, 1, LEDGER_HEADERS, 2, cells};
    rc = export_xlsx(&t, 1, path, err, sizeof err);
    printf("  long text -> %d %s\n", rc, err);
    free(big);
    assert_int_equal(rc, JF_EINVAL);
    assert_non_null(strstr(err, "A3"));
    assert_int_equal(dir_entries(), 0);
}

/* Streamed: rows of the first table written after the second table is added give the same
 * bytes as the whole tables at once. */
static void test_csv_streamed(void **state)
{
    (void)state;
    char path[4200], err[256] = "", text[4096];
    export_file *f = NULL;
    size_t first, second;
    snprintf(path, sizeof path, "%s/ledger.csv", test_dir);
    assert_int_equal(export_open(EXPORT_CSV, path, err, sizeof err, &f), 0);
    assert_int_equal(export_add_table(f, TABLES[0].title, TABLES[0].caption, 5, LEDGER_HEADERS,
                                      &first), 0);
    assert_int_equal(export_add_table(f, "月度统计", NULL, 2, STATS_HEADERS, &second), 0);
    assert_int_equal(export_row(f, first, &LEDGER_CELLS[0]), 0);
    assert_int_equal(export_row(f, first, &LEDGER_CELLS[5]), 0);
    const struct export_cell bad[5] = {{(enum export_cell_kind)9, NULL, 0}};
    assert_int_equal(export_row(f, first, bad), JF_EINVAL);
    assert_int_equal(export_row(f, 7, LEDGER_CELLS), JF_EINVAL);
    assert_int_equal(export_close(&f), 0);
    assert_null(f);
    FILE *in = fopen(path, "rb");
    assert_non_null(in);
    size_t n = fread(text, 1, sizeof text, in);
    fclose(in);
    assert_int_equal(n, sizeof EXPECTED_CSV - 1);
    assert_memory_equal(text, EXPECTED_CSV, n);
    assert_int_equal(dir_entries(), 1); /* the tables' temporary files are gone */
    export_abort(&f);                   /* NULL: nothing */
}

/* A table past a sheet's 1,048,576 rows goes on in a second sheet with its caption and
 * header; openpyxl reads the sheets' names and the second sheet's first rows. */
static void test_xlsx_spills_past_the_row_limit(void **state)
{
    (void)state;
    static const char reader[] =
        READER_HEAD
        "wb = openpyxl.load_workbook(sys.argv[1], read_only=True)\n"
        "rows = list(wb.worksheets[-1].iter_rows(min_row=1, max_row=3, values_only=True))\n"
        "print(json.dumps({\"names\": wb.sheetnames, \"rows\": rows}, ensure_ascii=False))\n";
    char path[4200], err[256] = "";
    struct export_cell *rows = calloc(1048575, sizeof *rows); /* 1,048,577 with two above */
    assert_non_null(rows);
    rows[1048574] = (struct export_cell){EXPORT_NUMBER, NULL, 42};
    const struct export_table tall = {"台账", "一年的案件", 1, LEDGER_HEADERS, 1048575, rows};
    snprintf(path, sizeof path, "%s/tall.xlsx", test_dir);
    int rc = export_xlsx(&tall, 1, path, err, sizeof err);
    printf("  1,048,575 rows -> %d %s\n", rc, err);
    free(rows);
    assert_int_equal(rc, 0);
    assert_int_equal(dir_entries(), 1);
    json_t *root = run_reader(reader, path);
    if (!root)
        return;
    json_t *names = json_object_get(root, "names"), *r = json_object_get(root, "rows");
    assert_int_equal(json_array_size(names), 2);
    check_string("sheet 1", json_array_get(names, 0), "台账");
    check_string("sheet 2", json_array_get(names, 1), "台账 (2)");
    check_string("caption", json_array_get(json_array_get(r, 0), 0), "一年的案件");
    check_string("header", json_array_get(json_array_get(r, 1), 0), "序号");
    assert_true(json_number_value(json_array_get(json_array_get(r, 2), 0)) == 42);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_bytes),
        cmocka_unit_test(test_csv_numbers_and_empty),
        cmocka_unit_test(test_csv_formula_injection),
        cmocka_unit_test(test_csv_bad_arguments),
        cmocka_unit_test_setup_teardown(test_xlsx_read_back, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_sheet_names_and_odd_cells, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_errors, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_csv_streamed, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_xlsx_spills_past_the_row_limit, test_dir_setup,
                                        test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
