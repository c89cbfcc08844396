/* api_party — finding a person (查当事人): GET /api/v1/parties?name=|id_number=|phone=
 * answers this node's cases of that person (role and status) and how many cases the same
 * person has elsewhere in the tree by the tree pseudonym, never a name; each search is
 * recorded in the transaction that answers it (who, when, which field, never the value),
 * and GET /api/v1/parties/log lists the record for an administrator. */
#include "api/api_case.h"
#include "api/api_op.h"
#include "api/api_routes.h"
#include "case/access.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/party.h"
#include "case/partyindex.h"
#include "case/reference.h"
#include "error.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIND_MAX 200      /* cases answered for one person */
#define TAGS_MAX 16       /* distinct pseudonyms followed (one person, a few ID numbers) */
#define LOG_DEFAULT 100
#define LOG_MAX 1000

struct party_query {
    enum partyindex_field field;
    char value[PARTYINDEX_TEXT_MAX];
    char purpose[64];
};

/* What a search has found so far, in the answering transaction. */
struct found {
    struct api *api;
    MDB_txn *txn;
    json_t *cases;
    uint8_t tags[TAGS_MAX][PARTY_TAG_LEN];
    size_t n_tags;
    json_t *elsewhere;     /* node id -> count of the person's cases not readable here */
    size_t elsewhere_n;
};

static int is_found(const struct found *f, const char *case_id)
{
    size_t i;
    json_t *c;
    json_array_foreach(f->cases, i, c)
        if (strcmp(json_string_value(json_object_get(c, "id")), case_id) == 0)
            return 1;
    return 0;
}

static int add_hit(const struct partyindex_hit *h, void *arg)
{
    struct found *f = arg;
    Jiefen__CaseView *v = NULL;
    if (h->tag && f->n_tags < TAGS_MAX) {
        size_t i = 0;
        while (i < f->n_tags && memcmp(f->tags[i], h->tag, PARTY_TAG_LEN))
            i++;
        if (i == f->n_tags)
            memcpy(f->tags[f->n_tags++], h->tag, PARTY_TAG_LEN);
    }
    /* One person twice in a case (two roles) is one case, with its first role. */
    if (json_array_size(f->cases) >= FIND_MAX || is_found(f, h->case_id))
        return 0;
    int rc = caseindex_get(f->api->dep.st, f->txn, h->case_id, &v);
    if (rc || !v)
        return rc;
    json_t *j = api_case_json(f->api, f->txn, v);
    case_view_free(&v);
    if (!j)
        return -ENOMEM;
    const struct ref_entry *role = ref_find(&ref_roles, h->role);
    json_object_set_new(j, "party_role", json_string(h->role));
    json_object_set_new(j, "party_role_name", json_string(role ? role->name : h->role));
    json_array_append_new(f->cases, j);
    return 0;
}

/* A case of the same pseudonym that this node cannot read the parties of. */
static int add_elsewhere(const char *case_id, void *arg)
{
    struct found *f = arg;
    Jiefen__CaseView *v = NULL;
    if (is_found(f, case_id))
        return 0;
    int rc = caseindex_get(f->api->dep.st, f->txn, case_id, &v);
    if (rc || !v)
        return rc;
    json_t *n = json_object_get(f->elsewhere, v->holder);
    json_object_set_new(f->elsewhere, v->holder, json_integer(n ? json_integer_value(n) + 1 : 1));
    f->elsewhere_n++;
    case_view_free(&v);
    return 0;
}

static json_t *elsewhere_json(struct found *f)
{
    char name[128];
    const char *id;
    json_t *n, *nodes = json_array();
    json_object_foreach(f->elsewhere, id, n)
        json_array_append_new(
            nodes, json_pack("{s:s, s:s, s:O}", "node", id, "node_name",
                             api_node_name(f->api->dep.st, f->txn, id, name, sizeof name),
                             "cases", n));
    return json_pack("{s:I, s:o}", "cases", (json_int_t)f->elsewhere_n, "nodes", nodes);
}

/* An ID number's tree pseudonym, so its cases elsewhere count even with none here. */
static int id_tag(struct api *api, eventlog_tx *tx, const char *value, struct found *f)
{
    uint8_t key[PARTY_KEY_LEN];
    char id[PARTYINDEX_TEXT_MAX];
    int rc = party_key_get(tx->st, tx->txn, api->dep.id, key);
    if (rc)
        return rc == JF_ENOTFOUND ? 0 : rc; /* not enrolled yet: no pseudonyms */
    if (partyindex_normalise(PARTYINDEX_ID, value, id, sizeof id) == 0) {
        party_tag(key, id, f->tags[0]);
        f->n_tags = 1;
    }
    sodium_memzero(key, sizeof key);
    sodium_memzero(id, sizeof id);
    return 0;
}

