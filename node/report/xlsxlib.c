/* xlsxlib — libxlsxwriter loaded on first use (see xlsxlib.h). */
#define XLSXLIB_PLAIN_NAMES
#include "report/xlsxlib.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <uv.h>

/* The ABI this code was compiled against (libxlsxwriter 1.x). */
#define XLSXLIB_SONAME "libxlsxwriter.so.4"

struct xlsxlib xlsxlib_fn;

static uv_once_t once = UV_ONCE_INIT;
static int loaded;
static char why[256]; /* why it did not load */

static void load(void)
{
    struct xlsxlib fn;
    const char *missing = NULL;
    /* Never closed: a loaded library stays for the process's life, like a linked one. */
    void *lib = dlopen(XLSXLIB_SONAME, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(why, sizeof why, "%s", dlerror());
        return;
    }
    /* Through a void * copied in, as POSIX allows for dlsym's result. */
#define XLSXLIB_LOOKUP(name)                                                                 \
    {                                                                                        \
        void *sym = dlsym(lib, #name);                                                       \
        if (!sym && !missing)                                                                \
            missing = #name;                                                                 \
        memcpy(&fn.name, &sym, sizeof sym);                                                  \
    }
    XLSXLIB_FUNCS(XLSXLIB_LOOKUP)
#undef XLSXLIB_LOOKUP
    if (missing) {
        snprintf(why, sizeof why, "%s has no %s", XLSXLIB_SONAME, missing);
        return;
    }
    xlsxlib_fn = fn;
    loaded = 1;
}

int xlsxlib_load(char *err, size_t errlen)
{
    uv_once(&once, load);
    if (loaded)
        return 0;
    if (err && errlen)
        snprintf(err, errlen, "xlsx: cannot load %s (%s)", XLSXLIB_SONAME, why);
    return -ELIBACC;
}
