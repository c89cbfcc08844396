/* api_core — the replies, parsers and grants every route module shares (api_core.h). */
#include "api/api_core.h"
#include "clock.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- replies ------------------------------------------------------------------------ */

/* On every answer: the console's pages may load only this node's own files and may not be
 * framed; nothing is sniffed into another type. */
#define SECURITY_HEADERS                                                                     \
    "X-Content-Type-Options: nosniff\r\nX-Frame-Options: DENY\r\n"                           \
    "Referrer-Policy: no-referrer\r\n"                                                        \
    "Content-Security-Policy: default-src 'self'; object-src 'none'; base-uri 'none'; "       \
    "form-action 'self'; frame-ancestors 'none'\r\n"

void reply_headers(struct api_call *c, int status, const char *type, const char *body,
                   size_t len, const char *headers)
{
    char all[1280];
    snprintf(all, sizeof all, "%s%s%s", SECURITY_HEADERS, headers ? headers : "", c->headers);
    http_respond(c->req, status, type, body, len, all);
    double secs = (double)(uv_hrtime() - c->t0) / 1e9;
    metrics_request(c->api->dep.metrics, c->route, status, secs);
    if (status >= 500)
        log_warn("api", "%s answered %d", c->route, status);
    free(c);
}

void reply_streamed(struct api_call *c)
{
    metrics_request(c->api->dep.metrics, c->route, 200, (double)(uv_hrtime() - c->t0) / 1e9);
    free(c);
}

void reply_raw(struct api_call *c, int status, const char *type, const char *body, size_t len)
{
    reply_headers(c, status, type, body, len, "Cache-Control: no-store\r\n");
}

void reply_file(struct api_call *c, const char *type, const char *filename, const char *body,
                size_t len)
{
    char headers[512];
    /* RFC 6266: an ASCII name for old clients; the names we make are ASCII. */
    snprintf(headers, sizeof headers,
             "Cache-Control: no-store\r\nContent-Disposition: attachment; filename=\"%s\"\r\n",
             filename);
    reply_headers(c, 200, type, body, len, headers);
}

void reply_json(struct api_call *c, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        static const char oom[] = "{\"error\":{\"code\":\"internal\",\"message\":\"内存不足\"}}";
        reply_raw(c, 500, "application/json", oom, sizeof oom - 1);
        return;
    }
    reply_raw(c, status, "application/json; charset=utf-8", text, strlen(text));
    free(text);
}

void reply_error(struct api_call *c, int status, const char *code, const char *field,
                 const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *e = json_pack("{s:s, s:s}", "code", code, "message", msg);
    if (field && field[0])
        json_object_set_new(e, "field", json_string(field));
    reply_json(c, status, json_pack("{s:o}", "error", e));
}

void reply_store_error(struct api_call *c, int rc)
{
    if (rc == -ECANCELED) /* a read that waited for the pool when the node began to stop */
        return reply_error(c, 503, "stopping", NULL, "节点正在停止，请稍后再试");
    if (rc == JF_ERESTORED)
        return reply_error(c, 503, "restored_catching_up", NULL,
                           "本节点由备份恢复，正在从上级节点取回本节点已上报的记录；取回之前暂停写入，"
                           "请稍后再试");
    if (rc == JF_ECATCHUP)
        return reply_error(c, 503, "rebuilding", NULL,
                           "本节点正在从上级取回原有记录（重建中），完成前不能写入，请稍后再试");
    log_error("api", "%s: store error (%s)", c->route, jf_strerror(rc));
    /* LMDB passes a short write on a full disk through as EIO: measured again, it tells. */
    int full = rc == JF_EFULL || rc == MDB_MAP_FULL || rc == ENOSPC || rc == -ENOSPC ||
               (rc == EIO && store_space_check(c->api->dep.st));
    if (full) {
        char msg[256];
        api_disk_message(c->api->dep.st, msg, sizeof msg);
        return reply_error(c, 507, "disk_full", NULL, "%s", msg);
    }
    reply_error(c, 503, "store_unavailable", NULL, "存储不可用：%s", jf_strerror(rc));
}

