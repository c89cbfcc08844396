/* The monthly ledger over a county store of N cases (default 1,000,000): how long
 * ledger_compute takes and how much memory it needs. The cases are synthetic views written
 * straight into a fresh store (1 county, 10 townships, 100 villages), a month's worth of
 * them in the period asked for.
 *
 *   bench_ledger DIR [N]      prints seconds, cases/s and peak memory */
#include "case.h"
#include "clock.h"
#include "ledger.h"
#include "reference.h"
#include "registry.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define DAY 86400000LL
#define T0 1790000000000LL /* 2026-09 */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static int make_tree(store *st)
{
    MDB_txn *txn;
    uint8_t pk[32] = {0};
    char id[32], parent[32];
    int rc = store_txn_begin(st, 0, &txn);
    if (rc || (rc = registry_put(st, txn, "c1", "县", 3, pk, "")))
        return rc;
    for (int t = 0; t < 10 && !rc; t++) {
        snprintf(parent, sizeof parent, "t%d", t);
        rc = registry_put(st, txn, parent, "镇", 2, pk, "c1");
        for (int v = 0; v < 10 && !rc; v++) {
            snprintf(id, sizeof id, "v%d-%d", t, v);
            rc = registry_put(st, txn, id, "村", 1, pk, parent);
        }
    }
    return rc ? rc : mdb_txn_commit(txn);
}

/* One synthetic case: taken in at a village, some escalated, some closed. */
static void fill(Jiefen__CaseView *v, long i, char *id, char *village, char *town, char **holders)
{
    int t = (int)(i % 10), vi = (int)(i / 10 % 10);
    snprintf(id, 40, "v%d-%d-2026-%07ld", t, vi, i);
    snprintf(village, 32, "v%d-%d", t, vi);
    snprintf(town, 32, "t%d", t);
    jiefen__case_view__init(v);
    v->case_id = id;
    v->category = (char *)ref_categories.entries[i % ref_categories.count].code;
    v->matter_type = (char *)ref_matter_types.entries[i % 7 % ref_matter_types.count].code;
    v->source = (char *)ref_sources.entries[i % ref_sources.count].code;
    v->village = village;
    v->opened_at_node = village;
    v->opened_ms = T0 + (i % 90) * DAY;
    v->due_ms = v->opened_ms + 3 * DAY;
    v->risk = 1 + (int)(i % 4);
    holders[0] = village;
    holders[1] = town;
    v->period_holders = holders;
    v->n_period_holders = i % 5 == 0 ? 2 : 1;
    v->holder = holders[v->n_period_holders - 1];
    v->status = i % 3 ? JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED
                      : JIEFEN__CASE_STATUS__CASE_STATUS_OPEN;
    if (v->status == JIEFEN__CASE_STATUS__CASE_STATUS_CLOSED) {
        v->closed_ms = v->opened_ms + (i % 5) * DAY;
        v->closed_due_ms = v->due_ms;
        v->closed_at_node = v->holder;
        v->last_outcome = JIEFEN__OUTCOME__OUTCOME_AGREEMENT;
        v->satisfaction = i % 7 ? "satisfied" : "dissatisfied";
    }
}

static int make_cases(store *st, long n)
{
    char id[40], village[32], town[32], *holders[2];
    for (long i = 0; i < n;) {
        MDB_txn *txn;
        int rc = store_txn_begin(st, 0, &txn);
        for (long end = i + 10000; rc == 0 && i < n && i < end; i++) {
            Jiefen__CaseView v;
            fill(&v, i, id, village, town, holders);
            rc = store_put_message(txn, st->cases, id, strlen(id), &v.base);
        }
        if (rc || (rc = mdb_txn_commit(txn)))
            return rc;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_ledger DIR [N]\n");
        return 2;
    }
    long n = argc > 2 ? atol(argv[2]) : 1000000;
    char path[4200];
    store *st;
    snprintf(path, sizeof path, "%s/store", argv[1]);
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    if (store_open(path, (size_t)4 << 30, 1, &st) || make_tree(st) || make_cases(st, n)) {
        fprintf(stderr, "bench_ledger: cannot build the store\n");
        return 1;
    }
    uint64_t used, map;
    store_usage(st, &used, &map);
    long rss0 = peak_rss_kb();
    struct mallinfo2 m0 = mallinfo2();
    MDB_txn *txn;
    struct ledger l;
    double t0 = now_s();
    if (store_txn_begin(st, MDB_RDONLY, &txn) ||
        ledger_compute(st, txn, "c1", T0 + 30 * DAY, T0 + 60 * DAY, T0 + 90 * DAY, NULL, NULL,
                       &l)) {
        fprintf(stderr, "bench_ledger: compute failed\n");
        return 1;
    }
    double secs = now_s() - t0;
    struct mallinfo2 m1 = mallinfo2();
    mdb_txn_abort(txn);
    printf("ledger: %ld cases in the store (%.0f MB), one month's ledger at the county\n", n,
           used / 1e6);
    printf("ledger: %.2f s, %.0f cases/s read; taken in %llu, closed %llu, pending %llu\n",
           secs, n / secs, (unsigned long long)l.taken_in, (unsigned long long)l.closed,
           (unsigned long long)l.pending);
    printf("ledger: peak RSS %.0f MB (before computing %.0f MB; the rest is the store's pages "
           "mapped while reading, shared with the page cache), heap in use %.1f MB\n",
           peak_rss_kb() / 1024.0, rss0 / 1024.0,
           (double)(m1.uordblks > m0.uordblks ? m1.uordblks - m0.uordblks : 0) / 1e6);
    ledger_clear(&l);
    store_close(&st);
    return 0;
}
