#include "api/api.h"
#include "case/caseindex.h"
#include "api/api_internal.h"
#include "case/case.h"
#include "clock.h"
#include "envelope.h"
#include "log/fold.h"
#include "error.h"
#include "case/intake.h"
#include "log.h"
#include "node.h"
#include "case/reference.h"
#include "case/verify.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define API_VERSION "0.1.0"
#define LIST_DEFAULT 50
#define LIST_MAX 500


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
    metrics_request(c->n->metrics, c->route, status, secs);
    if (status >= 500)
        log_warn("api", "%s answered %d", c->route, status);
    free(c);
}

static void reply_raw(struct api_call *c, int status, const char *type, const char *body,
                      size_t len)
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

/* Sends `body` (reference stolen) as JSON. */
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
    log_error("api", "%s: store error (%s)", c->route, jf_strerror(rc));
    reply_error(c, 503, "store_unavailable", NULL, "存储不可用：%s", jf_strerror(rc));
}

/* ---- status, reference, metrics ------------------------------------------------------ */

static int count_events(struct node *n, MDB_txn *txn, uint64_t *count)
{
    MDB_stat st;
    int rc = mdb_stat(txn, n->st->events, &st);
    *count = rc ? 0 : st.ms_entries;
    return rc;
}

static json_t *status_counts(struct node *n, MDB_txn *txn, uint64_t *total)
{
    json_t *by = json_object();
    *total = 0;
    for (size_t s = 1; s <= ref_statuses.count; s++) {
        char key[32];
        uint64_t v = 0;
        fold_status_key((int)s, key);
        store_meta_get_u64(n->st, txn, key, &v);
        json_object_set_new(by, case_status_code((int)s), json_integer((json_int_t)v));
        *total += v;
    }
    return by;
}

/* Whether this node has a certificate, and under which parent (none: a root). */
static json_t *enrolment_json(struct node *n)
{
    MDB_txn *txn;
    MDB_val own = {10, "own_bundle"}, par = {6, "parent"}, d;
    json_t *out = json_pack("{s:b, s:n}", "enrolled", 0, "parent");
    if (store_txn_begin(n->st, MDB_RDONLY, &txn))
        return out;
    json_object_set_new(out, "enrolled", json_boolean(mdb_get(txn, n->st->meta, &own, &d) == 0));
    if (mdb_get(txn, n->st->meta, &par, &d) == 0)
        json_object_set_new(out, "parent", json_stringn(d.mv_data, d.mv_size));
    mdb_txn_abort(txn);
    return out;
}

static json_t *links_json(struct node *n)
{
    return json_pack("{s:o, s:o}", "parent", n->up ? uplink_json(n->up) : json_null(),
                     "children", n->down ? downlink_json(n->down) : json_array());
}

/* Link figures for Prometheus, from the same objects `status` shows. */
static void links_metrics(struct node *n, FILE *f)
{
    json_t *links = links_json(n), *peers = json_array(), *v;
    size_t i;
    if (json_is_object(json_object_get(links, "parent")))
        json_array_append(peers, json_object_get(links, "parent"));
    json_array_extend(peers, json_object_get(links, "children"));
    fprintf(f, "# HELP jiefen_link_online 1 if the peer was heard from lately.\n"
               "# TYPE jiefen_link_online gauge\n");
    json_array_foreach(peers, i, v) {
        const char *peer = json_string_value(json_object_get(v, "peer"));
        const char *dir = json_string_value(json_object_get(v, "direction"));
        json_t *up = json_object_get(v, "backlog_up"), *down = json_object_get(v, "backlog_down");
        fprintf(f, "jiefen_link_online{peer=\"%s\",direction=\"%s\"} %d\n", peer, dir,
                json_is_true(json_object_get(v, "online")));
        if (up)
            fprintf(f, "jiefen_link_backlog_events{peer=\"%s\",direction=\"up\"} %lld\n", peer,
                    (long long)json_integer_value(up));
        if (down)
            fprintf(f, "jiefen_link_backlog_events{peer=\"%s\",direction=\"down\"} %lld\n",
                    peer, (long long)json_integer_value(down));
        const char *reason;
        json_t *count;
        json_object_foreach(json_object_get(v, "rejected"), reason, count)
            fprintf(f, "jiefen_link_rejected_total{peer=\"%s\",reason=\"%s\"} %lld\n", peer,
                    reason, (long long)json_integer_value(count));
    }
    json_decref(peers);
    json_decref(links);
}

