/*
 * api_backup — backups of this node (log/backupsched.h): POST /api/v1/backup makes one
 * into a new directory on this node's machine, and the "backup" part of the status says
 * what the last one did and whether this node was restored and has not caught up yet.
 */
#include "api/api_backup.h"
#include "api/api_routes.h"
#include "error.h"
#include "log/backup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void backup_done(int rc, const struct backup_result *res, void *arg)
{
    struct api_call *c = arg;
    if (rc == JF_EEXIST)
        return reply_error(c, 409, "exists", "out", "备份目录已存在：%s", res->path);
    if (rc)
        return reply_error(c, 500, "backup_failed", NULL, "备份失败：%s", jf_strerror(rc));
    reply_json(c, 200, json_pack("{s:s, s:I, s:I}", "path", res->path, "bytes",
                                 (json_int_t)res->bytes, "time_ms", (json_int_t)res->time_ms));
}

void route_backup(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    json_t *in = api_body(c, r);
    if (!in)
        return;
    char out[PATH_MAX];
    snprintf(out, sizeof out, "%s", api_str(in, "out"));
    json_decref(in);
    if (out[0] != '/')
        return reply_error(c, 400, "invalid", "out",
                           "备份目录须为本机上的绝对路径（out），例如 /var/backups/jiefen/东村");
    int rc = backupsched_run(c->api->dep.backups, out, backup_done, c);
    if (rc == -EBUSY)
        return reply_error(c, 409, "busy", NULL, "另一个备份正在进行，请稍后再试");
    if (rc)
        reply_error(c, 400, "invalid", "out", "备份目录无效：%s", jf_strerror(rc));
}

json_t *api_backup_status(struct api *api, MDB_txn *txn)
{
    struct backup_last l;
    const struct config *cfg = api->dep.cfg;
    int restored = 0;
    backupsched_last(api->dep.backups, &l);
    if (eventlog_restored(api->dep.st, txn, &restored))
        restored = 0;
    json_t *b = json_pack("{s:b, s:b, s:s, s:i, s:i}", "running", l.running, "restored",
                          restored, "dir", cfg->backup_dir, "every_minutes",
                          cfg->backup_every_min, "keep", cfg->backup_keep);
    if (b && l.time_ms)
        json_object_update_new(b, json_pack("{s:I, s:I, s:s, s:s}", "last_time_ms",
                                            (json_int_t)l.time_ms, "last_bytes",
                                            (json_int_t)l.bytes, "last_path", l.path,
                                            "last_error", l.error));
    return b;
}
