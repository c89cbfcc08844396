/* Courier: delivery of the outbox through a fake adapter (no network): a retry goes again
 * with the same idempotency key and ends sent; a refusal fails for good with its reason;
 * without a gateway a message waits, marked, and the adapter is never called; in quiet
 * hours it is held; past its expiry it is expired unsent; past max_attempts it fails;
 * hundreds of messages without a gateway are marked in a few transactions and then left
 * alone until they expire. Waits poll the store with a
 * deadline; the back-off is made a few milliseconds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "clock.h"
#include "error.h"
#include "outbox/courier.h"
#include "outbox/outbox.h"
#include "testutil.h"

#include <pthread.h>
#include <string.h>
#include <time.h>

#define DEADLINE_MS 10000

struct fake {
    pthread_mutex_t mu;
    enum courier_result script[8];   /* answers in order; then COURIER_SENT */
    unsigned calls;
    char keys[8][40];
};

struct fixture {
    char dir[4096];
    crypto_identity *id;
    store *st;
    eventlog *log;
    struct fake fake;
    struct courier_adapter a;
    uint64_t queued;    /* messages 1..queued are the test's */
};

static enum courier_result fake_send(void *ctx, const Jiefen__NotifyRecord *rec,
                                     const Jiefen__NotifyPayload *p, const atomic_int *stop,
                                     char *why, size_t whylen)
{
    struct fake *f = ctx;
    (void)p, (void)stop;
    pthread_mutex_lock(&f->mu);
    unsigned n = f->calls++;
    enum courier_result r = n < 8 ? f->script[n] : COURIER_SENT;
    if (n < 8)
        snprintf(f->keys[n], sizeof f->keys[n], "%s", rec->idempotency_key);
    pthread_mutex_unlock(&f->mu);
    if (r == COURIER_RETRY || r == COURIER_REFUSED)
        snprintf(why, whylen, "scripted %s", r == COURIER_RETRY ? "retry" : "refusal");
    return r;
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char path[4200];
    assert_int_equal(crypto_init(), 0);
    setenv("TZ", "Asia/Shanghai", 1);
    tzset();
    test_tmpdir(f->dir, sizeof f->dir);
    snprintf(path, sizeof path, "%s/node.key", f->dir);
    assert_int_equal(crypto_identity_create(path, &f->id), 0);
    snprintf(path, sizeof path, "%s/store", f->dir);
    assert_int_equal(store_open(path, 1 << 20, 1, &f->st), 0);
    assert_int_equal(eventlog_new(f->st, f->id, "v1", &f->log), 0);
    pthread_mutex_init(&f->fake.mu, NULL);
    f->a = (struct courier_adapter){.system = "sms", .configured = 1, .send = fake_send,
                                    .ctx = &f->fake};
    f->a.rules = (struct outbox_rules){.expiry_ms = OUTBOX_HOUR_MS, .retry_base_ms = 20,
                                       .retry_max_ms = 40};
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    eventlog_free(&f->log);
    store_close(&f->st);
    crypto_identity_free(&f->id);
    pthread_mutex_destroy(&f->fake.mu);
    test_rmtree(f->dir);
    free(f);
    return 0;
}

static int queue_two(eventlog_tx *tx, void *arg)
{
    (void)arg;
    int rc = notify_queue(tx, "receipt", "13911112222", "v1-2026-000001", NULL, 0);
    return rc ? rc : notify_queue(tx, "receipt", "13922223333", "v1-2026-000001", NULL, 0);
}

static void queue(struct fixture *f)
{
    assert_int_equal(eventlog_submit(f->log, queue_two, NULL, NULL), 0);
    assert_int_equal(eventlog_flush(f->log), 1);
    f->queued = 2;
}

#define MANY 300 /* more than a courier takes in one look */

static int queue_many(eventlog_tx *tx, void *arg)
{
    (void)arg;
    int rc = 0;
    for (int i = 0; rc == 0 && i < MANY; i++) {
        char phone[16];
        snprintf(phone, sizeof phone, "139%08d", i);
        rc = notify_queue(tx, "receipt", phone, "v1-2026-000001", NULL, 0);
    }
    return rc;
}

/* The status of message id, and the record when out is not NULL (the caller frees). */
static int status_of(struct fixture *f, uint64_t id, Jiefen__NotifyRecord **out)
{
    MDB_txn *txn;
    Jiefen__NotifyRecord *rec = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(outbox_get(f->st, txn, id, &rec), 0);
    store_txn_abort(txn);
    assert_non_null(rec);
    int s = rec->status;
    if (out)
        *out = rec;
    else
        jiefen__notify_record__free_unpacked(rec, NULL);
    return s;
}

static int waiting_gateway(struct fixture *f, uint64_t id)
{
    Jiefen__NotifyRecord *rec;
    status_of(f, id, &rec);
    int w = rec->waiting_gateway;
    jiefen__notify_record__free_unpacked(rec, NULL);
    return w;
}

#define WAITING_GATEWAY (-1) /* for wait_all: queued, marked as waiting for a gateway */
#define DONE (-2)            /* for wait_all: sent, delivered, failed or expired */

