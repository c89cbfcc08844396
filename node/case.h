/*
 * case — a case's state as the fold of its events (the CaseView), and its JSON form.
 * The fold is a pure function of the events in log order: the same events give the same
 * view byte for byte, which is what `verify` relies on to rebuild and compare.
 */
#ifndef JIEFEN_CASE_H
#define JIEFEN_CASE_H

#include "jiefen.pb-c.h"

#include <jansson.h>
#include <stdint.h>

/* Applies `ev`, found in the log at (ev->origin, ev->seq), to *view: *view is NULL before
 * a case's first event and is allocated then; the caller frees it with case_view_free().
 * Returns 0, JF_EINVAL if the event cannot apply to this state (a second case_opened, an
 * event before the case exists), or -ENOMEM. On error *view is unchanged. */
int case_apply(Jiefen__CaseView **view, const Jiefen__Event *ev);

/* Decodes a stored view; NULL if corrupt. Free with case_view_free(). */
Jiefen__CaseView *case_view_decode(const void *buf, size_t len);

/* Encodes a view into a malloc'd buffer; NULL on allocation failure. */
uint8_t *case_view_encode(const Jiefen__CaseView *v, size_t *len);

void case_view_free(Jiefen__CaseView **v);

/* Status code ("open", ...) of a view. */
const char *case_status_code(int status);

/* The case as API JSON (see docs/api.md, CASE). New reference, NULL on allocation failure. */
json_t *case_view_json(const Jiefen__CaseView *v);

#endif
