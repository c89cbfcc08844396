#include "print/pdf.h"
#include "print/pdf_ops.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>
#include <qrencode.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_W 595.276 /* A4 in points */
#define PAGE_H 841.890
#define LEFT 70.0      /* about 25 mm */
#define TOP 72.0
#define BOTTOM 72.0
#define WIDTH (PAGE_W - 2 * LEFT)
#define PAD 5.0

#define SERIF "Noto Serif CJK SC"
#define SANS "Noto Sans CJK SC"

struct pdf {
    cairo_surface_t *surface;
    cairo_t *cr;
    PangoContext *pango;       /* one for the document: the same metrics on every surface */
    uint8_t *buf;
    size_t len, cap;
    int failed;
    int page, pages;
    double y;
};

static cairo_status_t write_cb(void *closure, const unsigned char *data, unsigned int length)
{
    struct pdf *p = closure;
    if (p->len + length > p->cap) {
        size_t cap = p->cap ? p->cap * 2 : 65536;
        while (cap < p->len + length)
            cap *= 2;
        uint8_t *grown = realloc(p->buf, cap);
        if (!grown) {
            p->failed = 1;
            return CAIRO_STATUS_WRITE_ERROR;
        }
        p->buf = grown;
        p->cap = cap;
    }
    memcpy(p->buf + p->len, data, length);
    p->len += length;
    return CAIRO_STATUS_SUCCESS;
}

/* Text measured the same whether drawn into a PDF or only recorded to count the pages. */
static PangoContext *text_context(cairo_t *cr)
{
    PangoContext *ctx = pango_cairo_create_context(cr);
    cairo_font_options_t *o = cairo_font_options_create();
    cairo_font_options_set_hint_metrics(o, CAIRO_HINT_METRICS_OFF);
    cairo_font_options_set_hint_style(o, CAIRO_HINT_STYLE_NONE);
    pango_cairo_context_set_font_options(ctx, o);
    cairo_font_options_destroy(o);
    return ctx;
}

struct pdf *pdf_new(int pages)
{
    static const cairo_rectangle_t a4 = {0, 0, PAGE_W, PAGE_H};
    struct pdf *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    /* Counting pages needs no PDF, whose making (font subsets) is the slow part. */
    p->surface = pages == PDF_COUNT_PAGES
                     ? cairo_recording_surface_create(CAIRO_CONTENT_COLOR_ALPHA, &a4)
                     : cairo_pdf_surface_create_for_stream(write_cb, p, PAGE_W, PAGE_H);
    p->cr = cairo_create(p->surface);
    if (cairo_status(p->cr) != CAIRO_STATUS_SUCCESS || !(p->pango = text_context(p->cr))) {
        pdf_free(&p);
        return NULL;
    }
    p->page = 1;
    p->pages = pages;
    p->y = TOP;
    return p;
}

void pdf_free(struct pdf **p)
{
    if (!p || !*p)
        return;
    if ((*p)->pango)
        g_object_unref((*p)->pango);
    if ((*p)->cr)
        cairo_destroy((*p)->cr);
    if ((*p)->surface)
        cairo_surface_destroy((*p)->surface);
    free((*p)->buf);
    free(*p);
    *p = NULL;
}

static PangoLayout *layout(struct pdf *p, const char *text, const char *font, double width,
                           PangoAlignment align)
{
    PangoLayout *l = pango_layout_new(p->pango);
    PangoFontDescription *fd = pango_font_description_from_string(font);
    pango_layout_set_font_description(l, fd);
    pango_font_description_free(fd);
    pango_layout_set_width(l, (int)(width * PANGO_SCALE));
    pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
    pango_layout_set_alignment(l, align);
    pango_layout_set_text(l, text ? text : "", -1);
    return l;
}

static double height_of(PangoLayout *l)
{
    int w, h;
    pango_layout_get_size(l, &w, &h);
    return (double)h / PANGO_SCALE;
}

static void footer(struct pdf *p)
{
    char text[64];
    if (p->pages > 0)
        snprintf(text, sizeof text, "第 %d 页  共 %d 页", p->page, p->pages);
    else
        snprintf(text, sizeof text, "第 %d 页", p->page);
    PangoLayout *l = layout(p, text, SERIF " 9", WIDTH, PANGO_ALIGN_CENTER);
    cairo_move_to(p->cr, LEFT, PAGE_H - BOTTOM / 2 - 6);
    pango_cairo_show_layout(p->cr, l);
    g_object_unref(l);
}

static void new_page(struct pdf *p)
{
    footer(p);
    cairo_show_page(p->cr);
    p->page++;
    p->y = TOP;
}

/* Makes room for h points, starting a new page when they do not fit on this one. */
static void need(struct pdf *p, double h)
{
    if (p->y + h > PAGE_H - BOTTOM && p->y > TOP)
        new_page(p);
}

void pdf_title(struct pdf *p, const char *text)
{
    PangoLayout *l = layout(p, text, SERIF " Bold 20", WIDTH, PANGO_ALIGN_CENTER);
    double h = height_of(l);
    need(p, h + 18);
    cairo_move_to(p->cr, LEFT, p->y);
    pango_cairo_show_layout(p->cr, l);
    p->y += h + 18;
    g_object_unref(l);
}

void pdf_note(struct pdf *p, const char *text, int right)
{
    PangoLayout *l = layout(p, text, SERIF " 10", WIDTH, right ? PANGO_ALIGN_RIGHT : PANGO_ALIGN_LEFT);
    double h = height_of(l);
    need(p, h + 4);
    cairo_move_to(p->cr, LEFT, p->y);
    pango_cairo_show_layout(p->cr, l);
    p->y += h + 4;
    g_object_unref(l);
}

