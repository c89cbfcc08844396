/*
 * jiefenctl — the control tool of a Jiefen node (docs/cli.md). Each command is one entry
 * of a table {name, handler, flags}; a handler checks its arguments (a usage error never
 * reaches the daemon), makes its request through ctl_client, and prints either tables for
 * people or, with --json, the API's JSON. The exit code reflects the daemon's answer.
 */
#include "ctl_client.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum {
    EXIT_OK = 0,
    EXIT_REFUSED = 1,       /* the daemon refused (4xx); also local failures */
    EXIT_USAGE = 2,
    EXIT_UNREACHABLE = 3,   /* not running, wrong DIR, no token, connection failed */
    EXIT_PROBLEMS = 4,      /* verify found problems */
    EXIT_DAEMON = 5,        /* the daemon failed (5xx) or answered nonsense */
};

#define SUMMARY_CHARS 20
#define MAX_INPUT ((size_t)64 * 1024 * 1024)   /* a --json document; the API takes 1 MiB */

struct command;

struct ctl {
    const char *dir;        /* the node's data directory */
    int json;               /* --json: print the API's JSON */
    ctl_client *client;     /* created at start, opened on the first request */
    int opened;             /* client holds the node's address and token */
    const struct command *cmd;   /* the command running */
};

typedef int (*cmd_fn)(struct ctl *ctl, int argc, char **argv);

#define CMD_NO_ARGS 0x1u    /* takes no arguments */
#define CMD_ONE_ARG 0x2u    /* takes exactly one argument, argv[1] */

struct command {
    const char *name, *sub;   /* "case" "new"; sub NULL for one-word commands */
    cmd_fn run;               /* argv[0] is the last command word */
    unsigned flags;
    const char *args;         /* for the usage text */
};

static void usage(FILE *out);

/* ---- messages ------------------------------------------------------------------------ */

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
    va_list ap;
    fputs("jiefenctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
    va_list ap;
    fputs("jiefenctl: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputs("\n", stderr);
    usage(stderr);
    return EXIT_USAGE;
}

/* getopt_long() returned '?' or ':' (opterr is 0, so the messages are ours). */
static int bad_option(int c, char **argv)
{
    const char *arg = argv[optind - 1];
    if (c == ':')
        return usage_error("option '%s' needs a value", arg);
    if (optopt && optopt != '?' && arg[0] == '-' && arg[1] != '-')
        return usage_error("unknown option '-%c'", optopt);
    const char *eq = strchr(arg, '=');
    if (optopt && eq)   /* getopt found the option: "--all=yes" */
        return usage_error("option '%.*s' takes no value", (int)(eq - arg), arg);
    return usage_error("unknown option '%s'", arg);
}

static int out_of_memory(void)
{
    say("out of memory");
    return EXIT_REFUSED;
}

/* ---- display width ------------------------------------------------------------------- */

/* Decodes the UTF-8 sequence at s; returns its length, or 0 for a bad sequence (then
 * *cp is U+FFFD and the caller steps over one byte). Overlong forms, surrogates and code
 * points above U+10FFFF are bad, as jansson has them. */
static size_t utf8_decode(const char *s, uint32_t *cp)
{
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    const unsigned char *u = (const unsigned char *)s;
    size_t n = u[0] < 0x80 ? 1 : u[0] < 0xC2 ? 0 : u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3
             : u[0] < 0xF5 ? 4 : 0;
    *cp = 0xFFFD;
    if (n == 0)
        return 0;
    uint32_t v = n == 1 ? u[0] : u[0] & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)   /* also stops at the terminating NUL */
            return 0;
        v = v << 6 | (u[i] & 0x3Fu);
    }
    if (v < min[n] || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
        return 0;
    *cp = v;
    return n;
}

/* Steps over one code point (or one bad byte) of s, a non-empty string. */
static const char *utf8_next(const char *s, uint32_t *cp)
{
    size_t n = utf8_decode(s, cp);
    return s + (n ? n : 1);
}

static int utf8_valid(const char *s)
{
    uint32_t cp;
    for (size_t n; *s; s += n)
        if ((n = utf8_decode(s, &cp)) == 0)
            return 0;
    return 1;
}

/* Columns a code point takes in a terminal: 2 for East Asian wide and full-width
 * characters (CJK, kana, hangul, full-width forms, CJK punctuation), else 1. */
static int cp_width(uint32_t cp)
{
    static const struct { uint32_t lo, hi; } wide[] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
    };
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (cp >= wide[i].lo && cp <= wide[i].hi)
            return 2;
    return 1;
}

static size_t str_width(const char *s)
{
    size_t w = 0;
    uint32_t cp;
    while (*s) {
        s = utf8_next(s, &cp);
        w += (size_t)cp_width(cp);
    }
    return w;
}

/* A copy of s cut to at most `max` code points, the last being '…' when cut. NULL: OOM. */
static char *truncate_chars(const char *s, size_t max)
{
    static const char ellipsis[] = "\xE2\x80\xA6";   /* U+2026 */
    const char *p = s, *cut = s;
    uint32_t cp;
    size_t n = 0;
    for (; *p; n++) {
        if (n == max - 1)
            cut = p;
        p = utf8_next(p, &cp);
    }
    if (n <= max)
        return strdup(s);
    char *out = NULL;
    if (asprintf(&out, "%.*s%s", (int)(cut - s), s, ellipsis) < 0)
        return NULL;
    return out;
}

/* A copy with control characters (newlines, tabs, escapes) made spaces, so that data from
 * the daemon can neither break a table nor drive the terminal. NULL: out of memory. */
static char *clean_dup(const char *s)
{
    char *d = strdup(s ? s : "");
    for (char *p = d; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return d;
}

static void put_clean(const char *s, FILE *out)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
}

/* ---- tables -------------------------------------------------------------------------- */

struct table {
    size_t ncols, nrows, cap;
    char **cell;     /* row-major, nrows * ncols cleaned copies, owned */
    size_t *width;   /* ncols display widths: the widest cell of each column */
};

static void table_free(struct table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
    free(t->width);
    t->cell = NULL;
    t->width = NULL;
    t->nrows = t->cap = 0;
}

static void table_measure(struct table *t, char **row)
{
    for (size_t c = 0; c < t->ncols; c++) {
        size_t w = str_width(row[c]);
        t->width[c] = w > t->width[c] ? w : t->width[c];
    }
}

/* Appends a row of ncols strings (NULL or "" shows as "-"), copied. 0, or -1 out of
 * memory. */
static int table_add(struct table *t, const char *const *row)
{
    if (!t->width && !(t->width = calloc(t->ncols, sizeof *t->width)))
        return -1;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **cell = reallocarray(t->cell, cap * t->ncols, sizeof *cell);
        if (!cell)
            return -1;
        t->cell = cell, t->cap = cap;
    }
    char **r = t->cell + t->nrows * t->ncols;
    for (size_t i = 0; i < t->ncols; i++) {
        if (!(r[i] = clean_dup(row[i] && row[i][0] ? row[i] : "-"))) {
            while (i--)
                free(r[i]);
            return -1;
        }
    }
    table_measure(t, r);
    t->nrows++;
    return 0;
}

/* Prints the rows with each column but the last padded to its widest cell, two spaces
 * between columns. */
static void table_print(const struct table *t, int indent)
{
    for (size_t r = 0; r < t->nrows; r++) {
        printf("%*s", indent, "");
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cell[r * t->ncols + c];
            fputs(s, stdout);
            if (c + 1 < t->ncols)
                printf("%*s", (int)(t->width[c] - str_width(s) + 2), "");
        }
        putchar('\n');
    }
}

/* Adds "key:" "value" to a two-column table. */
static int kv(struct table *t, const char *key, const char *value)
{
    char *k = NULL;
    if (asprintf(&k, "%s:", key) < 0)
        return -1;
    const char *row[2] = {k, value};
    int rc = table_add(t, row);
    free(k);
    return rc;
}

/* Prints a table: head (ncols cells), then a row per item of list, made by row. The exit
 * code. */
static int print_rows(const json_t *list, const char *const *head, size_t ncols,
                      int (*row)(struct table *t, const json_t *item, const void *arg),
                      const void *arg)
{
    struct table t = {.ncols = ncols};
    int rc = table_add(&t, head);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        if (rc == 0)
            rc = row(&t, item, arg);
    }
    if (rc == 0)
        table_print(&t, 0);
    table_free(&t);
    return rc ? out_of_memory() : EXIT_OK;
}

/* ---- JSON fields --------------------------------------------------------------------- */

struct vocab {
    const char *code, *name;
};

static const struct vocab statuses[] = {
    {"open", "办理中"}, {"escalated", "已上报"}, {"resolved", "已化解"},
    {"closed", "已办结"}, {"guided", "已引导"}, {NULL, NULL}};
static const struct vocab risks[] = {
    {"blue", "蓝"}, {"yellow", "黄"}, {"orange", "橙"}, {"red", "红"}, {NULL, NULL}};
static const struct vocab matter_types[] = {
    {"petition", "信访事项"}, {"dispute_mediation", "纠纷调处"},
    {"legal_service", "法律服务"}, {"general_service", "综合服务"}, {NULL, NULL}};
static const struct vocab sources[] = {
    {"walk_in", "来访"}, {"grid_screening", "网格员排查"}, {"hotline_12345", "12345热线"},
    {"online", "网上受理"}, {"referral", "转交"}, {NULL, NULL}};
static const struct vocab complexities[] = {
    {"simple", "简易"}, {"complex", "复杂"}, {NULL, NULL}};
static const struct vocab roles[] = {
    {"applicant", "申请人"}, {"respondent", "被申请人"}, {"third_party", "第三人"},
    {NULL, NULL}};
static const struct vocab tiers[] = {
    {"village", "村"}, {"township", "乡镇"}, {"county", "县"}, {"city", "市"},
    {"province", "省"}, {NULL, NULL}};
static const struct vocab outcomes[] = {
    {"agreement", "调解成功"}, {"partial", "部分达成"}, {"failed", "调解不成"}, {NULL, NULL}};
static const struct vocab methods[] = {
    {"people", "人民调解"}, {"administrative", "行政调解"}, {"judicial", "司法调解"},
    {"lawyer", "律师调解"}, {"specialist", "专业性调解委员会"}, {NULL, NULL}};
static const struct vocab channels[] = {
    {"court", "法院判决"}, {"arbitration", "仲裁裁决"}, {"review", "行政复议"}, {NULL, NULL}};
static const struct vocab referrals[] = {
    {"court", "诉调对接(法院)"}, {"arbitration", "仲裁"}, {NULL, NULL}};
static const struct vocab satisfactions[] = {
    {"satisfied", "满意"}, {"basically_satisfied", "基本满意"}, {"dissatisfied", "不满意"},
    {NULL, NULL}};
static const struct vocab wheres[] = {
    {"here", "本节点办理"}, {"above", "已在上级办理"}, {"below", "在下级办理"},
    {"elsewhere", "在其他节点办理"}, {NULL, NULL}};
/* The states of an extension, and of a report (docs/ledger.md). */
static const struct vocab states[] = {
    {"pending", "待上级审批"}, {"approved", "已批准"}, {"refused", "未批准"},
    {"draft", "草稿"}, {"submitted", "已报送"}, {"accepted", "已接收"}, {"returned", "已退回"},
    {"absent", "未报送"}, {"missing", "标注缺报"}, {NULL, NULL}};
/* Case event kinds (the schema's names), how a case moved, deadline kinds, report kinds. */
static const struct vocab kinds[] = {
    {"case_opened", "受理"}, {"case_routed", "分流"}, {"case_guided", "引导"},
    {"attempt", "调解"}, {"case_moved", "移交"}, {"risk_changed", "风险调整"},
    {"leader_assigned", "领导包案"}, {"leader_ack", "签收包案"},
    {"leader_progress", "包案进展"}, {"leader_required", "需领导包案"},
    {"deadline", "期限提醒"}, {"extension_requested", "申请延期"},
    {"extension_decided", "延期审批"}, {"case_closed", "办结"}, {"follow_up", "回访"},
    {"escalate", "上报"}, {"handdown", "交办"}, {"warning", "临期预警"},
    {"overdue", "已超期"}, {"daily", "日排查"}, {"weekly", "周分析"}, {"monthly", "月研判"},
    {"ledger", "综合台账"}, {NULL, NULL}};
/* The figures of a report compared with the parent's own computation. */
static const struct vocab figures[] = {
    {"taken_in", "受理"}, {"closed", "办结"}, {"guided", "引导"}, {"petitions", "信访事项"},
    {NULL, NULL}};
/* Booleans are shown through their key's vocabulary; "" leaves a [...] part out. */
static const struct vocab confirmations[] = {
    {"true", "申请司法确认"}, {"false", ""}, {NULL, NULL}};
static const struct vocab approvals[] = {{"true", "批准"}, {"false", "不批准"}, {NULL, NULL}};
static const struct vocab automatics[] = {{"true", "自动"}, {"false", ""}, {NULL, NULL}};
static const struct vocab acks[] = {{"true", "已签收"}, {"false", "未签收"}, {NULL, NULL}};
static const struct vocab overdues[] = {{"true", "已超期"}, {"false", "未超期"}, {NULL, NULL}};
static const struct vocab leader_needs[] = {
    {"true", "需安排领导包案（3221）"}, {"false", ""}, {NULL, NULL}};
static const struct vocab lates[] = {{"true", "逾期"}, {"false", "按时"}, {NULL, NULL}};

/* The vocabulary of the values at each key, wherever the key is; of the member names when
 * the value is an object (the ledger's figures by tier). */
static const struct {
    const char *key;
    const struct vocab *vocab;
} key_vocabs[] = {
    {"status", statuses},         {"stored_status", statuses}, {"risk", risks},
    {"matter_type", matter_types}, {"source", sources},        {"complexity", complexities},
    {"tier", tiers},              {"outcome", outcomes},       {"last_outcome", outcomes},
    {"method", methods},          {"channel", channels},       {"guided_channel", channels},
    {"referral", referrals},      {"satisfaction", satisfactions}, {"where", wheres},
    {"state", states},            {"kind", kinds},             {"approved", approvals},
    {"judicial_confirmation", confirmations}, {"automatic", automatics},
    {"acknowledged", acks},       {"overdue", overdues},       {"needs_leader", leader_needs},
    {"late", lates},              {"figure", figures},         {"closed_at_tier", tiers},
    {"escalation_rate", tiers},
};

/* The Chinese name of a code, or the code itself when it is not in the vocabulary. */
static const char *vocab_name(const struct vocab *v, const char *code)
{
    for (; v->code; v++)
        if (strcmp(v->code, code) == 0)
            return v->name;
    return code;
}

/* The string at key, "" when absent or not a string. */
static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

/* The integer at key as text in buf, "-" when absent. */
static const char *jnum(const json_t *o, const char *key, char *buf, size_t len)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        snprintf(buf, len, "-");
    return buf;
}

/* The *_ms at key as local time (TZ) formatted with fmt into buf, "-" when absent. */
static const char *jtime(const json_t *o, const char *key, const char *fmt, char *buf,
                         size_t len)
{
    json_t *v = json_object_get(o, key);
    struct tm tm;
    snprintf(buf, len, "-");
    if (!json_is_integer(v))
        return buf;
    json_int_t ms = json_integer_value(v);
    time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
    if (!localtime_r(&t, &tm) || strftime(buf, len, fmt, &tm) == 0)
        snprintf(buf, len, "-");
    return buf;
}

/* ---- templates ----------------------------------------------------------------------- */

#define SHOWN_CHARS 256   /* what shown() writes in its buffer: a time, a number, a few */

/* The vocabulary of the values at `key`, NULL when it has none. */
static const struct vocab *key_vocab(const char *key)
{
    for (size_t i = 0; i < sizeof key_vocabs / sizeof key_vocabs[0]; i++)
        if (strcmp(key_vocabs[i].key, key) == 0)
            return key_vocabs[i].vocab;
    return NULL;
}

/* What people read of the value at `key` whose code (or "true"/"false") is `code`. */
static const char *shown_code(const char *key, const char *code)
{
    const struct vocab *v = key_vocab(key);
    if (v)
        return vocab_name(v, code);
    if (strcmp(code, "true") == 0 || strcmp(code, "false") == 0)
        return code[0] == 't' ? "是" : "否";
    return code;
}

/* A rate (a fraction of 1) as a percentage, "33.3%", into buf. */
static const char *percent(double rate, char *buf, size_t len)
{
    snprintf(buf, len, "%.1f%%", rate * 100);
    return buf;
}

/* Appends "name value" (a count, or a rate as a percentage) to the used bytes of buf;
 * returns the bytes used then, unchanged when it does not fit. */
static size_t member_add(char *buf, size_t len, size_t used, const char *name, const json_t *v)
{
    char num[32];
    if (json_is_real(v))
        percent(json_real_value(v), num, sizeof num);
    else if (json_is_integer(v))
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        snprintf(num, sizeof num, "-");
    int n = snprintf(buf + used, len - used, "%s%s %s", used ? "，" : "", name, num);
    if (n < 0 || (size_t)n >= len - used) {
        buf[used] = 0;
        return used;
    }
    return used + (size_t)n;
}

/* An object of counts or rates as "村 1，乡镇 50.0%" into buf: the members named in vocab
 * (may be NULL) first, by their names and in its order (tiers bottom-up), then the others. */
