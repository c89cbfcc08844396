#include "case/appointment.h"
#include "case/case.h"
#include "case/clockskew.h"
#include "case/followup.h"
#include "case/confirm.h"
#include "case/dept.h"
#include "case/doctype.h"
#include "array.h"
#include "clock.h"
#include "error.h"
#include "case/reference.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Views are allocated with the system allocator field by field, exactly as protobuf-c's
 * default allocator does on unpack, so one free_unpacked() frees both kinds. An empty
 * string is protobuf-c's shared one, as unpack leaves it (free_unpacked skips it): most
 * of a new view's strings are empty. */
static int set_str(char **field, const char *v)
{
    char *copy = v && v[0] ? strdup(v) : (char *)protobuf_c_empty_string;
    if (!copy)
        return -ENOMEM;
    if (*field && *field != protobuf_c_empty_string)
        free(*field);
    *field = copy;
    return 0;
}

/* Room for one more in an array of a protobuf message, which owns exactly n elements. */
static int grow(void **arr, size_t n, size_t size)
{
    void *p = array_one_more(*arr, n, size);
    if (!p)
        return -ENOMEM;
    *arr = p;
    return 0;
}

/* 1 if (t1, o1, s1) sorts before (t2, o2, s2): the order of the file. */
static int ref_before(int64_t t1, const char *o1, uint64_t s1, int64_t t2, const char *o2,
                      uint64_t s2)
{
    if (t1 != t2)
        return t1 < t2;
    int c = strcmp(o1, o2);
    return c ? c < 0 : s1 < s2;
}

/* Inserts the event's reference at its place in (time, origin, seq) order, so the list is
 * the same whatever order the events arrived in. */
static int add_ref(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    size_t n = v->n_event_origins;
    if (grow((void **)&v->event_origins, n, sizeof *v->event_origins) ||
        grow((void **)&v->event_seqs, n, sizeof *v->event_seqs) ||
        grow((void **)&v->event_times, n, sizeof *v->event_times))
        return -ENOMEM;
    char *o = strdup(ev->origin);
    if (!o)
        return -ENOMEM;
    size_t at = n;
    while (at > 0 && ref_before(ev->time_ms, ev->origin, ev->seq, v->event_times[at - 1],
                                v->event_origins[at - 1], v->event_seqs[at - 1]))
        at--;
    memmove(v->event_origins + at + 1, v->event_origins + at, (n - at) * sizeof(char *));
    memmove(v->event_seqs + at + 1, v->event_seqs + at, (n - at) * sizeof(uint64_t));
    memmove(v->event_times + at + 1, v->event_times + at, (n - at) * sizeof(int64_t));
    v->event_origins[at] = o;
    v->event_seqs[at] = ev->seq;
    v->event_times[at] = ev->time_ms;
    v->n_event_origins = v->n_event_seqs = v->n_event_times = n + 1;
    v->event_count = (uint32_t)(n + 1);
    return 0;
}

/* Appends a copy of s to a repeated string field of n elements. */
static int add_str(char ***arr, size_t *n, const char *s)
{
    if (grow((void **)arr, *n, sizeof **arr) || !((*arr)[*n] = strdup(s)))
        return -ENOMEM;
    (*n)++;
    return 0;
}

static int add_period(Jiefen__CaseView *v, const char *holder)
{
    return add_str(&v->period_holders, &v->n_period_holders, holder);
}

/* The rostered person an attempt chose (名册), listed once. */
static int add_roster(Jiefen__CaseView *v, const char *id)
{
    return id[0] && !followup_has_roster(v, id) ? add_str(&v->roster_ids, &v->n_roster_ids, id)
                                                : 0;
}

int case_has_event(const Jiefen__CaseView *v, const char *origin, uint64_t seq)
{
    for (size_t i = 0; i < v->n_event_origins; i++)
        if (v->event_seqs[i] == seq && strcmp(v->event_origins[i], origin) == 0)
            return 1;
    return 0;
}

