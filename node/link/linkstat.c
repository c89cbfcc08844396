#include "link/linkstat.h"
#include "error.h"
#include "jiefen.pb-c.h"
#include "log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LOG_EVERY_MS 60000

static size_t peer_key(const char *id, char *key, size_t len)
{
    return (size_t)snprintf(key, len, "link:%s", id);
}

static uint64_t count_named(const Jiefen__LinkRecord *rec, const char *name)
{
    for (size_t i = 0; i < rec->n_reasons && i < rec->n_counts; i++)
        if (strcmp(rec->reasons[i], name) == 0)
            return rec->counts[i];
    return 0;
}

static Jiefen__LinkRecord *load(store *st, MDB_txn *txn, const char *key)
{
    Jiefen__LinkRecord *rec = NULL;
    int rc = STORE_GET_MESSAGE(txn, st->meta, key, strlen(key), &jiefen__link_record__descriptor,
                               &rec);
    if (rc)
        log_warn("link", "cannot read %s (%s): counting from zero", key, jf_strerror(rc));
    return rec;
}

void linkstat_peer_load(store *st, MDB_txn *txn, struct link_peer *p)
{
    char key[64];
    peer_key(p->id, key, sizeof key);
    Jiefen__LinkRecord *rec = load(st, txn, key);
    if (!rec)
        return;
    p->last_rx_ms = rec->last_contact_ms;
    p->applied = rec->applied;
    p->duplicates = rec->duplicates;
    p->disconnects = rec->disconnects;
    for (int i = 0; i < REJ_COUNT; i++)
        p->rejected[i] = count_named(rec, ingest_reason_name(i));
    jiefen__link_record__free_unpacked(rec, NULL);
}

void linkstat_refusals_load(store *st, MDB_txn *txn, struct link_refusals *r)
{
    Jiefen__LinkRecord *rec = load(st, txn, r->key);
    if (!rec)
        return;
    for (int i = 0; i < LINKMON_REASONS; i++)
        r->count[i] = count_named(rec, linkmon_reason_name(i));
    jiefen__link_record__free_unpacked(rec, NULL);
}

static int put(store *st, MDB_txn *txn, const char *key, Jiefen__LinkRecord *rec,
               const char **names, uint64_t *counts, size_t n)
{
    rec->reasons = (char **)names;
    rec->n_reasons = n;
    rec->counts = counts;
    rec->n_counts = n;
    return store_put_message(txn, st->meta, key, strlen(key), &rec->base);
}

static int save_peer(store *st, MDB_txn *txn, const struct link_peer *p)
{
    char key[64];
    const char *names[REJ_COUNT];
    uint64_t counts[REJ_COUNT];
    Jiefen__LinkRecord rec = JIEFEN__LINK_RECORD__INIT;
    peer_key(p->id, key, sizeof key);
    rec.last_contact_ms = p->last_rx_ms;
    rec.applied = p->applied;
    rec.duplicates = p->duplicates;
    rec.disconnects = p->disconnects;
    for (int i = 0; i < REJ_COUNT; i++) {
        names[i] = ingest_reason_name(i);
        counts[i] = p->rejected[i];
    }
    return put(st, txn, key, &rec, names, counts, REJ_COUNT);
}

static int save_refusals(store *st, MDB_txn *txn, const struct link_refusals *r)
{
    const char *names[LINKMON_REASONS];
    uint64_t counts[LINKMON_REASONS];
    Jiefen__LinkRecord rec = JIEFEN__LINK_RECORD__INIT;
    for (int i = 0; i < LINKMON_REASONS; i++) {
        names[i] = linkmon_reason_name(i);
        counts[i] = r->count[i];
    }
    return put(st, txn, r->key, &rec, names, counts, LINKMON_REASONS);
}

int linkstat_save(store *st, struct link_peer *peers, size_t n, struct link_refusals *r)
{
    size_t dirty = r && r->dirty;
    for (size_t i = 0; i < n; i++)
        dirty += peers[i].dirty;
    if (!dirty)
        return 0;
    MDB_txn *txn;
    int rc = store_txn_begin(st, 0, &txn);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (peers[i].dirty)
            rc = save_peer(st, txn, &peers[i]);
    if (rc == 0 && r && r->dirty)
        rc = save_refusals(st, txn, r);
    if (rc)
        store_txn_abort(txn);
    else
        rc = store_txn_commit(txn);
    if (rc) {
        log_warn("link", "cannot record the links' counters (%s)", jf_strerror(rc));
        return rc;
    }
    for (size_t i = 0; i < n; i++)
        peers[i].dirty = 0;
    if (r)
        r->dirty = 0;
    return 0;
}

