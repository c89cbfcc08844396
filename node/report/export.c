#include "report/export.h"
#include "report/csv.h"
#include "report/xlsx.h"
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
    xlsx_book *book;
    char *err;
    size_t errlen;
};

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

/* s made valid as a sheet name into out (XLSX_NAME_MAX bytes), cut to max_units UTF-16
 * units: Excel counts those, not code points, and the two differ for characters beyond the
 * BMP (CJK Extension B, used in some names). */
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

/* Picks the unique name of a sheet for title into name; "Sheet<number>" without a title.
 * Among n earlier sheets some suffix up to " (n + 2)" is free, so the loop ends. */
static void sheet_name(const struct xlsx *x, const char *title, size_t number,
                       char name[XLSX_NAME_MAX])
{
    char base[XLSX_NAME_MAX];
    sheet_base(title ? title : "", XLSX_NAME_UNITS, base);
    if (!base[0])
        snprintf(base, sizeof base, "Sheet%zu", number);
    snprintf(name, XLSX_NAME_MAX, "%s", base);
    for (size_t k = 2; xlsx_name_check(x->book, name) == JF_EEXIST; k++) {
        char suffix[32];
        int n = snprintf(suffix, sizeof suffix, " (%zu)", k);
        sheet_base(base, XLSX_NAME_UNITS - (size_t)n, name);
        strcat(name, suffix);
    }
}

static int put_cell(struct xlsx *x, size_t sheet, uint32_t r, uint32_t c,
                    const struct export_cell *cell)
{
    if (cell->kind == EXPORT_TEXT)
        return xlsx_text(x->book, sheet, r, c, cell->text,
                         cell->text && strchr(cell->text, '\n') ? XLSX_WRAP : XLSX_PLAIN);
    return xlsx_number(x->book, sheet, r, c, cell->number,
                       cell->kind == EXPORT_PERCENT ? XLSX_PERCENT : XLSX_PLAIN);
}

/* Columns as wide as their widest cell as formatted: a spreadsheet file has no autofit. */
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

/* ---- the file being written ---- */

/* One table: what every sheet of it repeats, and where its rows go. */
struct table {
    char *title, *caption;
    char **headers;
    size_t n_cols;
    size_t *widths;          /* XLSX: the widest cell of each column so far */
    size_t *sheets;          /* XLSX: its sheets; rows go to the last */
    size_t n_sheets, cap_sheets;
    uint32_t row;            /* XLSX: the next row of the last sheet */
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
    xlsx_free(&f->x.book);
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
    uint32_t head = has(t->caption) ? 1 : 0;
    char name[XLSX_NAME_MAX];
    size_t ws, *g = array_room(t->sheets, t->n_sheets, &t->cap_sheets, sizeof *g, 4);
    if (!g)
        return fail(x->err, x->errlen, -ENOMEM, "xlsx: out of memory");
    t->sheets = g;
    sheet_name(x, t->title, (size_t)(t - f->t) + 1, name);
    int rc = xlsx_sheet_add(x->book, name, &ws);
    if (rc != 0)
        return rc;
    t->sheets[t->n_sheets++] = ws;
    /* The caption is one cell across the table: a one-column table's needs no merging. */
    if (head && ((rc = xlsx_text(x->book, ws, 0, 0, t->caption, XLSX_CAPTION)) != 0 ||
                 (t->n_cols > 1 &&
                  (rc = xlsx_merge(x->book, ws, 0, 0, 0, (uint32_t)t->n_cols - 1)) != 0)))
        return rc;
    for (size_t c = 0; c < t->n_cols; c++)
        if ((rc = xlsx_text(x->book, ws, head, (uint32_t)c, t->headers[c], XLSX_HEADER)) != 0)
            return rc;
    t->row = head + 1;
    /* Scrolling a month of cases keeps the caption and the header in view. */
    return xlsx_freeze(x->book, ws, head + 1, 0);
}

static int fit_columns(struct xlsx *x, const struct table *t)
{
    for (size_t s = 0; s < t->n_sheets; s++)
        for (size_t c = 0; c < t->n_cols; c++) {
            double width = (double)(t->widths[c] + WIDTH_PAD);
            width = width < WIDTH_MIN ? WIDTH_MIN : width > WIDTH_MAX ? WIDTH_MAX : width;
            int rc = xlsx_col_width(x->book, t->sheets[s], (uint32_t)c, width);
            if (rc != 0)
                return rc;
        }
    return 0;
}

/* Creates the file. On failure nothing is left at path. */
static int start(export_file *f)
{
    struct xlsx *x = &f->x;
    if (f->format == EXPORT_CSV) {
        if (!(f->csv = fopen(f->path, "wb")))
            return fail(x->err, x->errlen, -EIO, "csv: %s: %s", f->path, strerror(errno));
        return 0;
    }
    /* Its temporary files stay next to the file, on the same disk. */
    return xlsx_new(f->path, f->dir, x->err, x->errlen, &x->book);
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
    if (f->format == EXPORT_XLSX && n_cols > XLSX_COLS)
        return fail(f->x.err, f->x.errlen, JF_EINVAL, "table %zu: %zu columns, a sheet holds %u",
                    f->n + 1, n_cols, XLSX_COLS);
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
    int rc = t->row < XLSX_ROWS ? 0 : new_sheet(f, t);
    for (size_t c = 0; rc == 0 && c < t->n_cols; c++) {
        size_t w = cell_width(&cells[c]);
        t->widths[c] = w > t->widths[c] ? w : t->widths[c];
        rc = put_cell(&f->x, t->sheets[t->n_sheets - 1], t->row, (uint32_t)c, &cells[c]);
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
    return xlsx_close(&f->x.book);
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