static const char *members_text(const json_t *o, const struct vocab *vocab, char *buf,
                                size_t len)
{
    const char *key;
    json_t *v;
    size_t used = 0;
    buf[0] = 0;
    for (const struct vocab *w = vocab; w && w->code; w++)
        if ((v = json_object_get(o, w->code)))
            used = member_add(buf, len, used, w->name, v);
    json_object_foreach((json_t *)o, key, v)
        if (!vocab || vocab_name(vocab, key) == key)   /* not in the vocabulary */
            used = member_add(buf, len, used, key, v);
    return buf;
}

/* The value at `path` of o ("leader.leader" goes through members), as people read it:
 * codes and booleans through the vocabulary of their key, a *_ms time as local time,
 * integers in decimal, reals (the API's only reals are rates) as percentages, an object as
 * members_text(). The text is a JSON string of o, a constant, or in buf. *empty: the value
 * is absent, null, "", 0 or read as "". */
static const char *shown(const json_t *o, const char *path, char *buf, size_t len, int *empty)
{
    char key[64];
    const char *p = path;
    size_t n;
    for (;;) {   /* o becomes the object holding the last member, key its name */
        n = strcspn(p, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        if (!p[n])
            break;
        o = json_object_get(o, key);
        p += n + 1;
    }
    const json_t *v = json_object_get(o, key);
    const char *s = "";
    size_t klen = strlen(key);
    if (json_is_string(v))
        s = shown_code(key, json_string_value(v));
    else if (json_is_boolean(v))
        s = shown_code(key, json_is_true(v) ? "true" : "false");
    else if (json_is_integer(v) && klen > 3 && strcmp(key + klen - 3, "_ms") == 0)
        s = json_integer_value(v) ? jtime(o, key, "%Y-%m-%d %H:%M", buf, len) : "";
    else if (json_is_integer(v))
        s = jnum(o, key, buf, len);
    else if (json_is_real(v))
        s = percent(json_real_value(v), buf, len);
    else if (json_is_object(v))
        s = members_text(v, key_vocab(key), buf, len);
    *empty = !s[0] || (json_is_integer(v) && json_integer_value(v) == 0);
    return s;
}

/* Whether a value named in tpl[0, end) is empty, as shown() says. */
static int part_empty(const char *tpl, const char *end, const json_t *o)
{
    char path[64], buf[SHOWN_CHARS];
    int empty = 0;
    for (const char *p = tpl; p < end && (p = memchr(p, '{', (size_t)(end - p))); ) {
        const char *close = strchr(p, '}');
        snprintf(path, sizeof path, "%.*s", (int)(close - p - 1), p + 1);
        shown(o, path, buf, sizeof buf, &empty);
        if (empty)
            return 1;
        p = close + 1;
    }
    return 0;
}

/* tpl filled from o: "{path}" is the value at path as shown() gives it, and a part in
 * "[...]" is left out when a value in it is empty. Templates are constants of this file:
 * braces and brackets closed, brackets not nested. Malloc'd; NULL when out of memory. */
static char *expand(const char *tpl, const json_t *o)
{
    char *s = NULL, path[64], buf[SHOWN_CHARS];
    size_t len = 0;
    int empty;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    for (const char *p = tpl; *p;) {
        if (*p == '[') {
            const char *end = strchr(p, ']');
            p = part_empty(p + 1, end, o) ? end + 1 : p + 1;
        } else if (*p == '{') {
            const char *end = strchr(p, '}');
            snprintf(path, sizeof path, "%.*s", (int)(end - p - 1), p + 1);
            fputs(shown(o, path, buf, sizeof buf, &empty), f);
            p = end + 1;
        } else if (*p++ != ']') {
            fputc(p[-1], f);
        }
    }
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* tpl expanded over each object of list, joined by sep; malloc'd, NULL when out of
 * memory. */
static char *list_text(const json_t *list, const char *tpl, const char *sep)
{
    char *s = NULL;
    size_t len = 0, i;
    json_t *o;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    int rc = 0;
    json_array_foreach(list, i, o) {
        char *one = rc ? NULL : expand(tpl, o);
        rc = rc || !one || fprintf(f, "%s%s", i ? sep : "", one) < 0;
        free(one);
    }
    if (fclose(f) != 0 || rc) {
        free(s);
        return NULL;
    }
    return s;
}

/* A line of a record shown as a two-column table: label, template, and whether the line is
 * left out when it comes out empty (else it shows "-"). */
struct line {
    const char *label, *tpl;
    int optional;
};

/* Adds the lines expanded over o to t. 0, or -1 out of memory. */
static int lines_add(struct table *t, const struct line *lines, size_t n, const json_t *o)
{
    for (size_t i = 0; i < n; i++) {
        char *v = expand(lines[i].tpl, o);
        int rc = !v || ((v[0] || !lines[i].optional) && kv(t, lines[i].label, v));
        free(v);
        if (rc)
            return -1;
    }
    return 0;
}

/* Adds a row of n cells, each a template expanded over o. 0, or -1 out of memory. */
static int template_row(struct table *t, const char *const *cells, size_t n, const json_t *o)
{
    char *cell[16] = {NULL};
    int rc = n > sizeof cell / sizeof cell[0] ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = !(cell[i] = expand(cells[i], o));
    if (rc == 0)
        rc = table_add(t, (const char *const *)cell);
    for (size_t i = 0; i < n && i < sizeof cell / sizeof cell[0]; i++)
        free(cell[i]);
    return rc;
}

/* ---- requests ------------------------------------------------------------------------ */

static int print_json(const json_t *j)
{
    if (json_dumpf(j, stdout, JSON_INDENT(2)) != 0) {
        say("cannot print the JSON (out of memory or output error)");
        return EXIT_REFUSED;
    }
    putchar('\n');
    return EXIT_OK;
}

static int connect_node(struct ctl *ctl)
{
    if (ctl->opened)
        return EXIT_OK;
    int rc = ctl_client_open(ctl->client, ctl->dir);
    if (rc) {
        say("%s", ctl_client_errmsg(ctl->client));
        return rc == -ENOMEM ? EXIT_REFUSED : EXIT_UNREACHABLE;
    }
    ctl->opened = 1;
    /* Times are shown as the node's staff read them, whatever this shell's TZ. */
    if (ctl_client_time_zone(ctl->client)) {
        setenv("TZ", ctl_client_time_zone(ctl->client), 1);
        tzset();
    }
    return EXIT_OK;
}

static int transport_failure(struct ctl *ctl, int rc)
{
    say("%s", ctl_client_errmsg(ctl->client));
    if (rc == CTL_ECONNECT || rc == CTL_ETIMEOUT)
        return EXIT_UNREACHABLE;
    return rc == CTL_EREPLY ? EXIT_DAEMON : EXIT_REFUSED;
}

/* The daemon answered with an error (or with something that is not JSON): prints its
 * message as "jiefenctl: message (field)" and returns the exit code for the status. */
static int refusal(struct ctl *ctl, long status, json_t *reply)
{
    json_t *err = json_object_get(reply, "error");
    const char *msg = jstr(err, "message"), *field = jstr(err, "field");
    if (ctl->json && reply)
        print_json(reply);
    fputs("jiefenctl: ", stderr);
    if (msg[0])
        put_clean(msg, stderr);
    else if (status >= 200 && status < 300)
        fprintf(stderr, "the reply of jiefend is not JSON (HTTP %ld)", status);
    else
        fprintf(stderr, "jiefend answered HTTP %ld", status);
    if (field[0]) {
        fputs(" (", stderr);
        put_clean(field, stderr);
        fputc(')', stderr);
    }
    fputc('\n', stderr);
    return status >= 400 && status < 500 ? EXIT_REFUSED : EXIT_DAEMON;
}

/* One request. Returns 0 and *out (a new reference) when the daemon answered 2xx with
 * JSON; otherwise prints why and returns the exit code. */
static int call(struct ctl *ctl, const char *method, const char *path, const char *body,
                size_t len, json_t **out)
{
    long status;
    json_t *reply;
    *out = NULL;
    int rc = connect_node(ctl);
    if (rc)
        return rc;
    rc = ctl_client_request(ctl->client, method, path, body, len, &status, &reply);
    if (rc)
        return transport_failure(ctl, rc);
    if (status >= 200 && status < 300 && reply) {
        *out = reply;
        return EXIT_OK;
    }
    rc = refusal(ctl, status, reply);
    json_decref(reply);
    return rc;
}

static int unexpected(const char *what)
{
    say("unexpected reply from jiefend: %s", what);
    return EXIT_DAEMON;
}

/* GETs path and prints its array member key: as JSON with --json, else with print. */
static int show_list(struct ctl *ctl, const char *path, const char *key,
                     int (*print)(const json_t *))
{
    json_t *r;
    int rc = call(ctl, "GET", path, NULL, 0, &r);
    if (rc)
        return rc;
    json_t *list = json_object_get(r, key);
    if (!json_is_array(list)) {
        char what[64];
        snprintf(what, sizeof what, "no \"%s\" array", key);
        rc = unexpected(what);
    } else {
        rc = ctl->json ? print_json(r) : print(list);
    }
    json_decref(r);
    return rc;
}

/* ---- status -------------------------------------------------------------------------- */

/* "11 (办理中 11, 已上报 0, …)", malloc'd; NULL when out of memory. */
static char *case_counts(const json_t *cases)
{
    char *s = NULL, n[24];
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    fprintf(f, "%s", jnum(cases, "total", n, sizeof n));
    const char *key, *sep = " (";
    json_t *v;
    json_object_foreach(json_object_get(cases, "by_status"), key, v) {
        fprintf(f, "%s%s %" JSON_INTEGER_FORMAT, sep, vocab_name(statuses, key),
                json_integer_value(v));
        sep = ", ";
    }
    if (sep[0] == ',')
        fputc(')', f);
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* "80.0 KiB (81920 bytes)" into buf. */
static const char *size_text(const json_t *store, char *buf, size_t len)
{
    json_t *v = json_object_get(store, "size_bytes");
    if (!json_is_integer(v))
        return "-";
    static const char *const unit[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double x = (double)json_integer_value(v);
    size_t u = 0;
    for (; x >= 1024 && u + 1 < sizeof unit / sizeof unit[0]; u++)
        x /= 1024;
    snprintf(buf, len, "%.1f %s (%" JSON_INTEGER_FORMAT " bytes)", x, unit[u],
             json_integer_value(v));
    return buf;
}

/* A duration in ms as "45 s", "3 min", "2 h 5 min" or "3 d 4 h", into buf. */
static const char *age_text(json_int_t ms, char *buf, size_t len)
{
    long long s = ms > 0 ? (long long)(ms / 1000) : 0;
    if (s < 60)
        snprintf(buf, len, "%lld s", s);
    else if (s < 3600)
        snprintf(buf, len, "%lld min", s / 60);
    else if (s < 86400)
        snprintf(buf, len, "%lld h %lld min", s / 3600, s % 3600 / 60);
    else
        snprintf(buf, len, "%lld d %lld h", s / 86400, s % 86400 / 3600);
    return buf;
}

/* jtime() for times where 0 means "never": "-" for 0 as for absent. */
static const char *jtime_set(const json_t *o, const char *key, char *buf, size_t len)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v) && json_integer_value(v) == 0)
        return snprintf(buf, len, "-"), buf;
    return jtime(o, key, "%Y-%m-%d %H:%M:%S", buf, len);
}

/* "3 (gap 2, bad_signature 1)": a link's rejected total and the reasons that are not
 * zero, malloc'd; NULL when out of memory. */
static char *rejected_text(const json_t *link)
{
    char *s = NULL, n[24];
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    fputs(jnum(link, "rejected_total", n, sizeof n), f);
    const char *key, *sep = " (";
    json_t *v;
    json_object_foreach(json_object_get(link, "rejected"), key, v) {
        if (!json_is_integer(v) || json_integer_value(v) == 0)
            continue;
        fprintf(f, "%s%s %" JSON_INTEGER_FORMAT, sep, key, json_integer_value(v));
        sep = ", ";
    }
    if (sep[0] == ',')
        fputc(')', f);
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* The parent link as rows of the status table: "c-helan, 在线 since …", endpoint, backlog
 * up with the age of the oldest event (against the daemon's clock `now`), last ack,
 * rejected. */
static int parent_rows(struct table *t, const json_t *p, json_int_t now)
{
    char since[32], ack[32], n[24], age[32];
    char *line = NULL, *backlog = NULL, *rejected = rejected_text(p);
    json_t *oldest = json_object_get(p, "backlog_up_oldest_ms");
    jtime_set(p, "since_ms", since, sizeof since);
    jtime_set(p, "last_ack_ms", ack, sizeof ack);
    jnum(p, "backlog_up", n, sizeof n);
    int rc = !rejected ||
             asprintf(&line, "%s, %s%s%s", jstr(p, "peer"),
                      json_is_true(json_object_get(p, "online")) ? "在线" : "离线",
                      since[0] != '-' ? " since " : "", since[0] != '-' ? since : "") < 0;
    if (rc == 0 && json_is_integer(oldest))
        rc = asprintf(&backlog, "%s (oldest %s old)", n,
                      age_text(now - json_integer_value(oldest), age, sizeof age)) < 0;
    else if (rc == 0)
        rc = !(backlog = strdup(n));
    if (rc == 0)
        rc = kv(t, "parent", line) || kv(t, "endpoint", jstr(p, "endpoint")) ||
             kv(t, "backlog up", backlog) ||
             kv(t, "last ack", ack[0] != '-' ? ack : "never") || kv(t, "rejected", rejected);
    free(backlog);
    free(line);
    free(rejected);
    return rc;
}

/* One row per child: peer, 在线/离线 (and 已撤销), since, last contact, backlog down,
 * rejected. */
static int child_rows(struct table *t, const json_t *children)
{
    static const char *const head[6] = {"下级", "状态", "状态起始", "最后联系", "待下发",
                                        "拒收"};
    size_t i;
    json_t *c;
    if (table_add(t, head))
        return -1;
    json_array_foreach(children, i, c) {
        char since[32], last[32], n[24];
        char *rejected = rejected_text(c);
        int online = json_is_true(json_object_get(c, "online"));
        int revoked = json_is_true(json_object_get(c, "revoked"));
        const char *row[6] = {jstr(c, "peer"),
                              revoked ? (online ? "在线 (已撤销)" : "离线 (已撤销)")
                                      : (online ? "在线" : "离线"),
                              jtime_set(c, "since_ms", since, sizeof since),
                              jtime_set(c, "last_contact_ms", last, sizeof last),
                              jnum(c, "backlog_down", n, sizeof n), rejected};
        int rc = !rejected || table_add(t, row);
        free(rejected);
        if (rc)
            return -1;
    }
    return 0;
}

static int print_status(const json_t *r)
{
    const json_t *node = json_object_get(r, "node"), *log = json_object_get(r, "log");
    const json_t *links = json_object_get(r, "links");
    const json_t *parent = json_object_get(links, "parent");
    const json_t *children = json_object_get(links, "children");
    json_t *now = json_object_get(r, "now_ms");
    char n[24], size[64];
    char *counts = case_counts(json_object_get(r, "cases"));
    struct table t = {.ncols = 2}, kids = {.ncols = 6};
    int rc = !counts || kv(&t, "node id", jstr(node, "id")) ||
             kv(&t, "name", jstr(node, "name")) || kv(&t, "tier", jstr(node, "tier")) ||
             kv(&t, "version", jstr(r, "version")) ||
             kv(&t, "log events", jnum(log, "events", n, sizeof n)) ||
             kv(&t, "head hash", jstr(log, "head_hash")) || kv(&t, "cases", counts) ||
             kv(&t, "store size", size_text(json_object_get(r, "store"), size, sizeof size));
    if (rc == 0 && json_is_object(parent))
        rc = parent_rows(&t, parent, json_is_integer(now) ? json_integer_value(now) : 0);
    else if (rc == 0 && links)
        rc = kv(&t, "parent", "none");
    if (rc == 0 && json_array_size(children))
        rc = child_rows(&kids, children);
    if (rc == 0) {
        table_print(&t, 0);
        if (kids.nrows) {
            printf("children:\n");
            table_print(&kids, 2);
        } else if (links) {
            printf("children: none\n");
        }
    }
    table_free(&kids);
    table_free(&t);
    free(counts);
    return rc ? out_of_memory() : EXIT_OK;
}

static int cmd_status(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    json_t *r;
    int rc = call(ctl, "GET", "/api/v1/status", NULL, 0, &r);
    if (rc)
        return rc;
    rc = ctl->json ? print_json(r) : print_status(r);
    json_decref(r);
    return rc;
}

/* ---- case new ------------------------------------------------------------------------ */

/* The flags of `case new` and the request fields they set. */
static const char *const new_fields[][2] = {
    {"category", "category"}, {"matter-type", "matter_type"}, {"village", "village"},
    {"source", "source"},     {"summary", "summary"},         {"complexity", "complexity"},
    {"risk", "risk"},
};
#define N_NEW_FIELDS (sizeof new_fields / sizeof new_fields[0])
#define OPT_FIELD 1000   /* getopt value of new_fields[i] is OPT_FIELD + i */

static const struct option new_opts[] = {
    {"category", required_argument, NULL, OPT_FIELD + 0},
    {"matter-type", required_argument, NULL, OPT_FIELD + 1},
    {"village", required_argument, NULL, OPT_FIELD + 2},
    {"source", required_argument, NULL, OPT_FIELD + 3},
    {"summary", required_argument, NULL, OPT_FIELD + 4},
    {"complexity", required_argument, NULL, OPT_FIELD + 5},
    {"risk", required_argument, NULL, OPT_FIELD + 6},
    {"json", required_argument, NULL, 'j'},
    {"party", required_argument, NULL, 'p'},
    {NULL, 0, NULL, 0},
};

/* --party keys and the party fields they set. */
static const char *const party_keys[][2] = {
    {"role", "role"}, {"name", "name"}, {"id", "id_number"}, {"phone", "phone"},
    {"address", "address"},
};
#define PARTY_KEYS "role, name, id, phone, address"

/* Sets o[field] to the string s; a usage error when s is not UTF-8 or given twice. */
static int set_text(json_t *o, const char *field, const char *what, const char *s)
{
    if (json_object_get(o, field))
        return usage_error("%s given twice", what);
    if (!utf8_valid(s))
        return usage_error("%s: not valid UTF-8", what);
    json_t *v = json_string(s);
    return v && json_object_set_new(o, field, v) == 0 ? 0 : out_of_memory();
}

/* One "key=value" item of --party into party. */
static int party_item(json_t *party, char *item)
{
    char *eq = strchr(item, '=');
    while (*item == ' ')
        item++;
    if (!eq)
        return usage_error("--party: '%s' is not key=value (keys: " PARTY_KEYS
                           "; a value cannot contain ',')", item);
    char *end = eq;
    while (end > item && end[-1] == ' ')
        end--;
    *end = 0;
    for (size_t i = 0; i < sizeof party_keys / sizeof party_keys[0]; i++) {
        if (strcmp(item, party_keys[i][0]) == 0) {
            char what[48];   /* the keys are short constants */
            snprintf(what, sizeof what, "--party: key '%s'", party_keys[i][0]);
            return set_text(party, party_keys[i][1], what, eq + 1);
        }
    }
    return usage_error("--party: unknown key '%s' (keys: " PARTY_KEYS
                       "; a value cannot contain ',')", item);
}

/* Parses 'role=applicant,name=张三,…' and appends the party to `parties`. */
static int parse_party(json_t *parties, const char *spec)
{
    char *copy = strdup(spec), *save = NULL;
    json_t *party = json_object();
    int rc = copy && party ? 0 : out_of_memory();
    for (char *it = rc ? NULL : strtok_r(copy, ",", &save); it && !rc;
         it = strtok_r(NULL, ",", &save))
        rc = party_item(party, it);
    if (rc == 0 && json_object_size(party) == 0)
        rc = usage_error("--party: empty");
    if (rc == 0 && json_array_append(parties, party) != 0)
        rc = out_of_memory();
    json_decref(party);
    free(copy);
    return rc;
}

/* Makes room for at least 2 more bytes in *b. 0, -ENOMEM or -EFBIG. */
static int grow(char **b, size_t *cap, size_t n)
{
    if (*cap - n >= 2)
        return 0;
    if (*cap >= MAX_INPUT)
        return -EFBIG;
    size_t ncap = *cap ? *cap * 2 : 65536;
    char *nb = realloc(*b, ncap);
    if (!nb)
        return -ENOMEM;
    *b = nb, *cap = ncap;
    return 0;
}

/* Reads a whole file ("-": stdin) into *buf (malloc'd, NUL-terminated). 0 or -errno. */
static int read_input(const char *path, char **buf, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = 0, n = 0, r = 1;
    char *b = NULL;
    int rc = f ? 0 : -errno;
    while (rc == 0 && r > 0 && (rc = grow(&b, &cap, n)) == 0) {
        errno = 0;
        r = fread(b + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0 && ferror(f))
            rc = errno ? -errno : -EIO;
    }
    if (f && f != stdin && fclose(f) != 0 && rc == 0)
        rc = -errno;
    if (rc) {
        free(b);
        return rc;
    }
    b[n] = 0;
    *buf = b, *len = n;
    return 0;
}

/* The request body of `case new --json FILE`: the file's bytes, unchanged. Whether they
 * are a good request (JSON at all) is the daemon's to say, as for any other body. */
static int body_from_file(const char *path, char **body, size_t *len)
{
    int rc = read_input(path, body, len);
    if (rc == -ENOMEM)
        return out_of_memory();
    if (rc)
        return usage_error("cannot read %s: %s", path, strerror(-rc));
    return 0;
}

struct new_args {
    const char *file;   /* --json FILE */
    json_t *req;        /* the request built from the flags */
    int flags;          /* how many field flags and --party went into req */
};

static int parse_new_args(int argc, char **argv, struct new_args *a)
{
    json_t *parties = json_array();
    int c, rc = parties ? 0 : out_of_memory();
    optind = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "+:", new_opts, NULL)) != -1) {
        if (c >= OPT_FIELD && c < OPT_FIELD + (int)N_NEW_FIELDS) {
            const char *const *f = new_fields[c - OPT_FIELD];
            char flag[32];
            snprintf(flag, sizeof flag, "--%s", f[0]);
            rc = set_text(a->req, f[1], flag, optarg);
            a->flags++;
        } else if (c == 'j') {
            rc = a->file ? usage_error("--json given twice") : 0;
            a->file = optarg;
        } else if (c == 'p') {
            rc = parse_party(parties, optarg);
            a->flags++;
        } else {
            rc = bad_option(c, argv);
        }
    }
    if (rc == 0 && optind < argc)
        rc = usage_error("case new: unexpected argument '%s'", argv[optind]);
    if (rc == 0 && json_array_size(parties) &&
        json_object_set(a->req, "parties", parties) != 0)
        rc = out_of_memory();
    json_decref(parties);
    return rc;
}

