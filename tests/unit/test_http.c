/*
 * test_http — drives the server on its own loop with a blocking-socket client in a second
 * thread. The client never asserts (cmocka is not thread-safe): it records what it read,
 * tells the loop to close the server, and the main thread checks everything after join.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "api/http.h"

#include <errno.h>
#include <http_parser.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define MAX_BODY 1024
#define MAX_SEEN 4

struct seen {                   /* a request as the handler saw it */
    char method[16], path[64], query[128], host[64], auth[64], origin[64], ctype[64];
    char cookie[64], csrf[64], inm[32];
    char body[MAX_BODY + 1];
    size_t body_len;
};

struct reply {                  /* a response as the client parsed it */
    int status;
    char body[256];
    size_t body_len;
};

typedef struct fixture fixture;

struct fixture {
    uv_loop_t loop;
    http_server *srv;
    uv_async_t stop;            /* client thread -> loop: close the server */
    uv_timer_t timer;           /* deferred responses, delayed stop */
    uv_sem_t got;               /* loop -> client thread: the handler has a request */
    int (*client)(fixture *f);  /* returns a socket left open, or -1 */
    int port, defer_ms, stop_after_defer, stopping, server_done;
    int calls, overlap;
    http_req *pending;
    char pending_body[96];
    struct seen seen[MAX_SEEN];
    struct reply replies[MAX_SEEN];
    int nreplies, eof, closed_by_server;
    char raw[4096];
    size_t raw_len;
};

/* ---- loop side ----------------------------------------------------------------------- */

static void on_server_done(void *arg)
{
    fixture *f = arg;

    f->server_done++;
    if (!f->pending)   /* else on_defer still has to answer, then closes the timer */
        uv_close((uv_handle_t *)&f->timer, NULL);
}

static void stop_server(fixture *f)
{
    if (f->stopping++)
        return;
    http_server_close(f->srv, on_server_done, f);
    uv_close((uv_handle_t *)&f->stop, NULL);
}

static void on_stop(uv_async_t *a)
{
    stop_server(a->data);
}

static void on_delayed_stop(uv_timer_t *t)
{
    stop_server(t->data);
}

static void on_defer(uv_timer_t *t)
{
    fixture *f = t->data;
    http_req *req = f->pending;

    f->pending = NULL;
    http_respond(req, 200, "text/plain", f->pending_body, strlen(f->pending_body), NULL);
    if (f->server_done)
        uv_close((uv_handle_t *)&f->timer, NULL);
    else if (f->stop_after_defer)
        assert_int_equal(uv_timer_start(&f->timer, on_delayed_stop, 20, 0), 0);
}

static void copy(char *dst, size_t cap, const char *src)
{
    snprintf(dst, cap, "%s", src);
}

static void handler(http_req *req, const http_request *r, void *data)
{
    fixture *f = data;
    struct seen *s = &f->seen[f->calls < MAX_SEEN ? f->calls : MAX_SEEN - 1];
    char body[96];
    int n;

    if (f->pending)
        f->overlap++;   /* a pipelined request dispatched before the previous answer */
    copy(s->method, sizeof s->method, r->method);
    copy(s->path, sizeof s->path, r->path);
    copy(s->query, sizeof s->query, r->query);
    copy(s->host, sizeof s->host, r->host);
    copy(s->auth, sizeof s->auth, r->authorization);
    copy(s->origin, sizeof s->origin, r->origin);
    copy(s->ctype, sizeof s->ctype, r->content_type);
    copy(s->cookie, sizeof s->cookie, r->cookie);
    copy(s->csrf, sizeof s->csrf, r->csrf_token);
    copy(s->inm, sizeof s->inm, r->if_none_match);
    s->body_len = r->body_len <= MAX_BODY ? r->body_len : MAX_BODY;
    memcpy(s->body, r->body, s->body_len + 1);
    f->calls++;
    n = snprintf(body, sizeof body, "n=%d %s", f->calls, s->path);
    if (f->defer_ms) {
        f->pending = req;
        copy(f->pending_body, sizeof f->pending_body, body);
        assert_int_equal(uv_timer_start(&f->timer, on_defer, (uint64_t)f->defer_ms, 0), 0);
        uv_sem_post(&f->got);
        return;
    }
    http_respond(req, 200, "text/plain", body, (size_t)n, "X-Test: 1\r\n");
}

