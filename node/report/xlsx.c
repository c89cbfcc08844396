/* xlsx — a streaming XLSX writer on our zip, its rows deflated on a second thread (see
 * xlsx.h, common/zipw.h, common/zipq.h). */
#include "report/xlsx.h"
#include "array.h"

#include "error.h"
#include "utf8.h"
#include "zipq.h"
#include "zipw.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define BUF_SIZE (256 * 1024) /* a sheet's rows gathered before each is queued for deflating */
#define N_STYLES (XLSX_WRAP + 1)

#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"
#define NS_MAIN "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define NS_REL "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
#define NS_PKG "http://schemas.openxmlformats.org/package/2006/relationships"
#define CT_BASE "application/vnd.openxmlformats-"

struct range {
    uint32_t r1, c1, r2, c2;
};

/* A sheet's rows deflated into a temporary file by the queue's thread: apart from the sheet,
 * whose place in the book's array may move while the thread writes. */
struct rows {
    int fd;
    zipw_def *def;
};

struct sheet {
    char name[XLSX_NAME_MAX];
    struct rows *rows;
    char *buf;         /* BUF_SIZE bytes of XML (the queue's) not yet queued */
    size_t n;
    uint32_t row;      /* 1 + the open row; 0 before the first */
    uint32_t next_col; /* the column right of the open row's last cell */
    uint32_t ref_col;  /* the column a reader takes a cell without reference for */
    uint32_t freeze_rows, freeze_cols;
    double *widths;    /* by column; 0: the default */
    size_t n_widths;
    struct range *merged;
    size_t n_merged, cap_merged;
};

struct xlsx_book {
    int fd;
    char *path, *tmpdir;
    struct sheet *s;
    size_t n, cap;
    char *err;
    size_t errlen;
    zipq *q; /* deflates the rows as they come */
};

