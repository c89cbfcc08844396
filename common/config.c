#include "config.h"
#include "crypto.h"
#include "error.h"
#include "log.h"
#include "jiefen.pb-c.h"

#include <errno.h>
#include <fcntl.h>
#include <ini.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum opt_type { OPT_STRING, OPT_INT, OPT_TIER, OPT_ADDR, OPT_LEVEL, OPT_ID, OPT_BOOL,
                OPT_APPROVALS, OPT_SWITCH };

struct option_def {
    const char *section, *name;
    enum opt_type type;
    size_t offset, size; /* size: buffer size for strings */
    long min, max;
    const char *def;     /* default as text; NULL means required */
    const char *doc;
};

#define OFF(f) offsetof(struct config, f), sizeof(((struct config *)0)->f)

static const struct option_def options[] = {
    {"node", "id", OPT_ID, OFF(node_id), 0, 0, NULL,
     "Node id, unique across the tree: 1-32 of a-z, 0-9 and '-'. Never change it."},
    {"node", "name", OPT_STRING, OFF(node_name), 1, 0, NULL,
     "Name of the centre as staff know it, e.g. 东村."},
    {"node", "tier", OPT_TIER, OFF(tier), 0, 0, NULL,
     "Tier of this centre: village, township, county, city or province."},
    {"node", "time_zone", OPT_STRING, OFF(time_zone), 1, 0, "Asia/Shanghai",
     "Time zone for deadlines, report periods and case-number years."},
    {"http", "listen", OPT_ADDR, 0, 0, 0, 0, "127.0.0.1:7800",
     "HOST:PORT of the HTTP API and console; port 0 picks a free port."},
    {"http", "header_timeout_s", OPT_INT, OFF(http_header_timeout_s), 1, 300, "10",
     "Seconds from a request's first byte to the end of its headers, however slowly they "
     "come; then 408 and the connection is closed."},
    {"http", "body_timeout_s", OPT_INT, OFF(http_body_timeout_s), 1, 3600, "30",
     "Seconds from a request's first byte to the end of its body."},
    {"http", "idle_timeout_s", OPT_INT, OFF(http_idle_timeout_s), 1, 3600, "20",
     "Seconds a keep-alive connection may wait without a request."},
    {"http", "stall_timeout_s", OPT_INT, OFF(http_stall_timeout_s), 1, 3600, "120",
     "Seconds a streamed answer (a case's archive, the event stream) may wait for its "
     "client to take any of what is queued; then it is cut off."},
    {"http", "max_connections", OPT_INT, OFF(http_max_connections), 0, 1000000, "0",
     "Open connections at most; beyond, the one idle the longest makes room, or 503. "
     "0: three quarters of the fd limit (lowered to that at start if set higher)."},
    {"http", "max_per_address", OPT_INT, OFF(http_max_per_address), 0, 1000000, "0",
     "Open connections from one client address at most; beyond, 503. "
     "0: a quarter of max_connections."},
    {"http", "pipeline", OPT_INT, OFF(http_pipeline), 1, 1024, "32",
     "Requests of one connection handled at once (pipelining); answers keep their order."},
    {"store", "map_size_mb", OPT_INT, OFF(map_size_mb), 1, 1 << 20, "16384",
     "Initial LMDB map size in MiB: address space, not disk (the file grows with the data); "
     "it doubles by itself when full, which waits for exports and other long reads."},
    {"store", "max_map_mb", OPT_INT, OFF(max_map_mb), 0, 1 << 30, "0",
     "Ceiling of the map in MiB: it never grows past this (then writes are refused with "
     "disk_full, reads go on); 0: no ceiling."},
    {"store", "min_free_mb", OPT_INT, OFF(min_free_mb), 0, 1 << 30, "64",
     "Free disk space in MiB to keep under the store: below it the node takes no new "
     "writes (507 disk_full) and keeps serving reads and links; 0: not checked."},
    {"backup", "dir", OPT_STRING, OFF(backup_dir), 0, 0, "",
     "Directory of the periodic backups (backup-YYYYMMDD-HHMMSS each); empty: none."},
    {"backup", "every", OPT_INT, OFF(backup_every_min), 1, 525600, "1440",
     "Minutes between periodic backups (the first one soon after start when the newest "
     "in dir is older)."},
    {"backup", "keep", OPT_INT, OFF(backup_keep), 1, 10000, "7",
     "Periodic backups kept in dir; older ones are removed after each new one."},
    {"linkage", "key_file", OPT_STRING, OFF(linkage_key_file), 0, 0, "",
     "File of the county-wide linkage key (32 bytes in hex, mode 0600) the parties' ID "
     "numbers are tagged with for the linkage rates (docs/ledger.md); empty: no tags."},
    {"linkage", "population", OPT_INT, OFF(linkage_population), 0, 100000000, "0",
     "Residents of this node's village, for 万人成讼率 (docs/ledger.md); 0: not known."},
    {"linkage", "villages", OPT_STRING, OFF(linkage_villages), 0, 0, "",
     "Residents of the villages below this node, \"NODE_ID:N,NODE_ID:N\" (docs/ledger.md)."},
    {"limits", "simple_days", OPT_INT, OFF(simple_days), 1, 90, "3",
     "Time limit of a simple dispute, in days (限时办结)."},
    {"limits", "complex_days", OPT_INT, OFF(complex_days), 1, 180, "7",
     "Time limit of a complex dispute, in days."},
    {"limits", "working_days", OPT_BOOL, OFF(working_days), 0, 0, "no",
     "yes: limits count working days (Monday-Friday, adjusted by the holidays file)."},
    {"limits", "holidays", OPT_STRING, OFF(holidays), 0, 0, "",
     "Holiday calendar (lines 'YYYY-MM-DD off' or 'YYYY-MM-DD work'), for working_days."},
    {"limits", "warn_hours", OPT_INT, OFF(warn_hours), 0, 720, "24",
     "Warn the holder this many hours before a time limit; 0: no warning."},
    {"limits", "followup_days", OPT_INT, OFF(followup_days), 1, 90, "15",
     "The follow-up visit (回访) of a closed case is due this many days after closing."},
    {"limits", "overdue_escalates", OPT_BOOL, OFF(overdue_escalates), 0, 0, "no",
     "yes: a case still open at its limit also escalates to the parent."},
    {"escalation", "failed_attempts", OPT_INT, OFF(failed_attempts), 0, 20, "0",
     "Failed mediation attempts before a case escalates (3221 rule); 0: 3 at a village, "
     "2 at other tiers."},
    {"risk", "blue_official", OPT_STRING, OFF(risk_official[0]), 1, 0, "调解员",
     "Who answers for a blue-risk case (四色管控)."},
    {"risk", "yellow_official", OPT_STRING, OFF(risk_official[1]), 1, 0, "中心主任",
     "Who answers for a yellow-risk case."},
    {"risk", "orange_official", OPT_STRING, OFF(risk_official[2]), 1, 0, "乡镇党委书记",
     "Who answers for an orange-risk case."},
    {"risk", "red_official", OPT_STRING, OFF(risk_official[3]), 1, 0, "县委政法委书记",
     "Who answers for a red-risk case."},
    {"warning", "category_cases", OPT_INT, OFF(warn_category_cases), 0, 1000, "0",
     "预测预警: this many cases of one category in one village ... (0: rule off; "
     "3 to 5 suits a village)."},
    {"warning", "category_days", OPT_INT, OFF(warn_category_days), 1, 365, "7",
     "... within this many days raise a warning."},
    {"warning", "escalations", OPT_INT, OFF(warn_escalations), 0, 100, "2",
     "A case escalated this many times ... (0: rule off)."},
    {"warning", "escalation_days", OPT_INT, OFF(warn_escalation_days), 1, 365, "7",
     "... within this many days raises a warning."},
    {"warning", "party_cases", OPT_INT, OFF(warn_party_cases), 0, 100, "0",
     "One party (the same ID number) in this many open cases raises a warning (0: rule "
     "off; 3 suits most centres)."},
    {"warning", "red_risk", OPT_BOOL, OFF(warn_red), 0, 0, "yes",
     "A case taken in or set at red risk raises a warning."},
    {"link", "listen", OPT_STRING, OFF(link_listen), 0, 0, "",
     "ZeroMQ endpoint where children connect, e.g. tcp://0.0.0.0:7900; empty: no children."},
    {"link", "parent", OPT_STRING, OFF(link_parent), 0, 0, "",
     "Parent's endpoint; empty: the one given at enrolment."},
    {"link", "throttle_invalid", OPT_INT, OFF(link_throttle_invalid), 1, 1000000, "100",
     "A child whose batches carry this many badly signed or unreadable envelopes within "
     "throttle_window_s is refused unread for throttle_cooldown_s."},
    {"link", "throttle_window_s", OPT_INT, OFF(link_throttle_window_s), 1, 86400, "60",
     "The window in which a child's invalid envelopes are counted towards its throttle."},
    {"link", "throttle_cooldown_s", OPT_INT, OFF(link_throttle_cooldown_s), 1, 86400, "60",
     "How long a throttled child's up batches are refused without being checked."},
    {"link", "min_protocol", OPT_INT, OFF(link_min_protocol), 1, 2, "1",
     "Oldest link protocol a child may speak (1: releases before the version was sent; "
     "this release speaks 2); older children are refused, counted as protocol_too_old."},
    {"link", "clock_skew_seconds", OPT_INT, OFF(clock_skew_seconds), 1, 2592000, "120",
     "A clock further than this from its parent's is reported as skewed (the parent is "
     "the reference)."},
    {"recovery", "public_key", OPT_STRING, OFF(recovery_public_key), 0, 0, "",
     "The county's recovery key (jiefend recovery-key): sealed parts are also sealed to "
     "it, for a node rebuilt from its parent. Empty: none."},
    {"documents", "max_file_kb", OPT_INT, OFF(doc_max_file_kb), 1, 4 << 20, "20480",
     "Largest document that may be attached to a case, in KiB (20 MiB)."},
    {"documents", "max_case_kb", OPT_INT, OFF(doc_max_case_kb), 1, 64 << 20, "204800",
     "All the documents of one case together at most, in KiB (200 MiB)."},
    {"console", "session_idle_minutes", OPT_INT, OFF(session_idle_minutes), 1, 1440, "30",
     "A browser session unused this long ends (the user logs in again)."},
    {"console", "session_max_hours", OPT_INT, OFF(session_max_hours), 1, 720, "12",
     "A browser session ends this long after its login, used or not."},
    {"console", "lock_failures", OPT_INT, OFF(lock_failures), 3, 100, "5",
     "Failed logins in a row that lock an account (from the 4th attempt each waits longer)."},
    {"console", "lock_minutes", OPT_INT, OFF(lock_minutes), 1, 1440, "15",
     "How long a locked account stays locked (an administrator's `user enable` lifts it)."},
    {"auth", "device_binding", OPT_SWITCH, OFF(device_binding), 0, 0, "off",
     "一机一账号: on: a password login from a device an administrator has not approved is "
     "refused and asks for approval (docs/operations.md); off: any device."},
    {"access", "approval_for", OPT_APPROVALS, OFF(access_approval_for), 0, 0, "archive",
     "摘抄复印报批: what needs the director's approval first, a comma-separated list of "
     "archive, print and copy (empty: nothing)."},
    {"departments", "sign_hours", OPT_INT, OFF(dept_sign_hours), 1, 240, "2",
     "A department routed a case signs for it (签收) within this many working hours, or "
     "the centre's director is told; a department's own limit may replace it."},
    {"departments", "work_hours", OPT_STRING, OFF(work_hours), 1, 0, "08:30-17:30",
     "The working hours of a working day (local HH:MM-HH:MM), in which 签收 limits count."},
    {"log", "level", OPT_LEVEL, OFF(log_level), 0, 0, "info",
     "Least severe log level written: debug, info, warn or error."},
};
#define N_OPTIONS (sizeof options / sizeof options[0])
_Static_assert(N_OPTIONS <= 64, "too many options for load_ctx.seen");

