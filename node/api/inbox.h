/*
 * inbox — the kinds of to-do items (case/agenda.h) as people see them: each kind's Chinese
 * name, the permission it belongs to (docs/permissions.md), and whether a caller is to see
 * it. One table, used by the inbox (api_inbox.c) and by the event stream (events.c), so the
 * two always agree on who is told of what.
 */
#ifndef JIEFEN_INBOX_H
#define JIEFEN_INBOX_H

#include "api/api_core.h"

/* The kind's name for staff ("待分流"); NULL for an unknown kind. */
const char *inbox_kind_name(int kind);

/* Whether `who` is to see items of `kind` at all: the token every kind, a session the kinds
 * its role may act on (a leader: the acknowledgements, each then only on its own cases). */
int inbox_kind_allowed(const struct api_who *who, int kind);

/* The kinds `who` sees, as a bitmask. */
unsigned inbox_kinds_of(const struct api_who *who);

#endif
