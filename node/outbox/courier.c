#include "outbox/courier.h"
#include "array.h"
#include "clock.h"
#include "error.h"
#include "log.h"
#include "outbox/outbox.h"

#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BATCH 256               /* messages taken per look; decisions saved together */
#define IDLE_MS 30000           /* looks at least this often (expiry, quiet hours' end) */
#define RECHECK_MS (30 * 86400000LL) /* a message waiting for a gateway is looked at again */
#define WHY_MAX 160
#define ERROR_PAUSE_MS 1000     /* after a store error, before the next look */

struct courier {
    store *st;
    const crypto_identity *id;
    struct courier_adapter a;
    outbox_rate *rate;
    uint8_t rate_key[crypto_shorthash_KEYBYTES]; /* numbers are counted by a keyed hash */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int kicked, started;
    atomic_int stop;
};

struct due {
    int64_t now_ms, wake_ms;
    uint64_t ids[BATCH];
    size_t n;
};

/* Records decided without an attempt (expired, held, waiting), saved in one transaction. */
struct decided {
    Jiefen__NotifyRecord *recs[BATCH];
    size_t n;
};

static int collect_one(const Jiefen__NotifyRecord *rec, void *arg)
{
    struct due *d = arg;
    if (d->n == BATCH) {
        d->wake_ms = d->now_ms; /* more are due: look again at once */
        return STORE_STOP;
    }
    d->ids[d->n++] = rec->id;
    return 0;
}

/* The messages due now into d (read from the due index: what waits beyond costs nothing);
 * d->wake_ms: when the next one falls due. */
static int collect(courier *c, struct due *d)
{
    MDB_txn *txn;
    int64_t next;
    store_read_begin(c->st);
    int rc = store_txn_begin(c->st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = outbox_each_due(c->st, txn, c->a.system, d->now_ms, &next, collect_one, d);
        store_txn_abort(txn);
        if (next < d->wake_ms)
            d->wake_ms = next;
    }
    store_read_end(c->st);
    return rc;
}

/* Stores recs[0..n) in one transaction (why, if not NULL, as the last error of the only
 * one). 0 or a store error (logged). */
static int save_all(courier *c, Jiefen__NotifyRecord *const *recs, size_t n, const char *why)
{
    MDB_txn *txn;
    store_read_begin(c->st);
    int rc = store_txn_begin(c->st, 0, &txn);
    if (rc == 0) {
        for (size_t i = 0; rc == 0 && i < n; i++) {
            Jiefen__NotifyRecord r = *recs[i];
            if (why)
                r.last_error = (char *)why;
            rc = outbox_put(c->st, txn, &r);
        }
        if (rc == 0)
            rc = store_txn_commit(txn);
        else
            store_txn_abort(txn);
    }
    store_read_end(c->st);
    if (rc)
        log_warn("outbox", "%s: cannot record %zu message(s) (%s)", c->a.system, n,
                 jf_strerror(rc));
    return rc;
}

static int save(courier *c, Jiefen__NotifyRecord *rec, const char *why)
{
    return save_all(c, &rec, 1, why);
}

/* The message id with its payload, read in a transaction of its own. */
static int load(courier *c, uint64_t id, Jiefen__NotifyRecord **rec, Jiefen__NotifyPayload **p)
{
    MDB_txn *txn;
    *rec = NULL;
    *p = NULL;
    store_read_begin(c->st);
    int rc = store_txn_begin(c->st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = outbox_get(c->st, txn, id, rec);
        if (rc == 0 && *rec && !outbox_done((*rec)->status))
            rc = outbox_payload(c->st, txn, c->id, id, p);
        store_txn_abort(txn);
    }
    store_read_end(c->st);
    return rc;
}

static int local_minute(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    localtime_r(&t, &tm);
    return tm.tm_hour * 60 + tm.tm_min;
}

static uint64_t number_key(const courier *c, const char *recipient)
{
    uint8_t h[crypto_shorthash_BYTES];
    uint64_t k = 0;
    crypto_shorthash(h, (const uint8_t *)recipient, strlen(recipient), c->rate_key);
    memcpy(&k, h, sizeof k);
    return k;
}

/* What a message's expiry counts from. */
static int64_t since_ms(const Jiefen__NotifyRecord *rec)
{
    return rec->retried_ms ? rec->retried_ms : rec->created_ms;
}

