/*
 * review — what a review (分析研判: quarterly, halfyear, and the township's monthly 研判
 * meeting record, see report.h) carries besides its figures and analysis: decisions and
 * action items, and for a meeting its date, attendees and the cases discussed. Read from a
 * submission's JSON body and shown back as JSON (docs/api.md, REVIEW).
 */
#ifndef JIEFEN_REVIEW_H
#define JIEFEN_REVIEW_H

#include "jiefen.pb-c.h"
#include "report/report.h"

#include <jansson.h>

#define REVIEW_ITEMS_MAX 100
#define REVIEW_TEXT_MAX 2000

struct review_fault {
    char field[64];
    char message[256];     /* Chinese, for the person submitting */
};

/* Reads `in` (the body's "review" object; NULL if absent) for a report of period p into
 * *out (its strings borrowed from in, which must outlive it; free with review_free). 0, or
 * JF_EINVAL with what is wrong in *f, or -ENOMEM. `in` may be the whole body (jiefenctl
 * sends the members at its top), and an action item a string (its text). */
int review_parse(const json_t *in, const struct report_period *p, Jiefen__ReviewRecord **out,
                 struct review_fault *f);

/* Frees what review_parse made (not the borrowed strings). Accepts NULL, clears *r. */
void review_free(Jiefen__ReviewRecord **r);

/* The record as JSON (a new reference; null for NULL). */
json_t *review_json(const Jiefen__ReviewRecord *r);

#endif