static void route_status(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct node *n = c->n;
    MDB_txn *txn;
    int rc = store_txn_begin(n->st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    uint64_t events, seq, total, used, map;
    uint8_t head[CRYPTO_HASH_LEN];
    char pk_hex[CRYPTO_PK_LEN * 2 + 1], head_hex[CRYPTO_HASH_LEN * 2 + 1];
    count_events(n, txn, &events);
    eventlog_head(n->st, txn, n->cfg.node_id, &seq, head);
    json_t *by = status_counts(n, txn, &total);
    mdb_txn_abort(txn);
    store_usage(n->st, &used, &map);
    crypto_hex(crypto_identity_pk(n->id), CRYPTO_PK_LEN, pk_hex);
    crypto_hex(head, sizeof head, head_hex);
    json_t *out = json_pack(
        "{s:{s:s, s:s, s:s, s:s, s:s}, s:s, s:I, s:I, s:{s:I, s:I, s:s}, s:{s:I, s:o},"
        " s:{s:s, s:I, s:I}}",
        "node", "id", n->cfg.node_id, "name", n->cfg.node_name, "tier",
        config_tier_name(n->cfg.tier), "public_key", pk_hex, "time_zone", n->cfg.time_zone,
        "version", API_VERSION, "started_ms", (json_int_t)n->started_ms, "now_ms",
        (json_int_t)clock_now_ms(), "log", "events", (json_int_t)events, "last_seq",
        (json_int_t)seq, "head_hash", head_hex, "cases", "total", (json_int_t)total,
        "by_status", by, "store", "path", n->st->path, "size_bytes", (json_int_t)used,
        "map_bytes", (json_int_t)map);
    json_object_set_new(out, "links", links_json(n));
    json_object_set_new(out, "enrolment", enrolment_json(n));
    reply_json(c, 200, out);
}

static void route_reference(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    json_t *out = json_object();
    for (const struct ref_table *const *t = ref_all; *t; t++) {
        json_t *list = json_array();
        for (size_t i = 0; i < (*t)->count; i++) {
            const struct ref_entry *e = &(*t)->entries[i];
            json_t *o = json_pack("{s:s, s:s}", "code", e->code, "name", e->name);
            if (e->department)
                json_object_set_new(o, *t == &ref_risks ? "official" : "department",
                                    json_string(e->department));
            json_array_append_new(list, o);
        }
        json_object_set_new(out, (*t)->kind, list);
    }
    reply_json(c, 200, out);
}

static void route_metrics(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct node *n = c->n;
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    MDB_txn *txn;
    if (!f)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    uint64_t events = 0, total, used, map;
    if (store_txn_begin(n->st, MDB_RDONLY, &txn) == 0) {
        count_events(n, txn, &events);
        json_t *by = status_counts(n, txn, &total);
        mdb_txn_abort(txn);
        fprintf(f, "# HELP jiefen_cases Cases in this node's view by status.\n"
                   "# TYPE jiefen_cases gauge\n");
        const char *k;
        json_t *v;
        json_object_foreach(by, k, v)
            fprintf(f, "jiefen_cases{status=\"%s\"} %lld\n", k, (long long)json_integer_value(v));
        json_decref(by);
    }
    store_usage(n->st, &used, &map);
    fprintf(f,
            "# HELP jiefen_log_events Events in the log.\n# TYPE jiefen_log_events gauge\n"
            "jiefen_log_events %llu\n"
            "# HELP jiefen_events_appended_total Events appended by this process.\n"
            "# TYPE jiefen_events_appended_total counter\njiefen_events_appended_total %llu\n"
            "# HELP jiefen_store_size_bytes Bytes used in the LMDB file.\n"
            "# TYPE jiefen_store_size_bytes gauge\njiefen_store_size_bytes %llu\n"
            "# HELP jiefen_store_map_bytes LMDB map size.\n"
            "# TYPE jiefen_store_map_bytes gauge\njiefen_store_map_bytes %llu\n",
            (unsigned long long)events, (unsigned long long)eventlog_appended_total(n->log),
            (unsigned long long)used, (unsigned long long)map);
    metrics_write(n->metrics, f);
    links_metrics(n, f);
    fclose(f);
    reply_raw(c, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

/* ---- intake ------------------------------------------------------------------------- */

struct pending_intake {
    struct api_call *c;
    struct intake *in;
    struct intake_ctx ctx;
};

static json_t *case_json_by_id(struct node *n, const char *id, int *rc)
{
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    json_t *out = NULL;
    if ((*rc = store_txn_begin(n->st, MDB_RDONLY, &txn)))
        return NULL;
    if ((*rc = fold_case_get(n->st, txn, id, &v)) == 0 && v)
        out = api_case_json(n, txn, v);
    else if (*rc == 0)
        *rc = JF_ENOTFOUND;
    case_view_free(&v);
    mdb_txn_abort(txn);
    return out;
}

static int intake_pending_apply(eventlog_tx *tx, void *arg)
{
    return intake_apply(tx, ((struct pending_intake *)arg)->in);
}

static void intake_done(void *arg, int status)
{
    struct pending_intake *p = arg;
    struct api_call *c = p->c;
    if (status) {
        reply_store_error(c, status);
    } else {
        int rc;
        json_t *cj = case_json_by_id(c->n, intake_case_id(p->in), &rc);
        log_info("intake", "case %s taken in", intake_case_id(p->in));
        if (cj)
            reply_json(c, 201, json_pack("{s:o}", "case", cj));
        else
            reply_store_error(c, rc);
    }
    intake_free(&p->in);
    free(p);
}

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

static void route_case_new(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct node *n = c->n;
    json_t *body = api_body(c, r);
    if (!body)
        return;
    struct pending_intake *p = calloc(1, sizeof *p);
    if (!p) {
        json_decref(body);
        return reply_error(c, 500, "internal", NULL, "内存不足");
    }
    p->c = c;
    p->ctx = (struct intake_ctx){n->cfg.node_id, n->cfg.node_name, api_actor(c, NULL),
                                 n->cfg.tier, &n->policy, clock_now_ms(), n->id};
    struct intake_error ie = {0};
    int rc = intake_parse(body, &p->ctx, &p->in, &ie);
    json_decref(body);
    if (rc == 0)
        rc = node_log_submit(n, intake_pending_apply, intake_done, p);
    if (rc == 0)
        return;
    intake_free(&p->in);
    free(p);
    if (rc == JF_EINVAL)
        return reply_error(c, 400, ie.code, ie.field, "%s", ie.message);
    reply_error(c, 500, "internal", NULL, "内存不足");
}

/* ---- list --------------------------------------------------------------------------- */

struct list_filter {
    char status[32], category[64], village[256], risk[32], after[128], held[16];
    int64_t from_ms, to_ms;
    long limit;
};

static const char *const list_keys[] = {"status", "category", "village", "risk", "from",
                                        "to",     "limit",    "after",   "held"};

/* Names the first query parameter that is not a list filter, or NULL. */
static const char *unknown_param(const char *query, char *buf, size_t len)
{
    const char *p = query;
    while (*p) {
        size_t klen = strcspn(p, "=&");
        int known = 0;
        for (size_t i = 0; i < sizeof list_keys / sizeof list_keys[0]; i++)
            known |= strlen(list_keys[i]) == klen && strncmp(p, list_keys[i], klen) == 0;
        if (!known && klen) {
            snprintf(buf, len, "%.*s", (int)klen, p);
            return buf;
        }
        p += strcspn(p, "&");
        p += *p == '&';
    }
    return NULL;
}

static int param(const char *q, const char *key, char *out, size_t len)
{
    int rc = http_query_get(q, key, out, len);
    if (rc == -1)
        out[0] = 0;
    return rc == -2 ? -1 : 0;
}

const char *api_query_limit(const char *q, long def, long max, long *limit)
{
    char text[32], *end;
    if (param(q, "limit", text, sizeof text))
        return "limit";
    *limit = text[0] ? strtol(text, &end, 10) : def;
    return (text[0] && *end) || *limit < 1 || *limit > max ? "limit" : NULL;
}

const char *api_query_dates(const char *q, int64_t *from, int64_t *to)
{
    char f[32], t[32];
    if (param(q, "from", f, sizeof f) || (f[0] && clock_parse_local_date(f, from)))
        return "from";
    if (param(q, "to", t, sizeof t) || (t[0] && clock_parse_local_date(t, to)))
        return "to";
    if (t[0])
        *to = clock_local_day_end(*to); /* inclusive: up to the end of that day */
    return NULL;
}

/* Fills f from the query; returns NULL or the name of the parameter that is wrong. */
static const char *parse_filter(const char *q, struct list_filter *f, char *bad, size_t blen)
{
    memset(f, 0, sizeof *f);
    const char *unknown = unknown_param(q, bad, blen);
    if (unknown)
        return unknown;
    if (param(q, "status", f->status, sizeof f->status) ||
        (f->status[0] && ref_index(&ref_statuses, f->status) < 0))
        return "status";
    if (f->status[0]) /* a Chinese name is accepted: compare codes */
        snprintf(f->status, sizeof f->status, "%s",
                 ref_statuses.entries[ref_index(&ref_statuses, f->status)].code);
    if (param(q, "category", f->category, sizeof f->category) ||
        (f->category[0] && ref_index(&ref_categories, f->category) < 0))
        return "category";
    if (param(q, "risk", f->risk, sizeof f->risk) ||
        (f->risk[0] && ref_index(&ref_risks, f->risk) < 0))
        return "risk";
    if (param(q, "village", f->village, sizeof f->village))
        return "village";
    if (param(q, "held", f->held, sizeof f->held) ||
        (f->held[0] && strcmp(f->held, "here") && strcmp(f->held, "above") &&
         strcmp(f->held, "below")))
        return "held";
    if (param(q, "after", f->after, sizeof f->after))
        return "after";
    f->to_ms = INT64_MAX;
    const char *date = api_query_dates(q, &f->from_ms, &f->to_ms);
    if (date)
        return date;
    return api_query_limit(q, LIST_DEFAULT, LIST_MAX, &f->limit);
}

static int matches(const Jiefen__CaseView *v, const struct list_filter *f)
{
    const struct ref_entry *cat = f->category[0] ? ref_find(&ref_categories, f->category) : NULL;
    if (cat && strcmp(cat->code, v->category))
        return 0;
    if (f->risk[0] && ref_index(&ref_risks, f->risk) + 1 != (int)v->risk)
        return 0;
    if (f->village[0] && strcmp(f->village, v->village))
        return 0;
    return v->opened_ms >= f->from_ms && v->opened_ms < f->to_ms;
}

static int shown_matches(const json_t *j, const struct list_filter *f)
{
    const char *status = json_string_value(json_object_get(j, "status"));
    const char *where = json_string_value(json_object_get(j, "where"));
    return (!f->status[0] || (status && strcmp(status, f->status) == 0)) &&
           (!f->held[0] || (where && strcmp(where, f->held) == 0));
}

/* Walks views in case-number order from after `f->after`, collecting up to limit. */
static int list_cases(struct node *n, const struct list_filter *f, json_t *out, char *next,
                      size_t nlen)
{
    MDB_txn *txn;
    MDB_cursor *cur;
    int rc = store_txn_begin(n->st, MDB_RDONLY, &txn);
    if (rc)
        return rc;
    if ((rc = mdb_cursor_open(txn, n->st->cases, &cur))) {
        mdb_txn_abort(txn);
        return rc;
    }
    MDB_val k = {strlen(f->after), (void *)f->after}, d;
    rc = mdb_cursor_get(cur, &k, &d, f->after[0] ? MDB_SET_RANGE : MDB_FIRST);
    if (rc == 0 && f->after[0] && k.mv_size == strlen(f->after) &&
        memcmp(k.mv_data, f->after, k.mv_size) == 0)
        rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT);
    next[0] = 0;
    for (; rc == 0; rc = mdb_cursor_get(cur, &k, &d, MDB_NEXT)) {
        Jiefen__CaseView *v = case_view_decode(d.mv_data, d.mv_size);
        if (!v) {
            rc = JF_ECORRUPT;
            break;
        }
        /* Status and place are as this node shows them ("escalated" is a place). */
        json_t *j = matches(v, f) ? api_case_json(n, txn, v) : NULL;
        case_view_free(&v);
        if (j && shown_matches(j, f)) {
            if (json_array_size(out) == (size_t)f->limit) {
                /* One more match exists: the page ends at the last one returned. */
                json_decref(j);
                json_t *last = json_array_get(out, json_array_size(out) - 1);
                snprintf(next, nlen, "%s", json_string_value(json_object_get(last, "id")));
                break;
            }
            json_array_append_new(out, j);
        } else {
            json_decref(j);
        }
    }
    mdb_cursor_close(cur);
    mdb_txn_abort(txn);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static void route_case_list(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct list_filter f;
    char bad[64], next[128];
    const char *wrong = parse_filter(r->query, &f, bad, sizeof bad);
    if (wrong)
        return reply_error(c, 400, "invalid_query", wrong, "查询参数 %s 无效", wrong);
    json_t *cases = json_array();
    int rc = list_cases(c->n, &f, cases, next, sizeof next);
    if (rc) {
        json_decref(cases);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o, s:o}", "cases", cases, "next",
                                 next[0] ? json_string(next) : json_null()));
}

/* ---- verify ------------------------------------------------------------------------- */

struct verify_job {
    struct api_call *c;
    struct verify_report report;
};

static int verify_work(struct node *n, MDB_txn *txn, void *arg)
{
    struct verify_job *j = arg;
    return verify_run(n->st, txn, n->id, n->cfg.node_id, &j->report);
}

static void verify_done(struct node *n, int rc, void *arg)
{
    struct verify_job *j = arg;
    const struct verify_report *r = &j->report;
    (void)n;
    if (rc) {
        reply_store_error(j->c, rc);
    } else {
        log_info("verify", "%llu events, %llu cases, %llu problems",
                 (unsigned long long)r->events, (unsigned long long)r->cases,
                 (unsigned long long)r->problem_count);
        reply_json(j->c, 200, verify_report_json(r));
    }
    verify_report_free(&j->report);
    free(j);
}

static void route_verify(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct verify_job *j = calloc(1, sizeof *j);
    if (!j)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    j->c = c;
    work_read(c->n, verify_work, verify_done, j);
}

/* ---- routing ------------------------------------------------------------------------ */

/* What a route needs of its caller, besides a permission (enum perm) of the table in
 * permission.h: */
enum {
    NEED_NOTHING = -3,  /* anyone may ask (logging in) */
    NEED_SESSION = -2,  /* a user's browser session, not the token */
    NEED_LOGIN = -1,    /* the token or any session: reading what this node sees */
};

struct route {
    const char *method, *path;
    int prefix;            /* path is a prefix; the rest is passed as `tail` */
    int need;              /* NEED_* or a permission */
    route_fn fn;
};

/* Every route and what it needs: with api_case.c's table of case actions, the whole of
 * docs/permissions.md as the API enforces it. */
static const struct route routes[] = {
    {"GET", "/api/v1/status", 0, NEED_LOGIN, route_status},
    {"GET", "/api/v1/reference", 0, NEED_LOGIN, route_reference},
    {"POST", "/api/v1/cases", 0, PERM_CASE_CREATE, route_case_new},
    {"GET", "/api/v1/cases", 0, NEED_LOGIN, route_case_list},
    {"GET", "/api/v1/cases/", 1, NEED_LOGIN, route_case_show},
    {"POST", "/api/v1/cases/", 1, NEED_LOGIN, route_case_action}, /* per action */
    {"GET", "/api/v1/supervision", 0, NEED_LOGIN, route_supervision},
    {"GET", "/api/v1/ledger", 0, NEED_LOGIN, route_ledger},
    {"GET", "/api/v1/ledger/export", 0, NEED_LOGIN, route_ledger_export},
    {"GET", "/api/v1/reports", 0, NEED_LOGIN, route_reports},
    {"GET", "/api/v1/warnings", 0, NEED_LOGIN, route_warnings},
    {"GET", "/api/v1/reports/draft", 0, NEED_LOGIN, route_report_draft},
    {"GET", "/api/v1/reports/export", 0, NEED_LOGIN, route_report_export},
    {"POST", "/api/v1/reports/submit", 0, PERM_REPORT_SUBMIT, route_report_submit},
    {"POST", "/api/v1/reports/review", 0, PERM_REPORT_REVIEW, route_report_review},
    {"POST", "/api/v1/verify", 0, PERM_NODE_ADMIN, route_verify},
    {"POST", "/api/v1/enrol/request", 0, PERM_NODE_ADMIN, route_enrol_request},
    {"POST", "/api/v1/enrol/root", 0, PERM_NODE_ADMIN, route_enrol_root},
    {"POST", "/api/v1/enrol/approve", 0, PERM_NODE_ADMIN, route_enrol_approve},
    {"POST", "/api/v1/enrol/install", 0, PERM_NODE_ADMIN, route_enrol_install},
    {"POST", "/api/v1/enrol/revoke", 0, PERM_NODE_ADMIN, route_enrol_revoke},
    {"GET", "/api/v1/nodes", 0, NEED_LOGIN, route_nodes},
    {"POST", "/api/v1/directives", 0, PERM_DIRECTIVE_SEND, route_directive_send},
    {"GET", "/api/v1/directives", 0, NEED_LOGIN, route_directive_list},
    {"POST", "/api/v1/directives/ack", 0, PERM_DIRECTIVE_ACK, route_directive_ack},
    {"POST", "/api/v1/links/clear-quarantine", 0, PERM_NODE_ADMIN, route_quarantine_clear},
    {"POST", "/api/v1/session", 0, NEED_NOTHING, route_session_login},
    {"GET", "/api/v1/session", 0, NEED_LOGIN, route_session_show},
    {"DELETE", "/api/v1/session", 0, NEED_SESSION, route_session_logout},
    {"POST", "/api/v1/session/passwd", 0, NEED_SESSION, route_session_passwd},
    {"GET", "/api/v1/users", 0, PERM_USER_ADMIN, route_users},
    {"POST", "/api/v1/users", 0, PERM_USER_ADMIN, route_user_add},
    {"POST", "/api/v1/users/", 1, PERM_USER_ADMIN, route_user_action},
    {"GET", "/metrics", 0, NEED_LOGIN, route_metrics},
};
#define N_ROUTES (sizeof routes / sizeof routes[0])

static int path_matches(const struct route *rt, const char *path)
{
    size_t n = strlen(rt->path);
    return rt->prefix ? strncmp(path, rt->path, n) == 0 && path[n] : strcmp(path, rt->path) == 0;
}

/* Host (and Origin, which carries a scheme) must name this node's listening address. */
static int host_allowed(const struct node *n, const char *host)
{
    char want[160];
    int port = http_server_port(n->http);
    const char *names[] = {"127.0.0.1", "localhost", "[::1]", n->cfg.http_host};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(want, sizeof want, "%s:%d", names[i], port);
        if (strcmp(host, want) == 0)
            return 1;
    }
    return 0;
}

