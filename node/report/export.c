#include "report/export.h"
#include "report/csv.h"
#include "report/xlsxlib.h"
#include "array.h"

#include "error.h"
#include "utf8.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */
#define SHEET_UNITS 31             /* Excel's limit on a sheet name, in UTF-16 units */
#define WIDTH_PAD 2                /* Excel cuts text that exactly fills a column */
#define WIDTH_MIN 6
#define WIDTH_MAX 80

static int has(const char *s)
{
    return s && s[0];
}

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Returns rc, so a failure is reported and returned in one statement. */
static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

/* ---- arguments ---- */

static int check_table(const struct export_table *t, size_t i, char *err, size_t errlen)
{
    if (t->n_cols > 0 && !t->headers)
        return fail(err, errlen, JF_EINVAL, "table %zu: no headers", i + 1);
    if (t->n_cols > 0 && t->n_rows > SIZE_MAX / t->n_cols)
        return fail(err, errlen, JF_EINVAL, "table %zu: too many cells", i + 1);
    if (t->n_rows * t->n_cols > 0 && !t->cells)
        return fail(err, errlen, JF_EINVAL, "table %zu: no cells", i + 1);
    return 0;
}

static int check_tables(const struct export_table *t, size_t n_tables, char *err,
                        size_t errlen)
{
    if (n_tables > 0 && !t)
        return fail(err, errlen, JF_EINVAL, "no tables");
    for (size_t i = 0; i < n_tables; i++) {
        int rc = check_table(&t[i], i, err, errlen);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ---- UTF-8 ---- */

/* libxlsxwriter 1.1.4 copies invalid UTF-8 into the XML as is, and then no reader opens
 * the file; each stray byte becomes U+FFFD instead. Returns s itself when valid, else a
 * repaired copy left in *copy for the caller to free, or NULL if out of memory. */
static const char *repaired_text(const char *s, char **copy)
{
    *copy = NULL;
    if (!s)
        return "";
    if (utf8_valid(s))
        return s;
    size_t len = strlen(s);
    if (len > (SIZE_MAX - 1) / 3 || !(*copy = malloc(len * 3 + 1)))
        return NULL;
    const char *p = s;
    char *o = *copy;
    while (*p) {
        uint32_t c;
        size_t n = utf8_next(p, &c);
        memcpy(o, c == UTF8_BAD ? REPLACEMENT : p, c == UTF8_BAD ? 3 : n);
        o += c == UTF8_BAD ? 3 : n;
        p += n;
    }
    *o = '\0';
    return *copy;
}

/* Columns a character takes in a spreadsheet: wide ones are about twice as wide as a
 * digit in the default font; control characters take none. */
static size_t char_width(uint32_t c)
{
    return c < 0x20 || c == 0x7F ? 0 : (size_t)utf8_width(c);
}

/* The width of the longest line: a cell with line breaks is shown wrapped. */
static size_t text_width(const char *s)
{
    const char *p = s ? s : "";
    size_t widest = 0, line = 0;
    while (*p) {
        uint32_t c;
        p += utf8_next(p, &c);
        line = c == '\n' ? 0 : line + char_width(c);
        if (line > widest)
            widest = line;
    }
    return widest;
}

static int unknown_kinds(const struct export_cell *cells, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned)cells[i].kind > EXPORT_PERCENT)
            return 1;
    return 0;
}

int export_csv(const struct export_table *t, size_t n_tables, char **out, size_t *len)
{
    char *p = NULL;
    size_t n = 0;
    if (!out || !len)
        return JF_EINVAL;
    int rc = check_tables(t, n_tables, NULL, 0);
    for (size_t i = 0; rc == 0 && i < n_tables; i++)
        if (unknown_kinds(t[i].cells, t[i].n_rows * t[i].n_cols))
            rc = JF_EINVAL;
    if (rc != 0)
        return rc;
    FILE *f = open_memstream(&p, &n);
    if (!f)
        return -ENOMEM;
    fputs(CSV_BOM, f);
    for (size_t i = 0; i < n_tables; i++) {
        fputs(i ? CSV_CRLF : "", f);
        csv_head(f, t[i].title, t[i].caption, t[i].n_cols, t[i].headers);
        for (size_t r = 0; r < t[i].n_rows; r++)
            csv_row(f, &t[i].cells[r * t[i].n_cols], t[i].n_cols);
    }
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        free(p);
        return -ENOMEM;
    }
    *out = p;
    *len = n;
    return 0;
}

