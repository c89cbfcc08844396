/* api_roster — the node's rosters (名册, case/roster.h) over HTTP: the list with each
 * person's figures, one person, a new one, a change (deactivating and reactivating
 * included). Reading is every role's; the phone, personal data, only for those who may read
 * parties' data or edit the roster; changes are PERM_ROSTER_EDIT (director, admin). */
#include "api/api_op.h"
#include "api/http_url.h"
#include "array.h"
#include "api/api_routes.h"
#include "case/reference.h"
#include "case/roster.h"
#include "error.h"
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_BYTES 90
#define ORG_MAX_BYTES 200
#define SPECIALTIES_MAX 10
#define SPECIALTY_MAX_BYTES 60

/* Whether the caller sees rostered people's phones. */
static int sees_phone(const struct api_call *c)
{
    return api_grant(c, PERM_ROSTER_EDIT) != GRANT_NO ||
           api_grant(c, PERM_CASE_PARTIES) != GRANT_NO;
}

static json_t *person_json(struct api_call *c, const Jiefen__RosterRecord *r,
                           const struct roster_figures *f)
{
    const struct ref_entry *kind = ref_find(&ref_roster_kinds, r->kind);
    char phone[ROSTER_PHONE_MAX + 1] = "";
    json_t *spec = json_array();
    for (size_t i = 0; i < r->n_specialties; i++)
        json_array_append_new(spec, json_string(r->specialties[i]));
    if (sees_phone(c) && roster_phone(c->api->dep.id, r, phone, sizeof phone))
        log_warn("roster", "phone of %s does not open", r->id);
    uint64_t content = f->satisfied + f->basically_satisfied;
    uint64_t asked = content + f->dissatisfied;
    json_t *sat = json_pack("{s:I, s:I, s:I}", "satisfied", (json_int_t)f->satisfied,
                            "basically_satisfied", (json_int_t)f->basically_satisfied,
                            "dissatisfied", (json_int_t)f->dissatisfied);
    json_object_set_new(sat, "rate", asked ? json_real((double)content / (double)asked)
                                           : json_null());
    return json_pack("{s:s, s:s, s:s, s:s, s:o, s:s, s:o, s:b, s:I, s:I, s:I, s:I, s:o}", "id",
                     r->id, "name", r->name, "kind", r->kind, "kind_name",
                     kind ? kind->name : r->kind, "specialties", spec, "organisation",
                     r->organisation, "phone", sees_phone(c) ? json_string(phone) : json_null(),
                     "active", !r->inactive, "created_ms", (json_int_t)r->created_ms,
                     "updated_ms", (json_int_t)r->updated_ms, "cases", (json_int_t)f->cases,
                     "agreements", (json_int_t)f->agreements, "satisfaction", sat);
}

/* ---- reading ------------------------------------------------------------------------- */

/* Two walks in one transaction, filtered alike: the ids, then (with the figures of all of
 * them from one walk of the cases) the people as JSON in the same order. */
struct roster_read {
    struct api_call *c;
    char kind[32];
    int active_only;
    char **ids;
    size_t n, at;
    struct roster_figures *figures;
    json_t *list;
};

static int wanted(const struct roster_read *rr, const Jiefen__RosterRecord *r)
{
    return (!rr->kind[0] || strcmp(rr->kind, r->kind) == 0) && !(rr->active_only && r->inactive);
}

static int take_id(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__RosterRecord *r = (const Jiefen__RosterRecord *)m;
    struct roster_read *rr = arg;
    if (!wanted(rr, r))
        return 0;
    char **ids = array_one_more(rr->ids, rr->n, sizeof *ids);
    if (!ids)
        return -ENOMEM;
    rr->ids = ids;
    if (!(ids[rr->n] = strdup(r->id)))
        return -ENOMEM;
    rr->n++;
    return 0;
}

static int add_json(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__RosterRecord *r = (const Jiefen__RosterRecord *)m;
    struct roster_read *rr = arg;
    if (!wanted(rr, r))
        return 0;
    if (rr->at >= rr->n)
        return JF_ECORRUPT;
    return json_array_append_new(rr->list, person_json(rr->c, r, &rr->figures[rr->at++]))
               ? -ENOMEM
               : 0;
}

static int read_roster(store *st, MDB_txn *txn, struct roster_read *rr)
{
    int rc = roster_each(st, txn, take_id, rr);
    if (rc == 0 && !(rr->figures = calloc(rr->n ? rr->n : 1, sizeof *rr->figures)))
        rc = -ENOMEM;
    if (rc == 0)
        rc = roster_figures(st, txn, (const char *const *)rr->ids, rr->n, rr->figures);
    return rc ? rc : roster_each(st, txn, add_json, rr);
}

