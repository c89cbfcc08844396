/*
 * staffnotice — the SMS to staff of the domain's moments, through the staff book
 * (outbox/staffbook.h: the accounts' numbers, sealed) and the outbox, each in the
 * transaction of the event that causes it and at most once per (case, kind, deadline,
 * account): a department a case is routed to (分流) is told to sign for it (签收) by its
 * limit (template sign_reminder); when that limit passes unsigned the department is told
 * again (sign_overdue) and the centre's directors are told (sign_overdue_director); the
 * assignee of a follow-up visit (回访) is told it is theirs and when it is due
 * (followup_assigned). Accounts without a number, or disabled, are sent nothing.
 */
#ifndef JIEFEN_STAFFNOTICE_H
#define JIEFEN_STAFFNOTICE_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "log/eventlog.h"

#include <stddef.h>
#include <stdint.h>

/* A moment as the SMS name it, local time: 2026年12月7日 (with_time 0) or 12月7日 14:30,
 * into out (at least 32 bytes). 0 or JF_EINVAL. */
int staffnotice_time(int64_t ms, int with_time, char *out, size_t len);

/* After DeptRouted d of case_id: each department of the routing's accounts. */
int staffnotice_routed(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                       const Jiefen__DeptRouted *d);

/* After DeptSignOverdue: the department's accounts and the node's directors. */
int staffnotice_sign_overdue(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                             const char *department, int64_t sign_due_ms);

/* After a close that assigned the follow-up to `assignee` ("" : no one, nothing sent). */
int staffnotice_followup(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                         const char *assignee, int64_t due_ms);

#endif
