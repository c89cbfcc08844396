#include "module.h"
#include "log.h"

#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MODULES_MAX 8

/* What each module's first use found (NULL table: it could not be loaded; not tried again). */
struct module_entry {
    const char *file, *symbol;
    const void *table;
};
static struct module_entry loaded[MODULES_MAX];
static size_t n_loaded;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* The module opened from DIR_OF_THE_PROGRAM/../lib/jiefen/, or NULL. */
static void *open_beside_program(const char *file)
{
    char exe[PATH_MAX], path[PATH_MAX + 64];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return NULL;
    exe[n] = 0;
    char *slash = strrchr(exe, '/');
    if (!slash)
        return NULL;
    *slash = 0;
    snprintf(path, sizeof path, "%s/../lib/jiefen/%s", exe, file);
    return dlopen(path, RTLD_NOW | RTLD_LOCAL);
}

/* Opens file and finds its table: NULL (logged) when either fails. */
static const void *load(const char *file, const char *symbol)
{
    char path[PATH_MAX];
    void *h = open_beside_program(file);
    if (!h) {
        snprintf(path, sizeof path, "%s/%s", JIEFEN_MODULE_BUILD_DIR, file);
        h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    }
    const void *table = h ? dlsym(h, symbol) : NULL;
    if (!table)
        log_error("module", "%s: %s", file, dlerror());
    return table;
}

const void *module_table(const char *file, const char *symbol)
{
    if (pthread_mutex_lock(&lock) != 0)
        return NULL;
    const void *table = NULL;
    size_t i = 0;
    while (i < n_loaded && (strcmp(loaded[i].file, file) || strcmp(loaded[i].symbol, symbol)))
        i++;
    if (i < n_loaded) {
        table = loaded[i].table;
    } else {
        table = load(file, symbol);
        if (n_loaded < MODULES_MAX)
            loaded[n_loaded++] = (struct module_entry){file, symbol, table};
    }
    pthread_mutex_unlock(&lock);
    return table;
}
