/* session (api/session.h): browser sessions kept under the hash of their cookie, their
 * idle and absolute limits, voiding by the user's generation, disabled or deleted users,
 * CSRF tokens, the touch interval, the sweep and the cookie header. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/account.h"
#include "api/session.h"
#include "error.h"
#include "testutil.h"

#define T0 1767225600000LL
#define MINUTE_MS 60000LL

static const struct session_limits LIMITS = {30 * MINUTE_MS, 8 * 60 * MINUTE_MS};

static Jiefen__UserRecord user(const char *name, uint32_t generation)
{
    Jiefen__UserRecord u = JIEFEN__USER_RECORD__INIT;
    u.user = (char *)name;
    u.name = "张三";
    u.role = "clerk";
    u.generation = generation;
    return u;
}

static void test_create_and_find_by_cookie(void **state)
{
    struct test_txn *f = *state;
    Jiefen__UserRecord u = user("zhangsan", 3);
    char cookie[SESSION_HEX], csrf[SESSION_HEX];
    uint8_t key[CRYPTO_HASH_LEN], again[CRYPTO_HASH_LEN];
    assert_int_equal(session_create(f->st, f->txn, &u, T0, cookie, csrf, key), 0);
    printf("  cookie %.8s..., csrf %.8s...\n", cookie, csrf);
    assert_int_equal(strlen(cookie), 64);
    assert_int_equal(strlen(csrf), 64);
    assert_string_not_equal(cookie, csrf);
    /* The browser's cookie leads back to the session. */
    assert_int_equal(session_key(cookie, again), 0);
    assert_memory_equal(key, again, sizeof key);
    Jiefen__SessionRecord *s = NULL;
    assert_int_equal(session_get(f->st, f->txn, again, &s), 0);
    assert_non_null(s);
    assert_string_equal(s->user, "zhangsan");
    assert_string_equal(s->csrf, csrf);
    assert_int_equal(s->created_ms, T0);
    assert_int_equal(s->last_seen_ms, T0);
    assert_int_equal(s->generation, 3);
    session_free(&s);
    assert_null(s);
    session_free(&s);
    /* The store keeps the hash, never the cookie itself. */
    uint8_t raw[32];
    assert_int_equal(crypto_unhex(cookie, raw, sizeof raw), 0);
    MDB_val d;
    assert_int_equal(store_get(f->txn, f->st->sessions, key, sizeof key, &d), 0);
    assert_null(memmem(d.mv_data, d.mv_size, raw, sizeof raw));
    assert_null(memmem(d.mv_data, d.mv_size, cookie, 64));
    assert_int_equal(store_get(f->txn, f->st->sessions, raw, sizeof raw, &d), JF_ENOTFOUND);
    /* Two logins, two sessions. */
    char cookie2[SESSION_HEX], csrf2[SESSION_HEX];
    uint8_t key2[CRYPTO_HASH_LEN];
    assert_int_equal(session_create(f->st, f->txn, &u, T0, cookie2, csrf2, key2), 0);
    assert_string_not_equal(cookie, cookie2);
    assert_memory_not_equal(key, key2, sizeof key);

    /* Logout: gone; deleting again is not an error. */
    assert_int_equal(session_delete(f->st, f->txn, key), 0);
    assert_int_equal(session_get(f->st, f->txn, key, &s), 0);
    assert_null(s);
    assert_int_equal(session_delete(f->st, f->txn, key), 0);
}

static void test_cookie_refusals(void **state)
{
    (void)state;
    uint8_t key[CRYPTO_HASH_LEN];
    char ok[SESSION_HEX];
    memset(ok, 'a', 64);
    ok[64] = 0;
    assert_int_equal(session_key(ok, key), 0);
    const char *bad[] = {"", "abc", "zz", NULL};
    for (size_t i = 0; bad[i]; i++)
        assert_int_equal(session_key(bad[i], key), JF_EINVAL);
    char longer[SESSION_HEX + 2];
    memset(longer, 'a', 66);
    longer[66] = 0;
    assert_int_equal(session_key(longer, key), JF_EINVAL);
    ok[10] = 'g';
    assert_int_equal(session_key(ok, key), JF_EINVAL);
}

