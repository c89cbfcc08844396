#include "case/hazard.h"
#include "array.h"
#include "case/agenda.h"
#include "clock.h"
#include "error.h"
#include "log/fold.h"
#include "log/registry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hazard_checkin_days(int risk)
{
    switch (risk) {
    case JIEFEN__RISK__RISK_RED:
        return 7;
    case JIEFEN__RISK__RISK_ORANGE:
        return 14;
    case JIEFEN__RISK__RISK_YELLOW:
        return 30;
    default:
        return 90;
    }
}

int64_t hazard_next_due(int risk, int64_t from_ms)
{
    return from_ms + hazard_checkin_days(risk) * CLOCK_DAY_MS;
}

int hazard_id_make(const char *origin, uint64_t n, char *buf)
{
    int len = snprintf(buf, HAZARD_ID_MAX + 1, "YH-%s-%llu", origin, (unsigned long long)n);
    return len > 0 && len <= HAZARD_ID_MAX ? 0 : JF_EINVAL;
}

int hazard_next_number(store *st, MDB_txn *txn, uint64_t *n)
{
    uint64_t last = 0;
    int rc = store_meta_get_u64(st, txn, "hazard_seq", &last);
    if (rc == 0)
        rc = store_meta_put_u64(st, txn, "hazard_seq", last + 1);
    *n = last + 1;
    return rc;
}

const char *hazard_state_name(const char *state)
{
    if (strcmp(state, "watching") == 0)
        return "监测中";
    if (strcmp(state, "converted") == 0)
        return "已转为案件";
    if (strcmp(state, "closed") == 0)
        return "已化解";
    return state;
}

/* ---- the hazards database --------------------------------------------------------------- */

static size_t hazard_key(char prefix, const char *id, uint8_t *buf)
{
    size_t n = strlen(id);
    if (n == 0 || n > FOLD_CASE_ID_MAX)
        return 0;
    buf[0] = (uint8_t)prefix;
    memcpy(buf + 1, id, n);
    return n + 1;
}

int hazard_get(store *st, MDB_txn *txn, const char *id, Jiefen__HazardView **out)
{
    uint8_t key[FOLD_CASE_ID_MAX + 1];
    size_t n = hazard_key('h', id, key);
    *out = NULL;
    return n ? STORE_GET_MESSAGE(txn, st->hazards, key, n, &jiefen__hazard_view__descriptor, out)
             : 0;
}

void hazard_free(Jiefen__HazardView **v)
{
    if (v && *v)
        jiefen__hazard_view__free_unpacked(*v, NULL);
    if (v)
        *v = NULL;
}

static int hazard_put(store *st, MDB_txn *txn, const Jiefen__HazardView *v)
{
    uint8_t key[FOLD_CASE_ID_MAX + 1];
    size_t n = hazard_key('h', v->hazard_id, key);
    return n ? store_put_message(txn, st->hazards, key, n, &v->base) : JF_EINVAL;
}

int hazard_of_case(store *st, MDB_txn *txn, const char *case_id, char *buf)
{
    uint8_t key[FOLD_CASE_ID_MAX + 1];
    size_t n = hazard_key('c', case_id, key);
    MDB_val d;
    buf[0] = 0;
    int rc = n ? store_get(txn, st->hazards, key, n, &d) : JF_ENOTFOUND;
    if (rc == 0 && d.mv_size <= HAZARD_ID_MAX) {
        memcpy(buf, d.mv_data, d.mv_size);
        buf[d.mv_size] = 0;
    }
    return rc == JF_ENOTFOUND ? 0 : rc;
}

int hazard_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg)
{
    struct store_range r = {.prefix = "h", .prefix_len = 1};
    return store_walk_messages(txn, st->hazards, &r, &jiefen__hazard_view__descriptor, fn, arg);
}

/* ---- counting ----------------------------------------------------------------------------- */

struct cluster {
    const char *village, *category;
    int64_t since;
    uint32_t n;
};

static int count_one(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__HazardView *v = (const Jiefen__HazardView *)m;
    struct cluster *c = arg;
    c->n += v->registered_ms >= c->since && strcmp(v->hazard->village, c->village) == 0 &&
            strcmp(v->hazard->category, c->category) == 0;
    return 0;
}

