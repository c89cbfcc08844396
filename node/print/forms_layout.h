/*
 * forms_layout — how each form is laid out on the page (forms.h chooses and checks).
 * forms_case.c: 受理登记表, 受理回执, 卷宗封面及卷内目录 and the parts every form shares;
 * forms_step.c: the forms of the mediation's steps (笔录, 协议书, 司法确认申请书, 回访单).
 * qr is the form's signed receipt text, or NULL (none, or this node is not enrolled).
 */
#ifndef JIEFEN_FORMS_LAYOUT_H
#define JIEFEN_FORMS_LAYOUT_H

#include "case/reference.h"
#include "print/formdata.h"
#include "print/pdf.h"

void forms_intake_register(struct pdf *p, const struct formdata *d, const char *qr);
void forms_receipt(struct pdf *p, const struct formdata *d, const char *qr);
void forms_cover(struct pdf *p, const struct formdata *d, const char *qr);
void forms_mediation_record(struct pdf *p, const struct formdata *d, const char *qr);
void forms_agreement(struct pdf *p, const struct formdata *d, const char *qr);
void forms_confirmation(struct pdf *p, const struct formdata *d, const char *qr);
void forms_follow_up(struct pdf *p, const struct formdata *d, const char *qr);

/* The parties as a bordered table (身份, 姓名, 身份证号, 联系电话, 住址). */
void forms_parties(struct pdf *p, const struct formdata *d);

/* The names of the parties of one role ("" for all), joined with "、", into buf. */
const char *forms_party_names(const struct formdata *d, const char *role, char *buf, size_t len);

/* "案件编号：…" at the right. */
void forms_number(struct pdf *p, const struct formdata *d);

/* A line of signature places: each label followed by "（签名）：" and a blank, then a date. */
void forms_signatures(struct pdf *p, const char *const *labels, size_t n);

/* The QR code with its caption saying how to check it, or a note that there is none. */
void forms_qr(struct pdf *p, const struct formdata *d, const char *qr, const char *what);

/* The Chinese name of a code in a reference table (the code itself if unknown). */
const char *forms_ref(const struct ref_table *t, const char *code);

#endif
