/* Helpers shared by the unit tests: temporary directories removed at the end. */
#ifndef JIEFEN_TESTUTIL_H
#define JIEFEN_TESTUTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Creates a fresh directory under $TMPDIR (or /tmp) and returns its path in buf. */
static inline void test_tmpdir(char *buf, size_t len)
{
    const char *base = getenv("TMPDIR");
    snprintf(buf, len, "%s/jiefen-unit-XXXXXX", base ? base : "/tmp");
    if (!mkdtemp(buf)) {
        perror("mkdtemp");
        exit(1);
    }
}

/* The file dir/name as text, at most len - 1 bytes, into out (NUL-terminated). Exits when
 * it cannot be read. */
static inline void test_read_text(const char *dir, const char *name, char *out, size_t len)
{
    char path[8400];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    size_t n = fread(out, 1, len - 1, f);
    out[n] = 0;
    fclose(f);
}

static inline void test_rmtree(const char *dir)
{
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}

/* A fresh directory per test, for cmocka's setup and teardown: test_dir holds its path. */
static char test_dir[4096];

static inline int test_dir_setup(void **state)
{
    (void)state;
    test_tmpdir(test_dir, sizeof test_dir);
    return 0;
}

static inline int test_dir_teardown(void **state)
{
    (void)state;
    test_rmtree(test_dir);
    return 0;
}

/* ---- nodes, stores and signed chains, for tests of what crosses a link ------------- */

#include "crypto.h"
#include "envelope.h"
#include "store.h"

/* A new node identity, its key file `name`.key in dir. Exits on failure. */
static inline crypto_identity *test_identity(const char *dir, const char *name)
{
    char path[4200];
    crypto_identity *id = NULL;
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    if (crypto_identity_create(path, &id)) {
        fprintf(stderr, "cannot create identity %s\n", path);
        exit(1);
    }
    return id;
}

/* A new store in dir/name (16 MiB map). Exits on failure. */
static inline store *test_store(const char *dir, const char *name)
{
    char path[4200];
    store *st = NULL;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    if (store_open(path, 1 << 24, 1, &st)) {
        fprintf(stderr, "cannot open store %s\n", path);
        exit(1);
    }
    return st;
}

/* One origin's log as a test writes it by hand: each event signed gets the next seq and
 * the hash of the one before, as eventlog_append() gives them. */
struct test_chain {
    const crypto_identity *id;
    const char *origin;
    uint64_t seq;                    /* of the last event signed (0: none yet) */
    uint8_t prev[CRYPTO_HASH_LEN];   /* its hash */
};

/* Places ev at the end of the chain (origin, seq, prev_hash; time and actor if unset),
 * signs it, and returns the Envelope bytes (malloc'd) with their length in *len. */
static inline uint8_t *test_chain_sign(struct test_chain *c, Jiefen__Event *ev, size_t *len)
{
    uint8_t *bytes = NULL, prev[CRYPTO_HASH_LEN];
    memcpy(prev, c->prev, sizeof prev);
    ev->origin = (char *)c->origin;
    ev->seq = c->seq + 1;
    ev->prev_hash.data = prev;
    ev->prev_hash.len = sizeof prev;
    if (!ev->time_ms)
        ev->time_ms = 1767225600000LL + (int64_t)ev->seq * 1000; /* 2026-01-01 UTC on */
    if (!ev->actor || !ev->actor[0])
        ev->actor = "test";
    if (envelope_sign(c->id, ev, &bytes, len, c->prev)) {
        fprintf(stderr, "cannot sign %s/%llu\n", c->origin, (unsigned long long)ev->seq);
        exit(1);
    }
    ev->prev_hash.data = NULL;
    ev->prev_hash.len = 0;
    c->seq++;
    return bytes;
}

/* Makes ev a case_opened of case `id` with body o: epoch 1, at time t, due 3 days later,
 * land_contract, walk-in, simple. The caller may change any field after. */
static inline void test_case_opened(Jiefen__Event *ev, Jiefen__CaseOpened *o, const char *id,
                                    int64_t t)
{
    jiefen__event__init(ev);
    jiefen__case_opened__init(o);
    o->case_id = ev->case_id = (char *)id;
    o->category = "land_contract";
    o->matter_type = "dispute_mediation";
    o->source = "walk_in";
    o->summary = "test";
    o->complexity = JIEFEN__COMPLEXITY__COMPLEXITY_SIMPLE;
    o->due_ms = t + 3 * 86400000LL;
    ev->case_epoch = 1;
    ev->time_ms = t;
    ev->body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    ev->case_opened = o;
}

