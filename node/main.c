/*
 * jiefend — the Jiefen node daemon. Parses arguments and hands over to node.c.
 *
 *   jiefend init --data DIR --tier TIER --id ID --name NAME [--http HOST:PORT]
 *                [--time-zone ZONE] [--rebuild]
 *   jiefend restore --from BACKUP --data DIR
 *   jiefend recovery-key --out DIR
 *   jiefend --data DIR [--check-config]
 */
#include "case/migrations.h"
#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "log.h"
#include "log/backup.h"
#include "node.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VERSION "0.1.0"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: jiefend init --data DIR --tier village|township|county|city|province\n"
            "                    --id ID --name NAME [--http HOST:PORT] [--time-zone ZONE]\n"
            "                    [--link-listen tcp://HOST:PORT] [--rebuild]\n"
            "       jiefend restore --from BACKUP --data DIR\n"
            "       jiefend recovery-key --out DIR\n"
            "       jiefend --data DIR [--check-config]\n"
            "       jiefend --version\n");
}

/* Copies a flag's value, refusing one that does not fit rather than cutting it short. */
static int copy_arg(char *dst, size_t size, const char *flag, const char *value)
{
    if (strlen(value) >= size) {
        fprintf(stderr, "jiefend: %s is too long (at most %zu bytes)\n", flag, size - 1);
        return -1;
    }
    memcpy(dst, value, strlen(value) + 1);
    return 0;
}

static int cmd_init(int argc, char **argv)
{
    static const struct option opts[] = {
        {"data", required_argument, 0, 'd'}, {"tier", required_argument, 0, 't'},
        {"id", required_argument, 0, 'i'},   {"name", required_argument, 0, 'n'},
        {"http", required_argument, 0, 'h'}, {"time-zone", required_argument, 0, 'z'},
        {"link-listen", required_argument, 0, 'l'}, {"rebuild", no_argument, 0, 'r'},
        {0, 0, 0, 0}};
    struct config cfg;
    const char *dir = NULL;
    char err[NODE_ERR_MAX];
    int c, rebuild = 0;
    config_defaults(&cfg);
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'r': rebuild = 1; break;
        case 't':
            if ((cfg.tier = config_tier_parse(optarg)) < 0) {
                fprintf(stderr, "jiefend: --tier must be village, township, county, city or "
                                "province (got \"%s\")\n", optarg);
                return 2;
            }
            break;
        case 'i':
            if (copy_arg(cfg.node_id, sizeof cfg.node_id, "--id", optarg))
                return 2;
            break;
        case 'n':
            if (copy_arg(cfg.node_name, sizeof cfg.node_name, "--name", optarg))
                return 2;
            break;
        case 'z':
            if (copy_arg(cfg.time_zone, sizeof cfg.time_zone, "--time-zone", optarg))
                return 2;
            break;
        case 'l':
            if (copy_arg(cfg.link_listen, sizeof cfg.link_listen, "--link-listen", optarg))
                return 2;
            break;
        case 'h':
            if (config_parse_addr(optarg, cfg.http_host, sizeof cfg.http_host, &cfg.http_port)) {
                fprintf(stderr, "jiefend: --http must be HOST:PORT (got \"%s\")\n", optarg);
                return 2;
            }
            break;
        default: usage(stderr); return 2;
        }
    }
    if (!dir || optind != argc) {
        usage(stderr);
        return 2;
    }
    if ((rebuild ? node_init_rebuild : node_init)(dir, &cfg, err, sizeof err)) {
        fprintf(stderr, "jiefend: init: %s\n", err);
        return 1;
    }
    printf("initialised %s node %s (%s) in %s\n", config_tier_name(cfg.tier), cfg.node_id,
           cfg.node_name, dir);
    if (rebuild)
        printf("rebuild: enrol it with its parent as a successor (jiefenctl enrol request, "
               "then enrol approve --successor at the parent, enrol install here)\n");
    return 0;
}

/* A new recovery key pair for the tree: the private half to DIR/recovery.key (for the
 * county's offline USB key), the public half to DIR/recovery.pub and stdout. */