static const char *tier_names[] = {NULL, "village", "township", "county", "city", "province"};

const char *config_tier_name(int tier)
{
    if (tier < 1 || tier > JIEFEN__TIER__TIER_PROVINCE)
        return NULL;
    return tier_names[tier];
}

int config_tier_parse(const char *name)
{
    for (int t = 1; t <= JIEFEN__TIER__TIER_PROVINCE; t++)
        if (strcmp(name, tier_names[t]) == 0)
            return t;
    return -1;
}

int config_valid_node_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > CONFIG_ID_MAX || id[0] == '-' || id[n - 1] == '-')
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= '0' && id[i] <= '9') || id[i] == '-'))
            return -1;
    return 0;
}

int config_parse_addr(const char *s, char *host, size_t hostlen, int *port)
{
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return -1;
    const char *h = s;
    size_t hl = (size_t)(colon - s);
    if (h[0] == '[') {
        if (hl < 3 || h[hl - 1] != ']')
            return -1;
        h++;
        hl -= 2;
    }
    if (hl + 1 > hostlen)
        return -1;
    char *end;
    long p = strtol(colon + 1, &end, 10);
    if (*end || end == colon + 1 || p < 0 || p > 65535)
        return -1;
    memcpy(host, h, hl);
    host[hl] = 0;
    *port = (int)p;
    return 0;
}

