/*
 * device — 一机一账号: the devices this node's accounts log in from, in the store's
 * `devices` database, when [auth] device_binding is on.
 *
 * A device is the random id a console (kept in the browser's localStorage) or jiefenctl
 * (kept in ~/.config/jiefen/device) sends with a password login. One account on one
 * device is one record, keyed by DEVICE_ID_HEX-1 hex digits of BLAKE2b(user "\0" device):
 * that key is its id in the API. A login from a device not approved for the account is
 * refused and recorded (device_refused: the request is created pending, or its refusals
 * counted); an administrator approves or revokes it. Like accounts, devices are this node's
 * own and never enter the log.
 */
#ifndef JIEFEN_DEVICE_H
#define JIEFEN_DEVICE_H

#include "jiefen.pb-c.h"
#include "store.h"

#include <stdint.h>

#define DEVICE_ID_HEX 17        /* 16 hex digits and a NUL */
#define DEVICE_MAX 64           /* bytes of a device's own id */
#define DEVICE_LABEL_MAX 200    /* bytes of its label */

enum device_state { DEVICE_PENDING = 0, DEVICE_APPROVED = 1, DEVICE_REVOKED = 2 };

/* Why a device's own id is not acceptable (Chinese), or NULL: 16-64 of a-z, A-Z, 0-9, '-'
 * and '_'. */
const char *device_check(const char *device);

/* The record id of `user` on `device` into id. */
void device_id(const char *user, const char *device, char id[DEVICE_ID_HEX]);

/* The record stored under id: 0 and *out (NULL: none; free with device_free()),
 * JF_ECORRUPT or an LMDB code. */
int device_get(store *st, MDB_txn *txn, const char *id, Jiefen__DeviceRecord **out);

/* Stores d under d->id. 0, -ENOMEM or an LMDB code. */
int device_put(store *st, MDB_txn *txn, const Jiefen__DeviceRecord *d);

/* Whether `user` may log in from `device` (approved): 0 and *ok, or a store error. */
int device_approved(store *st, MDB_txn *txn, const char *user, const char *device, int *ok);

/* Records a refused login of `user` from `device` at `now`: a new request (pending, with
 * `label`), or one more refusal of the one there (a revoked device stays revoked).
 * 0, -ENOMEM or an LMDB code. */
int device_refused(store *st, MDB_txn *txn, const char *user, const char *device,
                   const char *label, int64_t now);

/* Calls fn on every record (a DeviceRecord), in id order, until it returns non-zero
 * (STORE_STOP: stop, 0 returned). 0, JF_ECORRUPT, fn's code or an LMDB code. */
int device_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg);

/* The state's code (pending, approved, revoked) and its Chinese name. */
const char *device_state_code(uint32_t state);
const char *device_state_name(uint32_t state);

/* Frees; accepts NULL and clears the caller's pointer. */
void device_free(Jiefen__DeviceRecord **d);

#endif
