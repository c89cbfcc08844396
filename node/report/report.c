#include "report/report.h"
#include "case/clockskew.h"
#include "case/agenda.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "log/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct {
    const char *kind;
    int min_tier, max_tier;      /* who submits it */
    const char *child_kind;      /* what it rests on from the children */
    const char *name;
} kinds[] = {
    {"daily", JIEFEN__TIER__TIER_VILLAGE, JIEFEN__TIER__TIER_VILLAGE, NULL, "日排查"},
    {"weekly", JIEFEN__TIER__TIER_TOWNSHIP, JIEFEN__TIER__TIER_TOWNSHIP, "daily", "周分析"},
    {"monthly", JIEFEN__TIER__TIER_COUNTY, JIEFEN__TIER__TIER_PROVINCE, NULL, "月研判"},
    {"ledger", JIEFEN__TIER__TIER_VILLAGE, JIEFEN__TIER__TIER_PROVINCE, "ledger", "综合台账"},
    /* Reviews (分析研判, issue 16): they carry a ReviewRecord besides the figures. */
    {"quarterly", JIEFEN__TIER__TIER_VILLAGE, JIEFEN__TIER__TIER_PROVINCE, NULL, "季度分析研判"},
    {"halfyear", JIEFEN__TIER__TIER_VILLAGE, JIEFEN__TIER__TIER_PROVINCE, NULL, "半年分析研判"},
    {"meeting", JIEFEN__TIER__TIER_TOWNSHIP, JIEFEN__TIER__TIER_TOWNSHIP, NULL, "月研判会议记录"},
};
#define N_KINDS (sizeof kinds / sizeof kinds[0])

