/*
 * bench_log — events appended per second in-process (intake validation, signing, view
 * fold, durable group commit), beside this machine's limits: Ed25519 signs per second and
 * LMDB durable commits per second of one small record. Prints figures; asserts nothing.
 *
 *   bench_log [DIR] [SECONDS_PER_FIGURE] [machine]
 *
 * With "machine" it prints only Ed25519 verifies per second on one core and the LMDB
 * figure, two bare numbers on one line, for run.sh to set the API's throughput beside the
 * commit rate measured in the same run and for the benchmarks that run nodes
 * (nodebench.machine) to print beside their figures.
 */
#include "node.h"
#include "clock.h"
#include "log/eventlog.h"
#include "case/intake.h"
#include "bench_intake.h"
#include "machine.h"

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

static void print_figures(const crypto_identity *id, store *st, eventlog *log,
                          const struct intake_ctx *ctx, double secs)
{
    printf("machine: Ed25519 sign              %10.0f /s\n", machine_sign_rate(id, secs));
    printf("machine: Ed25519 verify            %10.0f /s\n", machine_verify_rate(id, secs));
    printf("machine: LMDB durable commit (1 rec)%9.0f /s\n", machine_commit_rate(st, secs));
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
    if (argc > 3 && strcmp(argv[3], "machine") != 0) {
        fprintf(stderr, "bench_log: unknown mode '%s' (the only one is 'machine')\n", argv[3]);
        return 2;
    }
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
    if (argc > 3) {
        double verify = machine_verify_rate(id, secs);
        printf("%.0f %.0f\n", verify, machine_commit_rate(st, secs));
    } else {
        print_figures(id, st, log, &ctx, secs);
    }
    eventlog_free(&log);

    store_close(&st);
    crypto_identity_free(&id);
    snprintf(path, sizeof path, "rm -rf '%s'", dir);
    return system(path) == 0 ? 0 : 1;
}
