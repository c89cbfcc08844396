/*
 * events — the live stream of what concerns each user (GET /api/v1/events, Server-Sent
 * Events). Every change of the to-do journal (case/agenda.h), whether this node's commit made
 * it or events that came in over a link, goes to each open stream that may see it:
 *
 *   event: inbox   a to-do item of a kind the caller's role acts on (inbox.h) came or went
 *                  (data: {"about", "id", "added": [kinds], "removed": [kinds]})
 *   event: case    a case changed (data: {"id"}): a page showing it may read it anew
 *   event: reset   what was missed is no longer kept (or the store is not the one the
 *                  client knew): read everything anew
 *
 * Each event's id is the journal's sequence number: a client that reconnects with
 * Last-Event-ID (or ?last_event_id=) gets what it missed, replayed from the journal. A
 * comment line is sent every EVENTS_HEARTBEAT_MS so proxies keep the connection. A stream
 * is bounded by the HTTP server (HTTP_STREAM_QUEUE): a client that does not read is cut off.
 * One hub per API (events_new), used only from the loop's thread.
 */
#ifndef JIEFEN_EVENTS_H
#define JIEFEN_EVENTS_H

#include "api/api_core.h"

#include <uv.h>

#define EVENTS_HEARTBEAT_MS 15000

struct events;

/* A hub on loop reading st's journal from its newest change; NULL when out of memory. */
struct events *events_new(uv_loop_t *loop, store *st);

/* Ends every stream and stops the heartbeat (its handle is closed with the loop's). */
void events_stop(struct events *e);

/* Frees the hub, stopped, once the loop is done; accepts NULL and clears the pointer. */
void events_free(struct events **e);

/* Sends the journal's new changes to the streams: after each commit, and after events
 * came in over a link. */
void events_changed(struct events *e);

/* The number of open streams. */
unsigned events_streams(const struct events *e);

/* GET /api/v1/events: starts the caller's stream. */
void route_events(struct api_call *c, const http_request *r, const char *tail);

#endif
