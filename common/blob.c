#include "blob.h"
#include "durfile.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct blob_writer {
    int fd;
    uint64_t written;
    crypto_generichash_state h;
    char dir[BLOB_PATH_MAX];
    char tmp[BLOB_PATH_MAX];
};

static int make_dir(const char *path)
{
    return mkdir(path, 0700) == 0 || errno == EEXIST ? 0 : -errno;
}

/* "DIR/sub" into out. */
static void sub_path(const char *dir, const char *sub, char *out)
{
    snprintf(out, BLOB_PATH_MAX, "%.4000s/%s", dir, sub);
}

int blob_dir(const store *st, int create, char *out)
{
    const char *slash = strrchr(st->path, '/');
    int n = slash ? (int)(slash - st->path) : 1;
    snprintf(out, BLOB_PATH_MAX, "%.*s/docs", n, slash ? st->path : ".");
    return create ? make_dir(out) : 0;
}

void blob_path(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN], char *out)
{
    char hex[BLOB_HEX];
    crypto_hex(hash, CRYPTO_HASH_LEN, hex);
    snprintf(out, BLOB_PATH_MAX, "%.4000s/%.2s/%s", dir, hex, hex);
}

static void partial_path(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN], char *out)
{
    char hex[BLOB_HEX];
    crypto_hex(hash, CRYPTO_HASH_LEN, hex);
    snprintf(out, BLOB_PATH_MAX, "%.4000s/partial/%s", dir, hex);
}

int blob_writer_new(const char *dir, blob_writer **out)
{
    uint8_t r[12];
    char hex[sizeof r * 2 + 1], tmpdir[BLOB_PATH_MAX];
    blob_writer *w = calloc(1, sizeof *w);
    *out = NULL;
    if (!w)
        return -ENOMEM;
    sub_path(dir, "tmp", tmpdir);
    int rc = make_dir(dir);
    if (rc == 0)
        rc = make_dir(tmpdir);
    crypto_random(r, sizeof r);
    crypto_hex(r, sizeof r, hex);
    snprintf(w->dir, sizeof w->dir, "%s", dir);
    snprintf(w->tmp, sizeof w->tmp, "%.4100s/%s", tmpdir, hex);
    if (rc == 0 && (w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) < 0)
        rc = -errno;
    if (rc) {
        free(w);
        return rc;
    }
    crypto_generichash_init(&w->h, NULL, 0, CRYPTO_HASH_LEN);
    *out = w;
    return 0;
}

/* Writes all of buf to fd. 0 or -errno. */
static int write_all(int fd, const uint8_t *buf, size_t len)
{
    while (len) {
        ssize_t n = write(fd, buf, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -errno;
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

int blob_write(blob_writer *w, const void *buf, size_t len)
{
    int rc = write_all(w->fd, buf, len);
    if (rc == 0) {
        crypto_generichash_update(&w->h, buf, len);
        w->written += len;
    }
    return rc;
}

uint64_t blob_written(const blob_writer *w)
{
    return w->written;
}

/* Renames `from` to the place of hash under dir, durably. 0 or -errno. */
static int put_in_place(const char *dir, const char *from, const uint8_t hash[CRYPTO_HASH_LEN])
{
    char to[BLOB_PATH_MAX], sub[BLOB_PATH_MAX];
    blob_path(dir, hash, to);
    snprintf(sub, sizeof sub, "%s", to);
    *strrchr(sub, '/') = '\0';
    int rc = make_dir(sub);
    if (rc == 0 && rename(from, to))
        rc = -errno;
    if (rc == 0 && (rc = durfile_fsync_dir(sub)) == 0)
        rc = durfile_fsync_dir(dir);
    return rc;
}

int blob_commit(blob_writer **wp, uint8_t hash[CRYPTO_HASH_LEN])
{
    blob_writer *w = *wp;
    int rc = fsync(w->fd) ? -errno : 0;
    if (close(w->fd) && rc == 0)
        rc = -errno;
    w->fd = -1;
    crypto_generichash_final(&w->h, hash, CRYPTO_HASH_LEN);
    if (rc == 0)
        rc = put_in_place(w->dir, w->tmp, hash);
    if (rc)
        unlink(w->tmp);
    free(w);
    *wp = NULL;
    return rc;
}

void blob_abort(blob_writer **wp)
{
    if (!wp || !*wp)
        return;
    if ((*wp)->fd >= 0)
        close((*wp)->fd);
    unlink((*wp)->tmp);
    free(*wp);
    *wp = NULL;
}

int blob_exists(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN])
{
    char path[BLOB_PATH_MAX];
    blob_path(dir, hash, path);
    return access(path, F_OK) == 0;
}

int blob_size(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN], uint64_t *size)
{
    char path[BLOB_PATH_MAX];
    struct stat s;
    blob_path(dir, hash, path);
    if (stat(path, &s))
        return errno == ENOENT ? JF_ENOTFOUND : -errno;
    *size = (uint64_t)s.st_size;
    return 0;
}

/* The BLAKE2b-256 of the file at path into out. 0, JF_ENOTFOUND or -errno. */
static int hash_file(const char *path, uint8_t out[CRYPTO_HASH_LEN])
{
    uint8_t buf[64 * 1024];
    crypto_generichash_state h;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? JF_ENOTFOUND : -errno;
    crypto_generichash_init(&h, NULL, 0, CRYPTO_HASH_LEN);
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            crypto_generichash_update(&h, buf, (size_t)n);
    int rc = n < 0 ? -errno : 0;
    close(fd);
    crypto_generichash_final(&h, out, CRYPTO_HASH_LEN);
    return rc;
}

int blob_check(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN])
{
    char path[BLOB_PATH_MAX];
    uint8_t got[CRYPTO_HASH_LEN];
    blob_path(dir, hash, path);
    int rc = hash_file(path, got);
    if (rc == 0 && memcmp(got, hash, CRYPTO_HASH_LEN))
        rc = JF_ECORRUPT;
    return rc;
}

