/* nodeinit — `jiefend init`: a new node's data directory (node.h, node_init). */
#include "node.h"
#include "case/migrations.h"
#include "case/partyindex.h"
#include "crypto.h"
#include "error.h"
#include "log/backup.h"
#include "log/eventlog.h"
#include "log/migrate.h"
#include "store.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct genesis {
    const struct config *cfg;
    const crypto_identity *id;
    int status;
};

/* The first event of every log says who the node is. */
static int genesis_apply(eventlog_tx *tx, void *arg)
{
    const struct genesis *g = arg;
    Jiefen__NodeCreated nc = JIEFEN__NODE_CREATED__INIT;
    nc.node_id = (char *)g->cfg->node_id;
    nc.name = (char *)g->cfg->node_name;
    nc.tier = g->cfg->tier;
    nc.time_zone = (char *)g->cfg->time_zone;
    nc.public_key.data = (uint8_t *)crypto_identity_pk(g->id);
    nc.public_key.len = CRYPTO_PK_LEN;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.actor = "init";
    ev.body_case = JIEFEN__EVENT__BODY_NODE_CREATED;
    ev.node_created = &nc;
    return eventlog_append(tx, &ev, NULL, 0);
}

static void genesis_done(void *arg, int status)
{
    ((struct genesis *)arg)->status = status;
}

static int create_store(const char *dir, const struct config *cfg, const crypto_identity *id,
                        int genesis)
{
    char path[PATH_MAX];
    store *st = NULL;
    eventlog *log = NULL;
    node_path_in(dir, "store", path);
    MDB_txn *txn = NULL;
    int rc = store_open(path, (size_t)cfg->map_size_mb << 20, 1, &st);
    if (rc == 0 && (rc = store_txn_begin(st, 0, &txn)) == 0 &&
        (rc = migrate_stamp(st, txn, MIGRATIONS_FORMAT)) == 0)
        rc = store_txn_commit(txn);
    else
        store_txn_abort(txn);
    if (rc == 0)
        rc = eventlog_new(st, id, cfg->node_id, &log);
    struct genesis g = {cfg, id, -1};
    if (rc == 0 && genesis && (rc = eventlog_submit(log, genesis_apply, genesis_done, &g)) == 0) {
        eventlog_flush(log);
        rc = g.status;
    }
    eventlog_free(&log);
    store_close(&st);
    return rc;
}

/* Removes what a failed init created, so that a retry starts from nothing. */
static void init_cleanup(const char *dir)
{
    static const char *files[] = {"jiefend.conf", "node.key", "admin.token", "search.key",
                                  "store/data.mdb",
                                  "store/lock.mdb", "store"};
    char path[PATH_MAX];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        node_path_in(dir, files[i], path);
        remove(path);
    }
    rmdir(dir);
}

static int init_dir(const char *dir, const struct config *cfg, int genesis, char *err,
                    size_t errlen)
{
    node_register_folds();
    char path[PATH_MAX];
    crypto_identity *id = NULL;
    if (strlen(dir) > NODE_DIR_MAX) {
        node_errf(err, errlen, "data directory path longer than %d bytes", NODE_DIR_MAX);
        return -1;
    }
    int fresh = backup_dir_fresh(dir);
    if (fresh <= 0) {
        node_errf(err, errlen, fresh == 0 ? "%s is not empty: refusing to initialise over it "
                                       "(a node may already live there)"
                                     : "%s: cannot read directory",
             dir);
        return -1;
    }
    if (config_check(cfg, err, errlen))
        return -1;
    if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
        node_errf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    int rc;
    const char *step = "jiefend.conf";
    node_path_in(dir, step, path);
    if ((rc = config_write(path, cfg)) == 0) {
        node_path_in(dir, step = "node.key", path);
        rc = crypto_identity_create(path, &id);
    }
    if (rc == 0) {
        node_path_in(dir, step = "admin.token", path);
        rc = crypto_token_create(path);
    }
    if (rc == 0) {
        uint8_t key[PARTYINDEX_KEY_LEN];
        step = "search.key";
        rc = partyindex_key_load(dir, key);
        crypto_wipe(key, sizeof key);
    }
    if (rc == 0) {
        step = "store";
        rc = create_store(dir, cfg, id, genesis);
    }
    crypto_identity_free(&id);
    if (rc) {
        node_errf(err, errlen, "%s/%s: %s", dir, step, jf_strerror(rc));
        init_cleanup(dir);
        return -1;
    }
    return 0;
}

int node_init(const char *dir, const struct config *cfg, char *err, size_t errlen)
{
    return init_dir(dir, cfg, 1, err, errlen);
}

int node_init_rebuild(const char *dir, const struct config *cfg, char *err, size_t errlen)
{
    return init_dir(dir, cfg, 0, err, errlen);
}
