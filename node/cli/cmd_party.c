/*
 * cmd_party — `party find --name N | --id-number ID | --phone P --purpose P`: the cases of a person at
 * this node, with the person's role and the case's status, and how many cases the same
 * person has elsewhere in the tree (by node, never a name); `party log`: who searched,
 * when, by which field (an administrator's). The search is an access event (查阅记录) with
 * its purpose (查阅目的), which the daemon requires.
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "msg.h"
#include "table.h"
#include "tpl.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const find_cells[] = {
    "{id}", "{party_role_name}", "{status}", "{holder_name}", "{opened_ms}", "{summary}",
};
#define N_FIND_CELLS (sizeof find_cells / sizeof find_cells[0])

static int find_row(struct table *t, const json_t *c, const void *arg)
{
    (void)arg;
    return tpl_row(t, find_cells, N_FIND_CELLS, c);
}

static int print_found(const json_t *r)
{
    static const char *const head[N_FIND_CELLS] = {"案件编号", "当事人身份", "状态",
                                                   "承办节点", "受理时间", "摘要"};
    const json_t *cases = json_object_get(r, "cases");
    const json_t *else_ = json_object_get(r, "elsewhere");
    int rc = 0;
    if (json_array_size(cases) == 0)
        printf("本节点：无此人的案件\n");
    else
        rc = table_show("本节点的案件：", 0, cases, head, N_FIND_CELLS, find_row, NULL);
    json_int_t n = json_integer_value(json_object_get(else_, "cases"));
    if (rc == 0 && n == 0)
        printf("树上其他节点：无\n");
    if (rc == 0 && n > 0) {
        char *where = tpl_list(json_object_get(else_, "nodes"), "{node_name} {cases} 件", "，");
        if (!where)
            return msg_oom();
        printf("树上其他节点：%lld 件（%s）\n", (long long)n, where);
        free(where);
    }
    return rc;
}

int cmd_party_find(struct ctl *ctl, int argc, char **argv)
{
    static const char *const params[] = {"name", "id_number", "phone"};
    static const struct option opts[] = {
        {"name", required_argument, NULL, ARGS_OPT_BASE + 0},
        {"id-number", required_argument, NULL, ARGS_OPT_BASE + 1},
        {"phone", required_argument, NULL, ARGS_OPT_BASE + 2},
        {"purpose", required_argument, NULL, ARGS_OPT_BASE + 3},
        {NULL, 0, NULL, 0},
    };
    const char *value = NULL, *purpose = NULL;
    int c, which = -1, rc;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
        if (c == ARGS_OPT_BASE + 3) {
            purpose = optarg;
            continue;
        }
        if (c < ARGS_OPT_BASE || c > ARGS_OPT_BASE + 2)
            return args_bad_option(c, argv);
        if (which >= 0)
            return msg_usage("party find: 只能按一项查询（--name、--id-number 或 --phone）");
        which = c - ARGS_OPT_BASE;
        if ((rc = args_check_text(opts[which].name, optarg)))
            return rc;
        value = optarg;
    }
    if (optind < argc)
        return msg_usage("party find: unexpected argument '%s'", argv[optind]);
    if (which < 0)
        return msg_usage("party find: 需要 --name、--id-number 或 --phone 之一");
    if (!purpose)
        return msg_usage("party find: 需要 --purpose（查阅目的：办案、回访、督办、审计、复核或其他）");
    char *path = strdup("/api/v1/parties");
    json_t *r = NULL;
    if (!path)
        return msg_oom();
    rc = api_add_param(ctl, &path, params[which], value) ||
                 api_add_param(ctl, &path, "purpose", purpose)
             ? EXIT_REFUSED
             : api_call(ctl, "GET", path, NULL, 0, &r);
    free(path);
    if (rc == 0 && !json_is_array(json_object_get(r, "cases")))
        rc = api_unexpected("no cases in the answer");
    if (rc == 0)
        rc = ctl->json ? api_print_json(r) : print_found(r);
    json_decref(r);
    return rc;
}

static const char *const log_cells[] = {"{time_ms}", "{name}（{user}）", "{field_name}"};
#define N_LOG_CELLS (sizeof log_cells / sizeof log_cells[0])

static int log_row(struct table *t, const json_t *e, const void *arg)
{
    (void)arg;
    return tpl_row(t, log_cells, N_LOG_CELLS, e);
}

static int print_log(const json_t *list)
{
    static const char *const head[N_LOG_CELLS] = {"时间", "查询人", "查询项"};
    if (json_array_size(list) == 0) {
        printf("无查询记录\n");
        return 0;
    }
    return table_show(NULL, 0, list, head, N_LOG_CELLS, log_row, NULL);
}

int cmd_party_log(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    return api_show_list(ctl, "/api/v1/parties/log", "searches", print_log);
}