static int copy_tags(Jiefen__CaseView *v, const Jiefen__CaseOpened *o)
{
    if (!o->n_party_tags)
        return 0;
    if (!(v->party_tags = calloc(o->n_party_tags, sizeof *v->party_tags)))
        return -ENOMEM;
    for (size_t i = 0; i < o->n_party_tags; i++) {
        if (!(v->party_tags[i].data = malloc(o->party_tags[i].len ? o->party_tags[i].len : 1)))
            return -ENOMEM;
        memcpy(v->party_tags[i].data, o->party_tags[i].data, o->party_tags[i].len);
        v->party_tags[i].len = o->party_tags[i].len;
        v->n_party_tags = i + 1;
    }
    return 0;
}

static Jiefen__CaseView *view_from_opened(const Jiefen__Event *ev)
{
    const Jiefen__CaseOpened *o = ev->case_opened;
    Jiefen__CaseView *v = malloc(sizeof *v);
    if (!v)
        return NULL;
    jiefen__case_view__init(v);
    v->status = CASE_STATUS(OPEN);
    v->complexity = o->complexity;
    v->risk = o->risk;
    v->opened_ms = v->updated_ms = v->holder_since_ms = ev->time_ms;
    v->due_ms = o->due_ms;
    v->party_count = o->party_count;
    v->epoch = 1;
    if (set_str(&v->case_id, o->case_id) || set_str(&v->category, o->category) ||
        set_str(&v->department, o->department) || set_str(&v->matter_type, o->matter_type) ||
        set_str(&v->village, o->village) || set_str(&v->source, o->source) ||
        set_str(&v->summary, o->summary) || set_str(&v->holder, ev->origin) ||
        set_str(&v->external_system, o->external_system) ||
        set_str(&v->external_ref, o->external_ref) ||
        set_str(&v->linkage_tags, o->linkage_tags) ||
        set_str(&v->opened_at_node, ev->origin) || set_str(&v->risk_by, ev->origin) ||
        add_period(v, ev->origin) || copy_tags(v, o) ||
        add_ref(v, ev)) {
        case_view_free(&v);
        return NULL;
    }
    return v;
}

int case_event_is_move(const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_CASE_MOVED:
        return 1;
    case JIEFEN__EVENT__BODY_CASE_CLOSED:
        return ev->case_closed->return_to[0] != '\0';
    case JIEFEN__EVENT__BODY_FOLLOW_UP:
        return followup_reopens(ev->follow_up);
    default:
        return 0;
    }
}

/* Events only the node holding the case may make. */
static int holder_only(const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_LEADER_ASSIGNED:
    case JIEFEN__EVENT__BODY_EXTENSION_DECIDED:
        return 0;
    default:
        return 1;
    }
}

/* Starts a new holding period at `to`: fresh time limit, fresh 3221 count. */
static int start_period(Jiefen__CaseView *v, const Jiefen__Event *ev, const char *to,
                        int64_t due_ms)
{
    if (set_str(&v->previous_holder, v->holder) || set_str(&v->holder, to) ||
        add_period(v, to))
        return -ENOMEM;
    v->epoch = ev->case_epoch;
    v->holder_since_ms = ev->time_ms;
    v->due_ms = due_ms;
    v->failed_here = 0;
    v->leader_required = 0;
    v->warned_due_ms = v->overdue_due_ms = 0;
    dept_end_parts(v, ev->time_ms);
    /* A request belongs to the period it was made in: a decision arriving later for it
     * finds nothing to decide, whichever order the two arrive in. */
    v->ext_seq = v->ext_decision_seq = 0;
    v->ext_epoch = v->ext_days = 0;
    return set_str(&v->ext_state, "") || set_str(&v->ext_origin, "") ||
                   set_str(&v->ext_reason, "") || set_str(&v->ext_decision_origin, "")
               ? -ENOMEM
               : 0;
}

#define LIMIT_MAX_MS (400 * CLOCK_DAY_MS)

/* A new period's limit: after the move, and not beyond any limit a tier can set. */
static int valid_limit(const Jiefen__Event *ev, int64_t due_ms)
{
    return due_ms > ev->time_ms && due_ms - ev->time_ms <= LIMIT_MAX_MS;
}

