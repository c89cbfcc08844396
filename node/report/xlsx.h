/*
 * xlsx — a streaming XLSX (SpreadsheetML) writer on our zip (common/zipw.h), for the exports.
 *
 * What it writes: a workbook of worksheets with inline strings and numbers, a fixed small
 * table of styles (the enum below), merged ranges, frozen panes and column widths; nothing
 * else. Why our own: the library we used before deflated at zlib's default level with no
 * way to change it, which alone cost more than the 5 s a million-row register may take;
 * here the zip is deflated at level 1 (about twice as fast, a little larger).
 *
 * How: cells are added row by row, left to right, to any sheet in any order (the exports
 * fill the register while its figure sheets wait). Each sheet's rows are deflated as they
 * come, on a second thread (common/zipq.h: the caller's thread formats the XML while the
 * other compresses it), into an anonymous temporary file, so a sheet of a million rows
 * costs the memory of one; the zip is written at xlsx_close, when the column widths (which
 * Excel wants before the rows) are known: the sheet's head deflated then, its rows copied
 * as they were deflated, its tail, one deflate stream (common/zipw.h says how). Texts are XML-escaped; characters XML 1.0 forbids are dropped and invalid UTF-8
 * becomes U+FFFD, so every file opens.
 *
 * Errors: 0, or a negative code with a message in the err buffer given to xlsx_new
 * (JF_EINVAL names the sheet and the cell as staff see them, e.g. "C7"). A book is used by
 * one thread at a time (its deflating thread is its own).
 */
#ifndef JIEFEN_XLSX_H
#define JIEFEN_XLSX_H

#include <stddef.h>
#include <stdint.h>

#define XLSX_ROWS 1048576u   /* rows in a sheet */
#define XLSX_COLS 16384u     /* columns in a sheet */
#define XLSX_NAME_UNITS 31   /* a sheet name's UTF-16 units */
#define XLSX_NAME_MAX 128    /* bytes that hold any valid sheet name and its NUL */
#define XLSX_TEXT_MAX 32767u /* characters in a cell */

/* The styles a cell may have: the fixed table every workbook carries. */
enum xlsx_style {
    XLSX_PLAIN,   /* the default */
    XLSX_CAPTION, /* bold, centred both ways */
    XLSX_HEADER,  /* bold, centred both ways, wrapped, thin border */
    XLSX_PERCENT, /* number format 0.0% */
    XLSX_WRAP,    /* text wrapped at its line breaks */
};

typedef struct xlsx_book xlsx_book;

/* Creates (or truncates) the file at path now, so an unwritable path fails at once with the
 * system's reason; the temporary files go in tmpdir. err (may be NULL) receives the message
 * of this and of every later failing call on the book. 0 and *out (free it with xlsx_close
 * or xlsx_free), or -ENOMEM, -EIO. */
int xlsx_new(const char *path, const char *tmpdir, char *err, size_t errlen,
             xlsx_book **out);

/* Whether name may be the next sheet's: 0, JF_EEXIST (already a sheet's, compared without
 * ASCII case as Excel does; "History", which English Excel reserves, counts as taken) or
 * JF_EINVAL (empty, over XLSX_NAME_UNITS UTF-16 units, invalid UTF-8, a control character,
 * U+FFFE or U+FFFF, one of []:*?/\, or an apostrophe first or last). Sets no message. */
int xlsx_name_check(const xlsx_book *b, const char *name);

/* Adds a sheet after the others and sets *sheet to its number for the calls below. 0, or
 * as xlsx_name_check (with a message), -ENOMEM, -EIO. */
int xlsx_sheet_add(xlsx_book *b, const char *name, size_t *sheet);

/* A text cell (NULL reads as ""; an empty text with XLSX_PLAIN writes nothing). Cells of a
 * sheet come in order: a row after the rows before it, a column right of the row's last.
 * 0, or JF_EINVAL (unknown sheet or style, out of order or past the sheet's edge, a text
 * over XLSX_TEXT_MAX characters), -EIO. */
int xlsx_text(xlsx_book *b, size_t sheet, uint32_t row, uint32_t col, const char *text,
              enum xlsx_style style);

/* A numeric cell, in order as xlsx_text; NaN and infinities write nothing (no reader
 * accepts them). Errors as xlsx_text. */
int xlsx_number(xlsx_book *b, size_t sheet, uint32_t row, uint32_t col, double number,
                enum xlsx_style style);

/* Merges the range from (r1, c1) to (r2, c2), inclusive, of two cells or more; its value is
 * its first cell's. 0, or JF_EINVAL (past the edge, a single cell, overlapping another
 * merged range), -ENOMEM. */
int xlsx_merge(xlsx_book *b, size_t sheet, uint32_t r1, uint32_t c1, uint32_t r2,
               uint32_t c2);

/* Keeps the first rows and cols in view while scrolling (0, 0: nothing frozen). 0, or
 * JF_EINVAL (past the edge). */
int xlsx_freeze(xlsx_book *b, size_t sheet, uint32_t rows, uint32_t cols);

/* Sets a column's width in characters of the default font (0 < width <= 255). 0, or
 * JF_EINVAL, -ENOMEM. */
int xlsx_col_width(xlsx_book *b, size_t sheet, uint32_t col, double width);

/* Writes the zip and frees *b (NULL accepted), clearing the pointer. 0, or -EIO, -ENOMEM;
 * on failure the file at path is incomplete and the caller removes it. */
int xlsx_close(xlsx_book **b);

/* Frees *b without finishing it (NULL accepted), clearing the pointer; the file at path is
 * left as it is, for the caller to remove. */
void xlsx_free(xlsx_book **b);

/* Writes the cell reference of (row, col) as staff see it ("C7") into out (16 bytes). */
void xlsx_cell_name(uint32_t row, uint32_t col, char out[16]);

#endif
