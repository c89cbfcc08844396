#include "case/warning.h"
#include "case/caseindex.h"
#include "case/case.h"
#include "case/dept.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "log/drain.h"
#include "log/fold.h"
#include "log.h"
#include "case/hazard.h"
#include "case/party.h"
#include "case/reference.h"
#include "log/registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the warnings database ------------------------------------------------------------ */

int warning_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    (void)self;
    uint8_t key[STORE_TIME_KEY_MAX];
    if (!ev->warning->rule[0])
        return JF_EINVAL;
    Jiefen__WarningView v = JIEFEN__WARNING_VIEW__INIT;
    v.origin = ev->origin;
    v.seq = ev->seq;
    v.time_ms = ev->time_ms;
    v.case_id = ev->case_id;
    v.warning = ev->warning;
    size_t n = store_time_key(ev->time_ms, ev->origin, ev->seq, key);
    return store_put_message(txn, st->warnings, key, n, &v.base);
}

/* ---- raising ---------------------------------------------------------------------------- */

/* Once per subject and window: the meta key remembers when it was last raised. */
static int already_raised(eventlog_tx *tx, const char *subject, int64_t window_ms)
{
    uint64_t last = 0;
    store_meta_get_u64(tx->st, tx->txn, subject, &last);
    return last && (int64_t)last > tx->now_ms - window_ms;
}

/* What a warning is about: a village and category, and the case ("" for none). */
struct about {
    const char *village, *category, *case_id;
};

/* Appends the warning unless this subject was warned within the window. */
static int raise_about(eventlog_tx *tx, const struct about *a, const char *rule,
                       uint32_t count, int days, const char *detail, const char *subject,
                       int64_t window_ms)
{
    if (already_raised(tx, subject, window_ms))
        return 0;
    Jiefen__WarningRaised w = JIEFEN__WARNING_RAISED__INIT;
    w.rule = (char *)rule;
    w.village = (char *)a->village;
    w.category = (char *)a->category;
    w.count = count;
    w.days = (uint32_t)days;
    w.detail = (char *)detail;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_WARNING;
    ev.warning = &w;
    ev.case_id = (char *)a->case_id;
    ev.actor = "system";
    int rc = eventlog_append(tx, &ev, NULL, 0);
    if (rc == 0) {
        log_info("warning", "%s: %s", rule, detail);
        rc = store_meta_put_u64(tx->st, tx->txn, subject, (uint64_t)tx->now_ms);
    }
    return rc;
}

/* raise_about for case c. */
static int raise_warning(eventlog_tx *tx, const Jiefen__CaseView *c, const char *rule,
                         uint32_t count, int days, const char *detail, const char *subject,
                         int64_t window_ms)
{
    struct about a = {c->village, c->category, c->case_id};
    return raise_about(tx, &a, rule, count, days, detail, subject, window_ms);
}

/* Intakes here per village, category and day (UTC day number), counted as they happen, so
 * the rule costs `days` reads per intake however busy the node is. */
static void day_key(const Jiefen__CaseView *c, int64_t day, char *buf, size_t len)
{
    snprintf(buf, len, "intakes:%s:%s:%lld", c->village, c->category, (long long)day);
}

static int count_cluster(eventlog_tx *tx, const Jiefen__CaseView *c, int days, uint32_t *count)
{
    char key[256];
    uint64_t n;
    int64_t today = tx->now_ms / CLOCK_DAY_MS;
    day_key(c, today, key, sizeof key);
    int rc = store_meta_get_u64(tx->st, tx->txn, key, &n);
    if (rc || (rc = store_meta_put_u64(tx->st, tx->txn, key, n + 1)))
        return rc;
    *count = (uint32_t)(n + 1);
    for (int64_t d = today - days + 1; d < today && rc == 0; d++) {
        day_key(c, d, key, sizeof key);
        if ((rc = store_meta_get_u64(tx->st, tx->txn, key, &n)) == 0)
            *count += (uint32_t)n;
    }
    return rc;
}

/* Checked once per case, at its intake here (the event that opened it is the only one). */
static int rule_cluster(eventlog_tx *tx, const struct config *cfg, const Jiefen__CaseView *c)
{
    uint32_t count = 0;
    int64_t window = (int64_t)cfg->warn_category_days * CLOCK_DAY_MS;
    if (!cfg->warn_category_cases || c->event_count != 1 ||
        strcmp(c->opened_at_node, cfg->node_id))
        return 0;
    int rc = count_cluster(tx, c, cfg->warn_category_days, &count);
    if (rc || count < (uint32_t)cfg->warn_category_cases)
        return rc;
    char subject[256], detail[512];
    const struct ref_entry *cat = ref_find(&ref_categories, c->category);
    snprintf(subject, sizeof subject, "warned:category_cluster:%s:%s", c->village, c->category);
    snprintf(detail, sizeof detail, "%s %d 天内发生“%s”纠纷 %u 件", c->village,
             cfg->warn_category_days, cat ? cat->name : c->category, count);
    return raise_warning(tx, c, "category_cluster", count, cfg->warn_category_days, detail,
                         subject, window);
}

