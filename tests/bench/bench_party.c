/*
 * bench_party — fills a stopped node's own log with N intakes of N different people, each
 * with the party index (partyindex.h) as jiefend writes it, in batches of 1,000, so that
 * bench_party.py can time party searches at a node holding N cases. Person i is named
 * 测试人i, has the phone 139 + i (8 digits) and the ID number party_id(i). Then prints
 * the p50/p99 of the lookup alone (index and case views in one read transaction), the part
 * of a search that grows with the store; the API figure adds its durable record.
 *
 *   bench_party DIR N
 */
#include "node.h"
#include "clock.h"
#include "config.h"
#include "case/case.h"
#include "case/caseindex.h"
#include "case/intake.h"
#include "case/partyindex.h"
#include "log/eventlog.h"
#include "bench_intake.h"

#include <stdio.h>
#include <stdlib.h>
#include <uv.h>

/* A valid GB 11643 number: born 1980-01-01 in 110101, serial i (mod 1000), region varied
 * by i / 1000 so that each i is another number. */
static void party_id(long i, char out[24])
{
    static const int w[17] = {7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    snprintf(out, 24, "%06d19800101%03d", (int)(110101 + i / 1000 % 800000), (int)(i % 1000));
    for (int k = 0; k < 17; k++)
        sum += (out[k] - '0') * w[k];
    out[17] = "10X98765432"[sum % 11];
    out[18] = 0;
}

static int count_hit(const struct partyindex_hit *h, void *arg)
{
    Jiefen__CaseView *v = NULL;
    struct { store *st; MDB_txn *txn; long n; } *c = arg;
    if (caseindex_get(c->st, c->txn, h->case_id, &v) || !v)
        return -1;
    case_view_free(&v);
    c->n++;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Times 1,000 lookups by ID number of random people and prints p50/p99. */
static void lookups(store *st, const uint8_t *key, long n)
{
    double us[1000];
    srand(14);
    for (int k = 0; k < 1000; k++) {
        char idn[24];
        struct { store *st; MDB_txn *txn; long n; } c = {st, NULL, 0};
        party_id(rand() % n, idn);
        uint64_t t0 = uv_hrtime();
        if (store_txn_begin(st, MDB_RDONLY, &c.txn) ||
            partyindex_find(st, c.txn, key, PARTYINDEX_ID, idn, count_hit, &c) || c.n != 1)
            exit(1);
        store_txn_abort(c.txn);
        us[k] = (double)(uv_hrtime() - t0) / 1e3;
    }
    qsort(us, 1000, sizeof us[0], cmp_double);
    printf("party: lookup at %ld cases (index + case view, one read transaction): "
           "p50 %.1f us, p99 %.1f us\n", n, us[500], us[990]);
}

int main(int argc, char **argv)
{
    node_register_folds();
    if (argc != 3)
        return 2;
    char path[4200], err[CONFIG_ERR_MAX];
    struct config cfg;
    crypto_identity *id;
    store *st;
    eventlog *log;
    uint8_t key[PARTYINDEX_KEY_LEN];
    long n = atol(argv[2]);
    snprintf(path, sizeof path, "%s/jiefend.conf", argv[1]);
    if (crypto_init() || config_load(path, &cfg, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    setenv("TZ", cfg.time_zone, 1);
    snprintf(path, sizeof path, "%s/node.key", argv[1]);
    if (crypto_identity_load(path, &id) || partyindex_key_load(argv[1], key))
        return 1;
    snprintf(path, sizeof path, "%s/store", argv[1]);
    if (store_open(path, (size_t)cfg.map_size_mb << 20, 0, &st) ||
        eventlog_new(st, id, cfg.node_id, &log))
        return 1;
    struct policy policy = {&cfg, NULL};
    struct intake_ctx ctx = {cfg.node_id, cfg.node_name, "bench", cfg.tier, &policy,
                             clock_now_ms(), id, key, NULL};
    for (long i = 0; i < n; i++) {
        char name[32], idn[24], phone[16];
        snprintf(name, sizeof name, "测试人%ld", i);
        snprintf(phone, sizeof phone, "139%08d", (int)(i % 100000000));
        party_id(i, idn);
        json_t *body = json_pack(
            "{s:[{s:s, s:s, s:s, s:s}], s:s, s:s, s:s, s:s, s:s, s:s}", "parties", "name", name,
            "id_number", idn, "phone", phone, "address", "东村3组12号", "category",
            "land_contract", "matter_type", "dispute_mediation", "village", "东村", "source",
            "walk_in", "summary", "查询测试", "complexity", "simple");
        struct intake *in;
        struct intake_error ie;
        if (!body || intake_parse(body, &ctx, &in, &ie) ||
            eventlog_submit(log, bench_apply, bench_done, in)) {
            fprintf(stderr, "intake %ld: %s %s\n", i, ie.field, ie.message);
            return 1;
        }
        json_decref(body);
        if ((i + 1) % 1000 == 0 || i + 1 == n)
            eventlog_flush(log);
    }
    lookups(st, key, n);
    eventlog_free(&log);
    store_close(&st);
    crypto_identity_free(&id);
    return 0;
}
