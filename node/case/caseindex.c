#include "case/caseindex.h"
#include "case/appointment.h"
#include "case/deptindex.h"
#include "case/case.h"
#include "case/party.h"
#include "case/partyindex.h"
#include "case/agenda.h"
#include "case/dept.h"
#include "error.h"
#include "log/registry.h"
#include "tally.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void caseindex_status_key(int status, char *buf)
{
    /* Built by hand: a received case moves a counter, and snprintf was 2% of its fold. */
    const char *code = case_status_code(status);
    size_t n = strnlen(code, 32 - 7);
    memcpy(buf, "cases:", 6);
    memcpy(buf + 6, code, n);
    buf[6 + n] = 0;
}

int caseindex_get(store *st, MDB_txn *txn, const char *case_id, Jiefen__CaseView **view)
{
    MDB_val d;
    *view = NULL;
    int rc = store_get(txn, st->cases, case_id, strlen(case_id), &d);
    if (rc)
        return rc == JF_ENOTFOUND ? 0 : rc;
    *view = case_view_decode(d.mv_data, d.mv_size);
    return *view ? 0 : JF_ECORRUPT;
}

/* Moves one case from one status counter to another (from 0: a new case). */
static int count_status(store *st, MDB_txn *txn, int from, int to)
{
    char key[32];
    int rc;
    if (from == to)
        return 0;
    if (from) {
        caseindex_status_key(from, key);
        if ((rc = tally_add(st, txn, st->meta, key, strlen(key), STORE_NATIVE, -1, NULL)))
            return rc;
    }
    caseindex_status_key(to, key);
    return tally_add(st, txn, st->meta, key, strlen(key), STORE_NATIVE, 1, NULL);
}

/* The timers entry of a case this node holds open: 'w' + limit while its warning is due,
 * then 'd' + limit until the limit is found passed; 0 if none. Two runs, each in limit
 * order, so the next moment of each kind is the first entry of its run. */
static size_t timer_key(const Jiefen__CaseView *v, const char *self, uint8_t *buf)
{
    size_t n = v ? strlen(v->case_id) : 0;
    if (!v || v->status != JIEFEN__CASE_STATUS__CASE_STATUS_OPEN || v->due_ms <= 0 ||
        v->overdue_due_ms == v->due_ms || strcmp(v->holder, self) || n > FOLD_CASE_ID_MAX)
        return 0;
    uint64_t due = (uint64_t)v->due_ms;
    buf[0] = v->warned_due_ms == v->due_ms ? 'd' : 'w';
    for (int i = 0; i < 8; i++)
        buf[1 + i] = (uint8_t)(due >> (56 - 8 * i));
    memcpy(buf + 9, v->case_id, n);
    return 9 + n;
}

/* tag + due:u64be + case id of a case held here; 0 when due is 0. */
static size_t moment_key(char tag, int64_t due, const Jiefen__CaseView *v, const char *self,
                         uint8_t *buf)
{
    size_t n = strlen(v->case_id);
    if (due <= 0 || n > FOLD_CASE_ID_MAX || strcmp(v->holder, self))
        return 0;
    buf[0] = (uint8_t)tag;
    for (int i = 0; i < 8; i++)
        buf[1 + i] = (uint8_t)((uint64_t)due >> (56 - 8 * i));
    memcpy(buf + 9, v->case_id, n);
    return 9 + n;
}

/* The timers entry of the earliest department sign-for limit (签收) of a case routed here
 * that the timer has still to find passed: 's' + limit; 0 if none. A run of its own. */
static size_t sign_key(const Jiefen__CaseView *v, const char *self, uint8_t *buf)
{
    return v ? moment_key('s', dept_sign_next(v, self), v, self, buf) : 0;
}

/* The timers entry of the reminder of an appointment (调解预约) of a case held here: 'a' +
 * the moment it is due; 0 if none. The timer drops it once it has reminded. */
static size_t remind_key(const Jiefen__CaseView *v, const char *self, uint8_t *buf)
{
    return v ? moment_key('a', appointment_remind_at(v), v, self, buf) : 0;
}

int caseindex_timer_parse(const MDB_val *k, char *kind, int64_t *due, char *case_id)
{
    const uint8_t *b = k->mv_data;
    uint64_t d = 0;
    if (k->mv_size <= 9 || k->mv_size > 9 + FOLD_CASE_ID_MAX ||
        !b[0] || !strchr("wdsa", b[0]))
        return JF_ECORRUPT;
    for (int i = 1; i <= 8; i++)
        d = d << 8 | b[i];
    *kind = (char)b[0];
    *due = (int64_t)d;
    memcpy(case_id, b + 9, k->mv_size - 9);
    case_id[k->mv_size - 9] = 0;
    return 0;
}

