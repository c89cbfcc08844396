/*
 * fuzz_linkmsg — a LinkMessage as a peer sends it over ZeroMQ. Each input is unpacked;
 * an UpBatch is applied with ingest_up() as if from the child t-child, a DownBatch with
 * ingest_down() as if from the parent s-city, at the node c-self.
 *
 * The store lives across runs, as a node's does: events the seeds carry (signed by
 * t-child and s-city, see fuzz_keys.h) are applied once, then come back as replays,
 * equivocations, gaps... The registry starts with s-city (root), c-self under it and
 * t-child under c-self, so events of t-child pass the origin check (and those of s-city
 * the down one). The store is recreated every STORE_RUNS runs, or when its map is full,
 * only to keep it bounded. Commits skip fsync (MDB_NOSYNC): nothing here must survive a
 * crash, and a durable commit would cost milliseconds per run.
 *
 * State carries over between runs, so a crash may need the inputs before it: libFuzzer's
 * crash file alone may not reproduce it (try the last inputs of the run, -runs with the
 * corpus, or JIEFEN_FUZZ_LOG=1 to see what the store held).
 */
#include "node.h"
#include "crypto.h"
#include "fuzz_keys.h"
#include "log/ingest.h"
#include "log.h"
#include "log/registry.h"
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STORE_MAP  (64u << 20)
#define STORE_RUNS 10000

static char dir[4096], path[4200];
static store *st;
static unsigned long runs;
static int verbose;   /* JIEFEN_FUZZ_LOG=1: the node's log and each batch's result */

static void store_remove(void)
{
    char f[4300];

    store_close(&st);
    if (!path[0])
        return;
    snprintf(f, sizeof f, "%s/data.mdb", path);
    unlink(f);
    snprintf(f, sizeof f, "%s/lock.mdb", path);
    unlink(f);
    rmdir(path);
}

/* A fresh store knowing the parent, this node and its child. */
static void store_create(void)
{
    uint8_t pk[32];
    MDB_txn *txn;
    int rc;

    store_remove();
    snprintf(path, sizeof path, "%s/store", dir);
    if ((rc = store_open(path, STORE_MAP, 1, &st)) ||
        (rc = mdb_env_set_flags(st->env, MDB_NOSYNC, 1)) ||
        (rc = store_txn_begin(st, 0, &txn))) {
        fprintf(stderr, "fuzz_linkmsg: cannot create the store in %s (%d)\n", path, rc);
        abort();
    }
    fuzz_key_pk(FUZZ_KEY_PARENT, pk);
    rc = registry_put(st, txn, FUZZ_PARENT, "市", JIEFEN__TIER__TIER_CITY, pk, "");
    fuzz_key_pk(FUZZ_KEY_SELF, pk);
    if (rc == 0)
        rc = registry_put(st, txn, FUZZ_SELF, "县", JIEFEN__TIER__TIER_COUNTY, pk, FUZZ_PARENT);
    fuzz_key_pk(FUZZ_KEY_CHILD, pk);
    if (rc == 0)
        rc = registry_put(st, txn, FUZZ_CHILD, "镇", JIEFEN__TIER__TIER_TOWNSHIP, pk, FUZZ_SELF);
    if (rc || (rc = mdb_txn_commit(txn))) {
        fprintf(stderr, "fuzz_linkmsg: cannot fill the registry (%d)\n", rc);
        abort();
    }
}

static void cleanup(void)
{
    store_remove();
    rmdir(dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    node_register_folds();
    const char *tmp = getenv("TMPDIR");

    (void)argc;
    (void)argv;
    if (crypto_init())
        abort();
    /* Every rejection is logged; thousands a second would drown the fuzzer's output. */
    verbose = getenv("JIEFEN_FUZZ_LOG") != NULL;
    if (!verbose)
        log_set_level((enum log_level)(LOG_ERROR + 1));
    snprintf(dir, sizeof dir, "%s/jiefen-fuzz-linkmsg-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
        perror("fuzz_linkmsg: mkdtemp");
        abort();
    }
    atexit(cleanup);
    store_create();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ingest_result res = {0};
    Jiefen__LinkMessage *m;
    int rc = 0;

    if (++runs % STORE_RUNS == 0)
        store_create();
    m = jiefen__link_message__unpack(NULL, size, data);
    if (!m)
        return 0;
    if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_UP && m->up)
        rc = ingest_up(st, FUZZ_SELF, FUZZ_CHILD, m->up, &res);
    else if (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOWN && m->down)
        rc = ingest_down(st, FUZZ_SELF, m->down, &res);
    if (verbose && (m->kind_case == JIEFEN__LINK_MESSAGE__KIND_UP ||
                    m->kind_case == JIEFEN__LINK_MESSAGE__KIND_DOWN)) {
        fprintf(stderr, "fuzz_linkmsg: %s batch: rc %d, applied %u, duplicates %u, rejected",
                m->kind_case == JIEFEN__LINK_MESSAGE__KIND_UP ? "up" : "down", rc,
                res.applied, res.duplicates);
        for (int i = 0; i < REJ_COUNT; i++)
            fprintf(stderr, " %s %u", ingest_reason_name(i), res.rejected[i]);
        fprintf(stderr, "\n");
    }
    jiefen__link_message__free_unpacked(m, NULL);
    if (rc == MDB_MAP_FULL)
        store_create();
    return 0;
}