/* 0 if every item of [access] approval_for is archive, print or copy. */
static int approval_list_valid(const char *list)
{
    static const char *const known[] = {"archive", "print", "copy"};
    for (const char *p = list; *p; p += *p == ',') {
        size_t n = strcspn(p, ","), ok = 0;
        for (size_t i = 0; i < 3; i++)
            ok |= n == strlen(known[i]) && strncmp(p, known[i], n) == 0;
        if (!ok)
            return -1;
        p += n;
    }
    return 0;
}

/* Sets one option from text; returns NULL or a message saying what is wrong. */
static const char *option_set(const struct option_def *o, struct config *c, const char *v,
                              char *msg, size_t msglen)
{
    char *field = (char *)c + o->offset;
    char *end;
    long n;
    enum log_level lvl;
    switch (o->type) {
    case OPT_ID:
        if (config_valid_node_id(v))
            return "must be 1-32 of a-z, 0-9 and '-', not starting or ending with '-'";
        /* fall through */
    case OPT_APPROVALS:
        if (o->type == OPT_APPROVALS && approval_list_valid(v))
            return "must list archive, print or copy, separated by commas";
        /* fall through */
    case OPT_STRING:
        if (strlen(v) < (size_t)o->min)
            return "must not be empty";
        if (strlen(v) >= o->size)
            return "is too long";
        memcpy(field, v, strlen(v) + 1);
        return NULL;
    case OPT_INT:
        errno = 0;
        n = strtol(v, &end, 10);
        if (errno || *end || end == v || n < o->min || n > o->max) {
            snprintf(msg, msglen, "must be a whole number from %ld to %ld", o->min, o->max);
            return msg;
        }
        if (o->size == sizeof(int))
            *(int *)field = (int)n;
        else
            *(long *)field = n;
        return NULL;
    case OPT_TIER:
        if ((n = config_tier_parse(v)) < 0)
            return "must be village, township, county, city or province";
        *(int *)field = (int)n;
        return NULL;
    case OPT_LEVEL:
        if (log_level_parse(v, &lvl))
            return "must be debug, info, warn or error";
        *(int *)field = (int)lvl;
        return NULL;
    case OPT_ADDR:
        if (config_parse_addr(v, c->http_host, sizeof c->http_host, &c->http_port))
            return "must be HOST:PORT, e.g. 127.0.0.1:7800";
        return NULL;
    case OPT_BOOL:
        if (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0)
            *(int *)field = 1;
        else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0)
            *(int *)field = 0;
        else
            return "must be yes or no";
        return NULL;
    case OPT_SWITCH:
        if (strcmp(v, "on") && strcmp(v, "off"))
            return "must be on or off";
        *(int *)field = strcmp(v, "on") == 0;
        return NULL;
    }
    return "unknown option type";
}

