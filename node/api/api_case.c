/* api_case — reading cases through the API: one case with its file (history, and the
 * personal data this node can open for the roles that need it), the list of cases this
 * node sees with its filters and pages, and the supervision list (督办). */
#include "api/api_case.h"
#include "api/api_op.h"
#include "api/api_interop.h"
#include "api/api_outbox.h"
#include "case/appointment.h"
#include "case/doctype.h"
#include "api/api_routes.h"
#include "case/access.h"
#include "case/dept.h"
#include "case/case.h"
#include "case/hazard.h"
#include "case/caseindex.h"
#include "case/casefile.h"
#include "case/policy.h"
#include "case/reference.h"
#include "clock.h"
#include "config.h"
#include "envelope.h"
#include "error.h"
#include "log/fold.h"
#include "log/registry.h"
#include "case/verify.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LIST_DEFAULT 50
#define LIST_MAX 500

/* ---- what a node sees of a case ----------------------------------------------------- */

static int where_is(store *st, MDB_txn *txn, const char *self, const char *holder)
{
    if (strcmp(self, holder) == 0)
        return CASE_HERE;
    if (registry_depth_below(st, txn, self, holder) > 0)
        return CASE_ABOVE;
    if (registry_depth_below(st, txn, holder, self) > 0)
        return CASE_BELOW;
    return CASE_ELSEWHERE;
}

const char *api_node_name(store *st, MDB_txn *txn, const char *id, char *buf, size_t len)
{
    Jiefen__NodeInfo *ni = NULL;
    snprintf(buf, len, "%s", id);
    if (registry_get(st, txn, id, &ni) == 0 && ni && ni->name[0])
        snprintf(buf, len, "%s", ni->name);
    registry_free(&ni);
    return buf;
}

const char *api_actor_name(store *st, MDB_txn *txn, const char *actor, const char *carried,
                           char *buf, size_t len)
{
    Jiefen__UserRecord *u = NULL;
    if (carried && carried[0])
        snprintf(buf, len, "%s", carried);
    else if (account_get(st, txn, actor, &u) == 0 && u && u->name[0])
        snprintf(buf, len, "%s", u->name);
    else if (strcmp(actor, "system") == 0 || strcmp(actor, "init") == 0)
        snprintf(buf, len, "系统规则");
    else if (strcmp(actor, "admin") == 0)
        snprintf(buf, len, "管理员");
    else
        snprintf(buf, len, "%s", actor);
    account_free(&u);
    return buf;
}

json_t *api_user_name(struct api *api, MDB_txn *txn, const char *user)
{
    Jiefen__UserRecord *u = NULL;
    json_t *name = json_string(
        user[0] && account_get(api->dep.st, txn, user, &u) == 0 && u ? u->name : "");
    account_free(&u);
    return name;
}

json_t *api_case_json(struct api *api, MDB_txn *txn, const Jiefen__CaseView *v)
{
    char name[128];
    int where = where_is(api->dep.st, txn, api->dep.cfg->node_id, v->holder);
    json_t *j = case_view_json(v, where, clock_now_ms());
    json_t *fu = j ? json_object_get(j, "followup") : NULL, *ext = json_object_get(j, "external");
    if (json_is_object(ext)) /* the outside system by name: 12345热线 */
        json_object_set_new(ext, "system_name",
                            json_string(api_interop_system_name(v->external_system)));
    if (json_is_object(fu))
        json_object_set_new(fu, "assignee_name", api_user_name(api, txn, v->followup_assignee));
    if (j) {
        json_object_set_new(
            j, "holder_name",
            json_string(api_node_name(api->dep.st, txn, v->holder, name, sizeof name)));
        json_object_set_new(j, "appointment", appointment_json(v));
        json_object_set_new(j, "risk_official",
                            json_string(policy_official(api->dep.policy, v->risk)));
        char hazard[HAZARD_ID_MAX + 1];   /* the 苗头隐患 it was converted from */
        if (hazard_of_case(api->dep.st, txn, v->case_id, hazard) == 0 && hazard[0])
            json_object_set_new(j, "hazard_id", json_string(hazard));
    }
    return j;
}

