/* api_form — the printable forms and their receipts (docs/api.md, "Forms and receipts"):
 * recording a form's content at its step (the "records" action of a case, run by
 * api_case_act.c's action table), a form as PDF rendered on the thread pool, checking a
 * receipt's text against this tree's root, and that root certificate for offline checks. */
#include "api/api_op.h"
#include "api/api_routes.h"
#include "case/access.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/confirm.h"
#include "case/record.h"
#include "cert.h"
#include "error.h"
#include "log.h"
#include "log/work.h"
#include "print/formdata.h"
#include "print/forms.h"
#include "receipt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- recording a form's content ---------------------------------------------------- */

/* Whether the case is at the step where kind k is entered. */
static int step_allows(int k, const Jiefen__CaseView *v, const struct record_set *rs)
{
    switch (k) {
    case RECORD_MEDIATION:
        return v->status == CASE_STATUS(OPEN);
    case RECORD_AGREEMENT:
        return v->status == CASE_STATUS(OPEN) || v->status == CASE_STATUS(RESOLVED);
    case RECORD_CONFIRMATION:
        return rs->content[RECORD_AGREEMENT] != NULL;
    default:
        return v->status == CASE_STATUS(CLOSED);
    }
}

static const char *const step_names[RECORD_KINDS] = {
    "调解笔录在案件办理中录入", "调解协议书在调解达成协议时录入（案件办理中或已化解）",
    "司法确认申请书须先录入调解协议书", "回访单在案件办结后录入"};

int api_record_apply(eventlog_tx *tx, struct api_op *o, struct api *api,
                     const Jiefen__CaseView *v)
{
    struct record_error e;
    struct record_set rs;
    uint8_t *sealed = NULL;
    size_t len = 0;
    const char *kind = api_str(o->in, "kind");
    int k = record_kind_index(kind), rc;
    if (!kind[0])
        return op_refuse(o, 400, "missing_field", "kind", "请选择文书种类");
    if (k < 0)
        return op_refuse(o, 400, "invalid_field", "kind", "文书种类“%.64s”不在可选范围内", kind);
    if (record_parse(k, json_object_get(o->in, "fields"), &sealed, &len, &e) == JF_EINVAL)
        return op_refuse(o, 400, e.code, e.field, "%s", e.msg);
    if (!sealed)
        return -ENOMEM;
    const char *code = NULL, *locked = k == RECORD_AGREEMENT || k == RECORD_CONFIRMATION
                                    ? confirm_forms_locked(v, &code) : NULL;
    rc = record_read(tx->st, tx->txn, api->dep.id, api->dep.cfg->node_id, v, &rs);
    if (rc == 0 && locked)
        rc = op_refuse(o, 409, code, "kind", "%s", locked);
    else if (rc == 0 && !step_allows(k, v, &rs))
        rc = op_refuse(o, 409, "invalid_state", "kind", "%s，案件 %s 当前不能录入",
                       step_names[k], v->case_id);
    record_set_clear(&rs);
    if (rc == 0)
        rc = record_append(tx, v, k, sealed, len, op_actor(o));
    crypto_wipe(sealed, len);
    free(sealed);
    return rc;
}

/* ---- a form as PDF -------------------------------------------------------------------- */

struct form_job {
    struct api_call *c;
    char id[128];
    char purpose[32];
    int form;
    uint8_t *pdf;
    size_t len;
    char why[FORMS_ERR_MAX];
};

static int form_work(MDB_txn *txn, void *arg)
{
    struct form_job *j = arg;
    struct api *api = j->c->api;
    return forms_render(api->dep.st, txn, api->dep.id, api->dep.cfg->node_id, j->id, j->form,
                        &j->pdf, &j->len, j->why);
}

static void form_done(int rc, void *arg)
{
    struct form_job *j = arg;
    char filename[200];
    if (rc == JF_ENOTFOUND)
        reply_error(j->c, 404, "not_found", NULL, "无此案件：%s", j->id);
    else if (rc == JF_EINVAL)
        reply_error(j->c, 409, "form_not_ready", NULL, "%s", j->why);
    else if (rc)
        reply_store_error(j->c, rc);
    else {
        snprintf(filename, sizeof filename, "%s-%s.pdf", j->id, forms_names[j->form].code);
        log_info("forms", "case %s: %s printed", j->id, forms_names[j->form].code);
        reply_file(j->c, "application/pdf", filename, (const char *)j->pdf, j->len);
    }
    free(j->pdf);
    free(j);
}

/* Printing is a use of the parties' data: recorded (and approved first when the policy asks
 * it for print) before the form is made. */
