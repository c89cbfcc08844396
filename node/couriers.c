/* couriers — the node's deliverers of the outbox (couriers.h). */
#include "couriers.h"
#include "outbox/courier.h"
#include "outbox/receipt.h"
#include "outbox/sms.h"
#include "outbox/webhook.h"
#include "print/forms.h"
#include "error.h"
#include "log.h"
#include "outbox/outbox.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>

/* A courier made at start, its thread started with the first message in the outbox. */
struct post {
    courier *courier;
    int started;
};

struct couriers {
    store *st;
    const crypto_identity *id;
    const char *self;
    struct receipt_documents docs; /* a 司法确认 application's forms, rendered by print/ */
    sms *sms;               /* the SMS gateway's adapter */
    receipt *receipts[CONFIG_INTEROP_SYSTEMS]; /* the 回单 adapters, one per [interop] system */
    webhook *hooks[CONFIG_WEBHOOKS]; /* the [webhook NAME] subscribers' adapters */
    struct post posts[1 + CONFIG_INTEROP_SYSTEMS + CONFIG_WEBHOOKS]; /* SMS first */
    int n_posts;
    int idle;               /* 0: threads started; 1: the outbox was empty; 2: a look failed */
    uint64_t notes;         /* outbox_queue's notes when it was last found empty */
};

/* One rendered form as the application's document. NULL without memory. */
static json_t *form_document(const char *case_id, int f, const uint8_t *pdf, size_t len)
{
    size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *b64 = malloc(n), name[192];
    if (!b64)
        return NULL;
    sodium_bin2base64(b64, n, pdf, len, sodium_base64_VARIANT_ORIGINAL);
    snprintf(name, sizeof name, "%s-%s.pdf", case_id, forms_names[f].code);
    json_t *d = json_pack("{s:s, s:s, s:s, s:s, s:s}", "form", forms_names[f].code, "title",
                          forms_names[f].name, "name", name, "mime", "application/pdf",
                          "content_base64", b64);
    free(b64);
    return d;
}

/* receipt.h's maker: the 司法确认申请书 and the 调解协议书 as this node prints them now. */
static int application_documents(void *arg, const char *case_id, json_t **docs, char *why,
                                 size_t whylen)
{
    static const int forms[] = {FORM_CONFIRMATION, FORM_AGREEMENT};
    couriers *c = arg;
    MDB_txn *txn;
    json_t *a = json_array();
    int rc = a ? store_txn_begin(c->st, MDB_RDONLY, &txn) : -ENOMEM;
    if (rc) {
        json_decref(a);
        return rc;
    }
    for (size_t i = 0; rc == 0 && i < sizeof forms / sizeof forms[0]; i++) {
        uint8_t *pdf = NULL;
        size_t len = 0;
        char fwhy[FORMS_ERR_MAX];
        rc = forms_render(c->st, txn, c->id, c->self, case_id, forms[i], &pdf, &len, fwhy);
        if (rc == JF_EINVAL || rc == JF_ENOTFOUND)
            snprintf(why, whylen, "%s无法生成：%s", forms_names[forms[i]].name,
                     rc == JF_EINVAL ? fwhy : "本中心没有此案件");
        if (rc == JF_ENOTFOUND)
            rc = JF_EINVAL;
        if (rc == 0 && json_array_append_new(a, form_document(case_id, forms[i], pdf, len)))
            rc = -ENOMEM;
        free(pdf);
    }
    store_txn_abort(txn);
    if (rc)
        json_decref(a);
    else
        *docs = a;
    return rc;
}

/* One more courier with adapter a; its thread waits for the outbox's first message. */
static int add_post(couriers *c, const struct courier_adapter *a)
{
    struct post *p = &c->posts[c->n_posts];
    if (!(p->courier = courier_new(c->st, c->id, a)))
        return -ENOMEM;
    c->n_posts++;
    return 0;
}

