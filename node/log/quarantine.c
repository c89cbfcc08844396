#include "log/quarantine.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "log.h"
#include "log/registry.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define PROOF_PREFIX "proof:"
#define PENDING_PREFIX "proof_pending:"
#define KEY_MAX 96

static void quarantine_key(const char *origin, char *buf, size_t len)
{
    snprintf(buf, len, "quarantine:%s", origin);
}

/* "<prefix><origin>:<seq, 20 digits>": sorts by origin, then seq. */
static size_t proof_key(const char *prefix, const char *origin, uint64_t seq, char *buf)
{
    return (size_t)snprintf(buf, KEY_MAX, "%s%s:%020" PRIu64, prefix, origin, seq);
}

int quarantine_is(store *st, MDB_txn *txn, const char *origin)
{
    char key[64];
    uint64_t v = 0;
    quarantine_key(origin, key, sizeof key);
    store_meta_get_u64(st, txn, key, &v);
    return v != 0;
}

int quarantine_clear(store *st, const char *origin)
{
    char key[64];
    MDB_txn *txn;
    quarantine_key(origin, key, sizeof key);
    int rc = store_txn_begin(st, 0, &txn);
    if (rc)
        return rc;
    MDB_val k = {strlen(key), key};
    if ((rc = mdb_del(txn, st->meta, &k, NULL))) {
        store_txn_abort(txn);
        return rc == MDB_NOTFOUND ? JF_ENOTFOUND : rc;
    }
    return store_txn_commit(txn);
}

static int quarantine_set(store *st, MDB_txn *txn, const char *origin, uint64_t seq,
                          const char *detected_by)
{
    char key[64];
    quarantine_key(origin, key, sizeof key);
    log_error("quarantine", "origin %s signed two different events under seq %" PRIu64
                            " (found by %s): quarantined until an operator clears it",
              origin, seq, detected_by);
    return store_meta_put_u64(st, txn, key, 1);
}

/* Keeps the proof (the first one found for this (origin, seq) stays) and quarantines. */
static int keep(store *st, MDB_txn *txn, const Jiefen__EquivocationProof *p,
                const char *detected_by)
{
    char key[KEY_MAX];
    size_t klen = proof_key(PROOF_PREFIX, p->origin, p->seq, key);
    Jiefen__EquivocationRecord r = JIEFEN__EQUIVOCATION_RECORD__INIT;
    r.proof = (Jiefen__EquivocationProof *)p;
    r.detected_by = (char *)detected_by;
    r.time_ms = clock_now_ms();
    MDB_val have;
    int rc = store_get(txn, st->meta, key, klen, &have);
    if (rc == JF_ENOTFOUND)
        rc = store_put_message(txn, st->meta, key, klen, &r.base);
    return rc ? rc : quarantine_set(st, txn, p->origin, p->seq, detected_by);
}

int quarantine_detected(store *st, MDB_txn *txn, const char *self, const char *origin,
                        uint64_t seq, const uint8_t *a, size_t alen, const uint8_t *b,
                        size_t blen)
{
    Jiefen__EquivocationProof p = JIEFEN__EQUIVOCATION_PROOF__INIT;
    p.origin = (char *)origin;
    p.seq = seq;
    p.envelope_a = (ProtobufCBinaryData){alen, (uint8_t *)a};
    p.envelope_b = (ProtobufCBinaryData){blen, (uint8_t *)b};
    char key[KEY_MAX];
    size_t klen = proof_key(PENDING_PREFIX, origin, seq, key);
    int rc = keep(st, txn, &p, self);
    return rc ? rc : store_put(txn, st->meta, key, klen, "", 0, 0);
}

/* One envelope of a proof: decodes, names (origin, seq), signed by pk. */
static const char *check_one(const ProtobufCBinaryData *raw, const char *origin, uint64_t seq,
                             const uint8_t *pk, uint8_t hash[CRYPTO_HASH_LEN])
{
    envelope *e = NULL;
    const char *why = NULL;
    if (envelope_decode(raw->data, raw->len, &e))
        why = "an envelope does not decode";
    else if (strcmp(e->event->origin, origin) || e->event->seq != seq)
        why = "an envelope is of another origin or seq";
    else if (envelope_verify(e, pk))
        why = "an envelope is not signed by the origin";
    else
        memcpy(hash, e->hash, CRYPTO_HASH_LEN);
    envelope_free(&e);
    return why;
}

int quarantine_check(store *st, MDB_txn *txn, const Jiefen__EquivocationProof *p,
                     const char **why)
{
    uint8_t pk[32], ha[CRYPTO_HASH_LEN], hb[CRYPTO_HASH_LEN];
    *why = NULL;
    int rc = registry_key(st, txn, p->origin, pk);
    if (rc == JF_ENOTFOUND || rc == JF_EINVAL)
        *why = "the origin is unknown or revoked here";
    else if (rc)
        return rc;
    if (!*why && !(*why = check_one(&p->envelope_a, p->origin, p->seq, pk, ha)) &&
        !(*why = check_one(&p->envelope_b, p->origin, p->seq, pk, hb)) &&
        memcmp(ha, hb, sizeof ha) == 0)
        *why = "the two envelopes hold the same event";
    return *why ? JF_EINVAL : 0;
}

