/* Outbox: a message queued in an eventlog operation exists exactly when the operation
 * committed; its number and values are sealed (never in clear in the store file), shown
 * masked; bad input is refused and queues nothing; a message that is done leaves the
 * pending set but stays listed, by case and newest first; each system's pending messages
 * are read by when they are due, and a store from before that index gets it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "error.h"
#include "outbox/outbox.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>

#define PHONE "13912345678"

struct queue_op {
    int fail_after;     /* the operation fails after queueing: nothing must remain */
    int refusals[4];
    int status;         /* as the operation's done callback was told */
};

static int queue_apply(eventlog_tx *tx, void *arg)
{
    struct queue_op *op = arg;
    struct notify_var v[] = {{"time", "12月8日9时"}, {"place", "东村调解室"}};
    struct notify_var bad[] = {{"", "x"}};
    int rc = notify_queue(tx, "receipt", PHONE, "v1-2026-000001", NULL, 0);
    if (rc == 0)
        rc = notify_queue(tx, "appointment", "13800001111", "v1-2026-000001", v, 2);
    op->refusals[0] = notify_queue(tx, "receipt", "0951-1234567", "v1-2026-000001", NULL, 0);
    op->refusals[1] = notify_queue(tx, "receipt", PHONE, "v1-2026-000001", bad, 1);
    op->refusals[2] = notify_queue(tx, "", PHONE, NULL, NULL, 0);
    op->refusals[3] = outbox_queue(tx, "", "x", PHONE, NULL, NULL, 0, NULL);
    return rc ? rc : op->fail_after ? JF_EINVAL : 0;
}

static void done_cb(void *arg, int status)
{
    ((struct queue_op *)arg)->status = status;
}

static int count_one(const Jiefen__NotifyRecord *rec, void *arg)
{
    (void)rec;
    (*(int *)arg)++;
    return 0;
}

static int counted(struct test_solo *f, int which)
{
    MDB_txn *txn;
    int n = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    if (which == 0)
        assert_int_equal(outbox_each_pending(f->st, txn, count_one, &n), 0);
    else if (which == 1)
        assert_int_equal(outbox_each_of_case(f->st, txn, "v1-2026-000001", count_one, &n), 0);
    else
        assert_int_equal(outbox_each(f->st, txn, 0, count_one, &n), 0);
    store_txn_abort(txn);
    return n;
}

static void run_op(struct test_solo *f, struct queue_op *op, int want)
{
    op->status = 1;
    assert_int_equal(eventlog_submit(f->log, queue_apply, done_cb, op), 0);
    eventlog_flush(f->log);
    assert_int_equal(op->status, want);
}

static void test_failed_operation_queues_nothing(void **state)
{
    struct test_solo *f = *state;
    struct queue_op op = {.fail_after = 1};
    run_op(f, &op, JF_EINVAL);
    assert_int_equal(counted(f, 2), 0);
}

static int file_has(const char *path, const char *needle)
{
    FILE *fp = fopen(path, "rb");
    assert_non_null(fp);
    static char buf[1 << 21];
    size_t n = fread(buf, 1, sizeof buf, fp);
    fclose(fp);
    return memmem(buf, n, needle, strlen(needle)) != NULL;
}