static int add_receipts(couriers *c, const struct config *cfg)
{
    const struct config_interop *ic = &cfg->interop;
    struct courier_adapter a;
    int rc = 0;
    for (int i = 0, n = 0; rc == 0 && i < ic->n_systems; i++) {
        if (!ic->systems[i].key[0])
            continue;
        rc = (c->receipts[n++] = receipt_new(ic, &ic->systems[i], cfg->node_name, &c->docs, &a))
                 ? add_post(c, &a) : -ENOMEM;
    }
    return rc;
}

static int add_webhooks(couriers *c, const struct config *cfg)
{
    const struct config_webhooks *wc = &cfg->webhooks;
    struct courier_adapter a;
    int rc = 0;
    for (int i = 0; rc == 0 && i < wc->n; i++)
        rc = (c->hooks[i] = webhook_new(&wc->hooks[i], cfg->node_name, &a)) ? add_post(c, &a)
                                                                           : -ENOMEM;
    return rc;
}

static int any_message(const Jiefen__NotifyRecord *rec, void *arg)
{
    (void)rec;
    *(int *)arg = 1;
    return STORE_STOP;
}

/* The couriers' threads start with the first message not done in the outbox, whatever its
 * system: an idle node that never sends anything runs none (each would hold a stack). The
 * outbox is read only when something was queued since it was last found empty (a kick
 * comes with every commit). */
static int wake(couriers *c)
{
    MDB_txn *txn;
    uint64_t notes = store_queue_notes(c->st, c->st->notify);
    if (c->idle == 1 && notes == c->notes)
        return 0;
    c->notes = notes;
    int pending = 0, rc = store_txn_begin(c->st, MDB_RDONLY, &txn);
    if (rc) {
        c->idle = 2;
        return rc;
    }
    rc = outbox_each_pending(c->st, txn, any_message, &pending);
    store_txn_abort(txn);
    for (int i = 0; rc == 0 && pending && i < c->n_posts; i++)
        if (!c->posts[i].started && (rc = courier_start(c->posts[i].courier)) == 0)
            c->posts[i].started = 1;
    c->idle = rc ? 2 : !pending; /* after an error (2), read again at the next kick */
    return rc;
}

int couriers_start(const struct config *cfg, store *st, const crypto_identity *id,
                   couriers **out)
{
    struct courier_adapter a;
    couriers *c = *out = calloc(1, sizeof *c);
    if (c) {
        c->st = st;
        c->id = id;
        c->self = cfg->node_id;
        c->docs = (struct receipt_documents){application_documents, c};
    }
    if (!c || !(c->sms = sms_new(&cfg->sms, cfg->node_name, &a)))
        return -ENOMEM;
    int rc = add_post(c, &a);
    if (rc == 0)
        rc = add_receipts(c, cfg);
    if (rc == 0)
        rc = add_webhooks(c, cfg);
    return rc ? rc : wake(c);
}

void couriers_kick(couriers *c)
{
    if (!c)
        return;
    int rc = c->idle ? wake(c) : 0;
    if (rc)
        log_error("outbox", "cannot start the couriers (%s): messages wait in the outbox "
                            "until the next commit", jf_strerror(rc));
    for (int i = 0; i < c->n_posts; i++)
        if (c->posts[i].started)
            courier_kick(c->posts[i].courier);
}

void couriers_free(couriers **cp)
{
    if (!cp || !*cp)
        return;
    couriers *c = *cp;
    for (int i = 0; i < c->n_posts; i++) /* their threads use the store and the adapters */
        courier_free(&c->posts[i].courier);
    sms_free(&c->sms);
    for (int i = 0; i < CONFIG_INTEROP_SYSTEMS; i++)
        receipt_free(&c->receipts[i]);
    for (int i = 0; i < CONFIG_WEBHOOKS; i++)
        webhook_free(&c->hooks[i]);
    free(c);
    *cp = NULL;
}
