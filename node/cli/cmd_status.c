/*
 * cmd_status — `status` (the node, its log, cases, store and links, from GET
 * /api/v1/status) and `verify` (POST /api/v1/verify: the log and the cases checked; exit 4
 * when it found problems). Tables for people, or the API's JSON with --json.
 */
#include "cmd.h"

#include "api.h"
#include "field.h"
#include "msg.h"
#include "table.h"
#include "text.h"
#include "vocab.h"

#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "11 (办理中 11, 已上报 0, …)": the integer at total_key of o, then the members of the
 * object at by_key, named through `names` (NULL: by their keys), those that are not a
 * number above 0 left out unless `all`. Malloc'd; NULL when out of memory. */
static char *counts_text(const json_t *o, const char *total_key, const char *by_key,
                         const struct vocab *names, int all)
{
    char *s = NULL, n[24];
    size_t len = 0;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    fputs(field_num(o, total_key, n, sizeof n), f);
    const char *key, *sep = " (";
    json_t *v;
    json_object_foreach(json_object_get(o, by_key), key, v) {
        if (!all && (!json_is_integer(v) || json_integer_value(v) == 0))
            continue;
        fprintf(f, "%s%s %" JSON_INTEGER_FORMAT, sep, names ? vocab_name(names, key) : key,
                json_integer_value(v));
        sep = ", ";
    }
    if (sep[0] == ',')
        fputc(')', f);
    return text_stream_end(f, &s, 0);
}

/* "3 (gap 2, bad_signature 1)": a link's rejected total and the reasons that are not
 * zero, malloc'd; NULL when out of memory. */
static char *rejected_text(const json_t *link)
{
    return counts_text(link, "rejected_total", "rejected", NULL, 0);
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

/* The disk under the store: the server's words while writes are stopped for it
 * ("磁盘空间不足：剩余 3 MiB，至少需要 64 MiB；只读运行中"), else "5120 MiB free (writes
 * stop below 64 MiB)", into buf. */
static const char *disk_text(const json_t *disk, char *buf, size_t len)
{
    json_t *msg = json_object_get(disk, "message");
    json_t *avail = json_object_get(disk, "free_bytes"), *min = json_object_get(disk, "min_free_bytes");
    if (json_is_string(msg))
        snprintf(buf, len, "%s [disk_full]", json_string_value(msg));
    else if (json_is_integer(avail) && json_is_integer(min))
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT " MiB free (writes stop below %"
                 JSON_INTEGER_FORMAT " MiB)", json_integer_value(avail) >> 20,
                 json_integer_value(min) >> 20);
    else
        return "-";
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

/* The parent link as rows of the status table: "c-helan, 在线 since …", endpoint, backlog
 * up with the age of the oldest event (against the daemon's clock `now`), last ack,
 * rejected. */
static int parent_rows(struct table *t, const json_t *p, json_int_t now)
{
    char since[32], ack[32], n[24], age[32];
    char *line = NULL, *backlog = NULL, *rejected = rejected_text(p);
    json_t *oldest = json_object_get(p, "backlog_up_oldest_ms");
    field_time_set(p, "since_ms", since, sizeof since);
    field_time_set(p, "last_ack_ms", ack, sizeof ack);
    field_num(p, "backlog_up", n, sizeof n);
    int rc = !rejected ||
             asprintf(&line, "%s, %s%s%s", field_str(p, "peer"),
                      json_is_true(json_object_get(p, "online")) ? "在线" : "离线",
                      since[0] != '-' ? " since " : "", since[0] != '-' ? since : "") < 0;
    if (rc == 0 && json_is_integer(oldest))
        rc = asprintf(&backlog, "%s (oldest %s old)", n,
                      age_text(now - json_integer_value(oldest), age, sizeof age)) < 0;
    else if (rc == 0)
        rc = !(backlog = strdup(n));
    if (rc == 0)
        rc = table_kv(t, "parent", line) || table_kv(t, "endpoint", field_str(p, "endpoint")) ||
             table_kv(t, "backlog up", backlog) ||
             table_kv(t, "last ack", ack[0] != '-' ? ack : "never") ||
             table_kv(t, "rejected", rejected);
    free(backlog);
    free(line);
    free(rejected);
    return rc;
}

/* The clock check of `peer` in status "clock" (NULL if not measured yet). */
static const json_t *clock_of(const json_t *clock, const char *peer)
{
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(clock, "peers"), i, p)
        if (strcmp(field_str(p, "peer"), peer) == 0)
            return p;
    return NULL;
}