static int apply_moved(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__CaseMoved *m = ev->case_moved;
    if (strcmp(m->from, v->holder) || !m->to[0] || strcmp(m->from, m->to) == 0 ||
        v->status != CASE_STATUS(OPEN) || !valid_limit(ev, m->due_ms))
        return JF_EINVAL;
    if (strcmp(m->kind, "escalate") == 0)
        v->escalations++;
    else if (strcmp(m->kind, "handdown"))
        return JF_EINVAL;
    return start_period(v, ev, m->to, m->due_ms);
}

static int apply_attempt(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__MediationAttempt *a = ev->attempt;
    if (v->status != CASE_STATUS(OPEN) || a->outcome < JIEFEN__OUTCOME__OUTCOME_AGREEMENT ||
        a->outcome > JIEFEN__OUTCOME__OUTCOME_FAILED)
        return JF_EINVAL;
    v->attempts++;
    v->last_outcome = a->outcome;
    if (a->outcome == JIEFEN__OUTCOME__OUTCOME_FAILED)
        v->failed_here++;
    if (a->outcome == JIEFEN__OUTCOME__OUTCOME_AGREEMENT)
        v->status = CASE_STATUS(RESOLVED);
    return add_roster(v, a->roster_id);
}

static int apply_closed(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__CaseClosed *c = ev->case_closed;
    if (v->status != CASE_STATUS(OPEN) && v->status != CASE_STATUS(RESOLVED))
        return JF_EINVAL;
    if (c->return_to[0] && strcmp(c->return_to, v->opened_at_node))
        return JF_EINVAL;
    v->status = CASE_STATUS(CLOSED);
    v->closed_ms = v->last_closed_ms = ev->time_ms;
    v->closed_due_ms = v->due_ms;
    v->followup_due_ms = c->followup_due_ms;   /* a new follow-up, nothing recorded */
    v->followup_done_ms = 0;
    v->withdrawn = c->withdrawn;
    if (set_str(&v->last_closed_at_node, ev->origin) ||
        set_str(&v->followup_assignee, c->followup_assignee) ||
        set_str(&v->followup_method, "") || set_str(&v->followup_performance, ""))
        return -ENOMEM;
    if (set_str(&v->result, c->result) || set_str(&v->feedback, c->feedback) ||
        set_str(&v->closed_at_node, ev->origin) || set_str(&v->satisfaction, ""))
        return -ENOMEM;
    return c->return_to[0] ? start_period(v, ev, c->return_to, 0) : 0;
}

static int apply_follow_up(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__FollowUp *f = ev->follow_up;
    int reopen = case_event_is_move(ev);
    if (v->status != CASE_STATUS(CLOSED) ||
        ref_index(&ref_satisfactions, f->satisfaction) < 0 ||
        (reopen && !valid_limit(ev, f->reopen_due_ms)))
        return JF_EINVAL;
    v->followup_done_ms = ev->time_ms;
    if (set_str(&v->satisfaction, f->satisfaction) || set_str(&v->followup_method, f->method) ||
        set_str(&v->followup_performance, f->performance))
        return -ENOMEM;
    if (!reopen)
        return 0;
    v->status = CASE_STATUS(OPEN);
    v->closed_ms = 0;
    return start_period(v, ev, ev->origin, f->reopen_due_ms);
}

static int copy_leader(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__LeaderAssigned *src = ev->leader_assigned;
    Jiefen__LeaderAssigned *l = v->leader;
    if (!l) {
        if (!(l = malloc(sizeof *l)))
            return -ENOMEM;
        jiefen__leader_assigned__init(l);
        v->leader = l;
    }
    if (set_str(&l->leader, src->leader) || set_str(&l->organisation, src->organisation) ||
        set_str(&l->liaison_unit, src->liaison_unit) || set_str(&l->plan, src->plan) ||
        set_str(&l->legal_consultation, src->legal_consultation) ||
        set_str(&v->leader_origin, ev->origin))
        return -ENOMEM;
    v->leader_seq = ev->seq;
    v->leader_time_ms = ev->time_ms;
    v->leader_epoch = ev->case_epoch;
    /* Assigned by the holder of its period: nothing had to travel, acknowledged at once. */
    v->leader_acked = strcmp(ev->origin, v->period_holders[ev->case_epoch - 1]) == 0;
    v->leader_required = 0;
    return 0;
}

