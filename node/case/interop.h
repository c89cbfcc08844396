/*
 * interop — 信息互通: work orders from outside systems (the 12345 hotline, 信访) taken in
 * as cases, and their 回单 queued once the case reaches the result the system needs.
 *
 * An order is known by (system, order number): interop_take_apply takes it in through the
 * normal intake (intake.h) and records the pair with the case in the same transaction, so
 * the same order delivered twice, even in one batch or across kill -9, makes one case. A
 * refused order is kept with its reason (interop_refuse_apply), its body sealed at rest.
 *
 * interop_on_append is the event log's append hook (eventlog_on_append): when a case taken
 * from an order is closed (closed), guided to another channel as not ours (returned) or
 * escalated away from this node (transferred), it queues the 回单 in the outbox (outbox.h:
 * system = the order's system, template "interop_receipt") in the transaction of that
 * event, and marks the order, so there is exactly one 回单 per order. An order of a court
 * (诉前委派, court_case_no set) is told the mediation's result instead: agreement (the
 * case closed after an attempt that reached one, in full or in part), withdrawn (closed as
 * withdrawn by the parties: CaseClosed.withdrawn), no_agreement (closed otherwise, or
 * guided back); its escalation within the tree tells the court nothing. A result reached
 * at another node (a court's case escalated and closed above, or handed down and closed
 * below) arrives as a received event: its fold (interop_fold) cannot queue a sealed
 * message (folds see the store, not the node's keys), so it notes the case ('q', in that
 * event's transaction) and a drain (log/drain.h, interop_drain_step) queues the 回单 and
 * marks the order in one operation.
 *
 * Store (db `interop`): 'o' system "\0" order_no -> case id; 'c' case id -> InteropOrder;
 * 'r' id:u64be -> InteropRefused; 's' id:u64be -> its body, sealed; 'q' case id -> the
 * result reached elsewhere, to tell; meta "interop:refused" -> the last refused id.
 */
#ifndef JIEFEN_INTEROP_H
#define JIEFEN_INTEROP_H

#include "case/intake.h"
#include "jiefen.pb-c.h"
#include "log/eventlog.h"
#include "store.h"

#define INTEROP_ORDER_NO_MAX 64
#define INTEROP_CASE_ID_MAX 64

/* One order being taken in: system and order_no (checked by the caller), the parsed
 * intake; case_id and duplicate are set by the apply. */
struct interop_take {
    const char *system, *order_no;
    struct intake *in;
    const char *court_case_no;   /* 诉前委派: the court's 案号; NULL: not a court's */
    int64_t deadline_ms;         /* 诉前委派: the case's time limit; 0: the policy's */
    char case_id[INTEROP_CASE_ID_MAX];
    int duplicate;   /* 1: the order was already here; case_id is its case */
};

/* eventlog apply function (arg: struct interop_take). */
int interop_take_apply(eventlog_tx *tx, void *arg);

/* The case of order (system, order_no) into case_id (INTEROP_CASE_ID_MAX): 0, JF_ENOTFOUND
 * or a store error. */
int interop_find(store *st, MDB_txn *txn, const char *system, const char *order_no,
                 char *case_id);

/* The order case_id was taken from: *out NULL when none (free with
 * jiefen__interop_order__free_unpacked). 0, JF_ECORRUPT or a store error. */
int interop_order_of_case(store *st, MDB_txn *txn, const char *case_id,
                          Jiefen__InteropOrder **out);

/* A refusal to keep: rec's system, order_no, code, reason, via; body (len bytes) sealed. */
struct interop_refusal {
    Jiefen__InteropRefused rec;
    const char *body;
    size_t len;
};

/* eventlog apply function (arg: struct interop_refusal): gives it the next id and stores
 * it. */
int interop_refuse_apply(eventlog_tx *tx, void *arg);

/* Calls fn with each refused order (an InteropRefused), newest first, until fn returns
 * non-zero (STORE_STOP ends with 0). 0, JF_ECORRUPT, fn's code or an LMDB code. */
int interop_each_refused(store *st, MDB_txn *txn, store_message_fn fn, void *arg);

/* The event log's append hook (see the header comment). 0 or a store error. */
int interop_on_append(eventlog_tx *tx, const Jiefen__Event *ev, void *arg);

/* The fold of case_closed and case_guided: the case's fold (caseindex.h), and, for an
 * event of another node that gives an order of this node its result, the note for the
 * drain. Same returns as caseindex_fold. */
int interop_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* drain.h's step: queues the 回单 of up to 32 noted cases (arg unused). */
int interop_drain_step(eventlog_tx *tx, void *arg, int *more);

#endif