/* ---- client side --------------------------------------------------------------------- */

static int on_reply_body(http_parser *p, const char *at, size_t n)
{
    fixture *f = p->data;
    struct reply *r = &f->replies[f->nreplies < MAX_SEEN ? f->nreplies : MAX_SEEN - 1];

    if (r->body_len + n < sizeof r->body) {
        memcpy(r->body + r->body_len, at, n);
        r->body_len += n;
    }
    return 0;
}

static int on_reply_done(http_parser *p)
{
    fixture *f = p->data;

    if (f->nreplies < MAX_SEEN)
        f->replies[f->nreplies++].status = (int)p->status_code;
    return 0;
}

static const http_parser_settings reply_settings = {
    .on_body = on_reply_body,
    .on_message_complete = on_reply_done,
};

static int client_connect(fixture *f)
{
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)f->port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    struct timeval tv = {.tv_sec = 3};   /* a broken server fails the test, not hangs it */
    int one = 1;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    if (fd < 0)
        return -1;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) < 0 ||
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0 ||
        connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static int send_str(int fd, const char *s)
{
    return send_all(fd, s, strlen(s));
}

/* Reads until `want` responses in total are complete, or the server closes. */
static void read_replies(fixture *f, int fd, int want)
{
    http_parser p;
    char buf[2048];

    http_parser_init(&p, HTTP_RESPONSE);
    p.data = f;
    while (f->nreplies < want) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);

        if (n <= 0) {
            f->eof = 1;
            return;
        }
        if (f->raw_len + (size_t)n < sizeof f->raw) {
            memcpy(f->raw + f->raw_len, buf, (size_t)n);
            f->raw_len += (size_t)n;
        }
        if (http_parser_execute(&p, &reply_settings, buf, (size_t)n) != (size_t)n)
            return;
    }
}

static void client_main(void *arg)
{
    fixture *f = arg;
    int fd = f->client(f);
    ssize_t n;
    char c;

    if (!f->stop_after_defer)
        uv_async_send(&f->stop);
    if (fd < 0)
        return;
    /* http_server_close() ends it: EOF, or a reset if the listener closed before accepting */
    n = recv(fd, &c, 1, 0);
    f->closed_by_server = n == 0 || (n < 0 && errno == ECONNRESET);
    close(fd);
}

/* ---- harness ------------------------------------------------------------------------- */

static void run(fixture *f)
{
    assert_int_equal(uv_loop_init(&f->loop), 0);
    struct http_limits lim;

    http_limits_default(&lim);
    lim.max_body = MAX_BODY;
    assert_int_equal(http_server_new(&f->loop, "127.0.0.1", 0, &lim, handler, f, &f->srv), 0);
    f->port = http_server_port(f->srv);
    assert_true(f->port > 0);
    assert_int_equal(uv_async_init(&f->loop, &f->stop, on_stop), 0);
    assert_int_equal(uv_timer_init(&f->loop, &f->timer), 0);
    assert_int_equal(uv_sem_init(&f->got, 0), 0);
    f->stop.data = f->timer.data = f;
    uv_thread_t thread;
    assert_int_equal(uv_thread_create(&thread, client_main, f), 0);
    assert_int_equal(uv_run(&f->loop, UV_RUN_DEFAULT), 0);
    assert_int_equal(uv_thread_join(&thread), 0);
    uv_sem_destroy(&f->got);
    assert_int_equal(uv_loop_close(&f->loop), 0);
    f->raw[f->raw_len] = '\0';
    print_message("calls=%d replies=%d eof=%d server_done=%d\n%s\n", f->calls, f->nreplies,
                  f->eof, f->server_done, f->raw);
    assert_int_equal(f->server_done, 1);
    assert_null(f->pending);
}

