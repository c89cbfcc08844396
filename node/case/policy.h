/*
 * policy — what this node's configuration decides about cases: the responsible department
 * of each category (the default table, overridden in [routing]), time limits (calendar or
 * working days), the 3221 threshold of its tier, and who answers for each risk colour.
 * Loaded once at start; a bad [routing] category or holiday file stops the daemon with a
 * message naming the file and line.
 */
#ifndef JIEFEN_POLICY_H
#define JIEFEN_POLICY_H

#include "case/calendar.h"
#include "config.h"

#include <stdint.h>

struct policy {
    const struct config *cfg;   /* borrowed */
    calendar *cal;              /* NULL: limits count calendar days */
};

/* Checks cfg's [routing] and loads its holiday calendar (a relative path is taken from the
 * data directory `dir`). 0, or JF_ECONFIG with the reason in err. */
int policy_load(struct policy *p, const struct config *cfg, const char *dir, char *err,
                size_t errlen);

void policy_free(struct policy *p);

/* Time limit of a holding period starting at start_ms for a case of this complexity. */
int64_t policy_due(const struct policy *p, int64_t start_ms, int complexity);

/* The same limit extended by `days`: from the current limit. */
int64_t policy_extend(const struct policy *p, int64_t due_ms, unsigned days);

/* When the follow-up visit (回访) of a case closed at closed_ms is due: [limits]
 * followup_days (15) later, counted as the node's limits are (calendar or working days). */
int64_t policy_followup_due(const struct policy *p, int64_t closed_ms);
/* When a department routed at start_ms must have signed for the case (签收): `hours`
 * working hours later (0: [departments] sign_hours), in the working hours of working days
 * (the holiday calendar when there is one, else Monday–Friday). */
int64_t policy_sign_due(const struct policy *p, int64_t start_ms, unsigned hours);

/* Responsible department of a category code (NULL if the code is unknown). */
const char *policy_department(const struct policy *p, const char *category);

/* Failed attempts after which a case held here escalates (3221: 3 village, 2 above). */
int policy_failed_attempts(const struct policy *p);

/* Who answers for a risk colour (1 blue .. 4 red), "" if none. */
const char *policy_official(const struct policy *p, int risk);

/* Tier whose official answers for a colour: red the county, orange the township, yellow and
 * blue the centre that holds the case (0). */
int policy_official_tier(int risk);

#endif