static int print_new_case(struct ctl *ctl, const json_t *r)
{
    if (ctl->json)
        return print_json(r);
    const char *id = jstr(json_object_get(r, "case"), "id");
    if (!id[0])
        return unexpected("no case id");
    put_clean(id, stdout);
    putchar('\n');
    return EXIT_OK;
}

static int cmd_case_new(struct ctl *ctl, int argc, char **argv)
{
    struct new_args a = {.req = json_object()};
    char *body = NULL;
    size_t len = 0;
    json_t *r = NULL;
    int rc = a.req ? parse_new_args(argc, argv, &a) : out_of_memory();
    if (rc == 0 && a.file && a.flags)
        rc = usage_error("case new: give --json FILE or the flags, not both");
    else if (rc == 0 && !a.file && !a.flags)
        rc = usage_error("case new: give --json FILE|- or the flags");
    if (rc == 0 && a.file)
        rc = body_from_file(a.file, &body, &len);
    else if (rc == 0 && !(body = json_dumps(a.req, JSON_COMPACT)))
        rc = out_of_memory();
    if (rc == 0 && !a.file)
        len = strlen(body);
    if (rc == 0)
        rc = call(ctl, "POST", "/api/v1/cases", body, len, &r);
    if (rc == 0)
        rc = print_new_case(ctl, r);
    json_decref(r);
    free(body);
    json_decref(a.req);
    return rc;
}

/* ---- case list ----------------------------------------------------------------------- */

static const char *const list_params[] = {"status", "category", "village", "risk",
                                          "from",   "to",       "limit"};
#define N_LIST_PARAMS (sizeof list_params / sizeof list_params[0])
#define OPT_PARAM 1000   /* getopt value of list_params[i] is OPT_PARAM + i */

static const struct option list_opts[] = {
    {"status", required_argument, NULL, OPT_PARAM + 0},
    {"category", required_argument, NULL, OPT_PARAM + 1},
    {"village", required_argument, NULL, OPT_PARAM + 2},
    {"risk", required_argument, NULL, OPT_PARAM + 3},
    {"from", required_argument, NULL, OPT_PARAM + 4},
    {"to", required_argument, NULL, OPT_PARAM + 5},
    {"limit", required_argument, NULL, OPT_PARAM + 6},
    {"after", required_argument, NULL, 'a'},
    {"all", no_argument, NULL, 'A'},
    {NULL, 0, NULL, 0},
};

struct list_args {
    const char *value[N_LIST_PARAMS];
    const char *after;
    int all;
};

/* Sets *slot to value; a usage error when the option was given before. */
static int set_once(const char **slot, const char *name, const char *value)
{
    if (*slot)
        return usage_error("--%s given twice", name);
    *slot = value;
    return 0;
}

static int parse_list_args(int argc, char **argv, struct list_args *a)
{
    int c, rc;
    optind = 0;
    while ((c = getopt_long(argc, argv, "+:", list_opts, NULL)) != -1) {
        if (c >= OPT_PARAM && c < OPT_PARAM + (int)N_LIST_PARAMS)
            rc = set_once(&a->value[c - OPT_PARAM], list_params[c - OPT_PARAM], optarg);
        else if (c == 'a')
            rc = set_once(&a->after, "after", optarg);
        else if (c == 'A')
            rc = 0, a->all = 1;
        else
            rc = bad_option(c, argv);
        if (rc)
            return rc;
    }
    if (optind < argc)
        return usage_error("case list: unexpected argument '%s'", argv[optind]);
    return 0;
}

/* Appends "?key=value" or "&key=value", the value escaped, to *path. */
static int path_add_param(struct ctl *ctl, char **path, const char *key, const char *value)
{
    char *esc = ctl_client_escape(ctl->client, value), *p = NULL;
    int ok = esc && asprintf(&p, "%s%c%s=%s", *path, strchr(*path, '?') ? '&' : '?', key,
                             esc) >= 0;
    free(esc);
    if (!ok)
        return out_of_memory();
    free(*path);
    *path = p;
    return 0;
}

/* "/api/v1/cases?status=…&…" with the filters (not `after`), malloc'd into *path. */
static int list_path(struct ctl *ctl, const struct list_args *a, char **path)
{
    if (!(*path = strdup("/api/v1/cases")))
        return out_of_memory();
    for (size_t i = 0; i < N_LIST_PARAMS; i++)
        if (a->value[i] && path_add_param(ctl, path, list_params[i], a->value[i]))
            return EXIT_REFUSED;
    return 0;
}

/* Fetches the page of `base` after `cursor` (may be NULL) into *page. */
static int get_page(struct ctl *ctl, const char *base, const char *cursor, json_t **page)
{
    char *path = strdup(base);
    int rc = path ? 0 : out_of_memory();
    if (rc == 0 && cursor)
        rc = path_add_param(ctl, &path, "after", cursor);
    if (rc == 0)
        rc = call(ctl, "GET", path, NULL, 0, page);
    free(path);
    return rc;
}

/* Fetches pages from after `after`, appending their cases to `cases`: one page, or with
 * `follow` every page until "next" is null. *last is the last page (a new reference). */
static int fetch_pages(struct ctl *ctl, const char *base, const char *after, int follow,
                       json_t *cases, json_t **last)
{
    json_t *page = NULL, *p;
    const char *cursor = after;   /* points into argv or into `page` */
    int rc;
    for (;;) {
        if ((rc = get_page(ctl, base, cursor, &p)))
            break;
        json_t *list = json_object_get(p, "cases");
        const char *next = json_string_value(json_object_get(p, "next"));
        if (!json_is_array(list))
            rc = unexpected("no \"cases\" array");
        else if (next && cursor && strcmp(next, cursor) == 0)
            rc = unexpected("\"next\" does not move on");
        else if (json_array_extend(cases, list) != 0)
            rc = out_of_memory();
        json_decref(page);
        page = p, cursor = next;
        if (rc || !follow || !cursor)
            break;
    }
    if (rc)
        json_decref(page), page = NULL;
    *last = page;
    return rc;
}

static int case_row(struct table *t, const json_t *c, const void *arg)
{
    (void)arg;
    char opened[32];
    const char *cat = jstr(c, "category_name");
    char *summary = truncate_chars(jstr(c, "summary"), SUMMARY_CHARS);
    if (!summary)
        return -1;
    const char *row[7] = {jstr(c, "id"), vocab_name(statuses, jstr(c, "status")),
                          cat[0] ? cat : jstr(c, "category"), jstr(c, "village"),
                          vocab_name(risks, jstr(c, "risk")),
                          jtime(c, "opened_ms", "%Y-%m-%d %H:%M", opened, sizeof opened),
                          summary};
    int rc = table_add(t, row);
    free(summary);
    return rc;
}

static int print_case_list(const json_t *cases)
{
    static const char *const head[7] = {"案件编号", "状态", "类别", "村",
                                        "风险",     "受理时间", "摘要"};
    return print_rows(cases, head, 7, case_row, NULL);
}

/* Prints what was fetched: the page as the API sent it, or with --all the last page
 * holding every case. */
static int print_list(struct ctl *ctl, const struct list_args *a, json_t *last, json_t *cases)
{
    const char *next = json_string_value(json_object_get(last, "next"));
    if (ctl->json && a->all && json_object_set(last, "cases", cases) != 0)
        return out_of_memory();
    int rc = ctl->json ? print_json(last) : print_case_list(cases);
    if (rc == 0 && !ctl->json && next) {
        fflush(stdout);   /* the hint goes after the table when both share a terminal */
        fputs("(more: case list --after ", stderr);
        put_clean(next, stderr);
        fputs(", or --all)\n", stderr);
    }
    return rc;
}

static int cmd_case_list(struct ctl *ctl, int argc, char **argv)
{
    struct list_args a = {{NULL}, NULL, 0};
    char *base = NULL;
    json_t *cases = json_array(), *last = NULL;
    int rc = cases ? parse_list_args(argc, argv, &a) : out_of_memory();
    if (rc == 0)
        rc = list_path(ctl, &a, &base);
    if (rc == 0)
        rc = fetch_pages(ctl, base, a.after, a.all, cases, &last);
    if (rc == 0)
        rc = print_list(ctl, &a, last, cases);
    json_decref(last);
    json_decref(cases);
    free(base);
    return rc;
}

/* ---- case show ----------------------------------------------------------------------- */

/* The lines of a case. */
static const struct line case_lines[] = {
    {"案件编号", "{id}", 0},
    {"状态", "{status}", 0},
    {"类别", "{category_name}", 0},
    {"归口部门", "{department}", 0},
    {"牵头单位", "{lead_unit}", 1},
    {"事项类型", "{matter_type}", 0},
    {"村", "{village}", 0},
    {"来源", "{source}", 0},
    {"复杂程度", "{complexity}", 0},
    {"风险", "{risk}[（{risk_official}）]", 0},
    {"摘要", "{summary}", 0},
    {"承办节点", "{holder_name}（{holder}）", 0},
    {"案件位置", "{where}", 0},
    {"承办阶段", "第 {period} 段[，{holder_since_ms} 起][，前一承办节点 {previous_holder}]", 0},
    {"受理节点", "{opened_at_node}", 0},
    {"受理时间", "{opened_ms}", 0},
    {"办理期限", "{due_ms}", 0},
    {"超期", "{overdue}", 0},
    {"调解", "[共 {attempts} 次][，本级不成 {failed_attempts_here} 次]"
             "[，最近一次{last_outcome}]", 0},
    {"上报次数", "{escalations}", 1},
    {"包案领导", "[{needs_leader}][{leader.leader}（{leader.organisation}，联络单位 "
                 "{leader.liaison_unit}）][，{leader.acknowledged}][，由 {leader.assigned_by} "
                 "安排][，进展 {leader.progress_entries} 条]", 0},
    {"延期", "[申请延长 {extension.days} 天，{extension.state}][：{extension.reason}]", 0},
    {"法定途径", "[{guided_channel}][：{guidance}]", 1},
    {"办理结果", "{result}", 1},
    {"办结", "[{closed_ms}][，{closed_at_node}]", 1},
    {"反馈", "{feedback}", 1},
    {"回访", "{satisfaction}", 1},
    {"更新时间", "{updated_ms}", 0},
    {"当事人数", "{party_count}", 0},
    {"事件数", "{event_count}", 0},
};

static int party_rows(struct table *t, const json_t *parties)
{
    static const char *const head[5] = {"角色", "姓名", "身份证号码", "电话", "住址"};
    size_t i;
    json_t *p;
    if (table_add(t, head))
        return -1;
    json_array_foreach(parties, i, p) {
        const char *row[5] = {vocab_name(roles, jstr(p, "role")), jstr(p, "name"),
                              jstr(p, "id_number"), jstr(p, "phone"), jstr(p, "address")};
        if (table_add(t, row))
            return -1;
    }
    return 0;
}

#define DETAILS_CHARS 40

/* What the history shows of each kind of event: a template over its "details". */
static const char *const detail_templates[][2] = {
    {"case_opened", "{summary}"},
    {"case_routed", "{reason}[（归口 {department}）][（牵头 {lead_unit}）]"},
    {"case_guided", "{channel}：{guidance}"},
    {"attempt", "{outcome}，{mediator}，{method}[，{judicial_confirmation}][，转{referral}]"
                "[：{agreement}][（{note}）]"},
    {"case_moved", "[{automatic}]{kind} {from} → {to}：{reason}"},
    {"risk_changed", "{risk}：{reason}"},
    {"leader_assigned", "{leader}，{organisation}，联络单位 {liaison_unit}"},
    {"leader_ack", "{note}"},
    {"leader_progress", "{text}"},
    {"leader_required", "{reason}"},
    {"deadline", "{kind}：期限 {due_ms}"},
    {"extension_requested", "延长 {days} 天：{reason}"},
    {"extension_decided", "{approved}[，期限延至 {new_due_ms}][：{reason}]"},
    {"case_closed", "{result}[（交回 {return_to} 回访）]"},
    {"follow_up", "{satisfaction}[：{note}]"},
};

