#include "case/verify.h"
#include "blob.h"
#include "case/caseindex.h"
#include "case/case.h"
#include "envelope.h"
#include "error.h"
#include "log/eventlog.h"
#include "log/fold.h"
#include "case/reference.h"
#include "log/registry.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct walk {
    store *st;
    MDB_txn *txn;
    const crypto_identity *id;
    const char *self;
    struct verify_report *r;
    char origin[STORE_ORIGIN_MAX + 1];
    uint64_t next_seq;
    uint8_t prev[CRYPTO_HASH_LEN];
    char docs[BLOB_PATH_MAX];  /* the document blobs (blob.h) */
    uint64_t own_since;        /* this node's key signs from here (1 unless rebuilt) */
};

static void problem(struct verify_report *r, const char *origin, uint64_t seq,
                    const char *case_id, const char *fmt, ...)
{
    r->problem_count++;
    if (r->n_problems >= VERIFY_MAX_LISTED)
        return;
    if (!r->problems && !(r->problems = calloc(VERIFY_MAX_LISTED, sizeof *r->problems)))
        return;
    struct verify_problem *p = &r->problems[r->n_problems++];
    snprintf(p->origin, sizeof p->origin, "%s", origin ? origin : "");
    p->seq = seq;
    snprintf(p->case_id, sizeof p->case_id, "%s", case_id ? case_id : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->what, sizeof p->what, fmt, ap);
    va_end(ap);
}

/* The stored chain head of an origin must be its last event. */
static void check_head(struct walk *w)
{
    if (!w->origin[0])
        return;
    uint64_t seq;
    uint8_t hash[CRYPTO_HASH_LEN];
    if (eventlog_head(w->st, w->txn, w->origin, &seq, hash) || seq != w->next_seq - 1 ||
        memcmp(hash, w->prev, sizeof hash))
        problem(w->r, w->origin, w->next_seq - 1, NULL, "chain head record differs from the log");
}

static void check_sealed(struct walk *w, const MDB_val *k, const envelope *e)
{
    const Jiefen__Event *ev = e->event;
    MDB_val d;
    if (store_get(w->txn, w->st->sealed, k->mv_data, k->mv_size, &d)) {
        /* Ancestors hold other origins' events without their personal data; a rebuilt
         * node its own from before the rebuild until they are re-sealed (recovery.h, which
         * lists them). */
        if (strcmp(ev->origin, w->self) == 0 && ev->seq >= w->own_since)
            problem(w->r, ev->origin, ev->seq, ev->case_id, "sealed part missing");
        return;
    }
    size_t len = d.mv_size - CRYPTO_SEAL_OVERHEAD;
    uint8_t *plain = d.mv_size >= CRYPTO_SEAL_OVERHEAD ? malloc(len ? len : 1) : NULL;
    uint8_t hash[CRYPTO_HASH_LEN];
    if (!plain || crypto_unseal(w->id, d.mv_data, d.mv_size, k->mv_data, k->mv_size, plain)) {
        problem(w->r, ev->origin, ev->seq, ev->case_id, "sealed part does not decrypt");
    } else {
        crypto_blake2b(plain, len, hash);
        if (ev->sealed_hash.len != CRYPTO_HASH_LEN ||
            memcmp(hash, ev->sealed_hash.data, sizeof hash))
            problem(w->r, ev->origin, ev->seq, ev->case_id, "sealed part hash mismatch");
        crypto_wipe(plain, len);
    }
    free(plain);
}

int verify_signature(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                     const envelope *e)
{
    uint8_t pk[32];
    uint64_t until;
    const char *origin = e->event->origin;
    /* The key that signed this seq: a rebuilt node's events before its rebuild were signed
     * by the key it had then (registry_key_at). */
    int rc = registry_key_at(st, txn, origin, e->event->seq, pk, &until);
    if (rc == JF_EINVAL) /* revoked: its events stay, checked by its last key */
        rc = 0;
    if (rc && strcmp(origin, self) == 0) {
        memcpy(pk, crypto_identity_pk(id), sizeof pk);
        rc = 0;
    }
    return rc ? JF_ENOTFOUND : envelope_verify(e, pk);
}

static void check_signature(struct walk *w, const envelope *e)
{
    const Jiefen__Event *ev = e->event;
    int rc = verify_signature(w->st, w->txn, w->id, w->self, e);
    if (rc)
        problem(w->r, ev->origin, ev->seq, ev->case_id,
                rc == JF_ENOTFOUND ? "unknown origin" : "bad signature");
}