static int kind_index(const char *kind)
{
    for (size_t i = 0; i < N_KINDS; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return (int)i;
    return -1;
}

int report_kind_valid(const char *kind)
{
    return kind_index(kind) >= 0;
}

int report_kind_is_review(const char *kind)
{
    return strcmp(kind, "quarterly") == 0 || strcmp(kind, "halfyear") == 0 ||
           strcmp(kind, "meeting") == 0;
}

/* Months in a period of kind, 0 for daily and weekly. */
static int kind_months(const char *kind)
{
    return strcmp(kind, "quarterly") == 0 ? 3 : strcmp(kind, "halfyear") == 0 ? 6
           : strcmp(kind, "daily") == 0 || strcmp(kind, "weekly") == 0 ? 0 : 1;
}

int report_kind_for_tier(const char *kind, int tier)
{
    int i = kind_index(kind);
    return i >= 0 && tier >= kinds[i].min_tier && tier <= kinds[i].max_tier;
}

int report_child_expected(const Jiefen__NodeInfo *ni, const char *self, const char *kind)
{
    return !ni->revoked && strcmp(ni->parent, self) == 0 &&
           report_kind_for_tier(kind, ni->tier);
}

const char *report_child_kind(const char *kind)
{
    int i = kind_index(kind);
    return i >= 0 ? kinds[i].child_kind : NULL;
}

const char *report_kind_name(const char *kind)
{
    int i = kind_index(kind);
    return i >= 0 ? kinds[i].name : kind;
}

const char *report_state_name(const char *state)
{
    static const char *const names[][2] = {{"draft", "草稿"},
                                           {"submitted", "已报送"},
                                           {"accepted", "已接收"},
                                           {"returned", "已退回"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(names[i][0], state) == 0)
            return names[i][1];
    return state;
}

/* Local midnight of y-m-d (mktime normalises days and months out of range). */
static int64_t local_midnight(int y, int m, int d)
{
    struct tm tm = {0};
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    tm.tm_isdst = -1;
    return (int64_t)mktime(&tm) * 1000;
}

static void fill(struct report_period *p, const char *kind, int y, int m, int d)
{
    snprintf(p->kind, sizeof p->kind, "%s", kind);
    snprintf(p->period, sizeof p->period, "%04d-%02d-%02d", y, m, d);
    p->from_ms = local_midnight(y, m, d);
    if (strcmp(kind, "daily") == 0)
        p->to_ms = local_midnight(y, m, d + 1);
    else if (strcmp(kind, "weekly") == 0)
        p->to_ms = local_midnight(y, m, d + 7);
    else
        p->to_ms = local_midnight(y, m + kind_months(kind), 1);
    p->due_ms = strcmp(kind, "ledger") == 0
                    ? local_midnight(y, m + 1, REPORT_LEDGER_DUE_DAY + 1)
                    : p->to_ms + REPORT_GRACE_MS;
}

const char *report_period_parse(const char *kind, const char *period, struct report_period *p)
{
    int y, m, d;
    int64_t ms;
    char extra;
    if (!report_kind_valid(kind))
        return REPORT_KINDS_TEXT;
    if (sscanf(period, "%4d-%2d-%2d%c", &y, &m, &d, &extra) != 3 ||
        clock_parse_local_date(period, &ms))
        return "报告期应为 YYYY-MM-DD 格式的日期";
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    if (strcmp(kind, "weekly") == 0 && tm.tm_wday != 1)
        return "周报告期应从星期一开始";
    int months = kind_months(kind);
    if (months && d != 1)
        return "月报告期应从当月1日开始";
    if (months > 1 && (m - 1) % months)
        return months == 3 ? "季度报告期应从 1、4、7、10 月的1日开始"
                           : "半年报告期应从 1 月或 7 月的1日开始";
    fill(p, kind, y, m, d);
    return NULL;
}

const char *report_period_read(const char *kind, const char *period, struct report_period *p)
{
    const char *why = report_period_parse(kind, period, p);
    return why || strcmp(p->period, period) == 0 ? why : "报告期应为 YYYY-MM-DD 格式的日期";
}

void report_period_at(const char *kind, int64_t ms, struct report_period *p)
{
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&secs, &tm);
    int d = tm.tm_mday;
    int m = tm.tm_mon + 1, months = kind_months(kind);
    if (strcmp(kind, "weekly") == 0)
        d -= (tm.tm_wday + 6) % 7; /* back to Monday */
    else if (strcmp(kind, "daily"))
        d = 1;
    if (months > 1)
        m -= (m - 1) % months; /* back to the first month of the quarter or half */
    fill(p, kind, tm.tm_year + 1900, m, d);
    /* d may have been normalised into the previous month: take the date mktime gave. */
    secs = (time_t)(p->from_ms / 1000);
    localtime_r(&secs, &tm);
    fill(p, kind, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* ---- the reports database ------------------------------------------------------------ */

static size_t report_key(const char *origin, const char *kind, const char *period, char *buf,
                         size_t len)
{
    int n = snprintf(buf, len, "%s%c%s%c%s", origin, 0, kind, 0, period);
    return n > 0 && (size_t)n < len ? (size_t)n : 0;
}

int report_get(store *st, MDB_txn *txn, const char *origin, const char *kind,
               const char *period, Jiefen__ReportView **out)
{
    char key[96];
    size_t n = report_key(origin, kind, period, key, sizeof key);
    *out = NULL;
    if (!n)
        return JF_EINVAL;
    return STORE_GET_MESSAGE(txn, st->reports, key, n, &jiefen__report_view__descriptor, out);
}

static int report_put(store *st, MDB_txn *txn, const Jiefen__ReportView *v)
{
    char key[96];
    size_t n = report_key(v->origin, v->kind, v->period, key, sizeof key);
    return n ? store_put_message(txn, st->reports, key, n, &v->base) : JF_EINVAL;
}

int report_draft_put(store *st, MDB_txn *txn, const char *self,
                     const struct report_period *p, const char *figures, int64_t now_ms)
{
    Jiefen__ReportView *have = NULL;
    int rc = report_get(st, txn, self, p->kind, p->period, &have);
    if (rc || have) {
        if (have)
            jiefen__report_view__free_unpacked(have, NULL);
        return rc;
    }
    Jiefen__ReportView v = JIEFEN__REPORT_VIEW__INIT;
    v.origin = (char *)self;
    v.kind = (char *)p->kind;
    v.period = (char *)p->period;
    v.from_ms = p->from_ms;
    v.to_ms = p->to_ms;
    v.figures = (char *)figures;
    v.state = "draft";
    v.generated_ms = now_ms;
    rc = report_put(st, txn, &v);
    return rc ? rc : 1;
}

/* A new submission (first, or after a return) replaces the one before (or the draft). */
/* Only a node of the tier that sends the kind, for a period it may still (re)submit: not
 * over one pending or accepted. */
static int submission_admissible(store *st, MDB_txn *txn, const Jiefen__Event *ev,
                                 const struct report_period *p)
{
    Jiefen__NodeInfo *ni = NULL;
    Jiefen__ReportView *have = NULL;
    int rc = registry_get(st, txn, ev->origin, &ni);
    int ok = rc == 0 && ni && report_kind_for_tier(p->kind, ni->tier);
    registry_free(&ni);
    if (rc == 0 && ok)
        rc = report_get(st, txn, ev->origin, p->kind, p->period, &have);
    if (have) {
        ok = strcmp(have->state, "draft") == 0 || strcmp(have->state, "returned") == 0;
        jiefen__report_view__free_unpacked(have, NULL);
    }
    return rc ? rc : ok ? 0 : JF_EINVAL;
}

/* The to-do item of a child's report at its parent: there while it awaits review. */
static int report_agenda(store *st, MDB_txn *txn, const char *self, const Jiefen__ReportView *v)
{
    char subject[AGENDA_SUBJECT_MAX + 1];
    Jiefen__NodeInfo *of = NULL;
    int rc = registry_get(st, txn, v->origin, &of);
    int mine = rc == 0 && of && strcmp(of->parent, self) == 0;
    registry_free(&of);
    if (rc || !mine)
        return rc;
    snprintf(subject, sizeof subject, "%s/%s/%s", v->origin, v->kind, v->period);
    return agenda_set(st, txn, AGENDA_ABOUT_REPORT, AGENDA_REPORT, subject, v->to_ms,
                    strcmp(v->state, "submitted") == 0);
}

static int fold_submitted(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    const Jiefen__ReportSubmitted *r = ev->report_submitted;
    struct report_period p;
    if (report_period_parse(r->kind, r->period, &p))
        return JF_EINVAL;
    int rc = submission_admissible(st, txn, ev, &p);
    if (rc)
        return rc;
    Jiefen__ReportView v = JIEFEN__REPORT_VIEW__INIT;
    v.origin = ev->origin;
    v.seq = ev->seq;
    v.kind = r->kind;
    v.period = p.period; /* kept and found under one spelling, whatever the event's */
    v.from_ms = p.from_ms; /* the period's, whatever the event says */
    v.to_ms = p.to_ms;
    v.submitted_ms = clockskew_fold_time(ev, self, ev->time_ms);
    v.clock_corrected_ms = v.submitted_ms != ev->time_ms ? ev->clock_offset_ms : 0;
    v.actor = ev->actor;
    v.figures = r->figures;
    v.analysis = r->analysis;
    v.missing = r->missing;
    v.n_missing = r->n_missing;
    v.missing_reason = r->missing_reason;
    v.n_missing_reason = r->n_missing_reason;
    v.review = r->review;
    v.state = "submitted";
    rc = report_put(st, txn, &v);
    return rc ? rc : report_agenda(st, txn, self, &v);
}

/* Replaces a string of an unpacked view (allocated as protobuf-c's default allocator
 * does, so free_unpacked frees it). */
static int replace(char **field, const char *s)
{
    char *copy = strdup(s);
    if (!copy)
        return -ENOMEM;
    if (*field != protobuf_c_empty_string)
        free(*field);
    *field = copy;
    return 0;
}

/* Applies to the report it names if that is still the current submission: a review of a
 * report since resubmitted changes nothing. */
static int fold_reviewed(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    const Jiefen__ReportReviewed *r = ev->report_reviewed;
    MDB_val d;
    envelope *sub = NULL;
    Jiefen__ReportView *v = NULL;
    int rc = store_event_get(st, txn, r->origin, r->seq, &d);
    if (rc)
        return rc == JF_ENOTFOUND ? JF_EINVAL : rc;
    if (envelope_decode(d.mv_data, d.mv_size, &sub) ||
        sub->event->body_case != JIEFEN__EVENT__BODY_REPORT_SUBMITTED) {
        envelope_free(&sub);
        return JF_EINVAL;
    }
    const Jiefen__ReportSubmitted *rs = sub->event->report_submitted;
    Jiefen__NodeInfo *of = NULL;
    /* Only the parent of the report's node reviews it. */
    if ((rc = registry_get(st, txn, sub->event->origin, &of)) == 0 &&
        (!of || strcmp(of->parent, ev->origin)))
        rc = JF_EINVAL;
    registry_free(&of);
    struct report_period sp;
    if (rc == 0 && report_period_parse(rs->kind, rs->period, &sp))
        rc = JF_EINVAL;
    if (rc == 0)
        rc = report_get(st, txn, sub->event->origin, rs->kind, sp.period, &v);
    if (rc == 0 && v && v->seq == r->seq) {
        v->reviewed_ms = ev->time_ms;
        if (replace(&v->state, r->accepted ? "accepted" : "returned") ||
            replace(&v->comment, r->comment) || replace(&v->reviewer, ev->origin))
            rc = -ENOMEM;
        else
            rc = report_put(st, txn, v);
        if (rc == 0)
            rc = report_agenda(st, txn, self, v);
    }
    if (v)
        jiefen__report_view__free_unpacked(v, NULL);
    envelope_free(&sub);
    return rc;
}

int report_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    if (ev->body_case == JIEFEN__EVENT__BODY_REPORT_SUBMITTED)
        return fold_submitted(st, txn, self, ev);
    return fold_reviewed(st, txn, self, ev);
}