/* The details of a history entry in a few words, malloc'd; NULL when out of memory. */
static char *details_text(const json_t *h)
{
    const char *kind = jstr(h, "kind");
    for (size_t i = 0; i < sizeof detail_templates / sizeof detail_templates[0]; i++) {
        if (strcmp(detail_templates[i][0], kind) != 0)
            continue;
        char *full = expand(detail_templates[i][1], json_object_get(h, "details"));
        char *cut = full ? truncate_chars(full, DETAILS_CHARS) : NULL;
        free(full);
        return cut;
    }
    return strdup("");
}

static int history_rows(struct table *t, const json_t *history)
{
    static const char *const head[7] = {"时间", "级别", "节点", "操作人", "事件", "内容",
                                        "签名"};
    size_t i;
    json_t *h;
    if (table_add(t, head))
        return -1;
    json_array_foreach(history, i, h) {
        char when[32];
        char *details = details_text(h);
        json_t *ok = json_object_get(h, "signature_ok");
        const char *name = jstr(h, "origin_name");
        const char *row[7] = {jtime(h, "time_ms", "%Y-%m-%d %H:%M:%S", when, sizeof when),
                              vocab_name(tiers, jstr(h, "tier")),
                              name[0] ? name : jstr(h, "origin"), jstr(h, "actor"),
                              vocab_name(kinds, jstr(h, "kind")), details,
                              json_is_true(ok) ? "✓" : json_is_false(ok) ? "✗" : "?"};
        int rc = !details || table_add(t, row);
        free(details);
        if (rc)
            return -1;
    }
    return 0;
}

static int print_case_file(const json_t *r)
{
    struct table fields = {.ncols = 2}, parties = {.ncols = 5}, history = {.ncols = 7};
    int rc = lines_add(&fields, case_lines, sizeof case_lines / sizeof case_lines[0],
                       json_object_get(r, "case")) ||
             party_rows(&parties, json_object_get(r, "parties")) ||
             history_rows(&history, json_object_get(r, "history"));
    if (rc == 0) {
        table_print(&fields, 0);
        printf("\n当事人:\n");
        table_print(&parties, 2);
        printf("\n历史:\n");
        table_print(&history, 2);
    }
    table_free(&history);
    table_free(&parties);
    table_free(&fields);
    return rc ? out_of_memory() : EXIT_OK;
}

static int cmd_case_show(struct ctl *ctl, int argc, char **argv)
{
    (void)argc;
    char *esc = ctl_client_escape(ctl->client, argv[1]), *path = NULL;
    json_t *r = NULL;
    int rc = esc && asprintf(&path, "/api/v1/cases/%s", esc) >= 0 ? 0 : out_of_memory();
    if (rc == 0)
        rc = call(ctl, "GET", path, NULL, 0, &r);
    if (rc == 0)
        rc = ctl->json ? print_json(r) : print_case_file(r);
    json_decref(r);
    free(path);
    free(esc);
    return rc;
}

/* ---- verify -------------------------------------------------------------------------- */

static void print_problem(const json_t *p)
{
    char seq[24];
    const char *c = jstr(p, "case"), *origin = jstr(p, "origin");
    if (c[0]) {
        fputs("case ", stdout);
        put_clean(c, stdout);
        fputs(origin[0] ? ", " : ": ", stdout);
    }
    if (origin[0]) {
        fputs("event ", stdout);
        put_clean(origin, stdout);
        printf("/%s: ", jnum(p, "seq", seq, sizeof seq));
    }
    put_clean(jstr(p, "problem"), stdout);
    putchar('\n');
}

static void print_verify(const json_t *r, int ok)
{
    char ev[24], cs[24];
    json_t *problems = json_object_get(r, "problems"), *count;
    jnum(r, "events_checked", ev, sizeof ev);
    jnum(r, "cases_checked", cs, sizeof cs);
    if (ok) {
        printf("ok: %s events, %s cases\n", ev, cs);
        return;
    }
    size_t i, listed = json_array_size(problems);
    json_t *p;
    json_array_foreach(problems, i, p)
        print_problem(p);
    count = json_object_get(r, "problem_count");
    json_int_t total = json_is_integer(count) ? json_integer_value(count) : (json_int_t)listed;
    printf("%" JSON_INTEGER_FORMAT " problem%s in %s events, %s cases", total,
           total == 1 ? "" : "s", ev, cs);
    if ((json_int_t)listed < total)
        printf(" (first %zu listed)", listed);
    putchar('\n');
}

static int cmd_verify(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    json_t *r;
    int rc = call(ctl, "POST", "/api/v1/verify", NULL, 0, &r);
    if (rc)
        return rc;
    json_t *ok = json_object_get(r, "ok");
    if (!json_is_boolean(ok))
        rc = unexpected("no \"ok\"");
    else if (ctl->json)
        rc = print_json(r);
    else
        print_verify(r, json_is_true(ok));
    if (rc == 0 && json_is_false(ok))
        rc = EXIT_PROBLEMS;
    json_decref(r);
    return rc;
}

/* ---- the tier network: arguments ----------------------------------------------------- */

static const struct vocab relations[] = {
    {"self", "本节点"}, {"ancestor", "上级"}, {"descendant", "下级"}, {"other", "其他"},
    {NULL, NULL}};
static const struct vocab directive_kinds[] = {
    {"supervise", "督办"}, {"screening", "排查"}, {"notice", "通知"}, {NULL, NULL}};

/* What the options of the network commands set; each command takes some of them. */
struct net_args {
    const char *pos;        /* the positional argument (FILE, NODE, ID), if any */
    const char *out, *endpoint, *reason, *note, *kind, *title, *body, *case_id;
    json_t *to;             /* --to NODE, repeated: an array, NULL until the first */
    int subtree, all;
};

static const struct option no_opts[] = {{NULL, 0, NULL, 0}};
static const struct option out_opts[] = {
    {"out", required_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
static const struct option approve_opts[] = {
    {"endpoint", required_argument, NULL, 'e'}, {"out", required_argument, NULL, 'o'},
    {NULL, 0, NULL, 0}};
static const struct option revoke_opts[] = {
    {"reason", required_argument, NULL, 'r'}, {NULL, 0, NULL, 0}};
static const struct option ack_opts[] = {
    {"note", required_argument, NULL, 'n'}, {NULL, 0, NULL, 0}};
static const struct option send_opts[] = {
    {"to", required_argument, NULL, 'T'},   {"subtree", no_argument, NULL, 's'},
    {"all", no_argument, NULL, 'a'},        {"kind", required_argument, NULL, 'k'},
    {"title", required_argument, NULL, 't'}, {"body", required_argument, NULL, 'b'},
    {"case", required_argument, NULL, 'c'}, {NULL, 0, NULL, 0}};

/* A text argument that goes into JSON must be UTF-8. */
static int check_text(const char *what, const char *s)
{
    return utf8_valid(s) ? 0 : usage_error("%s: not valid UTF-8", what);
}

/* Sets the text option *slot once, as UTF-8. */
static int set_text_once(const char **slot, const char *name, const char *value)
{
    char what[16];
    snprintf(what, sizeof what, "--%s", name);
    return set_once(slot, name, value) || check_text(what, value) ? EXIT_USAGE : 0;
}

static int add_target(struct net_args *a, const char *node)
{
    if (check_text("--to", node))
        return EXIT_USAGE;
    if (!a->to && !(a->to = json_array()))
        return out_of_memory();
    return json_array_append_new(a->to, json_string(node)) ? out_of_memory() : 0;
}

static int net_option(struct net_args *a, int c, char **argv)
{
    switch (c) {
    case 'o': return set_once(&a->out, "out", optarg);
    case 'e': return set_text_once(&a->endpoint, "endpoint", optarg);
    case 'r': return set_text_once(&a->reason, "reason", optarg);
    case 'n': return set_text_once(&a->note, "note", optarg);
    case 'k': return set_text_once(&a->kind, "kind", optarg);
    case 't': return set_text_once(&a->title, "title", optarg);
    case 'b': return set_text_once(&a->body, "body", optarg);
    case 'c': return set_text_once(&a->case_id, "case", optarg);
    case 'T': return add_target(a, optarg);
    case 's': a->subtree = 1; return 0;
    case 'a': a->all = 1; return 0;
    default: return bad_option(c, argv);
    }
}

/* Takes one option (getopt's value c, its value in optarg) into arg; the exit code. */
typedef int (*option_fn)(void *arg, int c, char **argv);

/* Parses the arguments of the command `name` (argv[0] is its last word): the options
 * `opts` in any order, each handed to take(), and, when `pos` names one ("FILE"), exactly
 * one positional argument into *posval, which may come before, between or after the
 * options ("--" ends them, so a positional may start with '-'; "-" alone is one). Usage
 * errors are printed. */
static int parse_args(int argc, char **argv, const char *name, const struct option *opts,
                      const char *pos, const char **posval, option_fn take, void *arg)
{
    int c, rc = 0, rest = 0;
    optind = 0;
    while (rc == 0) {
        /* "-": getopt returns each non-option as the option 1, in order. After "--" it
         * returns -1 with optind on the rest, which must not be parsed again. */
        c = rest ? -1 : getopt_long(argc, argv, "-:", opts, NULL);
        if (c == -1 && optind < argc)
            rest = 1, c = 1, optarg = argv[optind++];
        if (c == -1)
            break;
        if (c != 1)
            rc = take(arg, c, argv);
        else if (!pos || *posval)
            rc = usage_error("%s: unexpected argument '%s'", name, optarg);
        else
            *posval = optarg;
    }
    if (rc == 0 && pos && !*posval)
        rc = usage_error("%s needs %s", name, pos);
    return rc;
}

static int take_net_option(void *arg, int c, char **argv)
{
    return net_option(arg, c, argv);
}

/* parse_args() for the network commands: the options set fields of *a. */
static int parse_net_args(int argc, char **argv, const char *name, const struct option *opts,
                          const char *pos, struct net_args *a)
{
    return parse_args(argc, argv, name, opts, pos, &a->pos, take_net_option, a);
}

/* ---- the tier network: files --------------------------------------------------------- */

/* The text of a file (a path, or "-" for stdin: an armoured file, an analysis) into *text,
 * malloc'd. One that cannot be read, or is not UTF-8 text, is a usage error naming it. */
static int read_text(const char *path, char **text)
{
    size_t len;
    int rc = body_from_file(path, text, &len);
    if (rc)
        return rc;
    if (memchr(*text, 0, len) || !utf8_valid(*text)) {
        free(*text);
        *text = NULL;
        return usage_error("%s is not a text file", path);
    }
    return 0;
}

/* Where --out puts the armoured text the daemon answers: a file, or stdout (no --out, or
 * "-"). The file is opened before the request, so that one that cannot be written is a
 * usage error while nothing has changed; it is emptied and written only once the text is
 * there, and removed again when it was created for a request that failed. */
struct out_file {
    const char *path;
    int fd;         /* -1: stdout */
    int created;    /* the file did not exist before */
};

static int out_open(struct out_file *o, const char *path)
{
    *o = (struct out_file){path, -1, 0};
    if (!path || strcmp(path, "-") == 0)
        return 0;
    o->fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    o->created = o->fd >= 0;
    if (o->fd < 0 && errno == EEXIST)
        o->fd = open(path, O_WRONLY | O_CLOEXEC);
    if (o->fd < 0)
        return usage_error("cannot write %s: %s", path, strerror(errno));
    return 0;
}

/* Closes a file that was not written, removing it if this run created it. */
static void out_abandon(struct out_file *o)
{
    if (o->fd < 0)
        return;
    close(o->fd);
    o->fd = -1;
    if (o->created)
        unlink(o->path);
}

static int write_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, s, len);
        if (n < 0 && errno != EINTR)
            return -errno;
        if (n > 0)
            s += n, len -= (size_t)n;
    }
    return 0;
}

/* Replaces the file's content with text (exactly) and closes it. The daemon has already
 * done what it was asked (an approval cannot be repeated: the id is taken), so when the
 * file cannot be written the text goes to stdout rather than being lost. */
static int out_write(struct out_file *o, const char *text)
{
    struct stat st;
    int fd = o->fd, rc = 0;
    o->fd = -1;
    memset(&st, 0, sizeof st);
    if (fstat(fd, &st) != 0 || (S_ISREG(st.st_mode) && ftruncate(fd, 0) != 0))
        rc = -errno;
    if (rc == 0)
        rc = write_all(fd, text, strlen(text));
    if (rc == 0 && S_ISREG(st.st_mode) && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0)
        return EXIT_OK;
    say("cannot write %s: %s; here is what it was to hold:", o->path, strerror(-rc));
    fputs(text, stdout);
    return EXIT_REFUSED;
}

/* Puts the armoured text at `key` of the reply where --out says (with --json on stdout
 * only as part of the JSON), then the JSON with --json. */
static int emit_armour(struct ctl *ctl, const json_t *r, const char *key, struct out_file *o)
{
    const char *text = json_string_value(json_object_get(r, key));
    if (!text) {
        char what[32];
        snprintf(what, sizeof what, "no \"%s\"", key);
        return unexpected(what);
    }
    int rc = EXIT_OK;
    if (o->fd >= 0)
        rc = out_write(o, text);
    else if (!ctl->json)
        fputs(text, stdout);
    if (ctl->json) {
        int jrc = print_json(r);
        rc = rc ? rc : jrc;
    }
    return rc;
}

/* ---- the tier network: requests ------------------------------------------------------ */

/* POSTs req (NULL: an empty object) to path; *r as call() gives it. The body is wiped
 * afterwards: it may hold a password. */
static int post(struct ctl *ctl, const char *path, const json_t *req, json_t **r)
{
    char *body = req ? json_dumps(req, JSON_COMPACT) : strdup("{}");
    *r = NULL;
    if (!body)
        return out_of_memory();
    int rc = call(ctl, "POST", path, body, strlen(body), r);
    explicit_bzero(body, strlen(body));
    free(body);
    return rc;
}

/* Sets o[key] to the string value unless value is NULL. 0, or -1 out of memory. */
static int req_set(json_t *o, const char *key, const char *value)
{
    return value && json_object_set_new(o, key, json_string(value)) != 0 ? -1 : 0;
}

/* Prints one line of confirmation (cleaned, it comes from the daemon), or with --json the
 * reply. */