/* at, or rec's expiry (the rules as configured now) if that comes first: a message held,
 * backed off or waiting is looked at again no later than when it expires. */
static int64_t by_expiry(const courier *c, const Jiefen__NotifyRecord *rec, int64_t at)
{
    int64_t expires = outbox_rules_expires_at(&c->a.rules, since_ms(rec));
    return expires < at ? expires : at;
}

/* When a message waiting for a gateway is next looked at: at once when there is one now,
 * else when it expires, or in RECHECK_MS (a 回单 owed for ever). */
static int64_t waiting_due(const courier *c, const Jiefen__NotifyRecord *rec, int64_t now)
{
    return c->a.configured ? now : by_expiry(c, rec, now + RECHECK_MS);
}

/* One attempt of rec, recorded as sending first. 0 or a store error. */
static int attempt(courier *c, Jiefen__NotifyRecord *rec, const Jiefen__NotifyPayload *p,
                   int64_t now)
{
    char why[WHY_MAX] = "";
    rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_SENDING;
    rec->attempts++;
    rec->waiting_gateway = 0;
    /* If this process dies in flight, the message is tried again after this. */
    rec->next_ms = now + outbox_rules_backoff(&c->a.rules, rec->attempts, randombytes_random());
    int rc = save(c, rec, NULL);
    if (rc || (rc = outbox_rate_note(c->rate, number_key(c, p->recipient), now)))
        return rc;
    enum courier_result r = c->a.send(c->a.ctx, rec, p, &c->stop, why, sizeof why);
    int64_t done = clock_now_ms();
    switch (r) {
    case COURIER_SENT:
    case COURIER_DELIVERED:
        rec->status = r == COURIER_SENT ? JIEFEN__NOTIFY_STATUS__NOTIFY_SENT
                                        : JIEFEN__NOTIFY_STATUS__NOTIFY_DELIVERED;
        rec->done_ms = done;
        log_info("outbox", "message %llu (%s to %s) %s after %u attempt(s)",
                 (unsigned long long)rec->id, rec->template_, rec->masked,
                 outbox_status_code(rec->status), rec->attempts);
        if (why[0]) { /* the adapter's account of the answer */
            Jiefen__NotifyRecord r = *rec;
            r.answer = why;
            return save(c, &r, NULL);
        }
        break;
    case COURIER_REFUSED:
        rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_FAILED;
        rec->done_ms = done;
        log_warn("outbox", "message %llu (%s to %s) failed: %s", (unsigned long long)rec->id,
                 rec->template_, rec->masked, why);
        break;
    case COURIER_RETRY: /* the back-off counts from the failure, however long it took */
        if (c->a.rules.max_attempts && rec->attempts >= c->a.rules.max_attempts) {
            rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_FAILED;
            rec->done_ms = done;
            log_warn("outbox", "message %llu (%s to %s) failed after %u attempts: %s",
                     (unsigned long long)rec->id, rec->template_, rec->masked, rec->attempts,
                     why);
            break;
        }
        rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED;
        rec->next_ms = by_expiry(c, rec, done + outbox_rules_backoff(&c->a.rules, rec->attempts,
                                                                     randombytes_random()));
        log_info("outbox", "message %llu (%s to %s): %s; attempt %u again later",
                 (unsigned long long)rec->id, rec->template_, rec->masked, why,
                 rec->attempts + 1);
        break;
    }
    return save(c, rec, why[0] ? why : NULL);
}

/* What the rules say for rec now: 1 if it may be attempted, else 0 with rec changed to
 * what is to be recorded (expired, waiting for a gateway, held, waiting). Without a
 * gateway nothing else is said: the quiet hours or the rate would only hide what keeps
 * the message here. */