int hazard_count_cluster(store *st, MDB_txn *txn, const char *village, const char *category,
                         int64_t since_ms, uint32_t *n)
{
    struct cluster c = {village, category, since_ms, 0};
    int rc = hazard_each(st, txn, count_one, &c);
    *n = c.n;
    return rc;
}

struct figures {
    store *st;
    MDB_txn *txn;
    const char *self;
    int64_t from, to, at;
    struct hazard_figures *f;
};

static int figure_one(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__HazardView *v = (const Jiefen__HazardView *)m;
    struct figures *g = arg;
    if (strcmp(v->origin, g->self) && !registry_in_subtree(g->st, g->txn, v->origin, g->self))
        return 0;
    int ended_in = v->ended_ms >= g->from && v->ended_ms < g->to;
    g->f->registered += v->registered_ms >= g->from && v->registered_ms < g->to;
    g->f->converted += ended_in && strcmp(v->state, "converted") == 0;
    g->f->resolved += ended_in && strcmp(v->state, "closed") == 0;
    int watched = v->registered_ms < g->at && (!v->ended_ms || v->ended_ms >= g->at);
    g->f->watching += watched;
    g->f->overdue += watched && v->next_due_ms && v->next_due_ms < g->at;
    return 0;
}

int hazard_figures(store *st, MDB_txn *txn, const char *self, int64_t from_ms, int64_t to_ms,
                   int64_t at_ms, struct hazard_figures *out)
{
    *out = (struct hazard_figures){0};
    struct figures g = {st, txn, self, from_ms, to_ms, at_ms, out};
    return hazard_each(st, txn, figure_one, &g);
}

/* ---- the folds ----------------------------------------------------------------------------- */

/* The to-do item of a hazard watched at this node, due at its next check-in. */
static int hazard_agenda(store *st, MDB_txn *txn, const char *self, const Jiefen__HazardView *v,
                         int present)
{
    if (strcmp(v->origin, self))
        return 0;
    return agenda_set(st, txn, AGENDA_ABOUT_HAZARD, AGENDA_HAZARD, v->hazard_id, v->next_due_ms,
                      present);
}

/* This node's own hazard numbered n came back to it over the link (a rebuilt node
 * fetching its chain back, link/selfsync.h): the counter is raised to it, so the next
 * registration numbers after it instead of reusing an id. */
static int number_seen(store *st, MDB_txn *txn, const char *digits)
{
    char *end;
    uint64_t last = 0;
    unsigned long long n = strtoull(digits, &end, 10);
    int rc = *end || !n ? 0 : store_meta_get_u64(st, txn, "hazard_seq", &last);
    return rc || *end || !n || last >= n ? rc : store_meta_put_u64(st, txn, "hazard_seq", n);
}

static int fold_registered(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    const Jiefen__HazardRegistered *h = ev->hazard_registered;
    char prefix[HAZARD_ID_MAX + 1];
    Jiefen__HazardView *have = NULL;
    int n = snprintf(prefix, sizeof prefix, "YH-%s-", ev->origin);
    if (!fold_valid_name(h->hazard_id, HAZARD_ID_MAX) || n <= 0 ||
        strncmp(h->hazard_id, prefix, (size_t)n) || !h->village[0] || !h->category[0])
        return JF_EINVAL;
    int rc = hazard_get(st, txn, h->hazard_id, &have);
    if (rc || have) {
        hazard_free(&have);
        return rc ? rc : JF_EINVAL;
    }
    if (strcmp(ev->origin, self) == 0 && (rc = number_seen(st, txn, h->hazard_id + n)))
        return rc;
    Jiefen__HazardView v = JIEFEN__HAZARD_VIEW__INIT;
    v.hazard_id = h->hazard_id;
    v.origin = ev->origin;
    v.seq = ev->seq;
    v.registered_ms = ev->time_ms;
    v.actor = ev->actor;
    v.actor_name = ev->actor_name;
    v.hazard = (Jiefen__HazardRegistered *)h;
    v.risk = h->risk;
    v.state = "watching";
    v.next_due_ms = h->next_due_ms;
    rc = hazard_put(st, txn, &v);
    return rc ? rc : hazard_agenda(st, txn, self, &v, 1);
}