static int cmd_recovery_key(int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, 0, 'o'}, {0, 0, 0, 0}};
    const char *dir = NULL;
    char path[PATH_MAX], hex[65];
    uint8_t pk[32];
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c != 'o') {
            usage(stderr);
            return 2;
        }
        dir = optarg;
    }
    if (!dir || optind != argc) {
        usage(stderr);
        return 2;
    }
    node_path_in(dir, "recovery.key", path);
    int rc = path[0] ? crypto_recovery_create(path, pk) : -ENAMETOOLONG;
    FILE *f = NULL;
    if (rc == 0) {
        crypto_hex(pk, sizeof pk, hex);
        node_path_in(dir, "recovery.pub", path);
        rc = (f = fopen(path, "wx")) && fprintf(f, "%s\n", hex) > 0 ? 0 : -errno;
    }
    if (f && fclose(f) && rc == 0)
        rc = -errno;
    if (rc) {
        fprintf(stderr, "jiefend: recovery-key: %s: %s\n", path, strerror(-rc));
        return 1;
    }
    printf("recovery key written: %s/recovery.key (private: keep it offline, never on a "
           "node)\nput this in every node's jiefend.conf:\n[recovery]\npublic_key = %s\n",
           dir, hex);
    return 0;
}

/* A new data directory from a backup (log/backup.h); the node starts restored, writing
 * nothing of its own until its parent has given back what it holds of its chain. */
static int cmd_restore(int argc, char **argv)
{
    static const struct option opts[] = {{"from", required_argument, 0, 'f'},
                                         {"data", required_argument, 0, 'd'},
                                         {0, 0, 0, 0}};
    const char *from = NULL, *dir = NULL;
    char msg[NODE_ERR_MAX];
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'f')
            from = optarg;
        else if (c == 'd')
            dir = optarg;
        else {
            usage(stderr);
            return 2;
        }
    }
    if (!from || !dir || optind != argc) {
        usage(stderr);
        return 2;
    }
    if (backup_restore(from, dir, MIGRATIONS_FORMAT, msg, sizeof msg)) {
        fprintf(stderr, "jiefend: restore: %s\n", msg);
        return 1;
    }
    printf("restored %s from %s: it starts restored, and takes no writes until its parent "
           "has given back its own events\n", dir, from);
    return 0;
}

static int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {{"data", required_argument, 0, 'd'},
                                         {"check-config", no_argument, 0, 'c'},
                                         {"version", no_argument, 0, 'v'},
                                         {0, 0, 0, 0}};
    const char *dir = NULL;
    int check = 0, c;
    char err[NODE_ERR_MAX];
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': dir = optarg; break;
        case 'c': check = 1; break;
        case 'v': printf("jiefend %s\n", VERSION); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!dir || optind != argc) {
        usage(stderr);
        return 2;
    }
    /* Tests move a node's clock forward instead of sleeping for days. */
    const char *offset = getenv("JIEFEN_CLOCK_OFFSET_MS");
    if (offset)
        clock_set_offset(strtoll(offset, NULL, 10));
    struct node *n = node_new(dir, check, err, sizeof err);
    if (!n) {
        fprintf(stderr, "jiefend: %s\n", err);
        return 1;
    }
    int rc = 0;
    if (check)
        printf("%s/jiefend.conf: ok\n", dir);
    else if (node_run(n, err, sizeof err)) {
        fprintf(stderr, "jiefend: %s\n", err);
        rc = 1;
    }
    node_destroy(&n);
    return rc;
}

int main(int argc, char **argv)
{
    /* A client that resets its connection must cost us one write's EPIPE, not the
     * process: libuv writes without MSG_NOSIGNAL. */
    signal(SIGPIPE, SIG_IGN);
    /* One arena for the loop and one shared by every other thread (libuv's pool, ZeroMQ's
     * I/O thread), not one per thread: a county runs hundreds of idle jiefends on one
     * machine (a village on a small box), and each arena keeps its own pages. */
    mallopt(M_ARENA_MAX, 2);
    if (crypto_init()) {
        fprintf(stderr, "jiefend: libsodium failed to initialise\n");
        return 1;
    }
    if (argc > 1 && strcmp(argv[1], "init") == 0)
        return cmd_init(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "restore") == 0)
        return cmd_restore(argc - 1, argv + 1);
    if (argc > 1 && strcmp(argv[1], "recovery-key") == 0)
        return cmd_recovery_key(argc - 1, argv + 1);
    return cmd_run(argc, argv);
}