void route_roster_list(struct api_call *c, const http_request *r, const char *tail)
{
    struct roster_read rr = {.c = c};
    const struct ref_entry *kind = NULL;
    char active[8];
    MDB_txn *txn;
    (void)tail;
    if (api_query_param(r->query, "kind", rr.kind, sizeof rr.kind) ||
        (rr.kind[0] && !(kind = ref_find(&ref_roster_kinds, rr.kind))))
        return reply_error(c, 400, "invalid_query", "kind", "无此名册类别：%s", rr.kind);
    if (api_query_param(r->query, "active", active, sizeof active) ||
        (active[0] && strcmp(active, "1") && strcmp(active, "0")))
        return reply_error(c, 400, "invalid_query", "active", "active 应为 1 或 0");
    snprintf(rr.kind, sizeof rr.kind, "%s", kind ? kind->code : "");
    rr.active_only = strcmp(active, "1") == 0;
    rr.list = json_array();
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = read_roster(c->api->dep.st, txn, &rr);
        store_txn_abort(txn);
    }
    for (size_t i = 0; i < rr.n; i++)
        free(rr.ids[i]);
    free(rr.ids);
    free(rr.figures);
    if (rc) {
        json_decref(rr.list);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "people", rr.list));
}

/* GET /api/v1/roster/{id}: one person and their figures. */
static void roster_show(struct api_call *c, const char *id)
{
    Jiefen__RosterRecord *p = NULL;
    struct roster_figures f;
    MDB_txn *txn;
    int rc = store_txn_begin(c->api->dep.st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = roster_get(c->api->dep.st, txn, id, &p);
        if (rc == 0)
            rc = roster_figures(c->api->dep.st, txn, &id, 1, &f);
        store_txn_abort(txn);
    }
    if (rc == JF_ENOTFOUND)
        return reply_error(c, 404, "not_found", NULL, "名册中没有编号为 %s 的人员", id);
    if (rc) {
        roster_free(&p);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o}", "person", person_json(c, p, &f)));
    roster_free(&p);
}

/* ---- changing ------------------------------------------------------------------------ */

/* A text member into *out (kept when absent on a change): at most max bytes, required
 * non-empty when `required`. 0 or the refusal. */
static int text_field(struct api_op *o, const char *key, const char *label, int required,
                      size_t max, char **out)
{
    const json_t *j = json_object_get(o->in, key);
    if (!j)
        return required && !(*out)[0]
                   ? op_refuse(o, 400, "missing_field", key, "请填写%s", label)
                   : 0;
    if (!json_is_string(j))
        return op_refuse(o, 400, "invalid_field", key, "%s应为文字", label);
    if (json_string_length(j) > max)
        return op_refuse(o, 400, "invalid_field", key, "%s过长（最多 %zu 字节）", label, max);
    if (required && json_string_length(j) == 0)
        return op_refuse(o, 400, "missing_field", key, "请填写%s", label);
    *out = (char *)json_string_value(j);
    return 0;
}

static int kind_field(struct api_op *o, Jiefen__RosterRecord *r)
{
    char *kind = r->kind;
    int rc = text_field(o, "kind", "名册类别", 1, 32, &kind);
    const struct ref_entry *e = rc ? NULL : ref_find(&ref_roster_kinds, kind);
    if (rc == 0 && !e)
        return op_refuse(o, 400, "invalid_field", "kind",
                         "名册类别“%s”不在可选范围内（人民调解员、律师、法律顾问、专家）", kind);
    if (e)
        r->kind = (char *)e->code;
    return rc;
}

/* specialties: a list of texts, or one text separated by 、，, or spaces (split in place
 * into buf). */
static int specialties_field(struct api_op *o, Jiefen__RosterRecord *r, char **items,
                             char *buf, size_t len)
{
    const json_t *j = json_object_get(o->in, "specialties");
    size_t n = 0, i;
    json_t *e;
    if (!j)
        return 0;
    if (json_is_string(j)) {
        snprintf(buf, len, "%s", json_string_value(j));
        for (char *save = NULL, *t = strtok_r(buf, "、，, ", &save); t;
             t = strtok_r(NULL, "、，, ", &save))
            if (n < SPECIALTIES_MAX + 1)
                items[n++] = t;
    } else if (json_is_array(j)) {
        json_array_foreach(j, i, e) {
            if (!json_is_string(e))
                return op_refuse(o, 400, "invalid_field", "specialties", "专长应为文字");
            if (n < SPECIALTIES_MAX + 1 && json_string_length(e))
                items[n++] = (char *)json_string_value(e);
        }
    } else {
        return op_refuse(o, 400, "invalid_field", "specialties", "专长应为文字或文字列表");
    }
    if (n > SPECIALTIES_MAX)
        return op_refuse(o, 400, "invalid_field", "specialties", "专长最多 %d 项",
                         SPECIALTIES_MAX);
    for (i = 0; i < n; i++)
        if (strlen(items[i]) > SPECIALTY_MAX_BYTES)
            return op_refuse(o, 400, "invalid_field", "specialties", "专长“%s”过长", items[i]);
    r->specialties = items;
    r->n_specialties = n;
    return 0;
}

/* A phone: digits, with + - and spaces, 5 to ROSTER_PHONE_MAX characters; "" clears it. */
static int phone_ok(const char *p)
{
    size_t n = strlen(p), digits = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] >= '0' && p[i] <= '9')
            digits++;
        else if (p[i] != '+' && p[i] != '-' && p[i] != ' ')
            return 0;
    }
    return n == 0 || (digits >= 5 && n <= ROSTER_PHONE_MAX);
}

