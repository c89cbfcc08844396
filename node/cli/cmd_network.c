/*
 * cmd_network — the tier network seen from this node: `nodes`, `directive send|list|ack`
 * (directives down the tree, acknowledged back up), `link quarantine` (the equivocation
 * proofs kept here) and `link clear-quarantine`.
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "field.h"
#include "msg.h"
#include "net_args.h"
#include "table.h"
#include "text.h"
#include "vocab.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct vocab relations[] = {
    {"self", "本节点"}, {"ancestor", "上级"}, {"descendant", "下级"}, {"other", "其他"},
    {NULL, NULL}};
static const struct vocab directive_kinds[] = {
    {"supervise", "督办"}, {"screening", "排查"}, {"notice", "通知"}, {NULL, NULL}};

static const struct option list_opts[] = {
    {"case", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0}};
static const struct option ack_opts[] = {
    {"note", required_argument, NULL, 'n'}, {"actor", required_argument, NULL, 'A'},
    {NULL, 0, NULL, 0}};
static const struct option send_opts[] = {
    {"to", required_argument, NULL, 'T'},   {"subtree", no_argument, NULL, 's'},
    {"all", no_argument, NULL, 'a'},        {"kind", required_argument, NULL, 'k'},
    {"title", required_argument, NULL, 't'}, {"body", required_argument, NULL, 'b'},
    {"case", required_argument, NULL, 'c'}, {"actor", required_argument, NULL, 'A'},
    {NULL, 0, NULL, 0}};

static int node_row(struct table *t, const json_t *n, const void *arg)
{
    (void)arg;
    const char *row[6] = {field_str(n, "id"), field_str(n, "name"),
                          vocab_name(vocab_tiers, field_str(n, "tier")), field_str(n, "parent"),
                          vocab_name(relations, field_str(n, "relation")),
                          json_is_true(json_object_get(n, "revoked")) ? "已撤销" : "正常"};
    return table_add(t, row);
}

static int print_nodes(const json_t *nodes)
{
    static const char *const head[6] = {"编号", "名称", "级别", "上级", "关系", "状态"};
    return table_show(NULL, 0, nodes, head, 6, node_row, NULL);
}

int cmd_nodes(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    return api_show_list(ctl, "/api/v1/nodes", "nodes", print_nodes);
}

/* Checks how the addressees are given: --to (with or without --subtree), or --all. */
static int check_send_args(const struct net_args *a)
{
    if (a->all && a->to)
        return msg_usage_as("conflicting_options", "directive send：--to 与 --all 只能给一个");
    if (!a->all && !a->to)
        return msg_usage_as("missing_option", "directive send 缺少 --to NODE（可重复）或 --all");
    if (a->all && a->subtree)
        return msg_usage_as("conflicting_options",
                            "directive send：--subtree 与 --to 连用（--all 已是整个下级树）");
    if (!a->kind)
        return msg_usage_as("missing_option", "directive send 缺少 --kind supervise|screening|notice");
    if (!a->title)
        return msg_usage_as("missing_option", "directive send 缺少 --title TEXT");
    return 0;
}

static json_t *send_request(const struct net_args *a)
{
    json_t *req = json_object();
    json_t *to = a->all ? json_string("all") : json_incref(a->to);
    int bad = !req || json_object_set_new(req, "to", to) ||
              (a->subtree && json_object_set_new(req, "subtree", json_true())) ||
              api_set(req, "kind", a->kind) || api_set(req, "title", a->title) ||
              api_set(req, "body", a->body) || api_set(req, "case_id", a->case_id) ||
              api_set(req, "actor", a->actor);
    if (bad)
        json_decref(req), req = NULL;
    return req;
}

int cmd_directive_send(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    json_t *req = NULL, *r = NULL;
    int rc = net_args_parse(argc, argv, "directive send", send_opts, NULL, &a);
    if (rc == 0)
        rc = check_send_args(&a);
    if (rc == 0 && !(req = send_request(&a)))
        rc = msg_oom();
    if (rc == 0)
        rc = api_post(ctl, "/api/v1/directives", req, &r);
    if (rc == 0)
        rc = api_confirm(ctl, r, "%s", field_str(json_object_get(r, "directive"), "id"));
    json_decref(r);
    json_decref(req);
    json_decref(a.to);
    return rc;
}

/* A directive this node must still acknowledge: addressed to it, and `me` pending. */
static int awaits_me(const json_t *d, const char *me)
{
    size_t i;
    json_t *v;
    if (!json_is_true(json_object_get(d, "addressed_to_me")))
        return 0;
    json_array_foreach(json_object_get(d, "pending"), i, v)
        if (me && json_is_string(v) && strcmp(json_string_value(v), me) == 0)
            return 1;
    return 0;
}