static void check_error(fixture *f, int status, const char *code)
{
    char want[64];

    snprintf(want, sizeof want, "\"code\":\"%s\"", code);
    assert_int_equal(f->calls, 0);
    assert_int_equal(f->nreplies, 1);
    assert_int_equal(f->replies[0].status, status);
    print_message("error body: %s\n", f->replies[0].body);
    assert_non_null(strstr(f->replies[0].body, want));
    assert_non_null(strstr(f->raw, "Connection: close\r\n"));
    assert_non_null(strstr(f->raw, "Content-Type: application/json"));
    assert_int_equal(f->eof, 1);
}

/* ---- requests ------------------------------------------------------------------------ */

static int client_get(fixture *f)
{
    int fd = client_connect(f);

    if (fd >= 0 && send_str(fd, "GET /v1/cases/abc?x=1&name=%E4%B8%9C#frag HTTP/1.1\r\n"
                                "Host: example.org\r\nAUTHORIZATION: Bearer t0k\r\n"
                                "origin: https://a.example  \t\r\nX-Other: y\r\n"
                                "X-A-Header-Name-Longer-Than-Any-We-Keep: z\r\n"
                                "Content-Type: text/plain\r\nCookie: a=1; jiefen_session=s3\r\n"
                                "x-csrf-token: c5 \r\nIf-None-Match: \"0a1b\"\r\n\r\n") == 0)
        read_replies(f, fd, 1);
    return fd;
}

static void test_get_fields(void **state)
{
    fixture f = {.client = client_get};
    struct seen *s = &f.seen[0];
    char v[16];

    (void)state;
    run(&f);
    print_message("method=%s path=%s query=%s host=%s auth=%s origin=%s ctype=%s inm=%s\n",
                  s->method, s->path, s->query, s->host, s->auth, s->origin, s->ctype, s->inm);
    assert_int_equal(f.calls, 1);
    assert_string_equal(s->method, "GET");
    assert_string_equal(s->path, "/v1/cases/abc");
    assert_string_equal(s->query, "x=1&name=%E4%B8%9C");
    assert_string_equal(s->host, "example.org");
    assert_string_equal(s->auth, "Bearer t0k");
    assert_string_equal(s->origin, "https://a.example");
    assert_string_equal(s->ctype, "text/plain");
    assert_string_equal(s->cookie, "a=1; jiefen_session=s3");
    assert_string_equal(s->csrf, "c5");
    assert_string_equal(s->inm, "\"0a1b\"");
    assert_int_equal(s->body_len, 0);
    assert_string_equal(s->body, "");
    assert_int_equal(http_query_get(s->query, "name", v, sizeof v), 3);
    assert_string_equal(v, "东");
    assert_int_equal(f.nreplies, 1);
    assert_int_equal(f.replies[0].status, 200);
    assert_string_equal(f.replies[0].body, "n=1 /v1/cases/abc");
    assert_non_null(strstr(f.raw, "HTTP/1.1 200 OK\r\n"));
    assert_non_null(strstr(f.raw, "Content-Type: text/plain\r\n"));
    assert_non_null(strstr(f.raw, "Content-Length: 17\r\n"));
    assert_non_null(strstr(f.raw, "Connection: keep-alive\r\n"));
    assert_non_null(strstr(f.raw, "X-Test: 1\r\n"));
    assert_true(f.closed_by_server);
}

/* One byte per send: every name, value and the url arrive in pieces. */
static int client_bytewise(fixture *f)
{
    const char *req = "POST /p?q=1 HTTP/1.1\r\nHost: h.example\r\nContent-Length: 3\r\n\r\nxyz";
    int fd = client_connect(f);

    for (const char *p = req; fd >= 0 && *p; p++)
        if (send_all(fd, p, 1) < 0)
            return fd;
    if (fd >= 0)
        read_replies(f, fd, 1);
    return fd;
}

static void test_split_bytes(void **state)
{
    fixture f = {.client = client_bytewise};

    (void)state;
    run(&f);
    print_message("path=%s query=%s host=%s body=%s\n", f.seen[0].path, f.seen[0].query,
                  f.seen[0].host, f.seen[0].body);
    assert_int_equal(f.calls, 1);
    assert_string_equal(f.seen[0].method, "POST");
    assert_string_equal(f.seen[0].path, "/p");
    assert_string_equal(f.seen[0].query, "q=1");
    assert_string_equal(f.seen[0].host, "h.example");
    assert_string_equal(f.seen[0].body, "xyz");
    assert_int_equal(f.replies[0].status, 200);
}

