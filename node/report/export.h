/*
 * export — the monthly ledger tables (综合台账) and reports as files staff open in a
 * spreadsheet program: CSV (UTF-8 with a BOM, CRLF, RFC 4180 quoting) or XLSX (one
 * worksheet per table, via our streaming writer, report/xlsx). A file is written as a stream:
 * tables are added, then rows appended to any of them in any order, so a case register of
 * a million rows never sits in memory (each sheet's or CSV table's rows in a temporary file
 * until the file is closed). Neither touches the event loop's state, but
 * both write files: call them off the loop thread for a large export.
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

/* ---- a file written as a stream ---------------------------------------------------- */

enum export_format { EXPORT_CSV, EXPORT_XLSX };

typedef struct export_file export_file;

/* Starts a spreadsheet at path (created or truncated; the caller picks a temporary path
 * and renames it). The temporary files made meanwhile go in path's directory and are gone
 * when the file is closed or abandoned. err (may be NULL) receives the message of this and
 * of every later failing call on the file. 0 and *out, or JF_EINVAL (path NULL), -ENOMEM,
 * -EIO (not writable). */
int export_open(enum export_format format, const char *path, char *err, size_t errlen,
                export_file **out);

/* Adds a table and sets *table to its number for export_row: a title (the sheet name; the
 * CSV caption when caption is NULL), a caption (one line above the header; may be NULL) and
 * n_cols column headers (a NULL header reads as ""); strings are UTF-8 and copied. Tables
 * are written in the order added. 0, JF_EINVAL (no headers, more columns than a sheet
 * holds), -ENOMEM or -EIO. */
int export_add_table(export_file *f, const char *title, const char *caption, size_t n_cols,
                     const char *const *headers, size_t *table);

/* Appends a row of the table's n_cols cells; they need to live only during the call. In
 * XLSX a table that fills a sheet (1,048,576 rows with its caption and header) goes on in
 * a new sheet with the same caption and header, named after its title with " (2)", " (3)"…
 * 0, or JF_EINVAL (unknown table or cell kind, a text over 32,767 characters), -ENOMEM,
 * -EIO. */
int export_row(export_file *f, size_t table, const struct export_cell *cells);

/* Completes the file and frees *f (NULL accepted), clearing the pointer. 0, or -ENOMEM or
 * -EIO (temporary file or zip failure); on failure the file at path is removed. */
int export_close(export_file **f);

/* Abandons the file: frees *f (NULL accepted), clears the pointer, removes the file. */
void export_abort(export_file **f);

/* ---- whole tables at once ---------------------------------------------------------- */

/* A table: a title, column headers, rows of cells (see export_add_table). */
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
 * spreadsheet runs it as a formula. Numbers print without trailing zeros (integers as
 * integers, else up to 15 significant digits); percents rounded to 0.1 as e.g. "93.5%" or
 * "100%". The streamed CSV (export_open) is the same bytes.
 * On success *out is a malloc'd, NUL-terminated buffer the caller frees, *len its length
 * without the NUL. Returns 0, -ENOMEM, or JF_EINVAL if out, len, a table, its headers or
 * its cells are NULL where needed, a cell kind is unknown, or n_rows * n_cols overflows. */
int export_csv(const struct export_table *t, size_t n_tables, char **out, size_t *len);

/* Writes n_tables tables as an XLSX file at path, as the streamed XLSX: one worksheet per
 * table (more past a sheet's rows), named after its title made valid for Excel: []:*?/\
 * replaced by their full-width forms, apostrophes at the ends and control characters
 * dropped, cut to 31 UTF-16 units, " (2)", " (3)"... appended to duplicates (compared
 * without ASCII case, like Excel) and to "History", which English Excel reserves;
 * "Sheet<n>" (n from 1) for a missing title.
 * The caption is merged across the columns in bold, the header row bold with a border and
 * frozen with everything above it; numbers are numeric cells, percents numeric with a
 * "0.0%" format; columns are as wide as their longest line (CJK counting double). Invalid
 * UTF-8 is written as U+FFFD. No tables give one empty "Sheet1": a workbook has at least
 * one sheet. Returns 0, or with a message in err (may be NULL):
 * JF_EINVAL (bad arguments as for export_csv, path NULL, more columns than a sheet holds, a
 * text over 32,767 characters), -ENOMEM, or -EIO (file not writable, temp file or zip
 * failure). On failure, a file this call created or truncated at path is removed. */
int export_xlsx(const struct export_table *t, size_t n_tables, const char *path, char *err,
                size_t errlen);

#endif