static int fail(xlsx_book *b, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Returns rc, so a failure is reported and returned in one statement. */
static int fail(xlsx_book *b, int rc, const char *fmt, ...)
{
    if (b->err && b->errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(b->err, b->errlen, fmt, ap);
        va_end(ap);
    }
    return rc;
}

void xlsx_cell_name(uint32_t row, uint32_t col, char out[16])
{
    char letters[4];
    size_t n = 0;
    for (uint32_t c = col + 1; c > 0 && n < sizeof letters; c = (c - 1) / 26)
        letters[n++] = (char)('A' + (c - 1) % 26);
    size_t o = 0;
    while (n > 0)
        out[o++] = letters[--n];
    snprintf(out + o, 16 - o, "%u", row + 1);
}

/* ---- the book ---- */

int xlsx_new(const char *path, const char *tmpdir, char *err, size_t errlen, xlsx_book **out)
{
    *out = NULL;
    xlsx_book *b = calloc(1, sizeof *b);
    if (!b) {
        if (err && errlen)
            snprintf(err, errlen, "xlsx: out of memory");
        return -ENOMEM;
    }
    b->err = err;
    b->errlen = errlen;
    b->fd = -1;
    if (!(b->path = strdup(path)) || !(b->tmpdir = strdup(tmpdir))) {
        xlsx_free(&b);
        return -ENOMEM;
    }
    b->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    int rc = b->fd < 0 ? fail(b, -EIO, "xlsx: %s: %s", path, strerror(errno)) : 0;
    if (rc == 0 && zipq_new(BUF_SIZE, &b->q) != 0)
        rc = fail(b, -ENOMEM, "xlsx: out of memory (the deflating thread)");
    if (rc != 0) {
        xlsx_free(&b);
        return rc;
    }
    *out = b;
    return 0;
}

/* Frees what the sheet holds but its buffer (the queue's): after the queue has stopped. */
static void sheet_clear(struct sheet *s)
{
    if (s->rows && s->rows->fd >= 0)
        close(s->rows->fd);
    if (s->rows)
        zipw_def_free(s->rows->def);
    free(s->rows);
    free(s->widths);
    free(s->merged);
}

void xlsx_free(xlsx_book **bp)
{
    xlsx_book *b = *bp;
    if (!b)
        return;
    *bp = NULL;
    zipq_free(b->q); /* first: its thread may be writing the sheets' rows */
    for (size_t i = 0; i < b->n; i++)
        sheet_clear(&b->s[i]);
    free(b->s);
    if (b->fd >= 0)
        close(b->fd);
    free(b->path);
    free(b->tmpdir);
    free(b);
}

/* ---- sheet names ---- */

/* Excel's rules for a name, apart from uniqueness: 0 or JF_EINVAL. */
static int name_valid(const char *name)
{
    size_t units = 0, len = strlen(name);
    if (len == 0 || name[0] == '\'' || name[len - 1] == '\'')
        return JF_EINVAL;
    for (const char *p = name; *p;) {
        uint32_t c;
        p += utf8_next(p, &c);
        if (c == UTF8_BAD || c < 0x20 || c == 0x7F || c == 0xFFFE || c == 0xFFFF ||
            (c < 0x80 && strchr("[]:*?/\\", (int)c)))
            return JF_EINVAL;
        units += c >= 0x10000 ? 2 : 1;
    }
    return units > XLSX_NAME_UNITS ? JF_EINVAL : 0;
}

int xlsx_name_check(const xlsx_book *b, const char *name)
{
    if (!name || name_valid(name) != 0)
        return JF_EINVAL;
    if (strcasecmp(name, "History") == 0)
        return JF_EEXIST;
    for (size_t i = 0; i < b->n; i++)
        if (strcasecmp(b->s[i].name, name) == 0)
            return JF_EEXIST;
    return 0;
}

/* An anonymous temporary file in dir: named only until it is open. */
static int temp_fd(const char *dir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/.xlsx-XXXXXX", dir);
    int fd = mkostemp(path, O_CLOEXEC);
    if (fd >= 0)
        (void)unlink(path); /* open, it lives on; closed, it is gone */
    return fd;
}

int xlsx_sheet_add(xlsx_book *b, const char *name, size_t *sheet)
{
    int rc = xlsx_name_check(b, name);
    if (rc != 0)
        return fail(b, rc, "xlsx: sheet name \"%s\": %s", name ? name : "",
                    rc == JF_EEXIST ? "already taken"
                                    : "not valid in Excel (1 to 31 characters, none of "
                                      "[]:*?/\\, no apostrophe first or last)");
    struct sheet *g = array_room(b->s, b->n, &b->cap, sizeof *g, 4);
    if (!g)
        return fail(b, -ENOMEM, "xlsx: out of memory");
    b->s = g;
    struct sheet *s = &b->s[b->n];
    memset(s, 0, sizeof *s);
    snprintf(s->name, sizeof s->name, "%s", name);
    if ((s->rows = malloc(sizeof *s->rows)))
        *s->rows = (struct rows){-1, NULL};
    if (!s->rows || !(s->buf = zipq_buffer(b->q))) {
        sheet_clear(s);
        return fail(b, -ENOMEM, "xlsx: out of memory");
    }
    if ((s->rows->fd = temp_fd(b->tmpdir)) < 0)
        rc = fail(b, -EIO, "xlsx: temporary file in %s: %s", b->tmpdir, strerror(errno));
    else if (zipw_def_new(zipw_fd_sink, &s->rows->fd, &s->rows->def) != 0)
        rc = fail(b, -ENOMEM, "xlsx: out of memory");
    if (rc != 0) {
        sheet_clear(s);
        return rc;
    }
    *sheet = b->n++;
    return 0;
}

/* ---- a sheet's rows ---- */

/* Queues the sheet's buffer for deflating and takes an empty one. */
static int flush(xlsx_book *b, struct sheet *s)
{
    if (s->n == 0)
        return 0;
    char *next = zipq_buffer(b->q);
    if (!next)
        return fail(b, -ENOMEM, "xlsx: out of memory");
    int rc = zipq_submit(b->q, s->rows->def, s->buf, s->n);
    s->buf = next;
    s->n = 0;
    return rc == 0 ? 0 : fail(b, -EIO, "xlsx: deflating the rows: %s", strerror(-rc));
}

/* Room for need more bytes in s->buf (need <= BUF_SIZE). */
static int room(xlsx_book *b, struct sheet *s, size_t need)
{
    return s->n + need <= BUF_SIZE ? 0 : flush(b, s);
}

static void put(struct sheet *s, const char *p, size_t len)
{
    memcpy(s->buf + s->n, p, len);
    s->n += len;
}

#define PUT_LIT(s, lit) put((s), (lit), sizeof(lit) - 1)

/* Checks that (row, col) comes after the sheet's last cell and that its style exists, and
 * makes room for the XML that opens it; changes nothing else, so a refused cell leaves the
 * sheet as it was. */
static int position(xlsx_book *b, size_t sheet, uint32_t row, uint32_t col, int style,
                    struct sheet **out)
{
    if (sheet >= b->n)
        return fail(b, JF_EINVAL, "xlsx: no sheet %zu", sheet + 1);
    struct sheet *s = &b->s[sheet];
    if (row >= XLSX_ROWS || col >= XLSX_COLS)
        return fail(b, JF_EINVAL, "xlsx: sheet \"%s\": row %u column %u is past the sheet's edge",
                    s->name, row + 1, col + 1);
    int late = row + 1 < s->row || (row + 1 == s->row && col < s->next_col);
    if ((unsigned)style >= N_STYLES || late) { /* the cell's name only then: a snprintf */
        char cell[16];
        xlsx_cell_name(row, col, cell);
        return late ? fail(b, JF_EINVAL, "xlsx: sheet \"%s\" cell %s: written after a later "
                           "cell", s->name, cell)
                    : fail(b, JF_EINVAL, "xlsx: sheet \"%s\" cell %s: unknown style %d",
                           s->name, cell, style);
    }
    *out = s;
    return room(b, s, 192);
}

/* Writes the decimal digits of v into s: snprintf's format parsing per cell, 13 million
 * times for a month's register, cost more than the deflate. */
static void put_uint(struct sheet *s, uint32_t v)
{
    char digits[10];
    size_t n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) > 0);
    while (n > 0)
        s->buf[s->n++] = digits[--n];
}

