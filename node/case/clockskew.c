/* clockskew — clock checks across the links (see clockskew.h). */
#include "case/clockskew.h"
#include "array.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "log/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PEER_ID_MAX 32

struct peer_clock {
    char id[PEER_ID_MAX + 1];
    int is_parent;
    int skewed;              /* -1 until measured */
    int64_t offset_ms;       /* the peer's clock minus ours */
    int64_t measured_ms;     /* our clock when it was */
};

struct clockskew {
    eventlog *log;
    char self[PEER_ID_MAX + 1];
    int64_t threshold_ms;
    struct peer_clock *peers;
    size_t n, cap;
};

/* A warning operation owns its copy: it may run after the peer's entry changed. */
struct skew_warning {
    char child[PEER_ID_MAX + 1];
    int skewed;
    int64_t offset_ms;
};

clockskew *clockskew_new(eventlog *log, const char *self, int64_t threshold_ms)
{
    clockskew *cs = calloc(1, sizeof *cs);
    if (!cs)
        return NULL;
    cs->log = log;
    snprintf(cs->self, sizeof cs->self, "%s", self);
    cs->threshold_ms = threshold_ms;
    return cs;
}

void clockskew_free(clockskew **cs)
{
    if (!cs || !*cs)
        return;
    free((*cs)->peers);
    free(*cs);
    *cs = NULL;
}

static struct peer_clock *peer_for(clockskew *cs, const char *id, int is_parent)
{
    for (size_t i = 0; i < cs->n; i++)
        if (strcmp(cs->peers[i].id, id) == 0 && cs->peers[i].is_parent == is_parent)
            return &cs->peers[i];
    struct peer_clock *grown = array_room(cs->peers, cs->n, &cs->cap, sizeof *grown, 4);
    if (!grown)
        return NULL;
    cs->peers = grown;
    struct peer_clock *p = &cs->peers[cs->n++];
    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", id);
    p->is_parent = is_parent;
    p->skewed = -1;
    return p;
}

void clockskew_describe(int64_t offset_ms, char *buf, size_t len)
{
    int64_t ms = offset_ms < 0 ? -offset_ms : offset_ms;
    /* Rounded to the second unit shown: 2 d 23 h 59 min 59.9 s is "3 天". */
    int64_t step = ms >= 86400000 ? 3600000 : ms >= 3600000 ? 60000 : 1000;
    int64_t left = (ms + step / 2) / step * step / 1000;
    static const struct { int64_t s; const char *unit; } units[] = {
        {86400, "天"}, {3600, "小时"}, {60, "分钟"}, {1, "秒"}};
    size_t at = (size_t)snprintf(buf, len, "%s", offset_ms < 0 ? "慢" : "快");
    int parts = 0;
    /* The two largest units say enough: "快 3 天 2 小时", not down to the second. */
    for (size_t i = 0; i < sizeof units / sizeof units[0] && parts < 2 && at < len; i++) {
        if (left < units[i].s && !(parts == 0 && i + 1 == sizeof units / sizeof units[0]))
            continue;
        at += (size_t)snprintf(buf + at, len - at, " %lld %s",
                               (long long)(left / units[i].s), units[i].unit);
        left %= units[i].s;
        parts++;
    }
}

/* The parent's warning op: once per episode, remembered under a meta key until the child's
 * clock is back within the threshold. */
static int warn_apply(eventlog_tx *tx, void *arg)
{
    const struct skew_warning *w = arg;
    char key[64], how[64], detail[256];
    uint64_t warned = 0;
    snprintf(key, sizeof key, "clockskew_warned:%s", w->child);
    store_meta_get_u64(tx->st, tx->txn, key, &warned);
    if (!w->skewed)
        return warned ? store_del(tx->txn, tx->st->meta, key, strlen(key)) : 0;
    if (warned)
        return 0;
    Jiefen__NodeInfo *ni = NULL;
    int rc = registry_get(tx->st, tx->txn, w->child, &ni);
    if (rc)
        return rc;
    const char *name = ni && ni->name[0] ? ni->name : w->child;
    clockskew_describe(w->offset_ms, how, sizeof how);
    snprintf(detail, sizeof detail, "下级节点 %s 的时钟比本机%s，其新登记案件的时间已按本机时钟校正，请通知其校准时钟",
             name, how);
    Jiefen__WarningRaised wr = JIEFEN__WARNING_RAISED__INIT;
    wr.rule = "clock_skew";
    wr.village = (char *)name;
    wr.category = "";
    wr.detail = detail;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_WARNING;
    ev.warning = &wr;
    ev.case_id = "";
    ev.actor = "system";
    rc = eventlog_append(tx, &ev, NULL, 0);
    registry_free(&ni);
    if (rc == 0)
        rc = store_meta_put_u64(tx->st, tx->txn, key, (uint64_t)tx->now_ms);
    return rc;
}

static void warn_done(void *arg, int status)
{
    struct skew_warning *w = arg;
    if (status)
        log_error("clock", "could not record the clock warning about %s (%s)", w->child,
                  jf_strerror(status));
    free(w);
}

