/* agenda — the index of what waits for this node and its journal (agenda.h). */
#include "case/agenda.h"
#include "case/dept.h"
#include "error.h"
#include "tally.h"

#include <stdio.h>
#include <string.h>

static const char *const kind_codes[AGENDA_N] = {
    [AGENDA_ROUTE] = "route", [AGENDA_TAKE_OVER] = "take_over", [AGENDA_LEADER] = "leader",
    [AGENDA_LEADER_ACK] = "leader_ack", [AGENDA_DUE] = "due",
    [AGENDA_EXTENSION] = "extension", [AGENDA_FOLLOW_UP] = "follow_up",
    [AGENDA_DIRECTIVE] = "directive", [AGENDA_REPORT] = "report", [AGENDA_ACCESS] = "access",
    [AGENDA_HAZARD] = "hazard_checkin", [AGENDA_DEPT_OVERDUE] = "dept_overdue",
    [AGENDA_APPOINTMENT] = "appointment",
};

const char *agenda_kind_code(int kind)
{
    return kind >= 0 && kind < AGENDA_N ? kind_codes[kind] : NULL;
}

int agenda_kind_parse(const char *code)
{
    for (int k = 0; k < AGENDA_N; k++)
        if (strcmp(code, kind_codes[k]) == 0)
            return k;
    return -1;
}

/* Whether the last step of the case was taken by another node: a case that has just
 * arrived, before anyone here has touched it. */
static int untouched_here(const Jiefen__CaseView *v, const char *self)
{
    return v->n_event_origins && strcmp(v->event_origins[v->n_event_origins - 1], self);
}

unsigned agenda_of_case(const Jiefen__CaseView *v, const char *self, const case_tree *tree,
                      int64_t due[AGENDA_N])
{
    unsigned m = 0;
    if (!v)
        return 0;
    int open = v->status == JIEFEN__CASE_STATUS__CASE_STATUS_OPEN;
    int here = strcmp(v->holder, self) == 0;
    if (open && here && v->epoch > 1 && v->previous_holder[0] && untouched_here(v, self)) {
        /* From a child: escalated (route it here); from above: handed down (take it on). */
        int k = tree->depth(tree->arg, v->previous_holder, self) == 1 ? AGENDA_ROUTE
                                                                      : AGENDA_TAKE_OVER;
        m |= 1u << k;
        due[k] = v->holder_since_ms;
    }
    if (open && here && v->dept && v->dept->awaiting_route) {
        m |= 1u << AGENDA_ROUTE;
        due[AGENDA_ROUTE] = v->dept->returned_ms;
    }
    int64_t since;
    if (open && here && dept_sign_overdue_at(v, self, &since)) {
        m |= 1u << AGENDA_DEPT_OVERDUE;
        due[AGENDA_DEPT_OVERDUE] = since;
    }
    int assigned = v->leader_origin[0] && v->leader_epoch == v->epoch;
    if (open && here && v->leader_required && !assigned) {
        m |= 1u << AGENDA_LEADER;
        due[AGENDA_LEADER] = v->holder_since_ms;
    }
    if (open && here && assigned && !v->leader_acked) {
        m |= 1u << AGENDA_LEADER_ACK;
        due[AGENDA_LEADER_ACK] = v->leader_time_ms;
    }
    if (open && here && v->appointment) {
        m |= 1u << AGENDA_APPOINTMENT;
        due[AGENDA_APPOINTMENT] = v->appointment->at_ms;
    }
    if (open && here && v->due_ms > 0) {
        m |= 1u << AGENDA_DUE;
        due[AGENDA_DUE] = v->due_ms;
    }
    if (open && !here && strcmp(v->ext_state, "pending") == 0 && v->ext_epoch == v->epoch &&
        tree->depth(tree->arg, v->holder, self) == 1) {
        m |= 1u << AGENDA_EXTENSION;
        due[AGENDA_EXTENSION] = v->due_ms;
    }
    /* The follow-up is made where the closed case is held (returned to where it started
     * when closed above), by its due date (the closing, for cases closed before them). */
    if (v->status == JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED && here && !v->satisfaction[0]) {
        m |= 1u << AGENDA_FOLLOW_UP;
        due[AGENDA_FOLLOW_UP] = v->followup_due_ms > 0 ? v->followup_due_ms : v->closed_ms;
    }
    return m;
}

/* ---- the index ------------------------------------------------------------------------ */

