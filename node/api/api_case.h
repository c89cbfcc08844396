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

#endif