static void test_queued_sealed_masked_listed(void **state)
{
    struct test_solo *f = *state;
    struct queue_op op = {0};
    run_op(f, &op, 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(op.refusals[i], JF_EINVAL);
    assert_int_equal(counted(f, 0), 2);
    assert_int_equal(counted(f, 1), 2);
    assert_int_equal(counted(f, 2), 2);

    MDB_txn *txn;
    Jiefen__NotifyRecord *rec = NULL;
    Jiefen__NotifyPayload *p = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(outbox_get(f->st, txn, 2, &rec), 0);
    assert_non_null(rec);
    print_message("message 2: %s to %s, %s\n", rec->template_, rec->masked,
                  outbox_status_name(rec));
    assert_string_equal(rec->masked, "138****1111");
    assert_string_equal(rec->system, "sms");
    assert_int_equal(strlen(rec->idempotency_key), 32);
    assert_string_equal(outbox_status_name(rec), "待发送");
    assert_int_equal(outbox_payload(f->st, txn, f->id, 2, &p), 0);
    assert_string_equal(p->recipient, "13800001111");
    assert_int_equal(p->n_vars, 2);
    assert_string_equal(p->vars[1]->value, "东村调解室");
    jiefen__notify_payload__free_unpacked(p, NULL);
    store_txn_abort(txn);

    char path[4200];
    snprintf(path, sizeof path, "%s/store/data.mdb", f->dir);
    assert_false(file_has(path, PHONE));
    assert_false(file_has(path, "东村调解室"));

    /* sent: it leaves the pending set, and stays listed */
    rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_SENT;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(outbox_put(f->st, txn, rec), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    jiefen__notify_record__free_unpacked(rec, NULL);
    assert_int_equal(counted(f, 0), 1);
    assert_int_equal(counted(f, 2), 2);
}

static int queue_three(eventlog_tx *tx, void *arg)
{
    (void)arg;
    int rc = notify_queue(tx, "receipt", PHONE, "v1-2026-000001", NULL, 0);
    if (rc == 0)
        rc = outbox_queue(tx, "court", "result", "https://court.example", NULL, NULL, 0, NULL);
    return rc ? rc : notify_queue(tx, "receipt", "13800001111", "v1-2026-000002", NULL, 0);
}

struct seen {
    uint64_t ids[8];
    int n;
};

static int see_one(const Jiefen__NotifyRecord *rec, void *arg)
{
    struct seen *s = arg;
    s->ids[s->n++] = rec->id;
    return 0;
}

/* The ids of system's messages due at now (into s), and when the next falls due. */
static int64_t due(struct test_solo *f, const char *system, int64_t now, struct seen *s)
{
    MDB_txn *txn;
    int64_t next;
    s->n = 0;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(outbox_each_due(f->st, txn, system, now, &next, see_one, s), 0);
    store_txn_abort(txn);
    return next;
}

static void set_next(struct test_solo *f, uint64_t id, int64_t next_ms, int status)
{
    MDB_txn *txn;
    Jiefen__NotifyRecord *rec;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(outbox_get(f->st, txn, id, &rec), 0);
    rec->next_ms = next_ms;
    rec->status = status;
    assert_int_equal(outbox_put(f->st, txn, rec), 0);
    assert_int_equal(store_txn_commit(txn), 0);
    jiefen__notify_record__free_unpacked(rec, NULL);
}

struct keys {
    uint8_t k[16][96];
    size_t len[16];
    int n;
};

static int note_key(const MDB_val *key, const MDB_val *val, void *arg)
{
    (void)val;
    struct keys *ks = arg;
    const uint8_t *k = key->mv_data;
    if ((k[0] == 'p' || k[0] == 'q') && ks->n < 16 && key->mv_size <= sizeof ks->k[0]) {
        memcpy(ks->k[ks->n], k, key->mv_size);
        ks->len[ks->n++] = key->mv_size;
    }
    return 0;
}

/* As a release before the due index left the store: 'p' without a time, no 'q'. */
static void make_old(struct test_solo *f)
{
    struct keys ks = {.n = 0};
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(store_walk(txn, f->st->notify, NULL, note_key, &ks), 0);
    for (int i = 0; i < ks.n; i++)
        if (ks.k[i][0] == 'q')
            assert_int_equal(store_del(txn, f->st->notify, ks.k[i], ks.len[i]), 0);
        else
            assert_int_equal(store_put(txn, f->st->notify, ks.k[i], ks.len[i], "", 0, 0), 0);
    assert_int_equal(store_txn_commit(txn), 0);
}

static void fill(struct test_solo *f)
{
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    assert_int_equal(outbox_due_fill(f->st, txn), 0);
    assert_int_equal(store_txn_commit(txn), 0);
}

/* A courier reads what is due of its own system, earliest first, and when the next is. */
static void test_due_index(void **state)
{
    struct test_solo *f = *state;
    assert_int_equal(eventlog_submit(f->log, queue_three, NULL, NULL), 0);
    eventlog_flush(f->log);
    int64_t now = clock_now_ms() + 1000;
    struct seen s;
    assert_int_equal(due(f, "sms", now, &s), INT64_MAX);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], 1);
    assert_int_equal(s.ids[1], 3);
    due(f, "court", now, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ids[0], 2);

    set_next(f, 1, now + 60000, JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED); /* backs off */
    assert_int_equal(due(f, "sms", now, &s), now + 60000);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ids[0], 3);
    due(f, "sms", now + 60000, &s);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.ids[0], 3); /* earliest first */
    assert_int_equal(s.ids[1], 1);

    set_next(f, 3, now, JIEFEN__NOTIFY_STATUS__NOTIFY_SENT); /* done: not due again */
    due(f, "sms", INT64_MAX, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(s.ids[0], 1);

    /* A store from before the index: nothing due until the migration's fill, then all;
     * a second fill changes nothing. */
    make_old(f);
    due(f, "sms", INT64_MAX, &s);
    assert_int_equal(s.n, 0);
    fill(f);
    fill(f);
    assert_int_equal(due(f, "sms", now, &s), now + 60000);
    assert_int_equal(s.n, 0);
    due(f, "sms", INT64_MAX, &s);
    assert_int_equal(s.n, 1);
    due(f, "court", now, &s);
    assert_int_equal(s.n, 1);
    assert_int_equal(counted(f, 0), 2);
}

static void test_mask_and_status_names(void **state)
{
    (void)state;
    char m[OUTBOX_MASK_MAX];
    outbox_mask("13812345678", m);
    assert_string_equal(m, "138****5678");
    outbox_mask("12345", m);
    assert_string_equal(m, "***45");
    outbox_mask("", m);
    assert_string_equal(m, "");
    assert_true(outbox_is_mobile("13812345678"));
    assert_false(outbox_is_mobile("0951-1234567"));
    assert_false(outbox_is_mobile("2381234567"));
    Jiefen__NotifyRecord r = JIEFEN__NOTIFY_RECORD__INIT;
    r.waiting_gateway = 1;
    assert_string_equal(outbox_status_name(&r), "未配置网关，等待发送");
    assert_int_equal(outbox_status_parse("已过期"), JIEFEN__NOTIFY_STATUS__NOTIFY_EXPIRED);
    assert_int_equal(outbox_status_parse("held"), JIEFEN__NOTIFY_STATUS__NOTIFY_HELD);
    assert_int_equal(outbox_status_parse("nonsense"), -1);
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_solo_setup, test_solo_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_failed_operation_queues_nothing),
        T(test_queued_sealed_masked_listed),
        T(test_due_index),
        cmocka_unit_test(test_mask_and_status_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
