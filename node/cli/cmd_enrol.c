/*
 * cmd_enrol — `enrol root|request|approve|install|revoke`: joining the tier tree; and
 * `recovery [approve|reseal]`: a node rebuilt from its parent (docs/operations.md). The
 * armoured texts the daemon answers (a request, a bundle) go to --out FILE or stdout; such a
 * FILE is opened before the request and written only once the text is there.
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "field.h"
#include "msg.h"
#include "net_args.h"
#include "vocab.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct option out_opts[] = {
    {"out", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
static const struct option approve_opts[] = {
    {"endpoint", required_argument, NULL, 'e'}, {"out", required_argument, NULL, 'o'},
    {"successor", no_argument, NULL, 'S'}, {NULL, 0, NULL, 0}};
static const struct option recovery_approve_opts[] = {
    {"reason", required_argument, NULL, 'r'}, {"out", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0}};
static const struct option reseal_opts[] = {
    {"key", required_argument, NULL, 'K'}, {"approval", required_argument, NULL, 'P'},
    {NULL, 0, NULL, 0}};
static const struct option revoke_opts[] = {
    {"reason", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};

/* Where --out puts the armoured text the daemon answers: a file, or stdout (no --out, or
 * "-"). The file is opened before the request, so that one that cannot be written is a
 * usage error while nothing has changed; it is emptied and written only once the text is
 * there, and removed again when it was created for a request that failed. */
struct out_file {
    const char *path;
    int fd;         /* -1: stdout */
    int created;    /* the file did not exist before */
};

static int out_open(struct out_file *o, const char *path)
{
    *o = (struct out_file){path, -1, 0};
    if (!path || strcmp(path, "-") == 0)
        return 0;
    o->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    o->created = o->fd >= 0;
    if (o->fd < 0 && errno == EEXIST)
        o->fd = open(path, O_WRONLY | O_CLOEXEC);
    if (o->fd < 0)
        return msg_usage_as("unwritable_file", "无法写入 %s：%s", path, strerror(errno));
    return 0;
}

/* Closes a file that was not written, removing it if this run created it. */
static void out_abandon(struct out_file *o)
{
    if (o->fd < 0)
        return;
    close(o->fd);
    o->fd = -1;
    if (o->created)
        unlink(o->path);
}

static int write_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n > 0)
            s += n, len -= (size_t)n;
    }
    return 0;
}

/* Replaces the file's content with text (exactly) and closes it. The daemon has already
 * done what it was asked (an approval cannot be repeated: the id is taken), so when the
 * file cannot be written the text goes to stdout rather than being lost. */
static int out_write(struct out_file *o, const char *text)
{
    struct stat st;
    int fd = o->fd, rc = 0;
    o->fd = -1;
    memset(&st, 0, sizeof st);
    if (fstat(fd, &st) != 0 || (S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0))
        rc = -errno;
    if (rc == 0)
        rc = write_all(fd, text, strlen(text));
    if (rc == 0 && S_ISREG(st.st_mode) && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0)
        return EXIT_OK;
    msg_error("unwritable_file", "无法写入 %s：%s；应写入的内容如下：", o->path,
              strerror(-rc));
    fputs(text, stdout);
    return EXIT_REFUSED;
}

/* Puts the armoured text at `key` of the reply where --out says (with --json on stdout
 * only as part of the JSON), then the JSON with --json. */
static int emit_armour(struct ctl *ctl, const json_t *r, const char *key, struct out_file *o)
{
    const char *text = json_string_value(json_object_get(r, key));
    if (!text) {
        char what[32];
        snprintf(what, sizeof what, "缺少 %s", key);
        return api_unexpected(what);
    }
    int rc = EXIT_OK;
    if (o->fd >= 0)
        rc = out_write(o, text);
    else if (!ctl->json)
        fputs(text, stdout);
    if (ctl->json) {
        int jrc = api_print_json(r);
        rc = rc ? rc : jrc;
    }
    return rc;
}

