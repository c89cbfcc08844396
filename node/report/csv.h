/*
 * csv — the cells of an export (export.h) as CSV text: RFC 4180 fields, CRLF lines, text
 * that a spreadsheet would run as a formula kept as text, and numbers and percentages
 * written as the XLSX export shows them, so both read alike.
 */
#ifndef JIEFEN_CSV_H
#define JIEFEN_CSV_H

#include "report/export.h"

#include <stdio.h>

#define CSV_CRLF "\r\n"
#define CSV_BOM "\xEF\xBB\xBF" /* without it, Excel reads a CSV in the system code page (GBK) */
#define CSV_NUM_MAX 48         /* a formatted number or percent, with its NUL */

/* A number with at most 15 significant digits ("" when not finite, "0" for -0). */
void csv_number(double v, char out[CSV_NUM_MAX]);

/* A fraction as a percentage rounded to 0.1 ("93.5%"), "" when not finite. */
void csv_percent(double v, char out[CSV_NUM_MAX]);

/* One field: quoted when it holds a separator, quote or line break; prefix goes in front
 * of s (NULL reads as ""), inside the quotes. */
void csv_field(FILE *f, const char *prefix, const char *s);

/* A row of n_cols cells, then CRLF. */
void csv_row(FILE *f, const struct export_cell *cells, size_t n_cols);

/* The caption line (caption, else title, else none) and the header line. */
void csv_head(FILE *f, const char *title, const char *caption, size_t n_cols,
              const char *const *headers);

#endif
