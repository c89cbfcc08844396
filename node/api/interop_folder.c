#include "api/interop_folder.h"
#include "api/api_core.h"
#include "api/api_interop.h"
#include "log.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define FILE_MAX (1 << 20)

struct interop_folder {
    uv_timer_t timer;
    struct api *api;
    const struct config_interop *cfg;
    int busy;                 /* an order is being taken: the next look waits */
    int stopped;              /* stopped while busy: freed when the order ends */
    char dir[PATH_MAX], name[NAME_MAX + 1]; /* the file in flight */
};

/* dir/sub/name (sub NULL: dir/name) into out. -1 when too long. */
static int path_of(char *out, const char *dir, const char *sub, const char *name)
{
    int n = sub ? snprintf(out, PATH_MAX, "%s/%s/%s", dir, sub, name)
                : snprintf(out, PATH_MAX, "%s/%s", dir, name);
    return n < 0 || n >= PATH_MAX ? -1 : 0;
}

/* Moves the file in flight into sub/ of its folder; for a refusal, why beside it. */
static void move(struct interop_folder *f, const char *sub, const char *why)
{
    char from[PATH_MAX], to[PATH_MAX], d[PATH_MAX];
    if (path_of(from, f->dir, NULL, f->name) || path_of(to, f->dir, sub, f->name) ||
        path_of(d, f->dir, NULL, sub))
        return;
    if ((mkdir(d, 0700) && errno != EEXIST) || rename(from, to)) {
        log_warn("interop", "cannot move %s to %s/ (%s)", from, sub, strerror(errno));
        return;
    }
    if (why) {
        char err[PATH_MAX];
        FILE *out = strlen(to) + 7 <= PATH_MAX && snprintf(err, sizeof err, "%s.error", to) > 0
                        ? fopen(err, "w")
                        : NULL;
        if (!out || fprintf(out, "%s\n", why) < 0 || fclose(out))
            log_warn("interop", "cannot write the reason beside %s", to);
    }
}

static void taken(void *arg, int rc, int status, json_t *answer)
{
    struct interop_folder *f = arg;
    f->busy = 0;
    if (f->stopped) { /* the node stops: the file stays for the next start */
        json_decref(answer);
        free(f);
        return;
    }
    if (rc) {
        log_warn("interop", "%s/%s: not taken now, tried again later", f->dir, f->name);
    } else if (status == 400) {
        const json_t *e = json_object_get(answer, "error");
        char why[600];
        snprintf(why, sizeof why, "%s %s: %s", api_str(e, "code"), api_str(e, "field"),
                 api_str(e, "message"));
        move(f, "refused", why);
    } else {
        move(f, "done", NULL);
    }
    json_decref(answer);
}

/* Reads the file in flight (at most FILE_MAX bytes) into a new NUL-terminated buffer. */
static char *read_file(const char *path, size_t *len)
{
    FILE *in = fopen(path, "rb");
    char *buf = in ? malloc(FILE_MAX + 1) : NULL;
    *len = buf ? fread(buf, 1, FILE_MAX + 1, in) : 0;
    if (in)
        fclose(in);
    if (buf && *len > FILE_MAX) {
        free(buf);
        return NULL;
    }
    if (buf)
        buf[*len] = 0;
    return buf;
}

/* The first *.json of system's folder, taken; 1 if one was, else 0. */
static int take_one(struct interop_folder *f, const char *system)
{
    if (path_of(f->dir, f->cfg->drop_dir, NULL, system))
        return 0;
    DIR *d = opendir(f->dir);
    struct dirent *e;
    int found = 0;
    while (d && !found && (e = readdir(d))) {
        size_t n = strlen(e->d_name);
        found = e->d_type == DT_REG && n > 5 && strcmp(e->d_name + n - 5, ".json") == 0;
        if (found)
            snprintf(f->name, sizeof f->name, "%s", e->d_name);
    }
    if (d)
        closedir(d);
    if (!found)
        return 0;
    char path[PATH_MAX];
    size_t len;
    char *body = path_of(path, f->dir, NULL, f->name) ? NULL : read_file(path, &len);
    if (!body) {
        move(f, "refused", "invalid_file: 无法读取或超过1 MiB");
        return 1;
    }
    f->busy = 1;
    api_interop_take(f->api, system, body, len, "folder", taken, f);
    free(body);
    return 1;
}

static void look(uv_timer_t *t)
{
    struct interop_folder *f = t->data;
    for (int i = 0; i < f->cfg->n_systems && !f->busy; i++)
        if (f->cfg->systems[i].key[0])
            while (!f->busy && take_one(f, f->cfg->systems[i].name))
                ;
}

int interop_folder_start(uv_loop_t *loop, struct api *api, const struct config_interop *cfg,
                         interop_folder **out)
{
    *out = NULL;
    if (!cfg->drop_dir[0])
        return 0;
    struct interop_folder *f = calloc(1, sizeof *f);
    if (!f)
        return -ENOMEM;
    f->api = api;
    f->cfg = cfg;
    uv_timer_init(loop, &f->timer);
    f->timer.data = f;
    uint64_t every = (uint64_t)cfg->drop_scan_s * 1000;
    uv_timer_start(&f->timer, look, every, every);
    *out = f;
    return 0;
}

static void closed(uv_handle_t *h)
{
    struct interop_folder *f = h->data;
    if (f->busy)
        f->stopped = 1;
    else
        free(f);
}

void interop_folder_stop(interop_folder **f)
{
    if (!f || !*f)
        return;
    uv_timer_stop(&(*f)->timer);
    uv_close((uv_handle_t *)&(*f)->timer, closed);
    *f = NULL;
}
