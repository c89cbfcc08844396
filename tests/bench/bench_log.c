/*
 * bench_log — events appended per second in-process (intake validation, signing, view
 * fold, durable group commit), beside this machine's limits: Ed25519 signs per second and
 * LMDB durable commits per second of one small record. Prints figures; asserts nothing.
 *
 *   bench_log [DIR] [SECONDS_PER_FIGURE] [commit]
 *
 * With "commit" it prints only the LMDB figure, a bare number, for run.sh to set the API's
 * throughput beside the commit rate measured in the same run.
 */
#include "node.h"
#include "clock.h"
#include "log/eventlog.h"
#include "case/intake.h"
#include "bench_intake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *BODY =
    "{\"parties\":[{\"name\":\"张三\",\"id_number\":\"11010519491231002X\","
    "\"phone\":\"13800138000\",\"address\":\"东村3组12号\"},{\"name\":\"李四\","
    "\"id_number\":\"110101199003077571\",\"phone\":\"0951-5012345\",\"address\":\"东村3组14号\"}],"
    "\"category\":\"land_contract\",\"matter_type\":\"dispute_mediation\",\"village\":\"东村\","
    "\"source\":\"walk_in\",\"summary\":\"承包地边界争议，双方就界桩位置各执一词\","
    "\"complexity\":\"simple\"}";

/* Appends intakes in batches of `batch` for `secs` seconds; returns events per second. */
static double run_batches(eventlog *log, const struct intake_ctx *ctx, int batch, double secs)
{
    json_t *body = json_loads(BODY, 0, NULL);
    double t0 = now_s(), t;
    long n = 0;
    do {
        bench_append(log, ctx, body, batch);
        n += batch;
    } while ((t = now_s() - t0) < secs);
    json_decref(body);
    return n / t;
}

/* Microseconds per intake of the loop's share: parsing the JSON body and checking it. */
static void stage_figures(const struct intake_ctx *ctx, double secs)
{
    double t0 = now_s(), t;
    long n = 0;
    do {
        for (int i = 0; i < 1000; i++)
            json_decref(json_loads(BODY, 0, NULL));
        n += 1000;
    } while ((t = now_s() - t0) < secs);
    printf("stage: JSON parse of the body       %9.1f us per intake\n", t * 1e6 / n);
    json_t *body = json_loads(BODY, 0, NULL);
    t0 = now_s();
    n = 0;
    do {
        for (int i = 0; i < 1000; i++) {
            struct intake *in;
            struct intake_error err;
            if (intake_parse(body, ctx, &in, &err))
                exit(1);
            intake_free(&in);
        }
        n += 1000;
    } while ((t = now_s() - t0) < secs);
    json_decref(body);
    printf("stage: intake checks (intake_parse) %9.1f us per intake\n", t * 1e6 / n);
}

static double sign_rate(const crypto_identity *id, double secs)
{
    uint8_t msg[512] = {1}, sig[CRYPTO_SIG_LEN];
    double t0 = now_s(), t;
    long n = 0;
    do {
        for (int i = 0; i < 1000; i++)
            crypto_ed25519_sign(id, msg, sizeof msg, sig);
        n += 1000;
    } while ((t = now_s() - t0) < secs);
    return n / t;
}

static double verify_rate(const crypto_identity *id, double secs)
{
    uint8_t msg[512] = {1}, sig[CRYPTO_SIG_LEN];
    crypto_ed25519_sign(id, msg, sizeof msg, sig);
    double t0 = now_s(), t;
    long n = 0;
    do {
        for (int i = 0; i < 1000; i++)
            if (crypto_ed25519_verify(crypto_identity_pk(id), msg, sizeof msg, sig))
                exit(1);
        n += 1000;
    } while ((t = now_s() - t0) < secs);
    return n / t;
}

static double lmdb_commit_rate(store *st, double secs)
{
    uint8_t val[512] = {0};
    double t0 = now_s(), t;
    long n = 0;
    do {
        MDB_txn *txn;
        char key[32];
        snprintf(key, sizeof key, "bench:%ld", n);
        MDB_val k = {strlen(key), key}, d = {sizeof val, val};
        if (store_txn_begin(st, 0, &txn) || mdb_put(txn, st->meta, &k, &d, 0) ||
            mdb_txn_commit(txn))
            exit(1);
        n++;
    } while ((t = now_s() - t0) < secs);
    return n / t;
}

static void print_figures(const crypto_identity *id, store *st, eventlog *log,
                          const struct intake_ctx *ctx, double secs)
{
    printf("machine: Ed25519 sign              %10.0f /s\n", sign_rate(id, secs));
    printf("machine: Ed25519 verify            %10.0f /s\n", verify_rate(id, secs));
    printf("machine: LMDB durable commit (1 rec)%9.0f /s\n", lmdb_commit_rate(st, secs));
    int batches[] = {1, 10, 100, 1000};
    double rate = 0;
    for (size_t i = 0; i < sizeof batches / sizeof batches[0]; i++)
        printf("eventlog: intakes appended, %4d per commit %9.0f /s\n", batches[i],
               rate = run_batches(log, ctx, batches[i], secs));
    stage_figures(ctx, secs);
    printf("stage: append at 1000 per commit    %9.1f us per intake (seal, sign, folds, puts,"
           " 1/1000 of the commit)\n", 1e6 / rate);
}

int main(int argc, char **argv)
{
    node_register_folds();
    char dir[4096], path[4200];
    snprintf(dir, sizeof dir, "%s/jiefen-bench-XXXXXX", argc > 1 ? argv[1] : "/tmp");
    double secs = argc > 2 ? atof(argv[2]) : 3;
    if (crypto_init() || !mkdtemp(dir))
        return 1;
    setenv("TZ", "Asia/Shanghai", 1);
    crypto_identity *id;
    store *st;
    eventlog *log;
    snprintf(path, sizeof path, "%s/node.key", dir);
    if (crypto_identity_create(path, &id))
        return 1;
    snprintf(path, sizeof path, "%s/store", dir);
    if (store_open(path, 1 << 30, 1, &st) || eventlog_new(st, id, "bench", &log))
        return 1;
    struct config cfg;
    config_defaults(&cfg);
    struct policy policy = {&cfg, NULL};
    struct intake_ctx ctx = {"bench", "东村", "bench", 1, &policy, clock_now_ms(), NULL, NULL, NULL};
    if (argc > 3 && strcmp(argv[3], "commit") == 0) {
        printf("%.0f\n", lmdb_commit_rate(st, secs));
    } else {
        print_figures(id, st, log, &ctx, secs);
    }
    eventlog_free(&log);

    store_close(&st);
    crypto_identity_free(&id);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    return system(path) == 0 ? 0 : 1;
}