/* Opens a cell (and its row, if new): <c, its reference when it does not follow the last
 * cell written (a reader counts on from there), its style, its type (" t=..." or ""), and
 * the close of the tag (">", or "/>" for a cell with no value). */
static void open_cell(struct sheet *s, uint32_t row, uint32_t col, int style, const char *type,
                      const char *close)
{
    if (row + 1 != s->row) {
        if (s->row)
            PUT_LIT(s, "</row>");
        PUT_LIT(s, "<row r=\"");
        put_uint(s, row + 1);
        PUT_LIT(s, "\">");
        s->row = row + 1;
        s->ref_col = 0;
    }
    PUT_LIT(s, "<c");
    if (col != s->ref_col) {
        char cell[16];
        xlsx_cell_name(row, col, cell);
        PUT_LIT(s, " r=\"");
        put(s, cell, strlen(cell));
        PUT_LIT(s, "\"");
    }
    if (style) {
        PUT_LIT(s, " s=\"");
        put_uint(s, (uint32_t)style);
        PUT_LIT(s, "\"");
    }
    put(s, type, strlen(type));
    put(s, close, strlen(close));
    s->next_col = s->ref_col = col + 1;
}

/* Whether a text needs xml:space="preserve": white space at either end is otherwise lost. */
static int space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int edge_space(const char *t, size_t len)
{
    return len > 0 && (space(t[0]) || space(t[len - 1]));
}

