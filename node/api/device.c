#include "api/device.h"
#include "crypto.h"
#include "error.h"

#include <stdio.h>
#include <string.h>

const char *device_check(const char *device)
{
    size_t n = strlen(device);
    if (n < 16 || n > DEVICE_MAX)
        return "设备标识应为 16 到 64 个字符";
    if (strspn(device, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") != n)
        return "设备标识只能由字母、数字和 - _ 组成";
    return NULL;
}

void device_id(const char *user, const char *device, char id[DEVICE_ID_HEX])
{
    char both[64 + DEVICE_MAX + 2];
    uint8_t hash[CRYPTO_HASH_LEN];
    int n = snprintf(both, sizeof both, "%s%c%s", user, 0, device);
    crypto_blake2b((const uint8_t *)both, n < (int)sizeof both ? (size_t)n : sizeof both - 1,
                   hash);
    crypto_hex(hash, (DEVICE_ID_HEX - 1) / 2, id);
}

int device_get(store *st, MDB_txn *txn, const char *id, Jiefen__DeviceRecord **out)
{
    *out = NULL;
    if (strlen(id) != DEVICE_ID_HEX - 1)   /* no such id can exist */
        return 0;
    return STORE_GET_MESSAGE(txn, st->devices, id, strlen(id),
                             &jiefen__device_record__descriptor, out);
}

int device_put(store *st, MDB_txn *txn, const Jiefen__DeviceRecord *d)
{
    return store_put_message(txn, st->devices, d->id, strlen(d->id), &d->base);
}

int device_approved(store *st, MDB_txn *txn, const char *user, const char *device, int *ok)
{
    char id[DEVICE_ID_HEX];
    Jiefen__DeviceRecord *d = NULL;
    *ok = 0;
    if (device_check(device))
        return 0;
    device_id(user, device, id);
    int rc = device_get(st, txn, id, &d);
    *ok = rc == 0 && d && d->state == DEVICE_APPROVED;
    device_free(&d);
    return rc;
}

int device_refused(store *st, MDB_txn *txn, const char *user, const char *device,
                   const char *label, int64_t now)
{
    char id[DEVICE_ID_HEX];
    Jiefen__DeviceRecord *d = NULL, fresh = JIEFEN__DEVICE_RECORD__INIT;
    device_id(user, device, id);
    int rc = device_get(st, txn, id, &d);
    if (rc)
        return rc;
    Jiefen__DeviceRecord *w = d ? d : &fresh;
    if (!d) {
        fresh.id = id;
        fresh.user = (char *)user;
        fresh.device = (char *)device;
        fresh.label = (char *)label;
        fresh.requested_ms = now;
    }
    w->refusals++;
    w->last_refused_ms = now;
    rc = device_put(st, txn, w);
    device_free(&d);
    return rc;
}

int device_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg)
{
    return store_walk_messages(txn, st->devices, NULL, &jiefen__device_record__descriptor, fn,
                               arg);
}

const char *device_state_code(uint32_t state)
{
    static const char *const codes[] = {"pending", "approved", "revoked"};
    return state <= DEVICE_REVOKED ? codes[state] : "pending";
}

const char *device_state_name(uint32_t state)
{
    static const char *const names[] = {"待批准", "已批准", "已撤销"};
    return state <= DEVICE_REVOKED ? names[state] : "待批准";
}

void device_free(Jiefen__DeviceRecord **d)
{
    if (!d || !*d)
        return;
    jiefen__device_record__free_unpacked(*d, NULL);
    *d = NULL;
}