/* ---- the case file ------------------------------------------------------------------ */

json_t *api_case_document_json(const Jiefen__DocAttached *d)
{
    char hex[CRYPTO_HASH_LEN * 2 + 1];
    crypto_hex(d->blob_hash.data, d->blob_hash.len == CRYPTO_HASH_LEN ? CRYPTO_HASH_LEN : 0,
               hex);
    const char *kind = doctype_kind_name(d->kind);
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:s}", "id", hex, "kind", d->kind, "kind_name",
                     kind ? kind : d->kind, "mime", d->mime, "size", (json_int_t)d->size,
                     "type_name", doctype_mime_name(d->mime));
}

static json_t *moved_json(const Jiefen__CaseMoved *m)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:I, s:b, s:i}", "kind", m->kind, "from", m->from,
                     "to", m->to, "reason", m->reason, "due_ms", (json_int_t)m->due_ms,
                     "automatic", m->automatic, "sealed_parts", (int)m->n_copies);
}

static json_t *attempt_json(const Jiefen__MediationAttempt *a)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "mediator", a->mediator,
                     "date", a->date, "method", a->method, "outcome",
                     case_outcome_code(a->outcome), "agreement", a->agreement,
                     "judicial_confirmation", a->judicial_confirmation, "referral", a->referral,
                     "note", a->note, "roster_id", a->roster_id);
}

static json_t *leader_json(const Jiefen__LeaderAssigned *l)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s}", "leader", l->leader, "organisation",
                     l->organisation, "liaison_unit", l->liaison_unit, "plan", l->plan,
                     "legal_consultation", l->legal_consultation);
}

