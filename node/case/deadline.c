#include "case/deadline.h"
#include "case/caseindex.h"
#include "case/case.h"
#include "case/appointment.h"
#include "case/dept.h"
#include "case/notice.h"
#include "clock.h"
#include "error.h"
#include "log/fold.h"
#include "case/lifecycle.h"
#include "log.h"
#include "case/warning.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define HOUR_MS 3600000LL

struct deadline {
    uv_loop_t *loop;
    uv_timer_t timer;
    eventlog *log;
    store *st;
    const lifecycle_ctx *lc;
    int64_t at;        /* when the timer fires, 0 if stopped */
    int64_t retry_ms;  /* after a failed record, no new try before this */
    int stopping;
};

static const struct config *cfg_of(const deadline *d)
{
    return d->lc->policy->cfg;
}

static int64_t warn_ms(const deadline *d)
{
    return (int64_t)cfg_of(d)->warn_hours * HOUR_MS;
}

#define DUE_BATCH 256
#define ID_MAX (FOLD_CASE_ID_MAX + 1)

/* The moment an index entry is due, 0 if it is not a run's entry: the warning before its
 * limit ('w'), or the limit. The id goes to case_id (ID_MAX bytes) when not NULL. */
static int64_t entry_moment(const deadline *dl, const MDB_val *k, char want, char *case_id)
{
    char kind, id[ID_MAX];
    int64_t due;
    if (caseindex_timer_parse(k, &kind, &due, case_id ? case_id : id) || kind != want)
        return 0;
    return kind == 'w' ? due - warn_ms(dl) : due;
}

struct due_walk {
    const deadline *dl;
    char kind;
    int64_t until;
    char (*ids)[ID_MAX];
    size_t max, *count;
};

static int due_one(const MDB_val *k, const MDB_val *v, void *arg)
{
    struct due_walk *w = arg;
    (void)v;
    if (*w->count >= w->max)
        return STORE_STOP;
    int64_t m = entry_moment(w->dl, k, w->kind, w->ids ? w->ids[*w->count] : NULL);
    if (!m || m > w->until)
        return STORE_STOP;
    (*w->count)++;
    return 0;
}

/* Ids of up to `max` cases of one run ('w' or 'd') due at or before `until`, after the
 * `count` already in ids. Read first, acted on after: acting changes the index. */
static int due_ids(const deadline *dl, MDB_txn *txn, char kind, int64_t until,
                   char (*ids)[ID_MAX], size_t max, size_t *count)
{
    struct due_walk w = {dl, kind, until, ids, max, count};
    struct store_range r = {.prefix = &kind, .prefix_len = 1};
    return store_walk(txn, dl->st->timers, &r, due_one, &w);
}

/* The first moment of a run, 0 if it is empty. */
static int64_t first_moment(const deadline *dl, MDB_txn *txn, char kind)
{
    MDB_val k, v;
    struct store_range r = {.prefix = &kind, .prefix_len = 1};
    return store_first(txn, dl->st->timers, &r, &k, &v) ? 0 : entry_moment(dl, &k, kind, NULL);
}

static void timer_cb(uv_timer_t *t);

void deadline_arm(deadline *dl)
{
    MDB_txn *txn;
    if (!dl || dl->stopping || clock_now_ms() < dl->retry_ms ||
        store_txn_begin(dl->st, MDB_RDONLY, &txn))
        return;
    int64_t w = first_moment(dl, txn, 'w'), d = first_moment(dl, txn, 'd');
    int64_t s = first_moment(dl, txn, 's'), a = first_moment(dl, txn, 'a');
    store_txn_abort(txn);
    int64_t next = !w ? d : !d ? w : w < d ? w : d;
    next = !next ? s : !s ? next : s < next ? s : next;
    next = !next ? a : !a ? next : a < next ? a : next;
    if (next == dl->at)
        return;
    dl->at = next;
    uv_timer_stop(&dl->timer);
    if (next) {
        int64_t wait = next - clock_now_ms();
        uv_update_time(dl->loop); /* the timeout counts from now, not the cached loop time */
        uv_timer_start(&dl->timer, timer_cb, wait > 0 ? (uint64_t)wait : 0, 0);
    }
}

