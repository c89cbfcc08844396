#include "print/formdata.h"
#include "case/case.h"
#include "case/casefile.h"
#include "case/caseindex.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "log/registry.h"
#include "receipt.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The schema's event kinds as a file's index names them. */
static const struct {
    const char *kind, *name;
} kinds[] = {
    {"case_opened", "受理登记"},   {"case_routed", "分流交办"},
    {"case_guided", "引导至法定途径"}, {"attempt", "调解记录"},
    {"case_moved", "案件移交"},    {"risk_changed", "风险等级调整"},
    {"leader_assigned", "领导包案"}, {"leader_ack", "签收包案"},
    {"leader_progress", "包案进展"}, {"leader_required", "需领导包案"},
    {"deadline", "期限提醒"},      {"extension_requested", "申请延期"},
    {"extension_decided", "延期审批"}, {"case_closed", "办结"},
    {"follow_up", "回访"},         {"forms_record", "录入文书"},
};

static const char *kind_name(const char *kind)
{
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].kind, kind) == 0)
            return kinds[i].name;
    return "其他记录";
}

static void node_name(store *st, MDB_txn *txn, const char *id, char *buf, size_t len)
{
    Jiefen__NodeInfo *ni = NULL;
    snprintf(buf, len, "%s", id);
    if (registry_get(st, txn, id, &ni) == 0 && ni && ni->name[0])
        snprintf(buf, len, "%s", ni->name);
    registry_free(&ni);
}

static void detail(const Jiefen__Event *ev, char *buf, size_t len)
{
    buf[0] = '\0';
    if (ev->body_case == JIEFEN__EVENT__BODY_FORMS_RECORD) {
        int k = record_kind_index(ev->forms_record->kind);
        snprintf(buf, len, "%s", k >= 0 ? record_kinds[k].name : ev->forms_record->kind);
    } else if (ev->body_case == JIEFEN__EVENT__BODY_CASE_MOVED)
        snprintf(buf, len, "%s → %s", ev->case_moved->from, ev->case_moved->to);
    else if (ev->body_case == JIEFEN__EVENT__BODY_CASE_CLOSED)
        snprintf(buf, len, "%s", ev->case_closed->result);
    else if (ev->body_case == JIEFEN__EVENT__BODY_ATTEMPT)
        snprintf(buf, len, "调解员 %s，%s", ev->attempt->mediator, ev->attempt->date);
}

static int add_event(struct formdata *d, store *st, MDB_txn *txn, const envelope *e)
{
    const Jiefen__Event *ev = e->event;
    struct form_event *fe = &d->events[d->n_events++];
    fe->time_ms = ev->time_ms;
    fe->kind = kind_name(envelope_kind(ev));
    snprintf(fe->actor, sizeof fe->actor, "%s",
             ev->actor_name[0]                    ? ev->actor_name
             : strcmp(ev->actor, "admin") == 0    ? "管理员"
             : strcmp(ev->actor, "system") == 0   ? "系统规则"
                                                  : ev->actor);
    node_name(st, txn, ev->origin, fe->node, sizeof fe->node);
    detail(ev, fe->detail, sizeof fe->detail);
    if (ev->body_case == JIEFEN__EVENT__BODY_CASE_OPENED) {
        memcpy(d->opened_hash, e->hash, CRYPTO_HASH_LEN);
        d->opened_ms = ev->time_ms;
        snprintf(d->opened_by, sizeof d->opened_by, "%s", fe->actor);
    }
    return 0;
}

static int read_events(struct formdata *d, store *st, MDB_txn *txn)
{
    const Jiefen__CaseView *v = d->v;
    if (!(d->events = calloc(v->n_event_origins + 1, sizeof *d->events)))
        return -ENOMEM;
    for (size_t i = 0; i < v->n_event_origins && i < v->n_event_seqs; i++) {
        MDB_val val;
        envelope *e = NULL;
        int rc = store_event_get(st, txn, v->event_origins[i], v->event_seqs[i], &val);
        if (rc == 0)
            rc = envelope_decode(val.mv_data, val.mv_size, &e);
        if (rc == 0)
            rc = add_event(d, st, txn, e);
        envelope_free(&e);
        if (rc)
            return rc;
    }
    return 0;
}

static int take_opening(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    struct formdata *d = arg;
    if (ev->body_case == JIEFEN__EVENT__BODY_CASE_OPENED && !d->opening)
        d->opening = jiefen__sealed__unpack(NULL, len, plain);
    return 0;
}