/* What an event says, for the file (personal data is not in events). */
static json_t *event_details(const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_CASE_OPENED:
        return json_pack("{s:s, s:s, s:I}", "category", ev->case_opened->category, "summary",
                         ev->case_opened->summary, "due_ms",
                         (json_int_t)ev->case_opened->due_ms);
    case JIEFEN__EVENT__BODY_CASE_ROUTED:
        return json_pack("{s:s, s:s, s:s}", "department", ev->case_routed->department,
                         "lead_unit", ev->case_routed->lead_unit, "reason",
                         ev->case_routed->reason);
    case JIEFEN__EVENT__BODY_CASE_GUIDED:
        return json_pack("{s:s, s:s}", "channel", ev->case_guided->channel, "guidance",
                         ev->case_guided->guidance);
    case JIEFEN__EVENT__BODY_ATTEMPT:
        return attempt_json(ev->attempt);
    case JIEFEN__EVENT__BODY_CASE_MOVED:
        return moved_json(ev->case_moved);
    case JIEFEN__EVENT__BODY_RISK_CHANGED:
        return json_pack("{s:s, s:s}", "risk", case_risk_code(ev->risk_changed->risk), "reason",
                         ev->risk_changed->reason);
    case JIEFEN__EVENT__BODY_LEADER_ASSIGNED:
        return leader_json(ev->leader_assigned);
    case JIEFEN__EVENT__BODY_LEADER_ACK:
        return json_pack("{s:s, s:I, s:s}", "assignment_origin", ev->leader_ack->origin,
                         "assignment_seq", (json_int_t)ev->leader_ack->seq, "note",
                         ev->leader_ack->note);
    case JIEFEN__EVENT__BODY_LEADER_PROGRESS:
        return json_pack("{s:s}", "text", ev->leader_progress->text);
    case JIEFEN__EVENT__BODY_LEADER_REQUIRED:
        return json_pack("{s:s}", "reason", ev->leader_required->reason);
    case JIEFEN__EVENT__BODY_DEADLINE:
        return json_pack("{s:s, s:I}", "kind", ev->deadline->kind, "due_ms",
                         (json_int_t)ev->deadline->due_ms);
    case JIEFEN__EVENT__BODY_EXTENSION_REQUESTED:
        return json_pack("{s:i, s:s}", "days", (int)ev->extension_requested->days, "reason",
                         ev->extension_requested->reason);
    case JIEFEN__EVENT__BODY_EXTENSION_DECIDED:
        return json_pack("{s:b, s:I, s:s}", "approved", ev->extension_decided->approved,
                         "new_due_ms", (json_int_t)ev->extension_decided->new_due_ms, "reason",
                         ev->extension_decided->reason);
    case JIEFEN__EVENT__BODY_CASE_CLOSED:
        return json_pack("{s:s, s:s, s:s, s:I, s:s, s:b}", "result", ev->case_closed->result,
                         "feedback", ev->case_closed->feedback, "return_to",
                         ev->case_closed->return_to, "followup_due_ms",
                         (json_int_t)ev->case_closed->followup_due_ms, "followup_assignee",
                         ev->case_closed->followup_assignee, "withdrawn",
                         ev->case_closed->withdrawn);
    case JIEFEN__EVENT__BODY_FOLLOW_UP:
        return json_pack("{s:s, s:s, s:s, s:s, s:b}", "satisfaction",
                         ev->follow_up->satisfaction, "note", ev->follow_up->note, "method",
                         ev->follow_up->method, "performance", ev->follow_up->performance,
                         "reopen_requested", ev->follow_up->reopen_requested);
    case JIEFEN__EVENT__BODY_FORMS_RECORD: /* the content is sealed: see /forms/ */
        return json_pack("{s:s}", "kind", ev->forms_record->kind);
    case JIEFEN__EVENT__BODY_DEPT_ROUTED:
    case JIEFEN__EVENT__BODY_DEPT_SIGNED:
    case JIEFEN__EVENT__BODY_DEPT_RETURNED:
    case JIEFEN__EVENT__BODY_DEPT_FEEDBACK:
    case JIEFEN__EVENT__BODY_DEPT_SIGN_OVERDUE:
        return dept_event_json(ev);
    case JIEFEN__EVENT__BODY_DOC_ATTACHED:
        return api_case_document_json(ev->doc_attached);
    case JIEFEN__EVENT__BODY_APPOINTMENT_SET:
        return appointment_event_json(ev);
    case JIEFEN__EVENT__BODY_CONFIRM_APPLIED:
        return json_pack("{s:s, s:s}", "court", ev->confirm_applied->court, "application_no",
                         ev->confirm_applied->application_no);
    case JIEFEN__EVENT__BODY_CONFIRM_RULED:
        return json_pack("{s:s, s:s, s:s, s:s}", "application_no",
                         ev->confirm_ruled->application_no, "decision",
                         ev->confirm_ruled->decision, "ruling_no", ev->confirm_ruled->ruling_no,
                         "reason", ev->confirm_ruled->reason);
    default:
        return json_object();
    }
}

static json_t *history_entry(struct api *api, MDB_txn *txn, const envelope *e)
{
    char hash[CRYPTO_HASH_LEN * 2 + 1], name[128], person[ACCOUNT_NAME_MAX * 4 + 1];
    Jiefen__NodeInfo *ni = NULL;
    crypto_hex(e->hash, sizeof e->hash, hash);
    int ok = verify_signature(api->dep.st, txn, api->dep.id, api->dep.cfg->node_id, e) == 0;
    registry_get(api->dep.st, txn, e->event->origin, &ni);
    const char *tier = ni ? config_tier_name(ni->tier) : NULL;
    registry_free(&ni);
    return json_pack("{s:s, s:s, s:s, s:I, s:I, s:s, s:s, s:s, s:i, s:o, s:s, s:b}", "origin",
                     e->event->origin, "origin_name",
                     api_node_name(api->dep.st, txn, e->event->origin, name, sizeof name), "tier",
                     tier ? tier : "", "seq", (json_int_t)e->event->seq, "time_ms",
                     (json_int_t)e->event->time_ms, "actor", e->event->actor, "actor_name",
                     api_actor_name(api->dep.st, txn, e->event->actor, e->event->actor_name,
                                    person, sizeof person),
                     "kind",
                     envelope_kind(e->event), "period", (int)e->event->case_epoch, "details",
                     event_details(e->event), "hash", hash, "signature_ok", ok);
}