void pdf_text(struct pdf *p, const char *text, int bold)
{
    PangoLayout *l = layout(p, text, bold ? SANS " Bold 12" : SERIF " 12", WIDTH,
                            PANGO_ALIGN_LEFT);
    pango_layout_set_spacing(l, 4 * PANGO_SCALE);
    PangoLayoutIter *it = pango_layout_get_iter(l);
    double base = p->y, top = 0, end = p->y; /* top: the layout's y drawn at base */
    do {
        PangoRectangle r;
        pango_layout_iter_get_line_extents(it, NULL, &r);
        double ly = (double)r.y / PANGO_SCALE, lh = (double)r.height / PANGO_SCALE;
        if (base + (ly - top) + lh > PAGE_H - BOTTOM && base + (ly - top) > TOP) {
            new_page(p);
            base = TOP;
            top = ly;
        }
        double baseline = (double)pango_layout_iter_get_baseline(it) / PANGO_SCALE;
        cairo_move_to(p->cr, LEFT + (double)r.x / PANGO_SCALE, base + baseline - top);
        pango_cairo_show_layout_line(p->cr, pango_layout_iter_get_line_readonly(it));
        end = base + (ly - top) + lh;
    } while (pango_layout_iter_next_line(it));
    p->y = end + 8;
    pango_layout_iter_free(it);
    g_object_unref(l);
}

void pdf_space(struct pdf *p, double pt)
{
    p->y += pt;
}

void pdf_page(struct pdf *p)
{
    new_page(p);
}

#define CELLS_MAX 8

void pdf_table(struct pdf *p, const char *const *cells, size_t rows, size_t cols,
               const double *widths, int labels)
{
    cairo_set_line_width(p->cr, 0.8);
    for (size_t r = 0; r < rows; r++) {
        PangoLayout *l[CELLS_MAX];
        double h = 0;
        for (size_t c = 0; c < cols && c < CELLS_MAX; c++) {
            int label = labels == PDF_LABEL_COLUMNS ? c % 2 == 0 : labels == PDF_HEADER_ROW && r == 0;
            l[c] = layout(p, cells[r * cols + c], label ? SANS " Bold 10" : SERIF " 10",
                          WIDTH * widths[c] - 2 * PAD,
                          label ? PANGO_ALIGN_CENTER : PANGO_ALIGN_LEFT);
            if (height_of(l[c]) > h)
                h = height_of(l[c]);
        }
        h += 2 * PAD + 4;
        need(p, h);
        double x = LEFT;
        for (size_t c = 0; c < cols && c < CELLS_MAX; c++) {
            double w = WIDTH * widths[c];
            if (labels == PDF_LABEL_COLUMNS ? c % 2 == 0 : labels == PDF_HEADER_ROW && r == 0) {
                cairo_set_source_rgb(p->cr, 0.93, 0.93, 0.93);
                cairo_rectangle(p->cr, x, p->y, w, h);
                cairo_fill(p->cr);
                cairo_set_source_rgb(p->cr, 0, 0, 0);
            }
            cairo_rectangle(p->cr, x, p->y, w, h);
            cairo_stroke(p->cr);
            cairo_move_to(p->cr, x + PAD, p->y + PAD + 2);
            pango_cairo_show_layout(p->cr, l[c]);
            g_object_unref(l[c]);
            x += w;
        }
        p->y += h;
    }
}

int pdf_qr(struct pdf *p, const char *text, double size, const char *caption)
{
    QRcode *q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!q)
        return -1;
    double module = size / (q->width + 8), x0 = LEFT + WIDTH - size, y0;
    need(p, size);
    y0 = p->y;
    cairo_set_source_rgb(p->cr, 1, 1, 1);
    cairo_rectangle(p->cr, x0, y0, size, size);
    cairo_fill(p->cr);
    cairo_set_source_rgb(p->cr, 0, 0, 0);
    for (int y = 0; y < q->width; y++)
        for (int x = 0; x < q->width; x++) {
            int run = 0; /* a run of dark modules is one rectangle */
            while (x + run < q->width && q->data[y * q->width + x + run] & 1)
                run++;
            if (run)
                cairo_rectangle(p->cr, x0 + (x + 4) * module, y0 + (y + 4) * module,
                                run * module, module);
            x += run;
        }
    cairo_fill(p->cr);
    QRcode_free(q);
    PangoLayout *l = layout(p, caption, SERIF " 10", WIDTH - size - 16, PANGO_ALIGN_LEFT);
    cairo_move_to(p->cr, LEFT, y0 + 4 * module);
    pango_cairo_show_layout(p->cr, l);
    g_object_unref(l);
    p->y = y0 + size + 8;
    return 0;
}

int pdf_finish(struct pdf **pp, uint8_t **out, size_t *len, int *pages)
{
    struct pdf *p = *pp;
    footer(p);
    cairo_show_page(p->cr);
    cairo_destroy(p->cr);
    p->cr = NULL;
    cairo_surface_finish(p->surface);
    int bad = p->failed || cairo_surface_status(p->surface) != CAIRO_STATUS_SUCCESS;
    *out = NULL;
    *len = 0;
    *pages = p->page;
    if (!bad && p->pages != PDF_COUNT_PAGES) {
        *out = p->buf;
        *len = p->len;
        p->buf = NULL;
    }
    pdf_free(pp);
    return bad ? -1 : 0;
}

/* What the module exports (the rest of it is hidden: -fvisibility=hidden). */
__attribute__((visibility("default"))) const struct pdf_ops jiefen_pdf_ops = {
    pdf_new, pdf_free, pdf_title, pdf_note, pdf_text, pdf_table,
    pdf_space, pdf_page, pdf_qr, pdf_finish,
};
