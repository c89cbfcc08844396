/*
 * cmd_device — 一机一账号 ([auth] device_binding), an administrator's:
 *   device list             the devices accounts log in from: pending, approved, revoked
 *   device approve ID       the account may log in from device ID
 *   device revoke ID        it may no longer; its sessions end
 */
#include "cmd.h"

#include "api.h"
#include "field.h"
#include "table.h"

#include <jansson.h>
#include <stdio.h>

#define DEVICE_COLS 7

static const char *const device_head[DEVICE_COLS] = {"编号", "用户", "设备", "状态",
                                                     "被拒次数", "最近被拒", "申请时间"};

static int device_row(struct table *t, const json_t *m, const void *arg)
{
    char n[16], last[32], asked[32], who[200];
    (void)arg;
    snprintf(who, sizeof who, "%s（%s）", field_str(m, "name"), field_str(m, "user"));
    snprintf(n, sizeof n, "%lld", (long long)json_integer_value(json_object_get(m, "refusals")));
    const char *user = field_str(m, "name")[0] ? who : field_str(m, "user");
    const char *row[DEVICE_COLS] = {field_str(m, "id"), user, field_str(m, "label"),
                                    field_str(m, "state_name"), n,
                                    field_time_set(m, "last_refused_ms", last, sizeof last),
                                    field_time_set(m, "requested_ms", asked, sizeof asked)};
    return table_add(t, row);
}

/* Why no device is listed when the node does not bind accounts to devices. */
static const char *binding_note(const json_t *reply)
{
    return json_is_true(json_object_get(reply, "binding"))
               ? ""
               : "（本中心未启用一机一账号：[auth] device_binding = off）";
}

int cmd_device_list(struct ctl *ctl, int argc, char **argv)
{
    static const struct api_table t = {device_head, DEVICE_COLS, device_row, "没有设备登记",
                                       binding_note};
    return api_show_table(ctl, argc, argv, "device list", "/api/v1/devices", "devices", &t);
}

/* device approve|revoke ID */
static int device_action(struct ctl *ctl, int argc, char **argv, const char *name,
                         const char *verb, const char *done)
{
    const char *id;
    json_t *r;
    int rc = api_post_verb(ctl, argc, argv, name, "/api/v1/devices", verb, &id, &r);
    if (rc == 0 && ctl->json)
        rc = api_print_json(r);
    else if (rc == 0)
        printf("%s 的设备 %s（%s）%s\n", field_str(r, "user"), field_str(r, "label"),
               field_str(r, "id"), done);
    json_decref(r);
    return rc;
}

int cmd_device_approve(struct ctl *ctl, int argc, char **argv)
{
    return device_action(ctl, argc, argv, "device approve", "approve", "已批准");
}

int cmd_device_revoke(struct ctl *ctl, int argc, char **argv)
{
    return device_action(ctl, argc, argv, "device revoke", "revoke", "已撤销，其登录已结束");
}