/* A child's clock against ours: "正常", or "快 3 天 (需校准)", into buf. */
static const char *child_clock_text(const json_t *clock, const char *peer, char *buf,
                                    size_t len)
{
    const json_t *p = clock_of(clock, peer);
    if (!p)
        return "-";
    if (!json_is_true(json_object_get(p, "skewed")))
        return "正常";
    snprintf(buf, len, "%s (需校准)", field_str(p, "text"));
    return buf;
}

/* One row per child: peer, 在线/离线 (and 已撤销), since, last contact, backlog down,
 * rejected, clock (arg: status "clock"). */
static int child_row(struct table *t, const json_t *c, const void *arg)
{
    char since[32], last[32], n[24], clock[96];
    char *rejected = rejected_text(c);
    int online = json_is_true(json_object_get(c, "online"));
    int revoked = json_is_true(json_object_get(c, "revoked"));
    const char *row[7] = {field_str(c, "peer"),
                          revoked ? (online ? "在线 (已撤销)" : "离线 (已撤销)")
                                  : (online ? "在线" : "离线"),
                          field_time_set(c, "since_ms", since, sizeof since),
                          field_time_set(c, "last_contact_ms", last, sizeof last),
                          field_num(c, "backlog_down", n, sizeof n), rejected,
                          child_clock_text(arg, field_str(c, "peer"), clock, sizeof clock)};
    int rc = !rejected || table_add(t, row);
    free(rejected);
    return rc ? -1 : 0;
}

/* The last backup: "2026-12-07 03:40:00 /var/backups/x (1234 字节)", its error, or "-";
 * and "已恢复，尚未从上级取回本节点的事件（暂停写入）" while a restored node catches up. */
static const char *backup_text(const json_t *b, char *buf, size_t len)
{
    char when[32], n[24];
    const char *err = field_str(b, "last_error");
    if (json_is_true(json_object_get(b, "restored")))
        snprintf(buf, len, "已恢复，尚未从上级取回本节点的事件（暂停写入）[restored_catching_up]");
    else if (!json_object_get(b, "last_time_ms"))
        snprintf(buf, len, "-");
    else if (*err)
        snprintf(buf, len, "%s 失败：%s", field_time_set(b, "last_time_ms", when, sizeof when),
                 err);
    else
        snprintf(buf, len, "%s %s (%s 字节)", field_time_set(b, "last_time_ms", when, sizeof when),
                 field_str(b, "last_path"), field_num(b, "last_bytes", n, sizeof n));
    return buf;
}

/* The rows of the node itself: id, name, tier, version, log, cases, store. 0, or -1 out of
 * memory. */
static int node_rows(struct table *t, const json_t *r)
{
    const json_t *node = json_object_get(r, "node"), *log = json_object_get(r, "log");
    char n[24], size[64], format[24], disk[256], backup[PATH_MAX + 128];
    char *counts = counts_text(json_object_get(r, "cases"), "total", "by_status",
                               vocab_statuses, 1);
    int rc = !counts || table_kv(t, "node id", field_str(node, "id")) ||
             table_kv(t, "name", field_str(node, "name")) ||
             table_kv(t, "tier", field_str(node, "tier")) ||
             table_kv(t, "version", field_str(r, "version")) ||
             table_kv(t, "log events", field_num(log, "events", n, sizeof n)) ||
             table_kv(t, "head hash", field_str(log, "head_hash")) ||
             table_kv(t, "cases", counts) ||
             table_kv(t, "store size", size_text(json_object_get(r, "store"), size, sizeof size)) ||
             table_kv(t, "store format",
                      field_num(json_object_get(r, "store"), "format", format, sizeof format)) ||
             table_kv(t, "disk", disk_text(json_object_get(r, "disk"), disk, sizeof disk)) ||
             table_kv(t, "backup",
                      backup_text(json_object_get(r, "backup"), backup, sizeof backup));
    free(counts);
    return rc ? -1 : 0;
}

