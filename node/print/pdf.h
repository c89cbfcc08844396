/*
 * pdf — an A4 page in the usual Chinese layout, drawn with cairo and pango: a title
 * centred in a bold serif (宋体/黑体 style, Noto CJK), paragraphs, bordered tables,
 * signature and date places, a QR code, and 页码 ("第 N 页 共 M 页") at each page's foot.
 * Content flows down the page and onto new pages. The document is built in memory.
 *
 * Cairo keeps no global state we rely on, so documents may be built on several threads
 * at once (the forms are rendered on the thread pool).
 */
#ifndef JIEFEN_PDF_H
#define JIEFEN_PDF_H

#include <stddef.h>
#include <stdint.h>

struct pdf;

#define PDF_COUNT_PAGES (-1)

/* A new document; `pages` is the page count to print in the footers (0: "第 N 页" only),
 * or PDF_COUNT_PAGES to lay it out only, for pdf_finish's count (no PDF is made, quickly).
 * NULL when out of memory. */
struct pdf *pdf_new(int pages);

/* Frees; accepts NULL and clears the caller's pointer. */
void pdf_free(struct pdf **p);

/* The title, centred, large and bold. */
void pdf_title(struct pdf *p, const char *text);

/* A line of small text aligned right (the form's number) or left. */
void pdf_note(struct pdf *p, const char *text, int right);

/* A paragraph, wrapped to the width, flowing across pages; bold for headings. */
void pdf_text(struct pdf *p, const char *text, int bold);

enum { PDF_PLAIN, PDF_LABEL_COLUMNS, PDF_HEADER_ROW };

/* A bordered table of rows × cols cells (row-major, NULL cells empty); widths are the
 * columns' shares of the width (sum 1). Labels are shaded and bold: the cells of even
 * columns (PDF_LABEL_COLUMNS), or of the first row (PDF_HEADER_ROW). A row is never split across pages; rows of tables drawn one after
 * the other join into one table. */
void pdf_table(struct pdf *p, const char *const *cells, size_t rows, size_t cols,
               const double *widths, int labels);

/* Vertical space, in points. */
void pdf_space(struct pdf *p, double pt);

/* Goes on on a new page. */
void pdf_page(struct pdf *p);

/* A QR code of text, `size` points wide, at the right, with a caption beside it. Returns 0,
 * or -1 when the text does not fit a QR code. */
int pdf_qr(struct pdf *p, const char *text, double size, const char *caption);

/* Ends the document: *out is malloc'd PDF bytes (free them; NULL when only counting);
 * *pages its page count. 0, or -1 when cairo failed (out of memory). Frees p either way. */
int pdf_finish(struct pdf **p, uint8_t **out, size_t *len, int *pages);

#endif