/* ---- XLSX ---- */

/* One workbook being written, and where its error message goes. */
struct xlsx {
    lxw_workbook *wb;
    lxw_format *caption, *header, *percent, *wrap;
    char sheet[LXW_MAX_SHEETNAME_LENGTH]; /* the sheet being written, for messages */
    char *err;
    size_t errlen;
};

static int lxw_code(lxw_error e)
{
    switch (e) {
    case LXW_ERROR_MEMORY_MALLOC_FAILED:
        return -ENOMEM;
    case LXW_ERROR_CREATING_XLSX_FILE:
    case LXW_ERROR_CREATING_TMPFILE:
    case LXW_ERROR_READING_TMPFILE:
    case LXW_ERROR_ZIP_FILE_OPERATION:
    case LXW_ERROR_ZIP_PARAMETER_ERROR:
    case LXW_ERROR_ZIP_BAD_ZIP_FILE:
    case LXW_ERROR_ZIP_INTERNAL_ERROR:
    case LXW_ERROR_ZIP_FILE_ADD:
    case LXW_ERROR_ZIP_CLOSE:
        return -EIO;
    default:
        return JF_EINVAL;
    }
}

/* Names the cell as staff see it ("C7") in the message. */
static int cell_fail(struct xlsx *x, lxw_error e, lxw_row_t r, lxw_col_t c)
{
    char cell[LXW_MAX_CELL_NAME_LENGTH];
    if (e == LXW_NO_ERROR)
        return 0;
    lxw_rowcol_to_cell(cell, r, c);
    return fail(x->err, x->errlen, lxw_code(e), "xlsx: sheet \"%s\" cell %s: %s", x->sheet,
                cell, lxw_strerror(e));
}

/* Full-width forms of the characters Excel refuses in a sheet name: "2026／11" reads as
 * staff wrote it, where "2026_11" would not. */
static const char *sheet_char(uint32_t c)
{
    switch (c) {
    case '[': return "［";
    case ']': return "］";
    case ':': return "：";
    case '*': return "＊";
    case '?': return "？";
    case '/': return "／";
    case '\\': return "＼";
    case UTF8_BAD: return REPLACEMENT;
    default: return NULL;
    }
}

/* s made valid as a sheet name into out (LXW_MAX_SHEETNAME_LENGTH bytes), cut to
 * max_units UTF-16 units: Excel counts those, libxlsxwriter 1.1.4 code points, and the two
 * differ for characters beyond the BMP (CJK Extension B, used in some names). */
static void sheet_base(const char *s, size_t max_units, char *out)
{
    const char *p = s;
    size_t units = 0, len = 0;
    while (*p == '\'')
        p++;
    while (*p) {
        uint32_t c;
        size_t n = utf8_next(p, &c);
        const char *sub = sheet_char(c);
        size_t bytes = sub ? strlen(sub) : n, u = c >= 0x10000 && c != UTF8_BAD ? 2 : 1;
        if (char_width(c) > 0) { /* control characters dropped */
            if (units + u > max_units)
                break;
            memcpy(out + len, sub ? sub : p, bytes);
            len += bytes;
            units += u;
        }
        p += n;
    }
    while (len > 0 && out[len - 1] == '\'')
        len--;
    out[len] = '\0';
}

/* libxlsxwriter 1.1.4 compares names without ASCII case, as Excel does. English Excel
 * keeps "History" for its change log. */
static int sheet_taken(lxw_workbook *wb, const char *name)
{
    return strcasecmp(name, "History") == 0 ||
           workbook_validate_sheet_name(wb, name) == LXW_ERROR_SHEETNAME_ALREADY_USED;
}

/* Picks the unique name of a sheet for title into x->sheet; "Sheet<number>" without a
 * title. Among n earlier sheets some suffix up to " (n + 2)" is free, so the loop ends. */