static int confirm(struct ctl *ctl, const json_t *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int confirm(struct ctl *ctl, const json_t *r, const char *fmt, ...)
{
    if (ctl->json)
        return print_json(r);
    char *line = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return out_of_memory();
    put_clean(line, stdout);
    putchar('\n');
    free(line);
    return EXIT_OK;
}

/* Posts {key: value, ...} (kv holds n strings, pairs; NULL values are left out) and
 * confirms with "WHAT: <the reply's `echo` field>". The shape of every small command. */
static int post_fields(struct ctl *ctl, const char *path, const char *const *kv, size_t n,
                       const char *what, const char *echo)
{
    json_t *req = json_object(), *r = NULL;
    int rc = req ? 0 : out_of_memory();
    for (size_t i = 0; rc == 0 && i + 1 < n; i += 2)
        if (req_set(req, kv[i], kv[i + 1]))
            rc = out_of_memory();
    if (rc == 0)
        rc = post(ctl, path, req, &r);
    if (rc == 0)
        rc = confirm(ctl, r, "%s: %s", what, jstr(r, echo));
    json_decref(r);
    json_decref(req);
    return rc;
}

/* ---- enrol --------------------------------------------------------------------------- */

static int cmd_enrol_root(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    json_t *r;
    int rc = post(ctl, "/api/v1/enrol/root", NULL, &r);
    if (rc == 0)
        rc = confirm(ctl, r, "%s is the root of the tree now", jstr(r, "node_id"));
    json_decref(r);
    return rc;
}

static int cmd_enrol_request(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    struct out_file o = {NULL, -1, 0};
    json_t *r = NULL;
    int rc = parse_net_args(argc, argv, "enrol request", out_opts, NULL, &a);
    if (rc == 0)
        rc = out_open(&o, a.out);
    if (rc == 0)
        rc = post(ctl, "/api/v1/enrol/request", NULL, &r);
    if (rc == 0)
        rc = emit_armour(ctl, r, "request", &o);
    if (rc == 0 && o.path && !ctl->json && strcmp(o.path, "-") != 0)
        rc = confirm(ctl, r, "enrolment request of %s (%s) written to %s", jstr(r, "node_id"),
                     jstr(r, "tier"), o.path);
    out_abandon(&o);
    json_decref(r);
    return rc;
}

static int cmd_enrol_approve(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    struct out_file o = {NULL, -1, 0};
    char *text = NULL;
    json_t *req = json_object(), *r = NULL;
    int rc = req ? parse_net_args(argc, argv, "enrol approve", approve_opts, "FILE", &a)
                 : out_of_memory();
    if (rc == 0)
        rc = read_text(a.pos, &text);
    if (rc == 0)
        rc = out_open(&o, a.out);
    if (rc == 0 && (req_set(req, "request", text) || req_set(req, "endpoint", a.endpoint)))
        rc = out_of_memory();
    if (rc == 0)
        rc = post(ctl, "/api/v1/enrol/approve", req, &r);
    if (rc == 0)
        rc = emit_armour(ctl, r, "bundle", &o);
    if (rc == 0 && o.path && !ctl->json && strcmp(o.path, "-") != 0)
        rc = confirm(ctl, r, "bundle for %s written to %s (it will connect to %s)",
                     jstr(r, "node_id"), o.path, jstr(r, "endpoint"));
    out_abandon(&o);
    json_decref(r);
    json_decref(req);
    free(text);
    return rc;
}

static int cmd_enrol_install(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    char *text = NULL;
    json_t *req = json_object(), *r = NULL;
    int rc = req ? parse_net_args(argc, argv, "enrol install", no_opts, "FILE", &a)
                 : out_of_memory();
    if (rc == 0)
        rc = read_text(a.pos, &text);
    if (rc == 0 && req_set(req, "bundle", text))
        rc = out_of_memory();
    if (rc == 0)
        rc = post(ctl, "/api/v1/enrol/install", req, &r);
    if (rc == 0)
        rc = confirm(ctl, r, "enrolled under %s; connecting to %s", jstr(r, "parent"),
                     jstr(r, "endpoint"));
    json_decref(r);
    json_decref(req);
    free(text);
    return rc;
}

static int cmd_enrol_revoke(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    int rc = parse_net_args(argc, argv, "enrol revoke", revoke_opts, "NODE", &a);
    if (rc == 0)
        rc = check_text("NODE", a.pos);
    const char *kv[] = {"node_id", a.pos, "reason", a.reason};
    return rc ? rc : post_fields(ctl, "/api/v1/enrol/revoke", kv, 4, "revoked", "node_id");
}

/* ---- nodes --------------------------------------------------------------------------- */

static int node_row(struct table *t, const json_t *n, const void *arg)
{
    (void)arg;
    const char *row[6] = {jstr(n, "id"), jstr(n, "name"), vocab_name(tiers, jstr(n, "tier")),
                          jstr(n, "parent"), vocab_name(relations, jstr(n, "relation")),
                          json_is_true(json_object_get(n, "revoked")) ? "已撤销" : "正常"};
    return table_add(t, row);
}

static int print_nodes(const json_t *nodes)
{
    static const char *const head[6] = {"编号", "名称", "级别", "上级", "关系", "状态"};
    return print_rows(nodes, head, 6, node_row, NULL);
}

static int cmd_nodes(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    return show_list(ctl, "/api/v1/nodes", "nodes", print_nodes);
}

/* ---- directives ---------------------------------------------------------------------- */

/* Checks how the addressees are given: --to (with or without --subtree), or --all. */
static int check_send_args(const struct net_args *a)
{
    if (a->all && a->to)
        return usage_error("directive send: give --to NODE or --all, not both");
    if (!a->all && !a->to)
        return usage_error("directive send needs --to NODE (repeatable) or --all");
    if (a->all && a->subtree)
        return usage_error("directive send: --subtree goes with --to (--all is the whole "
                           "subtree)");
    if (!a->kind)
        return usage_error("directive send needs --kind supervise|screening|notice");
    if (!a->title)
        return usage_error("directive send needs --title TEXT");
    return 0;
}

static json_t *send_request(const struct net_args *a)
{
    json_t *req = json_object();
    json_t *to = a->all ? json_string("all") : json_incref(a->to);
    int bad = !req || json_object_set_new(req, "to", to) ||
              (a->subtree && json_object_set_new(req, "subtree", json_true())) ||
              req_set(req, "kind", a->kind) || req_set(req, "title", a->title) ||
              req_set(req, "body", a->body) || req_set(req, "case_id", a->case_id);
    if (bad)
        json_decref(req), req = NULL;
    return req;
}

static int cmd_directive_send(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    json_t *req = NULL, *r = NULL;
    int rc = parse_net_args(argc, argv, "directive send", send_opts, NULL, &a);
    if (rc == 0)
        rc = check_send_args(&a);
    if (rc == 0 && !(req = send_request(&a)))
        rc = out_of_memory();
    if (rc == 0)
        rc = post(ctl, "/api/v1/directives", req, &r);
    if (rc == 0)
        rc = confirm(ctl, r, "%s", jstr(json_object_get(r, "directive"), "id"));
    json_decref(r);
    json_decref(req);
    json_decref(a.to);
    return rc;
}

/* The node ids of a list, comma-separated: the strings of `list`, or the "node" of each
 * of its objects. Malloc'd; NULL when out of memory. */
static char *id_list(const json_t *list)
{
    char *s = NULL;
    size_t len = 0, i;
    json_t *v;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    json_array_foreach(list, i, v) {
        const char *id = json_is_string(v) ? json_string_value(v) : jstr(v, "node");
        fprintf(f, "%s%s", i ? "," : "", id);
    }
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* A directive this node must still acknowledge: addressed to it, and `me` pending. */
static int awaits_me(const json_t *d, const char *me)
{
    size_t i;
    json_t *v;
    if (!json_is_true(json_object_get(d, "addressed_to_me")))
        return 0;
    json_array_foreach(json_object_get(d, "pending"), i, v)
        if (me && json_is_string(v) && strcmp(json_string_value(v), me) == 0)
            return 1;
    return 0;
}

static int directive_row(struct table *t, const json_t *d, const void *arg)
{
    const char *me = arg;
    char when[32];
    char *id = NULL, *title = truncate_chars(jstr(d, "title"), SUMMARY_CHARS);
    char *acks = id_list(json_object_get(d, "acks"));
    char *pending = id_list(json_object_get(d, "pending"));
    int rc = !title || !acks || !pending ||
             asprintf(&id, "%s %s", awaits_me(d, me) ? "*" : " ", jstr(d, "id")) < 0;
    if (rc == 0) {
        const char *row[7] = {id, vocab_name(directive_kinds, jstr(d, "kind")), title,
                              jstr(d, "origin"),
                              jtime(d, "time_ms", "%Y-%m-%d %H:%M", when, sizeof when), acks,
                              pending};
        rc = table_add(t, row);
    }
    free(id);
    free(pending);
    free(acks);
    free(title);
    return rc;
}

/* The table of directives; those this node must still acknowledge are marked '*'. */
static int print_directives(const json_t *list, const char *me)
{
    static const char *const head[7] = {"  编号", "类型", "标题", "来源", "时间", "已签收",
                                        "未签收"};
    int rc = print_rows(list, head, 7, directive_row, me), marked = 0;
    size_t i;
    json_t *d;
    json_array_foreach(list, i, d) {
        marked |= awaits_me(d, me);
    }
    if (rc == EXIT_OK && marked)
        printf("* 待本节点签收: jiefenctl directive ack ID [--note TEXT]\n");
    return rc;
}

/* This node's id, from status, into *status (which holds it); only needed when some
 * directive is addressed to this node. */
static int own_id(struct ctl *ctl, const json_t *list, json_t **status, const char **me)
{
    size_t i;
    json_t *d;
    *status = NULL, *me = NULL;
    json_array_foreach(list, i, d) {
        if (!json_is_true(json_object_get(d, "addressed_to_me")))
            continue;
        int rc = call(ctl, "GET", "/api/v1/status", NULL, 0, status);
        if (rc == 0)
            *me = jstr(json_object_get(*status, "node"), "id");
        return rc;
    }
    return 0;
}

static int cmd_directive_list(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    json_t *r, *status = NULL;
    const char *me = NULL;
    int rc = call(ctl, "GET", "/api/v1/directives", NULL, 0, &r);
    if (rc)
        return rc;
    json_t *list = json_object_get(r, "directives");
    if (!json_is_array(list))
        rc = unexpected("no \"directives\" array");
    else if (ctl->json)
        rc = print_json(r);
    else if ((rc = own_id(ctl, list, &status, &me)) == 0)
        rc = print_directives(list, me);
    json_decref(status);
    json_decref(r);
    return rc;
}

static int cmd_directive_ack(struct ctl *ctl, int argc, char **argv)
{
    struct net_args a = {0};
    int rc = parse_net_args(argc, argv, "directive ack", ack_opts, "ID", &a);
    if (rc == 0)
        rc = check_text("ID", a.pos);
    const char *kv[] = {"id", a.pos, "note", a.note};
    return rc ? rc : post_fields(ctl, "/api/v1/directives/ack", kv, 4, "acknowledged", "id");
}

/* ---- link ---------------------------------------------------------------------------- */

static int cmd_link_clear_quarantine(struct ctl *ctl, int argc, char **argv)
{
    (void)argc;
    int rc = check_text("ORIGIN", argv[1]);
    const char *kv[] = {"origin", argv[1]};
    return rc ? rc
              : post_fields(ctl, "/api/v1/links/clear-quarantine", kv, 2, "quarantine cleared",
                            "origin");
}

/* ---- users --------------------------------------------------------------------------- */

#define PASSWORD_LINE 1024   /* the daemon takes up to 256 bytes; it says so when longer */

struct user_args {
    const char *pos, *role, *name;
    int password_stdin;
};

static const struct option user_add_opts[] = {
    {"role", required_argument, NULL, 'r'}, {"name", required_argument, NULL, 'n'},
    {"password-stdin", no_argument, NULL, 'p'}, {NULL, 0, NULL, 0}};
static const struct option user_passwd_opts[] = {
    {"password-stdin", no_argument, NULL, 'p'}, {NULL, 0, NULL, 0}};

static int take_user_option(void *arg, int c, char **argv)
{
    struct user_args *a = arg;
    switch (c) {
    case 'r': return set_text_once(&a->role, "role", optarg);
    case 'n': return set_text_once(&a->name, "name", optarg);
    case 'p': a->password_stdin = 1; return 0;
    default: return bad_option(c, argv);
    }
}

/* One line of f into buf (len bytes) without its end of line. 0, or -1 when there is none
 * or it does not fit. */
static int read_line(FILE *f, char *buf, size_t len)
{
    if (!fgets(buf, (int)len, f))
        return -1;
    size_t n = strcspn(buf, "\r\n");
    if (!buf[n] && !feof(f))
        return -1;
    buf[n] = 0;
    return 0;
}

/* Asks at the terminal with echo off. 0, or -1. Echo goes off (dropping anything typed
 * ahead) before the prompt shows, so nothing typed after seeing it can be lost. */
static int ask_hidden(FILE *tty, const char *prompt, char *buf, size_t len)
{
    struct termios old, quiet;
    int fd = fileno(tty);
    if (tcgetattr(fd, &old) != 0)
        return -1;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
        return -1;
    fputs(prompt, tty);
    fflush(tty);
    int rc = read_line(tty, buf, len);
    tcsetattr(fd, TCSANOW, &old);
    fputc('\n', tty);
    return rc;
}

/* The new password into buf: the first line of standard input with --password-stdin, else
 * typed twice at the terminal without echo. The exit code. */
static int read_password(int from_stdin, char *buf, size_t len)
{
    char again[PASSWORD_LINE];
    if (from_stdin)
        return read_line(stdin, buf, len) == 0
                   ? EXIT_OK
                   : usage_error("--password-stdin: no password line on standard input");
    FILE *tty = fopen("/dev/tty", "r+e");
    if (!tty)
        return usage_error("no terminal to type the password at: give it on standard input "
                           "with --password-stdin");
    int rc = EXIT_OK;
    if (ask_hidden(tty, "新密码：", buf, len) || ask_hidden(tty, "再次输入新密码：", again,
                                                          sizeof again)) {
        say("cannot read the password at the terminal");
        rc = EXIT_REFUSED;
    } else if (strcmp(buf, again) != 0) {
        say("两次输入的密码不一致，未作修改");
        rc = EXIT_REFUSED;
    }
    explicit_bzero(again, sizeof again);
    fclose(tty);
    return rc;
}

/* "/api/v1/users/USER/VERB" with USER escaped, malloc'd; NULL when out of memory. */
static char *user_path(struct ctl *ctl, const char *user, const char *verb)
{
    char *esc = ctl_client_escape(ctl->client, user), *path = NULL;
    if (esc && asprintf(&path, "/api/v1/users/%s/%s", esc, verb) < 0)
        path = NULL;
    free(esc);
    return path;
}

/* Posts req to path and confirms with fmt filled with the reply's user name, name and role
 * name (in that order). */
static int post_user(struct ctl *ctl, const char *path, const json_t *req, const char *fmt)
{
    json_t *r = NULL;
    int rc = post(ctl, path, req, &r);
    if (rc == 0) {
        const json_t *u = json_object_get(r, "user");
        rc = confirm(ctl, r, fmt, jstr(u, "user"), jstr(u, "name"), jstr(u, "role_name"));
    }
    json_decref(r);
    return rc;
}

static int cmd_user_add(struct ctl *ctl, int argc, char **argv)
{
    struct user_args a = {0};
    char pw[PASSWORD_LINE];
    json_t *req = NULL;
    int rc = parse_args(argc, argv, "user add", user_add_opts, "USER", &a.pos, take_user_option,
                        &a);
    if (rc == 0 && !a.role)
        rc = usage_error("user add needs --role clerk|mediator|director|leader|admin");
    if (rc == 0)
        rc = check_text("USER", a.pos);
    if (rc == 0)
        rc = read_password(a.password_stdin, pw, sizeof pw);
    if (rc == 0 && (!(req = json_object()) || req_set(req, "user", a.pos) ||
                    req_set(req, "role", a.role) || req_set(req, "name", a.name) ||
                    req_set(req, "password", pw)))
        rc = out_of_memory();
    if (rc == 0)
        rc = post_user(ctl, "/api/v1/users", req, "已添加用户 %s（%s，%s）");
    explicit_bzero(pw, sizeof pw);
    json_decref(req);
    return rc;
}

static int cmd_user_passwd(struct ctl *ctl, int argc, char **argv)
{
    struct user_args a = {0};
    char pw[PASSWORD_LINE], *path = NULL;
    json_t *req = NULL;
    int rc = parse_args(argc, argv, "user passwd", user_passwd_opts, "USER", &a.pos,
                        take_user_option, &a);
    if (rc == 0)
        rc = check_text("USER", a.pos);
    if (rc == 0)
        rc = read_password(a.password_stdin, pw, sizeof pw);
    if (rc == 0 && (!(path = user_path(ctl, a.pos, "passwd")) || !(req = json_object()) ||
                    req_set(req, "password", pw)))
        rc = out_of_memory();
    if (rc == 0)
        rc = post_user(ctl, path, req, "已设置用户 %s（%s，%s）的密码；其已登录的会话均已退出");
    explicit_bzero(pw, sizeof pw);
    json_decref(req);
    free(path);
    return rc;
}

/* user disable|enable USER: argv[0] is the verb. */
static int cmd_user_switch(struct ctl *ctl, int argc, char **argv)
{
    (void)argc;
    int disable = strcmp(argv[0], "disable") == 0;
    char *path = NULL;
    int rc = check_text("USER", argv[1]);
    if (rc == 0 && !(path = user_path(ctl, argv[1], argv[0])))
        rc = out_of_memory();
    if (rc == 0)
        rc = post_user(ctl, path, NULL,
                       disable ? "已停用用户 %s（%s，%s）；其已登录的会话均已退出"
                               : "已启用用户 %s（%s，%s）");
    free(path);
    return rc;
}

/* 正常, 已停用, or 已锁定至 HH:MM. */
static const char *user_state(const json_t *u, char *buf, size_t len)
{
    char until[32];
    if (json_is_true(json_object_get(u, "disabled")))
        return "已停用";
    if (!json_is_true(json_object_get(u, "locked")))
        return "正常";
    snprintf(buf, len, "已锁定至 %s", jtime(u, "locked_until_ms", "%H:%M", until, sizeof until));
    return buf;
}

static int user_row(struct table *t, const json_t *u, const void *arg)
{
    (void)arg;
    char state[48], last[32];
    const char *row[5] = {jstr(u, "user"), jstr(u, "name"), jstr(u, "role_name"),
                          user_state(u, state, sizeof state),
                          jtime_set(u, "last_login_ms", last, sizeof last)};
    return table_add(t, row);
}

static int print_users(const json_t *users)
{
    static const char *const head[5] = {"用户", "姓名", "角色", "状态", "最近登录"};
    return print_rows(users, head, 5, user_row, NULL);
}

static int cmd_user_list(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    return show_list(ctl, "/api/v1/users", "users", print_users);
}

/* ---- actions ------------------------------------------------------------------------- */

/* How an option of an action goes into the request. */
enum {
    ARG_TEXT,     /* the value */
    ARG_INT,      /* the value, a number */
    ARG_TRUE,     /* true (the option takes no value) */
    ARG_FALSE,    /* false */
    ARG_LIST,     /* the value, appended to an array; the option may be repeated */
    ARG_FILE,     /* the text of the file the value names ("-": standard input) */
    ARG_LOCAL,    /* the value is jiefenctl's own (--out FILE): not sent */
    ARG_SWITCH,   /* jiefenctl's own, without a value (--force): not sent */
};
/* Whether it must be given. Of the ARG_ONE_OF options of an action at least one must be;
 * those that set the same member exclude each other (--approve|--refuse). */
enum { ARG_OPTIONAL, ARG_REQUIRED, ARG_ONE_OF };

struct action_opt {
    const char *flag, *member;
    const char *meta;           /* the value in the usage text; NULL when it takes none */
    unsigned char kind, need;
};

#define MAX_ACTION_OPTS 8

#define ACT_ACTOR 0x1u      /* takes --actor NAME too (actor_opt) */
#define ACT_FILE 0x2u       /* the reply is a file: download() writes it where --out says */
#define ACT_OWN_JSON 0x4u   /* the printer prints --json itself (else: the reply) */
#define ACT_REPORT 0x8u     /* with --kind, a report's route instead (report_route) */

struct action_args;

/* Prints what the action did from the daemon's reply r (a JSON object). */
typedef int (*action_print_fn)(struct ctl *ctl, const struct action_args *x, json_t *r);

/* One action: `NAME SUB [POS] [options]` checks the options (a missing one is a usage error,
 * nothing is sent), turns them into the members of a request (with `fixed`, members always
 * sent) and sends it to `path`, as the JSON body of a POST or as the query of a GET; then
 * prints the reply through `print`, or with --json the reply itself. The positional argument
 * goes into the path at "{}", or into the request as pos_member, or else only to `print`. */
struct action {
    const char *name, *sub;        /* the command's words; sub NULL for one word */
    const char *method, *path;
    const char *pos, *pos_member;  /* "ID" (NULL: none) and the member it sets */
    unsigned flags;
    action_print_fn print;
    struct action_opt opts[MAX_ACTION_OPTS];   /* up to the first without a flag */
    const char *done;              /* the line print_done() or print_case_done() prints */
    const char *fixed;             /* a JSON object of members always sent; NULL: none */
};

struct action_args {
    const struct action *a;
    char name[32];                 /* "case route", for messages */
    const char *pos;               /* the positional argument */
    const char *path;              /* the route: the action's, or report_route's pick */
    json_t *req;                   /* the members sent */
    json_t *local;                 /* the values of ARG_LOCAL options, true for ARG_SWITCH */
    int seen[MAX_ACTION_OPTS + 1];
};

/* Prints the template over o and a line end, as text from the daemon (cleaned). */
static int print_expanded(const char *tpl, const json_t *o)
{
    char *line = expand(tpl, o);
    if (!line)
        return out_of_memory();
    put_clean(line, stdout);
    putchar('\n');
    free(line);
    return EXIT_OK;
}

/* The action's `done` line over what was sent, updated with the reply. */
static int print_done(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    (void)ctl;
    if (!json_is_object(r))
        return unexpected("not a JSON object");
    json_t *view = json_copy(x->req);
    int rc = view && json_object_update(view, r) == 0 ? print_expanded(x->a->done, view)
                                                       : out_of_memory();
    json_decref(view);
    return rc;
}

/* What the reply's "rule" says the daemon did on its own, over the reply's case. */
static const char *const rule_templates[][2] = {
    {"escalated", "案件已按3221规则自动上报至 {holder_name}（{holder}）"},
    {"leader_required", "本级调解不成已达3221规则上限，案件需安排领导包案"},
};

/* What a case action did: its `done` line over the reply's case, and one for the rule the
 * daemon applied. */
static int print_case_done(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    (void)ctl;
    const json_t *c = json_object_get(r, "case");
    const char *rule = json_string_value(json_object_get(r, "rule"));
    if (!json_is_object(c))
        return unexpected("no \"case\"");
    int rc = print_expanded(x->a->done, c);
    for (size_t i = 0; rc == 0 && rule && i < sizeof rule_templates / sizeof rule_templates[0];
         i++)
        if (strcmp(rule, rule_templates[i][0]) == 0)
            rc = print_expanded(rule_templates[i][1], c), rule = NULL;
    if (rc == 0 && rule) {   /* a rule this jiefenctl does not know yet */
        fputs("规则：", stdout);
        put_clean(rule, stdout);
        putchar('\n');
    }
    return rc;
}

/* ---- actions: the ledger ------------------------------------------------------------- */

/* The figures of a ledger (docs/ledger.md). Rates are shown as percentages, "-" when their
 * denominator is 0; figures by tier as "村 1，乡镇 1". */
static const struct line ledger_lines[] = {
    {"节点", "{node}", 1},
    {"统计期", "{from_ms} 至 {to_ms}", 0},
    {"受理", "{taken_in} 件", 0},
    {"化解", "{resolved} 件", 0},
    {"化解率", "{resolution_rate}", 0},
    {"办结", "{closed} 件[，其中引导至法定途径 {guided} 件]", 0},
    {"按期办结率", "{on_time_rate}", 0},
    {"村镇两级办结占比", "{local_share}", 0},
    {"办结层级", "{closed_at_tier}", 0},
    {"逐级上报率", "{escalation_rate}", 0},
    {"信访事项", "{petitions} 件", 0},
    {"信访占比", "{petition_rate}", 0},
    {"在办", "{pending} 件", 0},
    {"超期", "{overdue} 件", 0},
    {"领导包案", "{leader_owned} 件", 0},
    {"红/橙", "红 {red} 件，橙 {orange} 件", 0},
    {"满意率", "{satisfaction.rate}", 0},
    {"回访", "满意 {satisfaction.satisfied}，基本满意 {satisfaction.basically_satisfied}，"
             "不满意 {satisfaction.dissatisfied}", 0},
};

/* The tables of the cases taken in: the member of "taken_in_by", the title, the head of
 * the first column, and the list of GET /api/v1/reference that names the codes (NULL: the
 * members are names already). */
static const struct {
    const char *key, *title, *head, *names;
} ledger_breakdowns[] = {
    {"category", "按纠纷类别", "纠纷类别", "categories"},
    {"village", "按村(社区)", "村(社区)", NULL},
    {"source", "按来源", "来源", "sources"},
};

/* The name of `code` in the reference list `list` (see GET /api/v1/reference), else the
 * code. */
static const char *ref_name(const json_t *ref, const char *list, const char *code)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(ref, list), i, e)
        if (strcmp(jstr(e, "code"), code) == 0 && jstr(e, "name")[0])
            return jstr(e, "name");
    return code;
}

