/* Webhooks: the [webhook NAME] sections parse into subscribers with their event kinds (a
 * wrong name, event, URL or secret is refused naming it); which events a subscriber can
 * hear; a dead delivery is retried (queued again, same delivery id, attempts and expiry
 * afresh) or discarded, and neither applies to a delivery that is not dead. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "case/hooks.h"
#include "config_webhook.h"
#include "error.h"
#include "outbox/outbox.h"
#include "outbox/webhook.h"
#include "testutil.h"

#include <string.h>

static const char *set(struct config_webhooks *c, const char *section, const char *name,
                       const char *value)
{
    static char msg[256];
    return config_webhook_set(c, section, name, value, msg, sizeof msg);
}

static void test_config_sections(void **state)
{
    (void)state;
    struct config_webhooks c = {0};
    char msg[256];
    assert_null(set(&c, "webhook board", "url", "https://board.example.cn/hook"));
    assert_null(set(&c, "webhook board", "secret", "0123456789abcdef"));
    assert_non_null(config_webhook_check(&c, msg, sizeof msg));
    print_message("%s\n", msg);
    assert_string_equal(msg, "[webhook board] needs events");
    assert_null(set(&c, "webhook board", "events", "case.created, case.closed"));
    assert_null(config_webhook_check(&c, msg, sizeof msg));
    const struct config_webhook *h = config_webhook_find(&c, "board");
    assert_non_null(h);
    assert_int_equal(h->events, 1u << CONFIG_HOOK_CREATED | 1u << CONFIG_HOOK_CLOSED);
    assert_int_equal(h->max_attempts, 10);
    assert_int_equal(h->expiry_h, 72);
    assert_null(set(&c, "webhook all_of_it", "events", "all"));
    assert_int_equal(c.hooks[1].events, (1u << CONFIG_HOOK_KINDS) - 1);
    assert_non_null(config_webhook_check(&c, msg, sizeof msg)); /* no url */
    assert_string_equal(msg, "[webhook all_of_it] needs url");

    const char *why = set(&c, "webhook board", "events", "case.created,case.exploded");
    print_message("%s\n", why);
    assert_non_null(strstr(why, "\"case.exploded\""));
    assert_non_null(set(&c, "webhook board", "secret", "short"));
    assert_non_null(set(&c, "webhook board", "url", "ftp://x"));
    assert_non_null(set(&c, "webhook board", "max_attempts", "0"));
    assert_non_null(set(&c, "webhook board", "colour", "red"));
    assert_non_null(set(&c, "webhook Board", "url", "https://x"));
    assert_non_null(set(&c, "webhook ", "url", "https://x"));
    assert_int_equal(c.n, 2); /* the refused names added nobody */

    assert_string_equal(config_hook_kind_name(CONFIG_HOOK_RISK), "case.risk_changed");
    assert_int_equal(config_hook_kind_parse("case.followed_up"), CONFIG_HOOK_FOLLOWED_UP);
    assert_int_equal(config_hook_kind_parse("case.opened"), -1);
    char system[WEBHOOK_SYSTEM_MAX];
    webhook_system("board", system);
    assert_string_equal(system, "webhook:board");
    assert_string_equal(webhook_of_system(system), "board");
    assert_null(webhook_of_system("12345"));
}

static void test_kinds_of_events(void **state)
{
    (void)state;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    Jiefen__CaseMoved mv = JIEFEN__CASE_MOVED__INIT;
    ev.origin = "v1";
    ev.body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    assert_int_equal(hooks_kind(&ev), CONFIG_HOOK_CREATED);
    ev.body_case = JIEFEN__EVENT__BODY_CASE_MOVED;
    ev.case_moved = &mv;
    mv.kind = "escalate";
    mv.from = "v1";
    assert_int_equal(hooks_kind(&ev), CONFIG_HOOK_ESCALATED);
    mv.from = "v2"; /* another node's escalation */
    assert_int_equal(hooks_kind(&ev), -1);
    mv.kind = "handdown";
    mv.from = "v1";
    assert_int_equal(hooks_kind(&ev), -1);
    ev.body_case = JIEFEN__EVENT__BODY_CASE_CLOSED;
    assert_int_equal(hooks_kind(&ev), CONFIG_HOOK_CLOSED);
    ev.body_case = JIEFEN__EVENT__BODY_ATTEMPT;
    assert_int_equal(hooks_kind(&ev), -1);
}

