/*
 * cmd_outbox — `outbox [--status S] [--limit N]`: the node's outbox of SMS (GET
 * /api/v1/outbox), newest first: whether a gateway is configured, then each message with
 * its template, case, masked number and status by name; or the API's JSON. An
 * administrator's. The messages of one case are in `case show`.
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "field.h"
#include "msg.h"
#include "table.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct option outbox_opts[] = {
    {"status", required_argument, NULL, 's'},
    {"limit", required_argument, NULL, 'l'},
    {NULL, 0, NULL, 0},
};

struct outbox_args {
    const char *status, *limit;
};

static int take(void *arg, int c, char **argv)
{
    struct outbox_args *a = arg;
    if (c == 's')
        return args_set_text_once(&a->status, "status", optarg);
    if (c == 'l')
        return args_set_once(&a->limit, "limit", optarg);
    return args_bad_option(c, argv);
}

int cmd_outbox_row(struct table *t, const json_t *m, const void *arg)
{
    char id[24], tries[16], created[32];
    (void)arg;
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
    snprintf(tries, sizeof tries, "%lld",
             (long long)json_integer_value(json_object_get(m, "attempts")));
    const char *row[CMD_OUTBOX_COLS] = {
        id, field_str(m, "template_name"), field_str(m, "case_id"), field_str(m, "recipient"),
        field_str(m, "status_name"), tries,
        field_time(m, "created_ms", "%Y-%m-%d %H:%M", created, sizeof created),
        field_str(m, "last_error")};
    return table_add(t, row);
}

const char *const cmd_outbox_head[CMD_OUTBOX_COLS] = {
    "编号", "短信", "案件编号", "接收号码", "状态", "尝试次数", "创建时间", "最近错误"};

/* How each [interop] system's 回单 travel: 回单（12345热线）：交换目录 /srv/…/receipts. */
static void print_receipts(const json_t *list)
{
    size_t i;
    const json_t *s;
    json_array_foreach(list, i, s) {
        const char *folder = field_str(s, "folder");
        printf("回单（%s）：%s%s%s\n", field_str(s, "system_name"), field_str(s, "delivery_name"),
               folder[0] ? " " : "", folder);
    }
}

static int print_outbox(const json_t *r)
{
    const json_t *gw = json_object_get(r, "gateway");
    if (json_is_true(json_object_get(gw, "configured")))
        printf("短信网关：已配置；免打扰时段：%s；%lld 小时未发出即过期\n",
               field_str(gw, "quiet_hours")[0] ? field_str(gw, "quiet_hours") : "无",
               (long long)json_integer_value(json_object_get(gw, "expiry_hours")));
    else
        printf("短信网关：未配置网关，消息等待发送（配置 [sms] gateway_url 后重启即发出）\n");
    print_receipts(json_object_get(r, "receipts"));
    const json_t *list = json_object_get(r, "messages");
    if (json_array_size(list) == 0) {
        printf("发件箱为空\n");
        return 0;
    }
    return table_show(NULL, 0, list, cmd_outbox_head, CMD_OUTBOX_COLS, cmd_outbox_row, NULL);
}

int cmd_outbox(struct ctl *ctl, int argc, char **argv)
{
    struct outbox_args a = {0};
    char *path;
    json_t *r;
    int rc = args_parse(argc, argv, "outbox", outbox_opts, NULL, NULL, take, &a);
    if (rc)
        return rc;
    if (!(path = strdup("/api/v1/outbox")))
        return msg_oom();
    if (a.status)
        rc = api_add_param(ctl, &path, "status", a.status);
    if (rc == 0 && a.limit)
        rc = api_add_param(ctl, &path, "limit", a.limit);
    if (rc == 0)
        rc = api_call(ctl, "GET", path, NULL, 0, &r);
    free(path);
    if (rc)
        return rc;
    if (!json_is_array(json_object_get(r, "messages")))
        rc = api_unexpected("the outbox has no messages");
    if (rc == 0)
        rc = ctl->json ? api_print_json(r) : print_outbox(r);
    json_decref(r);
    return rc;
}
