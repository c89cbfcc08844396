/*
 * hooks — which case events the [webhook NAME] subscribers hear (config_webhook.h), queued
 * as outbox messages (outbox.h, delivered by outbox/webhook.h) in the transaction of the
 * event: a delivery exists exactly when its event does, and keeps one delivery id
 * (idempotency key) through every retry and restart.
 *
 * The kinds, of this node's own events: case.created (case_opened), case.escalated
 * (case_moved "escalate" away from here), case.returned (case_guided), case.risk_changed,
 * case.closed, case.followed_up. The values kept are no personal data: the event, the
 * case's status and risk after it (its view), the time and the node.
 */
#ifndef JIEFEN_HOOKS_H
#define JIEFEN_HOOKS_H

#include "config_webhook.h"
#include "jiefen.pb-c.h"
#include "log/eventlog.h"

/* The kind (CONFIG_HOOK_*) of this node's event ev, or -1 when no subscriber may hear it. */
int hooks_kind(const Jiefen__Event *ev);

/* Queues one delivery of ev per subscriber of hooks (a struct config_webhooks, borrowed)
 * that chose its kind. Call from the event log's append hook. 0 or a store error. */
int hooks_on_append(eventlog_tx *tx, const Jiefen__Event *ev, void *hooks);

#endif
