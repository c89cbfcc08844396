/*
 * api_case — what a node sees of cases, for the routes that read them (api_case.c) and
 * those that act on them (api_case_act.c): a case as JSON, with where it is held.
 */
#ifndef JIEFEN_API_CASE_H
#define JIEFEN_API_CASE_H

#include "api/api_core.h"

/* The case as the API shows it, from this node's place in the tree. */
json_t *api_case_json(struct api *api, MDB_txn *txn, const Jiefen__CaseView *v);

/* The name of this node's user `user` as their account has it, "" when there is none, as
 * a new JSON string. */
json_t *api_user_name(struct api *api, MDB_txn *txn, const char *user);

/* The registered name of node id (the id itself when unknown), into buf. */
const char *api_node_name(store *st, MDB_txn *txn, const char *id, char *buf, size_t len);

/* The name of the person behind an event's actor, into buf: the name the event carries,
 * else a local account's name (events of this node), else 系统规则 for the rules and
 * 管理员 for the local token, else the login itself. */
const char *api_actor_name(store *st, MDB_txn *txn, const char *actor, const char *carried,
                           char *buf, size_t len);

/* The parties' personal data this node can open in case v, appended to list as objects
 * {role, name, id_number, phone, address}. Record the access (access.h) in the same
 * transaction before showing them. 0 or a store error. */
int api_case_parties(struct api *api, MDB_txn *txn, const Jiefen__CaseView *v, json_t *list);
/* Shared by the routes that take a dispute in or check a body (api_case_act.c, and the
 * hazard register's conversion into a case, api_hazard.c). */
struct api_op;
struct intake_error;

/* 400 with the first fault as the error and every fault in error.errors. */
void reply_intake_errors(struct api_call *c, const struct intake_error *ie);

/* A string member of the operation's body, required (non-empty) or optional, at most max
 * bytes, into *out ("" when absent); 0, or the refusal naming `label` (op_refuse). */
int api_op_text(struct api_op *o, const char *key, const char *label, int required,
                size_t max, const char **out);

/* A member that must be one of t's codes or Chinese names: its index in *idx (-1 absent). */
struct ref_table;
int api_op_choice(struct api_op *o, const char *key, const char *label,
                  const struct ref_table *t, int required, int *idx);
/* What a DocAttached event says (id: the blob's hash in hex; no name, no note: those are
 * sealed), for the history and the document list. */
json_t *api_case_document_json(const Jiefen__DocAttached *d);

#endif