/* The newest assignment wins, by (period, time, origin, seq): the same on every node, and
 * a signer's clock cannot put an old period's assignment over a newer one. */
static int apply_leader(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    if (!ev->leader_assigned->leader[0])
        return JF_EINVAL;
    if (v->leader && (ev->case_epoch < v->leader_epoch ||
                      (ev->case_epoch == v->leader_epoch &&
                       ref_before(ev->time_ms, ev->origin, ev->seq, v->leader_time_ms,
                                  v->leader_origin, v->leader_seq))))
        return 0;
    return copy_leader(v, ev);
}

/* An ack or a decision refers to an earlier event: wait for it; if it has been
 * superseded, the event stays in the file and changes nothing. */
static int refers(const Jiefen__CaseView *v, const char *origin, uint64_t seq,
                  const char *cur_origin, uint64_t cur_seq)
{
    if (!case_has_event(v, origin, seq))
        return JF_ELATER;
    return cur_origin && strcmp(origin, cur_origin) == 0 && seq == cur_seq;
}

static int apply_leader_ack(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    int cur = refers(v, ev->leader_ack->origin, ev->leader_ack->seq, v->leader_origin,
                     v->leader_seq);
    if (cur < 0)
        return cur;
    if (cur)
        v->leader_acked = 1;
    return 0;
}

static int apply_ext_request(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__ExtensionRequested *r = ev->extension_requested;
    if (v->status != CASE_STATUS(OPEN) || r->days == 0 || !r->reason[0])
        return JF_EINVAL;
    if (r->settled_origin[0] && !case_has_event(v, r->settled_origin, r->settled_seq))
        return JF_ELATER;
    v->ext_seq = ev->seq;
    v->ext_epoch = ev->case_epoch;
    v->ext_days = r->days;
    if (set_str(&v->ext_origin, ev->origin) || set_str(&v->ext_reason, r->reason) ||
        set_str(&v->ext_state, "pending"))
        return -ENOMEM;
    return 0;
}

static int apply_ext_decision(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__ExtensionDecided *d = ev->extension_decided;
    int cur = refers(v, d->origin, d->seq, v->ext_origin, v->ext_seq);
    /* A decision is made in the period of its request (see case_authorised). */
    if (cur > 0 && ev->case_epoch != v->ext_epoch)
        return JF_EINVAL;
    if (cur <= 0 || v->ext_epoch != v->epoch || strcmp(v->ext_state, "pending"))
        return cur < 0 ? cur : 0;
    if (d->approved) {
        if (d->new_due_ms <= v->due_ms)
            return JF_EINVAL;
        v->due_ms = d->new_due_ms;
    }
    v->ext_decision_seq = ev->seq;
    return set_str(&v->ext_decision_origin, ev->origin) ||
                   set_str(&v->ext_state, d->approved ? "approved" : "refused")
               ? -ENOMEM
               : 0;
}

static int apply_routed(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__CaseRouted *r = ev->case_routed;
    if ((!r->department[0] && !r->lead_unit[0]) || !r->reason[0])
        return JF_EINVAL;
    return (r->department[0] && set_str(&v->department, r->department)) ||
                   (r->lead_unit[0] && set_str(&v->lead_unit, r->lead_unit))
               ? -ENOMEM
               : 0;
}

static int apply_guided(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__CaseGuided *g = ev->case_guided;
    if (v->status != CASE_STATUS(OPEN) || ref_index(&ref_channels, g->channel) < 0)
        return JF_EINVAL;
    v->status = CASE_STATUS(GUIDED);
    v->closed_ms = v->last_closed_ms = ev->time_ms;
    v->closed_due_ms = v->due_ms;
    v->withdrawn = 0;
    if (set_str(&v->last_closed_at_node, ev->origin))
        return -ENOMEM;
    return set_str(&v->guided_channel, g->channel) || set_str(&v->guidance, g->guidance) ||
                   set_str(&v->closed_at_node, ev->origin)
               ? -ENOMEM
               : 0;
}