int quarantine_fold(store *st, MDB_txn *txn, const char *self, const Jiefen__Event *ev)
{
    (void)self;
    const Jiefen__EquivocationProof *p = ev->equivocation_proof;
    const char *why;
    int rc = p ? quarantine_check(st, txn, p, &why) : JF_EINVAL;
    if (rc == JF_EINVAL) {
        log_warn("quarantine", "ignoring the equivocation proof in %s/%" PRIu64 " against %s: %s",
                 ev->origin, ev->seq, p ? p->origin : "?", p ? why : "no proof");
        return rc;
    }
    return rc ? rc : keep(st, txn, p, ev->origin);
}

/* ---- publishing ---------------------------------------------------------------------- */

/* Appends the proof named by one pending mark and removes the mark. */
static int publish_one(eventlog_tx *tx, const MDB_val *mark)
{
    char key[KEY_MAX];
    size_t plen = strlen(PENDING_PREFIX), rest = mark->mv_size - plen;
    if (rest + strlen(PROOF_PREFIX) >= sizeof key)
        return JF_ECORRUPT;
    int klen = snprintf(key, sizeof key, "%s%.*s", PROOF_PREFIX, (int)rest,
                        (const char *)mark->mv_data + plen);
    Jiefen__EquivocationRecord *r;
    int rc = STORE_GET_MESSAGE(tx->txn, tx->st->meta, key, (size_t)klen,
                               &jiefen__equivocation_record__descriptor, &r);
    if (rc == 0 && r && r->proof) {
        Jiefen__Event ev = JIEFEN__EVENT__INIT;
        ev.body_case = JIEFEN__EVENT__BODY_EQUIVOCATION_PROOF;
        ev.equivocation_proof = r->proof;
        ev.actor = "system";
        rc = eventlog_append(tx, &ev, NULL, 0);
    }
    if (r)
        jiefen__equivocation_record__free_unpacked(r, NULL);
    /* A mark without its proof has nothing to publish: dropped like a published one. */
    return rc ? rc : store_del(tx->txn, tx->st->meta, mark->mv_data, mark->mv_size);
}

static int publish_apply(eventlog_tx *tx, void *arg)
{
    (void)arg;
    struct store_range range = {PENDING_PREFIX, strlen(PENDING_PREFIX), NULL, 0, 0};
    MDB_val k, v;
    int rc;
    while ((rc = store_first(tx->txn, tx->st->meta, &range, &k, &v)) == 0) {
        /* The key points into the page the delete may free: copy it first. */
        char mark[KEY_MAX];
        if (k.mv_size > sizeof mark)
            return JF_ECORRUPT;
        memcpy(mark, k.mv_data, k.mv_size);
        MDB_val m = {k.mv_size, mark};
        if ((rc = publish_one(tx, &m)))
            return rc;
    }
    return rc == JF_ENOTFOUND ? 0 : rc;
}

static void publish_done(void *arg, int status)
{
    (void)arg;
    if (status)
        log_warn("quarantine", "could not append equivocation proofs (%s): retried with the "
                               "next batch that brings one",
                 jf_strerror(status));
}

int quarantine_publish(store *st, eventlog *el)
{
    struct store_range range = {PENDING_PREFIX, strlen(PENDING_PREFIX), NULL, 0, 0};
    MDB_txn *txn;
    MDB_val k, v;
    int rc = store_txn_begin(st, MDB_RDONLY, &txn);
    if (rc)
        return rc;
    rc = store_first(txn, st->meta, &range, &k, &v);
    store_txn_abort(txn);
    if (rc)
        return rc == JF_ENOTFOUND ? 0 : rc;
    return eventlog_submit(el, publish_apply, publish_done, NULL);
}

/* ---- listing ------------------------------------------------------------------------- */

struct each {
    int (*fn)(const Jiefen__EquivocationRecord *r, void *arg);
    void *arg;
};

static int each_one(const MDB_val *k, const MDB_val *v, void *arg)
{
    (void)k;
    struct each *e = arg;
    Jiefen__EquivocationRecord *r =
        jiefen__equivocation_record__unpack(NULL, v->mv_size, v->mv_data);
    if (!r || !r->proof) {
        if (r)
            jiefen__equivocation_record__free_unpacked(r, NULL);
        return 0; /* a damaged record is skipped, not fatal to the list */
    }
    int rc = e->fn(r, e->arg);
    jiefen__equivocation_record__free_unpacked(r, NULL);
    return rc;
}

int quarantine_each(store *st, MDB_txn *txn,
                    int (*fn)(const Jiefen__EquivocationRecord *r, void *arg), void *arg)
{
    struct each e = {fn, arg};
    struct store_range range = {PROOF_PREFIX, strlen(PROOF_PREFIX), NULL, 0, 0};
    return store_walk(txn, st->meta, &range, each_one, &e);
}
