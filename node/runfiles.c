#include "runfiles.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* DIR/name into out (PATH_MAX); -ENAMETOOLONG if it does not fit. */
static int path_of(const char *dir, const char *name, char *out)
{
    return snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* The pid jiefend.pid names, for the message of a refused second daemon. */
static void pid_of(const char *dir, char *pid, size_t len)
{
    char path[PATH_MAX];
    snprintf(pid, len, "?");
    if (path_of(dir, "jiefend.pid", path))
        return;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return;
    ssize_t r = read(fd, pid, len - 1);
    close(fd);
    pid[r > 0 ? (size_t)r : 0] = 0;
    pid[strcspn(pid, "\n")] = 0;
    if (!pid[0])
        snprintf(pid, len, "?");
}

int runfiles_lock(const char *dir, int *fd, char *err, size_t errlen)
{
    *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd < 0) {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    if (flock(*fd, LOCK_EX | LOCK_NB) == 0)
        return 0;
    char pid[32];
    pid_of(dir, pid, sizeof pid);
    snprintf(err, errlen, "another jiefend (pid %s) is already running on %s", pid, dir);
    close(*fd);
    *fd = -1;
    return -1;
}

static int write_all(int fd, const char *text)
{
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t w = write(fd, text + off, len - off);
        if (w < 0 && errno != EINTR)
            return -errno;
        off += w > 0 ? (size_t)w : 0;
    }
    return 0;
}

int runfiles_put(const char *dir, const char *name, const char *text)
{
    char path[PATH_MAX], tmp[PATH_MAX];
    int rc = path_of(dir, name, path);
    if (rc || snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return rc ? rc : -ENAMETOOLONG;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        rc = -errno;
    } else {
        rc = write_all(fd, text);
        if (close(fd) < 0 && rc == 0)
            rc = -errno;
        if (rc == 0 && rename(tmp, path) < 0)
            rc = -errno;
    }
    if (rc) {
        unlink(tmp);
        unlink(path); /* a dead process's: never leave it to be believed */
    }
    return rc;
}

void runfiles_release(const char *dir, int fd)
{
    char path[PATH_MAX];
    if (fd < 0)
        return;
    /* Removed while the lock is still held: a daemon starting now waits for nothing, and
     * writes its own once it has the lock. */
    if (path_of(dir, "jiefend.addr", path) == 0)
        unlink(path);
    if (path_of(dir, "jiefend.pid", path) == 0)
        unlink(path);
    close(fd);
}