void linkstat_seen(struct link_peer *p, int64_t now)
{
    p->last_rx_ms = now;
    p->dirty = 1;
    if (!p->online) {
        p->online = 1;
        p->since_ms = now;
        log_info("link", "%s is online", p->id);
    }
}

void linkstat_lost(struct link_peer *p, int64_t now)
{
    p->disconnects++;
    p->dirty = 1;
    p->fd = -1;
    if (p->online) {
        p->online = 0;
        p->since_ms = now;
        log_warn("link", "%s is offline (connection closed)", p->id);
    }
}

void linkstat_count(struct link_peer *p, const struct ingest_result *r)
{
    p->applied += r->applied;
    p->duplicates += r->duplicates;
    for (int i = 0; i < REJ_COUNT; i++)
        p->rejected[i] += r->rejected[i];
    p->dirty = 1;
}

/* The host part of "IP:PORT" or "[IP6]:PORT": one client opens many ports. */
static size_t host_len(const char *addr)
{
    const char *colon = strrchr(addr, ':');
    return colon && colon != addr ? (size_t)(colon - addr) : strlen(addr);
}

int linkstat_should_log(struct link_refusals *r, int reason, const char *addr, int64_t now)
{
    size_t len = host_len(addr);
    for (size_t i = 0; i < LINKSTAT_LOGGED; i++) {
        if (r->logged[i].reason == reason && host_len(r->logged[i].addr) == len &&
            strncmp(r->logged[i].addr, addr, len) == 0) {
            if (now - r->logged[i].ms < LOG_EVERY_MS)
                return 0;
            r->logged[i].ms = now;
            return 1;
        }
    }
    size_t slot = r->next++ % LINKSTAT_LOGGED;
    snprintf(r->logged[slot].addr, sizeof r->logged[slot].addr, "%s", addr);
    r->logged[slot].reason = reason;
    r->logged[slot].ms = now;
    return 1;
}

void linkstat_refused(struct link_refusals *r, const struct linkmon_event *ev,
                      const char *what, int64_t now)
{
    if (ev->reason < 0 || ev->reason >= LINKMON_REASONS)
        return;
    r->count[ev->reason]++;
    r->dirty = 1;
    /* An unenrolled key was logged with the key itself by the ZAP handler. */
    if (ev->reason != LINKMON_KEY && linkstat_should_log(r, ev->reason, ev->addr, now))
        log_warn("link", "%s: refused a connection from %s (%s; %llu so far)", what, ev->addr,
                 linkmon_reason_name(ev->reason), (unsigned long long)r->count[ev->reason]);
}

json_t *linkstat_peer_json(const struct link_peer *p)
{
    json_t *rej = json_object();
    uint64_t total = 0;
    for (int i = 0; i < REJ_COUNT; i++) {
        json_object_set_new(rej, ingest_reason_name(i),
                            json_integer((json_int_t)p->rejected[i]));
        total += p->rejected[i];
    }
    return json_pack("{s:s, s:b, s:I, s:o, s:o, s:I, s:I, s:I, s:I, s:o}", "peer", p->id,
                     "online", p->online, "since_ms", (json_int_t)p->since_ms,
                     "last_contact_ms", p->last_rx_ms ? json_integer(p->last_rx_ms) : json_null(),
                     "last_ack_ms", p->last_ack_ms ? json_integer(p->last_ack_ms) : json_null(),
                     "applied", (json_int_t)p->applied, "duplicates", (json_int_t)p->duplicates,
                     "disconnects", (json_int_t)p->disconnects, "rejected_total",
                     (json_int_t)total, "rejected", rej);
}

json_t *linkstat_refusals_json(const struct link_refusals *r)
{
    json_t *j = json_object();
    for (int i = 0; i < LINKMON_REASONS; i++)
        json_object_set_new(j, linkmon_reason_name(i), json_integer((json_int_t)r->count[i]));
    return j;
}