static int apply_risk(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    const Jiefen__RiskChanged *r = ev->risk_changed;
    if (r->risk < JIEFEN__RISK__RISK_BLUE || r->risk > JIEFEN__RISK__RISK_RED || !r->reason[0])
        return JF_EINVAL;
    v->risk = r->risk;
    return set_str(&v->risk_by, ev->origin);
}

/* The holder's timer found its limit near or past: recorded against that limit, so an
 * extension decided meanwhile is not undone by it. */
static int apply_deadline(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    if (strcmp(ev->deadline->kind, "warning") == 0)
        v->warned_due_ms = ev->deadline->due_ms;
    else if (strcmp(ev->deadline->kind, "overdue") == 0)
        v->overdue_due_ms = ev->deadline->due_ms;
    else
        return JF_EINVAL;
    return 0;
}

static int apply_body(Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_CASE_ROUTED:
        return apply_routed(v, ev);
    case JIEFEN__EVENT__BODY_CASE_GUIDED:
        return apply_guided(v, ev);
    case JIEFEN__EVENT__BODY_ATTEMPT:
        return apply_attempt(v, ev);
    case JIEFEN__EVENT__BODY_CASE_MOVED:
        return apply_moved(v, ev);
    case JIEFEN__EVENT__BODY_RISK_CHANGED:
        return apply_risk(v, ev);
    case JIEFEN__EVENT__BODY_LEADER_ASSIGNED:
        return apply_leader(v, ev);
    case JIEFEN__EVENT__BODY_LEADER_ACK:
        return apply_leader_ack(v, ev);
    case JIEFEN__EVENT__BODY_LEADER_PROGRESS:
        if (!ev->leader_progress->text[0])
            return JF_EINVAL;
        v->progress_count++;
        return 0;
    case JIEFEN__EVENT__BODY_LEADER_REQUIRED:
        v->leader_required = !v->leader;
        return 0;
    case JIEFEN__EVENT__BODY_DEADLINE:
        return apply_deadline(v, ev);
    case JIEFEN__EVENT__BODY_EXTENSION_REQUESTED:
        return apply_ext_request(v, ev);
    case JIEFEN__EVENT__BODY_EXTENSION_DECIDED:
        return apply_ext_decision(v, ev);
    case JIEFEN__EVENT__BODY_CASE_CLOSED:
        return apply_closed(v, ev);
    case JIEFEN__EVENT__BODY_FOLLOW_UP:
        return apply_follow_up(v, ev);
    case JIEFEN__EVENT__BODY_FORMS_RECORD: /* its content is sealed: see case/record.h */
        return ev->forms_record->kind[0] ? 0 : JF_EINVAL;
    case JIEFEN__EVENT__BODY_DOC_ATTACHED: /* listed by case/document.c from the events */
        return doctype_kind_name(ev->doc_attached->kind) && ev->doc_attached->size &&
                       ev->doc_attached->blob_hash.len == CRYPTO_HASH_LEN
                   ? 0
                   : JF_EINVAL;
    case JIEFEN__EVENT__BODY_APPOINTMENT_SET:
        return appointment_apply(v, ev);
    default:
        return dept_kind(ev->body_case)      ? dept_apply(v, ev)
               : confirm_kind(ev->body_case) ? confirm_apply(v, ev)
                                             : JF_EINVAL;
    }
}

/* Whether ev can apply to v now: JF_ELATER if it belongs to a holding period (or refers
 * to an event) not folded here yet, JF_EINVAL if it never can. */
