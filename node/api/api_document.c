#include "api/api_document.h"
#include "api/api_case.h"
#include "api/api_core.h"
#include "api/api_op.h"
#include "blob.h"
#include "case/access.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/doctype.h"
#include "case/document.h"
#include "error.h"
#include "log.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "/api/v1/cases/"
#define SUFFIX "/documents"

int api_document_upload(const char *method, const char *path)
{
    size_t n = strlen(path), s = strlen(SUFFIX);
    return strcmp(method, "POST") == 0 && strncmp(path, PREFIX, strlen(PREFIX)) == 0 &&
           n > strlen(PREFIX) + s && strcmp(path + n - s, SUFFIX) == 0;
}

static uint64_t max_file(const struct api *api)
{
    return (uint64_t)api->dep.cfg->doc_max_file_kb * 1024;
}

static uint64_t max_case(const struct api *api)
{
    return (uint64_t)api->dep.cfg->doc_max_case_kb * 1024;
}

/* ---- attaching ---------------------------------------------------------------------- */

struct attach {
    char id[128], dir[BLOB_PATH_MAX];
    char name[DOCUMENT_NAME_MAX + 1], note[DOCUMENT_NOTE_MAX + 1], mime[DOCTYPE_MIME_MAX];
    const char *kind;
    uint8_t key[DOCUMENT_KEY_LEN], hash[CRYPTO_HASH_LEN];
    uint64_t size, sealed_size;
};

/* The key is wiped; the blob of an attachment that did not commit is removed: nothing of
 * it stays on disk. */
static void attach_release(void *data, int committed)
{
    struct attach *a = data;
    int rc = committed ? 0 : blob_remove(a->dir, a->hash);
    if (rc)
        log_warn("document", "cannot remove the blob of a refused attachment (%s)",
                 jf_strerror(rc));
    crypto_wipe(a->key, sizeof a->key);
}

static int refuse_case(struct api_op *o, eventlog_tx *tx, const struct attach *a,
                       const Jiefen__CaseView *v, uint64_t total)
{
    char name[128];
    const struct api *api = o->c->api;
    if (strcmp(v->holder, api->dep.cfg->node_id))
        return op_refuse(o, 409, "not_holder", NULL, "案件 %s 由 %s（%s）办理，本节点不能添加材料",
                         v->case_id, api_node_name(tx->st, tx->txn, v->holder, name, sizeof name),
                         v->holder);
    if (total + a->size > max_case(api))
        return op_refuse(o, 413, "case_documents_full", "file",
                         "案件 %s 的材料已有 %llu KiB，加上本文件将超过每案上限 %ld KiB",
                         v->case_id, (unsigned long long)(total / 1024),
                         api->dep.cfg->doc_max_case_kb);
    return 0;
}

static int attach_apply(eventlog_tx *tx, struct api_op *o)
{
    struct attach *a = o->data;
    Jiefen__CaseView *v = NULL;
    uint64_t total = 0;
    int rc = caseindex_get(tx->st, tx->txn, a->id, &v);
    if (rc == 0 && !v)
        return op_refuse(o, 404, "not_found", NULL, "无此案件：%s", a->id);
    if (rc == 0 && (rc = document_total(tx->st, tx->txn, v, &total)) == 0)
        rc = refuse_case(o, tx, a, v, total);
    Jiefen__DocAttached d = JIEFEN__DOC_ATTACHED__INIT;
    Jiefen__DocSecret s = JIEFEN__DOC_SECRET__INIT;
    d.kind = (char *)a->kind;
    d.mime = a->mime;
    d.size = a->size;
    d.sealed_size = a->sealed_size;
    d.blob_hash = (ProtobufCBinaryData){CRYPTO_HASH_LEN, a->hash};
    s.name = a->name;
    s.note = a->note;
    s.key = (ProtobufCBinaryData){DOCUMENT_KEY_LEN, a->key};
    if (rc == 0)
        rc = document_append(tx, v, &d, &s, op_actor(o));
    if (rc == 0) {
        json_t *j = api_case_document_json(&d);
        json_object_set_new(j, "name", json_string(a->name));
        json_object_set_new(j, "note", json_string(a->note));
        o->out = json_pack("{s:o}", "document", j);
    }
    case_view_free(&v);
    return rc;
}

