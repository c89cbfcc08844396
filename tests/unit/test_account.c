/* Accounts and sessions: the rules for names and passwords, the arithmetic of failed logins,
 * argon2id hashes, and sessions in a real store (only the cookie's hash kept, expiry, void
 * after a password change, the sweep). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/account.h"
#include "clock.h"
#include "crypto.h"
#include "error.h"
#include "api/permission.h"
#include "api/session.h"
#include "testutil.h"

#include <errno.h>
#include <string.h>
#include <time.h>

static void test_rules(void **state)
{
    (void)state;
    const char *why;
    assert_null(account_check_user("zhang.san-2"));
    assert_non_null(account_check_user("z"));
    assert_non_null(account_check_user("Zhang"));
    assert_non_null(account_check_user("2zhang"));
    assert_non_null(account_check_user("zhang san"));
    assert_non_null(account_check_user("admin"));
    assert_non_null(account_check_user("system"));
    assert_non_null(account_check_user("abcdefghijabcdefghijabcdefghijabc"));
    assert_null(account_check_name("张三"));
    assert_non_null(account_check_name(""));
    assert_non_null(account_check_name("张\n三"));
    assert_null(account_check_password("zhang", "一二三四五六七八"));   /* 8 characters */
    assert_non_null(account_check_password("zhang", "一二三四五六七"));
    assert_non_null(account_check_password("zhangsan1", "zhangsan1"));
    assert_int_equal(account_check_role("mediator", JIEFEN__TIER__TIER_VILLAGE, &why),
                     ROLE_MEDIATOR);
    assert_int_equal(account_check_role("leader", JIEFEN__TIER__TIER_VILLAGE, &why), ROLE_NONE);
    printf("  leader at a village: %s\n", why);
    assert_non_null(why);
    assert_int_equal(account_check_role("领导", JIEFEN__TIER__TIER_COUNTY, &why), ROLE_LEADER);
    assert_int_equal(account_check_role("chief", JIEFEN__TIER__TIER_COUNTY, &why), ROLE_NONE);
}

static void test_lockout(void **state)
{
    (void)state;
    Jiefen__UserRecord u = JIEFEN__USER_RECORD__INIT;
    int64_t now = 1795000000000;
    int delays[5], locked = 0;
    for (int i = 0; i < 5; i++) {
        delays[i] = (int)account_delay_ms(&u);
        locked = account_failed(&u, now, 5, 15);
        printf("  attempt %d waited %d ms, locked %d\n", i + 1, delays[i], locked);
        assert_int_equal(locked, i == 4);
    }
    assert_int_equal(delays[0], 0);
    assert_int_equal(delays[2], 0);
    assert_int_equal(delays[3], 1000);
    assert_int_equal(delays[4], 2000);
    assert_true(account_locked(&u, now + 15 * 60000 - 1));
    assert_false(account_locked(&u, now + 15 * 60000));
    assert_int_equal(u.failures, 0);   /* counting starts again after the lock */
    u.failures = 40;
    assert_int_equal(account_delay_ms(&u), ACCOUNT_DELAY_MAX_MS);
    account_logged_in(&u, now);
    assert_int_equal(u.failures, 0);
    assert_int_equal(u.last_login_ms, now);
}

