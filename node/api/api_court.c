/*
 * api_court — 司法确认 on the HTTP API (docs/interop.md, "Courts: 司法确认"): the case action
 * `confirmation` (api_court_apply: the holder applies to a court of [interop] for the
 * judicial confirmation of the agreement, once its 调解协议书 and 司法确认申请书 are
 * entered; the application goes to the court through the outbox in the same transaction,
 * and the courier renders both forms into it when it sends) and POST /api/v1/interop/rulings (the court's ruling,
 * signed like its orders: recorded in the case's chain with its document attached, kind
 * ruling). The same ruling sent again answers 200 and changes nothing.
 */
#include "api/api_interop.h"
#include "api/api_op.h"
#include "api/api_routes.h"
#include "blob.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/confirm.h"
#include "case/document.h"
#include "case/doctype.h"
#include "case/interop.h"
#include "case/lifecycle.h"
#include "case/record.h"
#include "error.h"
#include "log.h"
#include "outbox/outbox.h"
#include "utf8.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RULING_NO_MAX 128
#define REASON_MAX 2000

/* ---- the application ---------------------------------------------------------------- */

/* What the application carries to the court: its kind, and the court's 案号 when the court
 * delegated the case (诉前委派). */
static int queue_application(eventlog_tx *tx, const char *court, const char *no,
                             const char *case_id)
{
    Jiefen__InteropOrder *o = NULL;
    uint64_t id;
    int rc = interop_order_of_case(tx->st, tx->txn, case_id, &o);
    if (rc)
        return rc;
    const struct notify_var vars[] = {{"kind", "confirmation_application"},
                                      {"court_case_no", o ? o->court_case_no : ""}};
    rc = outbox_queue(tx, court, "confirm_application", no, case_id, vars,
                      sizeof vars / sizeof vars[0], &id);
    if (o)
        jiefen__interop_order__free_unpacked(o, NULL);
    return rc;
}

/* The application carries the case file's 司法确认申请书 and 调解协议书 (the court reads
 * them; the courier renders both when it sends): refused until both are entered. 0, or an
 * op_refuse naming the missing one. */
static int forms_entered(eventlog_tx *tx, struct api_op *o, struct api *api,
                         const Jiefen__CaseView *v)
{
    struct record_set rs;
    int rc = record_read(tx->st, tx->txn, api->dep.id, api->dep.cfg->node_id, v, &rs);
    if (rc == 0 && !rs.content[RECORD_AGREEMENT])
        rc = op_refuse(o, 409, "no_agreement_form", NULL,
                       "请先填写调解协议书：申请书与调解协议书随申请一并送达法院");
    else if (rc == 0 && !rs.content[RECORD_CONFIRMATION])
        rc = op_refuse(o, 409, "no_application_form", NULL,
                       "请先填写司法确认申请书：申请书与调解协议书随申请一并送达法院");
    record_set_clear(&rs);
    return rc;
}

int api_court_apply(eventlog_tx *tx, struct api_op *o, struct api *api,
                    const Jiefen__CaseView *v)
{
    const char *court, *code, *why;
    char no[CONFIRM_NO_MAX];
    int rc = op_text(o, "court", "法院", 1, CONFIG_INTEROP_NAME_MAX - 1, &court);
    if (rc)
        return rc;
    const struct config_interop_system *s = config_interop_system(&api->dep.cfg->interop, court);
    if (!s || !s->court)
        return op_refuse(o, 400, "invalid_field", "court", "“%s”不是已配置的法院（[interop] 中 kind = court 的系统）",
                         court);
    if ((why = confirm_refusal(v, &code)))
        return op_refuse(o, 409, code, NULL, "%s", why);
    if ((rc = forms_entered(tx, o, api, v)))
        return rc;
    confirm_next_no(v, no);
    Jiefen__ConfirmApplied a = JIEFEN__CONFIRM_APPLIED__INIT;
    a.court = (char *)court;
    a.application_no = no;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_CONFIRM_APPLIED;
    ev.confirm_applied = &a;
    if ((rc = lifecycle_append(tx, v, &ev, op_actor(o))))
        return rc;
    return queue_application(tx, court, no, v->case_id);
}

/* ---- the ruling --------------------------------------------------------------------- */

struct ruling {
    char system[CONFIG_INTEROP_NAME_MAX];
    char case_id[CONFIRM_NO_MAX], application_no[CONFIRM_NO_MAX];
    char decision[16], ruling_no[RULING_NO_MAX + 1];
    char name[DOCUMENT_NAME_MAX + 1], mime[DOCTYPE_MIME_MAX], dir[BLOB_PATH_MAX];
    char *reason;
    uint8_t key[DOCUMENT_KEY_LEN], hash[CRYPTO_HASH_LEN];
    uint64_t size, sealed_size;
};