typedef size_t (*timer_key_fn)(const Jiefen__CaseView *v, const char *self, uint8_t *buf);

/* Keeps the timers index in step with what this node holds (one run's key of a case). */
static int update_timer(store *st, MDB_txn *txn, const char *self, timer_key_fn key_fn,
                        const uint8_t *old_key, size_t old_len, const Jiefen__CaseView *v)
{
    uint8_t key[9 + FOLD_CASE_ID_MAX];
    size_t len = key_fn(v, self, key);
    if (len == old_len && memcmp(key, old_key, len) == 0)
        return 0;
    int rc = old_len ? store_del(txn, st->timers, old_key, old_len) : 0;
    return rc == 0 && len ? store_put(txn, st->timers, key, len, "", 0, 0) : rc;
}

size_t caseindex_opened_key(int64_t opened_ms, const char *case_id, uint8_t *buf)
{
    size_t n = strlen(case_id);
    uint64_t t = opened_ms > 0 ? (uint64_t)opened_ms : 0;
    if (n > FOLD_CASE_ID_MAX)
        return 0;
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)(t >> (56 - 8 * i));
    memcpy(buf + 8, case_id, n);
    return 8 + n;
}

int caseindex_opened_id(const MDB_val *k, char *case_id)
{
    if (k->mv_size <= 8 || k->mv_size > 8 + FOLD_CASE_ID_MAX)
        return JF_ECORRUPT;
    memcpy(case_id, (const char *)k->mv_data + 8, k->mv_size - 8);
    case_id[k->mv_size - 8] = 0;
    return 0;
}

/* Keeps a view's `opened` entry at its opening time (old_ms: the time before the event, -1
 * for a new view; an opening received after a later event of the case moves it). */
static int update_opened(store *st, MDB_txn *txn, int64_t old_ms, const Jiefen__CaseView *v)
{
    uint8_t k[8 + FOLD_CASE_ID_MAX];
    size_t len = caseindex_opened_key(old_ms, v->case_id, k);
    int rc = 0;
    if (old_ms == v->opened_ms)
        return 0;
    if (!len)
        return JF_EINVAL;
    if (old_ms >= 0 && (rc = store_del(txn, st->opened, k, len)) && rc != JF_ENOTFOUND)
        return rc;
    len = caseindex_opened_key(v->opened_ms, v->case_id, k);
    return store_put(txn, st->opened, k, len, "", 0, 0);
}

struct fill {
    store *st;
    MDB_txn *txn;
    case_tree *tree;  /* the agenda's fill only */
};

/* The view under a `cases` key and its id (FOLD_CASE_ID_MAX + 1 bytes). */
static Jiefen__CaseView *fill_view(const MDB_val *key, const MDB_val *val, char *id)
{
    if (key->mv_size > FOLD_CASE_ID_MAX)
        return NULL;
    memcpy(id, key->mv_data, key->mv_size);
    id[key->mv_size] = 0;
    return case_view_decode(val->mv_data, val->mv_size);
}

static int fill_opened(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct fill *f = arg;
    uint8_t k[8 + FOLD_CASE_ID_MAX];
    char id[FOLD_CASE_ID_MAX + 1];
    Jiefen__CaseView *v = fill_view(key, val, id);
    if (!v)
        return JF_ECORRUPT;
    size_t len = caseindex_opened_key(v->opened_ms, id, k);
    case_view_free(&v);
    return store_put(f->txn, f->st->opened, k, len, "", 0, 0);
}

int caseindex_opened_fill(store *st, MDB_txn *txn)
{
    struct fill f = {st, txn, NULL};
    return store_walk(txn, st->cases, NULL, fill_opened, &f);
}

static int fill_agenda(const MDB_val *key, const MDB_val *val, void *arg)
{
    struct fill *f = arg;
    char id[FOLD_CASE_ID_MAX + 1];
    int64_t none[AGENDA_N] = {0}, due[AGENDA_N];
    Jiefen__CaseView *v = fill_view(key, val, id);
    if (!v)
        return JF_ECORRUPT;
    unsigned mask = agenda_of_case(v, f->tree->self, f->tree, due);
    case_view_free(&v);
    return agenda_case_update(f->st, f->txn, id, 0, none, mask, due);
}