/* A query parameter of at most max bytes of text (no control characters) into out. NULL,
 * or why it is refused. */
static const char *text_param(const char *q, const char *key, char *out, size_t max)
{
    if (api_query_param(q, key, out, max + 1) || strlen(out) > max)
        return "过长或编码有误";
    if (!utf8_valid(out))
        return "不是有效的 UTF-8 文字";
    for (const char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20 && !(strcmp(key, "note") == 0 && *p == '\n'))
            return "含有控制字符";
    return NULL;
}

/* Answers 400 with code, field and message; -1. */
static int refuse_param(struct api_call *c, const char *code, const char *field,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int refuse_param(struct api_call *c, const char *code, const char *field,
                        const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reply_error(c, 400, code, field, "%s", msg);
    return -1;
}

/* Reads and checks the query into a. 0, or answers 400 and returns -1. */
static int attach_params(struct api_call *c, const http_request *r, struct attach *a)
{
    static const char *const keys[] = {"name", "kind", "note", "actor"};
    char kind[64], bad[64];
    const char *why;
    for (const char *p = r->query; *p; p += strcspn(p, "&"), p += *p == '&') {
        size_t klen = strcspn(p, "=&"), known = 0;
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
            known |= strlen(keys[i]) == klen && strncmp(p, keys[i], klen) == 0;
        snprintf(bad, sizeof bad, "%.*s", (int)(klen < 40 ? klen : 40), p);
        if (!known && klen)
            return refuse_param(c, "unknown_field", bad, "不认识的参数 %s", bad);
    }
    if ((why = text_param(r->query, "name", a->name, DOCUMENT_NAME_MAX)))
        return refuse_param(c, "invalid_field", "name", "文件名%s", why);
    if (!a->name[0] || strchr(a->name, '/'))
        return refuse_param(c, a->name[0] ? "invalid_field" : "missing_field", "name",
                            "请给出文件名（name，不含“/”）");
    if ((why = text_param(r->query, "note", a->note, DOCUMENT_NOTE_MAX)))
        return refuse_param(c, "invalid_field", "note", "说明%s", why);
    if (api_query_param(r->query, "kind", kind, sizeof kind))
        kind[0] = '\1';
    a->kind = kind[0] ? doctype_kind_code(kind) : "other";
    if (!a->kind)
        return refuse_param(c, "invalid_field", "kind",
                            "材料类别“%s”不在可选范围内（证据、协议、笔录、裁定/文书、其他）", kind);
    return 0;
}

/* Sealing an upload (cipher, hash, write, fsync: up to 20 MiB) runs on the loop's thread
 * pool: the loop serves the others and carries the links meanwhile. The body stays with the
 * request until it is answered. */
struct sealing {
    uv_work_t work;
    struct api_call *c;
    struct attach *a;
    const uint8_t *body;
    size_t len;
    json_t *in;
    int rc;
};

static void seal_work(uv_work_t *w)
{
    struct sealing *s = w->data;
    s->rc = document_seal(s->a->dir, s->body, s->len, s->a->key, s->a->hash,
                          &s->a->sealed_size);
}

/* The case's own checks (here, held here, room left) are the operation's, in the
 * transaction that appends: a refusal there removes the blob sealed here (attach_release). */
static void seal_after(uv_work_t *w, int status)
{
    struct sealing *s = w->data;
    int rc = status ? status : s->rc;
    if (rc == 0) {
        op_submit_release(s->c, s->in, attach_apply, s->a, attach_release);
    } else {
        reply_store_error(s->c, rc);
        crypto_wipe(s->a->key, sizeof s->a->key);
        json_decref(s->in);
        free(s->a);
    }
    free(s);
}

/* Seals a's upload on the pool, then submits its attachment (in: the operation's input,
 * stolen, like a). */
static void seal_queue(struct api_call *c, const http_request *r, struct attach *a, json_t *in)
{
    struct sealing *s = calloc(1, sizeof *s);
    int rc = s ? 0 : -ENOMEM;
    if (s) {
        *s = (struct sealing){.c = c, .a = a, .body = (const uint8_t *)r->body,
                              .len = r->body_len, .in = in};
        s->work.data = s;
        rc = uv_queue_work(c->api->dep.loop, &s->work, seal_work, seal_after);
    }
    if (rc == 0)
        return;
    reply_store_error(c, rc);
    json_decref(in);
    free(a);
    free(s);
}

static void route_attach(struct api_call *c, const http_request *r, const char *id)
{
    struct attach *a = calloc(1, sizeof *a);
    if (!a)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    snprintf(a->id, sizeof a->id, "%s", id);
    a->size = r->body_len;
    int rc = attach_params(c, r, a);
    if (rc == 0 && !r->body_len)
        rc = refuse_param(c, "empty_file", "file", "文件是空的");
    if (rc == 0 && r->body_len > max_file(c->api)) {
        reply_error(c, 413, "file_too_large", "file", "文件过大：%zu KiB，每个文件最多 %ld KiB",
                    r->body_len / 1024, c->api->dep.cfg->doc_max_file_kb);
        rc = -1;
    }
    if (rc == 0 && (rc = doctype_check(r->body, r->body_len, a->mime)) != 0) {
        if (rc == JF_EINVAL)
            reply_error(c, 415, "unsupported_type", "file",
                        "不接受此类文件（按内容识别为 %s）：只接受图片、PDF 和办公文档", a->mime);
        else
            reply_error(c, 500, "internal", NULL, "无法识别文件类型（libmagic 未能启动）");
        rc = -1;
    }
    if (rc == 0 && (rc = blob_dir(c->api->dep.st, 1, a->dir)) != 0)
        reply_store_error(c, rc);
    if (rc) {
        free(a);
        return;
    }
    json_t *in = json_object();
    char actor[65];
    if (c->who.auth == API_AUTH_TOKEN && api_query_param(r->query, "actor", actor, sizeof actor) == 0 &&
        actor[0])
        json_object_set_new(in, "actor", json_string(actor));
    seal_queue(c, r, a, in);
}

/* ---- the list and the download ---------------------------------------------------- */

struct listing {
    struct api *api;
    MDB_txn *txn;
    const char *dir, *want;     /* want: the hex id of the one document asked for, or NULL */
    json_t *list;
    unsigned in_transit;
    uint8_t key[DOCUMENT_KEY_LEN];
    char name[DOCUMENT_NAME_MAX + 1], mime[DOCTYPE_MIME_MAX];
    int found;
};

static int list_one(const Jiefen__Event *ev, const Jiefen__DocSecret *s, void *arg)
{
    struct listing *l = arg;
    char person[ACCOUNT_NAME_MAX * 4 + 1], node[128];
    const Jiefen__DocAttached *d = ev->doc_attached;
    json_t *j = api_case_document_json(d);
    const char *id = json_string_value(json_object_get(j, "id"));
    if (l->want) {
        if (strcmp(id, l->want) == 0) {
            memcpy(l->key, s->key.data, sizeof l->key);
            snprintf(l->name, sizeof l->name, "%s", s->name);
            snprintf(l->mime, sizeof l->mime, "%s", d->mime);
            l->found = 1;
        }
        json_decref(j);
        return l->found ? STORE_STOP : 0;
    }
    int here = blob_exists(l->dir, d->blob_hash.data);
    l->in_transit += !here;
    store *st = l->api->dep.st;
    json_object_set_new(j, "name", json_string(s->name));
    json_object_set_new(j, "note", json_string(s->note));
    json_object_set_new(j, "state", json_string(here ? "present" : "in_transit"));
    json_object_set_new(j, "state_name", json_string(here ? "已到" : "在途"));
    json_object_set_new(j, "origin", json_string(ev->origin));
    json_object_set_new(j, "origin_name",
                        json_string(api_node_name(st, l->txn, ev->origin, node, sizeof node)));
    json_object_set_new(j, "seq", json_integer((json_int_t)ev->seq));
    json_object_set_new(j, "time_ms", json_integer(ev->time_ms));
    json_object_set_new(j, "actor_name",
                        json_string(api_actor_name(st, l->txn, ev->actor, ev->actor_name, person,
                                                   sizeof person)));
    return json_array_append_new(l->list, j) ? -ENOMEM : 0;
}

/* Runs document_each over case id in a read transaction. 0, or answers and returns -1. */
static int walk_documents(struct api_call *c, const char *id, struct listing *l,
                          uint64_t *total)
{
    struct api *api = c->api;
    Jiefen__CaseView *v = NULL;
    char dir[BLOB_PATH_MAX];
    int rc = blob_dir(api->dep.st, 0, dir);
    l->api = api;
    l->dir = dir;
    if (rc == 0)
        rc = store_txn_begin(api->dep.st, MDB_RDONLY, &l->txn);
    if (rc) {
        reply_store_error(c, rc);
        return -1;
    }
    if ((rc = caseindex_get(api->dep.st, l->txn, id, &v)) == 0 && v &&
        (rc = document_total(api->dep.st, l->txn, v, total)) == 0)
        rc = document_each(api->dep.st, l->txn, api->dep.id, api->dep.cfg->node_id, v,
                           list_one, l);
    store_txn_abort(l->txn);
    l->dir = NULL;
    int found = v != NULL;
    case_view_free(&v);
    if (rc < 0)
        reply_store_error(c, rc);
    else if (!found)
        reply_error(c, 404, "not_found", NULL, "无此案件：%s", id);
    return rc < 0 || !found ? -1 : 0;
}

static void route_list(struct api_call *c, const char *id)
{
    struct listing l = {.list = json_array()};
    uint64_t total = 0;
    if (walk_documents(c, id, &l, &total)) {
        json_decref(l.list);
        return;
    }
    reply_json(c, 200,
               json_pack("{s:o, s:i, s:I, s:{s:I, s:I}}", "documents", l.list, "in_transit",
                         (int)l.in_transit, "total_size", (json_int_t)total, "limits",
                         "file_bytes", (json_int_t)max_file(c->api), "case_bytes",
                         (json_int_t)max_case(c->api)));
}

/* RFC 6266 with RFC 8187 for the original (UTF-8) name, an ASCII stand-in for old clients. */
static void disposition(const char *name, char *out, size_t len)
{
    size_t n = (size_t)snprintf(out, len, "Cache-Control: no-store\r\n"
                                          "Content-Disposition: attachment; filename=\"document\"; "
                                          "filename*=UTF-8''");
    for (const unsigned char *p = (const unsigned char *)name; *p && n + 4 < len; p++)
        n += (size_t)((*p >= '0' && *p <= '9') || ((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
                              strchr(".-_~", *p)
                          ? snprintf(out + n, len - n, "%c", *p)
                          : snprintf(out + n, len - n, "%%%02X", *p));
    snprintf(out + n, len - n, "\r\n");
}

/* Sends the document, its access recorded (download_access). */
static void send_document(struct api_call *c, const char *id, const char *doc)
{
    struct listing l = {.want = doc};
    uint64_t total;
    char dir[BLOB_PATH_MAX], headers[DOCUMENT_NAME_MAX * 3 + 256];
    uint8_t hash[CRYPTO_HASH_LEN], *plain = NULL;
    size_t len = 0;
    if (crypto_unhex(doc, hash, sizeof hash))
        return reply_error(c, 404, "not_found", NULL, "无此材料：%s", doc);
    if (walk_documents(c, id, &l, &total))
        return;
    if (!l.found)
        return reply_error(c, 404, "not_found", NULL, "案件 %s 中无此材料（或本节点无权打开）：%s",
                           id, doc);
    int rc = blob_dir(c->api->dep.st, 0, dir);
    if (rc == 0)
        rc = document_open(dir, hash, l.key, &plain, &len);
    crypto_wipe(l.key, sizeof l.key);
    if (rc == JF_ENOTFOUND)
        return reply_error(c, 409, "in_transit", NULL, "材料“%s”仍在途，尚未到达本节点", l.name);
    if (rc) {
        log_error("document", "case %s document %s cannot be opened (%s)", id, doc,
                  jf_strerror(rc));
        return reply_error(c, 500, "document_damaged", NULL, "材料“%s”已损坏，无法打开", l.name);
    }
    disposition(l.name, headers, sizeof headers);
    reply_headers(c, 200, l.mime, (const char *)plain, len, headers);
    crypto_wipe(plain, len);
    free(plain);
}

struct download {
    char id[128], doc[CRYPTO_HASH_LEN * 2 + 1], purpose[32];
};

/* A download is a use of personal data (docs/casefile.md, 查阅记录): recorded, with the
 * approval the node's policy may ask for copies, before a byte of it is sent. */
static int download_access(eventlog_tx *tx, struct api_op *o)
{
    struct download *d = o->data;
    struct api *api = o->c->api;
    char what[ACCESS_WHAT_MAX], approval[ACCESS_ID_MAX], why[256];
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(tx->st, tx->txn, d->id, &v);
    if (rc || !v)
        return rc ? rc : op_refuse(o, 404, "not_found", NULL, "无此案件：%s", d->id);
    const char *purpose = access_use_purpose(v, api->dep.cfg->node_id, d->purpose);
    snprintf(what, sizeof what, "document:%s", d->doc);
    if (!purpose)
        rc = op_refuse(o, 400, "invalid_purpose", "purpose",
                       "下载案件 %s 的材料须说明查阅目的（purpose）", v->case_id);
    else if ((rc = access_check(tx, api->dep.cfg->access_approval_for, v->case_id, what,
                                approval, why, sizeof why)) == JF_EINVAL)
        rc = op_refuse(o, 403, "approval_required", "doc", "%s", why);
    if (rc == 0)
        rc = access_record(tx, v->case_id, what, purpose, 0, approval);
    case_view_free(&v);
    return rc;
}

static void download_send(struct api_call *c, void *data)
{
    struct download *d = data;
    send_document(c, d->id, d->doc);
    free(d);
}

static void route_download(struct api_call *c, const http_request *r, const char *id,
                           const char *doc)
{
    uint8_t hash[CRYPTO_HASH_LEN];
    struct download *d = calloc(1, sizeof *d);
    if (!d)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    if (crypto_unhex(doc, hash, sizeof hash)) {
        free(d);
        return reply_error(c, 404, "not_found", NULL, "无此材料：%s", doc);
    }
    if (api_query_param(r->query, "purpose", d->purpose, sizeof d->purpose) ||
        (d->purpose[0] && !access_purpose(d->purpose))) {
        free(d);
        return reply_error(c, 400, "invalid_purpose", "purpose",
                           "查阅目的无效：应为办案、回访、督办、审计、复核或其他");
    }
    snprintf(d->id, sizeof d->id, "%s", id);
    snprintf(d->doc, sizeof d->doc, "%s", doc);
    op_submit_then(c, json_object(), download_access, download_send, d);
}

int api_document_route(struct api_call *c, const http_request *r, const char *tail)
{
    const char *at = strstr(tail, SUFFIX);
    char id[128];
    if (!at || (at[strlen(SUFFIX)] && at[strlen(SUFFIX)] != '/'))
        return 0;
    if (http_url_decode(tail, (size_t)(at - tail), id, sizeof id, 0) <= 0 || strchr(id, '/')) {
        reply_error(c, 404, "not_found", NULL, "无此案件");
        return 1;
    }
    const char *doc = at[strlen(SUFFIX)] ? at + strlen(SUFFIX) + 1 : "";
    c->route = doc[0] ? "/api/v1/cases/{id}/documents/{doc}" : "/api/v1/cases/{id}/documents";
    if (api_permit(c, PERM_CASE_PARTIES))
        return 1;
    if (strcmp(r->method, "POST") == 0 && !doc[0])
        route_attach(c, r, id);
    else if (strcmp(r->method, "GET") == 0 && !doc[0])
        route_list(c, id);
    else if (strcmp(r->method, "GET") == 0)
        route_download(c, r, id, doc);
    else
        reply_error(c, 405, "method_not_allowed", NULL, "不支持的请求方法 %s", r->method);
    return 1;
}