/* The sealed blob of a ruling that did not commit is removed, the key wiped. */
static void ruling_release(void *data, int committed)
{
    struct ruling *g = data;
    int rc = committed || !g->sealed_size ? 0 : blob_remove(g->dir, g->hash);
    if (rc)
        log_warn("court", "cannot remove the blob of a refused ruling (%s)", jf_strerror(rc));
    crypto_wipe(g->key, sizeof g->key);
    free(g->reason);
}

/* Whether v's application g->application_no has this ruling already (1), no ruling (0), or
 * cannot take it (an op_refuse). */
static int ruling_state(struct api_op *o, const Jiefen__CaseView *v, const struct ruling *g)
{
    const Jiefen__ConfirmState *s = v->confirm;
    if (!s || strcmp(s->application_no, g->application_no))
        return op_refuse(o, 404, "unknown_application", "application_no", "无此司法确认申请：%s",
                         g->application_no);
    if (!s->decision[0])
        return 0;
    if (strcmp(s->ruling_no, g->ruling_no) == 0 && strcmp(s->decision, g->decision) == 0)
        return 1;
    return op_refuse(o, 409, "already_ruled", "application_no", "申请 %s 已有裁定 %s",
                     g->application_no, s->ruling_no);
}

static int ruling_apply(eventlog_tx *tx, struct api_op *o)
{
    struct ruling *g = o->data;
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(tx->st, tx->txn, g->case_id, &v);
    if (rc == 0 && !v)
        rc = op_refuse(o, 404, "unknown_application", "application_no", "无此司法确认申请：%s",
                       g->application_no);
    int dup = rc ? rc : ruling_state(o, v, g);
    if (dup == 0 && strcmp(v->holder, o->c->api->dep.cfg->node_id))
        dup = op_refuse(o, 409, "not_holder", NULL, "案件 %s 已不在本中心办理", g->case_id);
    if (dup == 0) {
        Jiefen__ConfirmRuled r = JIEFEN__CONFIRM_RULED__INIT;
        Jiefen__Event ev = JIEFEN__EVENT__INIT;
        Jiefen__DocAttached d = JIEFEN__DOC_ATTACHED__INIT;
        Jiefen__DocSecret s = JIEFEN__DOC_SECRET__INIT;
        char note[RULING_NO_MAX + 32];
        r.application_no = g->application_no;
        r.decision = g->decision;
        r.ruling_no = g->ruling_no;
        r.reason = g->reason;
        ev.body_case = JIEFEN__EVENT__BODY_CONFIRM_RULED;
        ev.confirm_ruled = &r;
        d.kind = (char *)"ruling";
        d.mime = g->mime;
        d.size = g->size;
        d.sealed_size = g->sealed_size;
        d.blob_hash = (ProtobufCBinaryData){CRYPTO_HASH_LEN, g->hash};
        snprintf(note, sizeof note, "司法确认裁定书 %s", g->ruling_no);
        s.name = g->name;
        s.note = note;
        s.key = (ProtobufCBinaryData){DOCUMENT_KEY_LEN, g->key};
        rc = lifecycle_append(tx, v, &ev, g->system);
        case_view_free(&v);
        if (rc == 0 && (rc = caseindex_get(tx->st, tx->txn, g->case_id, &v)) == 0)
            rc = document_append(tx, v, &d, &s, g->system);
    }
    case_view_free(&v);
    if (rc == 0 && dup >= 0)
        o->out = json_pack("{s:s, s:s, s:s, s:b}", "application_no", g->application_no,
                           "case_id", g->case_id, "decision", g->decision, "duplicate", dup);
    return dup < 0 ? dup : rc;
}

/* A text member of at most max bytes into out; NULL, or why not. */
static const char *text_of(const json_t *body, const char *key, char *out, size_t max)
{
    const char *s = json_string_value(json_object_get(body, key));
    if (!s || !s[0])
        return "缺少";
    if (strlen(s) > max || !utf8_valid(s) || strpbrk(s, "\r\n\t"))
        return "过长或不是有效的文字";
    snprintf(out, max + 1, "%s", s);
    return NULL;
}

