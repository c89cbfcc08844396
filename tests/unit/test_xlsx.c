/* xlsx: the streaming writer's file read back by an independent reader (openpyxl, through
 * Debian's /usr/bin/python3; skipped, saying so, where it is missing), and its zip checked
 * with Python's zipfile: texts escaped and every odd character accounted for, numbers as
 * numbers, several sheets with Chinese names, merged ranges, frozen panes, widths, the
 * sheet deflated at level 1; and each kind of bad input refused with a message naming it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "report/xlsx.h"
#include "testutil.h"
#include "testpy.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <unistd.h>

#define ROWS 3000

/* Prints one JSON object with, per sheet, its name, cells (value and type, number format,
 * bold), merged ranges, frozen pane and widths; and for the first sheet's part its XML's
 * start, its compression method and size, and the sizes zlib gives at levels 1 and 6. */
static const char READER[] =
    "import json, sys, zipfile, zlib\n"
    "try:\n"
    "    import openpyxl\n"
    "except ImportError:\n"
    "    print(json.dumps({'skip': 'python3-openpyxl is not installed'}))\n"
    "    sys.exit(0)\n"
    "def raw(level, data):\n"
    "    c = zlib.compressobj(level, zlib.DEFLATED, -15, 8)\n"
    "    return len(c.compress(data) + c.flush())\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "info = z.getinfo('xl/worksheets/sheet1.xml')\n"
    "xml = z.read(info)\n"
    "wb = openpyxl.load_workbook(sys.argv[1])\n"
    "sheets = []\n"
    "for ws in wb.worksheets:\n"
    "    cells = {}\n"
    "    for row in ws.iter_rows(max_row=8):\n"
    "        for c in row:\n"
    "            if c.value is not None:\n"
    "                cells[c.coordinate] = {'v': c.value, 't': c.data_type,\n"
    "                    'fmt': c.number_format, 'bold': bool(c.font.b)}\n"
    "    sheets.append({'name': ws.title, 'cells': cells, 'freeze': ws.freeze_panes,\n"
    "        'merged': sorted(str(r) for r in ws.merged_cells.ranges), 'rows': ws.max_row,\n"
    "        'widths': {k: d.width for k, d in ws.column_dimensions.items()}})\n"
    "print(json.dumps({'sheets': sheets, 'xml': xml[:2000].decode('utf-8', 'replace'),\n"
    "    'method': info.compress_type, 'zipped': info.compress_size,\n"
    "    'level1': raw(1, xml), 'level6': raw(6, xml)}, ensure_ascii=False))\n";

/* What READER prints for the workbook at path; NULL (the reason printed) when openpyxl is
 * missing here. */
static json_t *read_back(const char *path)
{
    char args[4400];
    snprintf(args, sizeof args, "'%s'", path);
    return test_python_json(READER, args);
}

static json_t *sheet(json_t *root, size_t i)
{
    json_t *s = json_array_get(json_object_get(root, "sheets"), i);
    assert_non_null(s);
    return s;
}

static json_t *cell(json_t *s, const char *ref)
{
    json_t *c = json_object_get(json_object_get(s, "cells"), ref);
    if (!c)
        printf("  %s: empty\n", ref);
    assert_non_null(c);
    return c;
}

static void check_text(json_t *s, const char *ref, const char *want)
{
    json_t *c = cell(s, ref);
    const char *got = json_string_value(json_object_get(c, "v"));
    printf("  %s = \"%s\" (want \"%s\")\n", ref, got ? got : "(not text)", want);
    assert_non_null(got);
    assert_string_equal(got, want);
}

static void check_number(json_t *s, const char *ref, double want, const char *fmt)
{
    json_t *c = cell(s, ref);
    json_t *v = json_object_get(c, "v");
    printf("  %s = %.17g format %s (want %.17g, %s)\n", ref, json_number_value(v),
           json_string_value(json_object_get(c, "fmt")), want, fmt);
    assert_true(json_is_number(v));
    assert_true(json_number_value(v) == want);
    assert_string_equal(json_string_value(json_object_get(c, "t")), "n");
    assert_string_equal(json_string_value(json_object_get(c, "fmt")), fmt);
}

static void check_empty(json_t *s, const char *ref)
{
    printf("  %s empty\n", ref);
    assert_null(json_object_get(json_object_get(s, "cells"), ref));
}

static void check_string(const char *what, json_t *v, const char *want)
{
    const char *got = json_string_value(v);
    printf("  %s = %s (want %s)\n", what, got ? got : "(none)", want);
    assert_non_null(got);
    assert_string_equal(got, want);
}

static int dir_entries(void)
{
    DIR *d = opendir(test_dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *e; (e = readdir(d)) != NULL;)
        n += e->d_name[0] != '.' || (e->d_name[1] && strcmp(e->d_name, "..") != 0);
    assert_int_equal(closedir(d), 0);
    return n;
}

