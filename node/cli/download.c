/*
 * download — a file the daemon answers, written where --out says (download.h).
 */
#include "download.h"

#include "api.h"
#include "args.h"
#include "msg.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* FILE exists and --force was not given. */
static int file_exists(const char *out)
{
    msg_error("file_exists", "%s 已存在；给出 --force 才会替换它", out);
    return EXIT_REFUSED;
}

/* Writing FILE failed (errno says why). */
static int cannot_write(const char *out)
{
    msg_error("unwritable_file", "无法写入 %s：%s", out, strerror(errno));
    return EXIT_REFUSED;
}

/* A new temporary file FILE.XXXXXX next to FILE (so that renaming it is atomic), with the
 * mode a new file gets. A usage error when it cannot be made. */
static int temp_open(const char *out, char **tmp, int *fd)
{
    mode_t mask = umask(0);
    umask(mask);
    *fd = -1;
    if (asprintf(tmp, "%s.XXXXXX", out) < 0) {
        *tmp = NULL;
        return msg_oom();
    }
    if ((*fd = mkostemp(*tmp, O_CLOEXEC)) >= 0 && fchmod(*fd, 0666 & ~mask) == 0)
        return 0;
    int e = errno;
    if (*fd >= 0)
        close(*fd), unlink(*tmp), *fd = -1;
    free(*tmp);
    *tmp = NULL;
    return msg_usage_as("unwritable_file", "无法写入 %s：%s", out, strerror(e));
}

/* Gives the complete temporary file the name FILE: replacing one that exists with force,
 * else only if there is none, atomically, so that a FILE made meanwhile is kept. */
static int temp_place(const char *tmp, const char *out, int force)
{
    int rc = force ? rename(tmp, out)
                   : renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE);
    if (rc != 0 && !force && (errno == EINVAL || errno == ENOSYS))
        rc = link(tmp, out) == 0 ? unlink(tmp) : -1;   /* no RENAME_NOREPLACE here */
    if (rc == 0)
        return EXIT_OK;
    if (errno == EEXIST)
        return file_exists(out);
    return cannot_write(out);
}

/* The file GET path answers into a new temporary file next to `out`, which then takes the
 * name `out`; *n is its size. */
static int fetch_placed(struct ctl *ctl, const char *path, const char *out, int force,
                        size_t *n)
{
    int fd = -1;
    char *tmp = NULL;
    int rc = temp_open(out, &tmp, &fd);
    if (rc == 0)
        rc = api_fetch(ctl, path, fd, n);
    if (rc == 0 && fsync(fd) != 0)
        rc = cannot_write(out);
    if (fd >= 0 && close(fd) != 0 && rc == 0)
        rc = cannot_write(out);
    if (rc == 0)
        rc = temp_place(tmp, out, force);
    if (rc && tmp)
        unlink(tmp);
    free(tmp);
    return rc;
}

int download_file(struct ctl *ctl, const char *path, const char *out, int force)
{
    size_t n = 0;
    struct stat st;
    if (strcmp(out, "-") == 0)
        return api_fetch(ctl, path, STDOUT_FILENO, &n);
    if (!force && lstat(out, &st) == 0)
        return file_exists(out);
    int rc = api_connect(ctl);   /* no file is made for a daemon that is not there */
    if (rc == 0)
        rc = fetch_placed(ctl, path, out, force, &n);
    json_t *r = rc ? NULL : json_pack("{s:s, s:I}", "out", out, "bytes", (json_int_t)n);
    if (rc == 0)
        rc = r ? api_confirm(ctl, r, "已导出 %s（%zu 字节）", out, n) : msg_oom();
    json_decref(r);
    return rc;
}

struct copy_args {
    const char *out, *purpose;
    int force;
};

static int take_copy(void *arg, int c, char **argv)
{
    struct copy_args *a = arg;
    if (c == 'o')
        return args_set_once(&a->out, "out", optarg);
    if (c == 'p')
        return args_set_once(&a->purpose, "purpose", optarg);
    if (c == 'f')
        return a->force = 1, 0;
    return args_bad_option(c, argv);
}

/* path_fmt with the escaped positionals p[0..1] and the purpose's query; NULL without
 * memory. */
static char *copy_path(const char *path_fmt, char *const p[2], const char *purpose)
{
    char *base = NULL, *path = NULL;
    if (asprintf(&base, path_fmt, p[0], p[1] ? p[1] : "") < 0)
        return NULL;
    if (asprintf(&path, "%s%s%s", base, purpose ? "?purpose=" : "", purpose ? purpose : "") < 0)
        path = NULL;
    free(base);
    return path;
}

int download_copy(struct ctl *ctl, int argc, char **argv, int npos, const char *path_fmt,
                  const char *what)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {"force", no_argument, NULL, 'f'},
                                         {"purpose", required_argument, NULL, 'p'},
                                         {NULL, 0, NULL, 0}};
    struct copy_args a = {NULL, NULL, 0};
    char *p[2] = {NULL, NULL}, *purpose = NULL, *path = NULL;
    int rc = args_parse(argc - npos, argv + npos, argv[0], opts, NULL, NULL, take_copy, &a);
    if (rc == 0 && !a.out)
        rc = msg_usage_as("missing_option", "请用 --out 指定%s（- 为标准输出）", what);
    for (int i = 0; rc == 0 && i < npos && i < 2; i++)
        if (!(p[i] = ctl_client_escape(ctl->client, argv[1 + i])))
            rc = msg_oom();
    if (rc == 0 && a.purpose && !(purpose = ctl_client_escape(ctl->client, a.purpose)))
        rc = msg_oom();
    if (rc == 0 && !(path = copy_path(path_fmt, p, purpose)))
        rc = msg_oom();
    if (rc == 0)
        rc = download_file(ctl, path, a.out, a.force);
    free(path);
    free(purpose);
    free(p[0]);
    free(p[1]);
    return rc;
}
