#include "api/http_limits.h"

#include <sys/resource.h>

#define HTTP_FD_RESERVE 64              /* descriptors kept for the store, links and logs */
#define HTTP_NOFILE_MAX (1u << 20)      /* an unlimited fd limit counts as this */

void http_limits_default(struct http_limits *l)
{
    *l = (struct http_limits){.max_body = 1024 * 1024, .header_ms = 10000, .body_ms = 30000,
                              .idle_ms = 20000, .stall_ms = 120000, .max_pipeline = 32};
}

int http_limits_fit(struct http_limits *l)
{
    struct rlimit rl;
    unsigned nofile = 1024, reserve, ceiling;
    int lowered = 0;

    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        nofile = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > HTTP_NOFILE_MAX
                     ? HTTP_NOFILE_MAX : (unsigned)rl.rlim_cur;
    reserve = nofile / 4 > HTTP_FD_RESERVE ? nofile / 4 : HTTP_FD_RESERVE;
    ceiling = nofile > reserve + 8 ? nofile - reserve : 8;
    if (l->max_conns > ceiling)
        lowered = 1;
    if (!l->max_conns || l->max_conns > ceiling)
        l->max_conns = ceiling;
    if (l->max_per_addr > l->max_conns)
        lowered = 1;
    if (!l->max_per_addr || l->max_per_addr > l->max_conns)
        l->max_per_addr = l->max_conns / 4 ? l->max_conns / 4 : 1;
    if (!l->max_pipeline)
        l->max_pipeline = 1;
    return lowered;
}