/* "5 (未登记的密钥 4, 未加密的连接 1)": connections refused at the children's
 * socket, malloc'd; NULL when out of memory. */
static char *refused_text(const json_t *refused)
{
    json_int_t total = 0;
    const char *reason;
    json_t *v, *o = json_object();
    json_object_foreach((json_t *)refused, reason, v)
        total += json_integer_value(v);
    json_object_set_new(o, "total", json_integer(total));
    json_object_set(o, "by_reason", (json_t *)refused);
    char *text = counts_text(o, "total", "by_reason", vocab_refusals, 0);
    json_decref(o);
    return text;
}

static int print_status(const json_t *r)
{
    static const char *const kids_head[7] = {"下级", "状态", "状态起始", "最后联系", "待下发",
                                             "拒收", "时钟"};
    const json_t *links = json_object_get(r, "links");
    const json_t *parent = json_object_get(links, "parent");
    const json_t *children = json_object_get(links, "children");
    json_t *now = json_object_get(r, "now_ms");
    const json_t *clock = json_object_get(r, "clock");
    struct table t = {.ncols = 2}, kids = {.ncols = 7};
    int rc = node_rows(&t, r);
    if (rc == 0 && json_is_object(parent))
        rc = parent_rows(&t, parent, json_is_integer(now) ? json_integer_value(now) : 0);
    else if (rc == 0 && links)
        rc = table_kv(&t, "parent", "none");
    const json_t *refused = json_object_get(links, "refused");
    if (rc == 0 && json_object_size(refused)) {
        char *text = refused_text(refused);
        rc = !text || table_kv(&t, "refused connections", text);
        free(text);
    }
    /* The parent is the reference: only a child's clock can be wrong against it. */
    if (rc == 0 && json_is_object(parent) && clock)
        rc = table_kv(&t, "clock", json_is_true(json_object_get(clock, "skewed"))
                                       ? field_str(clock, "text")
                                       : clock_of(clock, field_str(parent, "peer")) ? "正常"
                                                                                   : "-");
    if (rc == 0 && json_array_size(children))
        rc = table_fill(&kids, kids_head, children, child_row, clock);
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
    return rc ? msg_oom() : EXIT_OK;
}

int cmd_status(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    json_t *r;
    int rc = api_call(ctl, "GET", "/api/v1/status", NULL, 0, &r);
    if (rc)
        return rc;
    rc = ctl->json ? api_print_json(r) : print_status(r);
    json_decref(r);
    return rc;
}

static void print_problem(const json_t *p)
{
    char seq[24];
    const char *c = field_str(p, "case"), *origin = field_str(p, "origin");
    if (c[0]) {
        fputs("case ", stdout);
        text_put_clean(c, stdout);
        fputs(origin[0] ? ", " : ": ", stdout);
    }
    if (origin[0]) {
        fputs("event ", stdout);
        text_put_clean(origin, stdout);
        printf("/%s: ", field_num(p, "seq", seq, sizeof seq));
    }
    text_put_clean(field_str(p, "problem"), stdout);
    putchar('\n');
}

static void print_verify(const json_t *r, int ok)
{
    char ev[24], cs[24];
    json_t *problems = json_object_get(r, "problems"), *count;
    field_num(r, "events_checked", ev, sizeof ev);
    field_num(r, "cases_checked", cs, sizeof cs);
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

int cmd_verify(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    json_t *r;
    int rc = api_call(ctl, "POST", "/api/v1/verify", NULL, 0, &r);
    if (rc)
        return rc;
    json_t *ok = json_object_get(r, "ok");
    if (!json_is_boolean(ok))
        rc = api_unexpected("no \"ok\"");
    else if (ctl->json)
        rc = api_print_json(r);
    else
        print_verify(r, json_is_true(ok));
    if (rc == 0 && json_is_false(ok))
        rc = EXIT_PROBLEMS;
    json_decref(r);
    return rc;
}
