/*
 * report_names — the names a person reads beside a report's codes (issue 14, item 5): who
 * submitted it, as the signed submission carries the person's name (for a report of this
 * node, else its account's, as api_actor_name says), and which node reviewed it, by its
 * registered name. A child's login is never looked up among this node's accounts: they
 * are not its. Codes stay as they were; the names go beside them.
 */
#ifndef JIEFEN_REPORT_NAMES_H
#define JIEFEN_REPORT_NAMES_H

#include "store.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

/* Room for a name: an account's or a node's is at most 64 characters of up to 4 bytes. */
#define REPORT_NAME_MAX 260

/* The submitter's name of the report `origin` sent as event `seq` with actor `actor`
 * into buf ("" for a report not submitted: seq 0 or no actor). 0, or an error of the
 * store (the event unreadable). */
int report_names_submitter(store *st, MDB_txn *txn, const char *self, const char *origin,
                           uint64_t seq, const char *actor, char *buf, size_t len);

/* The reviewing node's name into buf ("" when not reviewed). */
const char *report_names_reviewer(store *st, MDB_txn *txn, const char *reviewer, char *buf,
                                  size_t len);

/* Adds "submitted_by_name" and "reviewer_name" to a report of GET /api/v1/reports (a JSON
 * object with node, seq, submitted_by, reviewer), and to "own" (with this node's "name",
 * as the children have theirs) and each of "children" of a whole answer
 * (report_names_add_all). 0, -ENOMEM, or an error of the store. */
int report_names_add(store *st, MDB_txn *txn, const char *self, json_t *report);
int report_names_add_all(store *st, MDB_txn *txn, const char *self, json_t *answer);

#endif
