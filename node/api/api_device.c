/* api_device — 一机一账号 for administrators: the devices accounts log in from
 * (GET /api/v1/devices) and their approval or revocation
 * (POST /api/v1/devices/{id}/approve|revoke). A revoked device's sessions end at their next
 * request (api_session.c checks the device of each session while binding is on). */
#include "api/api_op.h"
#include "api/api_routes.h"
#include "api/account.h"
#include "api/device.h"
#include "error.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *device_json(const Jiefen__DeviceRecord *d)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:i, s:I, s:I, s:s}", "id", d->id,
                     "user", d->user, "device", d->device, "label", d->label, "state",
                     device_state_code(d->state), "state_name", device_state_name(d->state),
                     "requested_ms", (json_int_t)d->requested_ms, "refusals", (int)d->refusals,
                     "last_refused_ms", (json_int_t)d->last_refused_ms, "decided_ms",
                     (json_int_t)d->decided_ms, "decided_by", d->decided_by);
}

/* The list's walk: each device with the names of its account and of who decided. */
struct device_list {
    store *st;
    MDB_txn *txn;
    json_t *out;
};

/* The person's name of account `user` ("" when there is none). 0 or a store error. */
static int name_of(const struct device_list *l, const char *user, char *name, size_t len)
{
    Jiefen__UserRecord *u = NULL;
    int rc = user[0] ? account_get(l->st, l->txn, user, &u) : 0;
    snprintf(name, len, "%s", u ? u->name : "");
    account_free(&u);
    return rc;
}

static int add_device(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__DeviceRecord *d = (const Jiefen__DeviceRecord *)m;
    const struct device_list *l = arg;
    char name[4 * ACCOUNT_NAME_MAX + 1], by[4 * ACCOUNT_NAME_MAX + 1];
    int rc = name_of(l, d->user, name, sizeof name);
    if (rc == 0 && (rc = name_of(l, d->decided_by, by, sizeof by)) == 0 && !by[0] &&
        strcmp(d->decided_by, "admin") == 0)
        snprintf(by, sizeof by, "本机管理令牌");
    if (rc)
        return rc;
    json_t *j = device_json(d);
    if (!j || json_object_set_new(j, "name", json_string(name)) ||
        json_object_set_new(j, "decided_by_name", json_string(by))) {
        json_decref(j);
        return -ENOMEM;
    }
    return json_array_append_new(l->out, j) ? -ENOMEM : 0;
}

void route_devices(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    json_t *out = json_array();
    struct device_list l = {c->api->dep.st, NULL, out};
    int rc = out ? store_txn_begin(l.st, MDB_RDONLY, &l.txn) : -ENOMEM;
    if (rc == 0) {
        rc = device_each(l.st, l.txn, add_device, &l);
        store_txn_abort(l.txn);
    }
    if (rc) {
        json_decref(out);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o, s:b}", "devices", out, "binding",
                                 c->api->dep.cfg->device_binding));
}

struct device_action {
    char id[DEVICE_ID_HEX];
    uint32_t state;             /* DEVICE_APPROVED or DEVICE_REVOKED */
};

static int device_apply(eventlog_tx *tx, struct api_op *o)
{
    const struct device_action *a = o->data;
    Jiefen__DeviceRecord *d = NULL;
    int rc = device_get(tx->st, tx->txn, a->id, &d);
    if (rc == 0 && !d)
        rc = op_refuse(o, 404, "not_found", "id", "无此设备登记（编号 %s）", a->id);
    else if (rc == 0) {
        char *was = d->decided_by; /* the unpacked record's own, freed with it */
        d->state = a->state;
        d->decided_ms = tx->now_ms;
        d->decided_by = (char *)api_actor(o->c, NULL);
        rc = device_put(tx->st, tx->txn, d);
        d->decided_by = was;
    }
    if (rc == 0) {
        json_decref(o->out);
        o->out = device_json(d);
        json_object_set_new(o->out, "decided_by", json_string(api_actor(o->c, NULL)));
        log_info("device", "device %s %s by %s", a->id, device_state_code(a->state),
                 api_actor(o->c, NULL));
    }
    device_free(&d);
    return rc;
}

void route_device_action(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r;
    const char *slash = strchr(tail, '/');
    struct device_action *a = calloc(1, sizeof *a);
    json_t *in = a ? json_object() : NULL;
    if (!in) {
        free(a);
        return reply_error(c, 500, "internal", NULL, "内存不足");
    }
    if (slash && strcmp(slash, "/approve") == 0)
        a->state = DEVICE_APPROVED;
    else if (slash && strcmp(slash, "/revoke") == 0)
        a->state = DEVICE_REVOKED;
    if (!a->state || slash - tail != DEVICE_ID_HEX - 1) {
        free(a);
        json_decref(in);
        return reply_error(c, 404, "not_found", NULL,
                           "无此接口（POST /api/v1/devices/编号/approve 或 revoke）");
    }
    memcpy(a->id, tail, DEVICE_ID_HEX - 1);
    op_submit_data(c, in, device_apply, NULL, a);
}
