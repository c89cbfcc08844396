/*
 * route — what goes down a link: the per-child queues (outbox) that the downlink ships.
 *
 * An event this node appends, or receives from its parent, is queued for each direct child
 * whose subtree it concerns: a directive for the children under its addressees; a case
 * event for the children under the node where the case started, under its holder, and
 * under the node a hand-down gives it to. A hand-down to a child that never had the case
 * is preceded by the case's earlier events, so the child holds the whole file and can
 * verify every signature in it (each is an ancestor's). Items are queued in the
 * transaction that stores the event, so nothing is lost between the two.
 */
#ifndef JIEFEN_ROUTE_H
#define JIEFEN_ROUTE_H

#include "jiefen.pb-c.h"
#include "store.h"

/* Queues the envelope bytes of ev for the children of `self` it concerns. */
int route_down(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev,
               const uint8_t *bytes, size_t len);

/* Meta key of a child's queue counter ("outq:CHILD") into buf. */
void route_queue_key(const char *child, char *buf, size_t len);

#endif