/* Excel reads _xHHHH_ in a text as the character HHHH: its own underscore is escaped so. */
static int excel_escape_at(const char *p)
{
    if (p[0] != '_' || p[1] != 'x')
        return 0;
    for (int i = 2; i < 6; i++)
        if (!p[i] || !strchr("0123456789abcdefABCDEF", p[i]))
            return 0;
    return p[6] == '_';
}

/* Whether c may stand in the XML: XML 1.0 forbids the other control characters and
 * U+FFFE/U+FFFF, which are dropped; DEL it allows, but Excel shows it as a box. */
static int shown(uint32_t c)
{
    return (c >= 0x20 || c == '\t' || c == '\n') && c != 0x7F && c != 0xFFFE && c != 0xFFFF;
}

/* Writes text escaped for XML into s. */
static int escape(xlsx_book *b, struct sheet *s, const char *t)
{
    const char *p = t;
    while (*p) {
        int rc = room(b, s, 72);
        if (rc != 0)
            return rc;
        /* Plain ASCII runs are copied as they are: most of a ledger. */
        const char *q = p;
        while ((unsigned char)*q >= 0x20 && (unsigned char)*q < 0x7F && *q != '&' && *q != '<' &&
               *q != '>' && *q != '_' && q - p < 64)
            q++;
        if (q > p) {
            put(s, p, (size_t)(q - p));
            p = q;
            continue;
        }
        uint32_t c;
        size_t n = utf8_next(p, &c);
        if (c == '&')
            PUT_LIT(s, "&amp;");
        else if (c == '<')
            PUT_LIT(s, "&lt;");
        else if (c == '>')
            PUT_LIT(s, "&gt;");
        else if (c == '\r')
            PUT_LIT(s, "&#13;"); /* a bare CR would be read as a line feed */
        else if (c == '_' && excel_escape_at(p))
            PUT_LIT(s, "_x005F_");
        else if (c == UTF8_BAD)
            PUT_LIT(s, "\xEF\xBF\xBD");
        else if (shown(c))
            put(s, p, n);
        p += n;
    }
    return 0;
}

int xlsx_text(xlsx_book *b, size_t sheet, uint32_t row, uint32_t col, const char *text,
              enum xlsx_style style)
{
    struct sheet *s = NULL;
    const char *t = text ? text : "";
    int rc = position(b, sheet, row, col, (int)style, &s);
    if (rc != 0)
        return rc;
    if (!t[0]) {
        if (style != XLSX_PLAIN)
            open_cell(s, row, col, (int)style, "", "/>");
        return 0;
    }
    size_t len = strlen(t), chars = 0;
    if (len > XLSX_TEXT_MAX && (chars = utf8_chars(t)) > XLSX_TEXT_MAX) {
        char cell[16];
        xlsx_cell_name(row, col, cell);
        return fail(b, JF_EINVAL, "xlsx: sheet \"%s\" cell %s: a text of %zu characters, a "
                    "cell holds %u", s->name, cell, chars, XLSX_TEXT_MAX);
    }
    open_cell(s, row, col, (int)style, " t=\"inlineStr\"", ">");
    if (edge_space(t, len))
        PUT_LIT(s, "<is><t xml:space=\"preserve\">");
    else
        PUT_LIT(s, "<is><t>");
    if ((rc = escape(b, s, t)) != 0 || (rc = room(b, s, 32)) != 0)
        return rc;
    PUT_LIT(s, "</t></is></c>");
    return 0;
}

/* The shortest of %.15g and %.17g that reads back as x: 0.935 stays "0.935". */
static int format_number(double x, char out[32])
{
    if (x == (double)(int64_t)x && fabs(x) < 1e15) { /* by hand: no format parsed per cell */
        char digits[20];
        int n = 0, o = 0;
        for (uint64_t v = (uint64_t)(x < 0 ? -x : x); n == 0 || v > 0; v /= 10)
            digits[n++] = (char)('0' + v % 10);
        if (x < 0)
            out[o++] = '-';
        while (n > 0)
            out[o++] = digits[--n];
        out[o] = '\0';
        return o;
    }
    int n = snprintf(out, 32, "%.15g", x);
    if (strtod(out, NULL) != x)
        n = snprintf(out, 32, "%.17g", x);
    return n;
}

