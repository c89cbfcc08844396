/*
 * bench_backlog — appends N intakes to a stopped node's own log, in batches of 1,000, so a
 * benchmark can start from a large backlog without waiting for N HTTP requests.
 *
 *   bench_backlog DIR N
 */
#include "node.h"
#include "clock.h"
#include "config.h"
#include "log/eventlog.h"
#include "case/intake.h"
#include "bench_intake.h"

#include <stdio.h>
#include <stdlib.h>

static const char *BODY =
    "{\"parties\":[{\"name\":\"张三\",\"id_number\":\"11010519491231002X\","
    "\"phone\":\"13800138000\",\"address\":\"东村3组12号\"}],"
    "\"category\":\"land_contract\",\"matter_type\":\"dispute_mediation\",\"village\":\"东村\","
    "\"source\":\"walk_in\",\"summary\":\"积压测试\",\"complexity\":\"simple\"}";

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
    long n = atol(argv[2]);
    snprintf(path, sizeof path, "%s/jiefend.conf", argv[1]);
    if (crypto_init() || config_load(path, &cfg, err, sizeof err)) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    setenv("TZ", cfg.time_zone, 1);
    snprintf(path, sizeof path, "%s/node.key", argv[1]);
    if (crypto_identity_load(path, &id))
        return 1;
    snprintf(path, sizeof path, "%s/store", argv[1]);
    if (store_open(path, (size_t)cfg.map_size_mb << 20, 0, &st) ||
        eventlog_new(st, id, cfg.node_id, &log))
        return 1;
    struct policy policy = {&cfg, NULL};
    struct intake_ctx ctx = {cfg.node_id, cfg.node_name, "bench", cfg.tier, &policy,
                             clock_now_ms(), NULL, NULL, NULL};
    json_t *body = json_loads(BODY, 0, NULL);
    for (long done_n = 0; done_n < n; done_n += 1000)
        bench_append(log, &ctx, body, n - done_n < 1000 ? n - done_n : 1000);
    json_decref(body);
    eventlog_free(&log);
    store_close(&st);
    crypto_identity_free(&id);
    return 0;
}
