/*
 * api_case — what a node sees of cases, for the routes that read them (api_case.c) and
 * those that act on them (api_case_act.c): a case as JSON, with where it is held.
 */
#ifndef JIEFEN_API_CASE_H
#define JIEFEN_API_CASE_H

#include "api/api_core.h"

/* The case as the API shows it, from this node's place in the tree. */
json_t *api_case_json(struct api *api, MDB_txn *txn, const Jiefen__CaseView *v);

/* The registered name of node id (the id itself when unknown), into buf. */
const char *api_node_name(store *st, MDB_txn *txn, const char *id, char *buf, size_t len);

/* The name of the person behind an event's actor, into buf: the name the event carries,
 * else a local account's name (events of this node), else 系统规则 for the rules and
 * 管理员 for the local token, else the login itself. */
const char *api_actor_name(store *st, MDB_txn *txn, const char *actor, const char *carried,
                           char *buf, size_t len);

/* What a DocAttached event says (id: the blob's hash in hex; no name, no note: those are
 * sealed), for the history and the document list. */
json_t *api_case_document_json(const Jiefen__DocAttached *d);

#endif