static int reached(struct fixture *f, uint64_t id, int s)
{
    if (s == WAITING_GATEWAY)
        return waiting_gateway(f, id);
    int now = status_of(f, id, NULL);
    return s == DONE ? outbox_done(now) : now == s;
}

/* Polls until every message of the test has reached s (a status, WAITING_GATEWAY or
 * DONE), with a deadline. */
static void wait_all(struct fixture *f, int s)
{
    int64_t end = clock_now_ms() + DEADLINE_MS;
    struct timespec pause = {0, 5000000};
    uint64_t id = 1;
    while (clock_now_ms() < end) {
        while (id <= f->queued && reached(f, id, s))
            id++;
        if (id > f->queued)
            return;
        nanosleep(&pause, NULL);
    }
    fail_msg("message %llu did not reach %d: it is %d", (unsigned long long)id, s,
             status_of(f, id, NULL));
}

static void run_courier(struct fixture *f, int until_status)
{
    courier *c = courier_new(f->st, f->id, &f->a);
    assert_non_null(c);
    assert_int_equal(courier_start(c), 0);
    courier_kick(c);
    wait_all(f, until_status);
    courier_free(&c);
    assert_null(c);
}

static void test_retry_same_key_then_sent_and_refusal_fails(void **state)
{
    struct fixture *f = *state;
    /* message 1: retry, then sent; message 2: refused */
    f->fake.script[0] = COURIER_RETRY;
    f->fake.script[1] = COURIER_REFUSED;
    f->fake.script[2] = COURIER_SENT;
    for (int i = 3; i < 8; i++)
        f->fake.script[i] = COURIER_SENT;
    queue(f);
    run_courier(f, DONE);
    Jiefen__NotifyRecord *r1, *r2;
    assert_int_equal(status_of(f, 1, &r1), JIEFEN__NOTIFY_STATUS__NOTIFY_SENT);
    assert_int_equal(status_of(f, 2, &r2), JIEFEN__NOTIFY_STATUS__NOTIFY_FAILED);
    print_message("calls %u; 1: %u attempts; 2: %s\n", f->fake.calls, r1->attempts,
                  r2->last_error);
    assert_int_equal(f->fake.calls, 3);
    assert_int_equal(r1->attempts, 2);
    assert_string_equal(f->fake.keys[0], r1->idempotency_key);
    assert_string_equal(f->fake.keys[2], r1->idempotency_key);
    assert_string_equal(f->fake.keys[1], r2->idempotency_key);
    assert_string_equal(r2->last_error, "scripted refusal");
    assert_true(r1->done_ms > 0);
    jiefen__notify_record__free_unpacked(r1, NULL);
    jiefen__notify_record__free_unpacked(r2, NULL);
}

static void test_without_gateway_waits_unsent(void **state)
{
    struct fixture *f = *state;
    f->a.configured = 0;
    queue(f);
    run_courier(f, WAITING_GATEWAY);
    assert_int_equal(status_of(f, 1, NULL), JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED);
    assert_int_equal(f->fake.calls, 0);
    /* configured later (a restart): they go at once, not after the wait */
    f->a.configured = 1;
    run_courier(f, JIEFEN__NOTIFY_STATUS__NOTIFY_SENT);
    assert_int_equal(f->fake.calls, 2);
}

static uint64_t last_txn(struct fixture *f)
{
    MDB_envinfo info;
    assert_int_equal(mdb_env_info(f->st->env, &info), 0);
    return info.me_last_txnid;
}

/* Many messages without a gateway cost a few transactions, once: each is next looked at
 * when it expires, not rewritten while it waits; a gateway configured later sends all. */
static void test_many_without_gateway(void **state)
{
    struct fixture *f = *state;
    f->a.configured = 0;
    assert_int_equal(eventlog_submit(f->log, queue_many, NULL, NULL), 0);
    assert_int_equal(eventlog_flush(f->log), 1);
    f->queued = MANY;
    uint64_t t0 = last_txn(f);
    courier *c = courier_new(f->st, f->id, &f->a);
    assert_int_equal(courier_start(c), 0);
    wait_all(f, WAITING_GATEWAY);
    uint64_t t1 = last_txn(f);
    struct timespec pause = {0, 200000000};
    courier_kick(c);
    nanosleep(&pause, NULL);
    courier_free(&c);
    print_message("%d messages marked waiting in %llu transaction(s), then %llu\n", MANY,
                  (unsigned long long)(t1 - t0), (unsigned long long)(last_txn(f) - t1));
    assert_true(t1 - t0 <= 3);
    assert_int_equal(last_txn(f), t1);
    Jiefen__NotifyRecord *r;
    status_of(f, MANY, &r);
    assert_int_equal(r->next_ms, r->created_ms + OUTBOX_HOUR_MS);
    jiefen__notify_record__free_unpacked(r, NULL);
    f->a.configured = 1;
    run_courier(f, JIEFEN__NOTIFY_STATUS__NOTIFY_SENT);
    assert_int_equal(f->fake.calls, MANY);
}

