#include "case/lifecycle.h"
#include "case/case.h"
#include "case/casefile.h"
#include "error.h"
#include "log.h"
#include "log/fold.h"
#include "log/registry.h"

#include <stdio.h>
#include <string.h>

int lifecycle_parent(store *st, MDB_txn *txn, const char *self, char *parent, int *tier)
{
    Jiefen__NodeInfo *me = NULL, *p = NULL;
    int found = 0;
    if (registry_get(st, txn, self, &me) == 0 && me && me->parent[0] &&
        registry_get(st, txn, me->parent, &p) == 0 && p) {
        snprintf(parent, STORE_ORIGIN_MAX + 1, "%s", p->node_id);
        *tier = p->tier;
        found = 1;
    }
    registry_free(&me);
    registry_free(&p);
    return found;
}

int lifecycle_append(eventlog_tx *tx, const Jiefen__CaseView *v, Jiefen__Event *ev,
                     const char *actor)
{
    ev->case_id = v->case_id;
    ev->case_epoch = v->epoch + (case_event_is_move(ev) ? 1 : 0);
    ev->actor = (char *)eventlog_actor(actor);
    return eventlog_append(tx, ev, NULL, 0);
}

int lifecycle_move(eventlog_tx *tx, const lifecycle_ctx *lc, const Jiefen__CaseView *v,
                   const char *kind, const char *to, const char *reason, int automatic,
                   const char *actor, char *err)
{
    uint8_t pk[32];
    Jiefen__SealedCopy **copies = NULL;
    size_t n_copies = 0;
    int rc = registry_key(tx->st, tx->txn, to, pk);
    if (rc) {
        snprintf(err, LIFECYCLE_ERR_MAX, "节点 %s 未登记或已撤销", to);
        return rc == JF_ENOTFOUND || rc == JF_EINVAL ? JF_EINVAL : rc;
    }
    const char *self = lc->policy->cfg->node_id;
    if ((rc = casefile_copies(tx->st, tx->txn, lc->id, self, v, pk, &copies, &n_copies)))
        return rc;
    Jiefen__CaseMoved m = JIEFEN__CASE_MOVED__INIT;
    m.kind = (char *)kind;
    m.from = (char *)self;
    m.to = (char *)to;
    m.reason = (char *)reason;
    m.due_ms = policy_due(lc->policy, tx->now_ms, v->complexity);
    m.copies = copies;
    m.n_copies = n_copies;
    m.automatic = automatic;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_MOVED;
    ev.case_moved = &m;
    rc = lifecycle_append(tx, v, &ev, actor);
    casefile_copies_free(copies, n_copies);
    if (rc == JF_EINVAL) /* the case's own rules refuse it: one tier, up or down, at a time */
        snprintf(err, LIFECYCLE_ERR_MAX, "案件 %s 不能%s到节点 %s", v->case_id,
                 strcmp(kind, "escalate") == 0   ? "上报"
                 : strcmp(kind, "handdown") == 0 ? "交办"
                                                 : "移交",
                 to);
    return rc;
}

int lifecycle_escalate(eventlog_tx *tx, const lifecycle_ctx *lc, const Jiefen__CaseView *v,
                       const char *reason, int automatic, const char *actor, char *err)
{
    char parent[STORE_ORIGIN_MAX + 1];
    int tier;
    if (!lifecycle_parent(tx->st, tx->txn, lc->policy->cfg->node_id, parent, &tier)) {
        snprintf(err, LIFECYCLE_ERR_MAX, "本节点是最高一级，没有可上报的上级");
        return JF_EINVAL;
    }
    return lifecycle_move(tx, lc, v, "escalate", parent, reason, automatic, actor, err);
}

/* The 3221 rule sends a case up from a village or township; a county (or the top of the
 * tree) is where a leader takes it over. */
static int escalates_further(const lifecycle_ctx *lc, eventlog_tx *tx)
{
    char parent[STORE_ORIGIN_MAX + 1];
    int tier;
    return lc->policy->cfg->tier < JIEFEN__TIER__TIER_COUNTY &&
           lifecycle_parent(tx->st, tx->txn, lc->policy->cfg->node_id, parent, &tier);
}

int lifecycle_after_failure(eventlog_tx *tx, const lifecycle_ctx *lc,
                            const Jiefen__CaseView *v, const char **what, char *err)
{
    char reason[128];
    int limit = policy_failed_attempts(lc->policy);
    *what = NULL;
    if ((int)v->failed_here < limit)
        return 0;
    snprintf(reason, sizeof reason, "3221：本级调解 %u 次未成功", v->failed_here);
    if (escalates_further(lc, tx)) {
        int rc = lifecycle_escalate(tx, lc, v, reason, 1, "system", err);
        if (rc != JF_EINVAL) {
            *what = rc ? NULL : "escalated";
            return rc;
        }
        /* The parent cannot take it (revoked): the attempt stands, the case stays here
         * and the next failure tries again. */
        log_warn("case", "case %s reached the 3221 threshold but cannot escalate: %s",
                 v->case_id, err);
        return 0;
    }
    if (v->leader || v->leader_required)
        return 0;
    Jiefen__LeaderRequired lr = JIEFEN__LEADER_REQUIRED__INIT;
    lr.reason = reason;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_LEADER_REQUIRED;
    ev.leader_required = &lr;
    *what = "leader_required";
    return lifecycle_append(tx, v, &ev, "system");
}