static int directive_row(struct table *t, const json_t *d, const void *arg)
{
    const char *me = arg;
    char when[32];
    char *id = NULL, *title = text_truncate(field_str(d, "title"), SUMMARY_CHARS);
    char *acks = field_name_list(json_object_get(d, "acks"), "node_name");
    char *pending = field_name_list(json_object_get(d, "pending_nodes"), "name");
    int rc = !title || !acks || !pending ||
             asprintf(&id, "%s %s", awaits_me(d, me) ? "*" : " ", field_str(d, "id")) < 0;
    if (rc == 0) {
        const char *row[8] = {id, vocab_name(directive_kinds, field_str(d, "kind")), title,
                              field_str(d, "case_id")[0] ? field_str(d, "case_id") : "-",
                              field_str(d, "origin_name"),
                              field_time(d, "time_ms", "%Y-%m-%d %H:%M", when, sizeof when), acks,
                              pending};
        rc = table_add(t, row);
    }
    free(id);
    free(pending);
    free(acks);
    free(title);
    return rc;
}

/* The table of directives; those this node must still acknowledge are marked '*'. */
static int print_directives(const json_t *list, const char *me)
{
    static const char *const head[8] = {"  编号", "类型", "标题", "案件", "来源", "时间",
                                        "已签收", "未签收"};
    int rc = table_show(NULL, 0, list, head, 8, directive_row, me), marked = 0;
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d) {
        marked |= awaits_me(d, me);
    }
    if (rc == EXIT_OK && marked)
        printf("* 待本节点签收: jiefenctl directive ack ID [--note TEXT]\n");
    return rc;
}

/* This node's id, from status, into *status (which holds it); only needed when some
 * directive is addressed to this node. */
static int own_id(struct ctl *ctl, const json_t *list, json_t **status, const char **me)
{
    size_t i;
    json_t *d;
    *status = NULL, *me = NULL;
    json_array_foreach(list, i, d) {
        if (!json_is_true(json_object_get(d, "addressed_to_me")))
            continue;
        int rc = api_call(ctl, "GET", "/api/v1/status", NULL, 0, status);
        if (rc == 0)
            *me = field_str(json_object_get(*status, "node"), "id");
        return rc;
    }
    return 0;
}

int cmd_directive_list(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    json_t *r, *status = NULL;
    const char *me = NULL;
    char *path = NULL;
    int rc = net_args_parse(argc, argv, "directive list", list_opts, NULL, &a);
    if (rc == 0 && !(path = strdup("/api/v1/directives")))
        rc = msg_oom();
    if (rc == 0 && a.case_id && api_add_param(ctl, &path, "case_id", a.case_id))
        rc = EXIT_REFUSED;
    if (rc == 0)
        rc = api_call(ctl, "GET", path, NULL, 0, &r);
    free(path);
    if (rc)
        return rc;
    json_t *list = json_object_get(r, "directives");
    if (!json_is_array(list))
        rc = api_unexpected("no \"directives\" array");
    else if (ctl->json)
        rc = api_print_json(r);
    else if ((rc = own_id(ctl, list, &status, &me)) == 0)
        rc = print_directives(list, me);
    json_decref(status);
    json_decref(r);
    return rc;
}

int cmd_directive_ack(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    int rc = net_args_parse(argc, argv, "directive ack", ack_opts, "ID", &a);
    if (rc == 0)
        rc = args_check_text("ID", a.pos);
    const char *kv[] = {"id", a.pos, "note", a.note, "actor", a.actor};
    return rc ? rc : api_post_fields(ctl, "/api/v1/directives/ack", kv, 6, "已签收", "id");
}

int cmd_link_clear_quarantine(struct ctl *ctl, int argc, char **argv)
{
    (void)argc;
    int rc = args_check_text("ORIGIN", argv[1]);
    const char *kv[] = {"origin", argv[1]};
    return rc ? rc
              : api_post_fields(ctl, "/api/v1/links/clear-quarantine", kv, 2,
                                "已解除隔离", "origin");
}

/* One proof: who equivocated (by name), under which seq, who found it, when, and whether
 * the origin is still quarantined here. */
static int proof_row(struct table *t, const json_t *p, const void *arg)
{
    (void)arg;
    char when[32], seq[24];
    const char *row[5] = {field_str(p, "origin_name"), field_num(p, "seq", seq, sizeof seq),
                          field_str(p, "detected_by_name"),
                          field_time(p, "time_ms", "%Y-%m-%d %H:%M", when, sizeof when),
                          json_is_true(json_object_get(p, "quarantined")) ? "隔离中" : "已解除"};
    return table_add(t, row);
}

int cmd_link_quarantine(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    static const char *const head[5] = {"节点", "序号", "发现者", "时间", "状态"};
    json_t *r;
    int rc = api_call(ctl, "GET", "/api/v1/links/quarantine", NULL, 0, &r);
    if (rc)
        return rc;
    json_t *list = json_object_get(r, "proofs");
    if (!json_is_array(list))
        rc = api_unexpected("no \"proofs\" array");
    else if (ctl->json)
        rc = api_print_json(r);
    else if (json_array_size(list) == 0)
        printf("没有发现一序号两事件（无隔离证据）\n");
    else
        rc = table_show("一序号两事件的证据（双方签名均已核验）", 0, list, head, 5, proof_row,
                        NULL);
    json_decref(r);
    return rc;
}
