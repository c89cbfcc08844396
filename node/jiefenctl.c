/*
 * jiefenctl — the control tool of a Jiefen node (docs/cli.md). Each command is one entry
 * of a table {name, handler, flags}; a handler checks its arguments (a usage error never
 * reaches the daemon), makes its request through ctl_client, and prints either tables for
 * people or, with --json, the API's JSON. The exit code reflects the daemon's answer.
 */
#include "ctl_client.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

struct ctl {
    const char *dir;        /* the node's data directory */
    int json;               /* --json: print the API's JSON */
    ctl_client *client;     /* created at start, opened on the first request */
    int opened;             /* client holds the node's address and token */
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

static int print_status(const json_t *r)
{
    const json_t *node = json_object_get(r, "node"), *log = json_object_get(r, "log");
    char n[24], size[64];
    char *counts = case_counts(json_object_get(r, "cases"));
    struct table t = {.ncols = 2};
    int rc = !counts || kv(&t, "node id", jstr(node, "id")) ||
             kv(&t, "name", jstr(node, "name")) || kv(&t, "tier", jstr(node, "tier")) ||
             kv(&t, "version", jstr(r, "version")) ||
             kv(&t, "log events", jnum(log, "events", n, sizeof n)) ||
             kv(&t, "head hash", jstr(log, "head_hash")) || kv(&t, "cases", counts) ||
             kv(&t, "store size", size_text(json_object_get(r, "store"), size, sizeof size));
    if (rc == 0)
        table_print(&t, 0);
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

static int case_row(struct table *t, const json_t *c)
{
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
    struct table t = {.ncols = 7};
    int rc = table_add(&t, head);
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        if (rc == 0)
            rc = case_row(&t, c);
    }
    if (rc == 0)
        table_print(&t, 0);
    table_free(&t);
    return rc ? out_of_memory() : EXIT_OK;
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

static int case_fields(struct table *t, const json_t *c)
{
    char a[32], b[32], d[32], n1[24], n2[24];
    const char *cat = jstr(c, "category_name");
    return kv(t, "案件编号", jstr(c, "id")) ||
           kv(t, "状态", vocab_name(statuses, jstr(c, "status"))) ||
           kv(t, "类别", cat[0] ? cat : jstr(c, "category")) ||
           kv(t, "归口部门", jstr(c, "department")) ||
           kv(t, "事项类型", vocab_name(matter_types, jstr(c, "matter_type"))) ||
           kv(t, "村", jstr(c, "village")) ||
           kv(t, "来源", vocab_name(sources, jstr(c, "source"))) ||
           kv(t, "复杂程度", vocab_name(complexities, jstr(c, "complexity"))) ||
           kv(t, "风险", vocab_name(risks, jstr(c, "risk"))) ||
           kv(t, "摘要", jstr(c, "summary")) ||
           kv(t, "承办节点", jstr(c, "holder")) ||
           kv(t, "受理节点", jstr(c, "opened_at_node")) ||
           kv(t, "受理时间", jtime(c, "opened_ms", "%Y-%m-%d %H:%M", a, sizeof a)) ||
           kv(t, "办理期限", jtime(c, "due_ms", "%Y-%m-%d %H:%M", b, sizeof b)) ||
           kv(t, "更新时间", jtime(c, "updated_ms", "%Y-%m-%d %H:%M", d, sizeof d)) ||
           kv(t, "当事人数", jnum(c, "party_count", n1, sizeof n1)) ||
           kv(t, "事件数", jnum(c, "event_count", n2, sizeof n2));
}

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

static int history_rows(struct table *t, const json_t *history)
{
    static const char *const head[6] = {"序号", "节点", "时间", "操作人", "事件", "签名"};
    size_t i;
    json_t *h;
    if (table_add(t, head))
        return -1;
    json_array_foreach(history, i, h) {
        char seq[24], when[32];
        json_t *ok = json_object_get(h, "signature_ok");
        const char *row[6] = {jnum(h, "seq", seq, sizeof seq), jstr(h, "origin"),
                              jtime(h, "time_ms", "%Y-%m-%d %H:%M:%S", when, sizeof when),
                              jstr(h, "actor"), jstr(h, "kind"),
                              json_is_true(ok) ? "✓" : json_is_false(ok) ? "✗" : "?"};
        if (table_add(t, row))
            return -1;
    }
    return 0;
}

static int print_case_file(const json_t *r)
{
    struct table fields = {.ncols = 2}, parties = {.ncols = 5}, history = {.ncols = 6};
    int rc = case_fields(&fields, json_object_get(r, "case")) ||
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
    {"verify", NULL, cmd_verify, CMD_NO_ARGS, ""},
    {NULL, NULL, NULL, 0, NULL},
};

static void usage(FILE *out)
{
    fputs("usage: jiefenctl [--data DIR] [--json] COMMAND [ARGS]\n\n"
          "  --data DIR  the node's data directory (default $JIEFEN_DATA, else .)\n"
          "  --json      print the API's JSON instead of tables\n\ncommands:\n", out);
    for (const struct command *c = commands; c->name; c++)
        fprintf(out, "  %s%s%s%s%s\n", c->name, c->sub ? " " : "", c->sub ? c->sub : "",
                c->args[0] ? " " : "", c->args);
    fputs("\n--party takes role=R,name=N,id=ID,phone=P,address=A (a value cannot hold ',').\n"
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

static int dispatch(struct ctl *ctl, int argc, char **argv)
{
    int words = 0;
    const struct command *c = find_command(argc, argv, &words);
    if (!c && strcmp(argv[0], "case") == 0 && argc > 1)
        return usage_error("unknown command 'case %s'", argv[1]);
    if (!c && strcmp(argv[0], "case") == 0)
        return usage_error("case needs new, list or show");
    if (!c)
        return usage_error("unknown command '%s'", argv[0]);
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
    struct ctl ctl = {NULL, 0, NULL, 0};
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