/* Quiet hours from a minute ago until `minutes` from now. */
static void quiet_now(struct fixture *f, int minutes)
{
    time_t t = time(NULL);
    struct tm tm;
    localtime_r(&t, &tm);
    int m = tm.tm_hour * 60 + tm.tm_min;
    f->a.rules.quiet_start_min = (m + 1439) % 1440;
    f->a.rules.quiet_end_min = (m + minutes) % 1440;
}

static void test_quiet_hours_hold(void **state)
{
    struct fixture *f = *state;
    quiet_now(f, 10);
    queue(f);
    run_courier(f, JIEFEN__NOTIFY_STATUS__NOTIFY_HELD);
    assert_int_equal(f->fake.calls, 0);
    Jiefen__NotifyRecord *r;
    status_of(f, 1, &r);
    assert_true(r->next_ms > clock_now_ms()); /* held until the end of the quiet hours */
    jiefen__notify_record__free_unpacked(r, NULL);
}

/* Without a gateway the quiet hours are not what keeps a message: it says it waits for a
 * gateway at any hour (the console's 未配置网关, at night too); with one, it is held. */
static void test_without_gateway_at_night_waits_for_the_gateway(void **state)
{
    struct fixture *f = *state;
    quiet_now(f, 120);
    f->a.configured = 0;
    queue(f);
    run_courier(f, WAITING_GATEWAY);
    assert_int_equal(status_of(f, 1, NULL), JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED);
    f->a.configured = 1;
    run_courier(f, JIEFEN__NOTIFY_STATUS__NOTIFY_HELD);
    assert_int_equal(f->fake.calls, 0);
}

/* Held (quiet hours), a message is looked at again no later than when it expires. */
static void test_held_until_expiry_at_most(void **state)
{
    struct fixture *f = *state;
    quiet_now(f, 120);
    f->a.rules.expiry_ms = 5 * 60000;
    queue(f);
    run_courier(f, JIEFEN__NOTIFY_STATUS__NOTIFY_HELD);
    Jiefen__NotifyRecord *r;
    status_of(f, 1, &r);
    assert_int_equal(r->next_ms, r->created_ms + 5 * 60000); /* not the quiet hours' end */
    jiefen__notify_record__free_unpacked(r, NULL);
}

/* Waiting for a gateway, a 回单 owed for ever is looked at again within 30 days; a start
 * under a shorter expiry re-times what waits, and it expires. */
static void test_waiting_rechecked_and_retimed(void **state)
{
    struct fixture *f = *state;
    Jiefen__NotifyRecord *r;
    f->a.configured = 0;
    f->a.rules.expiry_ms = INT64_MAX / 4;
    queue(f);
    run_courier(f, WAITING_GATEWAY);
    status_of(f, 2, &r);
    assert_int_equal(r->status, JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED);
    assert_true(r->next_ms > clock_now_ms() + 29 * 86400000LL);
    assert_true(r->next_ms <= clock_now_ms() + 30 * 86400000LL);
    jiefen__notify_record__free_unpacked(r, NULL);

    f->a.rules.expiry_ms = 1;
    run_courier(f, JIEFEN__NOTIFY_STATUS__NOTIFY_EXPIRED);
    assert_int_equal(f->fake.calls, 0);
}

static void test_expired_unsent(void **state)
{
    struct fixture *f = *state;
    f->a.rules.expiry_ms = 1;
    queue(f);
    struct timespec pause = {0, 2000000};
    nanosleep(&pause, NULL); /* older than 1 ms */
    run_courier(f, JIEFEN__NOTIFY_STATUS__NOTIFY_EXPIRED);
    assert_int_equal(f->fake.calls, 0);
}

/* A limit of attempts (webhooks): retries until max_attempts, then failed for good. */
static void test_max_attempts_then_failed(void **state)
{
    struct fixture *f = *state;
    for (int i = 0; i < 8; i++)
        f->fake.script[i] = COURIER_RETRY;
    f->a.rules.max_attempts = 3;
    queue(f);
    run_courier(f, JIEFEN__NOTIFY_STATUS__NOTIFY_FAILED);
    Jiefen__NotifyRecord *r;
    status_of(f, 1, &r);
    print_message("calls %u; 1: %u attempts, %s\n", f->fake.calls, r->attempts, r->last_error);
    assert_int_equal(f->fake.calls, 6);
    assert_int_equal(r->attempts, 3);
    assert_string_equal(r->last_error, "scripted retry");
    assert_true(outbox_dead(r));
    jiefen__notify_record__free_unpacked(r, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_retry_same_key_then_sent_and_refusal_fails,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_without_gateway_waits_unsent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_many_without_gateway, setup, teardown),
        cmocka_unit_test_setup_teardown(test_quiet_hours_hold, setup, teardown),
        cmocka_unit_test_setup_teardown(test_held_until_expiry_at_most, setup, teardown),
        cmocka_unit_test_setup_teardown(test_without_gateway_at_night_waits_for_the_gateway,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_waiting_rechecked_and_retimed, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expired_unsent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_max_attempts_then_failed, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