int xlsx_number(xlsx_book *b, size_t sheet, uint32_t row, uint32_t col, double number,
                enum xlsx_style style)
{
    struct sheet *s = NULL;
    int rc = position(b, sheet, row, col, (int)style, &s);
    if (rc != 0)
        return rc;
    if (!isfinite(number))
        return 0;
    char num[32];
    int n = format_number(number, num);
    open_cell(s, row, col, (int)style, "", ">");
    PUT_LIT(s, "<v>");
    put(s, num, (size_t)n);
    PUT_LIT(s, "</v></c>");
    return 0;
}

/* ---- merged ranges, panes, widths ---- */

static struct sheet *sheet_of(xlsx_book *b, size_t sheet)
{
    if (sheet >= b->n) {
        fail(b, JF_EINVAL, "xlsx: no sheet %zu", sheet + 1);
        return NULL;
    }
    return &b->s[sheet];
}

int xlsx_merge(xlsx_book *b, size_t sheet, uint32_t r1, uint32_t c1, uint32_t r2, uint32_t c2)
{
    struct sheet *s = sheet_of(b, sheet);
    if (!s)
        return JF_EINVAL;
    char from[16], to[16];
    xlsx_cell_name(r1, c1, from);
    xlsx_cell_name(r2, c2, to);
    if (r1 > r2 || c1 > c2 || r2 >= XLSX_ROWS || c2 >= XLSX_COLS || (r1 == r2 && c1 == c2))
        return fail(b, JF_EINVAL, "xlsx: sheet \"%s\": cannot merge %s:%s (two cells or more "
                    "within the sheet)", s->name, from, to);
    for (size_t i = 0; i < s->n_merged; i++) {
        const struct range *m = &s->merged[i];
        if (r1 <= m->r2 && m->r1 <= r2 && c1 <= m->c2 && m->c1 <= c2)
            return fail(b, JF_EINVAL, "xlsx: sheet \"%s\": %s:%s overlaps a merged range",
                        s->name, from, to);
    }
    struct range *g = array_room(s->merged, s->n_merged, &s->cap_merged, sizeof *g, 4);
    if (!g)
        return fail(b, -ENOMEM, "xlsx: out of memory");
    s->merged = g;
    s->merged[s->n_merged++] = (struct range){r1, c1, r2, c2};
    return 0;
}

int xlsx_freeze(xlsx_book *b, size_t sheet, uint32_t rows, uint32_t cols)
{
    struct sheet *s = sheet_of(b, sheet);
    if (!s)
        return JF_EINVAL;
    if (rows >= XLSX_ROWS || cols >= XLSX_COLS)
        return fail(b, JF_EINVAL, "xlsx: sheet \"%s\": cannot freeze %u rows and %u columns",
                    s->name, rows, cols);
    s->freeze_rows = rows;
    s->freeze_cols = cols;
    return 0;
}

int xlsx_col_width(xlsx_book *b, size_t sheet, uint32_t col, double width)
{
    struct sheet *s = sheet_of(b, sheet);
    if (!s)
        return JF_EINVAL;
    if (col >= XLSX_COLS || !(width > 0 && width <= 255))
        return fail(b, JF_EINVAL, "xlsx: sheet \"%s\": column %u width %g (0 to 255, a column "
                    "within the sheet)", s->name, col + 1, width);
    if (col >= s->n_widths) {
        double *g = realloc(s->widths, (col + 1) * sizeof *g);
        if (!g)
            return fail(b, -ENOMEM, "xlsx: out of memory");
        memset(g + s->n_widths, 0, (col + 1 - s->n_widths) * sizeof *g);
        s->widths = g;
        s->n_widths = col + 1;
    }
    s->widths[col] = width;
    return 0;
}

