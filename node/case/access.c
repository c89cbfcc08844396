/* access — who saw what and the approvals to copy, print or archive (access.h). */
#include "case/access.h"
#include "case/agenda.h"
#include "case/reference.h"
#include "error.h"
#include "log/fold.h"
#include "utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_EVENT 'e'
#define KEY_REQUEST 'r'

const char *access_purpose(const char *s)
{
    const struct ref_entry *e = s && s[0] ? ref_find(&ref_purposes, s) : NULL;
    return e ? e->code : NULL;
}

static int has_prefix(const char *s, const char *p)
{
    return strncmp(s, p, strlen(p)) == 0;
}

int access_what_valid(const char *what)
{
    static const char *const whole[] = {"parties", "search", "archive"};
    static const char *const prefixed[] = {"copy:", "document:", "form:"};
    size_t n = what ? strlen(what) : 0;
    if (n == 0 || n > ACCESS_WHAT_MAX || !utf8_valid(what) || strchr(what, '/'))
        return 0;
    for (size_t i = 0; i < 3; i++)
        if (strcmp(what, whole[i]) == 0 ||
            (has_prefix(what, prefixed[i]) && n > strlen(prefixed[i])))
            return 1;
    return 0;
}

const char *access_class(const char *what)
{
    if (!what)
        return NULL;
    if (strcmp(what, "archive") == 0)
        return "archive";
    if (has_prefix(what, "form:"))
        return "print";
    if (has_prefix(what, "copy:") || has_prefix(what, "document:"))
        return "copy";
    return NULL;
}

int access_needs_approval(const char *approval_for, const char *what)
{
    const char *cls = access_class(what);
    size_t n = cls ? strlen(cls) : 0;
    for (const char *p = approval_for; cls && p && *p; p += *p == ',') {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, cls, n) == 0)
            return 1;
        p += len;
    }
    return 0;
}

/* ---- the store ---------------------------------------------------------------------- */

/* 'r' origin "\0" seq of a request id "origin/seq"; 0 if it is not one. */
static size_t request_key(const char *id, uint8_t *key)
{
    char origin[STORE_ORIGIN_MAX + 1];
    unsigned long long seq;
    char end;
    if (!id || sscanf(id, "%32[^/]/%llu%c", origin, &seq, &end) != 2 || seq == 0)
        return 0;
    size_t n = store_event_key(origin, seq, key + 1);
    key[0] = KEY_REQUEST;
    return n ? n + 1 : 0;
}

int access_request_get(store *st, MDB_txn *txn, const char *id, Jiefen__AccessRequestView **v)
{
    uint8_t key[STORE_KEY_MAX + 1];
    size_t n = request_key(id, key);
    *v = NULL;
    if (!n)
        return 0;
    return STORE_GET_MESSAGE(txn, st->access, key, n, &jiefen__access_request_view__descriptor,
                             v);
}

void access_request_free(Jiefen__AccessRequestView **v)
{
    if (v && *v)
        jiefen__access_request_view__free_unpacked(*v, NULL);
    if (v)
        *v = NULL;
}

static int request_put(store *st, MDB_txn *txn, const Jiefen__AccessRequestView *v)
{
    uint8_t key[STORE_KEY_MAX + 1];
    size_t n = request_key(v->id, key);
    return n ? store_put_message(txn, st->access, key, n, &v->base) : JF_EINVAL;
}

int access_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg)
{
    static const uint8_t prefix = KEY_EVENT;
    struct store_range r = {.prefix = &prefix, .prefix_len = 1, .reverse = 1};
    return store_walk_messages(txn, st->access, &r, &jiefen__access_view__descriptor, fn, arg);
}

int access_request_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg)
{
    static const uint8_t prefix = KEY_REQUEST;
    struct store_range r = {.prefix = &prefix, .prefix_len = 1};
    return store_walk_messages(txn, st->access, &r, &jiefen__access_request_view__descriptor,
                               fn, arg);
}

/* ---- appending ---------------------------------------------------------------------- */

static int append(eventlog_tx *tx, const char *case_id, Jiefen__Event *ev)
{
    ev->actor = (char *)eventlog_actor(tx->actor);
    ev->case_id = (char *)(case_id ? case_id : "");
    return eventlog_append(tx, ev, NULL, 0);
}

int access_record(eventlog_tx *tx, const char *case_id, const char *what,
                  const char *purpose, uint32_t count, const char *approval)
{
    const char *code = access_purpose(purpose);
    if (!code || !access_what_valid(what))
        return JF_EINVAL;
    Jiefen__AccessRecorded a = JIEFEN__ACCESS_RECORDED__INIT;
    a.what = (char *)what;
    a.purpose = (char *)code;
    a.count = count;
    a.approval = (char *)(approval ? approval : "");
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_ACCESS_RECORDED;
    ev.access_recorded = &a;
    return append(tx, case_id, &ev);
}