/* 'i' kind due:u64be subject; 0 for a subject too long. */
static size_t item_key(int kind, int64_t due, const char *subject, uint8_t *buf)
{
    size_t n = strlen(subject);
    uint64_t d = due > 0 ? (uint64_t)due : 0;
    if (n > AGENDA_SUBJECT_MAX)
        return 0;
    buf[0] = 'i';
    buf[1] = (uint8_t)kind;
    for (int i = 0; i < 8; i++)
        buf[2 + i] = (uint8_t)(d >> (56 - 8 * i));
    memcpy(buf + 10, subject, n);
    return 10 + n;
}

/* The journal is a ring of AGENDA_JOURNAL slots, 'r' slot:u16be -> seq:u64be about
 * added:u16be removed:u16be subject: a change overwrites the one AGENDA_JOURNAL before it
 * in place, where a log of its own would insert a key and delete the oldest, two of the
 * costliest operations of a received event. */
static size_t ring_key(uint64_t seq, uint8_t key[3])
{
    unsigned slot = (unsigned)(seq % AGENDA_JOURNAL);
    key[0] = 'r';
    key[1] = (uint8_t)(slot >> 8), key[2] = (uint8_t)slot;
    return 3;
}

/* The newest change's seq ('s' -> u64be), 0 before the first, as committed (for readers:
 * a transaction that journals moves it with tally_add). */
static int journal_last(store *st, MDB_txn *txn, uint64_t *seq)
{
    return store_counter_get(txn, st->agenda, "s", 1, STORE_BE, seq);
}

/* Appends a change to the journal, in the slot of the one that falls out of it; the
 * newest seq is a counter (tally.h), written once per transaction that folds a group. */
static int journal(store *st, MDB_txn *txn, int about, const char *subject, unsigned added,
                   unsigned removed)
{
    uint64_t seq;
    uint8_t key[3], val[13 + AGENDA_SUBJECT_MAX];
    size_t n = strlen(subject);
    if (n > AGENDA_SUBJECT_MAX)
        return JF_EINVAL;
    int rc = tally_add(st, txn, st->agenda, "s", 1, STORE_BE, 1, &seq);
    if (rc)
        return rc;
    store_u64_be(seq, val);
    val[8] = (uint8_t)about;
    val[9] = (uint8_t)(added >> 8), val[10] = (uint8_t)added;
    val[11] = (uint8_t)(removed >> 8), val[12] = (uint8_t)removed;
    memcpy(val + 13, subject, n);
    return store_put(txn, st->agenda, key, ring_key(seq, key), val, 13 + n, 0);
}

/* Moves the counter of a kind ('c' kind -> u64be) by one. */
static int count_add(store *st, MDB_txn *txn, int kind, int up)
{
    uint8_t key[2] = {'c', (uint8_t)kind};
    return tally_add(st, txn, st->agenda, key, 2, STORE_BE, up ? 1 : -1, NULL);
}

/* Puts or deletes one item, and counts it: 1 if that changed something, 0 if it was so
 * already, or a negative error. */
static int item_put(store *st, MDB_txn *txn, int kind, int64_t due, const char *subject,
                    int present)
{
    uint8_t key[10 + AGENDA_SUBJECT_MAX];
    MDB_val d;
    size_t len = item_key(kind, due, subject, key);
    if (!len)
        return JF_EINVAL;
    int rc = store_get(txn, st->agenda, key, len, &d);
    if (rc && rc != JF_ENOTFOUND)
        return rc;
    if ((rc == 0) == (present != 0))
        return 0;
    rc = present ? store_put(txn, st->agenda, key, len, "", 0, 0)
                 : store_del(txn, st->agenda, key, len);
    if (rc == 0)
        rc = count_add(st, txn, kind, present);
    return rc ? rc : 1;
}

int agenda_case_update(store *st, MDB_txn *txn, const char *case_id, unsigned old_mask,
                     const int64_t *old_due, unsigned new_mask, const int64_t *new_due)
{
    unsigned added = 0, removed = 0;
    int rc = 0;
    for (int k = 0; k < AGENDA_N && rc >= 0; k++) {
        unsigned bit = 1u << k;
        int had = (old_mask & bit) != 0, has = (new_mask & bit) != 0;
        if (had && has && old_due[k] == new_due[k])
            continue;
        if (had && (rc = item_put(st, txn, k, old_due[k], case_id, 0)) >= 0 && !has)
            removed |= bit;
        if (rc >= 0 && has && (rc = item_put(st, txn, k, new_due[k], case_id, 1)) >= 0 &&
            !had)
            added |= bit;
    }
    return rc < 0 ? rc : journal(st, txn, AGENDA_ABOUT_CASE, case_id, added, removed);
}