static int case_admissible(const Jiefen__CaseView *v, const Jiefen__Event *ev)
{
    int move = case_event_is_move(ev);
    if (ev->case_epoch < 1 || case_has_event(v, ev->origin, ev->seq))
        return JF_EINVAL;
    if (ev->case_epoch > v->epoch + (unsigned)move)
        return JF_ELATER;
    if (move && ev->case_epoch != v->epoch + 1)
        return JF_EINVAL;
    /* The holder's events of a period precede its move out of it in its own chain, so
     * one that is older than the current period cannot be the holder's. */
    if (holder_only(ev) && (ev->case_epoch < v->epoch || strcmp(ev->origin, v->holder)))
        return JF_EINVAL;
    return 0;
}

/* Whether the signer may make this event, by its place in the tree (see case.h). */
static int case_authorised(const Jiefen__CaseView *v, const Jiefen__Event *ev,
                           const case_tree *t)
{
    if (!t)
        return 1;
    const char *holder = ev->case_epoch >= 1 && ev->case_epoch <= v->n_period_holders
                             ? v->period_holders[ev->case_epoch - 1]
                             : v->holder;
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_CASE_MOVED: {
        const Jiefen__CaseMoved *m = ev->case_moved;
        if (strcmp(m->kind, "escalate") == 0)
            return t->depth(t->arg, m->from, m->to) == 1;
        return t->depth(t->arg, m->to, m->from) == 1;
    }
    case JIEFEN__EVENT__BODY_LEADER_ASSIGNED:
        /* At or above the holder of its period and of every later one: a genuine
         * assignment is folded before the case can leave the signer's subtree (that takes
         * a move later in the signer's own chain, or in one below it). */
        for (size_t e = ev->case_epoch; e >= 1 && e <= v->n_period_holders; e++)
            if (t->depth(t->arg, v->period_holders[e - 1], ev->origin) < 0)
                return 0;
        return 1;
    case JIEFEN__EVENT__BODY_EXTENSION_DECIDED:
        return t->depth(t->arg, holder, ev->origin) == 1;
    default:
        return 1;
    }
}

static int apply_event(Jiefen__CaseView **view, const Jiefen__Event *ev,
                       const case_tree *tree)
{
    if (ev->body_case == JIEFEN__EVENT__BODY_CASE_OPENED) {
        if (*view || strcmp(ev->case_id, ev->case_opened->case_id) != 0)
            return JF_EINVAL;
        return (*view = view_from_opened(ev)) ? 0 : -ENOMEM;
    }
    Jiefen__CaseView *v = *view;
    if (!v)
        return JF_ELATER;
    int rc = case_admissible(v, ev);
    if (rc == 0 && !case_authorised(v, ev, tree))
        rc = JF_EINVAL;
    if (rc || (rc = apply_body(v, ev)))
        return rc;
    if (ev->time_ms > v->updated_ms)
        v->updated_ms = ev->time_ms;
    return add_ref(v, ev);
}

/* Every tier folds a skewed origin's times on the parent's clock, and the view says so. */
int case_apply(Jiefen__CaseView **view, const Jiefen__Event *ev, const case_tree *tree)
{
    Jiefen__Event copy;
    union clockskew_body body;
    const Jiefen__Event *e = clockskew_fold_event(ev, tree->self, &copy, &body);
    int rc = apply_event(view, e, tree);
    if (rc == 0 && e != ev)
        (*view)->clock_corrected_ms = ev->clock_offset_ms;
    return rc;
}

/* 1 if an earlier event of evs[i]'s origin has not been folded yet (the list is in time
 * order, which a clock set back can make differ from seq order). */
static int origin_blocked(const Jiefen__Event *const *evs, const char *done, size_t n,
                          size_t i)
{
    for (size_t j = 0; j < n; j++)
        if (!done[j] && strcmp(evs[j]->origin, evs[i]->origin) == 0 &&
            evs[j]->seq < evs[i]->seq)
            return 1;
    return 0;
}

