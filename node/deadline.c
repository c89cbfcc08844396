#include "deadline.h"
#include "case.h"
#include "clock.h"
#include "error.h"
#include "fold.h"
#include "lifecycle.h"
#include "log.h"
#include "node.h"

#include <stdlib.h>
#include <string.h>

#define HOUR_MS 3600000LL

static int64_t warn_ms(const struct node *n)
{
    return (int64_t)n->cfg.warn_hours * HOUR_MS;
}

/* The next moment this case needs its holder: the warning, or the limit. */
static int64_t moment_of(const struct node *n, const Jiefen__CaseView *v)
{
    if (warn_ms(n) > 0 && v->warned_due_ms != v->due_ms &&
        v->due_ms - warn_ms(n) > v->holder_since_ms)
        return v->due_ms - warn_ms(n);
    return v->due_ms;
}

static int64_t key_due(const MDB_val *k)
{
    const uint8_t *b = k->mv_data;
    uint64_t due = 0;
    for (int i = 0; i < 8; i++)
        due = due << 8 | b[i];
    return (int64_t)due;
}

#define DUE_BATCH 256

/* Ids of up to DUE_BATCH cases in the index whose moment may be at or before `until`
 * (entries are in limit order; a moment is at most warn_hours before its limit). Read
 * first, acted on after: acting changes the index. */
static int due_ids(struct node *n, MDB_txn *txn, int64_t until, char (*ids)[160], size_t *count)
{
    MDB_cursor *c;
    MDB_val k, d;
    *count = 0;
    int rc = mdb_cursor_open(txn, n->st->timers, &c);
    if (rc)
        return rc;
    for (rc = mdb_cursor_get(c, &k, &d, MDB_FIRST); rc == 0 && *count < DUE_BATCH;
         rc = mdb_cursor_get(c, &k, &d, MDB_NEXT)) {
        if (k.mv_size <= 8 || key_due(&k) - warn_ms(n) > until)
            break;
        snprintf(ids[(*count)++], 160, "%.*s", (int)(k.mv_size - 8), (char *)k.mv_data + 8);
    }
    mdb_cursor_close(c);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int each_due(struct node *n, MDB_txn *txn, int64_t until,
                    int (*fn)(struct node *n, Jiefen__CaseView *v, void *arg), void *arg)
{
    static char ids[DUE_BATCH][160]; /* the loop thread only */
    size_t count;
    int rc = due_ids(n, txn, until, ids, &count);
    for (size_t i = 0; i < count && rc == 0; i++) {
        Jiefen__CaseView *v = NULL;
        if ((rc = fold_case_get(n->st, txn, ids[i], &v)) == 0 && v)
            rc = fn(n, v, arg);
        case_view_free(&v);
    }
    return rc;
}

static int earliest(struct node *n, Jiefen__CaseView *v, void *arg)
{
    int64_t *best = arg, m = moment_of(n, v);
    if (*best == 0 || m < *best)
        *best = m;
    return 0;
}

static void timer_cb(uv_timer_t *t);

void deadline_arm(struct node *n)
{
    MDB_txn *txn;
    int64_t next = 0;
    if (n->stopping || store_txn_begin(n->st, MDB_RDONLY, &txn))
        return;
    each_due(n, txn, INT64_MAX - HOUR_MS * 1000, earliest, &next);
    mdb_txn_abort(txn);
    if (next == n->deadline_at)
        return;
    n->deadline_at = next;
    uv_timer_stop(&n->deadline_timer);
    if (next) {
        int64_t wait = next - clock_now_ms();
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

static int fire_one(struct node *n, Jiefen__CaseView *v, void *arg)
{
    struct fire *f = arg;
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
        return rc;
    }
    if (f->now >= moment_of(n, v)) {
        f->warned++;
        log_info("deadline", "case %s: warning, limit in under %d hours", v->case_id,
                 n->cfg.warn_hours);
        return record(f->tx, v, "warning");
    }
    return 0;
}

static int fire_apply(eventlog_tx *tx, void *arg)
{
    struct node *n = arg;
    struct fire f = {tx, tx->now_ms, 0, 0, 0};
    return each_due(n, tx->txn, tx->now_ms, fire_one, &f);
}

#define RETRY_MS 60000

static void fire_done(void *arg, int status)
{
    struct node *n = arg;
    if (status && !n->stopping) {
        /* Not at once: a store that cannot commit now would make this a busy loop. */
        log_error("deadline", "recording deadlines failed (%s); retrying in a minute",
                  jf_strerror(status));
        n->deadline_at = clock_now_ms() + RETRY_MS;
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
        log_error("deadline", "out of memory: deadlines not recorded");
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