/* The next event of the chain: a case_opened of case `case_id` (test_case_opened, at
 * 2026-01-01 00:00 UTC plus the seq in seconds). */
static inline uint8_t *test_chain_open_case(struct test_chain *c, const char *case_id,
                                            size_t *len)
{
    Jiefen__CaseOpened o;
    Jiefen__Event ev;
    test_case_opened(&ev, &o, case_id, 1767225600000LL + (int64_t)(c->seq + 1) * 1000);
    return test_chain_sign(c, &ev, len);
}

/* The tree the link tests share, as the township t1 knows it: its county c1 above; its
 * villages v1 (with v1a below it), v2 and v3 (revoked) below; x1 a node it never heard of.
 * Each with its own key, in t1's registry (store st), and a chain (cc1...) to sign its
 * events with. */
#include "log/registry.h"

struct test_tree {
    crypto_identity *c1, *t1, *v1, *v1a, *v2, *v3, *x1;
    struct test_chain cc1, ct1, cv1, cv1a, cv2, cv3, cx1;
};

static inline void test_tree_make(const char *dir, store *st, struct test_tree *t)
{
    struct {
        crypto_identity **id;
        struct test_chain *chain;
        const char *node, *name, *parent;
        int tier;
    } nodes[] = {
        {&t->c1, &t->cc1, "c1", "县", "", 3},      {&t->t1, &t->ct1, "t1", "镇", "c1", 2},
        {&t->v1, &t->cv1, "v1", "村1", "t1", 1},   {&t->v1a, &t->cv1a, "v1a", "组", "v1", 1},
        {&t->v2, &t->cv2, "v2", "村2", "t1", 1},   {&t->v3, &t->cv3, "v3", "村3", "t1", 1},
        {&t->x1, &t->cx1, "x1", "外", NULL, 1},
    };
    MDB_txn *txn;
    if (store_txn_begin(st, 0, &txn))
        exit(1);
    for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++) {
        *nodes[i].id = test_identity(dir, nodes[i].node);
        *nodes[i].chain = (struct test_chain){.id = *nodes[i].id, .origin = nodes[i].node};
        if (nodes[i].parent &&
            registry_put(st, txn, nodes[i].node, nodes[i].name, nodes[i].tier,
                         crypto_identity_pk(*nodes[i].id), nodes[i].parent))
            exit(1);
    }
    if (registry_revoke(st, txn, "v3") || store_txn_commit(txn))
        exit(1);
}

static inline void test_tree_free(struct test_tree *t)
{
    crypto_identity **ids[] = {&t->c1, &t->t1, &t->v1, &t->v1a, &t->v2, &t->v3, &t->x1};
    for (size_t i = 0; i < sizeof ids / sizeof *ids; i++)
        crypto_identity_free(ids[i]);
}

/* A second store of t1 in dir/small with a 1 MiB map, knowing t1 and v1 (v1's events fill
 * it fast): for what a full map does. */
static inline store *test_small_store(const char *dir, const struct test_tree *t)
{
    char path[4200];
    store *small = NULL;
    MDB_txn *txn;
    snprintf(path, sizeof path, "%s/small", dir);
    if (store_open(path, 1 << 20, 1, &small) || store_txn_begin(small, 0, &txn) ||
        registry_put(small, txn, "t1", "镇", 2, crypto_identity_pk(t->t1), "") ||
        registry_put(small, txn, "v1", "村", 1, crypto_identity_pk(t->v1), "t1") ||
        store_txn_commit(txn))
        exit(1);
    return small;
}

/* The usual fixture of those tests: a fresh directory, t1's store in it, the tree. */
struct test_node {
    char dir[4096];
    store *st;
    struct test_tree t;
};

static inline int test_node_setup(void **state)
{
    struct test_node *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    test_tmpdir(f->dir, sizeof f->dir);
    f->st = test_store(f->dir, "store");
    test_tree_make(f->dir, f->st, &f->t);
    *state = f;
    return 0;
}

static inline int test_node_teardown(void **state)
{
    struct test_node *f = *state;
    store_close(&f->st);
    test_tree_free(&f->t);
    test_rmtree(f->dir);
    free(f);
    return 0;
}

#define TEST_NODE(name) cmocka_unit_test_setup_teardown(name, test_node_setup, test_node_teardown)

#include "node.h"

/* What every test of node code does first: libsodium, the daemon's default zone, and the
 * folds of the domain's events (node_register_folds). */
