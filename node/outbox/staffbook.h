/*
 * staffbook — the mobile numbers of this node's staff accounts, for the SMS they are sent
 * (签收 reminders, 回访 assigned, to-dos). Accounts live in the API (api/account.h); the API
 * keeps each account's entry here in the same transaction as the account: its role, its
 * department, whether it is disabled, and its number sealed at rest like party data (never
 * in logs; views show it masked, 138****5678). The domain below the API reads it to notify
 * staff by role and department.
 *
 * Store layout (db `notify`, beside the outbox's keys): 'u' user -> StaffContact;
 * 'v' user -> the number, sealed (AD: the key).
 */
#ifndef JIEFEN_STAFFBOOK_H
#define JIEFEN_STAFFBOOK_H

#include "outbox/outbox.h"

#include <stddef.h>

/* Who among the staff a notice is for: each filter set (non-NULL) must match. */
struct staffbook_to {
    const char *role;        /* a role code, e.g. "director", "department" */
    const char *department;  /* a department (table name) */
    const char *user;        /* one account */
};

/* Sets the entry of `user`: its role, department and disabled flag; its number to phone
 * ("" removes it; NULL keeps the one it has). 0, JF_EINVAL (phone not a mainland mobile
 * number: nothing changed), -ENOMEM or a store error. An account with no number and no
 * entry gets none when phone is NULL. */
int staffbook_set(eventlog_tx *tx, const char *user, const char *role, const char *department,
                  int disabled, const char *phone);

/* The masked number of `user` into out (OUTBOX_MASK_MAX bytes; "" when none). 0,
 * JF_ECORRUPT or a store error. */
int staffbook_masked(store *st, MDB_txn *txn, const char *user, char *out);

/* Queues template `tmpl` about case_id to every enabled account matching `to` that has a
 * number, once per (once, user): the key is once ":" user (notify_queue_once). *queued
 * (may be NULL) gets how many were queued now. 0, JF_EINVAL (once too long), JF_ECRYPTO,
 * JF_ECORRUPT, -ENOMEM or a store error. */
int staffbook_notify(eventlog_tx *tx, const crypto_identity *id, const struct staffbook_to *to,
                     const char *tmpl, const char *case_id, const char *once,
                     const struct notify_var *vars, size_t n_vars, unsigned *queued);

#endif