/* ---- the zip ---- */

/* Text escaped for an XML attribute (sheet names), into a memory stream. */
static void attr(FILE *f, const char *t)
{
    for (; *t; t++)
        switch (*t) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        default: fputc(*t, f);
        }
}

/* The XML a sheet's rows go between: what Excel wants before them (views, widths) and
 * after them (merged ranges). Malloc'd into *head and *tail, or -ENOMEM. */
static int sheet_frame(const struct sheet *s, int first, char **head, size_t *hlen, char **tail,
                       size_t *tlen)
{
    FILE *f = open_memstream(head, hlen);
    if (!f)
        return -ENOMEM;
    fprintf(f, XML_HEAD "<worksheet xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
               "<sheetViews><sheetView%s workbookViewId=\"0\">", first ? " tabSelected=\"1\"" : "");
    if (s->freeze_rows || s->freeze_cols) {
        char top[16];
        const char *pane = !s->freeze_cols ? "bottomLeft" : !s->freeze_rows ? "topRight"
                                                                            : "bottomRight";
        xlsx_cell_name(s->freeze_rows, s->freeze_cols, top);
        fputs("<pane", f);
        if (s->freeze_cols)
            fprintf(f, " xSplit=\"%u\"", s->freeze_cols);
        if (s->freeze_rows)
            fprintf(f, " ySplit=\"%u\"", s->freeze_rows);
        fprintf(f, " topLeftCell=\"%s\" activePane=\"%s\" state=\"frozen\"/>"
                   "<selection pane=\"%s\"/>", top, pane, pane);
    }
    fputs("</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/>", f);
    int any = 0;
    for (size_t c = 0; c < s->n_widths; c++)
        if (s->widths[c] > 0) {
            fprintf(f, "%s<col min=\"%zu\" max=\"%zu\" width=\"%.6g\" customWidth=\"1\"/>",
                    any ? "" : "<cols>", c + 1, c + 1, s->widths[c]);
            any = 1;
        }
    fputs(any ? "</cols><sheetData>" : "<sheetData>", f);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad)
        return -ENOMEM;
    if (!(f = open_memstream(tail, tlen)))
        return -ENOMEM;
    fputs(s->row ? "</row></sheetData>" : "</sheetData>", f);
    if (s->n_merged)
        fprintf(f, "<mergeCells count=\"%zu\">", s->n_merged);
    for (size_t i = 0; i < s->n_merged; i++) {
        char from[16], to[16];
        xlsx_cell_name(s->merged[i].r1, s->merged[i].c1, from);
        xlsx_cell_name(s->merged[i].r2, s->merged[i].c2, to);
        fprintf(f, "<mergeCell ref=\"%s:%s\"/>", from, to);
    }
    fputs(s->n_merged ? "</mergeCells></worksheet>" : "</worksheet>", f);
    bad = ferror(f);
    return fclose(f) != 0 || bad ? -ENOMEM : 0;
}

/* rc, a zipw error while writing part, reported: -ENOMEM or -EIO. */
static int zip_fail(xlsx_book *b, const char *part, int rc)
{
    if (rc == 0)
        return 0;
    return fail(b, rc == -ENOMEM ? -ENOMEM : -EIO, "xlsx: %s: writing %s: %s", b->path, part,
                strerror(-rc));
}

/* A part held in memory. */
static int zip_part(xlsx_book *b, zipw *a, const char *part, const char *text, size_t len)
{
    return zip_fail(b, part, zipw_part(a, part, text, len));
}

/* A part written by fn into a memory stream. */
static int zip_built(xlsx_book *b, zipw *a, const char *part,
                     void (*fn)(const xlsx_book *, FILE *))
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    if (!f)
        return fail(b, -ENOMEM, "xlsx: out of memory");
    fn(b, f);
    int bad = ferror(f);
    int rc = fclose(f) != 0 || bad ? fail(b, -ENOMEM, "xlsx: out of memory")
                                   : zip_part(b, a, part, text, len);
    free(text);
    return rc;
}

