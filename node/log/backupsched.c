/* backupsched — backups one at a time, periodic ones, the last result (backupsched.h). */
#include "log/backupsched.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define FIRST_DELAY_MS 5000

struct backupsched {
    uv_timer_t timer;
    store *st;
    struct work *work;
    char data_dir[PATH_MAX];
    char node_id[64], node_name[128];
    struct backup_info info;
    char dir[PATH_MAX];
    uint64_t every_ms;
    int keep;
    struct backup_last last;
};

struct job {
    struct backupsched *b;
    char out[PATH_MAX];
    int periodic;
    backupsched_done_fn done;
    void *arg;
    struct backup_result res;
};

struct backupsched *backupsched_new(uv_loop_t *loop, store *st, struct work *w,
                                    const char *data_dir, const struct backup_info *info,
                                    const char *dir, int every_min, int keep)
{
    struct backupsched *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    uv_timer_init(loop, &b->timer);
    b->timer.data = b;
    b->st = st;
    b->work = w;
    snprintf(b->data_dir, sizeof b->data_dir, "%s", data_dir);
    snprintf(b->node_id, sizeof b->node_id, "%s", info->node_id);
    snprintf(b->node_name, sizeof b->node_name, "%s", info->node_name);
    b->info = (struct backup_info){b->node_id, b->node_name, info->store_format};
    snprintf(b->dir, sizeof b->dir, "%s", dir);
    b->every_ms = (uint64_t)every_min * 60000u;
    b->keep = keep;
    return b;
}

void backupsched_stop(struct backupsched *b)
{
    if (b)
        uv_timer_stop(&b->timer);
}

void backupsched_free(struct backupsched **b)
{
    if (!b || !*b)
        return;
    free(*b);
    *b = NULL;
}

/* On a pool thread: the copy, then (periodic) the retention. */
static int job_work(MDB_txn *txn, void *arg)
{
    struct job *j = arg;
    struct backupsched *b = j->b;
    if (j->periodic && mkdir(b->dir, 0700) && errno != EEXIST)
        return -errno;
    int rc = backup_make(b->st, txn, b->data_dir, j->out, &b->info, &j->res);
    if (rc == 0 && j->periodic && backup_prune(b->dir, b->keep) < 0)
        log_warn("backup", "%s: cannot remove old backups", b->dir);
    return rc;
}

static void job_done(int rc, void *arg)
{
    struct job *j = arg;
    struct backupsched *b = j->b;
    struct backup_last *l = &b->last;
    l->running = 0;
    if (rc == 0) {
        l->time_ms = j->res.time_ms;
        l->bytes = j->res.bytes;
        snprintf(l->path, sizeof l->path, "%s", j->res.path);
        l->error[0] = '\0';
        log_info("backup", "%s: %llu bytes", j->out, (unsigned long long)j->res.bytes);
    } else {
        l->time_ms = clock_now_ms();
        snprintf(l->path, sizeof l->path, "%s", j->out);
        snprintf(l->error, sizeof l->error, "%s", jf_strerror(rc));
        log_warn("backup", "%s (%s)", j->out, jf_strerror(rc));
    }
    if (j->done)
        j->done(rc, &j->res, j->arg);
    free(j);
}

static int submit(struct backupsched *b, struct job *j)
{
    if (b->last.running) {
        free(j);
        return -EBUSY;
    }
    b->last.running = 1;
    work_read(b->work, job_work, job_done, j);
    return 0;
}

int backupsched_run(struct backupsched *b, const char *out, backupsched_done_fn done,
                    void *arg)
{
    if (strlen(out) >= PATH_MAX)
        return -ENAMETOOLONG;
    struct job *j = calloc(1, sizeof *j);
    if (!j)
        return -ENOMEM;
    j->b = b;
    j->done = done;
    j->arg = arg;
    snprintf(j->out, sizeof j->out, "%s", out);
    return submit(b, j);
}

static void on_tick(uv_timer_t *t)
{
    struct backupsched *b = t->data;
    struct job *j = calloc(1, sizeof *j);
    time_t now = (time_t)(clock_now_ms() / 1000);
    struct tm tm;
    char name[32];
    if (!j)
        return;
    gmtime_r(&now, &tm);
    strftime(name, sizeof name, "backup-%Y%m%d-%H%M%S", &tm);
    j->b = b;
    j->periodic = 1;
    snprintf(j->out, sizeof j->out, "%.*s/%s", PATH_MAX - 40, b->dir, name);
    if (submit(b, j) == -EBUSY)
        log_info("backup", "periodic backup skipped: another one is running");
}

/* The time (UTC ms) of the newest periodic backup in dir, 0 if none. */
static int64_t newest_backup(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int64_t newest = 0;
    while (d && (e = readdir(d))) {
        struct tm tm = {0};
        const char *end = strncmp(e->d_name, "backup-", 7) ? NULL
                                                          : strptime(e->d_name + 7,
                                                                     "%Y%m%d-%H%M%S", &tm);
        int64_t t = end && !*end ? (int64_t)timegm(&tm) * 1000 : 0;
        if (t > newest)
            newest = t;
    }
    if (d)
        closedir(d);
    return newest;
}

int backupsched_start(struct backupsched *b)
{
    if (!b->dir[0])
        return 0;
    int64_t age = clock_now_ms() - newest_backup(b->dir);
    uint64_t first = age >= 0 && (uint64_t)age < b->every_ms ? b->every_ms - (uint64_t)age
                                                              : FIRST_DELAY_MS;
    return uv_timer_start(&b->timer, on_tick, first, b->every_ms);
}

void backupsched_last(const struct backupsched *b, struct backup_last *out)
{
    *out = b->last;
}
