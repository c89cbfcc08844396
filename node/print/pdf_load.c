/* pdf.h's functions in the daemon: each forwards to the PDF module (print/pdf_ops.h),
 * loaded by the first pdf_new(). Without the module, pdf_new() fails (NULL), as when out
 * of memory, and the module's loader logs why. */
#include "module.h"
#include "print/pdf.h"
#include "print/pdf_ops.h"

#include <stdatomic.h>

/* Set by the first pdf_new() (on any of the pool's threads); the same table ever after. */
static _Atomic(const struct pdf_ops *) loaded;

static const struct pdf_ops *ops(void)
{
    return atomic_load(&loaded);
}

struct pdf *pdf_new(int pages)
{
    const struct pdf_ops *o = ops();
    if (!o)
        atomic_store(&loaded, o = module_table(PDF_MODULE, PDF_OPS_SYMBOL));
    return o ? o->new_doc(pages) : NULL;
}

/* The other calls take a document, so pdf_new() has loaded the module. */
void pdf_free(struct pdf **p)
{
    if (p && *p)
        ops()->free_doc(p);
}

void pdf_title(struct pdf *p, const char *text)
{
    ops()->title(p, text);
}

void pdf_note(struct pdf *p, const char *text, int right)
{
    ops()->note(p, text, right);
}

void pdf_text(struct pdf *p, const char *text, int bold)
{
    ops()->text(p, text, bold);
}

void pdf_table(struct pdf *p, const char *const *cells, size_t rows, size_t cols,
               const double *widths, int labels)
{
    ops()->table(p, cells, rows, cols, widths, labels);
}

void pdf_space(struct pdf *p, double pt)
{
    ops()->space(p, pt);
}

void pdf_page(struct pdf *p)
{
    ops()->page(p);
}

int pdf_qr(struct pdf *p, const char *text, double size, const char *caption)
{
    return ops()->qr(p, text, size, caption);
}

int pdf_finish(struct pdf **p, uint8_t **out, size_t *len, int *pages)
{
    return ops()->finish(p, out, len, pages);
}
