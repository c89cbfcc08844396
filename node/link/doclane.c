#include "link/doclane.h"
#include "array.h"
#include "blob.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/document.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "log/fold.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define TICK_MS 500

struct want {
    uint8_t hash[CRYPTO_HASH_LEN];
    char peer[STORE_ORIGIN_MAX + 1];
    uint64_t total;
    uint64_t next;        /* the offset of the next piece to ask for */
    int64_t asked_ms;     /* last ask or piece taken; 0: to be asked from the start */
    int finishing;        /* complete, being checked (finish_work) */
};

struct doclane {
    store *st;
    eventlog *log;
    const crypto_identity *id;
    const char *self;
    doclane_send_fn send;
    void *arg;
    uv_timer_t tick;
    char dir[BLOB_PATH_MAX];
    struct want *w;
    size_t n, cap;
    int rescan;
    uint64_t chunks_in, bytes_in, chunks_out, bytes_out, completed, bad;
};

static void on_tick(uv_timer_t *t);

static void arm(doclane *dl)
{
    if (!uv_is_active((uv_handle_t *)&dl->tick))
        uv_timer_start(&dl->tick, on_tick, dl->rescan ? 0 : TICK_MS, 0);
}

int doclane_new(uv_loop_t *loop, store *st, eventlog *log, const crypto_identity *id,
                const char *self, doclane_send_fn send, void *arg, doclane **out)
{
    doclane *dl = calloc(1, sizeof *dl);
    *out = NULL;
    if (!dl)
        return -ENOMEM;
    *dl = (doclane){.st = st, .log = log, .id = id, .self = self, .send = send, .arg = arg,
                    .rescan = 1};
    int rc = blob_dir(st, 1, dl->dir);
    if (rc) {
        free(dl);
        return rc;
    }
    uv_timer_init(loop, &dl->tick);
    dl->tick.data = dl;
    arm(dl);
    *out = dl;
    return 0;
}

void doclane_free(doclane **dl)
{
    if (!dl || !*dl)
        return;
    free((*dl)->w);
    free(*dl);
    *dl = NULL;
}

void doclane_changed(doclane *dl)
{
    dl->rescan = 1;
    uv_timer_stop(&dl->tick);
    arm(dl);
}

static struct want *want_for(doclane *dl, const uint8_t *hash, size_t len)
{
    for (size_t i = 0; len == CRYPTO_HASH_LEN && i < dl->n; i++)
        if (memcmp(dl->w[i].hash, hash, CRYPTO_HASH_LEN) == 0)
            return &dl->w[i];
    return NULL;
}

/* ---- finding what is missing ---------------------------------------------------------- */

/* The node this node got the case from: the holder before its latest period here. */
static const char *source_of(const Jiefen__CaseView *v, const char *self)
{
    for (size_t p = v->n_period_holders; p-- > 1;)
        if (strcmp(v->period_holders[p], self) == 0 && strcmp(v->period_holders[p - 1], self))
            return v->period_holders[p - 1];
    return NULL;
}

struct scan {
    doclane *dl;
    MDB_txn *txn;
    const char *source;
    unsigned missing;
    char done[64][FOLD_CASE_ID_MAX + 1]; /* cases with nothing missing any more */
    size_t n_done;
};

static int want_doc(const Jiefen__Event *ev, const Jiefen__DocSecret *s, void *arg)
{
    (void)s;
    struct scan *sc = arg;
    doclane *dl = sc->dl;
    const Jiefen__DocAttached *d = ev->doc_attached;
    if (d->blob_hash.len != CRYPTO_HASH_LEN || blob_exists(dl->dir, d->blob_hash.data))
        return 0;
    sc->missing++;
    if (want_for(dl, d->blob_hash.data, d->blob_hash.len))
        return 0;
    struct want *grown = array_room(dl->w, dl->n, &dl->cap, sizeof *grown, 8);
    if (!grown)
        return -ENOMEM;
    dl->w = grown;
    struct want *w = &dl->w[dl->n++];
    memset(w, 0, sizeof *w);
    memcpy(w->hash, d->blob_hash.data, CRYPTO_HASH_LEN);
    snprintf(w->peer, sizeof w->peer, "%s", sc->source);
    w->total = d->sealed_size;
    return 0;
}

static int scan_case(const MDB_val *k, const MDB_val *val, void *arg)
{
    (void)val;
    struct scan *sc = arg;
    MDB_txn *txn = sc->txn;
    char id[FOLD_CASE_ID_MAX + 1];
    Jiefen__CaseView *v = NULL;
    snprintf(id, sizeof id, "%.*s", (int)k->mv_size, (const char *)k->mv_data);
    int rc = caseindex_get(sc->dl->st, txn, id, &v);
    sc->source = v ? source_of(v, sc->dl->self) : NULL;
    sc->missing = 0;
    if (rc == 0 && sc->source)
        rc = document_each(sc->dl->st, txn, sc->dl->id, sc->dl->self, v, want_doc, sc);
    if (rc == 0 && !sc->missing && sc->n_done < sizeof sc->done / sizeof sc->done[0])
        snprintf(sc->done[sc->n_done++], sizeof sc->done[0], "%s", id);
    case_view_free(&v);
    return rc;
}