static int active_field(struct api_op *o, Jiefen__RosterRecord *r)
{
    const json_t *j = json_object_get(o->in, "active");
    if (!j)
        return 0;
    if (!json_is_boolean(j))
        return op_refuse(o, 400, "invalid_field", "active", "是否在用应为 true 或 false");
    r->inactive = !json_is_true(j);
    return 0;
}

static const char *const k_person[] = {"name", "kind", "specialties", "organisation", "phone",
                                       "active", NULL};

static int unknown_member(struct api_op *o)
{
    const char *key;
    json_t *val;
    json_object_foreach(o->in, key, val) {
        int known = 0;
        for (size_t i = 0; k_person[i] && !known; i++)
            known = strcmp(k_person[i], key) == 0;
        if (!known)
            return op_refuse(o, 400, "unknown_field", key, "不认识的字段 %s", key);
    }
    return 0;
}

/* The body's fields over r (a new person's defaults, or the stored ones), then stored. */
static int person_apply(eventlog_tx *tx, struct api_op *o, Jiefen__RosterRecord *r)
{
    char *items[SPECIALTIES_MAX + 1], buf[SPECIALTIES_MAX * (SPECIALTY_MAX_BYTES + 8)];
    char *phone = NULL;
    uint8_t sealed[ROSTER_SEALED_MAX];
    const json_t *pj = json_object_get(o->in, "phone");
    int rc;
    if ((rc = unknown_member(o)) || (rc = text_field(o, "name", "姓名", 1, NAME_MAX_BYTES,
                                                     &r->name)) ||
        (rc = kind_field(o, r)) ||
        (rc = text_field(o, "organisation", "所在单位", 0, ORG_MAX_BYTES, &r->organisation)) ||
        (rc = specialties_field(o, r, items, buf, sizeof buf)) || (rc = active_field(o, r)))
        return rc;
    if (pj && (!json_is_string(pj) || !phone_ok(json_string_value(pj))))
        return op_refuse(o, 400, "invalid_field", "phone",
                         "联系电话应为 5 到 %d 位的号码（数字，可含 + - 空格）", ROSTER_PHONE_MAX);
    if (pj) {
        phone = (char *)json_string_value(pj);
        if ((rc = roster_seal_phone(o->c->api->dep.id, r->id, phone, sealed, &r->sealed_phone.len)))
            return rc;
        r->sealed_phone.data = sealed;
    }
    r->updated_ms = tx->now_ms;
    if ((rc = roster_put(tx->st, tx->txn, r)))
        return rc;
    struct roster_figures f;
    if ((rc = roster_figures(tx->st, tx->txn, (const char *const *)&r->id, 1, &f)))
        return rc;
    json_decref(o->out);
    o->out = json_pack("{s:o}", "person", person_json(o->c, r, &f));
    log_info("roster", "%s %s by %s", r->id, r->created_ms == tx->now_ms ? "added" : "changed",
             api_actor(o->c, NULL));
    return 0;
}

static int roster_add_apply(eventlog_tx *tx, struct api_op *o)
{
    Jiefen__RosterRecord r = JIEFEN__ROSTER_RECORD__INIT;
    char id[ROSTER_ID_MAX + 1];
    if (json_object_get(o->in, "active"))
        return op_refuse(o, 400, "unknown_field", "active", "新增人员总是在用的，不能填写 active");
    int rc = roster_next_id(tx->st, tx->txn, id);
    if (rc)
        return rc;
    r.id = id;
    r.created_ms = tx->now_ms;
    return person_apply(tx, o, &r);
}

static int roster_edit_apply(eventlog_tx *tx, struct api_op *o)
{
    Jiefen__RosterRecord *r = NULL, copy;
    const char *id = o->data;
    int rc = roster_get(tx->st, tx->txn, id, &r);
    if (rc == JF_ENOTFOUND)
        return op_refuse(o, 404, "not_found", NULL, "名册中没有编号为 %s 的人员", id);
    if (rc)
        return rc;
    copy = *r;   /* changed fields point into the body; the stored ones stay r's */
    rc = person_apply(tx, o, &copy);
    roster_free(&r);
    return rc;
}

void route_roster_add(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    op_route(c, r, roster_add_apply, NULL);
}

/* /api/v1/roster/{id}: GET shows, POST changes. */
void route_roster_person(struct api_call *c, const http_request *r, const char *tail)
{
    char id[ROSTER_ID_MAX + 2];
    if (http_url_decode(tail, strlen(tail), id, sizeof id, 0) <= 0 || strlen(id) > ROSTER_ID_MAX)
        return reply_error(c, 404, "not_found", NULL, "名册中没有这个人员");
    if (strcmp(r->method, "GET") == 0)
        return roster_show(c, id);
    if (api_permit(c, PERM_ROSTER_EDIT))
        return;
    char *data = strdup(id);
    if (!data)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    op_route_data(c, r, roster_edit_apply, NULL, data);
}
