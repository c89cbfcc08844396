/* backup — copies of a running node, and data directories made from them (backup.h). */
#include "log/backup.h"
#include "durfile.h"
#include "error.h"
#include "log/eventlog.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"

/* A path dir/name into out (PATH_MAX bytes); -ENAMETOOLONG when it does not fit. */
static int join(char *out, const char *dir, const char *name)
{
    int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
    return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Copies the regular file src to the new file dst (0600), fsynced; adds its size. */
static int copy_file(const char *src, const char *dst, uint64_t *bytes)
{
    char buf[65536];
    int in = open(src, O_RDONLY), out = -1, rc = 0;
    if (in < 0)
        return -errno;
    if ((out = open(dst, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0)
        rc = -errno;
    ssize_t n;
    while (rc == 0 && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 || write(out, buf, (size_t)n) != n)
            rc = n < 0 ? -errno : -EIO;
        else
            *bytes += (uint64_t)n;
    }
    if (rc == 0 && fsync(out))
        rc = -errno;
    if (out >= 0 && close(out) && rc == 0)
        rc = -errno;
    close(in);
    return rc;
}

/* Whether an entry of the data directory stays out of a copy: the run files, the store
 * (copied by LMDB), the blobs' unfinished pieces, a restore's manifest. */
static int skipped(const char *name, int top)
{
    static const char *const top_names[] = {"jiefend.pid", "jiefend.addr", "store",
                                            BACKUP_MANIFEST};
    if (!strcmp(name, ".") || !strcmp(name, "..") || !strcmp(name, "tmp") ||
        !strcmp(name, "partial"))
        return 1;
    for (size_t i = 0; top && i < sizeof top_names / sizeof top_names[0]; i++)
        if (!strcmp(name, top_names[i]))
            return 1;
    return 0;
}

/* Copies the files of src, and its directories recursively (0700: the documents' blobs
 * in docs/), into dst, which exists; dst fsynced. top: src is a data directory (skipped()
 * says what stays out). */
static int copy_tree(const char *src, const char *dst, int top, uint64_t *bytes)
{
    DIR *d = opendir(src);
    if (!d)
        return -errno;
    char from[PATH_MAX], to[PATH_MAX];
    struct dirent *e;
    struct stat sb;
    int rc = 0;
    while (rc == 0 && (e = readdir(d))) {
        if (skipped(e->d_name, top) || (rc = join(from, src, e->d_name)) ||
            (rc = join(to, dst, e->d_name)))
            continue;
        if (lstat(from, &sb))
            rc = -errno;
        else if (S_ISREG(sb.st_mode))
            rc = copy_file(from, to, bytes);
        else if (S_ISDIR(sb.st_mode))
            rc = mkdir(to, 0700) ? -errno : copy_tree(from, to, 0, bytes);
    }
    closedir(d);
    return rc ? rc : durfile_fsync_dir(dst);
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    return remove(path) ? -1 : 0;
}

/* Removes a directory tree this module made (nothing if absent). */
static void remove_tree(const char *dir)
{
    if (nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS))
        remove(dir);
}

static int head_json(const char *origin, uint64_t seq, void *arg)
{
    return json_object_set_new(arg, origin, json_integer((json_int_t)seq)) ? -ENOMEM : 0;
}

/* Writes dir/manifest.json (0600, fsynced). */
static int write_manifest(store *st, MDB_txn *txn, const char *dir,
                          const struct backup_info *info, int64_t time_ms, uint64_t *bytes)
{
    char path[PATH_MAX];
    json_t *heads = json_object();
    json_t *m = heads ? json_pack("{s:i, s:s, s:s, s:I, s:I, s:O}", "backup", 1, "node_id",
                                  info->node_id, "node_name", info->node_name, "store_format",
                                  (json_int_t)info->store_format, "time_ms",
                                  (json_int_t)time_ms, "heads", heads)
                      : NULL;
    int rc = m ? join(path, dir, BACKUP_MANIFEST) : -ENOMEM;
    if (rc == 0)
        rc = eventlog_each_head(st, txn, head_json, heads);
    char *text = rc == 0 ? json_dumps(m, JSON_INDENT(2)) : NULL;
    int fd = text ? open(path, O_WRONLY | O_CREAT | O_EXCL, 0600) : -1;
    if (rc == 0 && !text)
        rc = -ENOMEM;
    else if (rc == 0 && fd < 0)
        rc = -errno;
    size_t len = text ? strlen(text) : 0;
    if (rc == 0 && (write(fd, text, len) != (ssize_t)len || fsync(fd)))
        rc = -EIO;
    if (fd >= 0)
        close(fd);
    *bytes += len;
    free(text);
    json_decref(m);
    json_decref(heads);
    return rc;
}

/* LMDB's compacting copy of st into dir/store/data.mdb (0600), fsynced. */
static int copy_store(store *st, const char *dir, uint64_t *bytes)
{
    char sdir[PATH_MAX], path[PATH_MAX];
    int rc = join(sdir, dir, "store");
    if (rc == 0 && mkdir(sdir, 0700))
        rc = -errno;
    if (rc == 0)
        rc = join(path, sdir, "data.mdb");
    int fd = rc == 0 ? open(path, O_WRONLY | O_CREAT | O_EXCL, 0600) : -1;
    if (rc == 0 && fd < 0)
        rc = -errno;
    if (rc == 0)
        rc = mdb_env_copyfd2(st->env, fd, MDB_CP_COMPACT);
    struct stat sb;
    if (rc == 0 && (fsync(fd) || fstat(fd, &sb)))
        rc = -errno;
    if (rc == 0)
        *bytes += (uint64_t)sb.st_size;
    if (fd >= 0)
        close(fd);
    return rc ? rc : durfile_fsync_dir(sdir);
}

/* The parent directory of path into out (PATH_MAX bytes). */
static void parent_of(const char *path, char *out)
{
    snprintf(out, PATH_MAX, "%s", path);
    char *slash = strrchr(out, '/');
    if (!slash)
        snprintf(out, PATH_MAX, ".");
    else if (slash == out)
        out[1] = '\0';
    else
        *slash = '\0';
}

int backup_make(store *st, MDB_txn *txn, const char *data_dir, const char *out,
                const struct backup_info *info, struct backup_result *res)
{
    static atomic_uint counter;
    char tmp[PATH_MAX], parent[PATH_MAX];
    struct stat sb;
    memset(res, 0, sizeof *res);
    if (!*out || strlen(out) >= sizeof res->path)
        return JF_EINVAL;
    if (stat(out, &sb) == 0)
        return JF_EEXIST;
    int n = snprintf(tmp, sizeof tmp, "%s.tmp-%d-%u", out, (int)getpid(),
                     atomic_fetch_add(&counter, 1));
    if (n < 0 || n >= (int)sizeof tmp)
        return -ENAMETOOLONG;
    if (mkdir(tmp, 0700))
        return -errno;
    res->time_ms = clock_now_ms();
    int rc = write_manifest(st, txn, tmp, info, res->time_ms, &res->bytes);
    if (rc == 0)
        rc = copy_store(st, tmp, &res->bytes);
    if (rc == 0)
        rc = copy_tree(data_dir, tmp, 1, &res->bytes);
    int renamed = 0;
    if (rc == 0 && (rc = durfile_fsync_dir(tmp)) == 0) {
        if (rename(tmp, out) == 0)
            renamed = 1;
        else
            rc = errno == ENOTEMPTY || errno == EEXIST ? JF_EEXIST : -errno;
    }
    parent_of(out, parent);
    if (rc == 0)
        rc = durfile_fsync_dir(parent);
    if (rc)
        remove_tree(renamed ? out : tmp);
    else
        snprintf(res->path, sizeof res->path, "%s", out);
    return rc;
}

/* ---- restore ------------------------------------------------------------------------ */

int backup_dir_fresh(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d)
        return errno == ENOENT ? 1 : -errno;
    struct dirent *e;
    int empty = 1;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            empty = 0;
    closedir(d);
    return empty;
}