static int decide(courier *c, Jiefen__NotifyRecord *rec, const Jiefen__NotifyPayload *p,
                  int64_t now)
{
    int64_t until = 0, since = since_ms(rec);
    int64_t free_at = outbox_rate_free_at(c->rate, number_key(c, p->recipient), now,
                                          c->a.rules.rate_per_hour);
    enum outbox_step step = outbox_rules_step(&c->a.rules, now, local_minute(now), since,
                                              rec->next_ms, free_at, &until);
    if (step != OUTBOX_EXPIRE && !c->a.configured) {
        /* Until a gateway is configured (courier_start), or it expires. */
        rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED;
        rec->waiting_gateway = 1;
        rec->next_ms = waiting_due(c, rec, now);
        return 0;
    }
    switch (step) {
    case OUTBOX_EXPIRE:
        rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_EXPIRED;
        rec->done_ms = now;
        log_warn("outbox", "message %llu (%s to %s) expired unsent after %u attempt(s)",
                 (unsigned long long)rec->id, rec->template_, rec->masked, rec->attempts);
        return 0;
    case OUTBOX_HOLD:
        rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_HELD;
        rec->next_ms = by_expiry(c, rec, until);
        return 0;
    case OUTBOX_WAIT:
        rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED;
        rec->next_ms = by_expiry(c, rec, until);
        return 0;
    case OUTBOX_SEND:
        return 1;
    }
    return 0;
}

/* Decides and does what is due for message id: an attempt is made and recorded at once;
 * any other decision joins dec, to be recorded with the batch's. 0, or the store error
 * that stopped it. */
static int step(courier *c, uint64_t id, struct decided *dec)
{
    Jiefen__NotifyRecord *rec;
    Jiefen__NotifyPayload *p;
    int rc = load(c, id, &rec, &p);
    if (rc || !rec || !p || strcmp(rec->system, c->a.system)) {
        if (rc)
            log_warn("outbox", "message %llu: cannot read it (%s)", (unsigned long long)id,
                     jf_strerror(rc));
    } else {
        int64_t now = clock_now_ms();
        if (decide(c, rec, p, now))
            rc = attempt(c, rec, p, now);
        else {
            dec->recs[dec->n++] = rec;
            rec = NULL;
        }
    }
    if (rec)
        jiefen__notify_record__free_unpacked(rec, NULL);
    if (p)
        jiefen__notify_payload__free_unpacked(p, NULL);
    return rc;
}

/* Does what is due of d; 0 or -1 if the store failed. */
static int work(courier *c, const struct due *d)
{
    struct decided dec = {.n = 0};
    int rc = 0;
    for (size_t i = 0; i < d->n && !atomic_load(&c->stop); i++)
        if (step(c, d->ids[i], &dec))
            rc = -1;
    if (dec.n && save_all(c, dec.recs, dec.n, NULL)) {
        rc = -1;
        /* One record that cannot be saved must not hold back the others' decisions. */
        for (size_t i = 0; dec.n > 1 && i < dec.n; i++)
            (void)save(c, dec.recs[i], NULL);   /* each failure is logged */
    }
    for (size_t i = 0; i < dec.n; i++)
        jiefen__notify_record__free_unpacked(dec.recs[i], NULL);
    return rc;
}

/* Waits until wake_ms (this process's clock), a kick or the stop. */
static void wait_until(courier *c, int64_t wake_ms)
{
    int64_t delay = wake_ms - clock_now_ms();
    if (delay > IDLE_MS)
        delay = IDLE_MS;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    if (delay > 0) {
        ts.tv_sec += (time_t)(delay / 1000);
        ts.tv_nsec += (long)(delay % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&c->mu);
    while (delay > 0 && !c->kicked && !atomic_load(&c->stop))
        if (pthread_cond_timedwait(&c->cv, &c->mu, &ts) == ETIMEDOUT)
            break;
    c->kicked = 0;
    pthread_mutex_unlock(&c->mu);
}

struct ids {
    uint64_t *v;
    size_t n, cap;
    const courier *c;
    int64_t now_ms;
};

static int note_waiting(const Jiefen__NotifyRecord *rec, void *arg)
{
    struct ids *w = arg;
    if (!rec->waiting_gateway ||
        (!w->c->a.configured && rec->next_ms <= waiting_due(w->c, rec, w->now_ms)))
        return 0;   /* nothing to change: no gateway yet, not due later than it should be */
    uint64_t *v = array_room(w->v, w->n, &w->cap, sizeof *v, BATCH);
    if (!v)
        return -ENOMEM;
    w->v = v;
    v[w->n++] = rec->id;
    return 0;
}

/* Messages ids[0..n) that waited for a gateway, due again as waiting_due says, in txn. */
static int rewait_in(courier *c, MDB_txn *txn, const uint64_t *ids, size_t n, int64_t now)
{
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        Jiefen__NotifyRecord *rec;
        if ((rc = outbox_get(c->st, txn, ids[i], &rec)) || !rec)
            continue;
        if (rec->waiting_gateway && !outbox_done(rec->status)) {
            rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED;   /* not held any more */
            rec->next_ms = waiting_due(c, rec, now);
            rec->waiting_gateway = !c->a.configured;
            rc = outbox_put(c->st, txn, rec);
        }
        jiefen__notify_record__free_unpacked(rec, NULL);
    }
    return rc;
}

