/*
 * cmd_document — the documents of a case file: `case attach ID FILE [--kind K] [--note T]`
 * (the file as it is; its type is the daemon's to judge by content), `case documents ID`
 * (the list, with what is still in transit to this node), `case document ID DOC --out FILE`
 * (DOC is the document's id or its number in the list).
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "download.h"
#include "msg.h"
#include "table.h"
#include "tpl.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "/api/v1/cases/ID/documents" with ID escaped, malloc'd into *path. The exit code. */
static int documents_path(struct ctl *ctl, const char *id, char **path)
{
    char *esc = ctl_client_escape(ctl->client, id);
    *path = NULL;
    if (!esc || asprintf(path, "/api/v1/cases/%s/documents", esc) < 0)
        *path = NULL;
    free(esc);
    return *path ? EXIT_OK : msg_oom();
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

struct attach_args {
    const char *kind, *note, *actor, *pos[2];
    int npos;
};

static int attach_option(struct attach_args *a, int c, char **argv)
{
    switch (c) {
    case 'k':
        return args_set_text_once(&a->kind, "kind", optarg);
    case 'n':
        return args_set_text_once(&a->note, "note", optarg);
    case 'a':
        return args_set_text_once(&a->actor, "actor", optarg);
    case 1:
        if (a->npos == 2)
            return msg_usage("case attach: unexpected argument '%s'", optarg);
        a->pos[a->npos++] = optarg;
        return 0;
    default:
        return args_bad_option(c, argv);
    }
}

int cmd_case_attach(struct ctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        {"kind", required_argument, NULL, 'k'},
        {"note", required_argument, NULL, 'n'},
        {"actor", required_argument, NULL, 'a'},
        {NULL, 0, NULL, 0},
    };
    struct attach_args a = {0};
    int c, rc = 0;
    optind = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "-:", opts, NULL)) != -1)
        rc = attach_option(&a, c, argv);
    if (rc)
        return rc;
    if (a.npos != 2)
        return msg_usage("case attach: 需要案件编号和文件（case attach ID FILE）");
    if ((rc = args_check_text("FILE", base_name(a.pos[1]))))
        return rc;
    char *path = NULL, *body = NULL;
    size_t len = 0;
    json_t *r = NULL;
    if ((rc = args_read_file(a.pos[1], &body, &len)) || (rc = documents_path(ctl, a.pos[0], &path)))
        goto out;
    const char *name = strcmp(a.pos[1], "-") ? base_name(a.pos[1]) : "stdin";
    if (api_add_param(ctl, &path, "name", name) ||
        (a.kind && api_add_param(ctl, &path, "kind", a.kind)) ||
        (a.note && api_add_param(ctl, &path, "note", a.note)) ||
        (a.actor && api_add_param(ctl, &path, "actor", a.actor))) {
        rc = EXIT_REFUSED;
        goto out;
    }
    if ((rc = api_call(ctl, "POST", path, body, len, &r)) == 0) {
        const json_t *d = json_object_get(r, "document");
        char *line = tpl_expand("已添加材料“{name}”（{id}）：{kind_name}，{type_name}，{size} 字节", d);
        rc = line ? api_confirm(ctl, r, "%s", line) : msg_oom();
        free(line);
    }
out:
    json_decref(r);
    free(body);
    free(path);
    return rc;
}

static const char *const doc_cells[] = {
    "{n}", "{name}", "{kind_name}", "{type_name}", "{size}", "{state_name}",
    "{actor_name}（{origin_name}）", "{time_ms}", "{id}",
};
#define N_DOC_CELLS (sizeof doc_cells / sizeof doc_cells[0])

static int doc_row(struct table *t, const json_t *d, const void *arg)
{
    (void)arg;
    return tpl_row(t, doc_cells, N_DOC_CELLS, d);
}

/* Numbers the documents from 1 (the "n" the table shows and DOC may name). */
static void number(json_t *list)
{
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d)
        json_object_set_new(d, "n", json_integer((json_int_t)i + 1));
}