static inline int test_init(void)
{
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    node_register_folds();
    return crypto_init();
}

/* Asia/Shanghai local time (UTC+8, no DST) as UTC ms. */
#include <time.h>

static inline int64_t test_shanghai_ms(int y, int mo, int d, int h, int mi)
{
    struct tm tm = {.tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
                    .tm_min = mi};
    return ((int64_t)timegm(&tm) - 8 * 3600) * 1000;
}

/* Signs ev on chain c and keeps it in st as node `self` holds a log it received: stored
 * under its key, the chain head moved on, folded into the views (fold_apply), in one
 * transaction. Returns the fold's result (0, JF_EINVAL, JF_ELATER...); the envelope bytes
 * (malloc'd) into *bytes and *len when bytes is not NULL. Exits on a store failure. */
#include "log/eventlog.h"
#include "log/fold.h"
#include "case/caseindex.h"

static inline int test_chain_store(store *st, const char *self, struct test_chain *c,
                                   Jiefen__Event *ev, uint8_t **bytes, size_t *len)
{
    size_t n;
    uint8_t *b = test_chain_sign(c, ev, &n), key[STORE_KEY_MAX];
    envelope *e = NULL;
    MDB_txn *txn;
    if (envelope_decode(b, n, &e) || store_txn_begin(st, 0, &txn))
        exit(1);
    if (store_put(txn, st->events, key, store_event_key(c->origin, c->seq, key), b, n,
                  STORE_NEW) ||
        eventlog_head_put(st, txn, c->origin, c->seq, c->prev))
        exit(1);
    int rc = fold_apply(st, txn, self, e->event);
    printf("  %s/%llu %s folds at %s: %d\n", c->origin, (unsigned long long)c->seq,
           envelope_kind(e->event), self, rc);
    if (store_txn_commit(txn))
        exit(1);
    envelope_free(&e);
    if (bytes) {
        *bytes = b;
        *len = n;
    } else {
        free(b);
    }
    return rc;
}

/* The view of case `id` in st, NULL if there is none (free with case_view_free()). */
#include "case/case.h"

static inline Jiefen__CaseView *test_case_view(store *st, const char *id)
{
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    if (store_txn_begin(st, MDB_RDONLY, &txn) || caseindex_get(st, txn, id, &v))
        exit(1);
    store_txn_abort(txn);
    return v;
}

/* Runs fn(tx, arg) as one operation of log, flushed at once. Returns its status (0 once
 * its events are durable). */
struct test_op {
    eventlog_apply_fn fn;
    void *arg;
    int status;
};

static inline int test_op_apply(eventlog_tx *tx, void *arg)
{
    struct test_op *op = arg;
    return op->fn(tx, op->arg);
}

static inline void test_op_done(void *arg, int status)
{
    ((struct test_op *)arg)->status = status;
}

static inline int test_eventlog_run(eventlog *log, eventlog_apply_fn fn, void *arg)
{
    struct test_op op = {fn, arg, 1};
    if (eventlog_submit(log, test_op_apply, test_op_done, &op))
        exit(1);
    eventlog_flush(log);
    return op.status;
}

/* ---- a node taking the steps of cases (define TESTUTIL_CASES before including) --------
 * Its store, identity, event log, config and policy, and the tree it knows: the county c1
 * (the root) over the township t1 over the villages v1 and v2, and v0, a village alone at
 * the top of its own tree; each with its own key. The test chooses which of them it is. */
#ifdef TESTUTIL_CASES
#include "case/case.h"
#include "case/caseindex.h"
#include "case/intake.h"
#include "case/lifecycle.h"
#include "case/resident_id.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"
#include "log/eventlog.h"
#include "log/fold.h"
#include "log/registry.h"
#include "node.h"
#include "store.h"

#include <jansson.h>
#include <time.h>

enum { CN_C1, CN_T1, CN_V1, CN_V2, CN_V0, CN_NODES };

static const struct {
    const char *id, *name, *parent;
    int tier;
} cn_tree[CN_NODES] = {
    {"c1", "县", "", 3}, {"t1", "镇", "c1", 2}, {"v1", "东村", "t1", 1},
    {"v2", "西村", "t1", 1}, {"v0", "孤村", "", 1},
};

struct case_node {
    char dir[4096];
    store *st;
    crypto_identity *ids[CN_NODES];
    int self;              /* which node of cn_tree this is */
    crypto_identity *id;   /* ids[self] */
    eventlog *log;
    struct config cfg;     /* defaults; a test changes what it needs before acting */
    struct policy policy;
    lifecycle_ctx lc;
};