static const char post_body[] = "a\0b\r\nc\xe4\xb8\x9c";   /* a NUL, a CRLF, UTF-8 */

static int client_post(fixture *f)
{
    char head[128], big[MAX_BODY];
    int fd = client_connect(f);

    memset(big, 'z', sizeof big);
    snprintf(head, sizeof head, "POST /upload HTTP/1.1\r\nContent-Length: %zu\r\n"
             "Content-Type: application/octet-stream\r\n\r\n", sizeof post_body - 1);
    if (fd < 0 || send_str(fd, head) < 0 || send_all(fd, post_body, sizeof post_body - 1) < 0)
        return fd;
    read_replies(f, fd, 1);
    snprintf(head, sizeof head, "POST /max HTTP/1.1\r\nContent-Length: %d\r\n\r\n", MAX_BODY);
    if (send_str(fd, head) == 0 && send_all(fd, big, sizeof big) == 0)
        read_replies(f, fd, 2);
    return fd;
}

static void test_post_body(void **state)
{
    fixture f = {.client = client_post};

    (void)state;
    run(&f);
    print_message("body_len=%zu (sent %zu), second=%zu\n", f.seen[0].body_len,
                  sizeof post_body - 1, f.seen[1].body_len);
    assert_int_equal(f.calls, 2);
    assert_string_equal(f.seen[0].method, "POST");
    assert_string_equal(f.seen[0].ctype, "application/octet-stream");
    assert_int_equal(f.seen[0].body_len, sizeof post_body - 1);
    assert_memory_equal(f.seen[0].body, post_body, sizeof post_body);   /* with the NUL */
    assert_int_equal(f.seen[1].body_len, MAX_BODY);
    assert_int_equal(f.seen[1].body[MAX_BODY], '\0');
    assert_int_equal(f.replies[0].status, 200);
    assert_int_equal(f.replies[1].status, 200);
}

static int client_keep_alive(fixture *f)
{
    int fd = client_connect(f);

    if (fd < 0 || send_str(fd, "GET /a HTTP/1.1\r\nHost: x\r\n\r\n") < 0)
        return fd;
    read_replies(f, fd, 1);
    if (send_str(fd, "GET /b HTTP/1.1\r\nConnection: close\r\n\r\n") == 0)
        read_replies(f, fd, 99);   /* to the server's close */
    return fd;
}

static void test_keep_alive(void **state)
{
    fixture f = {.client = client_keep_alive};

    (void)state;
    run(&f);
    assert_int_equal(f.calls, 2);
    assert_int_equal(f.nreplies, 2);
    assert_string_equal(f.replies[0].body, "n=1 /a");
    assert_string_equal(f.replies[1].body, "n=2 /b");
    assert_string_equal(f.seen[1].host, "");   /* absent headers are empty strings */
    assert_string_equal(f.seen[1].query, "");
    assert_non_null(strstr(f.raw, "Connection: keep-alive\r\n"));
    assert_non_null(strstr(f.raw, "Connection: close\r\n"));
    assert_int_equal(f.eof, 1);
}

static int client_http10(fixture *f)
{
    int fd = client_connect(f);

    if (fd >= 0 && send_str(fd, "GET /old HTTP/1.0\r\n\r\n") == 0)
        read_replies(f, fd, 99);
    return fd;
}

static void test_http10_closes(void **state)
{
    fixture f = {.client = client_http10};

    (void)state;
    run(&f);
    assert_int_equal(f.calls, 1);
    assert_int_equal(f.nreplies, 1);
    assert_non_null(strstr(f.raw, "Connection: close\r\n"));
    assert_int_equal(f.eof, 1);
}

static int client_pipelined(fixture *f)
{
    int fd = client_connect(f);

    if (fd >= 0 && send_str(fd, "GET /one HTTP/1.1\r\n\r\n"
                                "POST /two HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc"
                                "GET /three HTTP/1.1\r\n\r\n") == 0)
        read_replies(f, fd, 3);
    return fd;
}