static void content_types(const xlsx_book *b, FILE *f)
{
    fputs(XML_HEAD "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
          "<Default Extension=\"rels\" ContentType=\"" CT_BASE "package.relationships+xml\"/>"
          "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
          "<Override PartName=\"/xl/workbook.xml\" ContentType=\"" CT_BASE
          "officedocument.spreadsheetml.sheet.main+xml\"/>"
          "<Override PartName=\"/xl/styles.xml\" ContentType=\"" CT_BASE
          "officedocument.spreadsheetml.styles+xml\"/>", f);
    for (size_t i = 0; i < b->n; i++)
        fprintf(f, "<Override PartName=\"/xl/worksheets/sheet%zu.xml\" ContentType=\"" CT_BASE
                   "officedocument.spreadsheetml.worksheet+xml\"/>", i + 1);
    fputs("</Types>", f);
}

static void workbook(const xlsx_book *b, FILE *f)
{
    fputs(XML_HEAD "<workbook xmlns=\"" NS_MAIN "\" xmlns:r=\"" NS_REL "\">"
          "<bookViews><workbookView activeTab=\"0\"/></bookViews><sheets>", f);
    for (size_t i = 0; i < b->n; i++) {
        fputs("<sheet name=\"", f);
        attr(f, b->s[i].name);
        fprintf(f, "\" sheetId=\"%zu\" r:id=\"rId%zu\"/>", i + 1, i + 1);
    }
    fputs("</sheets></workbook>", f);
}

static void workbook_rels(const xlsx_book *b, FILE *f)
{
    fputs(XML_HEAD "<Relationships xmlns=\"" NS_PKG "\">", f);
    for (size_t i = 0; i < b->n; i++)
        fprintf(f, "<Relationship Id=\"rId%zu\" Type=\"" NS_REL "/worksheet\" "
                   "Target=\"worksheets/sheet%zu.xml\"/>", i + 1, i + 1);
    fprintf(f, "<Relationship Id=\"rId%zu\" Type=\"" NS_REL "/styles\" Target=\"styles.xml\"/>"
               "</Relationships>", b->n + 1);
}

static const char ROOT_RELS[] =
    XML_HEAD "<Relationships xmlns=\"" NS_PKG "\"><Relationship Id=\"rId1\" Type=\"" NS_REL
    "/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>";

/* The fixed table behind enum xlsx_style: cellXfs in the enum's order. */
static const char STYLES[] =
    XML_HEAD "<styleSheet xmlns=\"" NS_MAIN "\">"
    "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"0.0%\"/></numFmts>"
    "<fonts count=\"2\"><font><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font>"
    "<font><b/><sz val=\"11\"/><name val=\"Calibri\"/><family val=\"2\"/></font></fonts>"
    "<fills count=\"2\"><fill><patternFill patternType=\"none\"/></fill>"
    "<fill><patternFill patternType=\"gray125\"/></fill></fills>"
    "<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>"
    "<border><left style=\"thin\"><color auto=\"1\"/></left><right style=\"thin\"><color "
    "auto=\"1\"/></right><top style=\"thin\"><color auto=\"1\"/></top><bottom style=\"thin\">"
    "<color auto=\"1\"/></bottom><diagonal/></border></borders>"
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/>"
    "</cellStyleXfs><cellXfs count=\"5\">"
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" "
    "applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"center\"/></xf>"
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" "
    "applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" "
    "vertical=\"center\" wrapText=\"1\"/></xf>"
    "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyNumberFormat=\"1\"/>"
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" "
    "applyAlignment=\"1\"><alignment wrapText=\"1\"/></xf>"
    "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/>"
    "</cellStyles></styleSheet>";

