/*
 * cmd_inbox — `inbox`: what waits for this node (待办, GET /api/v1/inbox): a line of counts
 * by kind, then the items the soonest first, with names, as a table; or the API's JSON.
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "field.h"
#include "msg.h"
#include "table.h"
#include "text.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct option inbox_opts[] = {
    {"kind", required_argument, NULL, 'k'},
    {"limit", required_argument, NULL, 'l'},
    {NULL, 0, NULL, 0},
};

struct inbox_args {
    const char *kind, *limit;
};

static int take(void *arg, int c, char **argv)
{
    struct inbox_args *a = arg;
    if (c == 'k')
        return args_set_text_once(&a->kind, "kind", optarg);
    if (c == 'l')
        return args_set_once(&a->limit, "limit", optarg);
    return args_bad_option(c, argv);
}

/* An item: what it is (overdue named as such), about what, where, when due. */
static int item_row(struct table *t, const json_t *it, const void *arg)
{
    char due[32];
    (void)arg;
    char *title = text_truncate(field_str(it, "title"), SUMMARY_CHARS);
    const char *row[5] = {field_str(it, "kind_name"), field_str(it, "id"),
                          field_str(it, "node_name"),
                          field_time(it, "due_ms", "%Y-%m-%d %H:%M", due, sizeof due), title};
    int rc = title ? table_add(t, row) : -1;
    free(title);
    return rc;
}

static int print_inbox(const json_t *r)
{
    static const char *const head[5] = {"待办", "编号", "节点", "期限", "内容"};
    const json_t *kinds = json_object_get(r, "kinds"), *k;
    size_t i;
    printf("待办共 %lld 项", (long long)json_integer_value(json_object_get(r, "total")));
    json_array_foreach(kinds, i, k)
        printf("%s%s %lld", i ? "，" : "：", field_str(k, "name"),
               (long long)json_integer_value(json_object_get(k, "count")));
    printf("\n");
    if (!json_array_size(json_object_get(r, "items")))
        return 0;
    return table_show(NULL, 0, json_object_get(r, "items"), head, 5, item_row, NULL);
}

int cmd_inbox(struct ctl *ctl, int argc, char **argv)
{
    struct inbox_args a = {0};
    char *path;
    json_t *r;
    int rc = args_parse(argc, argv, "inbox", inbox_opts, NULL, NULL, take, &a);
    if (rc)
        return rc;
    if (!(path = strdup("/api/v1/inbox")))
        return msg_oom();
    if (a.kind)
        rc = api_add_param(ctl, &path, "kind", a.kind);
    if (rc == 0 && a.limit)
        rc = api_add_param(ctl, &path, "limit", a.limit);
    if (rc == 0)
        rc = api_call(ctl, "GET", path, NULL, 0, &r);
    free(path);
    if (rc)
        return rc;
    if (!json_is_array(json_object_get(r, "items")) || !json_is_array(json_object_get(r, "kinds")))
        rc = api_unexpected("the inbox has no items or kinds");
    if (rc == 0)
        rc = ctl->json ? api_print_json(r) : print_inbox(r);
    json_decref(r);
    return rc;
}
