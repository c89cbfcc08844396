#include "case/deadline.h"
#include "case/caseindex.h"
#include "case/case.h"
#include "clock.h"
#include "error.h"
#include "log/fold.h"
#include "case/lifecycle.h"
#include "log.h"
#include "node.h"
#include "case/warning.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS 3600000LL

static int64_t warn_ms(const struct node *n)
{
    return (int64_t)n->cfg.warn_hours * HOUR_MS;
}

#define DUE_BATCH 256
#define ID_MAX (FOLD_CASE_ID_MAX + 1)

/* The moment an index entry is due, 0 if it is not a run's entry: the warning before its
 * limit ('w'), or the limit. The id goes to case_id (ID_MAX bytes) when not NULL. */
static int64_t entry_moment(const struct node *n, const MDB_val *k, char want, char *case_id)
{
    char kind, id[ID_MAX];
    int64_t due;
    if (fold_timer_parse(k, &kind, &due, case_id ? case_id : id) || kind != want)
        return 0;
    return kind == 'w' ? due - warn_ms(n) : due;
}

/* Ids of up to `max` cases of one run ('w' or 'd') due at or before `until`. Read first,
 * acted on after: acting changes the index. */
static int due_ids(struct node *n, MDB_txn *txn, char kind, int64_t until, char (*ids)[ID_MAX],
                   size_t max, size_t *count)
{
    MDB_cursor *c;
    MDB_val k = {1, &kind}, d;
    int rc = mdb_cursor_open(txn, n->st->timers, &c);
    if (rc)
        return rc;
    for (rc = mdb_cursor_get(c, &k, &d, MDB_SET_RANGE); rc == 0 && *count < max;
         rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        int64_t m = entry_moment(n, &k, kind, ids[*count]);
        if (!m || m > until)
            break;
        (*count)++;
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

/* The first moment of a run, 0 if it is empty. */
static int64_t first_moment(struct node *n, MDB_txn *txn, char kind)
{
    MDB_cursor *c;
    MDB_val k = {1, &kind}, d;
    int64_t m = 0;
    if (mdb_cursor_open(txn, n->st->timers, &c))
        return 0;
    if (mdb_cursor_get(c, &k, &d, MDB_SET_RANGE) == 0)
        m = entry_moment(n, &k, kind, NULL);
    mdb_cursor_close(c);
    return m;
}

static void timer_cb(uv_timer_t *t);

void deadline_arm(struct node *n)
{
    MDB_txn *txn;
    if (n->stopping || clock_now_ms() < n->deadline_retry_ms ||
        store_txn_begin(n->st, MDB_RDONLY, &txn))
        return;
    int64_t w = first_moment(n, txn, 'w'), d = first_moment(n, txn, 'd');
    mdb_txn_abort(txn);
    int64_t next = !w ? d : !d ? w : w < d ? w : d;
    if (next == n->deadline_at)
        return;
    n->deadline_at = next;
    uv_timer_stop(&n->deadline_timer);
    if (next) {
        int64_t wait = next - clock_now_ms();
        uv_update_time(&n->loop); /* the timeout counts from now, not the cached loop time */
        uv_timer_start(&n->deadline_timer, timer_cb, wait > 0 ? (uint64_t)wait : 0, 0);
    }
}

struct fire {
    eventlog_tx *tx;
    int64_t now;
    unsigned warned, overdue, escalated;
};

static int record(eventlog_tx *tx, const Jiefen__CaseView *v, const char *kind)
{
    Jiefen__DeadlineReached d = JIEFEN__DEADLINE_REACHED__INIT;
    d.kind = (char *)kind;
    d.due_ms = v->due_ms;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_DEADLINE;
    ev.deadline = &d;
    return lifecycle_append(tx, v, &ev, "system");
}

/* Records what is due for one case: overdue if its limit has passed (no late warning),
 * else its warning. */
static int fire_one(struct node *n, Jiefen__CaseView *v, struct fire *f)
{
    char err[LIFECYCLE_ERR_MAX], parent[STORE_ORIGIN_MAX + 1];
    int tier, rc;
    if (f->now >= v->due_ms) {
        if ((rc = record(f->tx, v, "overdue")))
            return rc;
        f->overdue++;
        log_warn("deadline", "case %s is overdue (limit passed)", v->case_id);
        if (!n->cfg.overdue_escalates ||
            !lifecycle_parent(f->tx->st, f->tx->txn, n->cfg.node_id, parent, &tier))
            return 0;
        /* The overdue record moved the case to a new state: escalate from that. */
        Jiefen__CaseView *now = NULL;
        if ((rc = fold_case_get(f->tx->st, f->tx->txn, v->case_id, &now)) == 0 && now)
            rc = lifecycle_escalate(f->tx, n, now, "逾期未办结，自动上报", 1, "system", err);
        case_view_free(&now);
        if (rc == JF_EINVAL) { /* e.g. the parent was revoked: it stays here, overdue */
            log_warn("deadline", "case %s not escalated: %s", v->case_id, err);
            return 0;
        }
        f->escalated += rc == 0;
        return rc ? rc : warning_check(f->tx, &n->cfg, v->case_id);
    }
    if (v->warned_due_ms != v->due_ms && warn_ms(n) > 0) {
        f->warned++;
        log_info("deadline", "case %s: warning, limit in under %d hours", v->case_id,
                 n->cfg.warn_hours);
        return record(f->tx, v, "warning");
    }
    return 0;
}

/* The cases whose moment has come, a batch of each run at a time: what is left is due at
 * once and fires again right after this commit. */
static int fire_apply(eventlog_tx *tx, void *arg)
{
    static char ids[2 * DUE_BATCH][ID_MAX]; /* the loop thread only */
    struct node *n = arg;
    struct fire f = {tx, tx->now_ms, 0, 0, 0};
    size_t count = 0;
    int rc = due_ids(n, tx->txn, 'w', tx->now_ms, ids, DUE_BATCH, &count);
    if (rc == 0)
        rc = due_ids(n, tx->txn, 'd', tx->now_ms, ids, 2 * DUE_BATCH, &count);
    for (size_t i = 0; i < count && rc == 0; i++) {
        Jiefen__CaseView *v = NULL;
        if ((rc = fold_case_get(n->st, tx->txn, ids[i], &v)) == 0 && v)
            rc = fire_one(n, v, &f);
        case_view_free(&v);
    }
    return rc;
}

#define RETRY_MS 60000

static void fire_done(void *arg, int status)
{
    struct node *n = arg;
    if (status && !n->stopping) {
        /* Not at once: a store that cannot commit now would make this a busy loop. */
        log_error("deadline", "recording deadlines failed (%s); retrying in a minute",
                  jf_strerror(status));
        n->deadline_at = n->deadline_retry_ms = clock_now_ms() + RETRY_MS;
        uv_timer_start(&n->deadline_timer, timer_cb, RETRY_MS, 0);
        return;
    }
    n->deadline_at = 0;
    deadline_arm(n);
}

static void timer_cb(uv_timer_t *t)
{
    struct node *n = t->data;
    if (node_log_submit(n, fire_apply, fire_done, n))
        fire_done(n, -ENOMEM);
}

void deadline_init(struct node *n)
{
    uv_timer_init(&n->loop, &n->deadline_timer);
    n->deadline_timer.data = n;
    n->deadline_at = 0;
}

void deadline_stop(struct node *n)
{
    uv_timer_stop(&n->deadline_timer);
}