struct count {
    const char *code;
    json_int_t n;
};

/* Most first, then by code: the order of an object's members is not the figures'. */
static int most_first(const void *a, const void *b)
{
    const struct count *x = a, *y = b;
    return x->n != y->n ? (x->n < y->n) - (x->n > y->n) : strcmp(x->code, y->code);
}

/* The members of `by` that are not 0, sorted by most_first(), into *out (malloc'd, *n of
 * them). 0, or -1 out of memory. */
static int counts_of(const json_t *by, struct count **out, size_t *n)
{
    const char *code;
    json_t *v;
    *n = 0;
    *out = calloc(json_object_size(by) + 1, sizeof **out);
    if (!*out)
        return -1;
    json_object_foreach((json_t *)by, code, v)
        if (json_integer_value(v) > 0)
            (*out)[(*n)++] = (struct count){code, json_integer_value(v)};
    qsort(*out, *n, sizeof **out, most_first);
    return 0;
}

/* One table of ledger_breakdowns: the rows that are not 0, most first, each with its share
 * of the cases taken in; "无" when there are none. */
static int print_breakdown(const json_t *fig, size_t i, const json_t *ref, int indent)
{
    const json_t *by = json_object_get(json_object_get(fig, "taken_in_by"),
                                       ledger_breakdowns[i].key);
    json_int_t total = json_integer_value(json_object_get(fig, "taken_in"));
    const char *head[3] = {ledger_breakdowns[i].head, "件数", "占比"};
    struct table t = {.ncols = 3};
    struct count *rows;
    size_t n;
    int rc = counts_of(by, &rows, &n) || table_add(&t, head);
    for (size_t k = 0; rc == 0 && k < n; k++) {
        char count[24], share[24];
        const char *code = rows[k].code;
        snprintf(count, sizeof count, "%" JSON_INTEGER_FORMAT, rows[k].n);
        percent(total ? (double)rows[k].n / (double)total : 0, share, sizeof share);
        const char *row[3] = {ledger_breakdowns[i].names
                                  ? ref_name(ref, ledger_breakdowns[i].names, code)
                                  : code,
                              count, share};
        rc = table_add(&t, row);
    }
    free(rows);
    printf("\n%*s%s:%s\n", indent, "", ledger_breakdowns[i].title, t.nrows > 1 ? "" : " 无");
    if (rc == 0 && t.nrows > 1)
        table_print(&t, indent + 2);
    table_free(&t);
    return rc ? out_of_memory() : EXIT_OK;
}

/* A ledger's figures, then its tables; the names of the codes come from the reference
 * tables of the daemon, asked only when some case was taken in. */
static int print_figures(struct ctl *ctl, const json_t *fig, int indent)
{
    struct table t = {.ncols = 2};
    json_t *ref = NULL;
    int rc = lines_add(&t, ledger_lines, sizeof ledger_lines / sizeof ledger_lines[0], fig)
                 ? out_of_memory()
                 : EXIT_OK;
    if (rc == 0)
        table_print(&t, indent);
    table_free(&t);
    if (rc == 0 && json_integer_value(json_object_get(fig, "taken_in")) > 0)
        rc = call(ctl, "GET", "/api/v1/reference", NULL, 0, &ref);
    for (size_t i = 0; rc == 0 && i < sizeof ledger_breakdowns / sizeof ledger_breakdowns[0];
         i++)
        rc = print_breakdown(fig, i, ref, indent);
    json_decref(ref);
    return rc;
}

static int print_ledger(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    (void)x;
    const json_t *l = json_object_get(r, "ledger");
    return json_is_object(l) ? print_figures(ctl, l, 0) : unexpected("no \"ledger\"");
}

/* ---- actions: reports ---------------------------------------------------------------- */

/* The heading of a report's period: "日排查 2026-05-03，报送截止 2026-05-04 12:00". */
static const char period_tpl[] = "{kind} {period}[，报送截止 {due_ms}]";

/* This node's own report in `report list`. */
static const char own_tpl[] = "本节点：{state}[，{generated_ms} 生成草稿]"
                              "[，{submitted_ms} 由 {submitted_by} 报送]"
                              "[，{reviewer} 于 {reviewed_ms} 审核][：{comment}]";

/* A figure a child reported that differs from what this node computes. */
static const char disagreement_tpl[] = "{figure} 报 {reported} 核 {recomputed}";

/* A child's report in `report list`: cells, then its disagreements. */
static const char *const report_cells[] = {
    "{node}", "{name}", "{state}", "{late}", "{submitted_ms}", "{submitted_by}",
};
#define N_REPORT_CELLS (sizeof report_cells / sizeof report_cells[0])

static int report_row(struct table *t, const json_t *c)
{
    char *cell[N_REPORT_CELLS + 1] = {NULL};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < N_REPORT_CELLS; i++)
        rc = !(cell[i] = expand(report_cells[i], c));
    if (rc == 0)
        rc = !(cell[N_REPORT_CELLS] = list_text(json_object_get(c, "disagreements"),
                                                disagreement_tpl, "；"));
    if (rc == 0)
        rc = table_add(t, (const char *const *)cell);
    for (size_t i = 0; i <= N_REPORT_CELLS; i++)
        free(cell[i]);
    return rc;
}

/* `report list`: the period, this node's own report, and each child's. */
static int print_reports(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[N_REPORT_CELLS + 1] = {
        "下级", "名称", "状态", "逾期", "报送时间", "报送人", "数字不一致"};
    const json_t *own = json_object_get(r, "own"), *children = json_object_get(r, "children");
    const json_t *c;
    struct table t = {.ncols = N_REPORT_CELLS + 1};
    size_t i;
    (void)ctl, (void)x;
    if (!json_is_array(children))
        return unexpected("no \"children\" array");
    int rc = print_expanded(period_tpl, r);
    if (rc == 0)
        rc = json_is_object(own) ? print_expanded(own_tpl, own) : (puts("本节点：未报送"), 0);
    if (rc || json_array_size(children) == 0) {
        if (rc == 0)
            puts("下级：无");
        return rc;
    }
    rc = table_add(&t, head);
    json_array_foreach(children, i, c) {
        if (rc == 0)
            rc = report_row(&t, c);
    }
    if (rc == 0) {
        puts("下级：");
        table_print(&t, 2);
    }
    table_free(&t);
    return rc ? out_of_memory() : EXIT_OK;
}

/* The lines of one report in `report show`, over the report with its period's members. */
static const struct line report_lines[] = {
    {"节点", "{node}[（{name}）]", 0},
    {"报告", "{kind} {period}", 0},
    {"报送截止", "{due_ms}", 1},
    {"状态", "{state}[，{late}]", 0},
    {"草稿生成", "{generated_ms}", 1},
    {"报送", "[{submitted_ms}][，{submitted_by}]", 1},
    {"审核", "[{reviewer}][，{reviewed_ms}]", 1},
    {"审核意见", "{comment}", 1},
};

/* The report of `node` in a reply of GET /api/v1/reports: its own, or a child's. */
static const json_t *find_report(const json_t *r, const char *node)
{
    const json_t *own = json_object_get(r, "own"), *c;
    size_t i;
    if (json_is_object(own) && strcmp(jstr(own, "node"), node) == 0)
        return own;
    json_array_foreach(json_object_get(r, "children"), i, c)
        if (strcmp(jstr(c, "node"), node) == 0)
            return c;
    return NULL;
}

/* Text from the daemon that may hold several lines (an analysis), each line indented and
 * cleaned. */
static void put_block(const char *s, int indent)
{
    while (*s) {
        size_t n = strcspn(s, "\n");
        char *line = strndup(s, n);
        printf("%*s", indent, "");
        put_clean(line ? line : "", stdout);
        putchar('\n');
        free(line);
        s += n + (s[n] == '\n');
    }
}

static int report_fields(struct table *t, const json_t *v)
{
    const json_t *missing = json_object_get(v, "missing");
    const json_t *dis = json_object_get(v, "disagreements");
    char *m = json_array_size(missing) ? id_list(missing) : NULL;
    char *d = json_array_size(dis) ? list_text(dis, disagreement_tpl, "；") : NULL;
    int rc = lines_add(t, report_lines, sizeof report_lines / sizeof report_lines[0], v) ||
             (json_array_size(missing) && (!m || kv(t, "标注缺报", m))) ||
             (json_array_size(dis) && (!d || kv(t, "数字不一致", d)));
    free(d);
    free(m);
    return rc;
}

/* `report show NODE`: the report of NODE in the reply, with its analysis and figures. */
static int print_report_show(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const period_keys[] = {"kind", "period", "from_ms", "to_ms", "due_ms"};
    const json_t *rep = find_report(r, x->pos), *fig;
    if (!rep) {
        say("%s: no %s report for %s here (neither this node nor a child that sends it)",
            x->pos, jstr(r, "kind"), jstr(r, "period"));
        return EXIT_REFUSED;
    }
    if (ctl->json)
        return print_json(rep);
    json_t *v = json_copy((json_t *)rep);
    struct table t = {.ncols = 2};
    for (size_t i = 0; v && i < sizeof period_keys / sizeof period_keys[0]; i++)
        if (!json_object_get(v, period_keys[i]) &&
            json_object_set(v, period_keys[i], json_object_get(r, period_keys[i])) != 0)
            json_decref(v), v = NULL;
    int rc = !v || report_fields(&t, v) ? out_of_memory() : EXIT_OK;
    if (rc == 0)
        table_print(&t, 0);
    if (rc == 0 && jstr(v, "analysis")[0]) {
        puts("\n分析研判:");
        put_block(jstr(v, "analysis"), 2);
    }
    if (rc == 0 && json_is_object(fig = json_object_get(v, "figures"))) {
        puts("\n数字:");
        rc = print_figures(ctl, fig, 2);
    }
    table_free(&t);
    json_decref(v);
    return rc;
}

/* `report draft`: the period, the figures as they would be submitted now, and the
 * children's reports this one rests on. */
static int print_draft(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    static const char *const head[4] = {"下级", "报告", "报告期", "状态"};
    static const char *const cells[4] = {"{node}", "{kind}", "{period}", "{state}"};
    const json_t *d = json_object_get(r, "draft"), *children = json_object_get(d, "children");
    const json_t *c;
    struct table t = {.ncols = 4};
    size_t i;
    (void)x;
    if (!json_is_object(json_object_get(d, "figures")) || !json_is_array(children))
        return unexpected("no draft with \"figures\" and \"children\"");
    int rc = print_expanded(period_tpl, d);
    if (rc == 0)
        rc = print_figures(ctl, json_object_get(d, "figures"), 0);
    if (rc)
        return rc;
    if (json_array_size(children) == 0)
        return puts("\n所依下级报告：无"), EXIT_OK;
    rc = table_add(&t, head);
    json_array_foreach(children, i, c) {
        if (rc == 0)
            rc = template_row(&t, cells, 4, c);
    }
    if (rc == 0) {
        puts("\n所依下级报告：");
        table_print(&t, 2);
    }
    table_free(&t);
    return rc ? out_of_memory() : EXIT_OK;
}

/* `report export`: the ledger's spreadsheet (--from, --to), or with --kind a report's as
 * stored (--period, --node: this node's by default). */
static int report_route(struct action_args *x)
{
    int report = json_object_get(x->req, "kind") != NULL;
    if (report && (json_object_get(x->req, "from") || json_object_get(x->req, "to")))
        return usage_error("report export: --from/--to choose the ledger's days, --kind a "
                           "report; give one or the other");
    if (!report && (json_object_get(x->req, "period") || json_object_get(x->req, "node")))
        return usage_error("report export: --period and --node choose a report: give --kind too");
    if (report)
        x->path = "/api/v1/reports/export";
    return 0;
}

/* ---- actions: the table -------------------------------------------------------------- */

/* The members every case action shares: `case SUB ID ...` POSTs to /api/v1/cases/ID/ROUTE
 * and prints its line over the reply's case; every one takes --actor. */
#define CASE_ACTION(sub, route) \
    "case", sub, "POST", "/api/v1/cases/{}/" route, "ID", NULL, ACT_ACTOR, print_case_done

#define OPT_KIND {"kind", "kind", "KIND", ARG_TEXT, ARG_REQUIRED}
#define OPT_PERIOD(need) {"period", "period", "DATE", ARG_TEXT, need}
#define OPT_FROM_TO                                  \
    {"from", "from", "DATE", ARG_TEXT, ARG_OPTIONAL}, \
    {"to", "to", "DATE", ARG_TEXT, ARG_OPTIONAL}

