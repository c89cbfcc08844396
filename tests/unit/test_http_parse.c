/*
 * test_http_parse — the HTTP server's setup refusals and its pure parsers: percent-decoding,
 * query parameters and cookies (test_http drives requests through a live server).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/http.h"

#include <string.h>

/* ---- server setup -------------------------------------------------------------------- */

/* The server setup tests never send a request. */
static void handler(http_req *req, const http_request *r, void *data)
{
    (void)req;
    (void)r;
    (void)data;
}

static void count_done(void *arg)
{
    (*(int *)arg)++;
}

static void test_server_new_args(void **state)
{
    uv_loop_t loop;
    http_server *s = NULL;
    int done = 0, rc;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(http_server_new(&loop, "not-an-ip", 0, NULL, handler, NULL, &s), UV_EINVAL);
    assert_int_equal(http_server_new(&loop, "127.0.0.1", 70000, NULL, handler, NULL, &s), UV_EINVAL);
    assert_int_equal(http_server_new(&loop, "127.0.0.1", 0, NULL, NULL, NULL, &s), UV_EINVAL);
    rc = http_server_new(&loop, "::1", 0, NULL, handler, NULL, &s);
    print_message("::1 -> %d (%s) port %d\n", rc, rc ? uv_strerror(rc) : "ok",
                  rc ? 0 : http_server_port(s));
    if (rc == 0) {   /* hosts without IPv6 loopback skip this part */
        assert_true(http_server_port(s) > 0);
        http_server_close(s, count_done, &done);
        assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
        assert_int_equal(done, 1);
    }
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* A port already taken: the error comes back and the handle is freed on the next run. */
static void test_server_port_in_use(void **state)
{
    uv_loop_t loop;
    http_server *a = NULL, *b = NULL;
    int done = 0, rc;

    (void)state;
    assert_int_equal(uv_loop_init(&loop), 0);
    assert_int_equal(http_server_new(&loop, "127.0.0.1", 0, NULL, handler, NULL, &a), 0);
    rc = http_server_new(&loop, "127.0.0.1", http_server_port(a), NULL, handler, NULL, &b);
    print_message("second bind on %d -> %d (%s)\n", http_server_port(a), rc, uv_strerror(rc));
    assert_int_equal(rc, UV_EADDRINUSE);
    assert_null(b);
    http_server_close(a, count_done, &done);
    assert_int_equal(uv_run(&loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(done, 1);
    assert_int_equal(uv_loop_close(&loop), 0);
}

/* ---- URL decoding -------------------------------------------------------------------- */

static void check_decode(const char *in, int plus, int want_len, const char *want)
{
    char out[32];
    int n = http_url_decode(in, strlen(in), out, sizeof out, plus);

    print_message("decode(\"%s\", plus=%d) = %d \"%s\"\n", in, plus, n, n >= 0 ? out : "");
    assert_int_equal(n, want_len);
    if (want)
        assert_memory_equal(out, want, (size_t)want_len + 1);
}

static void test_url_decode(void **state)
{
    char out[4];

    (void)state;
    check_decode("abc", 0, 3, "abc");
    check_decode("", 0, 0, "");
    check_decode("a%20b", 0, 3, "a b");
    check_decode("a+b", 1, 3, "a b");
    check_decode("a+b", 0, 3, "a+b");
    check_decode("%E4%B8%9C%e4%ba%ac", 0, 6, "东京");
    check_decode("%2B%2b%25", 1, 3, "++%");
    check_decode("%00x", 0, 2, "\0x");
    check_decode("%", 0, -1, NULL);
    check_decode("%4", 0, -1, NULL);
    check_decode("abc%", 0, -1, NULL);
    check_decode("%zz", 0, -1, NULL);
    check_decode("%G1", 0, -1, NULL);
    check_decode("%1g", 0, -1, NULL);
    check_decode("%%41", 0, -1, NULL);
    /* inlen, not the NUL, bounds the input; outlen counts the NUL */
    assert_int_equal(http_url_decode("abcdef", 3, out, sizeof out, 0), 3);
    assert_string_equal(out, "abc");
    assert_int_equal(http_url_decode("abcd", 4, out, sizeof out, 0), -1);
    assert_int_equal(http_url_decode("%E4%B8%9C", 9, out, sizeof out, 0), 3);
    assert_int_equal(http_url_decode("%E4%B8%9C", 8, out, sizeof out, 0), -1);   /* cut escape */
    assert_int_equal(http_url_decode("a", 1, out, 0, 0), -1);
    assert_int_equal(http_url_decode(NULL, 0, out, sizeof out, 0), 0);
}

static void check_query(const char *q, const char *key, size_t cap, int want_len, const char *want)
{
    char out[64];
    int n = http_query_get(q, key, out, cap);

    print_message("query_get(\"%s\", \"%s\") = %d \"%s\"\n", q, key, n, n >= 0 ? out : "");
    assert_int_equal(n, want_len);
    if (want)
        assert_string_equal(out, want);
}

static void test_query_get(void **state)
{
    const char *q = "a=1&b=%E4%B8%9C&c=&d&e=x+y%2Bz&f=%zz&%61%62=k&a=2&&A=up"
                    "&%E4%B8%AD%E6%96%87=%E5%80%BC";

    (void)state;
    check_query(q, "a", 64, 1, "1");   /* the first of repeated keys */
    check_query(q, "b", 64, 3, "东");
    check_query(q, "c", 64, 0, "");
    check_query(q, "d", 64, 0, "");
    check_query(q, "e", 64, 5, "x y+z");
    check_query(q, "f", 64, -2, NULL);
    check_query(q, "ab", 64, 1, "k");  /* keys are compared after decoding */
    check_query(q, "A", 64, 2, "up");
    check_query(q, "中文", 64, 3, "值");
    check_query(q, "z", 64, -1, NULL);
    check_query(q, "", 64, -1, NULL);
    check_query(q, "b", 3, -2, NULL);  /* no room for the NUL */
    check_query(q, "b", 4, 3, "东");
    check_query("", "a", 64, -1, NULL);
    check_query("ab=1", "a", 64, -1, NULL);
    check_query("a", "ab", 64, -1, NULL);
    check_query("%zz=1&a=2", "a", 64, 1, "2");   /* a broken key elsewhere is skipped */
    assert_int_equal(http_query_get(NULL, "a", NULL, 0), -1);
}

static void check_cookie(const char *header, const char *name, size_t len, int want,
                         const char *value)
{
    char out[64] = "";
    int got = http_cookie_get(header, name, out, len);

    print_message("cookie %s in \"%s\" (%zu) -> %d \"%s\"\n", name, header, len, got,
                  got >= 0 ? out : "");
    assert_int_equal(got, want);
    if (value)
        assert_string_equal(out, value);
}

static void test_cookie_get(void **state)
{
    const char *h = "theme=dark;jiefen_session=abc ;  x_jiefen_session=no; s=; jiefen=1";

    (void)state;
    check_cookie(h, "jiefen_session", 64, 3, "abc");
    check_cookie(h, "theme", 64, 4, "dark");
    check_cookie(h, "s", 64, 0, "");
    check_cookie(h, "jiefen", 64, 1, "1");
    check_cookie(h, "session", 64, -1, NULL);   /* names match whole, not as a suffix */
    check_cookie(h, "jiefen_session", 3, -2, NULL);
    check_cookie("", "jiefen_session", 64, -1, NULL);
    assert_int_equal(http_cookie_get(NULL, "a", NULL, 0), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_server_new_args),
        cmocka_unit_test(test_server_port_in_use),
        cmocka_unit_test(test_url_decode),
        cmocka_unit_test(test_query_get),
        cmocka_unit_test(test_cookie_get),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