int cmd_enrol_root(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    json_t *r;
    int rc = api_post(ctl, "/api/v1/enrol/root", NULL, &r);
    if (rc == 0)
        rc = api_confirm(ctl, r, "%s 已成为树的根节点", field_str(r, "node_id"));
    json_decref(r);
    return rc;
}

int cmd_enrol_request(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    struct out_file o = {NULL, -1, 0};
    json_t *r = NULL;
    int rc = net_args_parse(argc, argv, "enrol request", out_opts, NULL, &a);
    if (rc == 0)
        rc = out_open(&o, a.out);
    if (rc == 0)
        rc = api_post(ctl, "/api/v1/enrol/request", NULL, &r);
    if (rc == 0)
        rc = emit_armour(ctl, r, "request", &o);
    if (rc == 0 && o.path && !ctl->json && strcmp(o.path, "-") != 0)
        rc = api_confirm(ctl, r, "%s（%s级）的接入申请已写入 %s", field_str(r, "node_id"),
                         vocab_name(vocab_tiers, field_str(r, "tier")), o.path);
    out_abandon(&o);
    json_decref(r);
    return rc;
}

int cmd_enrol_approve(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    struct out_file o = {NULL, -1, 0};
    char *text = NULL;
    json_t *req = json_object(), *r = NULL;
    int rc = req ? net_args_parse(argc, argv, "enrol approve", approve_opts, "FILE", &a)
                 : msg_oom();
    if (rc == 0)
        rc = args_read_text(a.pos, &text);
    if (rc == 0)
        rc = out_open(&o, a.out);
    if (rc == 0 && (api_set(req, "request", text) || api_set(req, "endpoint", a.endpoint) ||
                    (a.successor && json_object_set_new(req, "successor", json_true()))))
        rc = msg_oom();
    if (rc == 0)
        rc = api_post(ctl, "/api/v1/enrol/approve", req, &r);
    if (rc == 0)
        rc = emit_armour(ctl, r, "bundle", &o);
    if (rc == 0 && o.path && !ctl->json && strcmp(o.path, "-") != 0)
        rc = api_confirm(ctl, r, "%s 的接入包已写入 %s（它将连接 %s）",
                         field_str(r, "node_id"), o.path, field_str(r, "endpoint"));
    out_abandon(&o);
    json_decref(r);
    json_decref(req);
    free(text);
    return rc;
}

int cmd_enrol_install(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    char *text = NULL;
    json_t *req = json_object(), *r = NULL;
    int rc = req ? net_args_parse(argc, argv, "enrol install", args_none, "FILE", &a)
                 : msg_oom();
    if (rc == 0)
        rc = args_read_text(a.pos, &text);
    if (rc == 0 && api_set(req, "bundle", text))
        rc = msg_oom();
    if (rc == 0)
        rc = api_post(ctl, "/api/v1/enrol/install", req, &r);
    if (rc == 0)
        rc = api_confirm(ctl, r, "已接入 %s 之下，正在连接 %s%s", field_str(r, "parent"),
                         field_str(r, "endpoint"),
                         json_is_true(json_object_get(r, "successor"))
                             ? "；正在从上级取回本节点的原有记录（jiefenctl recovery status 查看进度）"
                             : "");
    json_decref(r);
    json_decref(req);
    free(text);
    return rc;
}

int cmd_enrol_revoke(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    int rc = net_args_parse(argc, argv, "enrol revoke", revoke_opts, "NODE", &a);
    if (rc == 0)
        rc = args_check_text("NODE", a.pos);
    const char *kv[] = {"node_id", a.pos, "reason", a.reason};
    return rc ? rc : api_post_fields(ctl, "/api/v1/enrol/revoke", kv, 4, "已撤销", "node_id");
}

/* ---- recovery: a node rebuilt from its parent ------------------------------------- */

