/*
 * bench_apply_floor — a floor under a parent's applying of a received backlog: the LMDB
 * writes that folding a received case opening makes (ingest.c, caseindex.c, agenda.c,
 * party.c), on fixed bytes of the sizes bench_backlog's intakes have (an event of 304
 * bytes, a view of 190, two parties), with no decoding, checking, view building or
 * packing: the event put; the view looked for (absent) and put; the status counter moved;
 * the `opened` entry; the 待办 journal's slot and its newest number moved; each party's tag
 * entry and the case's pending party check. The counters are gathered per transaction as
 * the applier gathers them (tally.h), and the keys made by the fold's own functions. Left out, so
 * that it stays a lower bound: the origin's head (once per run of events), the registry
 * and parked-event reads. N cases in transactions of GROUP (8,000 by default: a group of
 * 8 batches), each committed durably as the applier commits, into a new store in
 * DIR/folded; and first the events alone, in DIR/events (what a tier must store whatever it
 * derives). Prints wall seconds per 100,000, the commits' share and CPU seconds; asserts
 * nothing.
 *
 *   bench_apply_floor DIR [N [GROUP]]
 */
#include "case/agenda.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "error.h"
#include "store.h"
#include "tally.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#define EVENT_BYTES 304
#define VIEW_BYTES 190

static uint64_t group = 8000;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* The received event's own write: what a tier must store whatever it derives. */
static int event_only(store *st, MDB_txn *txn, uint64_t seq, const uint8_t *event,
                      const uint8_t *view)
{
    uint8_t key[STORE_KEY_MAX];
    (void)view;
    return store_put(txn, st->events, key, store_event_key("V001", seq, key), event, EVENT_BYTES, 0);
}

/* One received case opening's writes, as the fold makes them. */
static int one_case(store *st, MDB_txn *txn, uint64_t seq, const uint8_t *event,
                    const uint8_t *view)
{
    char id[40], status[32];
    uint8_t okey[8 + FOLD_CASE_ID_MAX];
    MDB_val d;
    int len = snprintf(id, sizeof id, "V001-2026-%06llu", (unsigned long long)seq);
    int rc = event_only(st, txn, seq, event, view);
    if (rc == 0 && (rc = store_get(txn, st->cases, id, (size_t)len, &d)) == JF_ENOTFOUND)
        rc = store_put(txn, st->cases, id, (size_t)len, view, VIEW_BYTES, 0);
    caseindex_status_key(CASE_STATUS(OPEN), status);
    if (rc == 0)
        rc = tally_add(st, txn, st->meta, status, strlen(status), STORE_NATIVE, 1, NULL);
    size_t olen = caseindex_opened_key(1765000000000LL + (int64_t)seq, id, okey);
    if (rc == 0)
        rc = store_put(txn, st->opened, okey, olen, "", 0, 0);
    for (int p = 0; p < 2 && rc == 0; p++) { /* party.c: tag, then case id */
        uint8_t pkey[16 + 40];
        memset(pkey, 0x30 + p, 16);
        memcpy(pkey + 16, id, (size_t)len);
        rc = store_put(txn, st->parties, pkey, 16 + (size_t)len, "", 0, 0);
    }
    char pending[12 + 40];
    int plen = snprintf(pending, sizeof pending, "party_check:%s", id);
    if (rc == 0)
        rc = store_put(txn, st->meta, pending, (size_t)plen, "", 0, 0);
    int64_t none[AGENDA_N] = {0}; /* a case held below: no item here, its change journaled */
    return rc ? rc : agenda_case_update(st, txn, id, 0, none, 0, none);
}

typedef int (*write_fn)(store *st, MDB_txn *txn, uint64_t seq, const uint8_t *event,
                        const uint8_t *view);

/* n cases written by fn into a new store in dir/name, `group` per durable commit, and the
 * figures printed as `what`. 0 or 1. */
static int measure(const char *dir, const char *name, uint64_t n, write_fn fn,
                   const char *what)
{
    uint8_t event[EVENT_BYTES], view[VIEW_BYTES];
    char path[4096];
    store *st;
    memset(event, 0x5a, sizeof event);
    memset(view, 0xa5, sizeof view);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    /* A new store each time: one written before would make every put an overwrite. */
    if (mkdir(path, 0700)) {
        fprintf(stderr, "bench_apply_floor: cannot make %s (a new directory): %s\n", path,
                strerror(errno));
        return 1;
    }
    int rc = store_open(path, (size_t)1 << 30, 1, &st);
    if (rc) {
        fprintf(stderr, "bench_apply_floor: cannot open a store in %s: %s\n", path,
                mdb_strerror(rc));
        return 1;
    }
    double t0 = now_s(), c0 = cpu_s(), committing = 0;
    for (uint64_t i = 1; rc == 0 && i <= n; i += group) {
        MDB_txn *txn;
        tally counters;
        if ((rc = store_txn_begin(st, 0, &txn)))
            break;
        tally_begin(st, txn, &counters);
        for (uint64_t s = i; rc == 0 && s < i + group && s <= n; s++)
            rc = fn(st, txn, s, event, view);
        int flushed = tally_end(st, rc == 0);
        rc = rc ? rc : flushed;
        double t = now_s();
        rc = rc ? (store_txn_abort(txn), rc) : store_txn_commit(txn);
        committing += now_s() - t;
    }
    double wall = now_s() - t0, cpu = cpu_s() - c0;
    store_close(&st);
    if (rc) {
        fprintf(stderr, "bench_apply_floor: the store failed: %s%s\n", mdb_strerror(rc),
                rc == MDB_MAP_FULL ? " (its map is 1 GiB: give a smaller N)" : "");
        return 1;
    }
    printf("apply floor, %s: %.2f s wall per 100,000, of which %.2f s in the commits (pages "
           "written, fsync); %.2f s CPU\n",
           what, wall * 100000 / n, committing * 100000 / n, cpu * 100000 / n);
    return 0;
}

/* A count from the command line: digits only, 1 to max. 0 if it is not one. */
static uint64_t count_arg(const char *s, uint64_t max)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (s[0] < '0' || s[0] > '9' || *end || errno || v == 0 || v > max)
        return 0;
    return v;
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: bench_apply_floor DIR [N [GROUP]]\n");
        return 2;
    }
    uint64_t n = argc > 2 ? count_arg(argv[2], 10000000) : 100000;
    if (argc > 3)
        group = count_arg(argv[3], 10000000);
    if (n == 0 || group == 0) {
        fprintf(stderr, "bench_apply_floor: N and GROUP must be whole numbers from 1 to "
                        "10,000,000\n");
        return 2;
    }
    if (mkdir(argv[1], 0700) && errno != EEXIST) {
        fprintf(stderr, "bench_apply_floor: cannot make %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    printf("%llu received case openings, %llu per durable commit, one core (the applier's "
           "whole fold beside it in bench_network):\n", (unsigned long long)n,
           (unsigned long long)group);
    return measure(argv[1], "events", n, event_only, "the events alone") ||
           measure(argv[1], "folded", n, one_case, "the fold's writes");
}
