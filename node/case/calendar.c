#include "case/calendar.h"
#include "array.h"
#include "clock.h"

#include "error.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SEC_PER_DAY 86400
#define BLANKS " \t\r\n\v\f"

enum day_kind { DAY_OFF, DAY_WORK };
static const char *const kind_words[] = {"off", "work"};

/* One exception to Monday–Friday. The line is kept only to name both lines of a conflict. */
struct entry {
    int32_t ymd; /* yyyymmdd: orders like the dates themselves */
    int32_t line;
    uint8_t kind;
};

struct calendar {
    struct entry *v; /* sorted by ymd, one per date, after load */
    size_t n, cap;
};

/* Where a line being parsed came from, and where its error goes. */
struct src {
    const char *path;
    int line;
    char *err;
    size_t errlen;
};

static const calendar empty_calendar = {NULL, 0, 0};

/* ---- civil dates as day numbers (days since 1970-01-01), proleptic Gregorian ---- */

/* H. Hinnant's algorithms: exact for any year, no time zone involved, so iterating days
 * never meets a DST gap. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int64_t ymd_of_day(int64_t day)
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    return y * 10000 + m * 100 + d;
}

static int64_t day_of_ymd(int64_t ymd)
{
    return days_from_civil(ymd / 10000, (int)(ymd / 100 % 100), (int)(ymd % 100));
}

static int weekday_working(int64_t day)
{
    /* 1970-01-01 was a Thursday (4); 0 is Sunday. */
    int wday = (int)((day % 7 + 11) % 7);
    return wday != 0 && wday != 6;
}

/* ---- lookup ---- */

/* Index of the first entry with ymd >= key (n if none). */
static size_t lower_bound(const calendar *c, int64_t key)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->v[mid].ymd < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int is_working(const calendar *c, int64_t day)
{
    int64_t ymd = ymd_of_day(day);
    size_t i = lower_bound(c, ymd);
    if (i < c->n && c->v[i].ymd == ymd)
        return c->v[i].kind == DAY_WORK;
    return weekday_working(day);
}

/* ---- local time ---- */

static time_t seconds_of(int64_t ms)
{
    int64_t s = ms / 1000;
    return (time_t)(ms % 1000 < 0 ? s - 1 : s);
}

static int64_t ms_of(time_t t)
{
    if (t > INT64_MAX / 1000)
        return INT64_MAX;
    if (t < INT64_MIN / 1000)
        return INT64_MIN;
    return (int64_t)t * 1000;
}