static int sheet_name(struct xlsx *x, const char *title, size_t number)
{
    char base[LXW_MAX_SHEETNAME_LENGTH];
    sheet_base(title ? title : "", SHEET_UNITS, base);
    if (!base[0])
        snprintf(base, sizeof base, "Sheet%zu", number);
    snprintf(x->sheet, sizeof x->sheet, "%s", base);
    for (size_t k = 2; sheet_taken(x->wb, x->sheet); k++) {
        char suffix[32];
        int n = snprintf(suffix, sizeof suffix, " (%zu)", k);
        sheet_base(base, SHEET_UNITS - (size_t)n, x->sheet);
        strcat(x->sheet, suffix);
    }
    lxw_error e = workbook_validate_sheet_name(x->wb, x->sheet);
    if (e != LXW_NO_ERROR)
        return fail(x->err, x->errlen, JF_EINVAL, "xlsx: sheet name \"%s\": %s", x->sheet,
                    lxw_strerror(e));
    return 0;
}

static int put_text(struct xlsx *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
                    const char *text, lxw_format *f)
{
    char *copy;
    const char *s = repaired_text(text, &copy);
    if (!s)
        return fail(x->err, x->errlen, -ENOMEM, "xlsx: out of memory");
    lxw_error e = worksheet_write_string(ws, r, c, s, f);
    free(copy);
    return cell_fail(x, e, r, c);
}

/* libxlsxwriter 1.1.4 refuses to merge a range of one cell, so a one-column table's
 * caption is an ordinary cell. */
static int put_caption(struct xlsx *x, lxw_worksheet *ws, const char *caption, size_t n_cols)
{
    if (n_cols < 2)
        return put_text(x, ws, 0, 0, caption, x->caption);
    char *copy;
    const char *s = repaired_text(caption, &copy);
    if (!s)
        return fail(x->err, x->errlen, -ENOMEM, "xlsx: out of memory");
    lxw_error e = worksheet_merge_range(ws, 0, 0, 0, (lxw_col_t)(n_cols - 1), s, x->caption);
    free(copy);
    return cell_fail(x, e, 0, 0);
}

static int put_cell(struct xlsx *x, lxw_worksheet *ws, lxw_row_t r, lxw_col_t c,
                    const struct export_cell *cell)
{
    lxw_format *f = cell->kind == EXPORT_PERCENT ? x->percent : NULL;
    if (cell->kind == EXPORT_TEXT)
        return put_text(x, ws, r, c, cell->text,
                        cell->text && strchr(cell->text, '\n') ? x->wrap : NULL);
    /* libxlsxwriter 1.1.4 writes NaN as <v>NAN</v>, which no reader accepts. */
    if (!isfinite(cell->number))
        return 0;
    return cell_fail(x, worksheet_write_number(ws, r, c, cell->number, f), r, c);
}

/* Columns as wide as their widest cell as formatted; libxlsxwriter 1.1.4 has no autofit. */
static size_t cell_width(const struct export_cell *c)
{
    char num[CSV_NUM_MAX] = "";
    switch (c->kind) {
    case EXPORT_TEXT:
        return text_width(c->text);
    case EXPORT_NUMBER:
        csv_number(c->number, num);
        break;
    case EXPORT_PERCENT:
        csv_percent(c->number, num);
        return strlen(num) + (strchr(num, '.') ? 0 : 2); /* "0.0%" shows "100%" as "100.0%" */
    }
    return strlen(num);
}

static int make_formats(struct xlsx *x)
{
    x->caption = workbook_add_format(x->wb);
    x->header = workbook_add_format(x->wb);
    x->percent = workbook_add_format(x->wb);
    x->wrap = workbook_add_format(x->wb);
    if (!x->caption || !x->header || !x->percent || !x->wrap)
        return fail(x->err, x->errlen, -ENOMEM, "xlsx: out of memory");
    format_set_bold(x->caption);
    format_set_align(x->caption, LXW_ALIGN_CENTER);
    format_set_align(x->caption, LXW_ALIGN_VERTICAL_CENTER);
    format_set_bold(x->header);
    format_set_border(x->header, LXW_BORDER_THIN);
    format_set_align(x->header, LXW_ALIGN_CENTER);
    format_set_align(x->header, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(x->header);
    format_set_num_format(x->percent, "0.0%");
    format_set_text_wrap(x->wrap);
    return 0;
}

/* Creating the file first puts the system's reason in the message: libxlsxwriter only
 * fails at workbook_close, after all the work, says "Usually a permissions error" and
 * prints to stderr. */
static int create_file(const char *path, char *err, size_t errlen)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return fail(err, errlen, -EIO, "xlsx: %s: %s", path, strerror(errno));
    if (fclose(f) != 0) {
        int e = errno;
        (void)unlink(path); /* nothing more to do if that fails too */
        return fail(err, errlen, -EIO, "xlsx: %s: %s", path, strerror(e));
    }
    return 0;
}