static inline void cn_die(const char *what)
{
    fprintf(stderr, "fixture: %s\n", what);
    exit(1);
}

/* The node cn_tree[self], fresh, with the whole tree in its registry. */
static inline struct case_node *cn_new(int self)
{
    struct case_node *f = calloc(1, sizeof *f);
    char path[4200];
    MDB_txn *txn;
    if (!f)
        cn_die("out of memory");
    test_tmpdir(f->dir, sizeof f->dir);
    snprintf(path, sizeof path, "%s/store", f->dir);
    if (store_open(path, 1 << 24, 1, &f->st) || store_txn_begin(f->st, 0, &txn))
        cn_die("cannot open the store");
    for (int i = 0; i < CN_NODES; i++) {
        snprintf(path, sizeof path, "%s/%s.key", f->dir, cn_tree[i].id);
        if (crypto_identity_create(path, &f->ids[i]) ||
            registry_put(f->st, txn, cn_tree[i].id, cn_tree[i].name, cn_tree[i].tier,
                         crypto_identity_pk(f->ids[i]), cn_tree[i].parent))
            cn_die("cannot make the tree");
    }
    if (store_txn_commit(txn))
        cn_die("cannot commit the tree");
    f->self = self;
    f->id = f->ids[self];
    config_defaults(&f->cfg);
    snprintf(f->cfg.node_id, sizeof f->cfg.node_id, "%s", cn_tree[self].id);
    snprintf(f->cfg.node_name, sizeof f->cfg.node_name, "%s", cn_tree[self].name);
    f->cfg.tier = cn_tree[self].tier;
    f->policy = (struct policy){&f->cfg, NULL};
    f->lc = (lifecycle_ctx){&f->policy, f->id};
    if (eventlog_new(f->st, f->id, cn_tree[self].id, &f->log))
        cn_die("cannot make the log");
    return f;
}

static inline void cn_free(struct case_node **fp)
{
    struct case_node *f = *fp;
    eventlog_free(&f->log);
    store_close(&f->st);
    for (int i = 0; i < CN_NODES; i++)
        crypto_identity_free(&f->ids[i]);
    test_rmtree(f->dir);
    free(f);
    *fp = NULL;
}

/* What such a test program does first: the folds, the daemon's default zone, libsodium. */
static inline int cn_init(void)
{
    node_register_folds();
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    return crypto_init();
}

/* cmocka setups making the node named (*state), and the teardown (the clock put back). */
static inline int cn_setup_v1(void **state)
{
    *state = cn_new(CN_V1);
    return 0;
}

static inline int cn_setup_t1(void **state)
{
    *state = cn_new(CN_T1);
    return 0;
}

static inline int cn_setup_c1(void **state)
{
    *state = cn_new(CN_C1);
    return 0;
}

static inline int cn_setup_v0(void **state)
{
    *state = cn_new(CN_V0);
    return 0;
}

static inline int cn_teardown(void **state)
{
    struct case_node *f = *state;
    clock_set_offset(0);
    cn_free(&f);
    return 0;
}

#define CN_TEST(fn, node) cmocka_unit_test_setup_teardown(fn, cn_setup_##node, cn_teardown)

/* Runs fn(tx, arg) as one operation, committed at once; its status (0: durable). */
struct cn_op {
    eventlog_apply_fn fn;
    void *arg;
    int status;
};

static inline int cn_op_apply(eventlog_tx *tx, void *arg)
{
    struct cn_op *op = arg;
    return op->fn(tx, op->arg);
}

static inline void cn_op_done(void *arg, int status)
{
    ((struct cn_op *)arg)->status = status;
}

static inline int cn_run(struct case_node *f, eventlog_apply_fn fn, void *arg)
{
    struct cn_op op = {fn, arg, 1};
    if (eventlog_submit(f->log, cn_op_apply, cn_op_done, &op))
        cn_die("cannot queue");
    eventlog_flush(f->log);
    return op.status;
}

/* Moves the clock so that clock_now_ms() reads `at` now (clock_set_offset(0) undoes it). */
static inline void cn_set_now(int64_t at)
{
    clock_set_offset(at - (clock_now_ms() - clock_offset()));
}

/* A valid resident ID number (GB 11643), different for each n < 1000, into buf (19). */
static inline const char *cn_id_number(unsigned n, char *buf)
{
    snprintf(buf, 19, "11010519800101%03u", n % 1000);
    buf[17] = resident_id_check_char(buf);
    buf[18] = 0;
    return buf;
}