void config_defaults(struct config *c)
{
    char msg[128];
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < N_OPTIONS; i++)
        if (options[i].def)
            option_set(&options[i], c, options[i].def, msg, sizeof msg);
    config_sms_defaults(&c->sms);
    config_interop_defaults(&c->interop);
}

struct load_ctx {
    struct config *c;
    FILE *f;
    int line, fail_line;
    char *err;
    size_t errlen;
    int failed;
    uint64_t seen; /* bit per option */
};

/* Debian's inih is built without INI_HANDLER_LINENO, so lines are counted by our own
 * reader; the handler sees the line it is called for in ctx->line. */
static char *load_reader(char *buf, int size, void *stream)
{
    struct load_ctx *ctx = stream;
    char *s = fgets(buf, size, ctx->f);
    if (s)
        ctx->line++;
    return s;
}

/* [routing] category = department: the category is checked by the node, which knows the
 * table; the line is kept for its message. */
static const char *add_route(struct config *c, const char *name, const char *value, int line)
{
    struct config_route *r = &c->routing[c->n_routing];
    if ((size_t)c->n_routing >= sizeof c->routing / sizeof c->routing[0])
        return "too many [routing] entries";
    if (!value[0])
        return "department must not be empty";
    if (strlen(name) >= sizeof r->category || strlen(value) >= sizeof r->department)
        return "is too long";
    snprintf(r->category, sizeof r->category, "%s", name);
    snprintf(r->department, sizeof r->department, "%s", value);
    r->line = line;
    c->n_routing++;
    return NULL;
}