struct fire {
    const deadline *dl;
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
static int fire_one(Jiefen__CaseView *v, struct fire *f)
{
    const struct config *cfg = cfg_of(f->dl);
    char err[LIFECYCLE_ERR_MAX], parent[STORE_ORIGIN_MAX + 1];
    int tier, rc;
    if (f->now >= v->due_ms) {
        if ((rc = record(f->tx, v, "overdue")))
            return rc;
        f->overdue++;
        log_warn("deadline", "case %s is overdue (limit passed)", v->case_id);
        if (!cfg->overdue_escalates ||
            !lifecycle_parent(f->tx->st, f->tx->txn, cfg->node_id, parent, &tier))
            return 0;
        /* The overdue record moved the case to a new state: escalate from that. */
        Jiefen__CaseView *now = NULL;
        if ((rc = caseindex_get(f->tx->st, f->tx->txn, v->case_id, &now)) == 0 && now)
            rc = lifecycle_escalate(f->tx, f->dl->lc, now, "逾期未办结，自动上报", 1, "system",
                                    err);
        case_view_free(&now);
        if (rc == JF_EINVAL) { /* e.g. the parent was revoked: it stays here, overdue */
            log_warn("deadline", "case %s not escalated: %s", v->case_id, err);
            return 0;
        }
        f->escalated += rc == 0;
        return rc ? rc : warning_check(f->tx, cfg, v->case_id);
    }
    if (v->warned_due_ms != v->due_ms && warn_ms(f->dl) > 0) {
        f->warned++;
        log_info("deadline", "case %s: warning, limit in under %d hours", v->case_id,
                 cfg->warn_hours);
        return record(f->tx, v, "warning");
    }
    return 0;
}

#define SIGN_MAX 16

/* Records each department of v whose sign-for limit (签收) has passed unsigned: the case
 * then waits in the director's to-do (agenda.h) and the department shows it overdue. */
static int fire_sign(Jiefen__CaseView *v, const deadline *dl, eventlog_tx *tx)
{
    const char *names[SIGN_MAX];
    size_t n = dept_sign_due(v, cfg_of(dl)->node_id, tx->now_ms, names, SIGN_MAX);
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        Jiefen__DeptSignOverdue o = JIEFEN__DEPT_SIGN_OVERDUE__INIT;
        const Jiefen__DeptPart *p = dept_part(v, names[i]);
        o.department = (char *)names[i];
        o.sign_due_ms = p->sign_due_ms;
        Jiefen__Event ev = JIEFEN__EVENT__INIT;
        ev.body_case = JIEFEN__EVENT__BODY_DEPT_SIGN_OVERDUE;
        ev.dept_sign_overdue = &o;
        log_warn("deadline", "case %s: %s has not signed for it by its limit", v->case_id,
                 names[i]);
        rc = lifecycle_append(tx, v, &ev, "system");
        if (rc == 0)
            rc = notice_sign_overdue(tx, dl->lc->id, v->case_id, names[i], o.sign_due_ms);
    }
    return rc == 0 && n ? warning_check(tx, cfg_of(dl), v->case_id) : rc;
}

/* The cases whose department sign-for limits have come (the 's' run), a batch at a time. */
static int fire_signs(eventlog_tx *tx, const deadline *dl)
{
    static char ids[DUE_BATCH][ID_MAX]; /* one commit at a time */
    size_t count = 0;
    int rc = due_ids(dl, tx->txn, 's', tx->now_ms, ids, DUE_BATCH, &count);
    for (size_t i = 0; i < count && rc == 0; i++) {
        Jiefen__CaseView *v = NULL;
        if ((rc = caseindex_get(tx->st, tx->txn, ids[i], &v)) == 0 && v)
            rc = fire_sign(v, dl, tx);
        case_view_free(&v);
    }
    return rc;
}

