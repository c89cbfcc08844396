/*
 * couriers — the node's deliverers of the outbox (node/outbox/): one for the SMS gateway,
 * one per [interop] system with a key (its 回单), one per [webhook NAME] subscriber. Each
 * delivers on a thread of its own; the threads start with the first message in the outbox
 * (at start, or at the kick after the commit that queued it), so an idle node that never
 * sends anything runs none. A kick after a commit makes each look at what was queued.
 * Part of the node's wiring (node.c).
 */
#ifndef JIEFEN_COURIERS_H
#define JIEFEN_COURIERS_H

#include "config.h"
#include "crypto.h"
#include "store.h"

typedef struct couriers couriers;

/* Makes every courier cfg asks for over st, signing with id, and starts their threads if
 * the outbox holds a message not done. 0, or a negative code; on failure *out still holds
 * what was made, for couriers_free. */
int couriers_start(const struct config *cfg, store *st, const crypto_identity *id,
                   couriers **out);

/* After a commit (ours, or events received): the batch may have queued messages; the
 * couriers' threads start now if they had not and the outbox holds one. Loop thread only.
 * Accepts NULL. */
void couriers_kick(couriers *c);

/* Stops every courier (joining its thread) and frees it with its adapter; accepts NULL and
 * clears the caller's pointer. Before the store closes. */
void couriers_free(couriers **c);

#endif
