/*
 * partyarrival — finding the parties of cases that came here by a move.
 *
 * A case escalated to this node, or handed down to it, brings its parties boxed to this
 * node's key inside the move event (casefile.h). The fold of that move cannot open them
 * (folds see the store, not the node's keys), so it only queues the case
 * (partyindex_arrived, in the move's transaction: as durable as the move). The queue is
 * worked off after events were received and at start: each queued case's parties are
 * opened and indexed for search (partyindex.h) in one event-log operation with taking it
 * off the queue, so a crash in between indexes it again, never not at all.
 */
#ifndef JIEFEN_PARTYARRIVAL_H
#define JIEFEN_PARTYARRIVAL_H

#include "crypto.h"
#include "log/eventlog.h"

#include <stdint.h>

typedef struct partyarrival partyarrival;

/* The worker: opens parties with id as node `self` and indexes them under `key` (all
 * borrowed: they must outlive it), through log, the queue in st. A kick is cheap when
 * nothing was queued since the last run (drain_watch). NULL if out of memory. */
partyarrival *partyarrival_new(eventlog *log, store *st, const crypto_identity *id,
                               const char *self, const uint8_t *key);

/* Frees, after the log was freed. Accepts NULL, clears *a. */
void partyarrival_free(partyarrival **a);

/* Works off the queue: call after events were received and at start. Accepts NULL. */
void partyarrival_kick(partyarrival *a);

/* No run is started from now on (shutdown). Accepts NULL. */
void partyarrival_stop(partyarrival *a);

#endif
