/*
 * warning — early warning (预测预警, issue 5): rules a node checks after a case event it
 * makes, each raising a signed `warning` event (actor "system") that travels up with the
 * log and is listed at every tier above (GET /api/v1/warnings):
 *   category_cluster   [warning] category_cases cases of one category in one village taken
 *                      in here within category_days days (days counted as UTC days, today
 *                      included; once per village, category and window)
 *   repeat_escalation  a case escalated `escalations` times within escalation_days days
 *   red_risk           a case taken in or set at red risk (once per case)
 * The rule about one party in several open cases needs the party pseudonym, not built yet.
 */
#ifndef JIEFEN_WARNING_H
#define JIEFEN_WARNING_H

#include "config.h"
#include "eventlog.h"

/* Checks the rules for the case after an event of it made here; appends what fires. */
int warning_check(eventlog_tx *tx, const struct config *cfg, const char *case_id);

/* Folds a warning event into the warnings database. */
int warning_fold(store *st, MDB_txn *txn, const Jiefen__Event *ev);

#endif
