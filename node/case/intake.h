/*
 * intake — 一窗受理: turns the JSON of a new dispute into a validated intake, naming the
 * first field that is wrong, and appends it to the log as a case_opened event with the
 * parties in its sealed part.
 */
#ifndef JIEFEN_INTAKE_H
#define JIEFEN_INTAKE_H

#include "log/eventlog.h"
#include "case/policy.h"

#include <jansson.h>
#include <stdint.h>

#define INTAKE_MAX_PARTIES 20

struct intake_error {
    const char *code;          /* "missing_field" or "invalid_field" */
    char field[64];            /* JSON path, e.g. parties[1].id_number */
    char message[256];         /* Chinese, for the window clerk */
};

struct intake_ctx {
    const char *node_id;
    const char *node_name;
    const char *actor;         /* who takes it in, recorded in the event */
    int tier;
    const struct policy *policy;   /* department and time limit */
    int64_t now_ms;
    const crypto_identity *id; /* opens the party key; NULL: no party tags */
    const uint8_t *search_key; /* partyindex.h: the parties are indexed with it; NULL: not */
};

struct intake;

/* Validates `body`. Returns 0 and a new intake in *out (free with intake_free), or
 * JF_EINVAL with *err filled, or -ENOMEM. */
int intake_parse(const json_t *body, const struct intake_ctx *ctx, struct intake **out,
                 struct intake_error *err);

void intake_free(struct intake **in);

/* eventlog apply function: assigns the case number, appends the case_opened event and
 * indexes its parties for search (partyindex.h) in the same transaction. `arg` is the
 * struct intake. */
int intake_apply(eventlog_tx *tx, void *arg);

/* The case number given by the last intake_apply (valid until intake_free). */
const char *intake_case_id(const struct intake *in);

#endif
