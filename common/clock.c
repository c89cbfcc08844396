#include "clock.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int64_t clock_off;

int64_t clock_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000 + clock_off;
}

void clock_set_offset(int64_t offset_ms)
{
    clock_off = offset_ms;
}

int64_t clock_offset(void)
{
    return clock_off;
}

int clock_local_year(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    return tm.tm_year + 1900;
}

void clock_format_local(int64_t ms, char *buf, unsigned len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm);
}

int clock_parse_local_date(const char *s, int64_t *ms)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3)
        return -1;
    if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31)
        return -1;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    time_t t = mktime(&tm);
    /* mktime normalises 2026-02-30 to March; a date that moved is not a real date. */
    if (t == (time_t)-1 || tm.tm_mday != d || tm.tm_mon != m - 1)
        return -1;
    *ms = (int64_t)t * 1000;
    return 0;
}

int64_t clock_local_day_end(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    struct tm next = {.tm_year = tm.tm_year, .tm_mon = tm.tm_mon, .tm_mday = tm.tm_mday + 1,
                      .tm_isdst = -1};
    return (int64_t)mktime(&next) * 1000;
}
