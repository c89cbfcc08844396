/*
 * pdf_ops — the table the PDF module (jiefen-pdf.so, built from pdf.c with cairo, pango
 * and libqrencode) exports as `jiefen_pdf_ops`: pdf.h's functions, one for one. pdf_load.c
 * loads it on the first pdf_new() (common/module.h says why) and forwards pdf.h's calls.
 */
#ifndef JIEFEN_PDF_OPS_H
#define JIEFEN_PDF_OPS_H

#include <stddef.h>
#include <stdint.h>

struct pdf;

struct pdf_ops {
    struct pdf *(*new_doc)(int pages);
    void (*free_doc)(struct pdf **p);
    void (*title)(struct pdf *p, const char *text);
    void (*note)(struct pdf *p, const char *text, int right);
    void (*text)(struct pdf *p, const char *text, int bold);
    void (*table)(struct pdf *p, const char *const *cells, size_t rows, size_t cols,
                  const double *widths, int labels);
    void (*space)(struct pdf *p, double pt);
    void (*page)(struct pdf *p);
    int (*qr)(struct pdf *p, const char *text, double size, const char *caption);
    int (*finish)(struct pdf **p, uint8_t **out, size_t *len, int *pages);
};

#define PDF_OPS_SYMBOL "jiefen_pdf_ops"
#define PDF_MODULE "jiefen-pdf.so"

#endif
