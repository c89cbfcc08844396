/*
 * access — who saw what (查阅记录) and the director's approval to copy, print or archive
 * personal records (摘抄复印报批), as events of this node's signed log: they travel up
 * with the rest of the log, so every ancestor can audit every node below it.
 *
 * An access event (AccessRecorded) names who (the event's actor), when (its time), which
 * case (its case_id; empty for a search not tied to one case), what was opened and why:
 *   what     "parties" (the parties' details of a case), "search" (a search for a
 *            person, with the count of its results), "copy:parties" (an extract to take
 *            away), "document:<hash>", "form:<name>", "archive"
 *   purpose  a code of the reference table `purposes` (查阅目的: casework 办案, ...)
 * It never carries the personal data itself, nor the terms of a search.
 *
 * A view is shown only if its access event was recorded: callers run access_record() in
 * the eventlog operation (group commit) that builds the answer, and answer once it is
 * durable. The group commit batches the events of many views into one fsync.
 *
 * Approval (摘抄复印报批): what a node's policy ([access] approval_for: archive, print,
 * copy) lists needs an approved request first. A staff member requests (what, purpose,
 * reason: AccessRequested), the node's director, someone else than the requester, decides
 * (AccessDecided), and the approved request can be used once, within ACCESS_VALID_MS of
 * the decision, by the requester for exactly that case and that `what`: the use is the
 * access event that names it (approval), and the fold marks the request used.
 */
#ifndef JIEFEN_ACCESS_H
#define JIEFEN_ACCESS_H

#include "log/eventlog.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define ACCESS_WHAT_MAX 96
#define ACCESS_ID_MAX 64            /* "origin/seq" of a request */
#define ACCESS_REASON_MAX 1000      /* bytes of a request's or a decision's reason */
#define ACCESS_VALID_MS (24LL * 3600 * 1000)  /* an approval is used within a day */

/* The purpose code ("casework") of a code or its Chinese name ("办案"); NULL if neither. */
const char *access_purpose(const char *s);

/* Whether `what` is one of the forms above: 1 or 0. */
int access_what_valid(const char *what);

/* The policy class of `what`: "archive", "print" (form:*), "copy" (copy:*, document:*),
 * or NULL for a view that never needs approval (parties, search). */
const char *access_class(const char *what);

/* Whether the policy list (config [access] approval_for, e.g. "archive,print") asks for
 * an approval before `what`. 1 or 0. */
int access_needs_approval(const char *approval_for, const char *what);

/* The purpose of a use at node `self` of case v's personal data (docs/casefile.md): `given`
 * if not ""; else 办案 ("casework") when self holds the case, its staff's own work; else
 * NULL (anyone else must say why). */
const char *access_use_purpose(const Jiefen__CaseView *v, const char *self, const char *given);

/* Before `what` on case_id by tx->actor: if the policy asks for approval, finds the
 * requester's approved, unused, unexpired request for exactly that case and `what`, and
 * puts its id in `id` (ACCESS_ID_MAX bytes) for access_record(); "" when none is needed.
 * 0; JF_EINVAL with a Chinese reason in `why` (whylen bytes) when there is none, it was
 * refused, used or has expired; or a store error. Changes nothing. */
int access_check(eventlog_tx *tx, const char *approval_for, const char *case_id,
                 const char *what, char *id, char *why, size_t whylen);

/* Appends the access event of tx->actor: `what` on case_id ("" for node level) for
 * `purpose` (a code or name), with a search's result count, consuming the approval `id`
 * (from access_check; "" or NULL for none). 0; JF_EINVAL for a missing or unknown purpose,
 * a bad `what`, or an approval that cannot be used; or a store error. */
int access_record(eventlog_tx *tx, const char *case_id, const char *what,
                  const char *purpose, uint32_t count, const char *approval);

/* Appends tx->actor's request to do `what` on case_id, for purpose, with a reason; its
 * id ("origin/seq") into id (ACCESS_ID_MAX bytes). 0, JF_EINVAL (why says which field is
 * wrong: "what", "purpose", "reason") or a store error. */
int access_request(eventlog_tx *tx, const char *case_id, const char *what,
                   const char *purpose, const char *reason, char *id, const char **why);

/* Appends tx->actor's decision on request `id` of node `self`: approved or refused, with
 * a reason (required to refuse). 0; JF_ENOTFOUND (no such request here); JF_EINVAL with a
 * Chinese reason in `why` (already decided, one's own request, no reason to refuse); or a
 * store error. */
int access_decide(eventlog_tx *tx, const char *self, const char *id, int approve,
                  const char *reason, char *why, size_t whylen);

/* A request as stored (NULL if none); free with access_request_free(). */
int access_request_get(store *st, MDB_txn *txn, const char *id, Jiefen__AccessRequestView **v);
void access_request_free(Jiefen__AccessRequestView **v);

/* Calls fn with each access event (an AccessView), newest first, until it returns non-zero
 * (STORE_STOP ends quietly). 0, JF_ECORRUPT or another error. */
int access_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg);

/* Calls fn with each request (an AccessRequestView), oldest first (by origin, seq), as for
 * access_each. */
int access_request_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg);

/* Folds the three kinds of events into the `access` database (and the director's 待办
 * at the requesting node). 0, JF_EINVAL (does not apply) or a store error. */
int access_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

#endif