static void test_undecodable_record(void **state)
{
    struct test_txn *f = *state;
    uint8_t key[CRYPTO_HASH_LEN] = {1};
    Jiefen__SessionRecord *s = NULL;
    assert_int_equal(store_put(f->txn, f->st->sessions, key, sizeof key, "\xff\xff\xff", 3, 0),
                     0);
    assert_int_equal(session_get(f->st, f->txn, key, &s), JF_ECORRUPT);
    assert_null(s);
}

static void test_limits(void **state)
{
    (void)state;
    Jiefen__UserRecord u = user("zhangsan", 1);
    Jiefen__SessionRecord s = JIEFEN__SESSION_RECORD__INIT;
    s.user = "zhangsan";
    s.created_ms = T0;
    s.last_seen_ms = T0;
    s.generation = 1;
    /* Idle limit first. */
    assert_int_equal(session_expires_ms(&s, &LIMITS), T0 + 30 * MINUTE_MS);
    assert_int_equal(session_check(&s, &u, &LIMITS, T0 + 30 * MINUTE_MS - 1), SESSION_VALID);
    assert_int_equal(session_check(&s, &u, &LIMITS, T0 + 30 * MINUTE_MS), SESSION_EXPIRED);
    /* Used recently, but at the absolute limit from the login it ends anyway. */
    s.last_seen_ms = T0 + 8 * 60 * MINUTE_MS - MINUTE_MS;
    assert_int_equal(session_expires_ms(&s, &LIMITS), T0 + 8 * 60 * MINUTE_MS);
    assert_int_equal(session_check(&s, &u, &LIMITS, T0 + 8 * 60 * MINUTE_MS - 1), SESSION_VALID);
    assert_int_equal(session_check(&s, &u, &LIMITS, T0 + 8 * 60 * MINUTE_MS), SESSION_EXPIRED);
}

static void test_void_sessions(void **state)
{
    (void)state;
    Jiefen__UserRecord u = user("zhangsan", 2);
    Jiefen__SessionRecord s = JIEFEN__SESSION_RECORD__INIT;
    s.user = "zhangsan";
    s.created_ms = s.last_seen_ms = T0;
    s.generation = 2;
    assert_int_equal(session_check(&s, &u, &LIMITS, T0 + 1), SESSION_VALID);
    /* Password set (generation moved on), user disabled, user deleted. */
    u.generation = 3;
    assert_int_equal(session_check(&s, &u, &LIMITS, T0 + 1), SESSION_VOID);
    u.generation = 2;
    u.disabled = 1;
    assert_int_equal(session_check(&s, &u, &LIMITS, T0 + 1), SESSION_VOID);
    assert_int_equal(session_check(&s, NULL, &LIMITS, T0 + 1), SESSION_VOID);
}

static void test_csrf_and_touch(void **state)
{
    (void)state;
    Jiefen__SessionRecord s = JIEFEN__SESSION_RECORD__INIT;
    char token[SESSION_HEX];
    memset(token, 'b', 64);
    token[64] = 0;
    s.csrf = token;
    s.last_seen_ms = T0;
    assert_true(session_csrf_ok(&s, token));
    char other[SESSION_HEX];
    memcpy(other, token, sizeof other);
    other[63] = 'c';
    assert_false(session_csrf_ok(&s, other));
    assert_false(session_csrf_ok(&s, ""));
    assert_false(session_csrf_ok(&s, "bbbb"));
    /* A session without a token accepts no empty header either. */
    s.csrf = "";
    assert_false(session_csrf_ok(&s, ""));

    assert_false(session_touch_due(&s, T0));
    assert_false(session_touch_due(&s, T0 + SESSION_TOUCH_MS - 1));
    assert_true(session_touch_due(&s, T0 + SESSION_TOUCH_MS));
}

