/*
 * cmd_archive — the archive of a closed case (立卷归档; docs/cli.md "Archives"):
 * `case archive ID --out FILE [--purpose P]` writes it, `archive verify FILE [--root CERT]`
 * checks it offline (common/archcheck.h) against the tree's root certificate file, or, with
 * no --root, the root the node gives (GET /api/v1/receipts/root).
 */
#include "cmd.h"

#include "api.h"
#include "archcheck.h"
#include "args.h"
#include "download.h"
#include "field.h"
#include "msg.h"
#include "receipt.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_case_archive(struct ctl *ctl, int argc, char **argv)
{
    if (argc < 2)
        return msg_usage("请给出案件编号");
    return download_copy(ctl, argc, argv, 1, "/api/v1/cases/%s/archive%s", "归档文件");
}

/* ---- the check ------------------------------------------------------------------------ */

static json_t *result_json(const char *file, const struct archcheck_result *r)
{
    json_t *faults = json_array();
    for (size_t i = 0; i < r->n_faults && i < ARCHCHECK_FAULTS_MAX; i++)
        json_array_append_new(faults, json_pack("{s:s, s:s, s:s}", "member",
                                                r->faults[i].member, "code", r->faults[i].code,
                                                "message", r->faults[i].message));
    return json_pack("{s:s, s:b, s:s, s:s, s:s, s:I, s:I, s:I, s:o}", "file", file, "valid",
                     r->valid, "case_id", r->case_id, "node_id", r->node_id, "node_name",
                     r->node_name, "time_ms", (json_int_t)r->time_ms, "members",
                     (json_int_t)r->members, "events", (json_int_t)r->events, "faults", faults);
}

/* Prints the outcome (JSON with --json); EXIT_OK when valid, else EXIT_PROBLEMS. */
static int report(struct ctl *ctl, const char *file, const struct archcheck_result *r)
{
    json_t *j = result_json(file, r);
    if (ctl->json && j)
        api_print_json(j);
    json_decref(j);
    if (r->valid && !ctl->json)
        printf("归档有效：案件 %s，由 %s（%s）导出，%zu 个文件，签名链 %zu 个事件，均核验无误\n",
               r->case_id, r->node_name, r->node_id, r->members, r->events);
    for (size_t i = 0; !ctl->json && i < r->n_faults && i < ARCHCHECK_FAULTS_MAX; i++)
        msg_error(r->faults[i].code, "归档无效：%s%s%s", r->faults[i].member,
                  r->faults[i].member[0] ? "：" : "", r->faults[i].message);
    if (!ctl->json && r->n_faults > ARCHCHECK_FAULTS_MAX)
        msg_error("more_faults", "另有 %zu 处问题未列出", r->n_faults - ARCHCHECK_FAULTS_MAX);
    return r->valid ? EXIT_OK : EXIT_PROBLEMS;
}

/* The root certificate's text: the file given, or the node's. */
static int root_text(struct ctl *ctl, const char *path, char **text)
{
    json_t *r = NULL;
    if (path)
        return args_read_text(path, text);
    int rc = api_call(ctl, "GET", "/api/v1/receipts/root", NULL, 0, &r);
    if (rc == 0 && !(*text = strdup(field_str(r, "root"))))
        rc = msg_oom();
    json_decref(r);
    return rc;
}

static int take_root(void *arg, int c, char **argv)
{
    if (c == 'r')
        return args_set_once(arg, "root", optarg);
    return args_bad_option(c, argv);
}

int cmd_archive_verify(struct ctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {{"root", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *file = NULL, *root_path = NULL;
    char *text = NULL;
    uint8_t *root = NULL;
    size_t len = 0;
    struct archcheck_result *r = calloc(1, sizeof *r);
    int rc = r ? args_parse(argc, argv, "verify", opts, "FILE", &file, take_root, &root_path)
               : msg_oom();
    if (rc == 0)
        rc = root_text(ctl, root_path, &text);
    if (rc == 0 && receipt_root_read(text, &root, &len))
        rc = msg_usage_as("bad_root", "%s 不是根证书文件（JIEFEN ROOT-CERT）",
                          root_path ? root_path : "节点给出的根证书");
    if (rc == 0 && archcheck_file(file, root, len, r)) {
        msg_error("unreadable_file", "无法读取 %s", file);
        rc = EXIT_REFUSED;
    }
    if (rc == 0)
        rc = report(ctl, file, r);
    free(root);
    free(text);
    free(r);
    return rc;
}