static int load_handler(void *user, const char *section, const char *name, const char *value)
{
    struct load_ctx *ctx = user;
    char msg[160];
    if (ctx->failed)
        return 1;
    if (strcmp(section, "sms") == 0) {
        const char *why = config_sms_set(&ctx->c->sms, name, value, msg, sizeof msg);
        if (why) {
            snprintf(ctx->err, ctx->errlen, "[sms] %s %s", name, why);
            ctx->failed = 1;
            ctx->fail_line = ctx->line;
        }
        return 1;
    }
    if (strcmp(section, "interop") == 0) {
        const char *why = config_interop_set(&ctx->c->interop, name, value, msg, sizeof msg);
        if (why) {
            snprintf(ctx->err, ctx->errlen, "[interop] %s %s", name, why);
            ctx->failed = 1;
            ctx->fail_line = ctx->line;
        }
        return 1;
    }
    if (strncmp(section, "webhook ", 8) == 0) {
        const char *why = config_webhook_set(&ctx->c->webhooks, section, name, value, msg,
                                             sizeof msg);
        if (why) {
            snprintf(ctx->err, ctx->errlen, "[%s] %s %s", section, name, why);
            ctx->failed = 1;
            ctx->fail_line = ctx->line;
        }
        return 1;
    }
    if (strcmp(section, "routing") == 0) {
        const char *why = add_route(ctx->c, name, value, ctx->line);
        if (why) {
            snprintf(ctx->err, ctx->errlen, "[routing] %s %s", name, why);
            ctx->failed = 1;
            ctx->fail_line = ctx->line;
        }
        return 1;
    }
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct option_def *o = &options[i];
        if (strcmp(o->section, section) || strcmp(o->name, name))
            continue;
        const char *why = option_set(o, ctx->c, value, msg, sizeof msg);
        if (why) {
            snprintf(ctx->err, ctx->errlen, "[%s] %s %s (got \"%s\")", section, name, why,
                     value);
            ctx->failed = 1;
            ctx->fail_line = ctx->line;
            return 1;
        }
        ctx->seen |= UINT64_C(1) << i;
        return 1;
    }
    snprintf(ctx->err, ctx->errlen, "unknown option [%s] %s", section, name);
    ctx->failed = 1;
    ctx->fail_line = ctx->line;
    return 1;
}

/* [recovery] public_key is a key or nothing. */
static int check_recovery_key(const struct config *c, const char *path, char *err, size_t errlen)
{
    uint8_t pk[32];
    if (!c->recovery_public_key[0] || crypto_unhex(c->recovery_public_key, pk, sizeof pk) == 0)
        return 0;
    snprintf(err, errlen, "%s: [recovery] public_key must be 64 hex digits (as `jiefend "
                          "recovery-key` prints it)", path);
    return JF_ECONFIG;
}

/* [linkage] villages: "ID:N" entries (N > 0) separated by commas, spaces allowed. */
static int populations_valid(const char *s)
{
    char id[CONFIG_ID_MAX + 1];
    long n;
    int used;
    while (*s) {
        used = 0;
        if (sscanf(s, " %32[a-z0-9-] : %ld %n", id, &n, &used) != 2 || !used || n <= 0 ||
            config_valid_node_id(id))
            return 0;
        s += used;
        if (*s && *s++ != ',')
            return 0;
    }
    return 1;
}