static int add_parties(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    json_t *list = arg;
    (void)ev;
    Jiefen__Sealed *s = jiefen__sealed__unpack(NULL, len, plain);
    for (size_t i = 0; s && i < s->n_parties; i++) {
        const Jiefen__Party *p = s->parties[i];
        json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:s, s:s}", "role", p->role,
                                              "name", p->name, "id_number", p->id_number,
                                              "phone", p->phone, "address", p->address));
    }
    if (s)
        jiefen__sealed__free_unpacked(s, NULL);
    return 0;
}

int api_case_parties(struct api *api, MDB_txn *txn, const Jiefen__CaseView *v, json_t *list)
{
    return casefile_each(api->dep.st, txn, api->dep.id, api->dep.cfg->node_id, v, add_parties,
                         list);
}

/* The file's history. */
static int case_history(struct api *api, MDB_txn *txn, const Jiefen__CaseView *v,
                        json_t *history)
{
    for (size_t i = 0; i < v->n_event_origins && i < v->n_event_seqs; i++) {
        MDB_val d;
        envelope *e = NULL;
        int rc = store_event_get(api->dep.st, txn, v->event_origins[i], v->event_seqs[i], &d);
        if (rc == 0)
            rc = envelope_decode(d.mv_data, d.mv_size, &e);
        if (rc)
            return rc;
        json_array_append_new(history, history_entry(api, txn, e));
        envelope_free(&e);
    }
    return 0;
}

/* The case as GET /cases/{id} answers it; parties NULL when not shown, with the reason. */
/* Takes parties and history, or on a store error leaves them to the caller and returns NULL
 * with *rc set. */
static json_t *case_answer(struct api *api, MDB_txn *txn, const Jiefen__CaseView *v,
                           json_t *parties, json_t *history, const char *withheld, int *rc)
{
    json_t *sms = api_outbox_of_case(api, txn, v->case_id, rc);
    if (!sms)
        return NULL;
    json_t *interop = api_interop_of_case(api, txn, v->case_id, rc);
    if (!interop) {
        json_decref(sms);
        return NULL;
    }
    json_t *out = json_pack("{s:o, s:o, s:o, s:o, s:o}", "case", api_case_json(api, txn, v),
                            "parties", parties ? parties : json_null(), "history", history,
                            "sms", sms, "interop", interop);
    if (withheld)
        json_object_set_new(out, "parties_withheld", json_string(withheld));
    return out;
}

/* Without personal data: a read transaction, nothing recorded; `withheld` says why the
 * parties are not shown when the caller may see them. */
static void case_show_plain(struct api_call *c, const char *id, const char *withheld)
{
    struct api *api = c->api;
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &txn);
    if (rc)
        return reply_store_error(c, rc);
    if ((rc = caseindex_get(api->dep.st, txn, id, &v)) || !v || !api_sees_case(c, v)) {
        store_txn_abort(txn);
        case_view_free(&v);
        if (rc)
            return reply_store_error(c, rc);
        return reply_error(c, 404, "not_found", NULL, "无此案件：%s", id);
    }
    json_t *history = json_array();
    rc = case_history(api, txn, v, history);
    json_t *out = rc ? NULL : case_answer(api, txn, v, NULL, history, withheld, &rc);
    store_txn_abort(txn);
    case_view_free(&v);
    if (rc) {
        json_decref(history);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, out);
}

struct show {
    char id[128];
    char purpose[64];
};

/* With personal data: an operation of the group commit, which records the view (who saw
 * the parties, for what purpose) and answers only once that record is durable. The
 * holder's own staff work the case: for them the purpose is 办案 unless they give one;
 * anyone else must give it, or sees the file without the parties (docs/casefile.md). */