/* Takes in a case here through the intake window (一窗受理): one party with ID number
 * id_number, the category and village given, risk NULL for the default. Its id into
 * case_id (64 bytes); returns the operation's status. */
struct cn_intake {
    struct intake *in;
};

static inline int cn_intake_apply(eventlog_tx *tx, void *arg)
{
    return intake_apply(tx, ((struct cn_intake *)arg)->in);
}

static inline int cn_open_case(struct case_node *f, const char *village, const char *category,
                               const char *id_number, const char *risk, char *case_id)
{
    struct intake_ctx ctx = {f->cfg.node_id, f->cfg.node_name, "clerk", f->cfg.tier,
                             &f->policy, clock_now_ms(), f->id, NULL, NULL};
    struct intake_error ie;
    struct cn_intake job = {NULL};
    json_t *body = json_pack(
        "{s:[{s:s, s:s, s:s, s:s}], s:s, s:s, s:s, s:s, s:s, s:s}", "parties", "name", "张三",
        "id_number", id_number, "phone", "13800138000", "address", "东村3组", "category",
        category, "matter_type", "dispute_mediation", "village", village, "source", "walk_in",
        "summary", "两户因承包地边界发生争执", "complexity", "simple");
    if (!body)
        cn_die("json_pack");
    if (risk)
        json_object_set_new(body, "risk", json_string(risk));
    if (intake_parse(body, &ctx, &job.in, &ie)) {
        fprintf(stderr, "intake refused: %s %s\n", ie.field, ie.message);
        cn_die("intake_parse");
    }
    json_decref(body);
    int rc = cn_run(f, cn_intake_apply, &job);
    snprintf(case_id, 64, "%s", rc == 0 ? intake_case_id(job.in) : "");
    intake_free(&job.in);
    return rc;
}

/* The view of a case (NULL if none; free with case_view_free()). */
static inline Jiefen__CaseView *cn_view(struct case_node *f, const char *case_id)
{
    MDB_txn *txn;
    Jiefen__CaseView *v = NULL;
    if (store_txn_begin(f->st, MDB_RDONLY, &txn) || caseindex_get(f->st, txn, case_id, &v))
        cn_die("cannot read a case");
    store_txn_abort(txn);
    return v;
}

/* Seq of this node's newest event. */
static inline uint64_t cn_head(struct case_node *f)
{
    MDB_txn *txn;
    uint64_t seq;
    uint8_t hash[CRYPTO_HASH_LEN];
    if (store_txn_begin(f->st, MDB_RDONLY, &txn) ||
        eventlog_head(f->st, txn, f->cfg.node_id, &seq, hash))
        cn_die("cannot read the head");
    store_txn_abort(txn);
    return seq;
}

/* The kind a case event names, for those that have one ("" for the rest). */
static inline const char *cn_event_kind(const Jiefen__Event *ev)
{
    if (ev->body_case == JIEFEN__EVENT__BODY_CASE_MOVED)
        return ev->case_moved->kind;
    if (ev->body_case == JIEFEN__EVENT__BODY_DEADLINE)
        return ev->deadline->kind;
    return "";
}

/* How many events of the case's file have this body (and kind, when not NULL); the last
 * of them into *last when last is not NULL (free with envelope_free()). */
static inline unsigned cn_events(struct case_node *f, const char *case_id, int body,
                                 const char *kind, envelope **last)
{
    MDB_txn *txn;
    unsigned n = 0;
    Jiefen__CaseView *v = cn_view(f, case_id);
    if (last)
        *last = NULL;
    if (!v || store_txn_begin(f->st, MDB_RDONLY, &txn))
        cn_die("no such case");
    for (size_t i = 0; i < v->n_event_origins; i++) {
        MDB_val d;
        envelope *e = NULL;
        if (store_event_get(f->st, txn, v->event_origins[i], v->event_seqs[i], &d) ||
            envelope_decode(d.mv_data, d.mv_size, &e))
            cn_die("an event of the file is missing");
        if ((int)e->event->body_case == body &&
            (!kind || strcmp(cn_event_kind(e->event), kind) == 0)) {
            n++;
            if (last) {
                envelope_free(last);
                *last = e;
                e = NULL;
            }
        }
        envelope_free(&e);
    }
    store_txn_abort(txn);
    case_view_free(&v);
    return n;
}

/* A move of a case tried in its own operation: lifecycle_move to `to` (kind as given),
 * or with `to` NULL lifecycle_escalate. Whatever it appended is committed. */
