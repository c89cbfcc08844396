#include "schedule.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "ledger.h"
#include "log.h"
#include "node.h"
#include "report.h"

#include <stdlib.h>

static const char *const KINDS[] = {"daily", "weekly", "monthly", "ledger"};
#define N_KINDS (sizeof KINDS / sizeof KINDS[0])

/* Periods a node stopped for longer than this are not drafted one by one at start: a
 * month of dailies, a quarter of weeklies, a year of monthlies. */
#define CATCH_UP_MAX 31

/* The draft of one ended period, if it has no report yet: 1 when made, 0 when it has one,
 * or a negative code. */
static int draft_one(eventlog_tx *tx, struct node *n, const struct report_period *p)
{
    Jiefen__ReportView *have = NULL;
    int rc = report_get(tx->st, tx->txn, n->cfg.node_id, p->kind, p->period, &have);
    if (have)
        jiefen__report_view__free_unpacked(have, NULL);
    if (rc || have) /* made already (or submitted): no second scan of the store */
        return rc;
    char *figures = NULL;
    rc = ledger_figures(tx->st, tx->txn, n->cfg.node_id, p->from_ms, p->to_ms, tx->now_ms,
                        NULL, &figures);
    if (rc)
        return rc;
    rc = report_draft_put(tx->st, tx->txn, n->cfg.node_id, p, figures, tx->now_ms);
    free(figures);
    if (rc == 1)
        log_info("report", "draft of the %s report for %s is ready", p->kind, p->period);
    return rc < 0 ? rc : 1;
}

/* When this node came into being: no period before it needs a report. */
static int64_t born_ms(eventlog_tx *tx, struct node *n)
{
    MDB_val d;
    envelope *e = NULL;
    int64_t t = tx->now_ms;
    if (store_event_get(tx->st, tx->txn, n->cfg.node_id, 1, &d) == 0 &&
        envelope_decode(d.mv_data, d.mv_size, &e) == 0)
        t = e->event->time_ms;
    envelope_free(&e);
    return t;
}

/* Drafts of the periods of `kind` that ended while no draft was made (the node was
 * stopped), newest first, back to the first that has one. */
static int draft_ended(eventlog_tx *tx, struct node *n, const char *kind)
{
    struct report_period p;
    int64_t born = born_ms(tx, n);
    int rc = 1;
    report_period_at(kind, tx->now_ms, &p);
    for (int i = 0; i < CATCH_UP_MAX && rc == 1 && p.from_ms > born; i++) {
        report_period_at(kind, p.from_ms - 1, &p);
        rc = draft_one(tx, n, &p);
    }
    return rc < 0 ? rc : 0;
}

static int drafts_apply(eventlog_tx *tx, void *arg)
{
    struct node *n = arg;
    int rc = 0;
    for (size_t i = 0; i < N_KINDS && rc == 0; i++)
        if (report_kind_for_tier(KINDS[i], n->cfg.tier))
            rc = draft_ended(tx, n, KINDS[i]);
    return rc;
}

static void timer_cb(uv_timer_t *t);

static void arm(struct node *n)
{
    int64_t now = clock_now_ms(), next = 0;
    for (size_t i = 0; i < N_KINDS; i++) {
        struct report_period p;
        if (!report_kind_for_tier(KINDS[i], n->cfg.tier))
            continue;
        report_period_at(KINDS[i], now, &p);
        if (!next || p.to_ms < next)
            next = p.to_ms;
    }
    n->schedule_at = next;
    if (next && !n->stopping) {
        /* The loop's clock is cached: refresh it so the timeout counts from now. */
        uv_update_time(&n->loop);
        uv_timer_start(&n->schedule_timer, timer_cb, (uint64_t)(next - now), 0);
    }
}

static void drafts_done(void *arg, int status)
{
    struct node *n = arg;
    if (status)
        log_error("report", "report drafts not stored (%s); next try at the next period end",
                  jf_strerror(status));
    arm(n);
}

void schedule_run(struct node *n)
{
    if (node_log_submit(n, drafts_apply, drafts_done, n))
        drafts_done(n, -ENOMEM);
}

static void timer_cb(uv_timer_t *t)
{
    struct node *n = t->data;
    int64_t left = n->schedule_at - clock_now_ms();
    if (left > 0) { /* early by the loop's clock: the period has not ended yet */
        uv_update_time(&n->loop);
        uv_timer_start(&n->schedule_timer, timer_cb, (uint64_t)left, 0);
        return;
    }
    schedule_run(n);
}

void schedule_init(struct node *n)
{
    uv_timer_init(&n->loop, &n->schedule_timer);
    n->schedule_timer.data = n;
}

void schedule_stop(struct node *n)
{
    uv_timer_stop(&n->schedule_timer);
}