static void check_pipelined(fixture *f)
{
    for (int i = 0; i < f->nreplies; i++)
        print_message("reply %d: %d %s\n", i, f->replies[i].status, f->replies[i].body);
    assert_int_equal(f->calls, 3);
    assert_int_equal(f->overlap, 0);
    assert_int_equal(f->nreplies, 3);
    assert_string_equal(f->replies[0].body, "n=1 /one");
    assert_string_equal(f->replies[1].body, "n=2 /two");
    assert_string_equal(f->replies[2].body, "n=3 /three");
    assert_string_equal(f->seen[1].body, "abc");
    assert_true(f->closed_by_server);
}

static void test_pipelined(void **state)
{
    fixture f = {.client = client_pipelined};

    (void)state;
    run(&f);
    check_pipelined(&f);
}

static void test_pipelined_deferred(void **state)
{
    fixture f = {.client = client_pipelined, .defer_ms = 5};

    (void)state;
    run(&f);
    check_pipelined(&f);
}

static void test_deferred(void **state)
{
    fixture f = {.client = client_get, .defer_ms = 10};

    (void)state;
    run(&f);
    assert_int_equal(f.calls, 1);
    assert_int_equal(f.nreplies, 1);
    assert_int_equal(f.replies[0].status, 200);
    assert_string_equal(f.replies[0].body, "n=1 /v1/cases/abc");
    assert_null(strstr(f.raw, "X-Test"));
}

/* Sends a request and leaves as soon as the handler has it, before the answer. */
static int client_leaves(fixture *f)
{
    int fd = client_connect(f);

    if (fd >= 0 && send_str(fd, "GET /gone HTTP/1.1\r\n\r\n") == 0)
        uv_sem_wait(&f->got);
    if (fd >= 0)
        close(fd);
    return -1;
}

/* The server closes before the answer: http_respond() on a dead connection frees it. */
static void test_disconnect_server_closes(void **state)
{
    fixture f = {.client = client_leaves, .defer_ms = 10};

    (void)state;
    run(&f);
    assert_int_equal(f.calls, 1);
    assert_int_equal(f.nreplies, 0);
}

/* The server stays up: the answer goes to a closed peer, then the server sees EOF. */
static void test_disconnect_server_stays(void **state)
{
    fixture f = {.client = client_leaves, .defer_ms = 10, .stop_after_defer = 1};

    (void)state;
    run(&f);
    assert_int_equal(f.calls, 1);
    assert_int_equal(f.nreplies, 0);
}

static int client_raw(fixture *f, const char *req)
{
    int fd = client_connect(f);

    if (fd >= 0 && send_str(fd, req) == 0)
        read_replies(f, fd, 99);
    return fd;
}