/* What is wrong with body's fields (the field into *field), or NULL; fills g. */
static const char *ruling_fault(const json_t *body, struct ruling *g, const char **field)
{
    const char *why, *dash, *reason = json_string_value(json_object_get(body, "reason"));
    *field = "application_no";
    if ((why = text_of(body, "application_no", g->application_no, CONFIRM_NO_MAX - 1)))
        return why;
    if (!(dash = strstr(g->application_no, "-SQ")) || dash == g->application_no)
        return "不是本中心的申请编号";
    snprintf(g->case_id, sizeof g->case_id, "%.*s", (int)(dash - g->application_no),
             g->application_no);
    *field = "decision";
    if ((why = text_of(body, "decision", g->decision, sizeof g->decision - 1)))
        return why;
    if (strcmp(g->decision, "confirmed") && strcmp(g->decision, "refused"))
        return "只能是 confirmed（确认有效）或 refused（驳回申请）";
    *field = "ruling_no";
    if ((why = text_of(body, "ruling_no", g->ruling_no, RULING_NO_MAX)))
        return why;
    *field = "reason";
    if (strcmp(g->decision, "refused") == 0 && (!reason || !reason[0]))
        return "缺少（驳回申请须写明理由）";
    if (reason && (strlen(reason) > REASON_MAX || !utf8_valid(reason)))
        return "过长或不是有效的文字";
    return NULL;
}

/* Checks body into g; 0, or answers 400 and returns -1 (-ENOMEM without memory). */
static int ruling_parse(struct api_call *c, const json_t *body, struct ruling *g)
{
    const char *field, *why = ruling_fault(body, g, &field);
    if (why) {
        reply_error(c, 400, strncmp(why, "缺少", strlen("缺少")) ? "invalid_field" : "missing_field",
                    field, "%s：%s", field, why);
        return -1;
    }
    const char *reason = json_string_value(json_object_get(body, "reason"));
    g->reason = strdup(reason ? reason : "");
    return g->reason ? 0 : -ENOMEM;
}

/* The ruling's document ({"name", "content_base64"}): checked and sealed into a blob. 0, or
 * answers and returns -1. */
static int ruling_document(struct api_call *c, const json_t *body, struct ruling *g)
{
    const json_t *doc = json_object_get(body, "document");
    const char *b64 = json_string_value(json_object_get(doc, "content_base64")), *why;
    size_t n = b64 ? strlen(b64) : 0, len = 0;
    uint8_t *plain = n ? malloc(n) : NULL;
    int rc = 0;
    if ((why = text_of(doc, "name", g->name, DOCUMENT_NAME_MAX)) || strchr(g->name, '/')) {
        reply_error(c, 400, why && strcmp(why, "缺少") == 0 ? "missing_field" : "invalid_field",
                    "document.name", "裁定书文件名（document.name）缺少或有误");
        rc = -1;
    } else if (!plain || sodium_base642bin(plain, n, b64, n, NULL, &len, NULL,
                                           sodium_base64_VARIANT_ORIGINAL) || !len) {
        reply_error(c, 400, b64 ? "invalid_field" : "missing_field", "document.content_base64",
                    "裁定书内容（document.content_base64）缺少或不是 base64");
        rc = -1;
    } else if (doctype_check(plain, len, g->mime)) {
        reply_error(c, 415, "unsupported_type", "document.content_base64",
                    "不接受此类文件（按内容识别为 %s）：只接受图片、PDF 和办公文档", g->mime);
        rc = -1;
    } else if ((rc = blob_dir(c->api->dep.st, 1, g->dir)) ||
               (rc = document_seal(g->dir, plain, len, g->key, g->hash, &g->sealed_size))) {
        reply_store_error(c, rc);
        rc = -1;
    }
    g->size = len;
    if (plain) {
        sodium_memzero(plain, n);
        free(plain);
    }
    return rc;
}

void route_interop_ruling(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    const struct config_interop_system *s = api_interop_authenticate(c, r);
    if (!s)
        return;
    if (!s->court)
        return reply_error(c, 403, "not_a_court", "Authorization", "“%s”不是法院，不能送达裁定",
                           s->name);
    json_t *body = json_loadb(r->body, r->body_len, 0, NULL);
    struct ruling *g = calloc(1, sizeof *g);
    int rc = g ? 0 : -ENOMEM;
    if (rc == 0 && !json_is_object(body)) {
        reply_error(c, 400, "invalid_json", NULL, "裁定不是有效的JSON对象");
        rc = -1;
    }
    if (rc == 0) {
        snprintf(g->system, sizeof g->system, "%s", s->name);
        rc = ruling_parse(c, body, g);
    }
    if (rc == 0)
        rc = ruling_document(c, body, g);
    json_decref(body);
    if (rc == -ENOMEM)
        reply_error(c, 500, "internal", NULL, "内存不足");
    if (rc) {
        if (g)
            ruling_release(g, 1);
        free(g);
        return;
    }
    op_submit_release(c, json_object(), ruling_apply, g, ruling_release);
}