/* Drops the cases with nothing missing from `docwant` (in the log's next commit: the loop
 * never waits for the store's one writer). */
struct forget {
    char (*ids)[FOLD_CASE_ID_MAX + 1];
    size_t n;
};

static int forget_apply(eventlog_tx *tx, void *arg)
{
    struct forget *f = arg;
    for (size_t i = 0; i < f->n; i++) {
        int rc = store_del(tx->txn, tx->st->docwant, f->ids[i], strlen(f->ids[i]));
        if (rc && rc != JF_ENOTFOUND)
            return rc;
    }
    return 0;
}

static void forget_done(void *arg, int status)
{
    struct forget *f = arg;
    if (status)
        log_warn("doclane", "cannot update the cases waiting for documents (%s)",
                 jf_strerror(status));
    free(f->ids);
    free(f);
}

static void forget(doclane *dl, struct scan *sc)
{
    struct forget *f = calloc(1, sizeof *f);
    if (f && (f->ids = malloc(sc->n_done * sizeof *f->ids))) {
        memcpy(f->ids, sc->done, sc->n_done * sizeof *f->ids);
        f->n = sc->n_done;
        if (eventlog_submit(dl->log, forget_apply, forget_done, f) == 0)
            return;
        free(f->ids);
    }
    free(f);
}

/* Reads every case waiting for documents and adds the blobs missing here to the wants. */
static void scan(doclane *dl)
{
    struct scan *sc = calloc(1, sizeof *sc);
    int rc = sc ? store_txn_begin(dl->st, MDB_RDONLY, &sc->txn) : -ENOMEM;
    dl->rescan = 0;
    if (rc == 0) {
        sc->dl = dl;
        rc = store_walk(sc->txn, dl->st->docwant, NULL, scan_case, sc);
        store_txn_abort(sc->txn);
    }
    if (rc) {
        log_warn("doclane", "cannot read the cases waiting for documents (%s)",
                 jf_strerror(rc));
        dl->rescan = 1;
    } else if (sc->n_done) {
        forget(dl, sc);
    }
    free(sc);
}

/* ---- asking and answering ------------------------------------------------------------ */

/* Asks for the piece at w->next and moves it on. 0, or the send's error. */
static int ask_next(doclane *dl, struct want *w)
{
    Jiefen__DocWant q = JIEFEN__DOC_WANT__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    q.hash = (ProtobufCBinaryData){CRYPTO_HASH_LEN, w->hash};
    q.offset = w->next;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_DOC_WANT;
    m.doc_want = &q;
    int rc = dl->send(dl->arg, w->peer, &m);
    if (rc == 0)
        w->next += DOCLANE_CHUNK;
    return rc;
}

/* Asks afresh from what the partial blob holds: DOCLANE_WINDOW pieces ahead. */
static void ask(doclane *dl, struct want *w, int64_t now)
{
    w->next = blob_partial_size(dl->dir, w->hash);
    int rc = 0;
    for (int i = 0; i < DOCLANE_WINDOW && rc == 0 && (i == 0 || w->next < w->total); i++)
        rc = ask_next(dl, w);
    w->asked_ms = rc == 0 ? now : now - DOCLANE_RETRY_MS + TICK_MS;
}

static void on_tick(uv_timer_t *t)
{
    doclane *dl = t->data;
    int64_t now = clock_now_ms();
    size_t active = 0;
    if (dl->rescan)
        scan(dl);
    /* A blob being checked holds no place: the next one is fetched meanwhile. */
    for (size_t i = 0; i < dl->n && active < DOCLANE_PARALLEL; i++) {
        if (dl->w[i].finishing)
            continue;
        active++;
        if (!dl->w[i].asked_ms || now - dl->w[i].asked_ms >= DOCLANE_RETRY_MS)
            ask(dl, &dl->w[i], now);
    }
    if (dl->n || dl->rescan)
        uv_timer_start(&dl->tick, on_tick, TICK_MS, 0);
}

