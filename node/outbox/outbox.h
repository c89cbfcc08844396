/*
 * outbox — the node's durable outbox of messages to outside systems: SMS to parties and
 * staff today, the 12345 hotline and the court's system later, each delivered by the
 * adapter of its system (courier.h). A message is queued in the transaction of the event
 * that causes it (an eventlog operation): it exists exactly when that event was committed.
 * Its recipient and values are sealed at rest like party data; the record keeps only the
 * recipient masked (138****5678).
 *
 * Store layout (store.h, db `notify`): 'm' id -> NotifyRecord; 's' id -> sealed
 * NotifyPayload; 'p' id -> next_ms:u64be while not done; 'q' system "\0" next_ms:u64be id
 * -> empty while not done (the due index: a courier reads what is due, not every message);
 * 'c' case "\0" id -> empty; 'n' -> last id;
 * 'k' once-key -> empty (notify_queue_once); 'u'/'v' user: the staff book (staffbook.h).
 * Ids are dense from 1 in queueing order.
 */
#ifndef JIEFEN_OUTBOX_H
#define JIEFEN_OUTBOX_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "log/eventlog.h"
#include "store.h"

#include <stddef.h>
#include <stdint.h>

#define OUTBOX_MASK_MAX 32

/* A template's {name} and its value. */
struct notify_var {
    const char *name, *value;
};

/* THE call for other features: queues an SMS from template `tmpl` (an [sms] template name,
 * e.g. "receipt", "appointment", "follow_up") to mobile number
 * `phone` about case `case_id` ("" or NULL: none), with the template's values (case_id and
 * centre are filled in by themselves), in the operation's transaction: call it from an
 * eventlog apply function, after the event that causes the message. The text is made from
 * the template when it is sent, so a template edited in the config applies to what waits.
 * 0, JF_EINVAL (not a mobile number, no template name, too many or too long values: nothing
 * queued), -ENOMEM or a store error. */
int notify_queue(eventlog_tx *tx, const char *tmpl, const char *phone, const char *case_id,
                 const struct notify_var *vars, size_t n_vars);

#define OUTBOX_ONCE_MAX 256

/* notify_queue, once for key `once` (1-OUTBOX_ONCE_MAX bytes, e.g. "sign_overdue:CASE:
 * DEPT:DUE:USER"): 0 when queued now, 1 when a message of that key was queued before
 * (nothing queued again), or notify_queue's errors. */
int notify_queue_once(eventlog_tx *tx, const char *once, const char *tmpl, const char *phone,
                      const char *case_id, const struct notify_var *vars, size_t n_vars);

/* The generic form: a message to outside system `system` (its adapter's name). Same
 * errors, but the recipient is only checked for being non-empty. *id (may be NULL) gets the
 * new message's id. */
int outbox_queue(eventlog_tx *tx, const char *system, const char *tmpl, const char *recipient,
                 const char *case_id, const struct notify_var *vars, size_t n_vars,
                 uint64_t *id);

/* 1 if phone is a mainland mobile number (11 digits from 1), the only kind an SMS reaches. */
int outbox_is_mobile(const char *phone);

/* A phone number as logs and views may show it: the first 3 and last 4 digits, e.g.
 * 138****5678 (shorter numbers: all but the last 2 hidden), into out (OUTBOX_MASK_MAX). */
void outbox_mask(const char *phone, char *out);

/* The message `id`: *out NULL when absent; free it with
 * jiefen__notify_record__free_unpacked. 0, JF_ECORRUPT or a store error. */
int outbox_get(store *st, MDB_txn *txn, uint64_t id, Jiefen__NotifyRecord **out);

/* Stores rec (an update of its status); a message that is done leaves the pending set.
 * A message left pending is noted (store_queue_note on db notify: idle couriers start on
 * it). 0 or a store error. */
int outbox_put(store *st, MDB_txn *txn, const Jiefen__NotifyRecord *rec);

/* 1 if a status is final: sent, delivered, failed, expired. */
int outbox_done(Jiefen__NotifyStatus s);

/* Opens the sealed payload of message id_msg with the node's identity. *out is the
 * caller's (jiefen__notify_payload__free_unpacked). 0, JF_ENOTFOUND, JF_ECRYPTO, JF_ECORRUPT,
 * -ENOMEM or a store error. */
int outbox_payload(store *st, MDB_txn *txn, const crypto_identity *id, uint64_t id_msg,
                   Jiefen__NotifyPayload **out);

/* Calls fn with each message not done, oldest first, until fn returns non-zero (a negative
 * code is returned; STORE_STOP ends the walk with 0). rec is valid during the call. */
typedef int (*outbox_fn)(const Jiefen__NotifyRecord *rec, void *arg);
int outbox_each_pending(store *st, MDB_txn *txn, outbox_fn fn, void *arg);

/* The pending messages of `system` that are due at now_ms (not before their next_ms),
 * the earliest first, until fn stops it; same contract. *next_ms gets when the first
 * message not yet due falls due (INT64_MAX: none, or fn stopped the walk before it).
 * Reads only what is due: the courier looks here, however many messages wait. */
int outbox_each_due(store *st, MDB_txn *txn, const char *system, int64_t now_ms,
                    int64_t *next_ms, outbox_fn fn, void *arg);

/* Builds the due index of a store made before it (format 5, case/migrations.h); running
 * it again changes nothing. 0, JF_ECORRUPT, -ENOMEM or a store error. */
int outbox_due_fill(store *st, MDB_txn *txn);

/* The messages of case_id, oldest first; same contract. */
int outbox_each_of_case(store *st, MDB_txn *txn, const char *case_id, outbox_fn fn, void *arg);

/* Every message, newest first, from the one below `before` (0: the newest); same contract. */
int outbox_each(store *st, MDB_txn *txn, uint64_t before, outbox_fn fn, void *arg);

/* The status's code (queued, held, sending, sent, delivered, failed, expired) and its
 * Chinese name; the name of a queued message waiting for a gateway is 未配置网关，等待发送. */
const char *outbox_status_code(Jiefen__NotifyStatus s);
const char *outbox_status_name(const Jiefen__NotifyRecord *rec);

/* Dead letters (webhooks, docs/interop.md): 1 if rec is dead, i.e. failed or expired and
 * not discarded by an administrator. */
int outbox_dead(const Jiefen__NotifyRecord *rec);

/* Puts dead message id back to be tried: queued now, its attempts and expiry counted
 * afresh from now_ms (retried_ms), the same idempotency key. 0, JF_ENOTFOUND, JF_EINVAL
 * (not dead) or a store error. */
int outbox_retry(store *st, MDB_txn *txn, uint64_t id, int64_t now_ms);

/* Sets dead message id aside for good (discarded). Same errors. */
int outbox_discard(store *st, MDB_txn *txn, uint64_t id);

/* The status of a code, or -1. */
int outbox_status_parse(const char *code);

#endif