static int origin_allowed(const struct node *n, const char *origin)
{
    return !origin[0] || (strncmp(origin, "http://", 7) == 0 && host_allowed(n, origin + 7));
}

/* Whether the caller meets the route's need; if not, answers and returns -1. */
static int allowed(struct api_call *c, const struct route *rt)
{
    if (rt->need == NEED_NOTHING || rt->need == NEED_LOGIN)
        return 0;
    if (rt->need == NEED_SESSION) {
        if (c->who.auth == API_AUTH_SESSION)
            return 0;
        reply_error(c, 400, "no_session", NULL, "本机管理令牌没有登录会话，此操作只对登录用户有效");
        return -1;
    }
    return api_permit(c, (enum perm)rt->need);
}

void api_handle(http_req *req, const http_request *r, void *data)
{
    struct node *n = data;
    struct api_call *c = calloc(1, sizeof *c);
    if (!c) {
        http_respond(req, 503, "text/plain", "out of memory\n", 14, NULL);
        return;
    }
    *c = (struct api_call){.n = n, .req = req, .route = "other", .t0 = uv_hrtime()};
    const struct route *found = NULL;
    int path_known = 0;
    for (size_t i = 0; i < N_ROUTES && !found; i++) {
        if (!path_matches(&routes[i], r->path))
            continue;
        path_known = 1;
        if (strcmp(routes[i].method, r->method) == 0)
            found = &routes[i];
    }
    if (found)
        c->route = found->path;
    if (!host_allowed(n, r->host))
        return reply_error(c, 421, "bad_host", NULL, "Host 头不是本节点地址");
    if (api_console_path(r->path)) {
        c->route = "/console";
        return route_console(c, r, "");
    }
    if (strcmp(r->method, "GET") && !origin_allowed(n, r->origin))
        return reply_error(c, 403, "bad_origin", NULL, "跨站请求被拒绝");
    int open = found && found->need == NEED_NOTHING;
    if (!open && api_identify(c, r))
        return;
    if (!open && c->who.auth == API_AUTH_NONE)
        return reply_error(c, 401, "unauthorized", NULL, "请先登录（或使用有效的访问令牌）");
    if (!found && path_known)
        return reply_error(c, 405, "method_not_allowed", NULL, "不支持的请求方法 %s", r->method);
    if (!found)
        return reply_error(c, 404, "not_found", NULL, "无此接口");
    if (allowed(c, found))
        return;
    found->fn(c, r, r->path + strlen(found->path));
}