int access_request(eventlog_tx *tx, const char *case_id, const char *what,
                   const char *purpose, const char *reason, char *id, const char **why)
{
    const char *code = access_purpose(purpose);
    *why = !access_what_valid(what) || !access_class(what) ? "what"
           : !code                                          ? "purpose"
           : !reason || !reason[0] || strlen(reason) > ACCESS_REASON_MAX || !utf8_valid(reason)
               ? "reason"
               : NULL;
    if (*why)
        return JF_EINVAL;
    Jiefen__AccessRequested q = JIEFEN__ACCESS_REQUESTED__INIT;
    q.what = (char *)what;
    q.purpose = (char *)code;
    q.reason = (char *)reason;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_ACCESS_REQUESTED;
    ev.access_requested = &q;
    int rc = append(tx, case_id, &ev);
    if (rc == 0)
        snprintf(id, ACCESS_ID_MAX, "%s/%llu", ev.origin, (unsigned long long)ev.seq);
    return rc;
}

static int refuse(char *why, size_t whylen, const char *msg)
{
    snprintf(why, whylen, "%s", msg);
    return JF_EINVAL;
}

int access_decide(eventlog_tx *tx, const char *self, const char *id, int approve,
                  const char *reason, char *why, size_t whylen)
{
    Jiefen__AccessRequestView *v = NULL;
    char prefix[STORE_ORIGIN_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s/", self);
    int rc = access_request_get(tx->st, tx->txn, id, &v);
    if (rc == 0 && (!v || !has_prefix(id, prefix)))
        rc = JF_ENOTFOUND;
    else if (rc == 0 && strcmp(v->state, "pending"))
        rc = refuse(why, whylen, "该申请已处理，不能再次审批");
    else if (rc == 0 && strcmp(v->actor, eventlog_actor(tx->actor)) == 0)
        rc = refuse(why, whylen, "不能审批本人提出的申请");
    else if (rc == 0 && !approve && (!reason || !reason[0]))
        rc = refuse(why, whylen, "不予批准须说明理由");
    else if (rc == 0 && reason && (strlen(reason) > ACCESS_REASON_MAX || !utf8_valid(reason)))
        rc = refuse(why, whylen, "理由过长或不是有效文本");
    if (rc == 0) {
        Jiefen__AccessDecided d = JIEFEN__ACCESS_DECIDED__INIT;
        d.request = (char *)id;
        d.approved = approve != 0;
        d.reason = (char *)(reason ? reason : "");
        Jiefen__Event ev = JIEFEN__EVENT__INIT;
        ev.body_case = JIEFEN__EVENT__BODY_ACCESS_DECIDED;
        ev.access_decided = &d;
        rc = append(tx, v->case_id, &ev);
    }
    access_request_free(&v);
    return rc;
}

/* The approval id's request, if tx->actor may use it now for exactly (case, what). */
static const char *unusable(const Jiefen__AccessRequestView *v, const char *actor,
                            const char *case_id, const char *what, int64_t now)
{
    if (!v)
        return "未找到批准：请先提出摘抄复印申请，经中心主任批准后再办理";
    if (strcmp(v->actor, actor) || strcmp(v->case_id, case_id ? case_id : "") ||
        strcmp(v->request->what, what))
        return "该批准不是本人就此事项的申请";
    if (strcmp(v->state, "refused") == 0)
        return "申请未获批准";
    if (strcmp(v->state, "used") == 0)
        return "该批准已使用过一次，请重新申请";
    if (strcmp(v->state, "approved"))
        return "申请尚待中心主任审批";
    if (now > v->decided_ms + ACCESS_VALID_MS)
        return "批准已过期（24 小时内有效），请重新申请";
    return NULL;
}

struct find {
    const char *actor, *case_id, *what;
    int64_t now;
    char id[ACCESS_ID_MAX];
    const char *best_why;  /* why the requester's latest matching request cannot be used */
};

static int find_usable(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__AccessRequestView *v = (const Jiefen__AccessRequestView *)m;
    struct find *f = arg;
    if (strcmp(v->actor, f->actor) || strcmp(v->case_id, f->case_id) ||
        strcmp(v->request->what, f->what))
        return 0;
    const char *why = unusable(v, f->actor, f->case_id, f->what, f->now);
    f->best_why = why;
    if (!why)
        snprintf(f->id, sizeof f->id, "%s", v->id);
    return why ? 0 : STORE_STOP;
}

int access_check(eventlog_tx *tx, const char *approval_for, const char *case_id,
                 const char *what, char *id, char *why, size_t whylen)
{
    id[0] = '\0';
    if (!access_needs_approval(approval_for, what))
        return 0;
    struct find f = {eventlog_actor(tx->actor), case_id ? case_id : "", what, tx->now_ms, "",
                     unusable(NULL, NULL, NULL, NULL, 0)};
    int rc = access_request_each(tx->st, tx->txn, find_usable, &f);
    if (rc)
        return rc;
    if (!f.id[0])
        return refuse(why, whylen, f.best_why);
    snprintf(id, ACCESS_ID_MAX, "%s", f.id);
    return 0;
}

/* ---- folds -------------------------------------------------------------------------- */

static int fold_recorded(store *st, MDB_txn *txn, const Jiefen__Event *ev)
{
    const Jiefen__AccessRecorded *a = ev->access_recorded;
    uint8_t key[STORE_TIME_KEY_MAX + 1];
    int rc = 0;
    if (!access_what_valid(a->what) || !access_purpose(a->purpose))
        return JF_EINVAL;
    if (a->approval[0]) {
        Jiefen__AccessRequestView *v = NULL;
        if ((rc = access_request_get(st, txn, a->approval, &v)))
            return rc;
        if (unusable(v, ev->actor, ev->case_id, a->what, ev->time_ms))
            rc = JF_EINVAL;
        else {
            char *state = v->state; /* the message's own, freed with it */
            v->state = "used";
            v->used_ms = ev->time_ms;
            rc = request_put(st, txn, v);
            v->state = state;
        }
        access_request_free(&v);
        if (rc)
            return rc;
    }
    Jiefen__AccessView v = JIEFEN__ACCESS_VIEW__INIT;
    v.origin = ev->origin;
    v.seq = ev->seq;
    v.time_ms = ev->time_ms;
    v.actor = ev->actor;
    v.actor_name = ev->actor_name;
    v.case_id = ev->case_id;
    v.access = (Jiefen__AccessRecorded *)a;
    key[0] = KEY_EVENT;
    size_t n = store_time_key(ev->time_ms, ev->origin, ev->seq, key + 1);
    return n ? store_put_message(txn, st->access, key, n + 1, &v.base) : JF_EINVAL;
}

static int fold_requested(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    char id[ACCESS_ID_MAX];
    const Jiefen__AccessRequested *q = ev->access_requested;
    if (!access_what_valid(q->what) || !access_purpose(q->purpose))
        return JF_EINVAL;
    snprintf(id, sizeof id, "%s/%llu", ev->origin, (unsigned long long)ev->seq);
    Jiefen__AccessRequestView v = JIEFEN__ACCESS_REQUEST_VIEW__INIT;
    v.id = id;
    v.time_ms = ev->time_ms;
    v.actor = ev->actor;
    v.actor_name = ev->actor_name;
    v.case_id = ev->case_id;
    v.request = (Jiefen__AccessRequested *)q;
    v.state = "pending";
    int rc = request_put(st, txn, &v);
    if (rc == 0 && strcmp(ev->origin, self) == 0)
        rc = agenda_set(st, txn, AGENDA_ABOUT_ACCESS, AGENDA_ACCESS, id, ev->time_ms, 1);
    return rc;
}

static int fold_decided(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    const Jiefen__AccessDecided *d = ev->access_decided;
    Jiefen__AccessRequestView *v = NULL;
    char prefix[STORE_ORIGIN_MAX + 2];
    snprintf(prefix, sizeof prefix, "%s/", ev->origin);
    int rc = access_request_get(st, txn, d->request, &v);
    if (rc)
        return rc;
    if (!v || !has_prefix(d->request, prefix) || strcmp(v->state, "pending") ||
        strcmp(v->actor, ev->actor) == 0) {
        access_request_free(&v);
        return JF_EINVAL;
    }
    char *state = v->state, *by = v->decided_by, *name = v->decided_by_name,
         *why = v->decision_reason;
    v->state = d->approved ? "approved" : "refused";
    v->decided_by = ev->actor;
    v->decided_by_name = ev->actor_name;
    v->decision_reason = d->reason;
    v->decided_ms = ev->time_ms;
    rc = request_put(st, txn, v);
    int64_t due = v->time_ms;
    v->state = state, v->decided_by = by, v->decided_by_name = name, v->decision_reason = why;
    access_request_free(&v);
    if (rc == 0 && strcmp(ev->origin, self) == 0)
        rc = agenda_set(st, txn, AGENDA_ABOUT_ACCESS, AGENDA_ACCESS, d->request, due, 0);
    return rc;
}

int access_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_ACCESS_RECORDED:
        return fold_recorded(st, txn, ev);
    case JIEFEN__EVENT__BODY_ACCESS_REQUESTED:
        return fold_requested(st, txn, self, ev);
    case JIEFEN__EVENT__BODY_ACCESS_DECIDED:
        return fold_decided(st, txn, self, ev);
    default:
        return JF_EINVAL;
    }
}

const char *access_use_purpose(const Jiefen__CaseView *v, const char *self, const char *given)
{
    if (given[0])
        return given;
    return strcmp(v->holder, self) == 0 ? "casework" : NULL;
}