/* A case event is folded into its case's view, or waits (parked) for an earlier one. */
static void check_in_view(struct walk *w, const envelope *e)
{
    const Jiefen__Event *ev = e->event;
    Jiefen__CaseView *v = NULL;
    if (!case_event_kind(ev))
        return;
    int in = caseindex_get(w->st, w->txn, ev->case_id, &v) == 0 && v &&
             case_has_event(v, ev->origin, ev->seq);
    case_view_free(&v);
    if (!in && !fold_parked(w->st, w->txn, ev))
        problem(w->r, ev->origin, ev->seq, ev->case_id,
                "case event not in its case's view (it does not apply to the case)");
}

/* Events from ancestors are kept one by one (not as chains): each must verify alone. */
static int check_inbox_event(const MDB_val *k, const MDB_val *v, void *arg)
{
    struct walk *w = arg;
    envelope *e = NULL;
    (void)k;
    w->r->events++;
    if (envelope_decode(v->mv_data, v->mv_size, &e))
        problem(w->r, "", 0, NULL, "undecodable event in the inbox");
    else {
        check_signature(w, e);
        check_in_view(w, e);
    }
    envelope_free(&e);
    return 0;
}

/* A document the chain names, when its blob is here (it may still be in transit), must
 * hash to the name the event signed. */
static void check_document(struct walk *w, const Jiefen__Event *ev)
{
    const ProtobufCBinaryData *h = &ev->doc_attached->blob_hash;
    if (h->len != CRYPTO_HASH_LEN)
        problem(w->r, ev->origin, ev->seq, ev->case_id, "document without a blob hash");
    else if (blob_exists(w->docs, h->data) && blob_check(w->docs, h->data))
        problem(w->r, ev->origin, ev->seq, ev->case_id,
                "document blob does not match its hash");
}

static int check_event(const MDB_val *k, const MDB_val *v, void *arg)
{
    struct walk *w = arg;
    char origin[STORE_ORIGIN_MAX + 1];
    uint64_t seq;
    envelope *e = NULL;
    w->r->events++;
    if (store_event_key_parse(k, origin, &seq)) {
        problem(w->r, "", 0, NULL, "undecodable event key");
        return 0;
    }
    if (strcmp(origin, w->origin)) {
        check_head(w);
        snprintf(w->origin, sizeof w->origin, "%s", origin);
        w->next_seq = 1;
        memset(w->prev, 0, sizeof w->prev);
    }
    if (seq != w->next_seq)
        problem(w->r, origin, seq, NULL, "gap in sequence: expected %llu",
                (unsigned long long)w->next_seq);
    w->next_seq = seq + 1;
    if (envelope_decode(v->mv_data, v->mv_size, &e)) {
        problem(w->r, origin, seq, NULL, "undecodable event");
        memset(w->prev, 0xff, sizeof w->prev); /* the next link cannot be checked */
        return 0;
    }
    const Jiefen__Event *ev = e->event;
    if (strcmp(ev->origin, origin) || ev->seq != seq)
        problem(w->r, origin, seq, ev->case_id, "event stored under another key");
    if (memcmp(ev->prev_hash.data, w->prev, CRYPTO_HASH_LEN))
        problem(w->r, origin, seq, ev->case_id, "broken hash chain");
    check_signature(w, e);
    if (ev->sealed_hash.len)
        check_sealed(w, k, e);
    if (ev->body_case == JIEFEN__EVENT__BODY_DOC_ATTACHED)
        check_document(w, ev);
    check_in_view(w, e);
    memcpy(w->prev, e->hash, sizeof w->prev);
    envelope_free(&e);
    return 0;
}

static int walk_events(struct walk *w)
{
    int rc = store_walk(w->txn, w->st->events, NULL, check_event, w);
    check_head(w);
    return rc;
}

