#include "case/hooks.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "outbox/outbox.h"
#include "outbox/webhook.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

int hooks_kind(const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_CASE_OPENED:
        return CONFIG_HOOK_CREATED;
    case JIEFEN__EVENT__BODY_CASE_MOVED:
        return strcmp(ev->case_moved->kind, "escalate") == 0 &&
                       strcmp(ev->case_moved->from, ev->origin) == 0
                   ? CONFIG_HOOK_ESCALATED
                   : -1;
    case JIEFEN__EVENT__BODY_CASE_GUIDED:
        return CONFIG_HOOK_RETURNED;
    case JIEFEN__EVENT__BODY_RISK_CHANGED:
        return CONFIG_HOOK_RISK;
    case JIEFEN__EVENT__BODY_CASE_CLOSED:
        return CONFIG_HOOK_CLOSED;
    case JIEFEN__EVENT__BODY_FOLLOW_UP:
        return CONFIG_HOOK_FOLLOWED_UP;
    default:
        return -1;
    }
}

/* Queues ev's delivery (kind) to every subscriber that chose it, with the case's view v. */
static int queue_all(eventlog_tx *tx, const Jiefen__Event *ev, int kind,
                     const struct config_webhooks *hooks, const Jiefen__CaseView *v)
{
    char time_ms[24], system[WEBHOOK_SYSTEM_MAX];
    snprintf(time_ms, sizeof time_ms, "%" PRId64, ev->time_ms);
    const struct notify_var vars[] = {
        {"status", v ? case_status_code(v->status) : ""},
        {"risk", v ? case_risk_code(v->risk) : ""},
        {"time_ms", time_ms},
        {"node", ev->origin},
    };
    int rc = 0;
    for (int i = 0; rc == 0 && i < hooks->n; i++) {
        if (!(hooks->hooks[i].events & (1u << kind)))
            continue;
        webhook_system(hooks->hooks[i].name, system);
        rc = outbox_queue(tx, system, config_hook_kind_name(kind), hooks->hooks[i].name, ev->case_id, vars,
                          sizeof vars / sizeof vars[0], NULL);
    }
    return rc;
}

int hooks_on_append(eventlog_tx *tx, const Jiefen__Event *ev, void *arg)
{
    const struct config_webhooks *hooks = arg;
    int kind = hooks ? hooks_kind(ev) : -1;
    unsigned wanted = 0;
    for (int i = 0; kind >= 0 && i < hooks->n; i++)
        wanted |= hooks->hooks[i].events;
    if (kind < 0 || !(wanted & (1u << kind)) || !ev->case_id || !ev->case_id[0])
        return 0;
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(tx->st, tx->txn, ev->case_id, &v);
    if (rc == 0)
        rc = queue_all(tx, ev, kind, hooks, v);
    case_view_free(&v);
    return rc;
}
