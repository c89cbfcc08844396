/*
 * test_http_limits — the server under pipelining and hostile clients: answers written in
 * request order whatever order the handler answers in, the pipeline bounds, the header
 * deadline against a trickler, the per-address and global caps, eviction of the longest
 * waiter, and the counters of each. The server runs on its loop in the main thread, a
 * blocking client in a second one (which never asserts: cmocka is not thread-safe).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/http.h"

#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_HELD 8

enum answer { ANSWER_NOW, ANSWER_REVERSE, ANSWER_OLDEST };

typedef struct fx fx;

struct fx {
    uv_loop_t loop;
    http_server *srv;
    uv_async_t stop;
    uv_timer_t tick;            /* answers held requests (ANSWER_REVERSE, ANSWER_OLDEST) */
    uv_sem_t got;               /* loop -> client: the handler has had a request */
    struct http_limits lim;
    enum answer answer;
    int expect;                 /* ANSWER_REVERSE: answer once this many are held */
    void (*client)(fx *f);
    int port, calls, max_held, nheld, stopped;
    http_req *held[MAX_HELD];
    char paths[MAX_HELD][16];   /* in dispatch order */
    struct http_stats stats;
    char out[2][4096];          /* what the client's connections read, until EOF */
};

/* ---- loop side ----------------------------------------------------------------------- */

static void answer(fx *f, int i)
{
    char body[32];
    int n = snprintf(body, sizeof body, "answer %d", i);

    http_respond(f->held[i], 200, "text/plain", body, (size_t)n, NULL);
    f->held[i] = NULL;
}

static void handler(http_req *req, const http_request *r, void *data)
{
    fx *f = data;
    int i = f->calls++;

    snprintf(f->paths[i < MAX_HELD ? i : MAX_HELD - 1], sizeof f->paths[0], "%s", r->path);
    uv_sem_post(&f->got);
    if (f->answer == ANSWER_NOW || i >= MAX_HELD) {
        http_respond(req, 200, "text/plain", r->path, strlen(r->path), NULL);
        return;
    }
    f->held[i] = req;
    if (++f->nheld > f->max_held)
        f->max_held = f->nheld;
}

static void on_tick(uv_timer_t *t)
{
    fx *f = t->data;

    if (f->answer == ANSWER_REVERSE && f->nheld == f->expect) {
        f->nheld = 0;   /* first: answering dispatches what waited, which counts anew */
        for (int i = f->calls - 1; i >= 0; i--)
            if (f->held[i])
                answer(f, i);
    } else if (f->answer == ANSWER_OLDEST && f->nheld > 0) {
        for (int i = 0; i < f->calls && i < MAX_HELD; i++)
            if (f->held[i]) {
                f->nheld--;
                answer(f, i);
                break;
            }
    }
}

static void on_stop(uv_async_t *a)
{
    fx *f = a->data;

    for (int i = 0; i < MAX_HELD; i++)
        if (f->held[i])
            answer(f, i);   /* the connection may be gone: http_respond() frees it */
    http_server_stats(f->srv, &f->stats);
    http_server_close(f->srv, NULL, NULL);
    uv_close((uv_handle_t *)&f->stop, NULL);
    uv_close((uv_handle_t *)&f->tick, NULL);
}

/* ---- client side --------------------------------------------------------------------- */

/* A blocking connection from `source` (a loopback address, host order). */
static int dial(fx *f, uint32_t source)
{
    struct sockaddr_in me = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(source)};
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {.tv_sec = 5};   /* a broken server fails the test, not hangs it */
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
        bind(fd, (struct sockaddr *)&me, sizeof me) < 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static void say(int fd, const char *s)
{
    (void)!send(fd, s, strlen(s), MSG_NOSIGNAL);
}

/* Reads until the server closes (or the receive timeout), into out. */
static void read_all(int fd, char *out, size_t cap)
{
    size_t n = 0;
    ssize_t r;

    while (n + 1 < cap && (r = recv(fd, out + n, cap - n - 1, 0)) > 0)
        n += (size_t)r;
    out[n] = '\0';
}

static void client_main(void *arg)
{
    fx *f = arg;

    f->client(f);
    uv_async_send(&f->stop);
}

static void run(fx *f)
{
    uv_thread_t thread;

    assert_int_equal(uv_loop_init(&f->loop), 0);
    assert_int_equal(uv_sem_init(&f->got, 0), 0);
    assert_int_equal(http_server_new(&f->loop, "127.0.0.1", 0, &f->lim, handler, f, &f->srv), 0);
    f->port = http_server_port(f->srv);
    assert_int_equal(uv_async_init(&f->loop, &f->stop, on_stop), 0);
    assert_int_equal(uv_timer_init(&f->loop, &f->tick), 0);
    f->stop.data = f->tick.data = f;
    assert_int_equal(uv_timer_start(&f->tick, on_tick, 2, 2), 0);
    assert_int_equal(uv_thread_create(&thread, client_main, f), 0);
    assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_thread_join(&thread), 0);
    uv_sem_destroy(&f->got);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    print_message("calls=%d max_held=%d\n--- 0:\n%s\n--- 1:\n%s\n", f->calls, f->max_held,
                  f->out[0], f->out[1]);
}