static int print_documents(const json_t *r)
{
    static const char *const head[N_DOC_CELLS] = {"序号", "名称", "类别", "类型", "字节",
                                                  "状态", "添加人", "添加时间", "材料编号"};
    const json_t *list = json_object_get(r, "documents");
    if (json_array_size(list) == 0) {
        printf("本案尚无本节点可查看的材料\n");
        return 0;
    }
    json_int_t moving = json_integer_value(json_object_get(r, "in_transit"));
    if (moving)
        printf("%lld 份材料仍在途，到达后即可下载\n", (long long)moving);
    return table_show(NULL, 0, list, head, N_DOC_CELLS, doc_row, NULL);
}

/* The list of case id into *r, numbered. The exit code. */
static int get_list(struct ctl *ctl, const char *id, json_t **r)
{
    char *path = NULL;
    int rc = documents_path(ctl, id, &path);
    if (rc == 0)
        rc = api_call(ctl, "GET", path, NULL, 0, r);
    free(path);
    if (rc == 0 && !json_is_array(json_object_get(*r, "documents")))
        rc = api_unexpected("no documents in the answer");
    if (rc == 0)
        number(json_object_get(*r, "documents"));
    return rc;
}

int cmd_case_documents(struct ctl *ctl, int argc, char **argv)
{
    (void)argc;
    json_t *r = NULL;
    int rc = get_list(ctl, argv[1], &r);
    if (rc == 0)
        rc = ctl->json ? api_print_json(r) : print_documents(r);
    json_decref(r);
    return rc;
}

/* The id of DOC: itself, or the id of the DOC-th document of the list. */
static int doc_id(struct ctl *ctl, const char *case_id, const char *doc, char *out, size_t len)
{
    char *end;
    long n = strtol(doc, &end, 10);
    if (strlen(doc) > 8 || *end || n < 1) {
        snprintf(out, len, "%s", doc);
        return 0;
    }
    json_t *r = NULL;
    int rc = get_list(ctl, case_id, &r);
    const json_t *d = rc ? NULL : json_array_get(json_object_get(r, "documents"), (size_t)n - 1);
    if (rc == 0 && !d) {
        msg_error("not_found", "案件 %s 没有第 %ld 份材料", case_id, n);
        rc = EXIT_REFUSED;
    }
    if (d)
        snprintf(out, len, "%s", json_string_value(json_object_get(d, "id")));
    json_decref(r);
    return rc;
}

int cmd_case_document(struct ctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        {"out", required_argument, NULL, 'o'},
        {"force", no_argument, NULL, 'f'},
        {"purpose", required_argument, NULL, 'p'},
        {NULL, 0, NULL, 0},
    };
    const char *pos[2] = {NULL, NULL}, *out = NULL, *purpose = NULL;
    int c, npos = 0, force = 0, rc;
    optind = 0;
    while ((c = getopt_long(argc, argv, "-:", opts, NULL)) != -1) {
        if (c == 'o' && (rc = args_set_once(&out, "out", optarg)))
            return rc;
        else if (c == 'p' && (rc = args_set_once(&purpose, "purpose", optarg)))
            return rc;
        else if (c == 'f')
            force = 1;
        else if (c == 1 && npos < 2)
            pos[npos++] = optarg;
        else if (c == 1)
            return msg_usage("case document: unexpected argument '%s'", optarg);
        else if (c != 'o' && c != 'p')
            return args_bad_option(c, argv);
    }
    if (npos != 2 || !out)
        return msg_usage("case document: 需要案件编号、材料编号（或序号）和 --out FILE");
    char id[128], *path = NULL, *full = NULL;
    if ((rc = doc_id(ctl, pos[0], pos[1], id, sizeof id)) ||
        (rc = documents_path(ctl, pos[0], &path)))
        return rc;
    char *esc = ctl_client_escape(ctl->client, id);
    char *why = purpose ? ctl_client_escape(ctl->client, purpose) : NULL;
    if (!esc || (purpose && !why) ||
        asprintf(&full, "%s/%s%s%s", path, esc, why ? "?purpose=" : "", why ? why : "") < 0)
        full = NULL;
    free(why);
    free(esc);
    free(path);
    if (!full)
        return msg_oom();
    rc = download_file(ctl, full, out, force);
    free(full);
    return rc;
}