static int show_apply(eventlog_tx *tx, struct api_op *o)
{
    struct show *s = o->data;
    struct api *api = o->c->api;
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(tx->st, tx->txn, s->id, &v);
    if (rc || !v)
        return rc ? rc : op_refuse(o, 404, "not_found", NULL, "无此案件：%s", s->id);
    const char *purpose = access_use_purpose(v, api->dep.cfg->node_id, s->purpose);
    json_t *parties = purpose ? json_array() : NULL, *history = json_array();
    rc = case_history(api, tx->txn, v, history);
    if (rc == 0 && parties)
        rc = api_case_parties(api, tx->txn, v, parties);
    if (rc == 0 && json_array_size(parties))
        rc = access_record(tx, v->case_id, "parties", purpose, 0, NULL);
    if (rc == 0)
        o->out = case_answer(api, tx->txn, v, parties, history,
                             purpose ? NULL : "查看当事人信息须说明查阅目的（purpose）", &rc);
    if (rc)
        json_decref(parties), json_decref(history);
    case_view_free(&v);
    return rc;
}

void route_case_show(struct api_call *c, const http_request *r, const char *tail)
{
    char id[128], want[8];
    if (strstr(tail, "/forms/"))
        return route_case_form(c, r, tail);
    if (strlen(tail) > 8 && strcmp(tail + strlen(tail) - 8, "/archive") == 0)
        return route_case_archive(c, r, tail);
    if (http_url_decode(tail, strlen(tail), id, sizeof id, 0) < 0 || !id[0] || strchr(id, '/'))
        return reply_error(c, 404, "not_found", NULL, "无此案件");
    /* Personal data only for the roles whose work needs it (docs/permissions.md), and not
     * when the caller asks for the file without it (parties=no: nothing recorded). */
    if (api_query_param(r->query, "parties", want, sizeof want))
        want[0] = '\0';
    if (!api_grant(c, PERM_CASE_PARTIES) || strcmp(want, "no") == 0)
        return case_show_plain(c, id, NULL);
    /* A view of the parties is recorded first: with no room to record it, none is shown. */
    char full[256], why[400];
    if (api_disk_message(c->api->dep.st, full, sizeof full)) {
        snprintf(why, sizeof why, "%s：查看当事人信息须先记入查阅记录，暂不显示", full);
        return case_show_plain(c, id, why);
    }
    struct show *s = calloc(1, sizeof *s);
    if (!s)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    snprintf(s->id, sizeof s->id, "%s", id);
    if (api_query_param(r->query, "purpose", s->purpose, sizeof s->purpose) ||
        (s->purpose[0] && !access_purpose(s->purpose))) {
        free(s);
        return reply_error(c, 400, "invalid_purpose", "purpose",
                           "查阅目的无效：应为办案、回访、督办、审计、复核或其他");
    }
    op_submit_data(c, json_object(), show_apply, NULL, s);
}


/* ---- lists ------------------------------------------------------------------------ */

struct list_filter {
    char status[32], category[64], village[256], risk[32], after[128], held[16];
    char department[256], text[256];
    int64_t from_ms, to_ms;
    long limit;
};

static const char *const list_keys[] = {"status", "category", "village", "risk",
                                        "from",   "to",       "limit",   "after",
                                        "held",   "department", "text"};

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

/* Fills f from the query; returns NULL or the name of the parameter that is wrong. */
static const char *parse_filter(const char *q, struct list_filter *f, char *bad, size_t blen)
{
    memset(f, 0, sizeof *f);
    const char *unknown = unknown_param(q, bad, blen);
    if (unknown)
        return unknown;
    if (api_query_param(q, "status", f->status, sizeof f->status) ||
        (f->status[0] && ref_index(&ref_statuses, f->status) < 0))
        return "status";
    if (f->status[0]) /* a Chinese name is accepted: compare codes */
        snprintf(f->status, sizeof f->status, "%s",
                 ref_statuses.entries[ref_index(&ref_statuses, f->status)].code);
    if (api_query_param(q, "category", f->category, sizeof f->category) ||
        (f->category[0] && ref_index(&ref_categories, f->category) < 0))
        return "category";
    if (api_query_param(q, "risk", f->risk, sizeof f->risk) ||
        (f->risk[0] && ref_index(&ref_risks, f->risk) < 0))
        return "risk";
    if (api_query_param(q, "village", f->village, sizeof f->village))
        return "village";
    if (api_query_param(q, "held", f->held, sizeof f->held) ||
        (f->held[0] && strcmp(f->held, "here") && strcmp(f->held, "above") &&
         strcmp(f->held, "below")))
        return "held";
    if (api_query_param(q, "after", f->after, sizeof f->after))
        return "after";
    if (api_query_param(q, "department", f->department, sizeof f->department) ||
        !utf8_valid(f->department))
        return "department";
    if (api_query_param(q, "text", f->text, sizeof f->text) || !utf8_valid(f->text))
        return "text";
    f->to_ms = INT64_MAX;
    const char *date = api_query_dates(q, &f->from_ms, &f->to_ms);
    if (date)
        return date;
    return api_query_limit(q, LIST_DEFAULT, LIST_MAX, &f->limit);
}