static void setup_limits(fx *f)
{
    http_limits_default(&f->lim);
    f->lim.max_body = 1024;
}

/* ---- pipelining ---------------------------------------------------------------------- */

static void client_three_gets(fx *f)
{
    int fd = dial(f, INADDR_LOOPBACK);

    if (fd < 0)
        return;
    say(fd, "GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\nGET /c HTTP/1.1\r\nConnection: close\r\n\r\n");
    read_all(fd, f->out[0], sizeof f->out[0]);
    close(fd);
}

/* All three are dispatched before any answer; answered last first, written first first. */
static void test_pipelined_answers_in_request_order(void **state)
{
    fx f = {.answer = ANSWER_REVERSE, .expect = 3, .client = client_three_gets};

    (void)state;
    setup_limits(&f);
    run(&f);
    assert_int_equal(f.calls, 3);
    assert_int_equal(f.max_held, 3);
    assert_string_equal(f.paths[2], "/c");
    const char *a = strstr(f.out[0], "answer 0"), *b = strstr(f.out[0], "answer 1"),
               *c = strstr(f.out[0], "answer 2");
    assert_non_null(a);
    assert_non_null(b);
    assert_non_null(c);
    assert_true(a < b && b < c);
}

static void client_five_gets(fx *f)
{
    int fd = dial(f, INADDR_LOOPBACK);

    if (fd < 0)
        return;
    say(fd, "GET /1 HTTP/1.1\r\n\r\nGET /2 HTTP/1.1\r\n\r\nGET /3 HTTP/1.1\r\n\r\n"
            "GET /4 HTTP/1.1\r\n\r\nGET /5 HTTP/1.1\r\nConnection: close\r\n\r\n");
    read_all(fd, f->out[0], sizeof f->out[0]);
    close(fd);
}

/* With max_pipeline 2, never more than two await their answers; all five come back. */
static void test_pipeline_bound(void **state)
{
    fx f = {.answer = ANSWER_OLDEST, .client = client_five_gets};

    (void)state;
    setup_limits(&f);
    f.lim.max_pipeline = 2;
    run(&f);
    assert_int_equal(f.calls, 5);
    assert_int_equal(f.max_held, 2);
    assert_true(strstr(f.out[0], "answer 0") < strstr(f.out[0], "answer 4"));
    assert_non_null(strstr(f.out[0], "answer 4"));
}

static void client_three_posts(fx *f)
{
    char body[601], req[4096];
    int fd = dial(f, INADDR_LOOPBACK), n = 0;

    if (fd < 0)
        return;
    memset(body, 'b', 600);
    body[600] = '\0';
    for (int i = 0; i < 3; i++)
        n += snprintf(req + n, sizeof req - (size_t)n,
                      "POST /p%d HTTP/1.1\r\nContent-Length: 600\r\n%s\r\n%s", i,
                      i == 2 ? "Connection: close\r\n" : "", body);
    say(fd, req);
    read_all(fd, f->out[0], sizeof f->out[0]);
    close(fd);
}

/* Bodies awaiting answers stay within max_body (1,024 here): a second 600-byte body waits
 * for the first's answer. */
static void test_pipeline_body_bound(void **state)
{
    fx f = {.answer = ANSWER_OLDEST, .client = client_three_posts};

    (void)state;
    setup_limits(&f);
    run(&f);
    assert_int_equal(f.calls, 3);
    assert_int_equal(f.max_held, 1);
    assert_non_null(strstr(f.out[0], "answer 2"));
}

/* ---- deadlines and caps -------------------------------------------------------------- */

/* Keeps sending header bytes until the server answers. */
static void client_trickler(fx *f)
{
    int fd = dial(f, INADDR_LOOPBACK);
    struct timeval tv = {.tv_usec = 20000};

    if (fd < 0)
        return;
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    say(fd, "GET /slow HTTP/1.1\r\n");
    for (int i = 0; i < 500 && !f->out[0][0]; i++) {
        say(fd, "X");
        read_all(fd, f->out[0], sizeof f->out[0]);
    }
    close(fd);
}

static void test_header_deadline_despite_bytes(void **state)
{
    fx f = {.client = client_trickler};

    (void)state;
    setup_limits(&f);
    f.lim.header_ms = 100;
    run(&f);
    assert_int_equal(f.calls, 0);
    assert_non_null(strstr(f.out[0], "HTTP/1.1 408"));
    assert_non_null(strstr(f.out[0], "\"code\":\"request_timeout\""));
    assert_int_equal(f.stats.refused[HTTP_REFUSED_HEADER_TIMEOUT], 1);
}