/* ---- the file being written ---- */

/* One table: what every sheet of it repeats, and where its rows go. */
struct table {
    char *title, *caption;
    char **headers;
    size_t n_cols;
    size_t *widths;          /* XLSX: the widest cell of each column so far */
    lxw_worksheet **sheets;  /* XLSX: its sheets; rows go to the last */
    size_t n_sheets, cap_sheets;
    lxw_row_t row;           /* XLSX: the next row of the last sheet */
    FILE *part;              /* CSV: its lines, until the file is closed */
};

struct export_file {
    enum export_format format;
    char *path, *dir;
    struct table *t;
    size_t n, cap;
    struct xlsx x;           /* XLSX: the workbook; its err is the file's, for CSV too */
    FILE *csv;               /* CSV: the file */
};

static void table_free(struct table *t)
{
    free(t->title);
    free(t->caption);
    for (size_t c = 0; t->headers && c < t->n_cols; c++)
        free(t->headers[c]);
    free(t->headers);
    free(t->widths);
    free(t->sheets);
    if (t->part)
        fclose(t->part);
}

static void file_free(export_file *f)
{
    for (size_t i = 0; i < f->n; i++)
        table_free(&f->t[i]);
    free(f->t);
    if (f->x.wb)
        lxw_workbook_free(f->x.wb); /* exported by 1.1.4; workbook_close would zip it */
    if (f->csv)
        fclose(f->csv);
    free(f->path);
    free(f->dir);
    free(f);
}

static char *copy_of(const char *s)
{
    return strdup(s ? s : "");
}

/* An anonymous temporary file in dir: named only until it is open. */
static FILE *temp_part(const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.export-XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd < 0)
        return NULL;
    (void)unlink(path); /* open, it lives on; closed, it is gone */
    FILE *f = fdopen(fd, "w+b");
    if (!f)
        close(fd);
    return f;
}

/* A new sheet for table t, with its caption and header, frozen below them. */
static int new_sheet(export_file *f, struct table *t)
{
    struct xlsx *x = &f->x;
    lxw_row_t head = has(t->caption) ? 1 : 0;
    lxw_worksheet **g = array_room(t->sheets, t->n_sheets, &t->cap_sheets, sizeof *g, 4);
    if (!g)
        return fail(x->err, x->errlen, -ENOMEM, "xlsx: out of memory");
    t->sheets = g;
    int rc = sheet_name(x, t->title, (size_t)(t - f->t) + 1);
    if (rc != 0)
        return rc;
    lxw_worksheet *ws = workbook_add_worksheet(x->wb, x->sheet);
    if (!ws)
        return fail(x->err, x->errlen, -ENOMEM, "xlsx: out of memory");
    t->sheets[t->n_sheets++] = ws;
    if (head && (rc = put_caption(x, ws, t->caption, t->n_cols)) != 0)
        return rc;
    for (size_t c = 0; c < t->n_cols; c++)
        if ((rc = put_text(x, ws, head, (lxw_col_t)c, t->headers[c], x->header)) != 0)
            return rc;
    /* Scrolling a month of cases keeps the caption and the header in view. */
    worksheet_freeze_panes(ws, head + 1, 0);
    t->row = head + 1;
    return 0;
}

static int fit_columns(struct xlsx *x, const struct table *t)
{
    for (size_t s = 0; s < t->n_sheets; s++)
        for (size_t c = 0; c < t->n_cols; c++) {
            double width = (double)(t->widths[c] + WIDTH_PAD);
            width = width < WIDTH_MIN ? WIDTH_MIN : width > WIDTH_MAX ? WIDTH_MAX : width;
            lxw_error e =
                worksheet_set_column(t->sheets[s], (lxw_col_t)c, (lxw_col_t)c, width, NULL);
            if (e != LXW_NO_ERROR)
                return cell_fail(x, e, 0, (lxw_col_t)c);
        }
    return 0;
}

/* Creates the file: for XLSX a workbook in constant-memory mode. On failure nothing is left
 * at path. */