int caseindex_agenda_fill(store *st, MDB_txn *txn, const char *self)
{
    struct registry_tree rt = {st, txn};
    case_tree tree = {registry_tree_depth, &rt, self};
    struct fill f = {st, txn, &tree};
    return store_walk(txn, st->cases, NULL, fill_agenda, &f);
}

/* A case whose parties this node can now read but did not take in itself: it was moved
 * here, or its opening came after the move (from another origin). */
static int arrived(const Jiefen__Event *ev, const Jiefen__CaseView *v, const char *self)
{
    return (ev->body_case == JIEFEN__EVENT__BODY_CASE_MOVED ||
            ev->body_case == JIEFEN__EVENT__BODY_CASE_OPENED) &&
           strcmp(v->holder, self) == 0 && strcmp(ev->origin, self) != 0;
}

/* This node's own case case_id ("NODE-YYYY-NNNNNN") came back to it over the link (a
 * restored node catching up its chain: link/selfsync.h): the year's serial is raised to it,
 * so the next intake numbers after it. */
static int serial_seen(store *st, MDB_txn *txn, const char *case_id)
{
    const char *dash = strrchr(case_id, '-');
    char key[48], *end;
    uint64_t stored;
    if (!dash || dash - case_id < 5 || dash[-5] != '-')
        return 0;
    unsigned long long serial = strtoull(dash + 1, &end, 10);
    if (*end || !serial)
        return 0;
    snprintf(key, sizeof key, CASEINDEX_SERIAL_KEY "%.4s", dash - 4);
    int rc = store_meta_get_u64(st, txn, key, &stored);
    return rc || stored >= serial ? rc : store_meta_put_u64(st, txn, key, serial);
}

int caseindex_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    Jiefen__CaseView *v;
    uint8_t old_key[9 + FOLD_CASE_ID_MAX], old_sign[9 + FOLD_CASE_ID_MAX],
        old_remind[9 + FOLD_CASE_ID_MAX];
    if (!fold_valid_name(ev->case_id, FOLD_CASE_ID_MAX))
        return JF_EINVAL;
    int rc = caseindex_get(st, txn, ev->case_id, &v);
    if (rc)
        return rc;
    int before = v ? v->status : 0;
    int64_t old_opened = v ? v->opened_ms : -1;
    size_t old_len = timer_key(v, self, old_key), old_sign_len = sign_key(v, self, old_sign);
    size_t old_remind_len = remind_key(v, self, old_remind);
    struct registry_tree rt = {st, txn};
    case_tree tree = {registry_tree_depth, &rt, self};
    int64_t old_due[AGENDA_N], new_due[AGENDA_N];
    unsigned old_agenda = agenda_of_case(v, self, &tree, old_due);
    if ((rc = case_apply(&v, ev, &tree)))
        goto out;
    rc = store_put_message(txn, st->cases, ev->case_id, strlen(ev->case_id), &v->base);
    if (rc == 0)
        rc = count_status(st, txn, before, v->status);
    if (rc == 0)
        rc = update_opened(st, txn, old_opened, v);
    if (rc == 0)
        rc = update_timer(st, txn, self, timer_key, old_key, old_len, v);
    if (rc == 0)
        rc = update_timer(st, txn, self, sign_key, old_sign, old_sign_len, v);
    if (rc == 0)
        rc = update_timer(st, txn, self, remind_key, old_remind, old_remind_len, v);
    if (rc == 0 && dept_kind(ev->body_case))
        rc = deptindex_update(st, txn, self, v);
    if (rc == 0 && arrived(ev, v, self))
        rc = partyindex_arrived(st, txn, ev->case_id);
    if (rc == 0)
        rc = agenda_case_update(st, txn, ev->case_id, old_agenda, old_due,
                              agenda_of_case(v, self, &tree, new_due), new_due);
    if (rc == 0 && ev->body_case == JIEFEN__EVENT__BODY_CASE_OPENED)
        rc = party_fold(st, txn, self, ev);
    /* Its own case taken back from the parent (a restored node): number after it. */
    if (rc == 0 && ev->body_case == JIEFEN__EVENT__BODY_CASE_OPENED &&
        strcmp(ev->origin, self) == 0)
        rc = serial_seen(st, txn, ev->case_id);
    /* Its documents follow it here (link/doclane.h). */
    if (rc == 0 && ev->body_case == JIEFEN__EVENT__BODY_CASE_MOVED &&
        strcmp(ev->case_moved->to, self) == 0 && strcmp(ev->case_moved->from, self))
        rc = store_put(txn, st->docwant, ev->case_id, strlen(ev->case_id), "", 0, 0);
out:
    case_view_free(&v);
    return rc;
}