/* Escalations of the case within the window, from its file. */
static uint32_t count_escalations(eventlog_tx *tx, const Jiefen__CaseView *c, int64_t since)
{
    uint32_t n = 0;
    for (size_t i = 0; i < c->n_event_origins; i++) {
        MDB_val d;
        envelope *e = NULL;
        if (c->event_times[i] < since ||
            store_event_get(tx->st, tx->txn, c->event_origins[i], c->event_seqs[i], &d) ||
            envelope_decode(d.mv_data, d.mv_size, &e))
            continue;
        n += e->event->body_case == JIEFEN__EVENT__BODY_CASE_MOVED &&
             strcmp(e->event->case_moved->kind, "escalate") == 0;
        envelope_free(&e);
    }
    return n;
}

static int rule_escalations(eventlog_tx *tx, const struct config *cfg,
                            const Jiefen__CaseView *c)
{
    int64_t window = (int64_t)cfg->warn_escalation_days * CLOCK_DAY_MS;
    /* The view counts escalations ever: below the threshold the file need not be read. */
    if (!cfg->warn_escalations || c->escalations < (uint32_t)cfg->warn_escalations)
        return 0;
    uint32_t n = count_escalations(tx, c, tx->now_ms - window);
    if (n < (uint32_t)cfg->warn_escalations)
        return 0;
    char subject[256], detail[512];
    snprintf(subject, sizeof subject, "warned:repeat_escalation:%s", c->case_id);
    snprintf(detail, sizeof detail, "案件 %s %d 天内上报 %u 次", c->case_id,
             cfg->warn_escalation_days, n);
    return raise_warning(tx, c, "repeat_escalation", n, cfg->warn_escalation_days, detail,
                         subject, window);
}

static int rule_red(eventlog_tx *tx, const struct config *cfg, const Jiefen__CaseView *c)
{
    /* Raised by the node that set the colour, so once in the tree, not once per tier. */
    if (!cfg->warn_red || c->risk != JIEFEN__RISK__RISK_RED ||
        strcmp(c->risk_by, cfg->node_id))
        return 0;
    char subject[256], detail[512];
    snprintf(subject, sizeof subject, "warned:red_risk:%s", c->case_id);
    snprintf(detail, sizeof detail, "案件 %s（%s）为红色风险", c->case_id, c->village);
    /* Once per case: the window is as long as it can be. */
    return raise_warning(tx, c, "red_risk", 1, 0, detail, subject, INT64_MAX / 2);
}

/* A department routed here has not signed for the case by its limit (部门签收逾期): once
 * per part, by the node whose timer found it. */
static int rule_dept(eventlog_tx *tx, const Jiefen__CaseView *c, const char *self)
{
    int rc = 0;
    for (size_t i = 0; c->dept && i < c->dept->n_parts && rc == 0; i++) {
        const Jiefen__DeptPart *p = c->dept->parts[i];
        char subject[256], detail[512];
        if (!p->sign_overdue || p->signed_ms || p->ended || p->returned_ms ||
            strcmp(p->node, self))
            continue;
        snprintf(subject, sizeof subject, "warned:dept_sign_overdue:%s:%s:%lld", c->case_id,
                 p->department, (long long)p->sign_due_ms);
        snprintf(detail, sizeof detail, "案件 %s（%s）：%s未在签收时限内签收", c->case_id,
                 c->village, p->department);
        rc = raise_warning(tx, c, "dept_sign_overdue", 1, 0, detail, subject, INT64_MAX / 2);
    }
    return rc;
}

/* The open cases of one party opened in this node's subtree, and whether they came in
 * here or through more than one child (else the child below sees them all and warns). */
struct party_scan {
    eventlog_tx *tx;
    const char *self;
    const Jiefen__CaseView *upto; /* the case checked: later openings are not counted */
    uint32_t open;
    int spans;
    char branch[STORE_ORIGIN_MAX + 1];
    char ids[400];
};