static int64_t local_day(time_t t)
{
    struct tm tm;
    /* Only years beyond int fail here; UTC is as good an answer as any there. */
    if (!localtime_r(&t, &tm))
        return t / SEC_PER_DAY;
    return days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static time_t midnight_guess(int64_t day)
{
    int64_t y;
    int m, d;
    civil_from_days(day, &y, &m, &d);
    struct tm tm = {.tm_year = (int)(y - 1900), .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    errno = 0;
    time_t t = mktime(&tm);
    if (t == (time_t)-1 && errno != 0)
        return (time_t)(day * SEC_PER_DAY);
    return t;
}

/* The first instant whose local date is `day` or later. mktime's answer for 00:00 is
 * exact unless DST skips or repeats midnight (America/Havana, Asia/Beirut...): then it
 * may be an hour off either way, and a search over the seconds around it finds the edge. */
static time_t first_instant(int64_t day)
{
    time_t t = midnight_guess(day), lo, hi;
    if (local_day(t) < day) {
        lo = t;
        hi = t + SEC_PER_DAY;
    } else if (local_day(t - 1) >= day) {
        lo = t - SEC_PER_DAY;
        hi = t;
    } else {
        return t;
    }
    while (hi - lo > 1) { /* local_day(lo) < day <= local_day(hi) */
        time_t mid = lo + (hi - lo) / 2;
        if (local_day(mid) < day)
            lo = mid;
        else
            hi = mid;
    }
    return hi;
}

/* ---- deadlines ---- */

/* Whole weeks after `day` that hold no entry, so exactly five working days each, and may
 * be skipped at once; one working day is left to count, to land on it. This keeps a huge
 * `days` from looping day by day. */
static int64_t plain_weeks(const calendar *c, int64_t day, uint64_t left)
{
    size_t i = lower_bound(c, ymd_of_day(day) + 1);
    int64_t weeks = (int64_t)((left - 1) / 5);
    if (i < c->n) {
        int64_t gap = day_of_ymd(c->v[i].ymd) - day - 1;
        if (gap / 7 < weeks)
            weeks = gap / 7;
    }
    return weeks;
}

/* The `days`-th working day after `day` (day itself when days == 0). */
static int64_t nth_working_day(const calendar *c, int64_t day, unsigned days)
{
    uint64_t left = days;
    while (left > 0) {
        int64_t weeks = plain_weeks(c, day, left);
        day += 7 * weeks;
        left -= 5 * (uint64_t)weeks;
        day++;
        left -= (uint64_t)is_working(c, day);
    }
    return day;
}

int64_t calendar_due(const calendar *c, int64_t start_ms, unsigned days)
{
    if (!c) {
        int64_t span = (int64_t)days * CLOCK_DAY_MS;
        return start_ms > INT64_MAX - span ? INT64_MAX : start_ms + span;
    }
    int64_t last = nth_working_day(c, local_day(seconds_of(start_ms)), days);
    return ms_of(first_instant(last + 1));
}

int64_t calendar_add_work(const calendar *c, int64_t start_ms, int64_t work_ms, int open_min,
                          int close_min)
{
    const calendar *cal = c ? c : &empty_calendar;
    int64_t day = local_day(seconds_of(start_ms)), t = start_ms;
    if (work_ms <= 0 || open_min < 0 || close_min <= open_min || close_min > 24 * 60)
        return start_ms;
    for (int i = 0; i < 800; i++, day++) {
        if (!is_working(cal, day))
            continue;
        int64_t base = ms_of(first_instant(day));
        int64_t open = base + open_min * 60000LL, close = base + close_min * 60000LL;
        if (t < open)
            t = open;
        if (t >= close)
            continue;
        if (work_ms <= close - t)
            return t + work_ms;
        work_ms -= close - t;
        t = close;
    }
    return INT64_MAX;
}

int calendar_is_working_day(const calendar *c, int64_t ms)
{
    return is_working(c ? c : &empty_calendar, local_day(seconds_of(ms)));
}

/* ---- construction ---- */

int calendar_new(calendar **out)
{
    if (!out)
        return JF_EINVAL;
    *out = calloc(1, sizeof **out);
    return *out ? 0 : -ENOMEM;
}

void calendar_free(calendar **c)
{
    if (!c || !*c)
        return;
    free((*c)->v);
    free(*c);
    *c = NULL;
}

/* ---- loading ---- */

static void say(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t errlen, const char *fmt, ...)
{
    if (!err || errlen == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

static int fail_at(const struct src *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int fail_at(const struct src *s, const char *fmt, ...)
{
    char why[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    say(s->err, s->errlen, "%s:%d: %s", s->path, s->line, why);
    return JF_ECONFIG;
}

static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++)
        v = v * 10 + (s[i] - '0');
    return v;
}

static int days_in_month(int y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

/* Exactly YYYY-MM-DD naming a real date: sscanf would also take "+26-1-1" or "2026-1-1". */
static int parse_date(const char *s, int32_t *ymd)
{
    static const char shape[] = "dddd-dd-dd";
    for (size_t i = 0; i < sizeof shape; i++) { /* the NUL too: nothing may follow */
        int ok = shape[i] == 'd' ? isdigit((unsigned char)s[i]) : s[i] == shape[i];
        if (!ok)
            return -1;
    }
    int y = digits(s, 4), m = digits(s + 5, 2), d = digits(s + 8, 2);
    if (y < 1900 || m < 1 || m > 12 || d < 1 || d > days_in_month(y, m))
        return -1;
    *ymd = y * 10000 + m * 100 + d;
    return 0;
}

static int parse_kind(const char *word)
{
    for (int k = DAY_OFF; k <= DAY_WORK; k++)
        if (strcmp(word, kind_words[k]) == 0)
            return k;
    return -1;
}

static int append(calendar *c, const struct entry *e, const struct src *s)
{
    struct entry *v = array_room(c->v, c->n, &c->cap, sizeof *v, 64);
    if (!v) {
        say(s->err, s->errlen, "%s: out of memory", s->path);
        return -ENOMEM;
    }
    c->v = v;
    c->v[c->n++] = *e;
    return 0;
}

static int take_line(calendar *c, char *line, const struct src *s)
{
    line[strcspn(line, "#")] = '\0';
    char *save = NULL;
    char *date = strtok_r(line, BLANKS, &save);
    if (!date)
        return 0;
    char *word = strtok_r(NULL, BLANKS, &save);
    if (!word)
        return fail_at(s, "missing field: expected \"YYYY-MM-DD off|work\", got \"%.40s\"",
                       date);
    struct entry e = {.line = s->line};
    if (parse_date(date, &e.ymd) != 0)
        return fail_at(s, "bad date \"%.40s\" (expected a real date YYYY-MM-DD, 1900-9999)",
                       date);
    int kind = parse_kind(word);
    if (kind < 0)
        return fail_at(s, "unknown word \"%.40s\" (expected off or work)", word);
    e.kind = (uint8_t)kind;
    return append(c, &e, s);
}

static size_t bom_len(const char *line, int lineno)
{
    /* Windows editors save a BOM; an operator should not have to know. */
    return lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

static int read_lines(calendar *c, FILE *f, struct src *s)
{
    char *line = NULL;
    size_t cap = 0;
    int rc = 0;
    for (;;) {
        errno = 0; /* getline's -1 is EOF or an error: feof says which, errno why */
        if (getline(&line, &cap, f) < 0)
            break;
        s->line++;
        rc = take_line(c, line + bom_len(line, s->line), s);
        if (rc != 0)
            break;
    }
    if (rc == 0 && !feof(f)) {
        rc = errno ? -errno : -EIO;
        say(s->err, s->errlen, "%s: %s", s->path, strerror(-rc));
    }
    free(line);
    return rc;
}

static int entry_cmp(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    if (x->ymd != y->ymd)
        return x->ymd < y->ymd ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* Sorts the entries and folds repeated dates, so lookups can bisect. Entries of one date
 * sort by line, so a conflict is reported at the later line, naming the earlier. */
static int settle(calendar *c, struct src *s)
{
    size_t out = 0;
    if (c->n > 0)
        qsort(c->v, c->n, sizeof *c->v, entry_cmp);
    for (size_t i = 0; i < c->n; i++) {
        const struct entry *e = &c->v[i], *prev = out ? &c->v[out - 1] : NULL;
        if (prev && prev->ymd == e->ymd) {
            if (prev->kind == e->kind)
                continue;
            s->line = e->line;
            return fail_at(s, "%04d-%02d-%02d is \"%s\" here but \"%s\" on line %d",
                           (int)(e->ymd / 10000), (int)(e->ymd / 100 % 100),
                           (int)(e->ymd % 100), kind_words[e->kind], kind_words[prev->kind],
                           (int)prev->line);
        }
        c->v[out++] = *e;
    }
    c->n = out;
    return 0;
}

int calendar_load(const char *path, calendar **out, char *err, size_t errlen)
{
    if (!path || !out)
        return JF_EINVAL;
    *out = NULL;
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        say(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    struct src s = {path, 0, err, errlen};
    calendar *c = NULL;
    int rc = calendar_new(&c);
    if (rc == 0)
        rc = read_lines(c, f, &s);
    fclose(f); /* read-only: nothing is lost if closing fails */
    if (rc == 0)
        rc = settle(c, &s);
    if (rc != 0) {
        calendar_free(&c);
        return rc;
    }
    *out = c;
    return 0;
}
