/* A township's intake of its children's up batches off its loop (link/upapply.h): groups
 * are applied in the order taken, one child's at a time, the next one filling meanwhile; a
 * full map grows and the group is applied; a throttled child's filling group is dropped;
 * closing with a group on the way frees everything. Real store, real loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "error.h"
#include "link/upapply.h"
#include "log/eventlog.h"
#include "testutil.h"

/* An Up message of n new cases of chain c (with that summary, if not NULL), owned as one
 * received from the socket is. */
static Jiefen__LinkMessage *up_msg_of(struct test_chain *c, size_t n, char *summary)
{
    ProtobufCBinaryData env[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        char id[64];
        Jiefen__CaseOpened o;
        Jiefen__Event ev;
        snprintf(id, sizeof id, "%s-case-%llu", c->origin, (unsigned long long)(c->seq + 1));
        test_case_opened(&ev, &o, id, 1767225600000LL);
        if (summary)
            o.summary = summary;
        env[i].data = test_chain_sign(c, &ev, &env[i].len);
    }
    Jiefen__UpBatch b = JIEFEN__UP_BATCH__INIT;
    b.envelopes = env;
    b.n_envelopes = n;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_UP;
    m.up = &b;
    size_t len = jiefen__link_message__get_packed_size(&m);
    uint8_t *buf = malloc(len);
    assert_non_null(buf);
    jiefen__link_message__pack(&m, buf);
    Jiefen__LinkMessage *out = jiefen__link_message__unpack(NULL, len, buf);
    assert_non_null(out);
    free(buf);
    for (size_t i = 0; i < n; i++)
        free(env[i].data);
    return out;
}

static Jiefen__LinkMessage *up_msg(struct test_chain *c, size_t n)
{
    return up_msg_of(c, n, NULL);
}

struct seen {
    size_t n, peer[8];
    int rc[8];
    unsigned applied[8];
};

static void on_done(void *arg, size_t peer, int rc, const struct ingest_result *res)
{
    struct seen *s = arg;
    assert_true(s->n < 8);
    s->peer[s->n] = peer;
    s->rc[s->n] = rc;
    s->applied[s->n++] = res->applied;
}

static void run_until(uv_loop_t *loop, struct seen *s, size_t n)
{
    for (int i = 0; i < 2000 && s->n < n; i++)
        uv_run(loop, UV_RUN_ONCE);
    assert_int_equal(s->n, n);
}

static uint64_t head(store *st, const char *origin)
{
    MDB_txn *txn;
    uint64_t seq = 0;
    uint8_t hash[CRYPTO_HASH_LEN];
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    assert_int_equal(eventlog_head(st, txn, origin, &seq, hash), 0);
    store_txn_abort(txn);
    return seq;
}