static const struct action actions[] = {
    {CASE_ACTION("route", "route"),
     {{"department", "department", "DEPT", ARG_TEXT, ARG_ONE_OF},
      {"lead-unit", "lead_unit", "UNIT", ARG_TEXT, ARG_ONE_OF},
      {"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已重新分流：案件 {id}[，归口部门 {department}][，牵头单位 {lead_unit}]", NULL},
    {CASE_ACTION("guide", "guide"),
     {{"channel", "channel", "court|arbitration|review", ARG_TEXT, ARG_REQUIRED},
      {"guidance", "guidance", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已引导至法定途径：案件 {id}（{guided_channel}），{status}", NULL},
    {CASE_ACTION("attempt", "attempts"),
     {{"mediator", "mediator", "NAME", ARG_TEXT, ARG_REQUIRED},
      {"date", "date", "YYYY-MM-DD", ARG_TEXT, ARG_REQUIRED},
      {"method", "method", "METHOD", ARG_TEXT, ARG_REQUIRED},
      {"outcome", "outcome", "agreement|partial|failed", ARG_TEXT, ARG_REQUIRED},
      {"agreement", "agreement", "TEXT", ARG_TEXT, ARG_OPTIONAL},
      {"judicial-confirmation", "judicial_confirmation", NULL, ARG_TRUE, ARG_OPTIONAL},
      {"referral", "referral", "court|arbitration", ARG_TEXT, ARG_OPTIONAL},
      {"note", "note", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已记录调解（{last_outcome}）：案件 {id}[ 本级失败 {failed_attempts_here} 次]，{status}",
     NULL},
    {CASE_ACTION("escalate", "escalate"),
     {{"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已上报：案件 {id} 现由 {holder_name}（{holder}）办理[，期限 {due_ms}]", NULL},
    {CASE_ACTION("risk", "risk"),
     {{"risk", "risk", "blue|yellow|orange|red", ARG_TEXT, ARG_REQUIRED},
      {"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已调整风险等级：案件 {id} 为{risk}色[，由{risk_official}负责]", NULL},
    {CASE_ACTION("handdown", "handdown"),
     {{"to", "to", "NODE", ARG_TEXT, ARG_REQUIRED},
      {"instructions", "instructions", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已交办：案件 {id} 交 {holder_name}（{holder}）办理[，期限 {due_ms}]", NULL},
    {CASE_ACTION("assign", "leader"),
     {{"leader", "leader", "NAME", ARG_TEXT, ARG_REQUIRED},
      {"organisation", "organisation", "ORG", ARG_TEXT, ARG_REQUIRED},
      {"liaison-unit", "liaison_unit", "UNIT", ARG_TEXT, ARG_REQUIRED},
      {"plan", "plan", "TEXT", ARG_TEXT, ARG_REQUIRED},
      {"legal-consultation", "legal_consultation", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已安排领导包案：案件 {id}，包案领导 {leader.leader}，{leader.acknowledged}", NULL},
    {CASE_ACTION("ack", "leader/ack"), {{"note", "note", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已签收包案安排：案件 {id}，包案领导 {leader.leader}", NULL},
    {CASE_ACTION("progress", "leader/progress"),
     {{"text", "text", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已记录包案进展：案件 {id}，共 {leader.progress_entries} 条", NULL},
    {CASE_ACTION("extend", "extension"),
     {{"days", "days", "N", ARG_INT, ARG_REQUIRED},
      {"reason", "reason", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已申请延期：案件 {id} 延长 {extension.days} 天，{extension.state}", NULL},
    {CASE_ACTION("decide", "extension/decide"),
     {{"approve", "approved", NULL, ARG_TRUE, ARG_ONE_OF},
      {"refuse", "approved", NULL, ARG_FALSE, ARG_ONE_OF},
      {"days", "days", "N", ARG_INT, ARG_OPTIONAL},
      {"reason", "reason", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已审批延期：案件 {id} {extension.state}[，办理期限 {due_ms}]", NULL},
    {CASE_ACTION("close", "close"),
     {{"result", "result", "TEXT", ARG_TEXT, ARG_REQUIRED},
      {"feedback", "feedback", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已办结：案件 {id}，由 {holder_name}（{holder}）回访", NULL},
    {CASE_ACTION("followup", "followup"),
     {{"satisfaction", "satisfaction", "satisfied|basically_satisfied|dissatisfied", ARG_TEXT,
       ARG_REQUIRED},
      {"note", "note", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已回访：案件 {id} {satisfaction}，{status}", NULL},

    {"ledger", NULL, "GET", "/api/v1/ledger", NULL, NULL, 0, print_ledger, {OPT_FROM_TO},
     NULL, NULL},
    {"report", "export", "GET", "/api/v1/ledger/export", NULL, NULL, ACT_FILE | ACT_REPORT,
     NULL,
     {OPT_FROM_TO, {"format", "format", "xlsx|csv", ARG_TEXT, ARG_OPTIONAL},
      {"out", "out", "FILE", ARG_LOCAL, ARG_REQUIRED},
      {"force", "force", NULL, ARG_SWITCH, ARG_OPTIONAL},
      {"kind", "kind", "KIND", ARG_TEXT, ARG_OPTIONAL}, OPT_PERIOD(ARG_OPTIONAL),
      {"node", "node", "NODE", ARG_TEXT, ARG_OPTIONAL}},
     NULL, NULL},
    {"report", "draft", "GET", "/api/v1/reports/draft", NULL, NULL, 0, print_draft,
     {OPT_KIND, OPT_PERIOD(ARG_OPTIONAL)}, NULL, NULL},
    {"report", "submit", "POST", "/api/v1/reports/submit", NULL, NULL, ACT_ACTOR, print_done,
     {OPT_KIND, OPT_PERIOD(ARG_OPTIONAL),
      {"analysis", "analysis", "TEXT", ARG_TEXT, ARG_ONE_OF},
      {"analysis-file", "analysis", "FILE", ARG_FILE, ARG_ONE_OF},
      {"missing", "missing", "CHILD/DATE", ARG_LIST, ARG_OPTIONAL}},
     "已报送{report.kind} {report.period}[，报送截止 {report.due_ms}]", NULL},
    {"report", "list", "GET", "/api/v1/reports", NULL, NULL, 0, print_reports,
     {OPT_KIND, OPT_PERIOD(ARG_OPTIONAL)}, NULL, NULL},
    {"report", "show", "GET", "/api/v1/reports", "NODE", NULL, ACT_OWN_JSON, print_report_show,
     {OPT_KIND, OPT_PERIOD(ARG_REQUIRED)}, NULL, NULL},
    {"report", "accept", "POST", "/api/v1/reports/review", "NODE", "node", 0, print_done,
     {OPT_KIND, OPT_PERIOD(ARG_REQUIRED),
      {"comment", "comment", "TEXT", ARG_TEXT, ARG_OPTIONAL}},
     "已接收 {node} 的{kind} {period}", "{\"accepted\": true}"},
    {"report", "return", "POST", "/api/v1/reports/review", "NODE", "node", 0, print_done,
     {OPT_KIND, OPT_PERIOD(ARG_REQUIRED),
      {"comment", "comment", "TEXT", ARG_TEXT, ARG_REQUIRED}},
     "已退回 {node} 的{kind} {period}：{comment}", "{\"accepted\": false}"},
};
#define N_ACTIONS (sizeof actions / sizeof actions[0])

static const struct action_opt actor_opt = {"actor", "actor", "NAME", ARG_TEXT, ARG_OPTIONAL};

/* Two command words, either of which may be NULL, are the same. */
static int same_word(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The action of the command "name sub" (sub NULL for one word), NULL if it is none. */
static const struct action *find_action(const char *name, const char *sub)
{
    for (size_t i = 0; i < N_ACTIONS; i++)
        if (strcmp(actions[i].name, name) == 0 && same_word(actions[i].sub, sub))
            return &actions[i];
    return NULL;
}

/* How many options of its own the action has. */
static size_t action_nopts(const struct action *a)
{
    size_t n = 0;
    while (n < MAX_ACTION_OPTS && a->opts[n].flag)
        n++;
    return n;
}

/* How many options it takes: its own, and --actor. */
static size_t action_nall(const struct action *a)
{
    return action_nopts(a) + ((a->flags & ACT_ACTOR) != 0);
}

/* Option i of the action: its own, then --actor. */
static const struct action_opt *action_opt_at(const struct action *a, size_t i)
{
    return i < action_nopts(a) ? &a->opts[i] : &actor_opt;
}

/* ---- actions: arguments -------------------------------------------------------------- */

/* The value of an option as the request member wants it; a usage error names the flag. */
static int option_value(const struct action_opt *o, const char *value, json_t **out)
{
    char what[48], *end, *text = NULL;
    snprintf(what, sizeof what, "--%s", o->flag);
    *out = NULL;
    if (o->kind == ARG_TRUE || o->kind == ARG_FALSE || o->kind == ARG_SWITCH) {
        *out = json_boolean(o->kind != ARG_FALSE);
    } else if (o->kind == ARG_INT) {
        errno = 0;
        long long n = strtoll(value, &end, 10);
        if (!value[0] || *end || errno)
            return usage_error("%s: '%s' is not a whole number", what, value);
        *out = json_integer((json_int_t)n);
    } else if (o->kind == ARG_FILE) {
        int rc = read_text(value, &text);
        if (rc)
            return rc;
        *out = json_string(text);
        free(text);
    } else {
        if (check_text(what, value))
            return EXIT_USAGE;
        *out = json_string(value);
    }
    return *out ? 0 : out_of_memory();
}

/* Sets the member of option o to v (reference stolen): appended to its array for ARG_LIST,
 * in x->local for jiefenctl's own options. 0, or -1 out of memory. */
static int set_member(struct action_args *x, const struct action_opt *o, json_t *v)
{
    json_t *to = o->kind == ARG_LOCAL || o->kind == ARG_SWITCH ? x->local : x->req;
    json_t *list = json_object_get(to, o->member);
    if (o->kind != ARG_LIST)
        return json_object_set_new(to, o->member, v) ? -1 : 0;
    if (!list && (json_object_set_new(to, o->member, list = json_array()) || !list)) {
        json_decref(v);
        return -1;
    }
    return json_array_append_new(list, v) ? -1 : 0;
}

static int take_action_option(void *arg, int c, char **argv)
{
    struct action_args *x = arg;
    size_t n = action_nall(x->a);
    if (c < OPT_FIELD || c >= OPT_FIELD + (int)n)
        return bad_option(c, argv);
    size_t i = (size_t)(c - OPT_FIELD);
    const struct action_opt *o = action_opt_at(x->a, i);
    json_t *v;
    if (x->seen[i] && o->kind != ARG_LIST)
        return usage_error("--%s given twice", o->flag);
    for (size_t j = 0; j < n; j++)
        if (j != i && x->seen[j] && strcmp(action_opt_at(x->a, j)->member, o->member) == 0)
            return usage_error("%s: give --%s or --%s, not both", x->name,
                               action_opt_at(x->a, j)->flag, o->flag);
    x->seen[i] = 1;
    int rc = option_value(o, optarg, &v);
    if (rc == 0 && set_member(x, o, v) != 0)
        rc = out_of_memory();
    return rc;
}

/* "--department DEPT or --lead-unit UNIT": the action's ARG_ONE_OF options, malloc'd;
 * NULL when out of memory. */
static char *one_of_text(const struct action *a)
{
    char *s = NULL;
    size_t len = 0, n = action_nopts(a);
    const char *sep = "";
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (a->opts[i].need != ARG_ONE_OF)
            continue;
        fprintf(f, "%s--%s%s%s", sep, a->opts[i].flag, a->opts[i].meta ? " " : "",
                a->opts[i].meta ? a->opts[i].meta : "");
        sep = " or ";
    }
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* The options the action must have were given. */
static int check_action_args(const struct action_args *x)
{
    int one_of = 0, any = 0;
    for (size_t i = 0; i < action_nopts(x->a); i++) {
        const struct action_opt *o = &x->a->opts[i];
        if (o->need == ARG_REQUIRED && !x->seen[i])
            return usage_error("%s needs --%s%s%s", x->name, o->flag, o->meta ? " " : "",
                               o->meta ? o->meta : "");
        one_of |= o->need == ARG_ONE_OF;
        any |= o->need == ARG_ONE_OF && x->seen[i];
    }
    if (!one_of || any)
        return 0;
    char *which = one_of_text(x->a);
    int rc = which ? usage_error("%s needs %s", x->name, which) : out_of_memory();
    free(which);
    return rc;
}

/* Parses `NAME SUB [POS] [options]` into x. */
static int parse_action_args(int argc, char **argv, struct action_args *x)
{
    struct option opts[MAX_ACTION_OPTS + 2];
    size_t n = action_nall(x->a);
    for (size_t i = 0; i < n; i++) {
        const struct action_opt *o = action_opt_at(x->a, i);
        opts[i] = (struct option){o->flag, o->meta ? required_argument : no_argument, NULL,
                                  OPT_FIELD + (int)i};
    }
    opts[n] = (struct option){NULL, 0, NULL, 0};
    snprintf(x->name, sizeof x->name, "%s%s%s", x->a->name, x->a->sub ? " " : "",
             x->a->sub ? x->a->sub : "");
    x->req = x->a->fixed ? json_loads(x->a->fixed, 0, NULL) : json_object();
    x->local = json_object();
    int rc = x->req && x->local ? 0 : out_of_memory();
    if (rc == 0)
        rc = parse_args(argc, argv, x->name, opts, x->a->pos, &x->pos, take_action_option, x);
    if (rc == 0 && x->a->pos)
        rc = check_text(x->a->pos, x->pos);
    if (rc == 0)
        rc = check_action_args(x);
    if (rc == 0 && x->a->pos_member && req_set(x->req, x->a->pos_member, x->pos))
        rc = out_of_memory();
    x->path = x->a->path;
    if (rc == 0 && (x->a->flags & ACT_REPORT))
        rc = report_route(x);
    return rc;
}

/* ---- actions: requests --------------------------------------------------------------- */

/* The request's path: the action's, with "{}" the positional argument escaped, and with
 * GET the request's members as the query. Malloc'd into *path. */
static int action_path(struct ctl *ctl, const struct action_args *x, char **path)
{
    const char *p = x->path, *hole = strstr(p, "{}"), *key;
    char *esc = hole ? ctl_client_escape(ctl->client, x->pos) : NULL;
    json_t *v;
    int ok = hole ? esc && asprintf(path, "%.*s%s%s", (int)(hole - p), p, esc, hole + 2) >= 0
                  : (*path = strdup(p)) != NULL;
    free(esc);
    if (!ok) {
        *path = NULL;
        return out_of_memory();
    }
    if (strcmp(x->a->method, "GET") != 0)
        return 0;
    json_object_foreach(x->req, key, v) {   /* GET actions take text options only */
        int rc = path_add_param(ctl, path, key, json_string_value(v));
        if (rc)
            return rc;
    }
    return 0;
}

/* ---- actions: files to download ------------------------------------------------------ */

/* FILE exists and --force was not given. */
static int file_exists(const char *out)
{
    say("%s exists; give --force to replace it", out);
    return EXIT_REFUSED;
}

/* A new temporary file FILE.XXXXXX next to FILE (so that renaming it is atomic), with the
 * mode a new file gets. A usage error when it cannot be made. */
static int temp_open(const char *out, char **tmp, int *fd)
{
    mode_t mask = umask(0);
    umask(mask);
    *fd = -1;
    if (asprintf(tmp, "%s.XXXXXX", out) < 0) {
        *tmp = NULL;
        return out_of_memory();
    }
    if ((*fd = mkostemp(*tmp, O_CLOEXEC)) >= 0 && fchmod(*fd, 0666 & ~mask) == 0)
        return 0;
    int e = errno;
    if (*fd >= 0)
        close(*fd), unlink(*tmp), *fd = -1;
    free(*tmp);
    *tmp = NULL;
    return usage_error("cannot write %s: %s", out, strerror(e));
}

/* Gives the complete temporary file the name FILE: replacing one that exists with force,
 * else only if there is none, atomically, so that a FILE made meanwhile is kept. */
static int temp_place(const char *tmp, const char *out, int force)
{
    int rc = force ? rename(tmp, out)
                   : renameat2(AT_FDCWD, tmp, AT_FDCWD, out, RENAME_NOREPLACE);
    if (rc != 0 && !force && (errno == EINVAL || errno == ENOSYS))
        rc = link(tmp, out) == 0 ? unlink(tmp) : -1;   /* no RENAME_NOREPLACE here */
    if (rc == 0)
        return EXIT_OK;
    if (errno == EEXIST)
        return file_exists(out);
    say("cannot write %s: %s", out, strerror(errno));
    return EXIT_REFUSED;
}

/* GETs path into fd; *n is the size of the file. An answer that is not 2xx is the daemon's
 * error, printed as call() prints it. */
static int fetch_into(struct ctl *ctl, const char *path, int fd, size_t *n)
{
    long status;
    json_t *reply;
    int rc = connect_node(ctl);
    if (rc)
        return rc;
    if ((rc = ctl_client_download(ctl->client, path, fd, &status, n, &reply)))
        return transport_failure(ctl, rc);
    if (status >= 200 && status < 300)
        return EXIT_OK;
    rc = refusal(ctl, status, reply);
    json_decref(reply);
    return rc;
}

/* The file GET path answers, written to --out: "-" is standard output; FILE is written
 * under a temporary name and takes its name only once complete (never half-written), and
 * one that exists is kept unless --force. Confirms with its size, or with --json
 * {"out": FILE, "bytes": N}. */
static int download(struct ctl *ctl, const struct action_args *x, const char *path)
{
    const char *out = jstr(x->local, "out");
    int force = json_is_true(json_object_get(x->local, "force")), fd = -1;
    char *tmp = NULL;
    size_t n = 0;
    struct stat st;
    if (strcmp(out, "-") == 0)
        return fetch_into(ctl, path, STDOUT_FILENO, &n);
    if (!force && lstat(out, &st) == 0)
        return file_exists(out);
    int rc = connect_node(ctl);   /* no file is made for a daemon that is not there */
    if (rc == 0)
        rc = temp_open(out, &tmp, &fd);
    if (rc == 0)
        rc = fetch_into(ctl, path, fd, &n);
    if (rc == 0 && fsync(fd) != 0) {
        say("cannot write %s: %s", out, strerror(errno));
        rc = EXIT_REFUSED;
    }
    if (fd >= 0 && close(fd) != 0 && rc == 0) {
        say("cannot write %s: %s", out, strerror(errno));
        rc = EXIT_REFUSED;
    }
    if (rc == 0)
        rc = temp_place(tmp, out, force);
    if (rc && tmp)
        unlink(tmp);
    free(tmp);
    json_t *r = rc ? NULL : json_pack("{s:s, s:I}", "out", out, "bytes", (json_int_t)n);
    if (rc == 0)
        rc = r ? confirm(ctl, r, "已导出 %s（%zu 字节）", out, n) : out_of_memory();
    json_decref(r);
    return rc;
}

/* ---- actions: the command ------------------------------------------------------------ */

/* Every action: the command that runs names it in `actions`. */
static int cmd_action(struct ctl *ctl, int argc, char **argv)
{
    struct action_args x = {.a = find_action(ctl->cmd->name, ctl->cmd->sub)};
    char *path = NULL;
    json_t *r = NULL;
    int rc = x.a ? parse_action_args(argc, argv, &x)
                 : usage_error("unknown command '%s'", argv[0]);
    if (rc == 0)
        rc = action_path(ctl, &x, &path);
    if (rc == 0 && (x.a->flags & ACT_FILE))
        rc = download(ctl, &x, path);
    else if (rc == 0 && strcmp(x.a->method, "GET") == 0)
        rc = call(ctl, "GET", path, NULL, 0, &r);
    else if (rc == 0)
        rc = post(ctl, path, x.req, &r);
    if (rc == 0 && r)
        rc = ctl->json && !(x.a->flags & ACT_OWN_JSON) ? print_json(r) : x.a->print(ctl, &x, r);
    json_decref(r);
    free(path);
    json_decref(x.local);
    json_decref(x.req);
    return rc;
}

/* ---- supervision --------------------------------------------------------------------- */

/* The lists of the supervision view, in the reply's names. */
static const char *const supervision_lists[][2] = {
    {"overdue", "超期"},
    {"due_soon", "临近期限"},
    {"risk", "本级负责的风险案件"},
    {"leader_owned", "本级领导包案"},
    {"needs_leader", "需安排领导包案"},
    {"extensions_to_decide", "待本级审批的延期"},
};

/* A case as a row: the cells are templates over it (see expand()); the last is cut to
 * SUMMARY_CHARS. */
static const char *const supervision_cells[] = {
    "{id}", "{status}", "{holder_name}（{holder}）", "{risk}", "{due_ms}",
    "[{extension.days} 天]", "{summary}",
};
#define N_SUPERVISION_CELLS (sizeof supervision_cells / sizeof supervision_cells[0])

static int supervision_row(struct table *t, const json_t *c)
{
    char *cell[N_SUPERVISION_CELLS] = {NULL};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < N_SUPERVISION_CELLS; i++)
        rc = !(cell[i] = expand(supervision_cells[i], c));
    if (rc == 0) {
        char *cut = truncate_chars(cell[N_SUPERVISION_CELLS - 1], SUMMARY_CHARS);
        free(cell[N_SUPERVISION_CELLS - 1]);
        rc = !(cell[N_SUPERVISION_CELLS - 1] = cut);
    }
    if (rc == 0)
        rc = table_add(t, (const char *const *)cell);
    for (size_t i = 0; i < N_SUPERVISION_CELLS; i++)
        free(cell[i]);
    return rc;
}

static int print_supervision(const json_t *r)
{
    static const char *const head[N_SUPERVISION_CELLS] = {
        "案件编号", "状态", "承办节点", "风险", "办理期限", "延期", "摘要"};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < sizeof supervision_lists / sizeof supervision_lists[0];
         i++) {
        const json_t *list = json_object_get(r, supervision_lists[i][0]), *c;
        struct table t = {.ncols = N_SUPERVISION_CELLS};
        size_t k;
        printf("%s%s: ", i ? "\n" : "", supervision_lists[i][1]);
        if (json_array_size(list) == 0) {
            printf("无\n");
            continue;
        }
        printf("%zu\n", json_array_size(list));
        rc = table_add(&t, head);
        json_array_foreach(list, k, c) {
            if (rc == 0)
                rc = supervision_row(&t, c);
        }
        if (rc == 0)
            table_print(&t, 2);
        table_free(&t);
    }
    return rc ? out_of_memory() : EXIT_OK;
}

static int cmd_supervision(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    json_t *r;
    int rc = call(ctl, "GET", "/api/v1/supervision", NULL, 0, &r);
    if (rc)
        return rc;
    for (size_t i = 0; i < sizeof supervision_lists / sizeof supervision_lists[0]; i++)
        if (!json_is_array(json_object_get(r, supervision_lists[i][0])) && rc == 0)
            rc = unexpected("a supervision list is missing");
    if (rc == 0)
        rc = ctl->json ? print_json(r) : print_supervision(r);
    json_decref(r);
    return rc;
}

/* ---- commands ------------------------------------------------------------------------ */

static const struct command commands[] = {
    {"status", NULL, cmd_status, CMD_NO_ARGS, ""},
    {"case", "new", cmd_case_new, 0, "--json FILE|-"},
    {"case", "new", cmd_case_new, 0,
     "--category C --matter-type M --village V --source S --summary TEXT\n"
     "           --complexity simple|complex [--risk R] --party KEY=VALUE,... ..."},
    {"case", "list", cmd_case_list, 0,
     "[--status S] [--category C] [--village V] [--risk R]\n"
     "            [--from DATE] [--to DATE] [--limit N] [--after ID] [--all]"},
    {"case", "show", cmd_case_show, CMD_ONE_ARG, "ID"},
    /* the case actions: their arguments are in actions */
    {"case", "route", cmd_action, 0, NULL},
    {"case", "guide", cmd_action, 0, NULL},
    {"case", "attempt", cmd_action, 0, NULL},
    {"case", "escalate", cmd_action, 0, NULL},
    {"case", "risk", cmd_action, 0, NULL},
    {"case", "handdown", cmd_action, 0, NULL},
    {"case", "assign", cmd_action, 0, NULL},
    {"case", "ack", cmd_action, 0, NULL},
    {"case", "progress", cmd_action, 0, NULL},
    {"case", "extend", cmd_action, 0, NULL},
    {"case", "decide", cmd_action, 0, NULL},
    {"case", "close", cmd_action, 0, NULL},
    {"case", "followup", cmd_action, 0, NULL},
    {"supervision", NULL, cmd_supervision, CMD_NO_ARGS, ""},
    /* the ledger and the reports: their arguments are in actions */
    {"ledger", NULL, cmd_action, 0, NULL},
    {"report", "export", cmd_action, 0, NULL},
    {"report", "draft", cmd_action, 0, NULL},
    {"report", "submit", cmd_action, 0, NULL},
    {"report", "list", cmd_action, 0, NULL},
    {"report", "show", cmd_action, 0, NULL},
    {"report", "accept", cmd_action, 0, NULL},
    {"report", "return", cmd_action, 0, NULL},
    {"verify", NULL, cmd_verify, CMD_NO_ARGS, ""},
    {"enrol", "root", cmd_enrol_root, CMD_NO_ARGS, ""},
    {"enrol", "request", cmd_enrol_request, 0, "[--out FILE]"},
    {"enrol", "approve", cmd_enrol_approve, 0,
     "FILE|- [--endpoint tcp://HOST:PORT] [--out FILE]"},
    {"enrol", "install", cmd_enrol_install, 0, "FILE|-"},
    {"enrol", "revoke", cmd_enrol_revoke, 0, "NODE [--reason TEXT]"},
    {"nodes", NULL, cmd_nodes, CMD_NO_ARGS, ""},
    {"directive", "send", cmd_directive_send, 0,
     "(--to NODE [--to NODE ...] [--subtree] | --all)\n"
     "                 --kind supervise|screening|notice --title TEXT [--body TEXT]\n"
     "                 [--case ID]"},
    {"directive", "list", cmd_directive_list, CMD_NO_ARGS, ""},
    {"directive", "ack", cmd_directive_ack, 0, "ID [--note TEXT]"},
    {"link", "clear-quarantine", cmd_link_clear_quarantine, CMD_ONE_ARG, "ORIGIN"},
    {"user", "add", cmd_user_add, 0,
     "USER --role clerk|mediator|director|leader|admin [--name NAME]\n"
     "           [--password-stdin]"},
    {"user", "passwd", cmd_user_passwd, 0, "USER [--password-stdin]"},
    {"user", "disable", cmd_user_switch, CMD_ONE_ARG, "USER"},
    {"user", "enable", cmd_user_switch, CMD_ONE_ARG, "USER"},
    {"user", "list", cmd_user_list, CMD_NO_ARGS, ""},
    {NULL, NULL, NULL, 0, NULL},
};

#define USAGE_COLUMNS 88

/* Prints word at column *col, on a new line indented by `indent` when it would go past
 * USAGE_COLUMNS. */
static void usage_word(FILE *out, const char *word, size_t indent, size_t *col)
{
    size_t w = strlen(word);
    if (*col + 1 + w > USAGE_COLUMNS)
        fprintf(out, "\n%*s", (int)indent, ""), *col = indent;
    else
        fputc(' ', out), (*col)++;
    fputs(word, out);
    *col += w;
}

/* "--days N", "--days N ..." (list) or "--approve": an option for the usage text. */
static void opt_word(char *word, size_t len, const struct action_opt *o)
{
    snprintf(word, len, "--%s%s%s%s", o->flag, o->meta ? " " : "", o->meta ? o->meta : "",
             o->kind == ARG_LIST ? " ..." : "");
}

/* "ID --reason TEXT [--note TEXT] (--approve|--refuse) [--actor NAME]" for the action,
 * after the command's name (already printed, `col` columns). */
static void action_usage(FILE *out, const struct action *a, size_t col)
{
    size_t n = a ? action_nall(a) : 0, indent = col + 1;
    char word[160], one[72], two[72];
    if (!a)   /* a command table entry without its action: nothing to say */
        return;
    if (a->pos)
        usage_word(out, a->pos, indent, &col);
    for (size_t i = 0; i < n; i++) {
        const struct action_opt *o = action_opt_at(a, i), *next = action_opt_at(a, i + 1);
        int pair = i + 1 < action_nopts(a) && o->need == ARG_ONE_OF &&
                   next->need == ARG_ONE_OF && strcmp(o->member, next->member) == 0;
        opt_word(one, sizeof one, o);
        if (pair) {   /* two flags for one member: (--approve|--refuse) */
            opt_word(two, sizeof two, next);
            snprintf(word, sizeof word, "(%s|%s)", one, two), i++;
        } else {
            snprintf(word, sizeof word, o->need == ARG_REQUIRED ? "%s" : "[%s]", one);
        }
        usage_word(out, word, indent, &col);
    }
}

static void usage(FILE *out)
{
    fputs("usage: jiefenctl [--data DIR] [--json] COMMAND [ARGS]\n\n"
          "  --data DIR  the node's data directory (default $JIEFEN_DATA, else .)\n"
          "  --json      print the API's JSON instead of tables\n\ncommands:\n", out);
    for (const struct command *c = commands; c->name; c++) {
        int col = fprintf(out, "  %s%s%s", c->name, c->sub ? " " : "", c->sub ? c->sub : "");
        if (c->args)
            fprintf(out, "%s%s", c->args[0] ? " " : "", c->args);
        else
            action_usage(out, find_action(c->name, c->sub), col > 0 ? (size_t)col : 0);
        fputc('\n', out);
    }
    fputs("\n--party takes role=R,name=N,id=ID,phone=P,address=A (a value cannot hold ',').\n"
          "FILE - is standard input. A directive ID is ORIGIN/SEQ, as directive list shows.\n"
          "case route needs --department or --lead-unit (or both). --actor NAME is who acts\n"
          "(recorded in the case file; default admin). METHOD: people, administrative,\n"
          "judicial, lawyer or specialist.\n"
          "DATE is YYYY-MM-DD, the node's local date. KIND: daily (villages), weekly\n"
          "(townships), monthly (counties and above) or ledger (every tier); a report's\n"
          "period is given by its first day (default: the current one). report export\n"
          "writes the ledger (--from, --to), or with --kind the report of --node (default\n"
          "this node) as submitted; --out - writes to standard output; an existing FILE is\n"
          "kept unless --force.\n"
          "user add and user passwd ask for the password twice at the terminal (not shown),\n"
          "or read one line of standard input with --password-stdin (for scripts).\n"
          "exit: 0 ok, 1 refused, 2 usage, 3 jiefend unreachable, 4 verify found problems,\n"
          "      5 jiefend failed\n", out);
}

/* Finds the command argv names; *words is how many words name it. */
static const struct command *find_command(int argc, char **argv, int *words)
{
    for (const struct command *c = commands; c->name; c++) {
        if (strcmp(c->name, argv[0]) != 0)
            continue;
        if (!c->sub) {
            *words = 1;
            return c;
        }
        if (argc > 1 && strcmp(c->sub, argv[1]) == 0) {
            *words = 2;
            return c;
        }
    }
    return NULL;
}

/* "new, list or show": the second words of the commands named `name`, malloc'd; NULL
 * when `name` has none (or out of memory). */
static char *sub_words(const char *name)
{
    const char *words[32];
    size_t n = 0;
    for (const struct command *c = commands; c->name; c++) {
        if (!c->sub || strcmp(c->name, name) != 0 || (n && strcmp(words[n - 1], c->sub) == 0))
            continue;
        if (n < sizeof words / sizeof words[0])
            words[n++] = c->sub;
    }
    char *s = NULL;
    size_t len = 0;
    FILE *f = n ? open_memstream(&s, &len) : NULL;
    if (!f)
        return NULL;
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", words[i]);
    if (fclose(f) != 0) {
        free(s);
        return NULL;
    }
    return s;
}

/* No command matched argv: says why, as a usage error. */
static int unknown_command(int argc, char **argv)
{
    char *subs = sub_words(argv[0]);
    int rc;
    if (subs && argc > 1)
        rc = usage_error("unknown command '%s %s'", argv[0], argv[1]);
    else if (subs)
        rc = usage_error("%s needs %s", argv[0], subs);
    else
        rc = usage_error("unknown command '%s'", argv[0]);
    free(subs);
    return rc;
}

static int dispatch(struct ctl *ctl, int argc, char **argv)
{
    int words = 0;
    const struct command *c = find_command(argc, argv, &words);
    if (!c)
        return unknown_command(argc, argv);
    argc -= words - 1, argv += words - 1;   /* argv[0] is now the last command word */
    if ((c->flags & CMD_NO_ARGS) && argc != 1)
        return usage_error("%s takes no arguments", argv[0]);
    if (c->flags & CMD_ONE_ARG) {
        int dashdash = argc == 3 && strcmp(argv[1], "--") == 0;   /* "show -- -odd-id" */
        if (dashdash)
            argv[1] = argv[0], argc--, argv++;
        if (argc != 2 || !argv[1][0] || (argv[1][0] == '-' && !dashdash))
            return usage_error("%s %s takes exactly one argument: %s", c->name, argv[0],
                               c->args);
    }
    ctl->cmd = c;
    return c->run(ctl, argc, argv);
}

/* ---- main ---------------------------------------------------------------------------- */

/* Parses the options before the command; returns -1 to go on, else the exit code. */
static int parse_globals(int argc, char **argv, struct ctl *ctl)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        if (c == 'd')
            ctl->dir = optarg;
        else if (c == 'j')
            ctl->json = 1;
        else if (c == 'h')
            return usage(stdout), EXIT_OK;
        else
            return bad_option(c, argv);
    }
    if (optind >= argc)
        return usage_error("no command");
    if (!ctl->dir || !ctl->dir[0]) {
        const char *env = getenv("JIEFEN_DATA");
        ctl->dir = env && env[0] ? env : ".";
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct ctl ctl = {NULL, 0, NULL, 0, NULL};
    int rc = parse_globals(argc, argv, &ctl);
    if (rc >= 0)
        return rc;
    tzset();
    if (!(ctl.client = ctl_client_new())) {
        say("cannot start libcurl (out of memory?)");
        return EXIT_REFUSED;
    }
    int first = optind;
    rc = dispatch(&ctl, argc - first, argv + first);
    ctl_client_destroy(&ctl.client);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        say("cannot write the output: %s", strerror(errno));
        return rc ? rc : EXIT_REFUSED;
    }
    return rc;
}