/* Three sheets, filled interleaved as the exports do: a register with a merged caption,
 * a frozen header, odd texts, numbers and ROWS rows; a figures sheet; an empty one. */
static void write_book(const char *path)
{
    char err[256] = "";
    xlsx_book *b = NULL;
    size_t reg, fig, empty;
    assert_int_equal(xlsx_new(path, test_dir, err, sizeof err, &b), 0);
    assert_int_equal(xlsx_sheet_add(b, "案件登记台账", &reg), 0);
    assert_int_equal(xlsx_sheet_add(b, "月度统计（2026／11）", &fig), 0);
    assert_int_equal(xlsx_sheet_add(b, "空表", &empty), 0);
    assert_int_equal(xlsx_text(b, reg, 0, 0, "贺兰县 综合台账", XLSX_CAPTION), 0);
    assert_int_equal(xlsx_merge(b, reg, 0, 0, 0, 3), 0);
    static const char *const head[] = {"编号", "说明", "数额", "比率"};
    for (uint32_t c = 0; c < 4; c++)
        assert_int_equal(xlsx_text(b, reg, 1, c, head[c], XLSX_HEADER), 0);
    assert_int_equal(xlsx_freeze(b, reg, 2, 0), 0);
    assert_int_equal(xlsx_text(b, fig, 0, 0, "项目", XLSX_HEADER), 0);
    /* Row 3: the odd texts, C3 skipped (a NaN) so D3 needs its reference. */
    assert_int_equal(xlsx_text(b, reg, 2, 0, "a&b<c>\"d\" 'e'", XLSX_PLAIN), 0);
    assert_int_equal(xlsx_text(b, reg, 2, 1, "坏\xFF字节\x01\x1F铃\r\n换行\x7F", XLSX_WRAP), 0);
    assert_int_equal(xlsx_number(b, reg, 2, 2, NAN, XLSX_PLAIN), 0);
    assert_int_equal(xlsx_number(b, reg, 2, 3, 0.935, XLSX_PERCENT), 0);
    /* Row 4: spaces at the ends, Excel's own escape, an empty text (nothing) before a number. */
    assert_int_equal(xlsx_text(b, reg, 3, 0, "  两端空格 ", XLSX_PLAIN), 0);
    assert_int_equal(xlsx_text(b, reg, 3, 1, "_x0041_ 与 _x12_", XLSX_PLAIN), 0);
    assert_int_equal(xlsx_text(b, reg, 3, 2, "", XLSX_PLAIN), 0);
    assert_int_equal(xlsx_number(b, reg, 3, 3, -2.5, XLSX_PLAIN), 0);
    assert_int_equal(xlsx_text(b, fig, 1, 1, "受理", XLSX_PLAIN), 0);
    /* Row 6 (row 5 left out): the numbers a ledger holds, and one past 15 digits. */
    assert_int_equal(xlsx_number(b, reg, 5, 0, 123456789012345.0, XLSX_PLAIN), 0);
    assert_int_equal(xlsx_number(b, reg, 5, 1, 0.1, XLSX_PLAIN), 0);
    assert_int_equal(xlsx_number(b, reg, 5, 2, 1e20, XLSX_PLAIN), 0);
    assert_int_equal(xlsx_number(b, reg, 5, 3, 1.0 / 3, XLSX_PERCENT), 0);
    for (uint32_t r = 6; r < ROWS; r++) {
        char text[64];
        snprintf(text, sizeof text, "贺兰县第%u号 邻里纠纷", r % 97);
        assert_int_equal(xlsx_number(b, reg, r, 0, r, XLSX_PLAIN), 0);
        assert_int_equal(xlsx_text(b, reg, r, 1, text, XLSX_PLAIN), 0);
    }
    assert_int_equal(xlsx_col_width(b, reg, 1, 24.5), 0);
    assert_int_equal(xlsx_col_width(b, fig, 0, 10), 0);
    printf("  written: %s\n", err[0] ? err : "no error");
    assert_int_equal(xlsx_close(&b), 0);
    assert_null(b);
}