static void test_sweep(void **state)
{
    struct test_txn *f = *state;
    Jiefen__UserRecord alive = user("lisi", 1), gone = user("wangwu", 1),
                       renewed = user("zhaoliu", 2);
    assert_int_equal(account_put(f->st, f->txn, &alive), 0);
    assert_int_equal(account_put(f->st, f->txn, &renewed), 0);
    char cookie[SESSION_HEX], csrf[SESSION_HEX];
    uint8_t fresh[CRYPTO_HASH_LEN], idle[CRYPTO_HASH_LEN], orphan[CRYPTO_HASH_LEN],
        old[CRYPTO_HASH_LEN];
    int64_t now = T0 + 60 * MINUTE_MS;
    assert_int_equal(session_create(f->st, f->txn, &alive, now - MINUTE_MS, cookie, csrf, fresh), 0);
    assert_int_equal(session_create(f->st, f->txn, &alive, now - 31 * MINUTE_MS, cookie, csrf, idle),
                     0);
    assert_int_equal(session_create(f->st, f->txn, &gone, now - MINUTE_MS, cookie, csrf, orphan), 0);
    Jiefen__UserRecord before = user("zhaoliu", 1); /* its session predates the new password */
    assert_int_equal(session_create(f->st, f->txn, &before, now - MINUTE_MS, cookie, csrf, old), 0);
    unsigned removed = 99;
    assert_int_equal(session_sweep(f->st, f->txn, &LIMITS, now, &removed), 0);
    printf("  swept %u\n", removed);
    assert_int_equal(removed, 3);
    Jiefen__SessionRecord *s = NULL;
    assert_int_equal(session_get(f->st, f->txn, fresh, &s), 0);
    assert_non_null(s);
    session_free(&s);
    uint8_t *dead[] = {idle, orphan, old};
    for (int i = 0; i < 3; i++) {
        assert_int_equal(session_get(f->st, f->txn, dead[i], &s), 0);
        assert_null(s);
    }
    assert_int_equal(session_sweep(f->st, f->txn, &LIMITS, now, &removed), 0);
    assert_int_equal(removed, 0);
}

static void test_cookie_names_and_header(void **state)
{
    (void)state;
    char name[SESSION_COOKIE_MAX], buf[512];
    session_cookie_name("v1", name);
    assert_string_equal(name, "jiefen_session_v1");
    session_cookie_name("t1", buf);
    assert_string_not_equal(name, buf);
    /* The longest node id fits. */
    char id[STORE_ORIGIN_MAX + 1];
    memset(id, 'n', STORE_ORIGIN_MAX);
    id[STORE_ORIGIN_MAX] = 0;
    session_cookie_name(id, name);
    assert_int_equal(strlen(name), strlen(SESSION_COOKIE) + STORE_ORIGIN_MAX);

    session_cookie_header(buf, sizeof buf, "v1", "abcd", 28800);
    printf("  %s", buf);
    assert_string_equal(buf, "Set-Cookie: jiefen_session_v1=abcd; Path=/; Max-Age=28800; "
                             "HttpOnly; SameSite=Strict\r\n");
    session_cookie_header(buf, sizeof buf, "v1", NULL, 28800);
    printf("  %s", buf);
    assert_non_null(strstr(buf, "jiefen_session_v1=;"));
    assert_non_null(strstr(buf, "Max-Age=0;"));
    assert_non_null(strstr(buf, "HttpOnly"));
}

int main(void)
{
    if (crypto_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, test_txn_setup, test_txn_teardown)
    const struct CMUnitTest tests[] = {
        T(test_create_and_find_by_cookie),
        cmocka_unit_test(test_cookie_refusals),
        T(test_undecodable_record),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_void_sessions),
        cmocka_unit_test(test_csrf_and_touch),
        T(test_sweep),
        cmocka_unit_test(test_cookie_names_and_header),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
