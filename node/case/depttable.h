/*
 * depttable — the departments seated in this node's centre (部门入驻): a reference table in
 * the store (meta "dept:" name -> DeptRecord, never in the log), with the seeds' usual
 * departments as defaults until edited. A department is known by its Chinese name, which is
 * what cases and accounts carry; it is never renamed or deleted, only disabled (a disabled
 * one takes no new routing; its cases and accounts stay). Edited by the node's director or
 * administrator through the API.
 */
#ifndef JIEFEN_DEPTTABLE_H
#define JIEFEN_DEPTTABLE_H

#include "jiefen.pb-c.h"
#include "store.h"

#define DEPT_NAME_MAX 60   /* bytes of a name (20 Chinese characters) */
#define DEPT_DUTY_MAX 600

/* Why `name` cannot name a department (Chinese), or NULL: empty, too long, not UTF-8, or
 * holding a comma or a control character (lists of names are comma-separated). */
const char *depttable_bad_name(const char *name);

/* The department `name` (stored, else a default) into *out, NULL if there is none; free
 * with depttable_free. 0, -ENOMEM, JF_ECORRUPT or a store error. */
int depttable_get(store *st, MDB_txn *txn, const char *name, Jiefen__DeptRecord **out);

/* Calls fn for each department (a DeptRecord): the defaults (as edited) in their order,
 * then the ones added, by name. fn may stop the walk with STORE_STOP or fail it with a
 * negative code, which is returned. 0, JF_ECORRUPT or another error. */
int depttable_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg);

/* Stores r (a new department or an edit of one). 0, JF_EINVAL (a bad name) or a store
 * error. */
int depttable_put(store *st, MDB_txn *txn, const Jiefen__DeptRecord *r);

void depttable_free(Jiefen__DeptRecord **r);

#endif