static void print_recovery(const json_t *r)
{
    json_t *cases = json_object_get(r, "sealed_cases"), *c;
    size_t i;
    if (json_is_true(json_object_get(r, "rebuilding")))
        printf("重建中：已取回本节点记录 %lld / %lld 条\n",
               (long long)json_integer_value(json_object_get(r, "own_head")),
               (long long)json_integer_value(json_object_get(r, "chain_floor")));
    printf("县级恢复密钥：%s\n",
           json_is_true(json_object_get(r, "recovery_key")) ? "已配置" : "未配置");
    if (!json_array_size(cases)) {
        printf("没有仍为密封状态的当事人信息\n");
        return;
    }
    printf("以下案件的当事人信息仍为密封状态（本节点无法读取）：\n");
    json_array_foreach(cases, i, c)
        printf("  %s  %lld 项（可用恢复密钥恢复 %lld 项）\n",
               field_str(c, "case_id")[0] ? field_str(c, "case_id") : "（隐患登记）",
               (long long)json_integer_value(json_object_get(c, "parts")),
               (long long)json_integer_value(json_object_get(c, "recoverable")));
    if (field_str(r, "message")[0])
        printf("%s\n", field_str(r, "message"));
}

int cmd_recovery(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    json_t *r;
    int rc = api_call(ctl, "GET", "/api/v1/recovery", NULL, 0, &r);
    if (rc)
        return rc;
    if (ctl->json)
        rc = api_print_json(r);
    else
        print_recovery(r);
    json_decref(r);
    return rc;
}

int cmd_recovery_approve(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    struct out_file o = {NULL, -1, 0};
    json_t *req = json_object(), *r = NULL;
    int rc = req ? net_args_parse(argc, argv, "recovery approve", recovery_approve_opts, "NODE",
                                  &a)
                 : msg_oom();
    if (rc == 0 && !(rc = args_check_text("NODE", a.pos)))
        rc = out_open(&o, a.out);
    if (rc == 0 && (api_set(req, "node", a.pos) || api_set(req, "reason", a.reason)))
        rc = msg_oom();
    if (rc == 0)
        rc = api_post(ctl, "/api/v1/recovery/approvals", req, &r);
    if (rc == 0)
        rc = emit_armour(ctl, r, "approval", &o);
    if (rc == 0 && o.path && !ctl->json && strcmp(o.path, "-") != 0)
        rc = api_confirm(ctl, r, "已批准恢复节点 %s 的密封信息，批准文件已写入 %s",
                         field_str(r, "node"), o.path);
    out_abandon(&o);
    json_decref(r);
    json_decref(req);
    return rc;
}

int cmd_recovery_reseal(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    char *key = NULL, *approval = NULL;
    json_t *req = json_object(), *r = NULL;
    int rc = req ? net_args_parse(argc, argv, "recovery reseal", reseal_opts, NULL, &a)
                 : msg_oom();
    if (rc == 0 && (!a.key || !a.approval))
        rc = msg_usage_as("missing_option", "需要 --key FILE（县级恢复密钥）和 --approval "
                                            "FILE（县级中心的批准文件）");
    if (rc == 0 && !(rc = args_read_text(a.key, &key)))
        rc = args_read_text(a.approval, &approval);
    if (rc == 0 && (api_set(req, "recovery_key", key) || api_set(req, "approval", approval)))
        rc = msg_oom();
    if (rc == 0)
        rc = api_post(ctl, "/api/v1/recovery/reseal", req, &r);
    if (rc == 0)
        rc = api_confirm(ctl, r, "已恢复 %lld 个案件的 %lld 项密封信息（批准 %s）",
                         (long long)json_integer_value(json_object_get(r, "cases")),
                         (long long)json_integer_value(json_object_get(r, "parts")),
                         field_str(r, "approval"));
    if (key)
        memset(key, 0, strlen(key));
    json_decref(r);
    json_decref(req);
    free(key);
    free(approval);
    return rc;
}
