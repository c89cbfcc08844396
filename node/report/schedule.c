#include "report/schedule.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "report/ledger.h"
#include "log.h"
#include "report/report.h"
#include "log/work.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const KINDS[] = {"daily",     "weekly",   "monthly", "ledger",
                                    "quarterly", "halfyear", "meeting"};
#define N_KINDS (sizeof KINDS / sizeof KINDS[0])

/* Periods a node stopped for longer than this are not drafted one by one at start: a
 * month of dailies, a quarter of weeklies, a year of monthlies. */
#define CATCH_UP_MAX 31
#define DRAFTS_MAX (N_KINDS * CATCH_UP_MAX)

struct schedule {
    uv_loop_t *loop;
    uv_timer_t timer;
    eventlog *log;
    store *st;
    struct work *work;
    const struct config *cfg;
    int64_t at; /* the period end the timer is set for */
    int stopping;
};

/* The drafts due: for each kind this tier submits, the periods that ended since the last
 * one with a report (the node may have been stopped), newest first, with their figures. */
struct drafts {
    schedule *s;
    struct report_period p[DRAFTS_MAX];
    char *figures[DRAFTS_MAX];
    size_t count;
};

static void drafts_free(struct drafts *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->figures[i]);
    free(d);
}

/* The figures of p: computed, or copied from a draft of the same days (a county's monthly
 * and ledger cover the same month). */
static int figures_of(store *st, MDB_txn *txn, const char *self, struct drafts *d,
                      const struct report_period *p, int64_t now, char **out)
{
    for (size_t i = 0; i < d->count; i++)
        if (d->p[i].from_ms == p->from_ms && d->p[i].to_ms == p->to_ms)
            return (*out = strdup(d->figures[i])) ? 0 : -ENOMEM;
    return ledger_figures(st, txn, self, p->from_ms, p->to_ms, now, NULL, out);
}

/* When this node came into being: no period before it needs a report. */
static int64_t born_ms(const schedule *s, MDB_txn *txn, int64_t now)
{
    MDB_val d;
    envelope *e = NULL;
    int64_t t = now;
    if (store_event_get(s->st, txn, s->cfg->node_id, 1, &d) == 0 &&
        envelope_decode(d.mv_data, d.mv_size, &e) == 0)
        t = e->event->time_ms;
    envelope_free(&e);
    return t;
}

/* The periods of one kind that ended without a report, back to the first that has one. */
static int drafts_of_kind(const schedule *s, MDB_txn *txn, struct drafts *d, const char *kind,
                          int64_t now, int64_t born)
{
    struct report_period p;
    int rc = 0;
    report_period_at(kind, now, &p);
    for (int i = 0; i < CATCH_UP_MAX && rc == 0 && p.from_ms > born; i++) {
        Jiefen__ReportView *have = NULL;
        report_period_at(kind, p.from_ms - 1, &p);
        rc = report_get(s->st, txn, s->cfg->node_id, kind, p.period, &have);
        if (have) { /* made already (or submitted): earlier ones were made too */
            jiefen__report_view__free_unpacked(have, NULL);
            break;
        }
        if (rc == 0 && (rc = figures_of(s->st, txn, s->cfg->node_id, d, &p, now,
                                        &d->figures[d->count])) == 0)
            d->p[d->count++] = p;
    }
    return rc;
}

/* On the thread pool: the figures of each draft due, read before the log's write
 * transaction, which a scan of a county's cases would hold for seconds. */
static int drafts_work(MDB_txn *txn, void *arg)
{
    struct drafts *d = arg;
    const schedule *s = d->s;
    int64_t now = clock_now_ms(), born = born_ms(s, txn, now);
    int rc = 0;
    for (size_t i = 0; i < N_KINDS && rc == 0; i++)
        if (report_kind_for_tier(KINDS[i], s->cfg->tier))
            rc = drafts_of_kind(s, txn, d, KINDS[i], now, born);
    return rc;
}

/* Stores each draft unless a report of its period came meanwhile. */
static int drafts_apply(eventlog_tx *tx, void *arg)
{
    struct drafts *d = arg;
    int rc = 0;
    for (size_t i = 0; i < d->count && rc >= 0; i++) {
        rc = report_draft_put(tx->st, tx->txn, d->s->cfg->node_id, &d->p[i], d->figures[i],
                              tx->now_ms);
        if (rc == 1)
            log_info("report", "draft of the %s report for %s is ready", d->p[i].kind,
                     d->p[i].period);
    }
    return rc < 0 ? rc : 0;
}

static void timer_cb(uv_timer_t *t);

static void arm(schedule *s)
{
    int64_t now = clock_now_ms(), next = 0;
    for (size_t i = 0; i < N_KINDS; i++) {
        struct report_period p;
        if (!report_kind_for_tier(KINDS[i], s->cfg->tier))
            continue;
        report_period_at(KINDS[i], now, &p);
        if (!next || p.to_ms < next)
            next = p.to_ms;
    }
    s->at = next;
    if (next && !s->stopping) {
        /* The loop's clock is cached: refresh it so the timeout counts from now. */
        uv_update_time(s->loop);
        uv_timer_start(&s->timer, timer_cb, (uint64_t)(next - now), 0);
    }
}

static void drafts_done(void *arg, int status)
{
    struct drafts *d = arg;
    schedule *s = d->s;
    if (status == -ECANCELED)
        log_info("report", "report drafts not made: the node is stopping; made at the next start");
    else if (status)
        log_error("report", "report drafts not stored (%s); next try at the next period end",
                  jf_strerror(status));
    drafts_free(d);
    arm(s);
}

/* The figures read: the drafts go in the next group commit (none due: the timer is set). */
static void drafts_read(int rc, void *arg)
{
    struct drafts *d = arg;
    schedule *s = d->s;
    if (rc == 0 && d->count == 0) {
        drafts_free(d);
        arm(s);
    } else if (rc || eventlog_submit(s->log, drafts_apply, drafts_done, d)) {
        drafts_done(d, rc ? rc : -ENOMEM);
    }
}

void schedule_run(schedule *s)
{
    struct drafts *d = calloc(1, sizeof *d);
    if (!d) {
        log_error("report", "report drafts not made (out of memory); next try at the next "
                            "period end");
        return arm(s);
    }
    d->s = s;
    work_read(s->work, drafts_work, drafts_read, d);
}

static void timer_cb(uv_timer_t *t)
{
    schedule *s = t->data;
    int64_t left = s->at - clock_now_ms();
    if (left > 0) { /* early by the loop's clock: the period has not ended yet */
        uv_update_time(s->loop);
        uv_timer_start(&s->timer, timer_cb, (uint64_t)left, 0);
        return;
    }
    schedule_run(s);
}

schedule *schedule_new(uv_loop_t *loop, eventlog *log, store *st, struct work *work,
                       const struct config *cfg)
{
    schedule *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->loop = loop;
    s->log = log;
    s->st = st;
    s->work = work;
    s->cfg = cfg;
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
    return s;
}

void schedule_stop(schedule *s)
{
    if (!s)
        return;
    s->stopping = 1;
    uv_timer_stop(&s->timer);
}

void schedule_free(schedule **s)
{
    if (!s || !*s)
        return;
    free(*s);
    *s = NULL;
}
