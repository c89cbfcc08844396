#include "print/forms.h"
#include "case/reference.h"
#include "error.h"
#include "print/formdata.h"
#include "print/forms_layout.h"
#include "print/pdf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct form_name forms_names[FORMS] = {
    {"intake_register", "受理登记表"},
    {"receipt", "受理回执"},
    {"mediation_record", "调解笔录"},
    {"agreement", "调解协议书"},
    {"confirmation_application", "司法确认申请书"},
    {"follow_up", "回访单"},
    {"cover", "卷宗封面及卷内目录"},
};

int forms_index(const char *s)
{
    for (int i = 0; i < FORMS; i++)
        if (strcmp(s, forms_names[i].code) == 0 || strcmp(s, forms_names[i].name) == 0)
            return i;
    return -1;
}

/* The record kind a form is made from, or -1. */
static int record_of(int f)
{
    switch (f) {
    case FORM_MEDIATION_RECORD:
        return RECORD_MEDIATION;
    case FORM_AGREEMENT:
        return RECORD_AGREEMENT;
    case FORM_CONFIRMATION:
        return RECORD_CONFIRMATION;
    case FORM_FOLLOW_UP:
        return RECORD_FOLLOW_UP;
    default:
        return -1;
    }
}

typedef void (*layout_fn)(struct pdf *p, const struct formdata *d, const char *qr);

static const layout_fn layouts[FORMS] = {
    forms_intake_register, forms_receipt,   forms_mediation_record, forms_agreement,
    forms_confirmation,    forms_follow_up, forms_cover,
};

/* The QR text the form carries, if any: the receipt's for the opening, the agreement's
 * for its record. */
static int qr_text(const struct formdata *d, const crypto_identity *id, const char *self, int f,
                   char **out)
{
    *out = NULL;
    if (f == FORM_RECEIPT)
        return formdata_receipt(d, id, self, "receipt", d->opened_hash, d->opened_ms, out);
    if (f == FORM_AGREEMENT)
        return formdata_receipt(d, id, self, "agreement", d->rec.hash[RECORD_AGREEMENT],
                                d->rec.time_ms[RECORD_AGREEMENT], out);
    return 0;
}

static int draw(const struct formdata *d, int f, const char *qr, int pages, uint8_t **pdf,
                size_t *len, int *drawn)
{
    struct pdf *p = pdf_new(pages);
    if (!p)
        return -ENOMEM;
    layouts[f](p, d, qr);
    return pdf_finish(&p, pdf, len, drawn) ? -ENOMEM : 0;
}

static int refuse(char *why, const char *fmt, const char *what)
{
    snprintf(why, FORMS_ERR_MAX, fmt, what);
    return JF_EINVAL;
}

int forms_render(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                 const char *case_id, int f, uint8_t **pdf, size_t *len, char *why)
{
    struct formdata d;
    char *qr = NULL;
    int pages = 0, k = record_of(f);
    int rc = formdata_read(st, txn, id, self, case_id, &d);
    *pdf = NULL;
    snprintf(why, FORMS_ERR_MAX, "无法生成%s", forms_names[f].name);
    if (rc == 0 && !d.opening && f != FORM_COVER)
        rc = refuse(why, "本节点无法打开此案件的当事人信息，不能打印%s", forms_names[f].name);
    else if (rc == 0 && k >= 0 && !d.rec.content[k])
        rc = refuse(why, "请先录入%s的内容", record_kinds[k].name);
    if (rc == 0)
        rc = qr_text(&d, id, self, f, &qr);
    /* Twice: the first counts the pages for the footers. */
    if (rc == 0 && (rc = draw(&d, f, qr, PDF_COUNT_PAGES, pdf, len, &pages)) == 0)
        rc = draw(&d, f, qr, pages, pdf, len, &pages);
    free(qr);
    formdata_clear(&d);
    return rc;
}
