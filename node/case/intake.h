/*
 * intake — 一窗受理: turns the JSON of a new dispute into a validated intake, naming every
 * field that is wrong (so the window can show them all at once), and appends it to the log
 * as a case_opened event with the parties in its sealed part. ID numbers are normalised
 * before they are checked (spaces, full-width digits, x → X), and one ID number may stand
 * for only one party of a case.
 */
#ifndef JIEFEN_INTAKE_H
#define JIEFEN_INTAKE_H

#include "log/eventlog.h"
#include "case/policy.h"

#include <jansson.h>
#include <stdint.h>

#define INTAKE_MAX_PARTIES 20
#define INTAKE_MAX_ERRORS 32   /* faults listed at most; a body with more lists the first */

/* The most characters each text field takes (after trimming), as GET /api/v1/reference
 * tells the form. */
#define INTAKE_NAME_MAX 64
#define INTAKE_ID_MAX 18
#define INTAKE_PHONE_MAX 16
#define INTAKE_ADDRESS_MAX 200
#define INTAKE_VILLAGE_MAX 64
#define INTAKE_SUMMARY_MAX 2000
#define INTAKE_EXTERNAL_REF_MAX 64  /* the hotline's ticket number (external_ref) */

struct intake_fault {
    const char *code;          /* "missing_field" or "invalid_field" */
    char field[64];            /* JSON path, e.g. parties[1].id_number */
    char message[256];         /* Chinese, for the window clerk */
};

/* What is wrong with a body: the first fault in code/field/message (for callers that show
 * one), every fault in `all`. */
struct intake_error {
    const char *code;
    char field[64];
    char message[256];
    size_t count;
    struct intake_fault all[INTAKE_MAX_ERRORS];
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
    const uint8_t *linkage_key; /* linkage.h: the parties' linkage tags; NULL: none */
};

struct intake;

/* Validates `body`. Returns 0 and a new intake in *out (free with intake_free), or
 * JF_EINVAL with every fault in *err, or -ENOMEM. */
int intake_parse(const json_t *body, const struct intake_ctx *ctx, struct intake **out,
                 struct intake_error *err);

void intake_free(struct intake **in);

/* The rules the intake form shows before it is sent: each text field's limit in characters
 * ("limits"), and how the time limit counts ("deadline": working_days, simple_days,
 * complex_days, from the node's [limits]). A new object, or NULL without memory. */
json_t *intake_rules_json(const struct policy *p);

/* Sets the time limit of the case to due_ms (UTC ms) instead of the policy's: a deadline
 * set by whoever delegated the dispute (a court's 诉前委派). */
void intake_set_due(struct intake *in, int64_t due_ms);

/* eventlog apply function: assigns the case number, appends the case_opened event,
 * indexes its parties for search (partyindex.h) and queues the SMS receipt (受理回执) to
 * each party with a mobile number (outbox.h), in the same transaction. `arg` is the
 * struct intake. */
int intake_apply(eventlog_tx *tx, void *arg);

/* The outside system's number of the dispute (interop.h: a work order's system and
 * number), kept in the case_opened event instead of a typed external_ref. The strings are
 * borrowed: they must outlive the intake. */
void intake_set_external(struct intake *in, const char *system, const char *ref);

/* The case number given by the last intake_apply (valid until intake_free). */
const char *intake_case_id(const struct intake *in);

#endif