static int start(export_file *f)
{
    struct xlsx *x = &f->x;
    if (f->format == EXPORT_CSV) {
        if (!(f->csv = fopen(f->path, "wb")))
            return fail(x->err, x->errlen, -EIO, "csv: %s: %s", f->path, strerror(errno));
        return 0;
    }
    int rc = xlsxlib_load(x->err, x->errlen);
    if (rc != 0 || (rc = create_file(f->path, x->err, x->errlen)) != 0)
        return rc;
    /* Each row goes to disk when the next begins: a register of a million rows is written
     * in the memory of one. Its temporary files stay next to the file. */
    lxw_workbook_options o = {.constant_memory = LXW_TRUE, .tmpdir = f->dir};
    if (!(x->wb = workbook_new_opt(f->path, &o)))
        rc = fail(x->err, x->errlen, -ENOMEM, "xlsx: out of memory");
    else
        rc = make_formats(x);
    if (rc != 0)
        (void)unlink(f->path);
    return rc;
}

int export_open(enum export_format format, const char *path, char *err, size_t errlen,
                export_file **out)
{
    *out = NULL;
    if (err && errlen > 0)
        err[0] = '\0';
    if (!path)
        return fail(err, errlen, JF_EINVAL, "export: no path");
    export_file *f = calloc(1, sizeof *f);
    char *p = strdup(path);
    if (!f || !p || !(f->path = strdup(path)) || !(f->dir = strdup(dirname(p)))) {
        free(p);
        if (f)
            file_free(f);
        return fail(err, errlen, -ENOMEM, "export: out of memory");
    }
    free(p);
    f->format = format;
    f->x.err = err;
    f->x.errlen = errlen;
    int rc = start(f);
    if (rc != 0) {
        file_free(f);
        return rc;
    }
    *out = f;
    return 0;
}

static int table_init(export_file *f, struct table *t, const char *title, const char *caption,
                      size_t n_cols, const char *const *headers)
{
    t->n_cols = n_cols;
    if (!(t->title = copy_of(title)) || !(t->caption = copy_of(caption)) ||
        !(t->headers = calloc(n_cols + 1, sizeof *t->headers)) ||
        !(t->widths = calloc(n_cols + 1, sizeof *t->widths)))
        return fail(f->x.err, f->x.errlen, -ENOMEM, "export: out of memory");
    for (size_t c = 0; c < n_cols; c++) {
        if (!(t->headers[c] = copy_of(headers[c])))
            return fail(f->x.err, f->x.errlen, -ENOMEM, "export: out of memory");
        t->widths[c] = text_width(t->headers[c]);
    }
    if (f->format == EXPORT_XLSX)
        return new_sheet(f, t);
    if (!(t->part = temp_part(f->dir)))
        return fail(f->x.err, f->x.errlen, -EIO, "csv: temporary file in %s: %s", f->dir,
                    strerror(errno));
    csv_head(t->part, t->title, t->caption, n_cols, (const char *const *)t->headers);
    return 0;
}

int export_add_table(export_file *f, const char *title, const char *caption, size_t n_cols,
                     const char *const *headers, size_t *table)
{
    if (n_cols > 0 && !headers)
        return fail(f->x.err, f->x.errlen, JF_EINVAL, "table %zu: no headers", f->n + 1);
    if (f->format == EXPORT_XLSX && n_cols > LXW_COL_MAX)
        return fail(f->x.err, f->x.errlen, JF_EINVAL, "table %zu: %zu columns, a sheet holds %d",
                    f->n + 1, n_cols, LXW_COL_MAX);
    struct table *g = array_room(f->t, f->n, &f->cap, sizeof *g, 8);
    if (!g)
        return fail(f->x.err, f->x.errlen, -ENOMEM, "export: out of memory");
    f->t = g;
    struct table *t = &f->t[f->n++];
    memset(t, 0, sizeof *t);
    *table = f->n - 1;
    return table_init(f, t, title, caption, n_cols, headers);
}

static int xlsx_row(export_file *f, struct table *t, const struct export_cell *cells)
{
    int rc = t->row < LXW_ROW_MAX ? 0 : new_sheet(f, t);
    for (size_t c = 0; rc == 0 && c < t->n_cols; c++) {
        size_t w = cell_width(&cells[c]);
        t->widths[c] = w > t->widths[c] ? w : t->widths[c];
        rc = put_cell(&f->x, t->sheets[t->n_sheets - 1], t->row, (lxw_col_t)c, &cells[c]);
    }
    t->row++;
    return rc;
}

