/*
 * backupsched — the node's backups as they run: one at a time on the thread pool (a
 * backup asked for through the API, or the periodic one of [backup] dir, every, keep),
 * and what the last one did (time, size, where, or its error) for status and the console.
 *
 * Periodic backups go to DIR/backup-YYYYMMDD-HHMMSS (UTC); after each, the oldest beyond
 * `keep` are removed. The first is made a few seconds after start when the newest in DIR is
 * older than `every` (or there is none), then every `every` minutes. Loop thread only.
 */
#ifndef JIEFEN_BACKUPSCHED_H
#define JIEFEN_BACKUPSCHED_H

#include "log/backup.h"
#include "log/work.h"

#include <uv.h>

struct backupsched;

/* What the last backup of this process did: nothing yet (time_ms 0), a backup (error "")
 * or an error; running while one is under way. */
struct backup_last {
    int running;
    int64_t time_ms;
    uint64_t bytes;
    char path[PATH_MAX];
    char error[256];
};

/* Called on the loop thread when a backup asked for ends: 0 and *res, or an error. */
typedef void (*backupsched_done_fn)(int rc, const struct backup_result *res, void *arg);

/* A scheduler for the node whose store is st and data directory data_dir (both outlive
 * it). dir "" (no periodic backups) or a directory made when needed (0700), every in
 * minutes. The strings of info are copied. NULL when out of memory. */
struct backupsched *backupsched_new(uv_loop_t *loop, store *st, struct work *w,
                                    const char *data_dir, const struct backup_info *info,
                                    const char *dir, int every_min, int keep);

/* At stop: no more periodic backups (one running finishes; its handle is closed with the
 * loop's others). Accepts NULL. */
void backupsched_stop(struct backupsched *b);

/* Frees it once the loop has ended; accepts NULL and clears the caller's pointer. */
void backupsched_free(struct backupsched **b);

/* Starts the periodic timer (nothing when no dir). 0 or a libuv error. */
int backupsched_start(struct backupsched *b);

/* Makes a backup into the new directory out; done gets the result. -EBUSY (done not
 * called) while another runs. */
int backupsched_run(struct backupsched *b, const char *out, backupsched_done_fn done,
                    void *arg);

/* What the last backup did, into *out. */
void backupsched_last(const struct backupsched *b, struct backup_last *out);

#endif