static int find_apply(eventlog_tx *tx, struct api_op *o)
{
    struct party_query *q = o->data;
    struct api_call *c = o->c;
    struct found f = {c->api, tx->txn, json_array(), {{0}}, 0, json_object(), 0};
    const char *user = c->who.auth == API_AUTH_SESSION ? c->who.user : "admin";
    const char *name = c->who.auth == API_AUTH_SESSION ? c->who.name : "本机管理令牌";
    int rc = partyindex_log(tx->st, tx->txn, tx->now_ms, q->field, user, name);
    if (rc == 0 && q->field == PARTYINDEX_ID)
        rc = id_tag(c->api, tx, q->value, &f);
    if (rc == 0)
        rc = partyindex_find(tx->st, tx->txn, c->api->dep.search_key, q->field, q->value,
                             add_hit, &f);
    for (size_t i = 0; rc == 0 && i < f.n_tags; i++)
        rc = party_each_case(tx->st, tx->txn, f.tags[i], add_elsewhere, &f);
    /* The search is an access event of this node: the count, never the query. */
    if (rc == 0)
        rc = access_record(tx, "", "search", q->purpose,
                           (uint32_t)(json_array_size(f.cases) + f.elsewhere_n), NULL);
    if (rc == 0)
        o->out = json_pack("{s:s, s:o, s:o}", "field", partyindex_field_code(q->field),
                           "cases", f.cases, "elsewhere", elsewhere_json(&f));
    else
        json_decref(f.cases);
    json_decref(f.elsewhere);
    return rc;
}

static const char *const fields[] = {"name", "id_number", "phone"};

/* The one field searched, into q; NULL, or why not (the message names the parameter). */
static const char *parse_query(const char *query, struct party_query *q, char *bad,
                               size_t blen)
{
    const char *p = query;
    q->field = 0;
    while (*p) {
        size_t klen = strcspn(p, "=&");
        snprintf(bad, blen, "%.*s", (int)klen, p);
        enum partyindex_field f = partyindex_field_parse(bad);
        if (klen && !f && strcmp(bad, "purpose"))
            return "未知的查询参数";
        if (f && q->field && q->field != f)
            return "一次只能按一项查询（姓名、身份证号或电话）";
        q->field = f ? f : q->field;
        p += strcspn(p, "&");
        p += *p == '&';
    }
    if (!q->field) {
        snprintf(bad, blen, "name");
        return "请提供姓名、身份证号或电话之一";
    }
    snprintf(bad, blen, "%s", partyindex_field_code(q->field));
    char norm[PARTYINDEX_TEXT_MAX];
    if (api_query_param(query, bad, q->value, sizeof q->value) ||
        partyindex_normalise(q->field, q->value, norm, sizeof norm))
        return q->value[0] ? "查询值无效或过长" : "查询值为空";
    sodium_memzero(norm, sizeof norm);
    snprintf(bad, blen, "purpose");
    if (api_query_param(query, "purpose", q->purpose, sizeof q->purpose) ||
        !access_purpose(q->purpose))
        return q->purpose[0] ? "查阅目的无效：应为办案、回访、督办、审计、复核或其他"
                             : "查找当事人须说明查阅目的";
    return NULL;
}

void route_party_find(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    char bad[64];
    struct party_query *q = calloc(1, sizeof *q);
    if (!q)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    const char *why = parse_query(r->query, q, bad, sizeof bad);
    if (why) {
        free(q);
        return reply_error(c, 400, strcmp(bad, "purpose") ? "invalid_query" : "invalid_purpose",
                           bad, "%s：%s", why, bad);
    }
    op_submit_data(c, json_object(), find_apply, NULL, q);
}

static int log_entry(const struct partyindex_entry *e, void *arg)
{
    static const char *const names[] = {"姓名", "身份证号", "电话"};
    enum partyindex_field f = e->field;
    int i = f == PARTYINDEX_NAME ? 0 : f == PARTYINDEX_ID ? 1 : 2;
    json_array_append_new(arg, json_pack("{s:I, s:s, s:s, s:s, s:s}", "time_ms",
                                         (json_int_t)e->time_ms, "user", e->user, "name",
                                         e->name, "field", fields[i], "field_name",
                                         names[i]));
    return 0;
}

void route_party_log(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    long limit;
    MDB_txn *txn;
    if (api_query_limit(r->query, LOG_DEFAULT, LOG_MAX, &limit))
        return reply_error(c, 400, "invalid_query", "limit", "查询参数 limit 无效（1 至 %d）",
                           LOG_MAX);
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    json_t *out = json_array();
    rc = partyindex_log_each(c->api->dep.st, txn, limit, log_entry, out);
    store_txn_abort(txn);
    if (rc) {
        json_decref(out);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "searches", out));
}
