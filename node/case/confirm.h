/*
 * confirm — 司法确认 in a case's chain (issue 17 item 3, docs/interop.md): the holder
 * applies to a court of [interop] (kind court) for the judicial confirmation of the
 * agreement reached (ConfirmApplied), and the court's ruling on it is recorded by the node
 * that applied (ConfirmRuled, with the ruling's document attached as a document of kind
 * ruling, document.h). Both fold into CaseView.confirm (a ConfirmState).
 *
 * An application needs an open or closed case whose last attempt reached an agreement (in
 * full or in part), held here, and no application pending or confirmed (a refused one may
 * be followed by a new one). Its number is the case id, "-SQ" and its ordinal: the court
 * answers under it. A ruling applies once, to the pending application of its number:
 * confirmed, or refused with a reason.
 */
#ifndef JIEFEN_CONFIRM_H
#define JIEFEN_CONFIRM_H

#include "jiefen.pb-c.h"

#include <jansson.h>
#include <stddef.h>

#define CONFIRM_NO_MAX 80  /* bytes of an application number, with its NUL */

/* 1 if body_case (JIEFEN__EVENT__BODY_*) is a 司法确认 event. */
int confirm_kind(int body_case);

/* Why v cannot apply now, in Chinese with its code ("no_agreement", "confirm_pending",
 * "already_confirmed") through *code; NULL: it can. */
const char *confirm_refusal(const Jiefen__CaseView *v, const char **code);

/* Why v's 调解协议书 and 司法确认申请书 may not be changed now, in Chinese with its code
 * ("confirm_pending", "already_confirmed") through *code; NULL: they may. What the court
 * rules on is what was applied with (the application's PDFs are made from them when it is
 * sent, and again at each retry); after a refusal (驳回) they may be put right. */
const char *confirm_forms_locked(const Jiefen__CaseView *v, const char **code);

/* The number of v's next application into out (CONFIRM_NO_MAX bytes). */
void confirm_next_no(const Jiefen__CaseView *v, char *out);

/* Applies ev (a 司法确认 event, admissible) to v. 0, JF_EINVAL (see the header comment; v
 * unchanged) or -ENOMEM (v must be discarded). */
int confirm_apply(Jiefen__CaseView *v, const Jiefen__Event *ev);

/* {court, application_no, applied_ms, applications, decision, decision_name, ruling_no,
 * reason, ruled_ms} of v, or json null when it never applied; NULL without memory. */
json_t *confirm_json(const Jiefen__CaseView *v);

#endif