static int rewait(courier *c, const uint64_t *ids, size_t n, int64_t now)
{
    MDB_txn *txn;
    store_read_begin(c->st);
    int rc = store_txn_begin(c->st, 0, &txn);
    if (rc == 0) {
        rc = rewait_in(c, txn, ids, n, now);
        rc = rc ? (store_txn_abort(txn), rc) : store_txn_commit(txn);
    }
    store_read_end(c->st);
    return rc;
}

/* At start: the messages left waiting for a gateway go now if there is one (else when
 * they expire under the rules as they are now), in transactions of BATCH. */
static int release_waiting(courier *c)
{
    struct ids w = {.c = c, .now_ms = clock_now_ms()};
    MDB_txn *txn;
    int64_t next;
    store_read_begin(c->st);
    int rc = store_txn_begin(c->st, MDB_RDONLY, &txn);
    if (rc == 0) {
        rc = outbox_each_due(c->st, txn, c->a.system, INT64_MAX, &next, note_waiting, &w);
        store_txn_abort(txn);
    }
    store_read_end(c->st);
    for (size_t i = 0; rc == 0 && i < w.n; i += BATCH)
        rc = rewait(c, w.v + i, w.n - i < BATCH ? w.n - i : BATCH, w.now_ms);
    free(w.v);
    if (rc)
        log_warn("outbox", "%s: cannot look at the messages waiting for a gateway (%s)",
                 c->a.system, jf_strerror(rc));
    return rc;
}

static void *run(void *arg)
{
    courier *c = arg;
    while (release_waiting(c) && !atomic_load(&c->stop))
        wait_until(c, clock_now_ms() + ERROR_PAUSE_MS);
    while (!atomic_load(&c->stop)) {
        struct due d = {.now_ms = clock_now_ms()};
        d.wake_ms = d.now_ms + IDLE_MS;
        int rc = collect(c, &d);
        if (rc)
            log_warn("outbox", "cannot read the outbox (%s)", jf_strerror(rc));
        else
            rc = work(c, &d);
        /* What was done may have made others due: look again at once, unless the store
         * failed (then not before a pause, rather than spinning). */
        if (rc)
            wait_until(c, clock_now_ms() + ERROR_PAUSE_MS);
        else
            wait_until(c, d.n ? d.now_ms : d.wake_ms);
    }
    return NULL;
}

courier *courier_new(store *st, const crypto_identity *id, const struct courier_adapter *a)
{
    courier *c = calloc(1, sizeof *c);
    if (!c || !(c->rate = outbox_rate_new())) {
        free(c);
        return NULL;
    }
    c->st = st;
    c->id = id;
    c->a = *a;
    crypto_random(c->rate_key, sizeof c->rate_key);
    atomic_init(&c->stop, 0);
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    return c;
}

int courier_start(courier *c)
{
    int rc = pthread_create(&c->thread, NULL, run, c);
    if (rc)
        return -rc;
    c->started = 1;
    if (!c->a.configured)
        log_warn("outbox", "no %s gateway configured: messages wait in the outbox",
                 c->a.system);
    return 0;
}

void courier_kick(courier *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->kicked = 1;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

void courier_free(courier **cp)
{
    if (!cp || !*cp)
        return;
    courier *c = *cp;
    atomic_store(&c->stop, 1);
    courier_kick(c);
    if (c->started)
        pthread_join(c->thread, NULL);
    pthread_cond_destroy(&c->cv);
    pthread_mutex_destroy(&c->mu);
    outbox_rate_free(&c->rate);
    sodium_memzero(c->rate_key, sizeof c->rate_key);
    free(c);
    *cp = NULL;
}