static int queue_apply(eventlog_tx *tx, void *arg)
{
    (void)arg;
    const struct notify_var v[] = {{"status", "closed"}};
    return outbox_queue(tx, "webhook:board", "case.closed", "board", "v1-2026-000001", v, 1,
                        NULL);
}

static void done_cb(void *arg, int status)
{
    *(int *)arg = status;
}

/* Message 1 as stored now; the caller frees it. */
static Jiefen__NotifyRecord *get1(struct test_solo *f)
{
    MDB_txn *txn;
    Jiefen__NotifyRecord *rec = NULL;
    assert_int_equal(store_txn_begin(f->st, MDB_RDONLY, &txn), 0);
    assert_int_equal(outbox_get(f->st, txn, 1, &rec), 0);
    store_txn_abort(txn);
    assert_non_null(rec);
    return rec;
}

/* Runs op (retry: 1, discard: 0, store the record: -1 with rec) on message id. */
static int change(struct test_solo *f, int op, uint64_t id, const Jiefen__NotifyRecord *rec)
{
    MDB_txn *txn;
    assert_int_equal(store_txn_begin(f->st, 0, &txn), 0);
    int rc = op == 1 ? outbox_retry(f->st, txn, id, 5000)
             : op == 0 ? outbox_discard(f->st, txn, id)
                       : outbox_put(f->st, txn, rec);
    if (rc == 0)
        assert_int_equal(store_txn_commit(txn), 0);
    else
        store_txn_abort(txn);
    return rc;
}

static void fail_it(struct test_solo *f)
{
    Jiefen__NotifyRecord *rec = get1(f);
    rec->status = JIEFEN__NOTIFY_STATUS__NOTIFY_FAILED;
    rec->attempts = 3;
    rec->done_ms = 4000;
    assert_int_equal(change(f, -1, 1, rec), 0);
    jiefen__notify_record__free_unpacked(rec, NULL);
}

static void test_dead_retried_and_discarded(void **state)
{
    struct test_solo *f = *state;
    int status = 1;
    assert_int_equal(eventlog_submit(f->log, queue_apply, done_cb, &status), 0);
    eventlog_flush(f->log);
    assert_int_equal(status, 0);
    Jiefen__NotifyRecord *first = get1(f);
    assert_false(outbox_dead(first));
    assert_int_equal(change(f, 1, 1, NULL), JF_EINVAL); /* queued: not dead */
    assert_int_equal(change(f, 0, 1, NULL), JF_EINVAL);
    assert_int_equal(change(f, 1, 9, NULL), JF_ENOTFOUND);

    fail_it(f);
    Jiefen__NotifyRecord *rec = get1(f);
    assert_true(outbox_dead(rec));
    jiefen__notify_record__free_unpacked(rec, NULL);
    assert_int_equal(change(f, 1, 1, NULL), 0);
    rec = get1(f);
    print_message("retried: %s, attempts %u, next %lld, retried %lld\n",
                  outbox_status_code(rec->status), rec->attempts, (long long)rec->next_ms,
                  (long long)rec->retried_ms);
    assert_false(outbox_dead(rec));
    assert_int_equal(rec->status, JIEFEN__NOTIFY_STATUS__NOTIFY_QUEUED);
    assert_int_equal(rec->attempts, 0);
    assert_int_equal(rec->next_ms, 5000);
    assert_int_equal(rec->retried_ms, 5000);
    assert_string_equal(rec->idempotency_key, first->idempotency_key);
    jiefen__notify_record__free_unpacked(rec, NULL);
    assert_int_equal(change(f, 1, 1, NULL), JF_EINVAL); /* retried once: queued */

    fail_it(f);
    assert_int_equal(change(f, 0, 1, NULL), 0);
    rec = get1(f);
    assert_true(rec->discarded);
    assert_false(outbox_dead(rec));
    assert_int_equal(rec->status, JIEFEN__NOTIFY_STATUS__NOTIFY_FAILED);
    jiefen__notify_record__free_unpacked(rec, NULL);
    assert_int_equal(change(f, 0, 1, NULL), JF_EINVAL);
    assert_int_equal(change(f, 1, 1, NULL), JF_EINVAL);
    jiefen__notify_record__free_unpacked(first, NULL);
}

#define T(name) cmocka_unit_test_setup_teardown(name, test_solo_setup, test_solo_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_sections),
        cmocka_unit_test(test_kinds_of_events),
        T(test_dead_retried_and_discarded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
