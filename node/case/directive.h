/*
 * directive — directives down the tree (交办, 督办, 通知, rule 10) as derived views: who a
 * directive is meant for (its targets, or every node under one with `subtree`) and who has
 * acknowledged it. directive_fold and directive_ack_fold are the folds of the two event
 * kinds (registered with log/fold.h by the node's wiring).
 */
#ifndef JIEFEN_DIRECTIVE_H
#define JIEFEN_DIRECTIVE_H

#include "jiefen.pb-c.h"
#include "store.h"

/* Folds a directive: its view lists every node known here that it addresses, except its
 * sender. 0 or a store error. */
int directive_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* Records who acknowledged; a node that was not asked, or asks twice, changes nothing.
 * JF_EINVAL for an origin that cannot be a key. */
int directive_ack_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev);

/* Reads a directive view (NULL if absent); free with jiefen__directive_view__free_unpacked. */
int directive_get(store *st, MDB_txn *txn, const char *origin, uint64_t seq,
                       Jiefen__DirectiveView **out);

/* 1 if the directive is meant for `node` (a target, or under one with subtree). */
int directive_addresses(store *st, MDB_txn *txn, const Jiefen__Directive *d,
                             const char *node);

#endif