static void test_read_back(void **state)
{
    (void)state;
    char path[4200];
    snprintf(path, sizeof path, "%s/book.xlsx", test_dir);
    write_book(path);
    assert_int_equal(dir_entries(), 1); /* the sheets' temporary files are gone */
    json_t *root = read_back(path);
    if (!root)
        return;
    json_t *s = sheet(root, 0);
    assert_int_equal(json_array_size(json_object_get(root, "sheets")), 3);
    check_string("sheet 1", json_object_get(s, "name"), "案件登记台账");
    check_string("sheet 2", json_object_get(sheet(root, 1), "name"), "月度统计（2026／11）");
    check_string("sheet 3", json_object_get(sheet(root, 2), "name"), "空表");
    check_text(s, "A1", "贺兰县 综合台账");
    assert_true(json_is_true(json_object_get(cell(s, "A1"), "bold")));
    check_string("merged", json_array_get(json_object_get(s, "merged"), 0), "A1:D1");
    check_string("frozen at", json_object_get(s, "freeze"), "A3");
    check_text(s, "C2", "数额");
    assert_true(json_is_true(json_object_get(cell(s, "C2"), "bold")));
    check_text(s, "A3", "a&b<c>\"d\" 'e'");
    check_text(s, "B3", "坏\xEF\xBF\xBD字节铃\r\n换行");
    check_empty(s, "C3");
    check_number(s, "D3", 0.935, "0.0%");
    check_text(s, "A4", "  两端空格 ");
    /* Excel reads _x0041_ in a text as "A"; escaped, it shows as typed. openpyxl reads the
     * text without unescaping, so this one is checked in the XML below. */
    check_empty(s, "C4");
    check_number(s, "D4", -2.5, "General");
    check_empty(s, "A5");
    check_number(s, "A6", 123456789012345.0, "General");
    check_number(s, "B6", 0.1, "General");
    check_number(s, "C6", 1e20, "General");
    check_number(s, "D6", 1.0 / 3, "0.0%");
    check_number(s, "A7", 6, "General");
    check_text(s, "B7", "贺兰县第6号 邻里纠纷");
    printf("  rows %lld (want %d)\n", json_integer_value(json_object_get(s, "rows")), ROWS);
    assert_int_equal(json_integer_value(json_object_get(s, "rows")), ROWS);
    json_t *w = json_object_get(json_object_get(s, "widths"), "B");
    assert_true(json_is_number(w) && json_number_value(w) == 24.5);
    json_t *f = sheet(root, 1);
    check_text(f, "A1", "项目");
    check_text(f, "B2", "受理");
    assert_true(json_is_null(json_object_get(f, "freeze")));
    assert_int_equal(json_object_size(json_object_get(sheet(root, 2), "cells")), 0);
    /* The XML itself: inline strings, numbers as numbers, references only after a gap. */
    const char *xml = json_string_value(json_object_get(root, "xml"));
    printf("  sheet1.xml starts: %.600s\n", xml);
    assert_non_null(strstr(xml, "<c s=\"1\" t=\"inlineStr\"><is><t>贺兰县 综合台账</t></is></c>"));
    assert_non_null(strstr(xml, "<t>a&amp;b&lt;c&gt;\"d\" 'e'</t>"));
    assert_non_null(strstr(xml, "&#13;"));
    assert_non_null(strstr(xml, "<c r=\"D3\" s=\"3\"><v>0.935</v></c>"));
    assert_non_null(strstr(xml, "<t xml:space=\"preserve\">  两端空格 </t>"));
    assert_non_null(strstr(xml, "_x005F_x0041_ 与 _x12_"));
    assert_non_null(strstr(xml, "<row r=\"7\"><c><v>6</v></c><c t=\"inlineStr\">"));
    /* Deflated at level 1: within 2% of zlib's own output at that level for the whole part in
     * one stream (ours is its head, its rows and its tail, each a piece), nearer it than
     * level 6's. */
    long long zipped = json_integer_value(json_object_get(root, "zipped"));
    long long l1 = json_integer_value(json_object_get(root, "level1"));
    long long l6 = json_integer_value(json_object_get(root, "level6"));
    printf("  sheet1.xml deflated to %lld bytes; zlib level 1: %lld, level 6: %lld\n", zipped,
           l1, l6);
    assert_int_equal(json_integer_value(json_object_get(root, "method")), 8);
    assert_true(llabs(zipped - l1) * 50 <= l1);
    assert_true(llabs(zipped - l1) < llabs(zipped - l6));
    json_decref(root);
}

