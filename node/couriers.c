/* couriers — the node's deliverers of the outbox (couriers.h). */
#include "couriers.h"
#include "outbox/courier.h"
#include "outbox/receipt.h"
#include "outbox/sms.h"
#include "outbox/webhook.h"

#include <errno.h>
#include <stdlib.h>

struct couriers {
    sms *sms;               /* the SMS gateway's adapter */
    courier *courier;
    receipt *receipts[CONFIG_INTEROP_SYSTEMS]; /* the 回单 adapters, one per [interop] system */
    courier *receipt_couriers[CONFIG_INTEROP_SYSTEMS];
    int n_receipts;
    webhook *hooks[CONFIG_WEBHOOKS]; /* the [webhook NAME] subscribers' adapters */
    courier *hook_couriers[CONFIG_WEBHOOKS];
    int n_hooks;
};

static int start_receipts(couriers *c, const struct config *cfg, store *st,
                          const crypto_identity *id)
{
    const struct config_interop *ic = &cfg->interop;
    struct courier_adapter a;
    int rc = 0;
    for (int i = 0; rc == 0 && i < ic->n_systems; i++) {
        if (!ic->systems[i].key[0])
            continue;
        if (!(c->receipts[c->n_receipts] = receipt_new(ic, &ic->systems[i], cfg->node_name, &a)) ||
            !(c->receipt_couriers[c->n_receipts] = courier_new(st, id, &a)))
            rc = -ENOMEM;
        else
            rc = courier_start(c->receipt_couriers[c->n_receipts++]);
    }
    return rc;
}

static int start_webhooks(couriers *c, const struct config *cfg, store *st,
                          const crypto_identity *id)
{
    const struct config_webhooks *wc = &cfg->webhooks;
    struct courier_adapter a;
    int rc = 0;
    for (int i = 0; rc == 0 && i < wc->n; i++) {
        if (!(c->hooks[i] = webhook_new(&wc->hooks[i], cfg->node_name, &a)) ||
            !(c->hook_couriers[i] = courier_new(st, id, &a)))
            return -ENOMEM;
        c->n_hooks = i + 1;
        rc = courier_start(c->hook_couriers[i]);
    }
    return rc;
}

int couriers_start(const struct config *cfg, store *st, const crypto_identity *id,
                   couriers **out)
{
    struct courier_adapter a;
    couriers *c = *out = calloc(1, sizeof *c);
    if (!c || !(c->sms = sms_new(&cfg->sms, cfg->node_name, &a)) ||
        !(c->courier = courier_new(st, id, &a)))
        return -ENOMEM;
    int rc = courier_start(c->courier);
    if (rc == 0)
        rc = start_receipts(c, cfg, st, id);
    return rc ? rc : start_webhooks(c, cfg, st, id);
}

void couriers_kick(couriers *c)
{
    if (!c)
        return;
    courier_kick(c->courier);
    for (int i = 0; i < c->n_receipts; i++)
        courier_kick(c->receipt_couriers[i]);
    for (int i = 0; i < c->n_hooks; i++)
        courier_kick(c->hook_couriers[i]);
}

void couriers_free(couriers **cp)
{
    if (!cp || !*cp)
        return;
    couriers *c = *cp;
    courier_free(&c->courier); /* its thread uses the store and the adapter */
    sms_free(&c->sms);
    for (int i = 0; i < CONFIG_INTEROP_SYSTEMS; i++) {
        courier_free(&c->receipt_couriers[i]);
        receipt_free(&c->receipts[i]);
    }
    for (int i = 0; i < CONFIG_WEBHOOKS; i++) {
        courier_free(&c->hook_couriers[i]);
        webhook_free(&c->hooks[i]);
    }
    free(c);
    *cp = NULL;
}