static void serve(doclane *dl, const char *peer, const Jiefen__DocWant *q)
{
    Jiefen__DocChunk c = JIEFEN__DOC_CHUNK__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    uint8_t *buf = malloc(DOCLANE_CHUNK);
    size_t got = 0;
    int rc = buf && q->hash.len == CRYPTO_HASH_LEN ? blob_size(dl->dir, q->hash.data, &c.total)
                                                   : JF_EINVAL;
    if (rc == 0)
        rc = blob_read(dl->dir, q->hash.data, q->offset, buf, DOCLANE_CHUNK, &got);
    c.hash = q->hash;
    c.offset = q->offset;
    c.data = (ProtobufCBinaryData){got, buf};
    c.missing = rc != 0;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_DOC_CHUNK;
    m.doc_chunk = &c;
    if (q->hash.len == CRYPTO_HASH_LEN && dl->send(dl->arg, peer, &m) == 0 && !c.missing) {
        dl->chunks_out++;
        dl->bytes_out += got;
    }
    free(buf);
}

/* A whole blob being checked against its name on the loop's thread pool (fsync and a hash
 * of up to 20 MiB have no place on the loop). */
struct finishing {
    uv_work_t req;
    doclane *dl;
    uint8_t hash[CRYPTO_HASH_LEN];
    char peer[STORE_ORIGIN_MAX + 1];
    int rc;
};

static void finish_work(uv_work_t *req)
{
    struct finishing *f = req->data;
    f->rc = blob_partial_finish(f->dl->dir, f->hash);
}

/* Kept, or fetched again from 0 (counted) when it did not match its hash. */
static void finish_after(uv_work_t *req, int status)
{
    struct finishing *f = req->data;
    doclane *dl = f->dl;
    struct want *w = want_for(dl, f->hash, CRYPTO_HASH_LEN);
    char hex[BLOB_HEX];
    crypto_hex(f->hash, CRYPTO_HASH_LEN, hex);
    int rc = status ? status : f->rc;
    free(f);
    if (!w)
        return;
    w->finishing = 0;
    if (rc == JF_ECORRUPT) {
        dl->bad++;
        log_warn("doclane", "document %.16s from %s does not match its hash: fetched again",
                 hex, w->peer);
        w->asked_ms = 0;
    } else if (rc) {
        log_warn("doclane", "cannot keep document %.16s (%s)", hex, jf_strerror(rc));
        w->asked_ms = clock_now_ms();
    } else {
        dl->completed++;
        log_info("doclane", "document %.16s arrived from %s", hex, w->peer);
        *w = dl->w[--dl->n];
    }
    doclane_changed(dl);
}

static void finish(doclane *dl, struct want *w)
{
    struct finishing *f = calloc(1, sizeof *f);
    if (f) {
        f->req.data = f;
        f->dl = dl;
        memcpy(f->hash, w->hash, CRYPTO_HASH_LEN);
        if (uv_queue_work(dl->tick.loop, &f->req, finish_work, finish_after) == 0) {
            w->finishing = 1;
            return;
        }
        free(f);
    }
    w->asked_ms = clock_now_ms(); /* the next ask finds it whole and finishes it again */
}

static void take(doclane *dl, const char *peer, const Jiefen__DocChunk *c)
{
    struct want *w = want_for(dl, c->hash.data, c->hash.len);
    if (!w || w->finishing || strcmp(w->peer, peer))
        return;
    if (c->missing) /* not there yet: asked again after DOCLANE_RETRY_MS */
        return;
    /* Not synced here (the loop does not wait for the disk), its write-back only started
     * (blob.h): a kill -9 loses nothing written, a piece lost to a power cut shows in the
     * hash; finish_work syncs. */
    int rc = c->data.len ? blob_partial_append(dl->dir, w->hash, c->offset, c->data.data,
                                               c->data.len, 0)
                         : 0;
    /* -ESPIPE: a piece answering a repeated ask, already taken; the other answer goes on. */
    if (rc == -ESPIPE)
        return;
    if (rc) {
        log_warn("doclane", "cannot write a document piece (%s)", jf_strerror(rc));
        w->asked_ms = clock_now_ms();
        return;
    }
    dl->chunks_in++;
    dl->bytes_in += c->data.len;
    w->total = c->total;
    w->asked_ms = clock_now_ms();
    if (c->offset + c->data.len >= c->total)
        finish(dl, w);
    else if (w->next < w->total && ask_next(dl, w))
        w->asked_ms = 0; /* asked afresh at the next tick */
}

void doclane_received(doclane *dl, const char *peer, const Jiefen__LinkMessage *m)
{
    if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOC_WANT)
        serve(dl, peer, m->doc_want);
    else if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOC_CHUNK)
        take(dl, peer, m->doc_chunk);
}

json_t *doclane_json(const doclane *dl)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "wanted", (json_int_t)dl->n,
                     "chunks_in", (json_int_t)dl->chunks_in, "bytes_in",
                     (json_int_t)dl->bytes_in, "chunks_out", (json_int_t)dl->chunks_out,
                     "bytes_out", (json_int_t)dl->bytes_out, "completed",
                     (json_int_t)dl->completed, "bad_blobs", (json_int_t)dl->bad);
}