static int client_chunked(fixture *f)
{
    return client_raw(f, "POST /c HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "5\r\nhello\r\n0\r\n\r\n");
}

static void test_chunked_411(void **state)
{
    fixture f = {.client = client_chunked};

    (void)state;
    run(&f);
    check_error(&f, 411, "length_required");
}

static int client_chunked_cl(fixture *f)
{
    return client_raw(f, "POST /c HTTP/1.1\r\nContent-Length: 5\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
}

static void test_chunked_with_length_411(void **state)
{
    fixture f = {.client = client_chunked_cl};

    (void)state;
    run(&f);
    check_error(&f, 411, "length_required");
}

static int client_too_big(fixture *f)
{
    return client_raw(f, "POST /big HTTP/1.1\r\nContent-Length: 100000\r\n\r\n");
}

static void test_body_413(void **state)
{
    fixture f = {.client = client_too_big};

    (void)state;
    run(&f);
    check_error(&f, 413, "body_too_large");
    assert_non_null(strstr(f.replies[0].body, "请求体过大"));
}

static int client_malformed(fixture *f)
{
    return client_raw(f, "GET / HTTP/1.1\r\nBad Header\r\n\r\n");
}

static void test_malformed_400(void **state)
{
    fixture f = {.client = client_malformed};

    (void)state;
    run(&f);
    check_error(&f, 400, "bad_request");
}

static int client_garbage(fixture *f)
{
    return client_raw(f, "\x01\x02 nonsense\r\n\r\n");
}

static void test_garbage_400(void **state)
{
    fixture f = {.client = client_garbage};

    (void)state;
    run(&f);
    check_error(&f, 400, "bad_request");
}

static int client_big_headers(fixture *f)
{
    size_t n = 17 * 1024;
    char *req = malloc(n + 64);
    int fd;

    if (!req)
        return -1;
    strcpy(req, "GET / HTTP/1.1\r\nX-Big: ");
    memset(req + strlen(req), 'a', n);
    strcpy(req + 23 + n, "\r\n\r\n");
    fd = client_raw(f, req);
    free(req);
    return fd;
}

static void test_headers_431(void **state)
{
    fixture f = {.client = client_big_headers};

    (void)state;
    run(&f);
    check_error(&f, 431, "headers_too_large");
}

static int get_one(fixture *f, int fd, const char *path)
{
    char req[64];

    snprintf(req, sizeof req, "GET %s HTTP/1.1\r\n\r\n", path);
    if (send_str(fd, req) < 0)
        return -1;
    read_replies(f, fd, f->nreplies + 1);
    return 0;
}

/* Three connections at once; the middle one leaves first, the others stay to the close. */
static int client_many(fixture *f)
{
    int a = client_connect(f), b = client_connect(f), c = client_connect(f);

    if (a >= 0 && b >= 0 && c >= 0 && get_one(f, a, "/a") == 0 && get_one(f, b, "/b") == 0 &&
        get_one(f, c, "/c") == 0) {
        close(b);
        b = -1;
        get_one(f, c, "/c2");
    }
    if (b >= 0)
        close(b);
    if (c >= 0)
        close(c);
    return a;
}

static void test_many_connections(void **state)
{
    fixture f = {.client = client_many};

    (void)state;
    run(&f);
    assert_int_equal(f.calls, 4);
    assert_int_equal(f.nreplies, 4);
    assert_string_equal(f.replies[3].body, "n=4 /c2");
    assert_true(f.closed_by_server);
}

/* Half a request, then gone: the partly parsed request is freed with the connection. */
static int client_partial(fixture *f)
{
    int fd = client_connect(f);

    if (fd >= 0) {
        send_str(fd, "POST /half HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc");
        close(fd);
    }
    return -1;
}

static void test_partial_request(void **state)
{
    fixture f = {.client = client_partial};

    (void)state;
    run(&f);
    assert_int_equal(f.calls, 0);
}

/* A client that connects and sends nothing is closed by http_server_close(), accepted or
 * not yet: the close may come before the accept. */
static int client_idle(fixture *f)
{
    return client_connect(f);
}

static void test_close_with_idle_connection(void **state)
{
    fixture f = {.client = client_idle};

    (void)state;
    run(&f);
    assert_int_equal(f.calls, 0);
    assert_true(f.closed_by_server);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_get_fields),
        cmocka_unit_test(test_split_bytes),
        cmocka_unit_test(test_post_body),
        cmocka_unit_test(test_keep_alive),
        cmocka_unit_test(test_http10_closes),
        cmocka_unit_test(test_pipelined),
        cmocka_unit_test(test_pipelined_deferred),
        cmocka_unit_test(test_deferred),
        cmocka_unit_test(test_disconnect_server_closes),
        cmocka_unit_test(test_disconnect_server_stays),
        cmocka_unit_test(test_chunked_411),
        cmocka_unit_test(test_chunked_with_length_411),
        cmocka_unit_test(test_body_413),
        cmocka_unit_test(test_malformed_400),
        cmocka_unit_test(test_garbage_400),
        cmocka_unit_test(test_headers_431),
        cmocka_unit_test(test_many_connections),
        cmocka_unit_test(test_partial_request),
        cmocka_unit_test(test_close_with_idle_connection),
    };

    alarm(60);   /* last resort: a hung loop kills the run instead of the CI job */
    return cmocka_run_group_tests(tests, NULL, NULL);
}