/* Two connections from 127.0.0.5: the second is over the per-address cap of 1. */
static void client_same_address(fx *f)
{
    int a = dial(f, INADDR_LOOPBACK + 4), b = dial(f, INADDR_LOOPBACK + 4);

    if (b >= 0) {
        read_all(b, f->out[1], sizeof f->out[1]);
        close(b);
    }
    if (a >= 0) {
        say(a, "GET /first HTTP/1.1\r\nConnection: close\r\n\r\n");
        read_all(a, f->out[0], sizeof f->out[0]);
        close(a);
    }
}

static void test_address_cap(void **state)
{
    fx f = {.client = client_same_address};

    (void)state;
    setup_limits(&f);
    f.lim.max_per_addr = 1;
    run(&f);
    assert_non_null(strstr(f.out[0], "/first"));
    assert_non_null(strstr(f.out[1], "HTTP/1.1 503"));
    assert_non_null(strstr(f.out[1], "too_many_connections"));
    assert_int_equal(f.stats.refused[HTTP_REFUSED_ADDRESS_CAP], 1);
    assert_int_equal(f.stats.refused[HTTP_REFUSED_CONNECTION_CAP], 0);
}

/* The first connection's request is held by the handler: nobody waits on its client, so
 * the second connection is refused at the global cap of 1. */
static void client_busy_then_second(fx *f)
{
    int a = dial(f, INADDR_LOOPBACK), b;

    if (a < 0)
        return;
    say(a, "GET /held HTTP/1.1\r\n\r\n");
    uv_sem_wait(&f->got);
    b = dial(f, INADDR_LOOPBACK + 1);
    if (b >= 0) {
        read_all(b, f->out[1], sizeof f->out[1]);
        close(b);
    }
    close(a);
}

static void test_connection_cap(void **state)
{
    fx f = {.answer = ANSWER_REVERSE, .expect = 99, .client = client_busy_then_second};

    (void)state;
    setup_limits(&f);
    f.lim.max_conns = 1;
    run(&f);
    assert_int_equal(f.calls, 1);
    assert_non_null(strstr(f.out[1], "HTTP/1.1 503"));
    assert_int_equal(f.stats.refused[HTTP_REFUSED_CONNECTION_CAP], 1);
    assert_int_equal(f.stats.refused[HTTP_REFUSED_EVICTED], 0);
}

/* The first connection sends nothing: at the global cap of 1 it makes room for the second,
 * which is served. */
static void client_idle_then_second(fx *f)
{
    int a = dial(f, INADDR_LOOPBACK), b = dial(f, INADDR_LOOPBACK + 1);

    if (b >= 0) {
        say(b, "GET /second HTTP/1.1\r\nConnection: close\r\n\r\n");
        read_all(b, f->out[1], sizeof f->out[1]);
        close(b);
    }
    if (a >= 0) {
        read_all(a, f->out[0], sizeof f->out[0]);
        close(a);
    }
}

static void test_eviction_of_the_longest_waiter(void **state)
{
    fx f = {.client = client_idle_then_second};

    (void)state;
    setup_limits(&f);
    f.lim.max_conns = 1;
    run(&f);
    assert_int_equal(f.calls, 1);
    assert_string_equal(f.paths[0], "/second");
    assert_non_null(strstr(f.out[1], "/second"));
    assert_string_equal(f.out[0], "");   /* closed without a word */
    assert_int_equal(f.stats.refused[HTTP_REFUSED_EVICTED], 1);
    assert_int_equal(f.stats.accepted, 2);
}

/* ---- limits -------------------------------------------------------------------------- */

static void test_limits_fit(void **state)
{
    struct http_limits l;

    (void)state;
    http_limits_default(&l);
    assert_int_equal(http_limits_fit(&l), 0);
    print_message("derived: %u connections, %u per address\n", l.max_conns, l.max_per_addr);
    assert_true(l.max_conns > 0);
    assert_int_equal(l.max_per_addr, l.max_conns / 4 ? l.max_conns / 4 : 1);
    l.max_conns = 2000000000u;   /* above any fd limit: lowered */
    l.max_per_addr = 0;
    assert_int_equal(http_limits_fit(&l), 1);
    assert_true(l.max_conns < 2000000000u);
    assert_string_equal(http_refusal_name(HTTP_REFUSED_HEADER_TIMEOUT), "header_timeout");
    assert_null(http_refusal_name(HTTP_REFUSED_N));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pipelined_answers_in_request_order),
        cmocka_unit_test(test_pipeline_bound),
        cmocka_unit_test(test_pipeline_body_bound),
        cmocka_unit_test(test_header_deadline_despite_bytes),
        cmocka_unit_test(test_address_cap),
        cmocka_unit_test(test_connection_cap),
        cmocka_unit_test(test_eviction_of_the_longest_waiter),
        cmocka_unit_test(test_limits_fit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
