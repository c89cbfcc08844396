#include "report/csv.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int has_text(const char *s)
{
    return s && s[0];
}

/* 15 significant digits are the most every double holds exactly, so 0.1 + 0.2 prints as
 * 0.3 and not 0.30000000000000004. A non-finite number has no spreadsheet form: empty. */
void csv_number(double v, char out[CSV_NUM_MAX])
{
    if (!isfinite(v))
        out[0] = '\0';
    else if (v == 0)
        snprintf(out, CSV_NUM_MAX, "0"); /* not "-0" */
    else if (v == trunc(v) && fabs(v) < 1e15)
        snprintf(out, CSV_NUM_MAX, "%.0f", v);
    else
        snprintf(out, CSV_NUM_MAX, "%.15g", v);
}

/* Rounded to 0.1 (half away from zero) as the XLSX "0.0%" format shows it, so both
 * exports read alike; 0.935 * 1000 is 935.0000000000001, which round() absorbs. */
void csv_percent(double v, char out[CSV_NUM_MAX])
{
    double p = round(v * 1000) / 10;
    if (!isfinite(p)) {
        out[0] = '\0';
        return;
    }
    csv_number(p, out);
    if (out[0])
        strcat(out, "%");
}

/* RFC 4180: a field holding a separator, a quote or a line break is quoted, with its quotes
 * doubled; anything else goes as is. prefix goes in front of s, inside the quotes. */
void csv_field(FILE *f, const char *prefix, const char *s)
{
    if (!s)
        s = "";
    if (!s[strcspn(s, ",\"\r\n")]) {
        fputs(prefix, f);
        fputs(s, f);
        return;
    }
    fputc('"', f);
    fputs(prefix, f);
    for (const char *q; (q = strchr(s, '"')) != NULL; s = q + 1) {
        fwrite(s, 1, (size_t)(q - s) + 1, f);
        fputc('"', f);
    }
    fputs(s, f);
    fputc('"', f);
}

/* Text a spreadsheet would run as a formula (=, +, -, @, or a leading tab or CR: CSV
 * injection) gets a leading apostrophe, which spreadsheets show as text and hide. Such text
 * comes from people (summaries, village names), so it must never execute. */
static void csv_text(FILE *f, const char *s)
{
    csv_field(f, s && s[0] && strchr("=+-@\t\r", s[0]) ? "'" : "", s);
}

static void csv_cell(FILE *f, const struct export_cell *c)
{
    char num[CSV_NUM_MAX] = "";
    switch (c->kind) {
    case EXPORT_TEXT:
        csv_text(f, c->text);
        return;
    case EXPORT_NUMBER:
        csv_number(c->number, num);
        break;
    case EXPORT_PERCENT:
        csv_percent(c->number, num);
        break;
    }
    fputs(num, f);
}

void csv_row(FILE *f, const struct export_cell *cells, size_t n_cols)
{
    for (size_t c = 0; c < n_cols; c++) {
        fputs(c ? "," : "", f);
        csv_cell(f, &cells[c]);
    }
    fputs(CSV_CRLF, f);
}

/* The caption line (caption, else title, else none) and the header line. */
void csv_head(FILE *f, const char *title, const char *caption, size_t n_cols,
                     const char *const *headers)
{
    const char *line = has_text(caption) ? caption : title;
    if (has_text(line)) {
        csv_field(f, "", line);
        fputs(CSV_CRLF, f);
    }
    for (size_t c = 0; c < n_cols; c++) {
        fputs(c ? "," : "", f);
        csv_field(f, "", headers[c]);
    }
    fputs(CSV_CRLF, f);
}
