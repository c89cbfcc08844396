/*
 * api_outbox — the outbox as the API shows it (outbox.h): GET /api/v1/outbox lists the
 * messages for an administrator (newest first, by status), and each case shows its own
 * ("sms" of GET /api/v1/cases/{id}). A recipient is shown masked (138****5678), never whole.
 */
#ifndef JIEFEN_API_OUTBOX_H
#define JIEFEN_API_OUTBOX_H

#include "api/api_core.h"

#include <stdio.h>

/* The messages of case_id as a JSON array (oldest first), or NULL on a store error or
 * without memory (*rc says which). */
json_t *api_outbox_of_case(struct api *api, MDB_txn *txn, const char *case_id, int *rc);

/* Writes the gauge jiefen_outbox_pending{status} (the messages not done, by status; those
 * waiting for a gateway as status="waiting_gateway") to f, in Prometheus text. */
void api_outbox_metrics(struct api *api, MDB_txn *txn, FILE *f);

#endif