struct cn_move {
    struct case_node *f;
    const char *case_id, *kind, *to;
    char err[LIFECYCLE_ERR_MAX]; /* "" unless the step wrote a reason */
    int rc;
    unsigned appended;
};

static inline int cn_move_apply(eventlog_tx *tx, void *arg)
{
    struct cn_move *mv = arg;
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(tx->st, tx->txn, mv->case_id, &v);
    if (rc || !v)
        return rc ? rc : JF_ENOTFOUND;
    mv->err[0] = 0;
    mv->rc = mv->to ? lifecycle_move(tx, &mv->f->lc, v, mv->kind, mv->to, "人工上报", 0,
                                     "director", mv->err)
                    : lifecycle_escalate(tx, &mv->f->lc, v, "人工上报", 0, "director", mv->err);
    mv->appended = tx->appended;
    case_view_free(&v);
    return 0;
}

/* A chain of events signed by another node of the tree, as this node receives them. */
struct cn_chain {
    int node;
    uint64_t seq;
    uint8_t head[CRYPTO_HASH_LEN];
};

/* Signs ev as the chain's next event (time: now) and takes it in as received over a link:
 * stored, head moved, folded (fold_event), in one transaction. */
static inline void cn_receive(struct case_node *f, struct cn_chain *c, Jiefen__Event *ev)
{
    uint8_t prev[CRYPTO_HASH_LEN], key[STORE_KEY_MAX], *bytes;
    size_t len;
    envelope *e = NULL;
    MDB_txn *txn;
    memcpy(prev, c->head, sizeof prev);
    ev->origin = (char *)cn_tree[c->node].id;
    ev->seq = ++c->seq;
    ev->prev_hash.data = prev;
    ev->prev_hash.len = sizeof prev;
    ev->time_ms = clock_now_ms();
    if (!ev->actor)
        ev->actor = "test";
    if (envelope_sign(f->ids[c->node], ev, &bytes, &len, c->head) ||
        envelope_decode(bytes, len, &e) || store_txn_begin(f->st, 0, &txn))
        cn_die("cannot sign a received event");
    if (store_put(txn, f->st->events, key, store_event_key(ev->origin, ev->seq, key), bytes,
                  len, STORE_NEW) ||
        eventlog_head_put(f->st, txn, ev->origin, ev->seq, c->head) ||
        fold_event(f->st, txn, f->cfg.node_id, e, bytes, len, 0) || store_txn_commit(txn))
        cn_die("cannot take in a received event");
    ev->prev_hash.data = NULL;
    ev->prev_hash.len = 0;
    envelope_free(&e);
    free(bytes);
}
#endif /* TESTUTIL_CASES */

/* ---- cmocka fixtures of a store -------------------------------------------------------- */

/* A node's parts for tests of what runs in event-log operations (state: struct
 * test_node): a fresh directory, an identity, a store (1 MiB map) and the log of node v1. */
struct test_solo {
    char dir[4096];
    crypto_identity *id;
    store *st;
    eventlog *log;
};

static inline int test_solo_setup(void **state)
{
    struct test_solo *n = calloc(1, sizeof *n);
    char path[4200];
    if (!n || crypto_init())
        return -1;
    test_tmpdir(n->dir, sizeof n->dir);
    n->id = test_identity(n->dir, "node");
    snprintf(path, sizeof path, "%s/store", n->dir);
    if (store_open(path, 1 << 20, 1, &n->st) || eventlog_new(n->st, n->id, "v1", &n->log))
        return -1;
    *state = n;
    return 0;
}

static inline int test_solo_teardown(void **state)
{
    struct test_solo *n = *state;
    eventlog_free(&n->log);
    store_close(&n->st);
    crypto_identity_free(&n->id);
    test_rmtree(n->dir);
    free(n);
    return 0;
}

/* A store in test_dir and a write transaction on it, aborted at the end (state: struct
 * test_txn). */
struct test_txn {
    store *st;
    MDB_txn *txn;
};

static inline int test_txn_setup(void **state)
{
    struct test_txn *t = calloc(1, sizeof *t);
    if (!t)
        return -1;
    test_dir_setup(state);
    t->st = test_store(test_dir, "store");
    if (store_txn_begin(t->st, 0, &t->txn))
        return -1;
    *state = t;
    return 0;
}

static inline int test_txn_teardown(void **state)
{
    struct test_txn *t = *state;
    store_txn_abort(t->txn);
    store_close(&t->st);
    free(t);
    return test_dir_teardown(state);
}

#endif