int agenda_set(store *st, MDB_txn *txn, int about, int kind, const char *subject,
             int64_t due_ms, int present)
{
    int rc = item_put(st, txn, kind, due_ms, subject, present);
    if (rc <= 0)
        return rc;   /* an error, or as it was: nothing to journal */
    return journal(st, txn, about, subject, present ? 1u << kind : 0, present ? 0 : 1u << kind);
}

/* ---- reading -------------------------------------------------------------------------- */

struct each_arg {
    int64_t max_due;
    int (*fn)(const struct agenda_item *it, void *arg);
    void *arg;
};

static int each_item(const MDB_val *k, const MDB_val *v, void *arg)
{
    struct each_arg *a = arg;
    const uint8_t *b = k->mv_data;
    struct agenda_item it;
    (void)v;
    if (k->mv_size < 10 || k->mv_size > 10 + AGENDA_SUBJECT_MAX)
        return JF_ECORRUPT;
    it.kind = b[1];
    it.due_ms = (int64_t)store_be_u64(b + 2);
    if (a->max_due > 0 && it.due_ms >= a->max_due)
        return STORE_STOP;
    memcpy(it.subject, b + 10, k->mv_size - 10);
    it.subject[k->mv_size - 10] = 0;
    return a->fn(&it, a->arg);
}

int agenda_each(store *st, MDB_txn *txn, int kind, int64_t max_due,
              int (*fn)(const struct agenda_item *it, void *arg), void *arg)
{
    uint8_t prefix[2] = {'i', (uint8_t)kind};
    struct store_range r = {.prefix = prefix, .prefix_len = 2};
    struct each_arg a = {max_due, fn, arg};
    return store_walk(txn, st->agenda, &r, each_item, &a);
}

int agenda_count(store *st, MDB_txn *txn, uint64_t counts[AGENDA_N])
{
    for (int k = 0; k < AGENDA_N; k++) {
        uint8_t key[2] = {'c', (uint8_t)k};
        int rc = store_counter_get(txn, st->agenda, key, 2, STORE_BE, &counts[k]);
        if (rc)
            return rc;
    }
    return 0;
}

/* The change numbered seq from its slot: 1 if found, 0 if the slot holds another (a
 * store older than the ring, whose changes were kept elsewhere), or a negative error. */
static int change_at(store *st, MDB_txn *txn, uint64_t seq, struct agenda_change *ch)
{
    uint8_t key[3];
    MDB_val d;
    int rc = store_get(txn, st->agenda, key, ring_key(seq, key), &d);
    if (rc)
        return rc == JF_ENOTFOUND ? 0 : rc;
    const uint8_t *b = d.mv_data;
    if (d.mv_size < 13 || d.mv_size > 13 + AGENDA_SUBJECT_MAX)
        return JF_ECORRUPT;
    if (store_be_u64(b) != seq)
        return 0;
    ch->seq = seq;
    ch->about = b[8];
    ch->added = (unsigned)b[9] << 8 | b[10];
    ch->removed = (unsigned)b[11] << 8 | b[12];
    memcpy(ch->subject, b + 13, d.mv_size - 13);
    ch->subject[d.mv_size - 13] = 0;
    return 1;
}

int agenda_changes(store *st, MDB_txn *txn, uint64_t after,
                 int (*fn)(const struct agenda_change *ch, void *arg), void *arg,
                 uint64_t *last, uint64_t *first_kept)
{
    int rc = journal_last(st, txn, last);
    *first_kept = *last > AGENDA_JOURNAL ? *last - AGENDA_JOURNAL + 1 : 1;
    if (rc)
        return rc;
    for (uint64_t seq = after + 1 > *first_kept ? after + 1 : *first_kept;
         after < *last && seq <= *last; seq++) {
        struct agenda_change ch;
        if ((rc = change_at(st, txn, seq, &ch)) < 0)
            return rc;
        if (rc && (rc = fn(&ch, arg)))
            return rc == STORE_STOP ? 0 : rc;
    }
    return 0;
}