/* Checks the manifest and the store file of the backup in from. */
static int check_backup(const char *from, uint64_t max_format, char *msg, size_t len)
{
    char path[PATH_MAX];
    json_error_t jerr;
    json_t *m = join(path, from, BACKUP_MANIFEST) ? NULL : json_load_file(path, 0, &jerr);
    json_t *fmt = json_object_get(m, "store_format");
    int rc = 0;
    if (!m) {
        snprintf(msg, len, "%s 不是备份：没有可读的 %s", from, BACKUP_MANIFEST);
        rc = JF_EINVAL;
    } else if (!json_is_string(json_object_get(m, "node_id")) || !json_is_integer(fmt)) {
        snprintf(msg, len, "%s/%s 缺少 node_id 或 store_format", from, BACKUP_MANIFEST);
        rc = JF_EINVAL;
    } else if ((uint64_t)json_integer_value(fmt) > max_format) {
        snprintf(msg, len, "备份的存储格式为 %lld，新于本版本（%llu）",
                 (long long)json_integer_value(fmt), (unsigned long long)max_format);
        rc = JF_ENEWER;
    } else if (join(path, from, "store/data.mdb") || access(path, R_OK)) {
        snprintf(msg, len, "%s 不完整：缺少 store/data.mdb", from);
        rc = JF_EINVAL;
    }
    json_decref(m);
    return rc;
}