/* The appointments whose reminder has come (the 'a' run): the parties are reminded (not of
 * one already passed) and the entry goes (a changed appointment brings a new one). */
static int fire_reminders(eventlog_tx *tx, const deadline *dl)
{
    static char ids[DUE_BATCH][ID_MAX]; /* one commit at a time */
    uint8_t key[9 + FOLD_CASE_ID_MAX];
    size_t count = 0;
    int rc = due_ids(dl, tx->txn, 'a', tx->now_ms, ids, DUE_BATCH, &count);
    for (size_t i = 0; i < count && rc == 0; i++) {
        Jiefen__CaseView *v = NULL;
        int64_t at = 0;
        if ((rc = caseindex_get(tx->st, tx->txn, ids[i], &v)) == 0 && v &&
            (at = appointment_remind_at(v)) && tx->now_ms < v->appointment->at_ms)
            rc = appointment_remind(tx, dl->lc->id, cfg_of(dl)->node_id, v);
        size_t n = strlen(ids[i]);
        key[0] = 'a';
        for (int b = 0; b < 8; b++)
            key[1 + b] = (uint8_t)((uint64_t)at >> (56 - 8 * b));
        memcpy(key + 9, ids[i], n);
        if (rc == 0 && at)
            rc = store_del(tx->txn, tx->st->timers, key, 9 + n);
        case_view_free(&v);
    }
    return rc;
}

/* The cases whose moment has come, a batch of each run at a time: what is left is due at
 * once and fires again right after this commit. */
static int fire_apply(eventlog_tx *tx, void *arg)
{
    static char ids[2 * DUE_BATCH][ID_MAX]; /* one commit at a time */
    const deadline *dl = arg;
    struct fire f = {dl, tx, tx->now_ms, 0, 0, 0};
    size_t count = 0;
    int rc = due_ids(dl, tx->txn, 'w', tx->now_ms, ids, DUE_BATCH, &count);
    if (rc == 0)
        rc = due_ids(dl, tx->txn, 'd', tx->now_ms, ids, 2 * DUE_BATCH, &count);
    for (size_t i = 0; i < count && rc == 0; i++) {
        Jiefen__CaseView *v = NULL;
        if ((rc = caseindex_get(tx->st, tx->txn, ids[i], &v)) == 0 && v)
            rc = fire_one(v, &f);
        case_view_free(&v);
    }
    if (rc == 0)
        rc = fire_signs(tx, dl);
    return rc ? rc : fire_reminders(tx, dl);
}

#define RETRY_MS 60000

static void fire_done(void *arg, int status)
{
    deadline *dl = arg;
    if (status && !dl->stopping) {
        /* Not at once: a store that cannot commit now would make this a busy loop. */
        log_error("deadline", "recording deadlines failed (%s); retrying in a minute",
                  jf_strerror(status));
        dl->at = dl->retry_ms = clock_now_ms() + RETRY_MS;
        uv_timer_start(&dl->timer, timer_cb, RETRY_MS, 0);
        return;
    }
    dl->at = 0;
    deadline_arm(dl);
}

static void timer_cb(uv_timer_t *t)
{
    deadline *dl = t->data;
    if (eventlog_submit(dl->log, fire_apply, fire_done, dl))
        fire_done(dl, -ENOMEM);
}

deadline *deadline_new(uv_loop_t *loop, eventlog *log, store *st, const lifecycle_ctx *lc)
{
    deadline *dl = calloc(1, sizeof *dl);
    if (!dl)
        return NULL;
    dl->loop = loop;
    dl->log = log;
    dl->st = st;
    dl->lc = lc;
    uv_timer_init(loop, &dl->timer);
    dl->timer.data = dl;
    return dl;
}

void deadline_stop(deadline *dl)
{
    if (!dl)
        return;
    dl->stopping = 1;
    uv_timer_stop(&dl->timer);
}

void deadline_free(deadline **dl)
{
    if (!dl || !*dl)
        return;
    free(*dl);
    *dl = NULL;
}
