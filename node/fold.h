/*
 * fold — what an event changes in the derived views, in the transaction that stores it:
 * case views (and the status counters), the node registry (enrolments, revocations) and
 * directive views (sent, acknowledged). The same function serves events this node
 * appends and events it receives, so every tier derives the same state from the same log.
 */
#ifndef JIEFEN_FOLD_H
#define JIEFEN_FOLD_H

#include "jiefen.pb-c.h"
#include "store.h"

/* Applies ev in txn as seen by node `self`. Returns 0, JF_EINVAL if the event cannot
 * apply (a second case_opened, a certificate that does not check, a name too long or empty
 * to be a key), or a store error. */
int fold_apply(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* Meta key of the counter of cases in `status` into buf (32 bytes). */
void fold_status_key(int status, char *buf);

/* Reads a case view (NULL if absent); free with case_view_free(). */
int fold_case_get(store *st, MDB_txn *txn, const char *case_id, Jiefen__CaseView **view);

/* Reads a directive view (NULL if absent); free with jiefen__directive_view__free_unpacked. */
int fold_directive_get(store *st, MDB_txn *txn, const char *origin, uint64_t seq,
                       Jiefen__DirectiveView **out);

/* 1 if the directive is meant for `node` (a target, or under one with subtree). */
int fold_directive_addresses(store *st, MDB_txn *txn, const Jiefen__Directive *d,
                             const char *node);

#endif