/* text deflated into m as a piece of an entry (the last one if last), summed into *sum. */
static int piece(const char *text, size_t len, int last, struct zipw_mem *m,
                 struct zipw_sum *sum)
{
    zipw_def *d = NULL;
    int rc = zipw_def_new(zipw_mem_sink, m, &d);
    if (rc == 0)
        rc = zipw_def_add(d, text, len);
    if (rc == 0)
        rc = zipw_def_end(d, last);
    if (rc == 0) {
        struct zipw_sum got = zipw_def_sum(d);
        zipw_sum_join(sum, &got);
    }
    zipw_def_free(d);
    return rc;
}

/* A sheet's part: its frame, deflated now, around its rows, deflated as they came. The
 * queue has finished with them (zipq_wait). */
static int zip_sheet(xlsx_book *b, zipw *a, size_t i)
{
    struct sheet *s = &b->s[i];
    char part[64], *head = NULL, *tail = NULL;
    size_t hlen = 0, tlen = 0;
    struct zipw_mem h = {0}, t = {0};
    struct zipw_sum sum = {.crc = 0}, rows = {.crc = 0};
    snprintf(part, sizeof part, "xl/worksheets/sheet%zu.xml", i + 1);
    int rc = sheet_frame(s, i == 0, &head, &hlen, &tail, &tlen) != 0 ? -ENOMEM : 0;
    if (rc == 0 && (rc = piece(head, hlen, 0, &h, &sum)) == 0 &&
        (rc = zipw_def_end(s->rows->def, 0)) == 0) {
        rows = zipw_def_sum(s->rows->def);
        zipw_sum_join(&sum, &rows);
        rc = piece(tail, tlen, 1, &t, &sum);
    }
    if (rc == 0)
        rc = zipw_entry(a, part, &sum);
    if (rc == 0)
        rc = zipw_write(a, h.p, h.n);
    if (rc == 0)
        rc = zipw_copy(a, s->rows->fd, rows.out);
    if (rc == 0)
        rc = zipw_write(a, t.p, t.n);
    free(head);
    free(tail);
    free(h.p);
    free(t.p);
    return zip_fail(b, part, rc);
}

/* Every sheet's last rows queued, and the queue's thread done with them. */
static int rows_done(xlsx_book *b)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < b->n; i++)
        rc = flush(b, &b->s[i]);
    int q = zipq_wait(b->q);
    return rc != 0 || q == 0 ? rc : fail(b, -EIO, "xlsx: deflating the rows: %s", strerror(-q));
}

static int zip_all(xlsx_book *b, zipw *a)
{
    int rc = zip_built(b, a, "[Content_Types].xml", content_types);
    if (rc == 0)
        rc = zip_part(b, a, "_rels/.rels", ROOT_RELS, sizeof ROOT_RELS - 1);
    if (rc == 0)
        rc = zip_built(b, a, "xl/workbook.xml", workbook);
    if (rc == 0)
        rc = zip_built(b, a, "xl/_rels/workbook.xml.rels", workbook_rels);
    if (rc == 0)
        rc = zip_part(b, a, "xl/styles.xml", STYLES, sizeof STYLES - 1);
    for (size_t i = 0; rc == 0 && i < b->n; i++)
        rc = zip_sheet(b, a, i);
    return rc == 0 ? zip_fail(b, "the end of the zip", zipw_finish(a)) : rc;
}

int xlsx_close(xlsx_book **bp)
{
    xlsx_book *b = *bp;
    if (!b)
        return 0;
    *bp = NULL;
    zipw *a = NULL;
    int rc = rows_done(b);
    if (rc == 0 && zipw_open(b->fd, &a) != 0)
        rc = fail(b, -ENOMEM, "xlsx: out of memory");
    if (rc == 0)
        rc = zip_all(b, a);
    zipw_free(a);
    if (rc == 0 && close(b->fd) != 0)
        rc = fail(b, -EIO, "xlsx: %s: %s", b->path, strerror(errno));
    b->fd = rc == 0 ? -1 : b->fd;
    xlsx_free(&b);
    return rc;
}
