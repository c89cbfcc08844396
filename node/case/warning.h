/*
 * warning — early warning (预测预警, issue 5): rules a node checks after a case event it
 * makes, each raising a signed `warning` event (actor "system") that travels up with the
 * log and is listed at every tier above (GET /api/v1/warnings):
 *   category_cluster   [warning] category_cases cases of one category in one village taken
 *                      in here within category_days days (days counted as UTC days, today
 *                      included; once per village, category and window)
 *   repeat_escalation  a case escalated `escalations` times within escalation_days days
 *   red_risk           a case taken in or set at red risk (once per case)
 *   dept_sign_overdue  a department routed the case here has not signed for it by its
 *                      limit (dept.h; once per part, raised when the timer records it)
 *   repeat_party       one party (the same ID number, by its pseudonym, see party.h) in
 *                      [warning] party_cases open cases opened in this node's subtree;
 *                      raised by the lowest node that sees them all (the intake node, or
 *                      the ancestor under which they came through different children), once
 *                      per party and count within 30 days
 *   hazard_cluster     [warning] category_cases hazards (hazard.h) of one category in one
 *                      village registered here within category_days days (once per
 *                      village, category and window)
 */
#ifndef JIEFEN_WARNING_H
#define JIEFEN_WARNING_H

#include "config.h"
#include "crypto.h"
#include "log/eventlog.h"

typedef struct warning_queue warning_queue;

/* Checks the rules for the case after an event of it made here; appends what fires. */
int warning_check(eventlog_tx *tx, const struct config *cfg, const char *case_id);

/* Checks the hazard rule after hazard `hazard_id` was registered here; appends what fires. */
int warning_check_hazard(eventlog_tx *tx, const struct config *cfg, const char *hazard_id);

/* The openings received over the links that wait for the repeat-party rule (queued by
 * their fold, see party.h), checked through log with cfg and id (all borrowed: they must
 * outlive it). NULL if out of memory. */
warning_queue *warning_queue_new(eventlog *log, store *st, const struct config *cfg,
                                 const crypto_identity *id);

/* Frees, after the log was freed (it may still hold a check). Accepts NULL, clears *q. */
void warning_queue_free(warning_queue **q);

/* Checks the queued openings a batch at a time, in eventlog operations; call after events
 * were received. Accepts NULL. */
void warning_check_received(warning_queue *q);

/* At start: says when the repeat-party rule is on without a party key (it cannot see this
 * node's intakes), then checks what was received before a stop. */
void warning_start(warning_queue *q);

/* No check is queued from now on (shutdown). Accepts NULL. */
void warning_stop(warning_queue *q);

/* Folds a warning event into the warnings database. */
int warning_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

#endif