static void test_groups_in_order_one_child_at_a_time(void **state)
{
    struct test_node *f = *state;
    uv_loop_t loop;
    struct seen s = {0};
    assert_int_equal(uv_loop_init(&loop), 0);
    upapply *a = upapply_new(&loop, f->st, "t1", on_done, &s);
    assert_non_null(a);
    Jiefen__LinkMessage *v2 = up_msg(&f->t.cv2, 2);
    assert_int_equal(upapply_take(a, 0, "v1", up_msg(&f->t.cv1, 3)), 1);
    assert_int_equal(upapply_take(a, 0, "v1", up_msg(&f->t.cv1, 2)), 1);
    assert_int_equal(upapply_take(a, 1, "v2", v2), 0); /* another child's: it waits */
    assert_true(upapply_busy(a, 0));
    assert_false(upapply_busy(a, 1));
    upapply_start(a);
    assert_int_equal(upapply_take(a, 1, "v2", v2), 1); /* fills behind the one in flight */
    Jiefen__LinkMessage *late = up_msg(&f->t.cv1, 1); /* the caller's while not taken */
    assert_int_equal(upapply_take(a, 0, "v1", late), 0);
    jiefen__link_message__free_unpacked(late, NULL);
    run_until(&loop, &s, 2);
    assert_int_equal(s.peer[0], 0);
    assert_int_equal(s.applied[0], 5);
    assert_int_equal(s.peer[1], 1);
    assert_int_equal(s.applied[1], 2);
    assert_int_equal(s.rc[0] | s.rc[1], 0);
    assert_int_equal(head(f->st, "v1"), 5);
    assert_int_equal(head(f->st, "v2"), 2);
    assert_false(upapply_busy(a, 0) || upapply_busy(a, 1));
    upapply_close(a);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* The map fills under the applier: the loop grows it and the group is applied whole. */
static void test_full_map_grows_then_applies(void **state)
{
    struct test_node *f = *state;
    char summary[4001];
    store *small = test_small_store(f->dir, &f->t);
    memset(summary, 'x', sizeof summary - 1);
    summary[sizeof summary - 1] = 0;
    uv_loop_t loop;
    struct seen s = {0};
    assert_int_equal(uv_loop_init(&loop), 0);
    upapply *a = upapply_new(&loop, small, "t1", on_done, &s);
    for (int i = 0; i < 8; i++)
        assert_int_equal(upapply_take(a, 0, "v1", up_msg_of(&f->t.cv1, 16, summary)), 1);
    upapply_start(a);
    run_until(&loop, &s, 1);
    assert_int_equal(s.rc[0], 0);
    assert_int_equal(s.applied[0], 128);
    assert_int_equal(head(small, "v1"), 128);
    upapply_close(a);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_true(small->map_size > (1 << 20)); /* it did fill */
    store_close(&small);
}

/* A throttled child's batches behind the group that tripped it are dropped, counted. */
static void test_drop_takes_only_that_childs_filling_group(void **state)
{
    struct test_node *f = *state;
    uv_loop_t loop;
    struct seen s = {0};
    assert_int_equal(uv_loop_init(&loop), 0);
    upapply *a = upapply_new(&loop, f->st, "t1", on_done, &s);
    assert_int_equal(upapply_take(a, 0, "v1", up_msg(&f->t.cv1, 2)), 1);
    assert_int_equal(upapply_drop(a, 1), 0);
    assert_int_equal(upapply_take(a, 0, "v1", up_msg(&f->t.cv1, 3)), 1);
    assert_int_equal(upapply_drop(a, 0), 5);
    assert_false(upapply_busy(a, 0));
    upapply_start(a); /* nothing to start */
    assert_int_equal(s.n, 0);
    assert_int_equal(head(f->st, "v1"), 0);
    upapply_close(a);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* Closed with one group applying and one filling: nothing is reported, nothing leaks
 * (the sanitizer build), and what was being applied is whole or absent, never half. */
static void test_close_with_groups_on_the_way(void **state)
{
    struct test_node *f = *state;
    uv_loop_t loop;
    struct seen s = {0};
    assert_int_equal(uv_loop_init(&loop), 0);
    upapply *a = upapply_new(&loop, f->st, "t1", on_done, &s);
    assert_int_equal(upapply_take(a, 0, "v1", up_msg(&f->t.cv1, 16)), 1);
    upapply_start(a);
    assert_int_equal(upapply_take(a, 0, "v1", up_msg(&f->t.cv1, 4)), 1);
    upapply_close(a);
    uv_run(&loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&loop), 0);
    assert_int_equal(s.n, 0);
    uint64_t h = head(f->st, "v1");
    assert_true(h == 0 || h == 16);
}

int main(void)
{
    if (test_init())
        return 1;
#define T TEST_NODE
    const struct CMUnitTest tests[] = {
        T(test_groups_in_order_one_child_at_a_time),
        T(test_full_map_grows_then_applies),
        T(test_drop_takes_only_that_childs_filling_group),
        T(test_close_with_groups_on_the_way),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
