/*
 * cmd_webhook — the webhooks of the node (docs/interop.md), an administrator's:
 *   webhook list            the [webhook NAME] subscribers and what each hears
 *   webhook dead            the dead letters (投递失败), newest first
 *   webhook retry ID        try dead letter ID again (the same delivery id)
 *   webhook discard ID      set dead letter ID aside for good
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
#include <string.h>

#define DEAD_COLS 7

static const char *const dead_head[DEAD_COLS] = {"编号", "订阅方", "事件", "案件编号",
                                                 "状态", "尝试次数", "最近错误"};

static int dead_row(struct table *t, const json_t *m, const void *arg)
{
    char id[24], n[16];
    (void)arg;
    snprintf(id, sizeof id, "%lld", (long long)json_integer_value(json_object_get(m, "id")));
    snprintf(n, sizeof n, "%lld",
             (long long)json_integer_value(json_object_get(m, "attempts")));
    const char *row[DEAD_COLS] = {id, field_str(m, "subscriber"), field_str(m, "event_name"),
                                  field_str(m, "case_id"), field_str(m, "status_name"), n,
                                  field_str(m, "last_error")};
    return table_add(t, row);
}

static void print_subscriber(const json_t *s)
{
    printf("%s  %s\n  事件:", field_str(s, "name"), field_str(s, "url"));
    size_t i;
    const json_t *k;
    json_array_foreach(json_object_get(s, "events"), i, k)
        printf(" %s（%s）", field_str(k, "name"), field_str(k, "code"));
    printf("\n  最多尝试 %lld 次，%lld 小时内送达\n",
           (long long)json_integer_value(json_object_get(s, "max_attempts")),
           (long long)json_integer_value(json_object_get(s, "expiry_h")));
}

int cmd_webhook_list(struct ctl *ctl, int argc, char **argv)
{
    json_t *r;
    int rc = args_parse(argc, argv, "webhook list", args_none, NULL, NULL, args_take_none, NULL);
    if (rc || (rc = api_call(ctl, "GET", "/api/v1/webhooks", NULL, 0, &r)))
        return rc;
    const json_t *subs = json_object_get(r, "subscribers");
    size_t i;
    const json_t *s;
    if (!json_is_array(subs))
        rc = api_unexpected("no \"subscribers\"");
    else if (ctl->json)
        rc = api_print_json(r);
    else if (json_array_size(subs) == 0)
        printf("没有配置 webhook 订阅方（jiefend.conf 的 [webhook 名称] 段）\n");
    else
        json_array_foreach(subs, i, s) print_subscriber(s);
    json_decref(r);
    return rc;
}

int cmd_webhook_dead(struct ctl *ctl, int argc, char **argv)
{
    static const struct api_table t = {dead_head, DEAD_COLS, dead_row,
                                       "没有投递失败的 webhook 消息", NULL};
    return api_show_table(ctl, argc, argv, "webhook dead", "/api/v1/webhooks/dead", "dead", &t);
}

/* webhook retry|discard ID */
static int dead_action(struct ctl *ctl, int argc, char **argv, const char *name,
                       const char *verb, const char *done)
{
    const char *id;
    json_t *r;
    int rc = api_post_verb(ctl, argc, argv, name, "/api/v1/webhooks/dead", verb, &id, &r);
    if (rc == 0 && ctl->json)
        rc = api_print_json(r);
    else if (rc == 0)
        printf("投递记录 %s %s\n", id, done);
    json_decref(r);
    return rc;
}

int cmd_webhook_retry(struct ctl *ctl, int argc, char **argv)
{
    return dead_action(ctl, argc, argv, "webhook retry", "retry", "已重新排队投递");
}

int cmd_webhook_discard(struct ctl *ctl, int argc, char **argv)
{
    return dead_action(ctl, argc, argv, "webhook discard", "discard", "已丢弃");
}