int case_fold_list(const Jiefen__Event *const *evs, size_t n, const case_tree *tree,
                   Jiefen__CaseView **out)
{
    char *done = calloc(n ? n : 1, 1);
    size_t left = n;
    int progress = 1, rc = 0;
    if (!done)
        return -ENOMEM;
    *out = NULL;
    /* Events that wait for another are retried after each pass; each origin's events are
     * folded in its own order, as they arrive over a link. */
    while (left && progress && rc == 0) {
        progress = 0;
        for (size_t i = 0; i < n && rc == 0; i++) {
            if (done[i] || origin_blocked(evs, done, n, i))
                continue;
            int r = case_apply(out, evs[i], tree);
            if (r == JF_ELATER)
                continue;
            if (r == JF_EINVAL) /* kept in the file, changes nothing: as when received */
                r = 0;
            rc = r;
            done[i] = 1;
            left--;
            progress = 1;
        }
    }
    free(done);
    if (rc)
        case_view_free(out);
    return rc;
}

Jiefen__CaseView *case_view_decode(const void *buf, size_t len)
{
    return jiefen__case_view__unpack(NULL, len, buf);
}

uint8_t *case_view_encode(const Jiefen__CaseView *v, size_t *len)
{
    *len = jiefen__case_view__get_packed_size(v);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        jiefen__case_view__pack(v, buf);
    return buf;
}

void case_view_free(Jiefen__CaseView **v)
{
    if (!v || !*v)
        return;
    jiefen__case_view__free_unpacked(*v, NULL);
    *v = NULL;
}

/* Code of enum value `i` (1-based, 0 = unspecified) in a table, "" when out of range. */
static const char *ref_code(const struct ref_table *t, int i)
{
    return (i >= 1 && (size_t)i <= t->count) ? t->entries[i - 1].code : "";
}

const char *case_status_code(int status)
{
    return ref_code(&ref_statuses, status);
}

const char *case_risk_code(int risk)
{
    return ref_code(&ref_risks, risk);
}

const char *case_outcome_code(int outcome)
{
    return ref_code(&ref_outcomes, outcome);
}

int case_overdue(const Jiefen__CaseView *v, int64_t now_ms)
{
    if (v->status != CASE_STATUS(OPEN) || v->due_ms <= 0)
        return 0;
    return v->overdue_due_ms == v->due_ms || now_ms >= v->due_ms;
}

static json_t *leader_json(const Jiefen__CaseView *v)
{
    const Jiefen__LeaderAssigned *l = v->leader;
    if (!l)
        return json_null();
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:b, s:I}", "leader", l->leader,
                     "organisation", l->organisation, "liaison_unit", l->liaison_unit, "plan",
                     l->plan, "legal_consultation", l->legal_consultation, "assigned_by",
                     v->leader_origin, "assigned_ms", (json_int_t)v->leader_time_ms,
                     "acknowledged", v->leader_acked, "progress_entries",
                     (json_int_t)v->progress_count);
}

static json_t *extension_json(const Jiefen__CaseView *v)
{
    if (!v->ext_state[0])
        return json_null();
    return json_pack("{s:s, s:I, s:i, s:s, s:s}", "origin", v->ext_origin, "seq",
                     (json_int_t)v->ext_seq, "days", (int)v->ext_days, "reason", v->ext_reason,
                     "state", v->ext_state);
}

static const char *where_code(int where)
{
    return where == CASE_HERE    ? "here"
           : where == CASE_ABOVE ? "above"
           : where == CASE_BELOW ? "below"
                                 : "elsewhere";
}

/* The status as the node looking at it says it: a case it passed up is "escalated". */
static const char *shown_status(const Jiefen__CaseView *v, int where)
{
    if (v->status == CASE_STATUS(OPEN) && where == CASE_ABOVE)
        return "escalated";
    return case_status_code(v->status);
}