int config_load(const char *path, struct config *c, char *err, size_t errlen)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        int e = errno;
        snprintf(err, errlen, "%s: %s", path, strerror(e));
        return -e;
    }
    config_defaults(c);
    struct load_ctx ctx = {c, f, 0, 0, err, errlen, 0, 0};
    int line = ini_parse_stream(load_reader, &ctx, load_handler, &ctx);
    fclose(f);
    if (ctx.failed && (line == 0 || ctx.fail_line < line)) {
        char why[CONFIG_ERR_MAX];
        snprintf(why, sizeof why, "%s", err);
        snprintf(err, errlen, "%s:%d: %s", path, ctx.fail_line, why);
        return JF_ECONFIG;
    }
    if (line != 0) {
        snprintf(err, errlen, "%s:%d: syntax error (expected [section] or name = value)",
                 path, line);
        return JF_ECONFIG;
    }
    for (size_t i = 0; i < N_OPTIONS; i++) {
        if (!options[i].def && !(ctx.seen & (UINT64_C(1) << i))) {
            snprintf(err, errlen, "%s: missing required option [%s] %s", path,
                     options[i].section, options[i].name);
            return JF_ECONFIG;
        }
    }
    if (!populations_valid(c->linkage_villages)) {
        snprintf(err, errlen, "%s: [linkage] villages must be NODE_ID:RESIDENTS,... (got \"%s\")",
                 path, c->linkage_villages);
        return JF_ECONFIG;
    }
    char msg[160];
    if (config_webhook_check(&c->webhooks, msg, sizeof msg)) {
        snprintf(err, errlen, "%s: %s", path, msg);
        return JF_ECONFIG;
    }
    return check_recovery_key(c, path, err, errlen);
}

int config_check(const struct config *c, char *err, size_t errlen)
{
    if (config_valid_node_id(c->node_id)) {
        snprintf(err, errlen, "node id \"%s\" must be 1-32 of a-z, 0-9 and '-'", c->node_id);
        return JF_ECONFIG;
    }
    if (!c->node_name[0]) {
        snprintf(err, errlen, "node name must not be empty");
        return JF_ECONFIG;
    }
    if (!config_tier_name(c->tier)) {
        snprintf(err, errlen, "tier must be village, township, county, city or province");
        return JF_ECONFIG;
    }
    return 0;
}

/* The current value of an option as it would be written in the file. */
static void option_format(const struct option_def *o, const struct config *c, char *buf,
                          size_t len)
{
    const char *field = (const char *)c + o->offset;
    static const char *levels[] = {"debug", "info", "warn", "error"};
    switch (o->type) {
    case OPT_ID:
    case OPT_APPROVALS:
    case OPT_STRING:
        snprintf(buf, len, "%s", field);
        break;
    case OPT_INT:
        snprintf(buf, len, "%ld", o->size == sizeof(int) ? (long)*(const int *)field
                                                        : *(const long *)field);
        break;
    case OPT_TIER:
        snprintf(buf, len, "%s", config_tier_name(*(const int *)field));
        break;
    case OPT_LEVEL:
        snprintf(buf, len, "%s", levels[*(const int *)field]);
        break;
    case OPT_ADDR:
        snprintf(buf, len, strchr(c->http_host, ':') ? "[%s]:%d" : "%s:%d", c->http_host,
                 c->http_port);
        break;
    case OPT_BOOL:
        snprintf(buf, len, "%s", *(const int *)field ? "yes" : "no");
        break;
    case OPT_SWITCH:
        snprintf(buf, len, "%s", *(const int *)field ? "on" : "off");
        break;
    }
}

int config_write(const char *path, const struct config *c)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
    if (fd < 0)
        return -errno;
    FILE *f = fdopen(fd, "w");
    if (!f) {
        close(fd);
        return -errno;
    }
    fprintf(f, "# jiefend configuration. Written by `jiefend init`; edit and check with\n"
               "# `jiefend --data DIR --check-config`. Unknown options are errors.\n");
    const char *section = "";
    char value[256];
    for (size_t i = 0; i < N_OPTIONS; i++) {
        const struct option_def *o = &options[i];
        if (strcmp(section, o->section)) {
            fprintf(f, "\n[%s]\n", o->section);
            section = o->section;
        }
        fprintf(f, "# %s", o->doc);
        if (o->type == OPT_INT)
            fprintf(f, " (%ld-%ld)", o->min, o->max);
        fprintf(f, o->def ? " Default: %s.\n" : " Required.\n", o->def);
        option_format(o, c, value, sizeof value);
        fprintf(f, "%s = %s\n", o->name, value);
    }
    fprintf(f, "\n[routing]\n# Responsible department (归口) per category code, overriding the "
               "default table,\n# e.g. land_ownership = 县自然资源局\n");
    for (int i = 0; i < c->n_routing; i++)
        fprintf(f, "%s = %s\n", c->routing[i].category, c->routing[i].department);
    config_sms_write(f, &c->sms);
    config_interop_write(f, &c->interop);
    config_webhook_write(f, &c->webhooks);
    int rc = 0;
    if (fflush(f) || fsync(fd))
        rc = -errno;
    fclose(f);
    return rc;
}
