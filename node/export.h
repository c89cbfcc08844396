/*
 * export — the monthly ledger tables (综合台账) and reports as files staff open in a
 * spreadsheet program: CSV (UTF-8 with a BOM, CRLF, RFC 4180 quoting) or XLSX (one
 * worksheet per table, via libxlsxwriter). Tables are plain data the caller owns; nothing
 * is kept after a call returns. Neither call touches the event loop's state, but XLSX
 * writes a file: call it off the loop thread for a large export.
 */
#ifndef JIEFEN_EXPORT_H
#define JIEFEN_EXPORT_H

#include <stddef.h>

enum export_cell_kind { EXPORT_TEXT, EXPORT_NUMBER, EXPORT_PERCENT };

/* TEXT uses text (NULL reads as ""); NUMBER and PERCENT use number, a PERCENT being a
 * fraction (0.935 is 93.5%). A number that is NaN or infinite is exported as an empty cell. */
struct export_cell {
    enum export_cell_kind kind;
    const char *text;
    double number;
};

/* A table: a title (the sheet name; the CSV caption when caption is NULL), column headers,
 * rows of cells. Strings are UTF-8; an empty caption or title counts as none. */
struct export_table {
    const char *title;   /* e.g. "案件登记台账"; may be NULL */
    const char *caption; /* one line above the header; may be NULL */
    size_t n_cols;
    const char *const *headers; /* n_cols of them; a NULL header reads as "" */
    size_t n_rows;
    const struct export_cell *cells; /* row-major, n_rows * n_cols */
};

/* Writes n_tables tables as one CSV text: a UTF-8 BOM, then per table its caption line
 * (caption, else title, else none), the header line and the rows; tables separated by one
 * empty line; every line ends in CRLF. Fields holding , " CR or LF are quoted with quotes
 * doubled; a text cell starting with = + - @, a tab or a CR gets a leading apostrophe, so no
 * spreadsheet runs it as a formula. Numbers print without trailing zeros (integers as integers, else up to 15
 * significant digits); percents rounded to 0.1 as e.g. "93.5%" or "100%".
 * On success *out is a malloc'd, NUL-terminated buffer the caller frees, *len its length
 * without the NUL. Returns 0, -ENOMEM, or JF_EINVAL if out, len, a table, its headers or
 * its cells are NULL where needed, a cell kind is unknown, or n_rows * n_cols overflows. */
int export_csv(const struct export_table *t, size_t n_tables, char **out, size_t *len);

/* Writes n_tables tables as an XLSX file at path (created or truncated; the caller picks a
 * temporary path and renames it). One worksheet per table, named after its title made
 * valid for Excel: []:*?/\ replaced by their full-width forms, apostrophes at the ends and
 * control characters dropped, cut to 31 UTF-16 units, " (2)", " (3)"... appended to
 * duplicates (compared without ASCII case, like Excel) and to "History", which English
 * Excel reserves; "Sheet<n>" (n from 1) for a missing title.
 * The caption is merged across the columns in bold, the header row bold with a border and
 * frozen with everything above it; numbers are numeric cells, percents numeric with a
 * "0.0%" format; columns are as wide as their longest line (CJK counting double). Invalid
 * UTF-8 is written as U+FFFD. No tables give one empty "Sheet1": a workbook has at least
 * one sheet. Returns 0, or with a message in err (may be NULL):
 * JF_EINVAL (bad arguments as for export_csv, path NULL, more rows or columns than a
 * sheet holds, a text over 32,767 characters), -ENOMEM, or -EIO (file not writable, temp
 * file or zip failure). On failure, a file this call created or truncated at path is
 * removed. */
int export_xlsx(const struct export_table *t, size_t n_tables, const char *path, char *err,
                size_t errlen);

#endif