static int matches(const Jiefen__CaseView *v, const struct list_filter *f)
{
    const struct ref_entry *cat =
        f->category[0] ? ref_find(&ref_categories, f->category) : NULL;
    if (cat && strcmp(cat->code, v->category))
        return 0;
    if (f->risk[0] && ref_index(&ref_risks, f->risk) + 1 != (int)v->risk)
        return 0;
    if (f->village[0] && strcmp(f->village, v->village))
        return 0;
    if (f->department[0] && strcmp(f->department, v->department))
        return 0;
    /* UTF-8 never matches inside a character, so a byte search finds whole characters. */
    if (f->text[0] && !strstr(v->summary, f->text))
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

/* A page of the list being walked: the filter, and what it found so far. */
struct case_page {
    struct api *api;
    MDB_txn *txn;
    const struct list_filter *f;
    json_t *out;
    char *next;
    size_t nlen;
};

static int list_one(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct case_page *p = arg;
    const struct list_filter *f = p->f;
    char id[FOLD_CASE_ID_MAX + 1];
    Jiefen__CaseView *v = NULL;
    (void)val;
    int rc = caseindex_opened_id(key, id);
    if (rc == 0)
        rc = caseindex_get(p->api->dep.st, p->txn, id, &v);
    if (rc || !v)
        return rc ? rc : JF_ECORRUPT;
    /* Status and place are as this node shows them ("escalated" is a place). */
    json_t *j = matches(v, f) ? api_case_json(p->api, p->txn, v) : NULL;
    case_view_free(&v);
    if (!j || !shown_matches(j, f)) {
        json_decref(j);
        return 0;
    }
    if (json_array_size(p->out) == (size_t)f->limit) {
        /* One more match exists: the page ends at the last one returned. */
        json_decref(j);
        json_t *last = json_array_get(p->out, json_array_size(p->out) - 1);
        snprintf(p->next, p->nlen, "%s", json_string_value(json_object_get(last, "id")));
        return STORE_STOP;
    }
    json_array_append_new(p->out, j);
    return 0;
}

/* Walks the views newest first (the `opened` index backwards) from just before the case
 * `f->after`, collecting up to limit. JF_ENOTFOUND if `after` is no case of this node. */
static int list_cases(struct api *api, const struct list_filter *f, json_t *out, char *next,
                      size_t nlen)
{
    struct case_page p = {api, NULL, f, out, next, nlen};
    struct store_range r = {.reverse = 1};
    uint8_t from[8 + FOLD_CASE_ID_MAX];
    Jiefen__CaseView *after = NULL;
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &p.txn);
    if (rc)
        return rc;
    next[0] = 0;
    if (f->after[0]) {
        if ((rc = caseindex_get(api->dep.st, p.txn, f->after, &after)) == 0 && !after)
            rc = JF_ENOTFOUND;
        if (rc == 0) {
            r.from = from;
            r.from_len = caseindex_opened_key(after->opened_ms, after->case_id, from);
        }
        case_view_free(&after);
    }
    if (rc == 0)
        rc = store_walk(p.txn, api->dep.st->opened, &r, list_one, &p);
    store_txn_abort(p.txn);
    return rc;
}

