/*
 * fuzz_http — request bytes as a client sends them to the API server of node/api/http.c,
 * through a real connection: http.c parses inside libuv callbacks, so the target drives
 * it as the node does, without touching it.
 *
 * Once per process: a loop and http_server_new() on 127.0.0.1, port 0, with the node's
 * body limit and a handler that reads every field of the request (so ASan checks them),
 * decodes its path and query with http_url_decode()/http_query_get(), and answers 200 at
 * once. Per input: a client socket connects, writes the input, shuts down its write side
 * and reads whatever comes back, while the loop turns with UV_RUN_NOWAIT, until the
 * server has closed the connection. A server that neither answers nor closes within
 * HANG_SECONDS is a bug (the client has said all it will): the target aborts.
 */
#include "api/api.h"
#include "api/http.h"

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#define HANG_SECONDS 10

static uv_loop_t loop;
static http_server *srv;
static struct sockaddr_in server_addr;

/* Query keys the API reads (node/api/api.c) and a few odd ones. */
static const char *const query_keys[] = {
    "status", "risk", "village", "category", "from", "to", "limit", "q", "a+b", "%41", "=",
};

static void check_string(const char *s)
{
    if (!s || strlen(s) > 64 * 1024)
        abort();
}

static unsigned decode_all(const http_request *r)
{
    char out[256], tiny[2];
    unsigned sum = 0;
    int n;

    n = http_url_decode(r->path, strlen(r->path), out, sizeof out, 0);
    if (n >= (int)sizeof out || (n >= 0 && out[n] != '\0'))
        abort();
    sum += (unsigned)n;
    n = http_url_decode(r->query, strlen(r->query), out, sizeof out, 1);
    if (n >= (int)sizeof out || (n >= 0 && out[n] != '\0'))
        abort();
    sum += (unsigned)n;
    sum += (unsigned)http_url_decode(r->query, strlen(r->query), tiny, sizeof tiny, 1);
    for (size_t i = 0; i < sizeof query_keys / sizeof query_keys[0]; i++) {
        n = http_query_get(r->query, query_keys[i], out, sizeof out);
        if (n < -2 || n >= (int)sizeof out || (n >= 0 && out[n] != '\0'))
            abort();
        sum += (unsigned)n;
        sum += (unsigned)http_query_get(r->query, query_keys[i], tiny, sizeof tiny);
    }
    /* The session cookie, as node/api/api_session.c looks for it, into room enough and too little. */
    n = http_cookie_get(r->cookie, "jiefen_session", out, sizeof out);
    if (n < -2 || n >= (int)sizeof out || (n >= 0 && out[n] != '\0'))
        abort();
    sum += (unsigned)n;
    sum += (unsigned)http_cookie_get(r->cookie, "jiefen_session", tiny, sizeof tiny);
    return sum;
}

static void handler(http_req *req, const http_request *r, void *data)
{
    char body[128];
    unsigned sum = 0;
    int n;

    (void)data;
    check_string(r->method);
    check_string(r->path);
    check_string(r->query);
    check_string(r->host);
    check_string(r->authorization);
    check_string(r->origin);
    check_string(r->content_type);
    check_string(r->cookie);
    check_string(r->csrf_token);
    /* The body: body_len bytes, then the NUL the header promises. */
    if (!r->body || r->body_len > API_MAX_BODY || r->body[r->body_len] != '\0')
        abort();
    for (size_t i = 0; i < r->body_len; i++)
        sum += (unsigned char)r->body[i];
    sum += decode_all(r);
    n = snprintf(body, sizeof body, "%s %zu %u\n", r->method, r->body_len, sum);
    http_respond(req, 200, "text/plain", body, (size_t)n, NULL);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    struct http_limits lim;
    int rc;

    (void)argc;
    (void)argv;
    signal(SIGPIPE, SIG_IGN);   /* the client below never closes first; be safe anyway */
    http_limits_default(&lim);
    lim.max_body = API_MAX_BODY;
    if ((rc = uv_loop_init(&loop)) ||
        (rc = http_server_new(&loop, "127.0.0.1", 0, &lim, handler, NULL, &srv))) {
        fprintf(stderr, "fuzz_http: cannot start the server: %s\n", uv_strerror(rc));
        abort();
    }
    memset(&server_addr, 0, sizeof server_addr);
    server_addr.sin_family = AF_INET;
    server_addr.sin_port = htons((uint16_t)http_server_port(srv));
    server_addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return 0;
}

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads what the server sent; returns 1 once it has closed (EOF or reset). */
static int drain(int fd)
{
    char buf[16384];

    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);

        if (n > 0)
            continue;
        if (n == 0)
            return 1;
        if (errno == EINTR)
            continue;
        return errno != EAGAIN && errno != EWOULDBLOCK;
    }
}

/* A connected non-blocking socket. The handshake completes in the kernel (the listener
 * accepts later, on the loop); libFuzzer's timer signal may interrupt it meanwhile. */
static int client_connect(void)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0), err = 0;
    socklen_t len = sizeof err;
    struct pollfd p = {.fd = fd, .events = POLLOUT};

    if (fd < 0)
        goto fail;
    if (connect(fd, (struct sockaddr *)&server_addr, sizeof server_addr) == 0)
        return fd;
    if (errno != EINPROGRESS && errno != EINTR)
        goto fail;
    for (;;) {
        int n = poll(&p, 1, 5000);

        if (n > 0)
            break;
        if (n == 0)
            errno = ETIMEDOUT;
        if (n == 0 || errno != EINTR)
            goto fail;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0 || err != 0) {
        errno = err ? err : errno;
        goto fail;
    }
    return fd;
fail:
    perror("fuzz_http: connect");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t off = 0;
    int fd, shut = 0, closed = 0;
    double deadline = now_s() + HANG_SECONDS;

    fd = client_connect();
    while (!closed) {
        if (off < size) {
            ssize_t n = send(fd, data + off, size - off, MSG_NOSIGNAL);

            if (n > 0)
                off += (size_t)n;
            else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                off = size;   /* the server closed early: it may refuse before the end */
        }
        if (off == size && !shut) {
            shutdown(fd, SHUT_WR);
            shut = 1;
        }
        uv_run(&loop, UV_RUN_NOWAIT);
        closed = drain(fd);
        if (!closed && now_s() > deadline) {
            fprintf(stderr, "fuzz_http: the server neither answered nor closed the "
                            "connection within %d s after the client shut down (%zu bytes)\n",
                    HANG_SECONDS, size);
            abort();
        }
    }
    close(fd);
    /* Close callbacks run at the end of the turn that closed the socket; one more turn
     * settles anything left so that nothing of this run is held over to the next. */
    uv_run(&loop, UV_RUN_NOWAIT);
    return 0;
}
