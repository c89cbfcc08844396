/*
 * deptindex — the cases of each department routed at this node (部门入驻), so that a
 * department's queue walks its own cases, never every case: db `deptq`, key department
 * "\0" case id -> empty, one for every department with a part (current or past) routed at
 * this node. Kept by the case fold (caseindex.c) in the transaction of each event; filled
 * for stores older than format 4 by the numbered migration (migrations.c).
 */
#ifndef JIEFEN_DEPTINDEX_H
#define JIEFEN_DEPTINDEX_H

#include "jiefen.pb-c.h"
#include "store.h"

/* Adds the entries of view v (parts routed at node `self`). 0 or a store error. */
int deptindex_update(store *st, MDB_txn *txn, const char *self, const Jiefen__CaseView *v);

/* The entries of every case in the store (the migration). 0 or a store error. */
int deptindex_fill(store *st, MDB_txn *txn, const char *self);

/* Calls fn with the id of each case of `department`, in id order, until fn returns
 * non-zero (a negative code is returned; STORE_STOP ends the walk with 0). */
int deptindex_each(store *st, MDB_txn *txn, const char *department,
                   int (*fn)(const char *case_id, void *arg), void *arg);

#endif