static void test_password_hash(void **state)
{
    (void)state;
    char hash[CRYPTO_PWHASH_MAX];
    struct timespec a, b;
    assert_int_equal(crypto_init(), 0);
    clock_gettime(CLOCK_MONOTONIC, &a);
    assert_int_equal(crypto_password_hash("correct horse", hash), 0);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("  one argon2id hash: %.1f ms (%.29s...)\n",
           (double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6, hash);
    assert_int_equal(strncmp(hash, "$argon2id$", 10), 0);
    assert_int_equal(crypto_password_verify(hash, "correct horse"), 0);
    assert_int_equal(crypto_password_verify(hash, "correct horsE"), JF_EBADSIG);
    assert_int_equal(crypto_password_verify("", "correct horse"), JF_EBADSIG);
}

static store *open_store(void)
{
    char path[4200];
    store *st = NULL;
    snprintf(path, sizeof path, "%s/store", test_dir);
    assert_int_equal(store_open(path, 1 << 20, 1, &st), 0);
    return st;
}

/* A clerk's record, as the store holds it (the hash is not checked here). */
static Jiefen__UserRecord clerk(const char *user, const char *name)
{
    Jiefen__UserRecord u = JIEFEN__USER_RECORD__INIT;
    u.user = (char *)user;
    u.name = (char *)name;
    u.role = "clerk";
    u.password_hash = "$argon2id$x";
    u.generation = 1;
    return u;
}

static void test_sessions(void **state)
{
    (void)state;
    store *st = open_store();
    MDB_txn *txn;
    char cookie[SESSION_HEX], csrf[SESSION_HEX];
    uint8_t key[CRYPTO_HASH_LEN], again[CRYPTO_HASH_LEN];
    struct session_limits l = {30 * 60000, 12 * 3600000};
    int64_t t0 = 1795000000000;
    Jiefen__UserRecord u = clerk("zhang", "张三"), *back = NULL;
    Jiefen__SessionRecord *s = NULL;
    assert_int_equal(crypto_init(), 0);
    assert_int_equal(store_txn_begin(st, 0, &txn), 0);
    assert_int_equal(account_put(st, txn, &u), 0);
    assert_int_equal(session_create(st, txn, &u, t0, cookie, csrf, key), 0);
    assert_int_equal(mdb_txn_commit(txn), 0);
    printf("  cookie %.8s..., csrf %.8s...\n", cookie, csrf);
    assert_int_equal(strlen(cookie), 64);

    assert_int_equal(session_key(cookie, again), 0);
    assert_memory_equal(key, again, sizeof key);
    assert_int_equal(session_key("zz", again), JF_EINVAL);
    assert_int_equal(store_txn_begin(st, MDB_RDONLY, &txn), 0);
    /* Only the hash is a key: the cookie itself finds nothing. */
    MDB_val k = {CRYPTO_HASH_LEN, cookie}, d;
    assert_int_equal(mdb_get(txn, st->sessions, &k, &d), MDB_NOTFOUND);
    assert_int_equal(session_get(st, txn, key, &s), 0);
    assert_non_null(s);
    assert_int_equal(account_get(st, txn, "zhang", &back), 0);
    mdb_txn_abort(txn);
    assert_true(session_csrf_ok(s, csrf));
    assert_false(session_csrf_ok(s, ""));
    assert_false(session_csrf_ok(s, cookie));
    assert_int_equal(session_check(s, back, &l, t0 + l.idle_ms - 1), SESSION_VALID);
    assert_int_equal(session_check(s, back, &l, t0 + l.idle_ms), SESSION_EXPIRED);
    s->last_seen_ms = t0 + l.max_ms - 1000;  /* used all along: the absolute limit */
    assert_int_equal(session_check(s, back, &l, t0 + l.max_ms), SESSION_EXPIRED);
    s->last_seen_ms = t0;
    assert_int_equal(session_check(s, NULL, &l, t0), SESSION_VOID);
    back->generation++;    /* a new password */
    assert_int_equal(session_check(s, back, &l, t0), SESSION_VOID);
    back->generation--;
    back->disabled = 1;
    assert_int_equal(session_check(s, back, &l, t0), SESSION_VOID);

    unsigned removed = 9;
    assert_int_equal(store_txn_begin(st, 0, &txn), 0);
    assert_int_equal(session_sweep(st, txn, &l, t0 + 60000, &removed), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(session_sweep(st, txn, &l, t0 + l.idle_ms, &removed), 0);
    assert_int_equal(removed, 1);
    assert_int_equal(mdb_txn_commit(txn), 0);
    session_free(&s);
    account_free(&back);
    store_close(&st);
}

static int count_user(const ProtobufCMessage *m, void *arg)
{
    const Jiefen__UserRecord *u = (const Jiefen__UserRecord *)m;
    int *count = arg;
    (void)u;
    return ++*count == 2 ? -ENOMEM : 0;
}

/* A sweep past the first batch of ended sessions it collects; a walk of users that stops. */
static void test_sweep_many(void **state)
{
    (void)state;
    store *st = open_store();
    MDB_txn *txn;
    char cookie[SESSION_HEX], csrf[SESSION_HEX];
    uint8_t key[CRYPTO_HASH_LEN];
    struct session_limits l = {30 * 60000, 12 * 3600000};
    int64_t t0 = 1795000000000;
    Jiefen__UserRecord u = clerk("li", "李四");
    assert_int_equal(crypto_init(), 0);
    assert_int_equal(store_txn_begin(st, 0, &txn), 0);
    assert_int_equal(account_put(st, txn, &u), 0);
    for (int i = 0; i < 150; i++) /* 100 old ones, then 50 new ones */
        assert_int_equal(session_create(st, txn, &u, i < 100 ? t0 : t0 + l.idle_ms, cookie,
                                        csrf, key), 0);
    unsigned removed = 0;
    assert_int_equal(session_sweep(st, txn, &l, t0 + l.idle_ms, &removed), 0);
    assert_int_equal(removed, 100);
    assert_int_equal(session_sweep(st, txn, &l, t0 + l.idle_ms, &removed), 0);
    assert_int_equal(removed, 0);
    assert_int_equal(session_delete(st, txn, key), 0);
    assert_int_equal(session_delete(st, txn, key), 0); /* gone already: not an error */
    u.user = "wang";
    assert_int_equal(account_put(st, txn, &u), 0);
    u.user = "zhao";
    assert_int_equal(account_put(st, txn, &u), 0);
    int count = 0;
    assert_int_equal(account_each(st, txn, count_user, &count), -ENOMEM);
    assert_int_equal(count, 2);
    assert_int_equal(store_txn_commit(txn), 0);
    store_close(&st);
}

static void test_cookie_header(void **state)
{
    (void)state;
    char h[256];
    session_cookie_header(h, sizeof h, "v-dongcun", "abc", 43200);
    printf("  %s", h);
    assert_string_equal(h, "Set-Cookie: jiefen_session_v-dongcun=abc; Path=/; Max-Age=43200; HttpOnly; "
                           "SameSite=Strict\r\n");
    session_cookie_header(h, sizeof h, "v-dongcun", NULL, 43200);
    assert_non_null(strstr(h, "jiefen_session_v-dongcun=; Path=/; Max-Age=0;"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rules),
        cmocka_unit_test(test_lockout),
        cmocka_unit_test(test_password_hash),
        cmocka_unit_test_setup_teardown(test_sessions, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_sweep_many, test_dir_setup, test_dir_teardown),
        cmocka_unit_test(test_cookie_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
