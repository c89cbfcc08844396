/*
 * cmd_case_list — `case list`: the cases by the filters, a page at a time (--after) or every
 * page (--all), as a table with a hint for the next page, or as the API's JSON.
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "field.h"
#include "msg.h"
#include "table.h"
#include "text.h"
#include "vocab.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const list_params[] = {"status", "category", "village", "risk", "from",
                                          "to",     "limit",    "department", "text"};
#define N_LIST_PARAMS (sizeof list_params / sizeof list_params[0])

/* The getopt value of list_params[i] is ARGS_OPT_BASE + i. */
static const struct option list_opts[] = {
    {"status", required_argument, NULL, ARGS_OPT_BASE + 0},
    {"category", required_argument, NULL, ARGS_OPT_BASE + 1},
    {"village", required_argument, NULL, ARGS_OPT_BASE + 2},
    {"risk", required_argument, NULL, ARGS_OPT_BASE + 3},
    {"from", required_argument, NULL, ARGS_OPT_BASE + 4},
    {"to", required_argument, NULL, ARGS_OPT_BASE + 5},
    {"limit", required_argument, NULL, ARGS_OPT_BASE + 6},
    {"department", required_argument, NULL, ARGS_OPT_BASE + 7},
    {"text", required_argument, NULL, ARGS_OPT_BASE + 8},
    {"after", required_argument, NULL, 'a'},
    {"all", no_argument, NULL, 'A'},
    {NULL, 0, NULL, 0},
};

struct list_args {
    const char *value[N_LIST_PARAMS];
    const char *after;
    int all;
};

static int parse_list_args(int argc, char **argv, struct list_args *a)
{
    int c, rc;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+:", list_opts, NULL)) != -1) {
        int i = c - ARGS_OPT_BASE;
        if (i >= 0 && i < (int)N_LIST_PARAMS)
            rc = args_set_once(&a->value[i], list_params[i], optarg);
        else if (c == 'a')
            rc = args_set_once(&a->after, "after", optarg);
        else if (c == 'A')
            rc = 0, a->all = 1;
        else
            rc = args_bad_option(c, argv);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return msg_usage_as("unexpected_argument", "case list：多余的参数“%s”", argv[optind]);
    return 0;
}

/* "/api/v1/cases?status=…&…" with the filters (not `after`), malloc'd into *path. */
static int list_path(struct ctl *ctl, const struct list_args *a, char **path)
{
    if (!(*path = strdup("/api/v1/cases")))
        return msg_oom();
    for (size_t i = 0; i < N_LIST_PARAMS; i++)
        if (a->value[i] && api_add_param(ctl, path, list_params[i], a->value[i]))
            return EXIT_REFUSED;
    return 0;
}

/* Fetches the page of `base` after `cursor` (may be NULL) into *page. */
static int get_page(struct ctl *ctl, const char *base, const char *cursor, json_t **page)
{
    char *path = strdup(base);
    int rc = path ? 0 : msg_oom();
    if (rc == 0 && cursor)
        rc = api_add_param(ctl, &path, "after", cursor);
    if (rc == 0)
        rc = api_call(ctl, "GET", path, NULL, 0, page);
    free(path);
    return rc;
}

/* Fetches pages from after `after`, appending their cases to `cases`: one page, or with
 * `follow` every page until "next" is null. *last is the last page (a new reference). */
static int fetch_pages(struct ctl *ctl, const char *base, const char *after, int follow,
                       json_t *cases, json_t **last)
{
    json_t *page = NULL, *p;
    const char *cursor = after;   /* points into argv or into `page` */
    int rc;
    for (;;) {
        if ((rc = get_page(ctl, base, cursor, &p)))
            break;
        json_t *list = json_object_get(p, "cases");
        const char *next = json_string_value(json_object_get(p, "next"));
        if (!json_is_array(list))
            rc = api_unexpected("缺少 cases 数组");
        else if (next && cursor && strcmp(next, cursor) == 0)
            rc = api_unexpected("下一页的 next 与本页相同");
        else if (json_array_extend(cases, list) != 0)
            rc = msg_oom();
        json_decref(page);
        page = p, cursor = next;
        if (rc || !follow || !cursor)
            break;
    }
    if (rc)
        json_decref(page), page = NULL;
    *last = page;
    return rc;
}

static int case_row(struct table *t, const json_t *c, const void *arg)
{
    (void)arg;
    char opened[32];
    const char *cat = field_str(c, "category_name");
    char *summary = text_truncate(field_str(c, "summary"), SUMMARY_CHARS);
    if (!summary)
        return -1;
    const char *row[7] = {field_str(c, "id"), vocab_name(vocab_statuses, field_str(c, "status")),
                          cat[0] ? cat : field_str(c, "category"), field_str(c, "village"),
                          vocab_name(vocab_risks, field_str(c, "risk")),
                          field_time(c, "opened_ms", "%Y-%m-%d %H:%M", opened, sizeof opened),
                          summary};
    int rc = table_add(t, row);
    free(summary);
    return rc;
}

static int print_case_list(const json_t *cases)
{
    static const char *const head[7] = {"案件编号", "状态", "类别", "村",
                                        "风险",     "受理时间", "摘要"};
    return table_show(NULL, 0, cases, head, 7, case_row, NULL);
}

/* Prints what was fetched: the page as the API sent it, or with --all the last page
 * holding every case. */
static int print_list(struct ctl *ctl, const struct list_args *a, json_t *last, json_t *cases)
{
    const char *next = json_string_value(json_object_get(last, "next"));
    if (ctl->json && a->all && json_object_set(last, "cases", cases) != 0)
        return msg_oom();
    int rc = ctl->json ? api_print_json(last) : print_case_list(cases);
    if (rc == 0 && !ctl->json && next) {
        fflush(stdout);   /* the hint goes after the table when both share a terminal */
        fputs("（还有更多：case list --after ", stderr);
        text_put_clean(next, stderr);
        fputs("，或用 --all 列出全部）\n", stderr);
    }
    return rc;
}

int cmd_case_list(struct ctl *ctl, int argc, char **argv)
{
    struct list_args a = {{NULL}, NULL, 0};
    char *base = NULL;
    json_t *cases = json_array(), *last = NULL;
    int rc = cases ? parse_list_args(argc, argv, &a) : msg_oom();
    if (rc == 0)
        rc = list_path(ctl, &a, &base);
    if (rc == 0)
        rc = fetch_pages(ctl, base, a.after, a.all, cases, &last);
    if (rc == 0)
        rc = print_list(ctl, &a, last, cases);
    json_decref(last);
    json_decref(cases);
    free(base);
    return rc;
}
