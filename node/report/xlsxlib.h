/*
 * xlsxlib — libxlsxwriter, loaded by the first XLSX export instead of at start.
 *
 * Why: libxlsxwriter links OpenSSL's libcrypto, whose 390 KiB of relocated data are
 * private to every process that maps it. A county runs hundreds of jiefends on one machine
 * and almost none of them ever writes an XLSX: loaded at start, that alone was 0.4 MiB of
 * each idle node's 1.4 MiB.
 *
 * How: this header brings libxlsxwriter's types and constants, and names each function
 * export.c calls after the loaded library's own (the macros below), so the export code
 * reads as libxlsxwriter's documentation does. Call xlsxlib_load() before any of them;
 * it is cheap once loaded and safe from any thread.
 */
#ifndef JIEFEN_XLSXLIB_H
#define JIEFEN_XLSXLIB_H

#include <stddef.h>
#include <xlsxwriter.h>

/* The functions export.c calls, each a member of the table under its own name. */
#define XLSXLIB_FUNCS(X)                                                                     \
    X(workbook_new_opt) X(workbook_add_worksheet) X(workbook_add_format)                     \
    X(workbook_validate_sheet_name) X(workbook_close) X(lxw_workbook_free)                   \
    X(worksheet_write_string) X(worksheet_write_number) X(worksheet_merge_range)             \
    X(worksheet_freeze_panes) X(worksheet_set_column) X(format_set_bold) X(format_set_align) \
    X(format_set_border) X(format_set_num_format) X(format_set_text_wrap)                    \
    X(lxw_rowcol_to_cell) X(lxw_strerror)

#define XLSXLIB_MEMBER(name) __typeof__(&name) name;
struct xlsxlib {
    XLSXLIB_FUNCS(XLSXLIB_MEMBER)
};
#undef XLSXLIB_MEMBER

/* The loaded functions; valid after xlsxlib_load() returned 0. */
extern struct xlsxlib xlsxlib_fn;

/* Loads the library (once). 0, or -ELIBACC with dlerror()'s reason in err. */
int xlsxlib_load(char *err, size_t errlen);

/* xlsxlib.c itself names the members plainly. */
#ifndef XLSXLIB_PLAIN_NAMES
#define workbook_new_opt (xlsxlib_fn.workbook_new_opt)
#define workbook_add_worksheet (xlsxlib_fn.workbook_add_worksheet)
#define workbook_add_format (xlsxlib_fn.workbook_add_format)
#define workbook_validate_sheet_name (xlsxlib_fn.workbook_validate_sheet_name)
#define workbook_close (xlsxlib_fn.workbook_close)
#define lxw_workbook_free (xlsxlib_fn.lxw_workbook_free)
#define worksheet_write_string (xlsxlib_fn.worksheet_write_string)
#define worksheet_write_number (xlsxlib_fn.worksheet_write_number)
#define worksheet_merge_range (xlsxlib_fn.worksheet_merge_range)
#define worksheet_freeze_panes (xlsxlib_fn.worksheet_freeze_panes)
#define worksheet_set_column (xlsxlib_fn.worksheet_set_column)
#define format_set_bold (xlsxlib_fn.format_set_bold)
#define format_set_align (xlsxlib_fn.format_set_align)
#define format_set_border (xlsxlib_fn.format_set_border)
#define format_set_num_format (xlsxlib_fn.format_set_num_format)
#define format_set_text_wrap (xlsxlib_fn.format_set_text_wrap)
#define lxw_rowcol_to_cell (xlsxlib_fn.lxw_rowcol_to_cell)
#define lxw_strerror (xlsxlib_fn.lxw_strerror)
#endif

#endif