int blob_remove(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN])
{
    char path[BLOB_PATH_MAX];
    blob_path(dir, hash, path);
    return unlink(path) == 0 || errno == ENOENT ? 0 : -errno;
}

int blob_read(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN], uint64_t offset,
              void *buf, size_t len, size_t *got)
{
    char path[BLOB_PATH_MAX];
    blob_path(dir, hash, path);
    *got = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return errno == ENOENT ? JF_ENOTFOUND : -errno;
    int rc = 0;
    while (*got < len) {
        ssize_t n = pread(fd, (uint8_t *)buf + *got, len - *got, (off_t)(offset + *got));
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            rc = -errno;
        if (n <= 0)
            break;
        *got += (size_t)n;
    }
    close(fd);
    return rc;
}

/* Starts writing the range out without waiting for it: the pieces of a transfer go to the
 * disk as they come instead of in one burst at the completion's fsync, which would hold up
 * the store's commits queued behind it on the same disk. 0, or -1 with errno. */
static int start_writeback(int fd, uint64_t offset, size_t len)
{
    return sync_file_range(fd, (off_t)offset, (off_t)len, SYNC_FILE_RANGE_WRITE);
}

uint64_t blob_partial_size(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN])
{
    char path[BLOB_PATH_MAX];
    struct stat s;
    partial_path(dir, hash, path);
    return stat(path, &s) == 0 ? (uint64_t)s.st_size : 0;
}

int blob_partial_append(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN],
                        uint64_t offset, const void *buf, size_t len, int sync)
{
    char path[BLOB_PATH_MAX], sub[BLOB_PATH_MAX];
    sub_path(dir, "partial", sub);
    int rc = make_dir(dir);
    if (rc || (rc = make_dir(sub)))
        return rc;
    partial_path(dir, hash, path);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    struct stat s;
    if (fstat(fd, &s))
        rc = -errno;
    else if ((uint64_t)s.st_size != offset)
        rc = -ESPIPE;
    if (rc == 0 && (rc = write_all(fd, buf, len)) == 0 &&
        (sync ? fdatasync(fd) : start_writeback(fd, offset, len)))
        rc = -errno;
    close(fd);
    return rc;
}

int blob_partial_finish(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN])
{
    char path[BLOB_PATH_MAX];
    uint8_t got[CRYPTO_HASH_LEN];
    partial_path(dir, hash, path);
    int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;
    if (fd < 0)
        return errno == ENOENT ? JF_ENOTFOUND : -errno;
    if (fsync(fd))
        rc = -errno;
    close(fd);
    if (rc == 0)
        rc = hash_file(path, got);
    if (rc == 0 && memcmp(got, hash, CRYPTO_HASH_LEN))
        rc = JF_ECORRUPT;
    if (rc == 0)
        return put_in_place(dir, path, hash);
    if (rc != JF_ECORRUPT)
        return rc;
    unlink(path);
    return rc;
}