/* Folds the events a view lists, as the log holds them now. NULL if any is unusable. */
static Jiefen__CaseView *refold(struct walk *w, const Jiefen__CaseView *stored)
{
    size_t n = stored->n_event_origins < stored->n_event_seqs ? stored->n_event_origins
                                                               : stored->n_event_seqs;
    envelope **e = calloc(n ? n : 1, sizeof *e);
    const Jiefen__Event **evs = calloc(n ? n : 1, sizeof *evs);
    Jiefen__CaseView *v = NULL;
    int bad = !e || !evs;
    for (size_t i = 0; i < n && !bad; i++) {
        MDB_val d;
        bad = store_event_get(w->st, w->txn, stored->event_origins[i], stored->event_seqs[i],
                              &d) ||
              envelope_decode(d.mv_data, d.mv_size, &e[i]) ||
              strcmp(e[i]->event->case_id, stored->case_id);
        if (!bad)
            evs[i] = e[i]->event;
    }
    struct registry_tree rt = {w->st, w->txn};
    case_tree tree = {registry_tree_depth, &rt, w->self};
    if (!bad && case_fold_list(evs, n, &tree, &v))
        v = NULL;
    for (size_t i = 0; e && i < n; i++)
        envelope_free(&e[i]);
    free(e);
    free(evs);
    return v;
}

struct views {
    struct walk *w;
    uint64_t by_status[16];
};

static int check_view(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct walk *w = ((struct views *)arg)->w;
    uint64_t *by_status = ((struct views *)arg)->by_status;
    char id[64];
    snprintf(id, sizeof id, "%.*s", (int)(k->mv_size < 63 ? k->mv_size : 63),
             (const char *)k->mv_data);
    w->r->cases++;
    Jiefen__CaseView *stored = case_view_decode(d->mv_data, d->mv_size), *fresh = NULL;
    if (!stored) {
        problem(w->r, NULL, 0, id, "undecodable case view");
        return 0;
    }
    if ((size_t)stored->status <= ref_statuses.count)
        by_status[stored->status]++;
    size_t len = 0;
    uint8_t *bytes = (fresh = refold(w, stored)) ? case_view_encode(fresh, &len) : NULL;
    if (!bytes || len != d->mv_size || memcmp(bytes, d->mv_data, len))
        problem(w->r, NULL, 0, id, "view differs from the log");
    free(bytes);
    case_view_free(&fresh);
    case_view_free(&stored);
    return 0;
}

static void check_counters(struct walk *w, const uint64_t *by_status)
{
    for (size_t s = 1; s <= ref_statuses.count; s++) {
        char key[32];
        uint64_t n;
        caseindex_status_key((int)s, key);
        if (store_meta_get_u64(w->st, w->txn, key, &n) || n != by_status[s])
            problem(w->r, NULL, 0, NULL, "counter %s is %llu but views say %llu", key,
                    (unsigned long long)n, (unsigned long long)by_status[s]);
    }
}

static int walk_views(struct walk *w)
{
    struct views v = {w, {0}};
    int rc = store_walk(w->txn, w->st->cases, NULL, check_view, &v);
    check_counters(w, v.by_status);
    return rc;
}

int verify_run(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
               struct verify_report *out)
{
    memset(out, 0, sizeof *out);
    struct walk w = {.st = st, .txn = txn, .id = id, .self = self, .r = out, .own_since = 1};
    Jiefen__NodeInfo *ni = NULL;
    if (registry_get(st, txn, self, &ni) == 0 && ni)
        w.own_since = registry_key_since(ni);
    registry_free(&ni);
    int rc = blob_dir(st, 0, w.docs);
    if (rc == 0)
        rc = walk_events(&w);
    if (rc == 0)
        rc = store_walk(txn, st->inbox, NULL, check_inbox_event, &w);
    if (rc == 0)
        rc = walk_views(&w);
    return rc;
}

void verify_report_free(struct verify_report *r)
{
    free(r->problems);
    memset(r, 0, sizeof *r);
}

json_t *verify_report_json(const struct verify_report *r)
{
    json_t *list = json_array();
    for (size_t i = 0; i < r->n_problems; i++) {
        const struct verify_problem *p = &r->problems[i];
        json_t *o = json_pack("{s:s}", "problem", p->what);
        if (p->origin[0]) {
            json_object_set_new(o, "origin", json_string(p->origin));
            json_object_set_new(o, "seq", json_integer((json_int_t)p->seq));
        }
        if (p->case_id[0])
            json_object_set_new(o, "case", json_string(p->case_id));
        json_array_append_new(list, o);
    }
    return json_pack("{s:b, s:I, s:I, s:I, s:o}", "ok", r->problem_count == 0, "events_checked",
                     (json_int_t)r->events, "cases_checked", (json_int_t)r->cases,
                     "problem_count", (json_int_t)r->problem_count, "problems", list);
}