/* Replaces a string of an unpacked view (protobuf-c's allocator: free_unpacked frees it). */
static int set_str(char **field, const char *s)
{
    char *copy = strdup(s);
    if (!copy)
        return -ENOMEM;
    if (*field != protobuf_c_empty_string)
        free(*field);
    *field = copy;
    return 0;
}

static int add_checkin(Jiefen__HazardView *v, const Jiefen__Event *ev)
{
    const Jiefen__HazardCheckin *c = ev->hazard_checkin;
    char **dates = array_one_more(v->checkin_dates, v->n_checkin_dates, sizeof *dates);
    if (dates)
        v->checkin_dates = dates;
    char **actors = array_one_more(v->checkin_actors, v->n_checkin_actors, sizeof *actors);
    if (actors)
        v->checkin_actors = actors;
    uint64_t *seqs = array_one_more(v->checkin_seqs, v->n_checkin_seqs, sizeof *seqs);
    if (seqs)
        v->checkin_seqs = seqs;
    int32_t *risks = array_one_more(v->checkin_risks, v->n_checkin_risks, sizeof *risks);
    if (risks)
        v->checkin_risks = risks;
    if (!dates || !actors || !seqs || !risks)
        return -ENOMEM;
    const char *who = ev->actor_name[0] ? ev->actor_name : ev->actor;
    if (!(dates[v->n_checkin_dates] = strdup(c->date)) ||
        !(actors[v->n_checkin_actors] = strdup(who)))
        return -ENOMEM;
    v->n_checkin_dates++;
    v->n_checkin_actors++;
    seqs[v->n_checkin_seqs++] = ev->seq;
    risks[v->n_checkin_risks++] = c->risk;
    v->checkins++;
    if (c->risk)
        v->risk = c->risk;
    v->next_due_ms = c->next_due_ms;
    return 0;
}

/* A step on a watched hazard by its origin: the view after it, with its to-do item moved. */
static int fold_step(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev,
                     const char *id)
{
    Jiefen__HazardView *v = NULL;
    int rc = hazard_get(st, txn, id, &v);
    if (rc || !v || strcmp(v->origin, ev->origin) || strcmp(v->state, "watching")) {
        hazard_free(&v);
        return rc ? rc : JF_EINVAL;
    }
    rc = hazard_agenda(st, txn, self, v, 0);
    if (rc == 0 && ev->body_case == JIEFEN__EVENT__BODY_HAZARD_CHECKIN) {
        rc = add_checkin(v, ev);
    } else if (rc == 0) {
        int converted = ev->body_case == JIEFEN__EVENT__BODY_HAZARD_CONVERTED;
        v->ended_ms = ev->time_ms;
        v->next_due_ms = 0;
        rc = set_str(&v->state, converted ? "converted" : "closed");
        if (rc == 0)
            rc = converted ? set_str(&v->case_id, ev->hazard_converted->case_id)
                           : set_str(&v->result, ev->hazard_closed->result);
    }
    if (rc == 0)
        rc = hazard_put(st, txn, v);
    if (rc == 0 && strcmp(v->state, "watching") == 0)
        rc = hazard_agenda(st, txn, self, v, 1);
    if (rc == 0 && v->case_id[0]) {
        uint8_t key[FOLD_CASE_ID_MAX + 1];
        size_t n = hazard_key('c', v->case_id, key);
        rc = n ? store_put(txn, st->hazards, key, n, id, strlen(id), 0) : JF_EINVAL;
    }
    hazard_free(&v);
    return rc;
}

int hazard_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    switch (ev->body_case) {
    case JIEFEN__EVENT__BODY_HAZARD_REGISTERED:
        return fold_registered(st, txn, self, ev);
    case JIEFEN__EVENT__BODY_HAZARD_CHECKIN:
        return fold_step(st, txn, self, ev, ev->hazard_checkin->hazard_id);
    case JIEFEN__EVENT__BODY_HAZARD_CONVERTED:
        if (!ev->hazard_converted->case_id[0])
            return JF_EINVAL;
        return fold_step(st, txn, self, ev, ev->hazard_converted->hazard_id);
    case JIEFEN__EVENT__BODY_HAZARD_CLOSED:
        return fold_step(st, txn, self, ev, ev->hazard_closed->hazard_id);
    default:
        return JF_EINVAL;
    }
}