json_t *case_view_json(const Jiefen__CaseView *v, int where, int64_t now_ms)
{
    const struct ref_entry *cat = ref_find(&ref_categories, v->category);
    json_t *j = json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I,"
        " s:I, s:I}",
        "id", v->case_id, "status", shown_status(v, where), "category", v->category,
        "category_name", cat ? cat->name : v->category, "department", v->department,
        "matter_type", v->matter_type, "village", v->village, "source", v->source, "summary",
        v->summary, "complexity", ref_code(&ref_complexities, v->complexity), "risk",
        case_risk_code(v->risk), "holder", v->holder, "opened_at_node", v->opened_at_node,
        "opened_ms", (json_int_t)v->opened_ms, "due_ms", (json_int_t)v->due_ms, "updated_ms",
        (json_int_t)v->updated_ms, "party_count", (json_int_t)v->party_count, "event_count",
        (json_int_t)v->event_count);
    if (!j)
        return NULL;
    json_t *more = json_pack(
        "{s:s, s:s, s:i, s:I, s:s, s:s, s:s, s:i, s:i, s:i, s:s, s:b, s:b, s:b, s:o, s:o,"
        " s:s, s:s, s:I, s:s, s:s, s:s, s:i, s:I, s:b}",
        "stored_status", case_status_code(v->status), "where", where_code(where), "period",
        (int)v->epoch, "holder_since_ms", (json_int_t)v->holder_since_ms, "previous_holder",
        v->previous_holder, "lead_unit", v->lead_unit, "guided_channel", v->guided_channel,
        "attempts", (int)v->attempts, "failed_attempts_here", (int)v->failed_here,
        "escalations", (int)v->escalations, "last_outcome", case_outcome_code(v->last_outcome),
        "overdue", case_overdue(v, now_ms), "warned",
        v->warned_due_ms == v->due_ms && v->due_ms > 0, "needs_leader", v->leader_required,
        "leader", leader_json(v), "extension", extension_json(v), "result", v->result,
        "feedback", v->feedback, "closed_ms", (json_int_t)v->closed_ms, "closed_at_node",
        v->closed_at_node, "satisfaction", v->satisfaction, "guidance", v->guidance,
        "progress_entries", (int)v->progress_count, "clock_corrected_ms",
        (json_int_t)v->clock_corrected_ms, "withdrawn", v->withdrawn);
    if (!more || json_object_set_new(more, "followup", followup_json(v, now_ms)) ||
        json_object_set_new(more, "external", json_pack("{s:s, s:s}", "system",
                                                        v->external_system, "ref",
                                                        v->external_ref)) ||
        json_object_update(j, more)) {
        json_decref(more);
        json_decref(j);
        return NULL;
    }
    json_decref(more);
    if (json_object_set_new(j, "departments", dept_json(v, now_ms)) ||
        json_object_set_new(j, "confirmation", confirm_json(v))) {
        json_decref(j);
        return NULL;
    }
    return j;
}

int case_event_kind(const Jiefen__Event *ev)
{
    return case_kind((int)ev->body_case);
}

int case_kind(int body_case)
{
    switch (body_case) {
    case JIEFEN__EVENT__BODY_CASE_OPENED:
    case JIEFEN__EVENT__BODY_CASE_ROUTED:
    case JIEFEN__EVENT__BODY_CASE_GUIDED:
    case JIEFEN__EVENT__BODY_ATTEMPT:
    case JIEFEN__EVENT__BODY_CASE_MOVED:
    case JIEFEN__EVENT__BODY_RISK_CHANGED:
    case JIEFEN__EVENT__BODY_LEADER_ASSIGNED:
    case JIEFEN__EVENT__BODY_LEADER_ACK:
    case JIEFEN__EVENT__BODY_LEADER_PROGRESS:
    case JIEFEN__EVENT__BODY_LEADER_REQUIRED:
    case JIEFEN__EVENT__BODY_DEADLINE:
    case JIEFEN__EVENT__BODY_EXTENSION_REQUESTED:
    case JIEFEN__EVENT__BODY_EXTENSION_DECIDED:
    case JIEFEN__EVENT__BODY_CASE_CLOSED:
    case JIEFEN__EVENT__BODY_FOLLOW_UP:
    case JIEFEN__EVENT__BODY_FORMS_RECORD:
    case JIEFEN__EVENT__BODY_DOC_ATTACHED:
        return 1;
    default:
        return dept_kind(body_case) || appointment_kind(body_case) ||
               confirm_kind(body_case);
    }
}