static void queue_warning(clockskew *cs, const struct peer_clock *p)
{
    struct skew_warning *w = calloc(1, sizeof *w);
    if (!w) {
        log_error("clock", "out of memory: no clock warning about %s", p->id);
        return;
    }
    snprintf(w->child, sizeof w->child, "%s", p->id);
    w->skewed = p->skewed;
    w->offset_ms = p->offset_ms;
    if (eventlog_submit(cs->log, warn_apply, warn_done, w)) {
        log_error("clock", "out of memory: no clock warning about %s", p->id);
        free(w);
    }
}

void clockskew_seen(clockskew *cs, const char *peer, int is_parent, int64_t offset_ms)
{
    struct peer_clock *p = peer_for(cs, peer, is_parent);
    if (!p)
        return;
    int skewed = offset_ms > cs->threshold_ms || -offset_ms > cs->threshold_ms;
    int changed = skewed != p->skewed, was = p->skewed == 1;
    p->offset_ms = offset_ms;
    p->measured_ms = clock_now_ms();
    p->skewed = skewed;
    /* Said from the parent's side: the parent is the reference. */
    long long ahead = (long long)(is_parent ? -offset_ms : offset_ms) / 1000;
    if (skewed != was && is_parent)
        log_warn("clock", "this node's clock is %lld s ahead of parent %s's%s", ahead, peer,
                 skewed ? ": set it right" : " (within range)");
    else if (skewed != was)
        log_warn("clock", "child %s's clock is %lld s ahead of ours%s", peer, ahead,
                 skewed ? "" : " (within range)");
    if (is_parent)
        eventlog_set_clock_offset(cs->log, skewed ? -offset_ms : 0);
    else if (changed) /* the first measurement too: a key left from before a restart */
        queue_warning(cs, p);
}

int64_t clockskew_own(const clockskew *cs)
{
    for (size_t i = 0; i < cs->n; i++)
        if (cs->peers[i].is_parent && cs->peers[i].skewed == 1)
            return -cs->peers[i].offset_ms;
    return 0;
}

json_t *clockskew_json(const clockskew *cs)
{
    json_t *peers = json_array(), *own = json_null();
    char how[64], text[160] = "";
    for (size_t i = 0; i < cs->n; i++) {
        const struct peer_clock *p = &cs->peers[i];
        if (p->is_parent)
            own = json_integer(-p->offset_ms);
        clockskew_describe(p->offset_ms, how, sizeof how);
        json_array_append_new(peers, json_pack("{s:s, s:s, s:I, s:s, s:b, s:I}", "peer", p->id,
                                               "direction", p->is_parent ? "parent" : "child",
                                               "offset_ms", (json_int_t)p->offset_ms, "text",
                                               how, "skewed", p->skewed == 1, "measured_ms",
                                               (json_int_t)p->measured_ms));
    }
    int64_t skew = clockskew_own(cs);
    if (skew) {
        clockskew_describe(skew, how, sizeof how);
        snprintf(text, sizeof text, "本机时钟比上级%s，请校准", how);
    }
    return json_pack("{s:I, s:o, s:b, s:s, s:o}", "threshold_ms", (json_int_t)cs->threshold_ms,
                     "offset_ms", own, "skewed", skew != 0, "text", text, "peers", peers);
}

int64_t clockskew_fold_time(const Jiefen__Event *ev, const char *self, int64_t t)
{
    if (!t || !ev->clock_offset_ms || !self || strcmp(ev->origin, self) == 0)
        return t;
    return t - ev->clock_offset_ms;
}

const Jiefen__Event *clockskew_fold_event(const Jiefen__Event *ev, const char *self,
                                          Jiefen__Event *copy, union clockskew_body *b)
{
    if (clockskew_fold_time(ev, self, ev->time_ms) == ev->time_ms)
        return ev;
    *copy = *ev;
    copy->time_ms = clockskew_fold_time(ev, self, ev->time_ms);
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_CASE_OPENED:
        b->opened = *ev->case_opened;
        b->opened.due_ms = clockskew_fold_time(ev, self, b->opened.due_ms);
        copy->case_opened = &b->opened;
        break;
    case JIEFEN__EVENT__BODY_CASE_MOVED:
        b->moved = *ev->case_moved;
        b->moved.due_ms = clockskew_fold_time(ev, self, b->moved.due_ms);
        copy->case_moved = &b->moved;
        break;
    case JIEFEN__EVENT__BODY_DEADLINE:
        b->deadline = *ev->deadline;
        b->deadline.due_ms = clockskew_fold_time(ev, self, b->deadline.due_ms);
        copy->deadline = &b->deadline;
        break;
    case JIEFEN__EVENT__BODY_EXTENSION_DECIDED:
        b->decided = *ev->extension_decided;
        b->decided.new_due_ms = clockskew_fold_time(ev, self, b->decided.new_due_ms);
        copy->extension_decided = &b->decided;
        break;
    case JIEFEN__EVENT__BODY_CASE_CLOSED:
        b->closed = *ev->case_closed;
        b->closed.followup_due_ms = clockskew_fold_time(ev, self, b->closed.followup_due_ms);
        copy->case_closed = &b->closed;
        break;
    case JIEFEN__EVENT__BODY_FOLLOW_UP:
        b->follow_up = *ev->follow_up;
        b->follow_up.reopen_due_ms = clockskew_fold_time(ev, self, b->follow_up.reopen_due_ms);
        copy->follow_up = &b->follow_up;
        break;
    default:
        break;
    }
    return copy;
}