int export_row(export_file *f, size_t table, const struct export_cell *cells)
{
    if (table >= f->n)
        return fail(f->x.err, f->x.errlen, JF_EINVAL, "export: no table %zu", table + 1);
    struct table *t = &f->t[table];
    if (t->n_cols > 0 && !cells)
        return fail(f->x.err, f->x.errlen, JF_EINVAL, "table %zu: no cells", table + 1);
    for (size_t c = 0; c < t->n_cols; c++)
        if ((unsigned)cells[c].kind > EXPORT_PERCENT)
            return fail(f->x.err, f->x.errlen, JF_EINVAL, "table %zu: column %zu: unknown kind %u",
                        table + 1, c + 1, (unsigned)cells[c].kind);
    if (f->format == EXPORT_XLSX)
        return xlsx_row(f, t, cells);
    csv_row(t->part, cells, t->n_cols);
    return ferror(t->part) ? fail(f->x.err, f->x.errlen, -EIO, "csv: temporary file: %s",
                                  strerror(errno))
                           : 0;
}

/* The CSV: a BOM, then each table's lines, one empty line between tables. */
static int csv_join(export_file *f)
{
    char buf[65536];
    int ok = fputs(CSV_BOM, f->csv) >= 0;
    for (size_t i = 0; ok && i < f->n; i++) {
        FILE *part = f->t[i].part;
        ok = fputs(i ? CSV_CRLF : "", f->csv) >= 0 && fflush(part) == 0 &&
             fseek(part, 0, SEEK_SET) == 0;
        for (size_t n; ok && (n = fread(buf, 1, sizeof buf, part)) > 0;)
            ok = fwrite(buf, 1, n, f->csv) == n;
        ok = ok && !ferror(part);
    }
    int e = errno;
    if (fclose(f->csv) != 0 && ok)
        ok = 0, e = errno;
    f->csv = NULL;
    return ok ? 0 : fail(f->x.err, f->x.errlen, -EIO, "csv: %s: %s", f->path, strerror(e));
}

static int xlsx_finish(export_file *f)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < f->n; i++)
        rc = fit_columns(&f->x, &f->t[i]);
    if (rc != 0)
        return rc;
    lxw_error e = workbook_close(f->x.wb); /* frees the workbook, whatever it returns */
    f->x.wb = NULL;
    if (e != LXW_NO_ERROR)
        return fail(f->x.err, f->x.errlen, lxw_code(e), "xlsx: %s: %s", f->path,
                    lxw_strerror(e));
    return 0;
}

int export_close(export_file **fp)
{
    export_file *f = *fp;
    if (!f)
        return 0;
    *fp = NULL;
    int rc = f->format == EXPORT_XLSX ? xlsx_finish(f) : csv_join(f);
    if (rc != 0)
        (void)unlink(f->path); /* the error already says why; a leftover is the lesser harm */
    file_free(f);
    return rc;
}

void export_abort(export_file **fp)
{
    export_file *f = *fp;
    if (!f)
        return;
    *fp = NULL;
    (void)unlink(f->path);
    file_free(f);
}

/* ---- whole tables at once ---- */

static int put_table(export_file *f, const struct export_table *t)
{
    size_t id;
    int rc = export_add_table(f, t->title, t->caption, t->n_cols, t->headers, &id);
    for (size_t r = 0; rc == 0 && r < t->n_rows; r++)
        rc = export_row(f, id, &t->cells[r * t->n_cols]);
    return rc;
}

int export_xlsx(const struct export_table *t, size_t n_tables, const char *path, char *err,
                size_t errlen)
{
    export_file *f = NULL;
    if (err && errlen > 0)
        err[0] = '\0';
    int rc = check_tables(t, n_tables, err, errlen);
    if (rc == 0)
        rc = export_open(EXPORT_XLSX, path, err, errlen, &f);
    for (size_t i = 0; rc == 0 && i < n_tables; i++)
        rc = put_table(f, &t[i]);
    if (rc != 0) {
        export_abort(&f);
        return rc;
    }
    return export_close(&f);
}