/* Each kind of bad input: refused with a message naming it, the book still usable. */
static void test_bad_input(void **state)
{
    (void)state;
    char path[4200], err[256] = "";
    xlsx_book *b = NULL;
    size_t s, t;
    snprintf(path, sizeof path, "%s/missing/book.xlsx", test_dir);
    assert_int_equal(xlsx_new(path, test_dir, err, sizeof err, &b), -EIO);
    printf("  unwritable: %s\n", err);
    assert_non_null(strstr(err, "No such file"));
    assert_null(b);

    snprintf(path, sizeof path, "%s/book.xlsx", test_dir);
    assert_int_equal(xlsx_new(path, test_dir, err, sizeof err, &b), 0);
    assert_int_equal(xlsx_sheet_add(b, "台账", &s), 0);
    static const char *const invalid[] = {"", "a/b", "[x]", "'引号'", "行\n", "坏\xFF", "非\xEF\xBF\xBE",
        "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二"};
    for (size_t i = 0; i < sizeof invalid / sizeof invalid[0]; i++) {
        assert_int_equal(xlsx_sheet_add(b, invalid[i], &t), JF_EINVAL);
        printf("  name %zu: %s\n", i, err);
        assert_non_null(strstr(err, "not valid"));
    }
    assert_int_equal(xlsx_name_check(b, "HISTORY"), JF_EEXIST);
    assert_int_equal(xlsx_name_check(b, "台账"), JF_EEXIST);
    assert_int_equal(xlsx_sheet_add(b, "台账", &t), JF_EEXIST);
    printf("  duplicate: %s\n", err);
    assert_non_null(strstr(err, "already taken"));
    assert_int_equal(xlsx_name_check(b, "Taizhang"), 0);

    assert_int_equal(xlsx_text(b, s, 4, 2, "ok", XLSX_PLAIN), 0);
    assert_int_equal(xlsx_text(b, s, 4, 1, "before", XLSX_PLAIN), JF_EINVAL);
    printf("  out of order: %s\n", err);
    assert_non_null(strstr(err, "cell B5"));
    assert_int_equal(xlsx_number(b, s, 3, 7, 1, XLSX_PLAIN), JF_EINVAL);
    assert_int_equal(xlsx_text(b, s, 5, XLSX_COLS, "x", XLSX_PLAIN), JF_EINVAL);
    assert_int_equal(xlsx_text(b, s, 5, 0, "x", (enum xlsx_style)9), JF_EINVAL);
    assert_int_equal(xlsx_text(b, 7, 5, 0, "x", XLSX_PLAIN), JF_EINVAL);
    printf("  no sheet: %s\n", err);
    assert_non_null(strstr(err, "no sheet 8"));
    char *big = malloc(XLSX_TEXT_MAX + 2);
    assert_non_null(big);
    memset(big, 'x', XLSX_TEXT_MAX + 1);
    big[XLSX_TEXT_MAX + 1] = '\0';
    assert_int_equal(xlsx_text(b, s, 6, 0, big, XLSX_PLAIN), JF_EINVAL);
    printf("  long: %s\n", err);
    assert_non_null(strstr(err, "cell A7"));
    big[XLSX_TEXT_MAX] = '\0';
    assert_int_equal(xlsx_text(b, s, 6, 0, big, XLSX_PLAIN), 0);
    free(big);

    assert_int_equal(xlsx_merge(b, s, 0, 0, 0, 0), JF_EINVAL);
    assert_int_equal(xlsx_merge(b, s, 2, 3, 1, 3), JF_EINVAL);
    assert_int_equal(xlsx_merge(b, s, 0, 0, 1, 2), 0);
    assert_int_equal(xlsx_merge(b, s, 1, 2, 1, 4), JF_EINVAL);
    printf("  overlap: %s\n", err);
    assert_non_null(strstr(err, "C2:E2 overlaps"));
    assert_int_equal(xlsx_freeze(b, s, XLSX_ROWS, 0), JF_EINVAL);
    assert_int_equal(xlsx_col_width(b, s, 0, 0), JF_EINVAL);
    assert_int_equal(xlsx_col_width(b, s, 0, 300), JF_EINVAL);
    assert_int_equal(xlsx_col_width(b, s, XLSX_COLS, 10), JF_EINVAL);
    assert_int_equal(xlsx_close(&b), 0);
    json_t *root = read_back(path);
    if (!root)
        return;
    check_text(sheet(root, 0), "C5", "ok");
    check_string("merged", json_array_get(json_object_get(sheet(root, 0), "merged"), 0), "A1:C2");
    json_decref(root);
}

/* Abandoned: the temporary files go with the book; the file stays for the caller. */
static void test_free_unfinished(void **state)
{
    (void)state;
    char path[4200], err[256] = "";
    xlsx_book *b = NULL;
    size_t s;
    snprintf(path, sizeof path, "%s/book.xlsx", test_dir);
    assert_int_equal(xlsx_new(path, test_dir, err, sizeof err, &b), 0);
    assert_int_equal(xlsx_sheet_add(b, "一", &s), 0);
    assert_int_equal(xlsx_sheet_add(b, "二", &s), 0);
    xlsx_free(&b);
    assert_null(b);
    xlsx_free(&b);
    assert_int_equal(xlsx_close(&b), 0);
    assert_int_equal(dir_entries(), 1);
    char name[16];
    xlsx_cell_name(1048575, 16383, name);
    printf("  last cell: %s\n", name);
    assert_string_equal(name, "XFD1048576");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_back, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_bad_input, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_free_unfinished, test_dir_setup,
                                        test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