void route_case_list(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct list_filter f;
    char bad[64], next[128];
    const char *wrong = parse_filter(r->query, &f, bad, sizeof bad);
    if (wrong)
        return reply_error(c, 400, "invalid_query", wrong, "查询参数 %s 无效", wrong);
    json_t *cases = json_array();
    int rc = list_cases(c->api, &f, cases, next, sizeof next);
    if (rc == JF_ENOTFOUND) {
        json_decref(cases);
        return reply_error(c, 400, "invalid_query", "after",
                           "查询参数 after 无效：本节点没有案件 %s", f.after);
    }
    if (rc) {
        json_decref(cases);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, json_pack("{s:o, s:o}", "cases", cases, "next",
                                 next[0] ? json_string(next) : json_null()));
}

/* ---- supervision (督办) -------------------------------------------------------------- */

struct supervision {
    struct api *api;
    MDB_txn *txn;
    int64_t now;
    json_t *overdue, *due_soon, *leader, *needs_leader, *extensions;
    json_t *risk[3]; /* red, orange, yellow: the list reads most severe first */
};

static void supervise_one(struct supervision *s, const Jiefen__CaseView *v)
{
    struct api *api = s->api;
    int where = where_is(api->dep.st, s->txn, api->dep.cfg->node_id, v->holder);
    int open = v->status == CASE_STATUS(OPEN) || v->status == CASE_STATUS(RESOLVED);
    if (!open || (where != CASE_HERE && where != CASE_BELOW))
        return;
    int official = policy_official_tier(v->risk);
    json_t *j = api_case_json(api, s->txn, v);
    if (case_overdue(v, s->now))
        json_array_append(s->overdue, j);
    else if (v->status == CASE_STATUS(OPEN) && v->due_ms > s->now &&
             v->due_ms - s->now < (int64_t)api->dep.cfg->warn_hours * 3600000)
        json_array_append(s->due_soon, j);
    /* Red, orange and yellow are risks (blue is normal): the holder supervises its own,
     * and the tier that answers for a colour (red: county, orange: township) those below. */
    if (v->risk >= JIEFEN__RISK__RISK_YELLOW &&
        v->risk <= JIEFEN__RISK__RISK_RED &&
        (where == CASE_HERE || official == (int)api->dep.cfg->tier))
        json_array_append(s->risk[JIEFEN__RISK__RISK_RED - v->risk], j);
    if (v->leader && strcmp(v->leader_origin, api->dep.cfg->node_id) == 0)
        json_array_append(s->leader, j);
    if (v->leader_required && !v->leader)
        json_array_append(s->needs_leader, j);
    if (strcmp(v->ext_state, "pending") == 0 && v->ext_epoch == v->epoch &&
        where == CASE_BELOW) {
        Jiefen__NodeInfo *h = NULL;
        if (registry_get(api->dep.st, s->txn, v->holder, &h) == 0 && h &&
            strcmp(h->parent, api->dep.cfg->node_id) == 0)
            json_array_append(s->extensions, j);
        registry_free(&h);
    }
    json_decref(j);
}

static int supervise_walk(const MDB_val *key, const MDB_val *val, void *arg)
{
    (void)key;
    Jiefen__CaseView *v = case_view_decode(val->mv_data, val->mv_size);
    if (v)
        supervise_one(arg, v);
    case_view_free(&v);
    return 0;
}

void route_supervision(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    struct api *api = c->api;
    struct supervision s = {api,
                            NULL,
                            clock_now_ms(),
                            json_array(),
                            json_array(),
                            json_array(),
                            json_array(),
                            json_array(),
                            {json_array(), json_array(), json_array()}};
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &s.txn);
    if (rc == 0) {
        rc = store_walk(s.txn, api->dep.st->cases, NULL, supervise_walk, &s);
        store_txn_abort(s.txn);
    }
    json_array_extend(s.risk[0], s.risk[1]);
    json_array_extend(s.risk[0], s.risk[2]);
    json_decref(s.risk[1]);
    json_decref(s.risk[2]);
    json_t *out =
        json_pack("{s:o, s:o, s:o, s:o, s:o, s:o}", "overdue", s.overdue, "due_soon",
                  s.due_soon, "risk", s.risk[0], "leader_owned", s.leader, "needs_leader",
                  s.needs_leader, "extensions_to_decide", s.extensions);
    if (rc) {
        json_decref(out);
        return reply_store_error(c, rc);
    }
    reply_json(c, 200, out);
}