int formdata_read(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                  const char *case_id, struct formdata *d)
{
    memset(d, 0, sizeof *d);
    int rc = caseindex_get(st, txn, case_id, &d->v);
    if (rc == 0 && !d->v)
        rc = JF_ENOTFOUND;
    if (rc == 0)
        rc = read_events(d, st, txn);
    if (rc == 0)
        rc = casefile_each(st, txn, id, self, d->v, take_opening, d);
    if (rc == 0)
        rc = record_read(st, txn, id, self, d->v, &d->rec);
    if (rc == 0)
        rc = formdata_bundle(st, txn, &d->bundle);
    if (rc == 0) {
        node_name(st, txn, self, d->self_name, sizeof d->self_name);
        node_name(st, txn, d->v->opened_at_node, d->opened_name, sizeof d->opened_name);
    }
    return rc;
}

void formdata_clear(struct formdata *d)
{
    case_view_free(&d->v);
    if (d->opening)
        jiefen__sealed__free_unpacked(d->opening, NULL);
    if (d->bundle)
        jiefen__enrol_bundle__free_unpacked(d->bundle, NULL);
    record_set_clear(&d->rec);
    free(d->events);
    memset(d, 0, sizeof *d);
}

int formdata_bundle(store *st, MDB_txn *txn, Jiefen__EnrolBundle **out)
{
    *out = NULL;
    int rc = STORE_GET_MESSAGE(txn, st->meta, "own_bundle", 10, &jiefen__enrol_bundle__descriptor,
                               out);
    return rc == MDB_NOTFOUND ? 0 : rc;
}

static int pack_cert(const Jiefen__SignedCert *sc, uint8_t **out, size_t *len)
{
    *len = jiefen__signed_cert__get_packed_size(sc);
    if (!(*out = malloc(*len ? *len : 1)))
        return -ENOMEM;
    jiefen__signed_cert__pack(sc, *out);
    return 0;
}

int formdata_root(store *st, MDB_txn *txn, uint8_t **out, size_t *len)
{
    Jiefen__EnrolBundle *b = NULL;
    int rc = formdata_bundle(st, txn, &b);
    *out = NULL;
    if (rc == 0 && (!b || !b->cert))
        rc = JF_ENOTFOUND;
    if (rc == 0)
        rc = pack_cert(b->n_chain ? b->chain[b->n_chain - 1] : b->cert, out, len);
    if (b)
        jiefen__enrol_bundle__free_unpacked(b, NULL);
    return rc;
}

static void sign(const uint8_t *msg, size_t len, uint8_t sig[64], void *arg)
{
    crypto_ed25519_sign(arg, msg, len, sig);
}

int formdata_receipt(const struct formdata *d, const crypto_identity *id, const char *self,
                     const char *kind, const uint8_t hash[CRYPTO_HASH_LEN], int64_t time_ms,
                     char **out)
{
    const Jiefen__EnrolBundle *b = d->bundle;
    uint8_t *chain[8] = {0};
    size_t lens[8], n = 0;
    int rc = 0;
    *out = NULL;
    if (!b || !b->cert)
        return 0;
    /* The node's certificate, then its ancestors' without the root (the checker's own). */
    if (b->n_chain) {
        rc = pack_cert(b->cert, &chain[n], &lens[n]);
        n++;
        for (size_t i = 0; rc == 0 && i + 1 < b->n_chain && n < 8; i++, n++)
            rc = pack_cert(b->chain[i], &chain[n], &lens[n]);
    }
    if (rc == 0)
        rc = receipt_make(kind, d->v->case_id, hash, self, time_ms,
                          (const uint8_t *const *)chain, lens, n, sign, (void *)id, out);
    for (size_t i = 0; i < n; i++)
        free(chain[i]);
    return rc;
}

const char *formdata_date(int64_t ms, char *buf, size_t len)
{
    char local[32];
    clock_format_local(ms, local, sizeof local);
    local[10] = '\0';
    return formdata_date_text(local, buf, len);
}

const char *formdata_date_text(const char *ymd, char *buf, size_t len)
{
    int y, m, dd;
    if (sscanf(ymd, "%4d-%2d-%2d", &y, &m, &dd) == 3)
        snprintf(buf, len, "%d年%d月%d日", y, m, dd);
    else
        snprintf(buf, len, "%s", ymd);
    return buf;
}
