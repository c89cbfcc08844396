/*
 * forms — the printable forms of a case as PDF (A4, pdf.h): 受理登记表, 受理回执, 调解笔录,
 * 调解协议书, 司法确认申请书, 回访单 and the archive's 卷宗封面 with its 卷内目录. Each is
 * laid out from what formdata.h reads; the receipt and the agreement carry a QR code of a
 * signed receipt text (common/receipt.h). A form is drawn twice, the first time to count
 * its pages for the "共 N 页" of each footer. Runs on any thread (the thread pool).
 */
#ifndef JIEFEN_FORMS_H
#define JIEFEN_FORMS_H

#include "crypto.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

enum {
    FORM_INTAKE_REGISTER,
    FORM_RECEIPT,
    FORM_MEDIATION_RECORD,
    FORM_AGREEMENT,
    FORM_CONFIRMATION,
    FORM_FOLLOW_UP,
    FORM_COVER,
    FORMS
};

struct form_name {
    const char *code, *name;
};
extern const struct form_name forms_names[FORMS];

/* The form of a code (intake_register, receipt, ...) or Chinese name, or -1. */
int forms_index(const char *code_or_name);

#define FORMS_ERR_MAX 256

/* Renders form f of case_id as this node (self, signing with id) holds it, read in txn.
 * *pdf is malloc'd (free it). 0; JF_ENOTFOUND (no such case); JF_EINVAL with the Chinese
 * reason in why (FORMS_ERR_MAX) when the form needs something not there yet (the record
 * of its step, the parties this node cannot open); -ENOMEM, or a store error. */
int forms_render(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                 const char *case_id, int f, uint8_t **pdf, size_t *len, char *why);

#endif