/* Marks the store in data_dir restored. */
static int mark_restored(const char *data_dir)
{
    char path[PATH_MAX];
    store *st = NULL;
    MDB_txn *txn = NULL;
    struct stat sb;
    int rc = join(path, data_dir, "store/data.mdb");
    if (rc == 0 && stat(path, &sb))
        rc = -errno;
    if (rc == 0)
        rc = join(path, data_dir, "store");
    /* Room for the mark above the compacted file: the node sets its own map at start. */
    if (rc == 0)
        rc = store_open(path, (size_t)sb.st_size + (16u << 20), 0, &st);
    if (rc == 0 && (rc = store_txn_begin(st, 0, &txn)) == 0 &&
        (rc = eventlog_set_restored(st, txn, 1)) == 0) {
        rc = store_txn_commit(txn);
        txn = NULL;
    }
    store_txn_abort(txn);
    store_close(&st);
    return rc;
}

int backup_restore(const char *from, const char *data_dir, uint64_t max_format, char *msg,
                   size_t len)
{
    char sfrom[PATH_MAX], sto[PATH_MAX];
    uint64_t bytes = 0;
    snprintf(msg, len, "%s", "");
    int rc = check_backup(from, max_format, msg, len);
    if (rc)
        return rc;
    int empty = backup_dir_fresh(data_dir), made = 0;
    if (empty <= 0) {
        snprintf(msg, len, "%s 不是空目录：拒绝在其上恢复", data_dir);
        return empty == 0 ? JF_EEXIST : empty;
    }
    if (mkdir(data_dir, 0700) == 0)
        made = 1;
    else if (errno != EEXIST)
        rc = -errno;
    if (rc == 0)
        rc = copy_tree(from, data_dir, 1, &bytes);
    if (rc == 0 && (rc = join(sfrom, from, "store")) == 0 &&
        (rc = join(sto, data_dir, "store")) == 0)
        rc = mkdir(sto, 0700) ? -errno : copy_tree(sfrom, sto, 0, &bytes);
    if (rc == 0)
        rc = mark_restored(data_dir);
    if (rc == 0)
        return 0;
    if (!*msg)
        snprintf(msg, len, "恢复失败：%s", jf_strerror(rc));
    /* Leave the target as it was found: empty (or absent, if this made it). */
    DIR *d = opendir(data_dir);
    struct dirent *e;
    while (d && (e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !join(sto, data_dir, e->d_name))
            remove_tree(sto);
    if (d)
        closedir(d);
    if (made)
        rmdir(data_dir);
    return rc;
}

/* ---- retention and the mark --------------------------------------------------------- */

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static int is_backup_name(const struct dirent *e)
{
    return strncmp(e->d_name, "backup-", 7) == 0 && !strstr(e->d_name, ".tmp-");
}

int backup_prune(const char *dir, int keep)
{
    struct dirent **list;
    char path[PATH_MAX];
    int n = scandir(dir, &list, is_backup_name, by_name), removed = 0;
    if (n < 0)
        return -errno;
    for (int i = 0; i < n; i++) {
        if (i < n - keep && join(path, dir, list[i]->d_name) == 0) {
            remove_tree(path);
            removed++;
        }
        free(list[i]);
    }
    free(list);
    return removed;
}