static int scan_case(const char *case_id, void *arg)
{
    struct party_scan *s = arg;
    Jiefen__CaseView *v = NULL;
    char below[STORE_ORIGIN_MAX + 1] = "";
    int rc = caseindex_get(s->tx->st, s->tx->txn, case_id, &v);
    if (rc || !v)
        return rc;
    /* Openings received in one batch are checked after all are folded: each counts as of
     * its own opening, so the warning names the case that made the count. */
    int later = v->opened_ms > s->upto->opened_ms ||
                (v->opened_ms == s->upto->opened_ms && strcmp(case_id, s->upto->case_id) > 0);
    int open =
        !later && (v->status == CASE_STATUS(OPEN) || v->status == CASE_STATUS(ESCALATED));
    int here = strcmp(v->opened_at_node, s->self) == 0;
    if (open && (here || registry_branch(s->tx->st, s->tx->txn, v->opened_at_node, s->self,
                                         below) == 0)) {
        s->spans |= here || (s->branch[0] && strcmp(s->branch, below));
        if (!s->branch[0])
            snprintf(s->branch, sizeof s->branch, "%s", below);
        size_t used = strlen(s->ids);
        if (used + strlen(case_id) + 8 < sizeof s->ids)
            snprintf(s->ids + used, sizeof s->ids - used, "%s%s", s->open ? "、" : "", case_id);
        s->open++;
    }
    case_view_free(&v);
    return 0;
}

static int rule_party(eventlog_tx *tx, const struct config *cfg, const Jiefen__CaseView *c)
{
    int rc = 0;
    for (size_t i = 0; i < c->n_party_tags && rc == 0; i++) {
        struct party_scan s = {tx, cfg->node_id, c, 0, 0, "", ""};
        if (c->party_tags[i].len != PARTY_TAG_LEN ||
            (rc = party_each_case(tx->st, tx->txn, c->party_tags[i].data, scan_case, &s)) ||
            s.open < (uint32_t)cfg->warn_party_cases || !s.spans)
            continue;
        char hex[2 * PARTY_TAG_LEN + 1], subject[128], detail[512];
        crypto_hex(c->party_tags[i].data, PARTY_TAG_LEN, hex);
        snprintf(subject, sizeof subject, "warned:repeat_party:%s:%u", hex, s.open);
        snprintf(detail, sizeof detail, "同一当事人涉及 %u 件未结纠纷：%s", s.open, s.ids);
        rc = raise_warning(tx, c, "repeat_party", s.open, 0, detail, subject,
                           30 * CLOCK_DAY_MS);
    }
    return rc;
}

/* The case of a party opened last (ties by id): the one whose check counts all the others. */
struct latest {
    eventlog_tx *tx;
    int64_t opened_ms;
    char id[FOLD_CASE_ID_MAX + 1];
};

static int note_latest(const char *case_id, void *arg)
{
    struct latest *l = arg;
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(l->tx->st, l->tx->txn, case_id, &v);
    if (rc || !v)
        return rc;
    if (!l->id[0] || v->opened_ms > l->opened_ms ||
        (v->opened_ms == l->opened_ms && strcmp(case_id, l->id) > 0)) {
        l->opened_ms = v->opened_ms;
        snprintf(l->id, sizeof l->id, "%s", case_id);
    }
    case_view_free(&v);
    return 0;
}

/* A received opening: checked itself, and so is the party's latest opening if that came in
 * before it. Openings arrive from different children in any order, and each is counted as
 * of its own opening: the one opened last but received first must be counted again. */
static int rule_party_received(eventlog_tx *tx, const struct config *cfg,
                               const Jiefen__CaseView *c)
{
    int rc = rule_party(tx, cfg, c);
    for (size_t i = 0; i < c->n_party_tags && rc == 0; i++) {
        struct latest l = {tx, 0, ""};
        Jiefen__CaseView *v = NULL;
        if (c->party_tags[i].len != PARTY_TAG_LEN ||
            (rc = party_each_case(tx->st, tx->txn, c->party_tags[i].data, note_latest, &l)) ||
            !l.id[0] || strcmp(l.id, c->case_id) == 0)
            continue;
        if ((rc = caseindex_get(tx->st, tx->txn, l.id, &v)) == 0 && v)
            rc = rule_party(tx, cfg, v);
        case_view_free(&v);
    }
    return rc;
}

