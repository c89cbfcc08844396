/*
 * notice — the SMS of the domain's moments. To the parties of a case (their numbers from
 * the sealed case file): notice_parties, used by the follow-up (followup.h) and the
 * appointments (appointment.h). To staff, through the staff book
 * (outbox/staffbook.h: the accounts' numbers, sealed) and the outbox, each in the
 * transaction of the event that causes it and at most once per (case, kind, deadline,
 * account): a department a case is routed to (分流) is told to sign for it (签收) by its
 * limit (template sign_reminder); when that limit passes unsigned the department is told
 * again (sign_overdue) and the centre's directors are told (sign_overdue_director); the
 * assignee of a follow-up visit (回访) is told it is theirs and when it is due
 * (followup_assigned). Accounts without a number, or disabled, are sent nothing.
 */
#ifndef JIEFEN_NOTICE_H
#define JIEFEN_NOTICE_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "log/eventlog.h"
#include "outbox/outbox.h"

#include <stddef.h>
#include <stdint.h>

/* A moment as the SMS name it, local time: 2026年12月7日 (with_time 0) or 12月7日 14:30,
 * into out (at least 32 bytes). 0 or JF_EINVAL. */
int notice_time(int64_t ms, int with_time, char *out, size_t len);

/* Template tmpl with vars to each party of case v who has a mobile number, in v's sealed
 * file as this node (`self`, identity id) opens it, once per (once, party): the key is
 * once ":" the party's place. 0, or the errors of casefile_each and notify_queue_once. */
int notice_parties(eventlog_tx *tx, const crypto_identity *id, const char *self,
                   const Jiefen__CaseView *v, const char *tmpl, const char *once,
                   const struct notify_var *vars, size_t n_vars);

/* After DeptRouted d of case_id: each department of the routing's accounts. */
int notice_routed(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                       const Jiefen__DeptRouted *d);

/* After DeptSignOverdue: the department's accounts and the node's directors. */
int notice_sign_overdue(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                             const char *department, int64_t sign_due_ms);

/* After a close that assigned the follow-up to `assignee` ("" : no one, nothing sent). */
int notice_followup(eventlog_tx *tx, const crypto_identity *id, const char *case_id,
                         const char *assignee, int64_t due_ms);

#endif
