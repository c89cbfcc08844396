/*
 * couriers — the node's deliverers of the outbox (node/outbox/): one for the SMS gateway,
 * one per [interop] system with a key (its 回单), one per [webhook NAME] subscriber. Each
 * delivers on a thread of its own from the moment it is started; a kick after a commit
 * makes each look at what was queued. Part of the node's wiring (node.c).
 */
#ifndef JIEFEN_COURIERS_H
#define JIEFEN_COURIERS_H

#include "config.h"
#include "crypto.h"
#include "store.h"

typedef struct couriers couriers;

/* Makes and starts every courier cfg asks for over st, signing with id. 0, or a negative
 * code; on failure *out still holds what was made, for couriers_free. */
int couriers_start(const struct config *cfg, store *st, const crypto_identity *id,
                   couriers **out);

/* After a commit: the batch may have queued messages. Accepts NULL. */
void couriers_kick(couriers *c);

/* Stops every courier (joining its thread) and frees it with its adapter; accepts NULL and
 * clears the caller's pointer. Before the store closes. */
void couriers_free(couriers **c);

#endif