int warning_check(eventlog_tx *tx, const struct config *cfg, const char *case_id)
{
    Jiefen__CaseView *c = NULL;
    int rc = caseindex_get(tx->st, tx->txn, case_id, &c);
    if (rc || !c)
        return rc;
    int intake_here = c->event_count == 1 && strcmp(c->opened_at_node, cfg->node_id) == 0;
    if ((rc = rule_cluster(tx, cfg, c)) == 0 && (rc = rule_escalations(tx, cfg, c)) == 0 &&
        (rc = rule_red(tx, cfg, c)) == 0 && (rc = rule_dept(tx, c, cfg->node_id)) == 0 &&
        intake_here && cfg->warn_party_cases)
        rc = rule_party(tx, cfg, c);
    case_view_free(&c);
    return rc;
}

int warning_check_hazard(eventlog_tx *tx, const struct config *cfg, const char *hazard_id)
{
    Jiefen__HazardView *h = NULL;
    uint32_t count = 0;
    int64_t window = (int64_t)cfg->warn_category_days * CLOCK_DAY_MS;
    if (!cfg->warn_category_cases)
        return 0;
    int rc = hazard_get(tx->st, tx->txn, hazard_id, &h);
    if (rc || !h)
        return rc;
    const Jiefen__HazardRegistered *r = h->hazard;
    rc = hazard_count_cluster(tx->st, tx->txn, r->village, r->category, tx->now_ms - window,
                              &count);
    if (rc == 0 && count >= (uint32_t)cfg->warn_category_cases) {
        char subject[256], detail[512];
        const struct ref_entry *cat = ref_find(&ref_categories, r->category);
        struct about a = {r->village, r->category, ""};
        snprintf(subject, sizeof subject, "warned:hazard_cluster:%s:%s", r->village,
                 r->category);
        snprintf(detail, sizeof detail, "%s %d 天内登记“%s”苗头隐患 %u 条", r->village,
                 cfg->warn_category_days, cat ? cat->name : r->category, count);
        rc = raise_about(tx, &a, "hazard_cluster", count, cfg->warn_category_days, detail,
                         subject, window);
    }
    hazard_free(&h);
    return rc;
}

/* ---- openings received from other nodes ------------------------------------------------ */

#define RECEIVED_BATCH 1000

struct warning_queue {
    drain *drain;
    const struct config *cfg;
    const crypto_identity *id;
    store *st;
};

static int received_apply(eventlog_tx *tx, void *arg, int *more)
{
    warning_queue *q = arg;
    char id[FOLD_CASE_ID_MAX + 1];
    int rc = 0;
    unsigned checked = 0;
    while (rc == 0 && checked < RECEIVED_BATCH &&
           (rc = party_pending_next(tx->st, tx->txn, id)) == 0) {
        Jiefen__CaseView *c = NULL;
        if (!q->cfg->warn_party_cases) {
            /* The rule off: the queue is only emptied. */
        } else if ((rc = caseindex_get(tx->st, tx->txn, id, &c)) == JF_ECORRUPT) {
            /* Off the queue all the same: retried, it would stop every check after it. */
            log_error("warning", "case %s unreadable: repeat-party rule not checked", id);
            rc = 0;
        } else if (rc == 0 && c) {
            rc = rule_party_received(tx, q->cfg, c);
        }
        case_view_free(&c);
        checked++;
    }
    *more = checked == RECEIVED_BATCH;
    return rc == JF_ENOTFOUND ? 0 : rc;
}

warning_queue *warning_queue_new(eventlog *log, store *st, const struct config *cfg,
                                 const crypto_identity *id)
{
    warning_queue *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    *q = (struct warning_queue){.cfg = cfg, .id = id, .st = st};
    if (!(q->drain = drain_new(log, "warning", received_apply, q))) {
        free(q);
        return NULL;
    }
    return q;
}

void warning_queue_free(warning_queue **q)
{
    if (!q || !*q)
        return;
    drain_free(&(*q)->drain);
    free(*q);
    *q = NULL;
}

void warning_start(warning_queue *q)
{
    uint8_t key[PARTY_KEY_LEN];
    MDB_txn *txn;
    int rc = JF_ENOTFOUND;
    if (q->cfg->warn_party_cases && store_txn_begin(q->st, MDB_RDONLY, &txn) == 0) {
        rc = party_key_get(q->st, txn, q->id, key);
        store_txn_abort(txn);
        crypto_wipe(key, sizeof key);
        if (rc)
            log_warn("warning", "[warning] party_cases is set but this node has no party key "
                     "(%s): its intakes carry no party tags until it is enrolled in a tree "
                     "that has one (docs/ledger.md)", jf_strerror(rc));
    }
    warning_check_received(q);
}

void warning_stop(warning_queue *q)
{
    if (q)
        drain_stop(q->drain);
}

void warning_check_received(warning_queue *q)
{
    /* Even with the rule off the queue is emptied: it would only grow. */
    if (q)
        drain_kick(q->drain);
}
