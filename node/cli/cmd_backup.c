/*
 * cmd_backup — `backup --out DIR`: the node copies itself (store, keys, config, documents)
 * into the new directory DIR on its machine (POST /api/v1/backup); a relative DIR is taken
 * from the current directory. `jiefend restore --from DIR --data NEWDIR` makes a node of it.
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "field.h"
#include "msg.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

static int take_out(void *arg, int c, char **argv)
{
    if (c == 'o')
        return args_set_once(arg, "out", optarg);
    return args_bad_option(c, argv);
}

int cmd_backup(struct ctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    char cwd[PATH_MAX], path[PATH_MAX * 2];
    json_t *r = NULL, *req = NULL;
    int rc = args_parse(argc, argv, "backup", opts, NULL, NULL, take_out, &out);
    if (rc == 0 && !out)
        rc = msg_usage_as("missing_option", "缺少 --out DIR（备份目录，须尚不存在）");
    if (rc == 0 && out[0] != '/' && !getcwd(cwd, sizeof cwd))
        rc = msg_usage("无法取得当前目录：请给出绝对路径 --out /PATH");
    if (rc == 0)
        snprintf(path, sizeof path, "%s%s%s", out[0] == '/' ? "" : cwd,
                 out[0] == '/' ? "" : "/", out);
    if (rc == 0 && (rc = args_check_text("--out", path)) == 0 &&
        !(req = json_pack("{s:s}", "out", path)))
        rc = msg_oom();
    if (rc == 0)
        rc = api_post(ctl, "/api/v1/backup", req, &r);
    char n[24];
    if (rc == 0 && ctl->json)
        rc = api_print_json(r);
    else if (rc == 0)
        printf("备份完成：%s（%s 字节）\n", field_str(r, "path"),
               field_num(r, "bytes", n, sizeof n));
    json_decref(req);
    json_decref(r);
    return rc;
}