int api_disk_message(store *st, char *msg, size_t len)
{
    uint64_t avail, min;
    int low = store_space(st, &avail, &min);
    if (low)
        snprintf(msg, len, "磁盘空间不足：剩余 %llu MiB，至少需要 %llu MiB；只读运行中",
                 (unsigned long long)(avail >> 20), (unsigned long long)(min >> 20));
    else
        snprintf(msg, len, "存储已达上限（[store] max_map_mb = %zu MiB）；只读运行中",
                 st->max_map >> 20);
    return low;
}

/* ---- the request ---------------------------------------------------------------- */

json_t *api_body(struct api_call *c, const http_request *r)
{
    json_error_t jerr;
    json_t *body = json_loadb(r->body, r->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (!body || !json_is_object(body)) {
        json_decref(body);
        reply_error(c, 400, "invalid_json", NULL, "请求体不是JSON对象：%s",
                    body ? "类型错误" : jerr.text);
        return NULL;
    }
    if (c->who.auth == API_AUTH_SESSION && json_object_get(body, "actor")) {
        json_decref(body);
        reply_error(c, 400, "invalid_field", "actor",
                    "登录用户的操作以本人名义记录，不能另填经办人");
        return NULL;
    }
    return body;
}

int api_query_param(const char *q, const char *key, char *out, size_t len)
{
    int rc = http_query_get(q, key, out, len);
    if (rc == -1)
        out[0] = 0;
    return rc == -2 ? -1 : 0;
}

const char *api_query_limit(const char *q, long def, long max, long *limit)
{
    char text[32], *end;
    if (api_query_param(q, "limit", text, sizeof text))
        return "limit";
    *limit = text[0] ? strtol(text, &end, 10) : def;
    return (text[0] && *end) || *limit < 1 || *limit > max ? "limit" : NULL;
}

const char *api_query_dates(const char *q, int64_t *from, int64_t *to)
{
    char f[32], t[32];
    if (api_query_param(q, "from", f, sizeof f) || (f[0] && clock_parse_local_date(f, from)))
        return "from";
    if (api_query_param(q, "to", t, sizeof t) || (t[0] && clock_parse_local_date(t, to)))
        return "to";
    if (t[0])
        *to = clock_local_day_end(*to); /* inclusive: up to the end of that day */
    return NULL;
}

const char *api_str(const json_t *in, const char *key)
{
    const char *s = json_string_value(json_object_get(in, key));
    return s ? s : "";
}

/* ---- who may do what -------------------------------------------------------------- */

const char *api_actor(const struct api_call *c, const json_t *in)
{
    if (c->who.auth == API_AUTH_SESSION)
        return c->who.user;
    return eventlog_actor(in ? api_str(in, "actor") : NULL);
}

enum grant api_grant(const struct api_call *c, enum perm p)
{
    if (c->who.auth == API_AUTH_TOKEN)
        return GRANT_YES;
    return c->who.auth == API_AUTH_SESSION ? permission_grant(c->who.role, p) : GRANT_NO;
}

int api_permit(struct api_call *c, enum perm p)
{
    if (api_grant(c, p) != GRANT_NO)
        return 0;
    const char *role = permission_role_name(c->who.role);
    reply_error(c, 403, "forbidden", NULL, "当前角色（%s）无权执行此操作", role ? role : "未登录");
    return -1;
}

int api_leads(const struct api_call *c, const Jiefen__CaseView *v)
{
    const char *leader = v->leader ? v->leader->leader : "";
    return leader[0] && (strcmp(leader, c->who.user) == 0 || strcmp(leader, c->who.name) == 0);
}

int api_sees_case(const struct api_call *c, const Jiefen__CaseView *v)
{
    if (c->who.auth != API_AUTH_SESSION || c->who.role != ROLE_DEPARTMENT)
        return 1;
    for (size_t i = 0; v->dept && i < v->dept->n_parts; i++)
        if (strcmp(v->dept->parts[i]->department, c->who.department) == 0)
            return 1;
    return 0;
}