static int form_access(eventlog_tx *tx, struct api_op *o)
{
    struct form_job *j = o->data;
    struct api *api = o->c->api;
    char what[ACCESS_WHAT_MAX], approval[ACCESS_ID_MAX], why[256];
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(tx->st, tx->txn, j->id, &v);
    if (rc || !v)
        return rc ? rc : op_refuse(o, 404, "not_found", NULL, "无此案件：%s", j->id);
    const char *purpose = access_use_purpose(v, api->dep.cfg->node_id, j->purpose);
    snprintf(what, sizeof what, "form:%s", forms_names[j->form].code);
    if (!purpose)
        rc = op_refuse(o, 400, "invalid_purpose", "purpose",
                       "打印案件 %s 的文书须说明查阅目的（purpose）", v->case_id);
    else if ((rc = access_check(tx, api->dep.cfg->access_approval_for, v->case_id, what,
                                approval, why, sizeof why)) == JF_EINVAL)
        rc = op_refuse(o, 403, "approval_required", "form", "%s", why);
    if (rc == 0)
        rc = access_record(tx, v->case_id, what, purpose, 0, approval);
    case_view_free(&v);
    return rc;
}

static void form_render(struct api_call *c, void *data)
{
    work_read(c->api->dep.work, form_work, form_done, data);
}

/* tail: "ID/forms/FORM.pdf" */
void route_case_form(struct api_call *c, const http_request *r, const char *tail)
{
    char form[64];
    const char *at = strstr(tail, "/forms/");
    struct form_job *j = calloc(1, sizeof *j);
    if (!j)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    j->c = c;
    size_t flen = strlen(at + 7);
    if (http_url_decode(tail, (size_t)(at - tail), j->id, sizeof j->id, 0) <= 0 || flen < 5 ||
        flen >= sizeof form || strcmp(at + 7 + flen - 4, ".pdf")) {
        free(j);
        return reply_error(c, 404, "not_found", NULL, "无此接口");
    }
    snprintf(form, sizeof form, "%.*s", (int)(flen - 4), at + 7);
    if ((j->form = forms_index(form)) < 0) {
        free(j);
        return reply_error(c, 404, "unknown_form", "form",
                           "没有名为 %s 的表单（可选：intake_register, receipt, mediation_record, "
                           "agreement, confirmation_application, follow_up, cover）",
                           form);
    }
    /* Every form but the cover shows the parties' personal data. */
    if (api_permit(c, PERM_CASE_PARTIES)) {
        free(j);
        return;
    }
    if (api_query_param(r->query, "purpose", j->purpose, sizeof j->purpose) ||
        (j->purpose[0] && !access_purpose(j->purpose))) {
        free(j);
        return reply_error(c, 400, "invalid_purpose", "purpose",
                           "查阅目的无效：应为办案、回访、督办、审计、复核或其他");
    }
    op_submit_then(c, json_object(), form_access, form_render, j);
}

/* ---- receipts ------------------------------------------------------------------------- */

static int root_of(struct api *api, uint8_t **root, size_t *len)
{
    MDB_txn *txn;
    int rc = store_txn_begin(api->dep.st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = formdata_root(api->dep.st, txn, root, len);
        store_txn_abort(txn);
    }
    return rc;
}

void route_receipt_verify(struct api_call *c, const http_request *r, const char *tail)
{
    (void)tail;
    struct receipt_info info;
    uint8_t *root = NULL;
    size_t len;
    json_t *in = api_body(c, r);
    if (!in)
        return;
    const json_t *t = json_object_get(in, "text");
    if (!t || !json_is_string(t) || !json_string_length(t)) {
        json_decref(in);
        return reply_error(c, 400, "missing_field", "text", "请粘贴回执二维码中的文本");
    }
    int rc = root_of(c->api, &root, &len);
    if (rc) {
        json_decref(in);
        if (rc == JF_ENOTFOUND)
            return reply_error(c, 409, "not_enrolled", NULL, "本节点尚未登记入网，没有根证书可供核验");
        return reply_store_error(c, rc);
    }
    int fault = receipt_verify(json_string_value(t), root, len, &info);
    free(root);
    json_decref(in);
    json_t *out = json_pack("{s:b, s:s, s:s}", "valid", fault == RECEIPT_OK, "code",
                            receipt_fault_code(fault), "message", receipt_fault_message(fault));
    if (fault == RECEIPT_OK)
        json_object_set_new(out, "receipt",
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "kind", info.kind,
                                      "case_id", info.case_id, "node_id", info.node_id,
                                      "node_name", info.node_name, "event_hash",
                                      info.event_hash, "time_ms", (json_int_t)info.time_ms));
    reply_json(c, 200, out);
}

void route_receipt_root(struct api_call *c, const http_request *r, const char *tail)
{
    (void)r, (void)tail;
    uint8_t *root = NULL;
    size_t len;
    int rc = root_of(c->api, &root, &len);
    if (rc == JF_ENOTFOUND)
        return reply_error(c, 409, "not_enrolled", NULL, "本节点尚未登记入网，没有根证书");
    if (rc)
        return reply_store_error(c, rc);
    char *text = cert_armor("ROOT-CERT", root, len);
    free(root);
    if (!text)
        return reply_error(c, 500, "internal", NULL, "内存不足");
    reply_json(c, 200, json_pack("{s:s}", "root", text));
    free(text);
}
