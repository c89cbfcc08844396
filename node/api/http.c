/* http — the server (http.h): listening, admitting connections under the caps, reading
 * under the deadlines, the pipeline of requests awaiting their answers and the responses in
 * request order. Each request is collected by http_req.c. */
#include "api/http.h"
#include "api/http_req.h"

#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HTTP_READ_BUF   (16 * 1024)
#define HTTP_BACKLOG    511
#define HTTP_WRITE_HIGH (1024 * 1024)   /* queued response bytes: parse no more until sent */
#define HTTP_STREAM_SNDBUF (16 * 1024)  /* a stream's socket buffer: what a slow reader holds */

/* DRAINING: the last response is queued and a shutdown waits for it. CLOSED: both handles
 * are closing; the connection is freed when the second close callback runs. */
enum conn_state { CONN_OPEN, CONN_DRAINING, CONN_CLOSED };

typedef struct http_conn http_conn;

struct http_conn {
    uv_tcp_t tcp;
    uv_timer_t timer;           /* the deadline in force (conn_arm), the drain's, a stream's */
    uv_shutdown_t shutdown;
    http_server *srv;
    http_conn *prev, *next;
    struct sockaddr_storage peer;
    struct http_collect col;
    http_req *ready;            /* collected, held until it may be dispatched */
    http_req *head, *tail;      /* dispatched, awaiting their turn to be written */
    unsigned queued;
    size_t queued_body;         /* their body bytes: at most max_body beyond the first's */
    int queued_safe;            /* the kind of what is queued: reads or writes */
    enum conn_state state;
    enum http_refusal timer_reason;
    uint64_t begun;             /* the collector's count of requests when timed last */
    uint64_t req_t0;            /* when the request being collected began (uv_now) */
    uint64_t waiting_since;     /* waiting for the client since; 0 while we owe answers */
    int admitted, in_process, handles;
    int last;                   /* a request without keep-alive came: read no more */
    int eof;                    /* the client has sent everything it will */
    int reset;                  /* closed with a reset: a stream cut short */
    int final_status;           /* an error to answer once the queued answers are out */
    size_t in_off, in_len;
    char in[HTTP_READ_BUF];
};

struct http_server {
    uv_tcp_t listener;
    http_handler_fn handler;
    void *data;
    struct http_limits lim;
    struct http_stats stats;
    int port, closing, listener_open;
    http_conn *conns;
    void (*done)(void *arg);
    void *done_arg;
};

struct http_write {
    uv_write_t w;               /* first, so the uv_write_t pointer is the allocation */
    size_t len;
    char data[];
};

static const struct http_error {
    int status;
    const char *code, *message;
} http_errors[] = {
    {400, "bad_request", "请求格式错误"},
    {408, "request_timeout", "请求超时：请求头或请求体未在时限内送达"},
    {411, "length_required", "需要 Content-Length，不支持分块传输"},
    {413, "body_too_large", "请求体过大"},
    {431, "headers_too_large", "请求头过大"},
    {503, "too_many_connections", "连接过多，请稍后再试"},
};

static const char *const refusal_names[HTTP_REFUSED_N] = {
    "connection_cap", "address_cap", "fd_limit", "evicted",
    "header_timeout", "body_timeout", "idle_timeout", "slow_reader",
};

static void conn_process(http_conn *c);
static void conn_close(http_conn *c);

/* ---- refusals ------------------------------------------------------------------------ */

const char *http_refusal_name(enum http_refusal r)
{
    return (unsigned)r < HTTP_REFUSED_N ? refusal_names[r] : NULL;
}

/* ---- writing ------------------------------------------------------------------------- */

static void on_timer(uv_timer_t *t);

/* A stream with bytes queued must see its client take some within stall_ms: the deadline
 * runs from the first byte queued and starts again only when the client took some
 * (took: a write completed), never because more was queued. 0 or a libuv error. */
static int stream_watch(http_conn *c, int took)
{
    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) == 0) {
        uv_timer_stop(&c->timer);
        return 0;
    }
    if (!took && uv_is_active((uv_handle_t *)&c->timer))
        return 0;
    c->timer_reason = HTTP_REFUSED_SLOW_READER;
    return uv_timer_start(&c->timer, on_timer, c->srv->lim.stall_ms, 0);
}

static void on_write(uv_write_t *w, int status)
{
    http_conn *c = w->handle->data;
    int streaming = c->head && c->head->streaming;

    free(w);
    if (status < 0) {
        conn_close(c);
        return;
    }
    if (!streaming) {
        if (c->state == CONN_OPEN && !c->in_process)
            conn_process(c);   /* parsing may have waited for the queue to go down */
        return;
    }
    if (c->state != CONN_OPEN)
        return;
    if (stream_watch(c, 1) < 0) {   /* a stream reads no more requests: nothing to parse */
        conn_close(c);
        return;
    }
    if (c->head->on_drain && uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) == 0)
        c->head->on_drain(c->head->gone_arg);
}

/* Queues w (taken over whatever happens). */
static int conn_write(http_conn *c, struct http_write *w)
{
    uv_buf_t buf = {.base = w->data, .len = w->len};   /* not uv_buf_init(): unsigned */
    int rc = uv_write(&w->w, (uv_stream_t *)&c->tcp, &buf, 1, on_write);

    if (rc < 0)
        free(w);
    return rc;
}

/* A whole response as one buffer; NULL when out of memory or the head does not fit. */
static struct http_write *format_response(int status, const char *type, const char *body,
                                          size_t len, const char *extra, int keep_alive)
{
    size_t cap = 192 + (type ? strlen(type) : 0) + (extra ? strlen(extra) : 0) + len;
    struct http_write *w = malloc(sizeof *w + cap);
    int head;

    if (!w)
        return NULL;
    head = snprintf(w->data, cap, "HTTP/1.1 %d %s\r\n%s%s%sContent-Length: %zu\r\n"
                    "Connection: %s\r\n%s\r\n", status, http_status_str((enum http_status)status),
                    type ? "Content-Type: " : "", type ? type : "", type ? "\r\n" : "", len,
                    keep_alive ? "keep-alive" : "close", extra ? extra : "");
    if (head < 0 || (size_t)head + len > cap) {
        free(w);
        return NULL;
    }
    if (len)
        memcpy(w->data + head, body, len);
    w->len = (size_t)head + len;
    return w;
}

/* The JSON body of a refusal the server makes itself, with Connection: close. */
static struct http_write *format_error(int status)
{
    const struct http_error *err = &http_errors[0];
    char body[192];
    int n;

    for (size_t i = 0; i < sizeof http_errors / sizeof http_errors[0]; i++)
        if (http_errors[i].status == status)
            err = &http_errors[i];
    n = snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
                 err->code, err->message);
    return format_response(err->status, "application/json; charset=utf-8", body, (size_t)n,
                           status == 503 ? "Retry-After: 1\r\n" : NULL, 0);
}

/* ---- closing ------------------------------------------------------------------------- */

static void server_maybe_free(http_server *s)
{
    void (*done)(void *) = s->done;
    void *arg = s->done_arg;

    if (!s->closing || s->listener_open || s->conns)
        return;
    free(s);
    if (done)
        done(arg);
}

static void on_conn_closed(uv_handle_t *h)
{
    http_conn *c = h->data;
    http_server *s = c->srv;

    if (--c->handles > 0)
        return;
    if (c->prev)
        c->prev->next = c->next;
    else
        s->conns = c->next;
    if (c->next)
        c->next->prev = c->prev;
    free(c);
    server_maybe_free(s);
}

/* Answered requests go with the connection; the handler still owns the others, and
 * http_respond() frees them. */
static void conn_close(http_conn *c)
{
    http_req *q, *next;

    if (c->state == CONN_CLOSED)
        return;
    c->state = CONN_CLOSED;
    if (c->admitted)
        c->srv->stats.open--;
    for (q = c->head; q; q = next) {
        next = q->next;
        q->conn = NULL;
        if (q->streaming) {
            void (*gone)(void *) = q->on_gone;
            void *arg = q->gone_arg;
            http_req_free(q);   /* the stream's answer is the server's to end */
            if (gone)
                gone(arg);
        } else if (q->resp) {
            free(q->resp);
            q->resp = NULL;
            http_req_free(q);
        }
    }
    c->head = c->tail = NULL;
    http_req_free(c->ready);
    c->ready = NULL;
    http_collect_clear(&c->col);
    if (!c->reset || uv_tcp_close_reset(&c->tcp, (uv_close_cb)on_conn_closed) < 0)
        uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
    uv_close((uv_handle_t *)&c->timer, on_conn_closed);
}

static void on_shutdown(uv_shutdown_t *sr, int status)
{
    (void)status;
    conn_close(sr->data);
}

/* Half-closes once the queued writes are out, so the last response is not cut off by a
 * reset. The timer stays armed in case the peer never reads them. */
static void conn_drain(http_conn *c)
{
    if (c->state != CONN_OPEN)
        return;
    c->state = CONN_DRAINING;
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->shutdown.data = c;
    if (uv_timer_start(&c->timer, on_timer, c->srv->lim.idle_ms, 0) < 0 ||
        uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
        conn_close(c);
}

/* Every answer owed is out: the error decided earlier, if any, then the end. */
static void conn_finish(http_conn *c)
{
    struct http_write *w = c->final_status > 0 ? format_error(c->final_status) : NULL;

    if (c->final_status > 0 && (!w || conn_write(c, w) < 0))
        conn_close(c);
    else
        conn_drain(c);
}

/* ---- the pipeline -------------------------------------------------------------------- */

/* Writes the answered requests at the head of the queue, in order. */
static void conn_flush(http_conn *c)
{
    while (c->state == CONN_OPEN && c->head && c->head->resp) {
        http_req *q = c->head;
        struct http_write *w = q->resp;
        int keep_alive = q->keep_alive;

        c->head = q->next;
        if (!c->head)
            c->tail = NULL;
        c->queued--;
        c->queued_body -= q->r.body_len;
        q->resp = NULL;
        http_req_free(q);
        if (conn_write(c, w) < 0)
            conn_close(c);
        else if (!keep_alive)
            conn_drain(c);
    }
}

/* A read waits for the writes before it, and a write for the reads: a client sees its own
 * writes, and a read started now cannot see a write of a later request. The pipeline is
 * bounded in requests and in body bytes: a connection holds at most max_body of bodies
 * awaiting answers (besides the first), as it did before requests were pipelined. */
static int conn_may_dispatch(const http_conn *c, const http_req *q)
{
    const struct http_limits *l = &c->srv->lim;

    if (!c->head)
        return 1;
    return c->queued < l->max_pipeline && c->queued_safe == q->safe &&
           c->queued_body + q->r.body_len <= l->max_body;
}

static void conn_dispatch(http_conn *c, http_req *q)
{
    q->conn = c;
    if (c->tail)
        c->tail->next = q;
    else
        c->head = q;
    c->tail = q;
    c->queued++;
    c->queued_body += q->r.body_len;
    c->queued_safe = q->safe;
    c->srv->handler(q, &q->r, c->srv->data);
}

/* ---- reading and deadlines ----------------------------------------------------------- */

static void on_timer(uv_timer_t *t)
{
    http_conn *c = t->data;

    if (c->state != CONN_OPEN) {
        conn_close(c);   /* the drain's deadline: the peer does not read */
        return;
    }
    c->srv->stats.refused[c->timer_reason]++;
    if (c->timer_reason == HTTP_REFUSED_IDLE_TIMEOUT ||
        c->timer_reason == HTTP_REFUSED_SLOW_READER) {
        conn_close(c);
        return;
    }
    c->final_status = 408;
    conn_process(c);
}

/* Arms the deadline that applies: the request's (from its first byte, however slowly the
 * rest comes), or the idle one from the moment nothing was owed either way; none while we
 * owe answers. */
static void conn_arm(http_conn *c)
{
    const struct http_limits *l = &c->srv->lim;
    uint64_t now = uv_now(c->tcp.loop), due;
    enum http_refusal why;
    int fresh = c->col.begun != c->begun;   /* a request began since the last arming */

    if (fresh) {
        c->begun = c->col.begun;
        c->req_t0 = now;
    }
    if (c->head || c->ready) {
        c->waiting_since = 0;
        uv_timer_stop(&c->timer);
        return;
    }
    if (c->col.phase != HTTP_PHASE_IDLE) {
        why = c->col.phase == HTTP_PHASE_HEADERS ? HTTP_REFUSED_HEADER_TIMEOUT
                                                 : HTTP_REFUSED_BODY_TIMEOUT;
        due = c->req_t0 + (why == HTTP_REFUSED_HEADER_TIMEOUT ? l->header_ms : l->body_ms);
        c->waiting_since = c->req_t0;
    } else if (!fresh && c->timer_reason == HTTP_REFUSED_IDLE_TIMEOUT &&
               uv_is_active((uv_handle_t *)&c->timer)) {
        return;   /* idle already: stray bytes (blank lines) do not restart the clock */
    } else {
        why = HTTP_REFUSED_IDLE_TIMEOUT;
        due = now + l->idle_ms;
        c->waiting_since = now;
    }
    c->timer_reason = why;
    if (uv_timer_start(&c->timer, on_timer, due > now ? due - now : 0, 0) < 0)
        conn_close(c);
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *buf)
{
    http_conn *c = h->data;

    (void)suggested;
    *buf = uv_buf_init(c->in + c->in_len, (unsigned)(sizeof c->in - c->in_len));
}

static void on_read(uv_stream_t *st, ssize_t nread, const uv_buf_t *buf)
{
    http_conn *c = st->data;

    (void)buf;
    if (nread == UV_EOF) {
        c->eof = 1;   /* answer what came before the half-close, then close */
    } else if (nread < 0) {
        conn_close(c);
        return;
    }
    if (nread > 0)
        c->in_len += (size_t)nread;
    conn_process(c);
}

/* After parsing: the end once nothing more will be read and nothing is owed; else reading
 * while the buffer is parsed, paused while bytes wait for room in the pipeline. */
static void conn_after(http_conn *c)
{
    static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
    http_req *q = c->col.req;
    int rc = 0;

    if (c->state != CONN_OPEN)
        return;
    if (c->final_status || c->eof || c->last) {
        uv_read_stop((uv_stream_t *)&c->tcp);
        if (!(c->head && c->head->streaming))   /* a stream's deadline is its own */
            uv_timer_stop(&c->timer);
        if (!c->head && !c->ready)
            conn_finish(c);
        return;
    }
    /* 100 Continue belongs to the request being collected: after the answers before it. */
    if (q && q->expect_continue == 1 && !c->head && !c->ready) {
        struct http_write *w = malloc(sizeof *w + sizeof cont);
        q->expect_continue = 2;
        if (w) {
            memcpy(w->data, cont, sizeof cont);
            w->len = sizeof cont - 1;
        }
        rc = w ? conn_write(c, w) : UV_ENOMEM;
    }
    if (rc == 0 && c->in_off < c->in_len) {
        uv_read_stop((uv_stream_t *)&c->tcp);
    } else if (rc == 0) {
        c->in_off = c->in_len = 0;
        rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    }
    if (rc < 0 && rc != UV_EALREADY)
        conn_close(c);
    else
        conn_arm(c);
}

/* Parses what is buffered and dispatches what may go, until the pipeline is full, the
 * write queue is long, or the bytes run out. */
static void conn_process(http_conn *c)
{
    c->in_process = 1;   /* a handler answering at once must not re-enter this loop */
    while (c->state == CONN_OPEN && !c->final_status) {
        http_req *done;
        enum http_errno e;

        if (c->ready) {
            if (!conn_may_dispatch(c, c->ready))
                break;
            done = c->ready;
            c->ready = NULL;
            conn_dispatch(c, done);
            continue;
        }
        if (c->last || c->in_off == c->in_len ||
            uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) > HTTP_WRITE_HIGH)
            break;
        c->in_off += http_collect_feed(&c->col, c->in + c->in_off, c->in_len - c->in_off,
                                       &done, &e);
        if (e != HPE_OK) {
            c->final_status = http_collect_status(&c->col, e);
            if (c->final_status < 0)
                conn_close(c);
        } else if (done) {
            c->ready = done;
            c->last = !done->keep_alive;   /* after it the stream is the client's to close */
        }
    }
    c->in_process = 0;
    conn_after(c);
}

/* ---- admission ----------------------------------------------------------------------- */

static int same_addr(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
    if (a->ss_family != b->ss_family)
        return 0;
    if (a->ss_family == AF_INET)
        return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
               ((const struct sockaddr_in *)b)->sin_addr.s_addr;
    if (a->ss_family == AF_INET6)
        return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
                      &((const struct sockaddr_in6 *)b)->sin6_addr, sizeof(struct in6_addr)) == 0;
    return 0;
}

/* Whether c may stay: -1 if so (having closed the longest waiter to make room at the
 * global cap), else the reason it is refused. */
static int admit(http_server *s, http_conn *c)
{
    unsigned same = 0;
    http_conn *oldest = NULL;

    for (http_conn *o = s->conns; o; o = o->next) {
        if (o == c || !o->admitted || o->state != CONN_OPEN)
            continue;
        same += same_addr(&o->peer, &c->peer);
        if (o->waiting_since && (!oldest || o->waiting_since < oldest->waiting_since))
            oldest = o;
    }
    if (same >= s->lim.max_per_addr)
        return HTTP_REFUSED_ADDRESS_CAP;
    if (s->stats.open >= s->lim.max_conns) {
        if (!oldest)
            return HTTP_REFUSED_CONNECTION_CAP;
        s->stats.refused[HTTP_REFUSED_EVICTED]++;
        conn_close(oldest);
    }
    return -1;
}

/* Answers 503 with what the socket takes now (never waiting on the client) and closes. */
static void refuse(http_conn *c, int why)
{
    struct http_write *w = format_error(503);

    c->srv->stats.refused[why]++;
    if (w) {
        uv_buf_t buf = {.base = w->data, .len = w->len};
        (void)uv_try_write((uv_stream_t *)&c->tcp, &buf, 1);   /* best effort: closing anyway */
        free(w);
    }
    conn_close(c);
}

static void on_connection(uv_stream_t *l, int status)
{
    http_server *s = l->data;
    http_conn *c;
    int len = sizeof c->peer, why;

    if (status == UV_EMFILE || status == UV_ENFILE)
        s->stats.refused[HTTP_REFUSED_FD_LIMIT]++;   /* libuv has accepted and closed it */
    if (status < 0 || !(c = calloc(1, sizeof *c)))
        return;
    if (uv_tcp_init(l->loop, &c->tcp) < 0) {
        free(c);
        return;
    }
    (void)uv_timer_init(l->loop, &c->timer);   /* only fills in the handle; cannot fail */
    c->tcp.data = c->timer.data = c;
    c->srv = s;
    c->handles = 2;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    http_collect_init(&c->col, s->lim.max_body);
    c->col.max_upload = s->lim.max_upload;
    c->col.is_upload = s->lim.is_upload;
    if (uv_accept(l, (uv_stream_t *)&c->tcp) < 0 ||
        uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&c->peer, &len) < 0) {
        conn_close(c);
        return;
    }
    if ((why = admit(s, c)) >= 0) {
        refuse(c, why);
        return;
    }
    c->admitted = 1;
    s->stats.open++;
    s->stats.accepted++;
    if (uv_tcp_nodelay(&c->tcp, 1) < 0)
        conn_close(c);
    else
        conn_process(c);
}

/* ---- public API ---------------------------------------------------------------------- */

void http_respond(http_req *req, int status, const char *content_type,
                  const char *body, size_t body_len, const char *extra_headers)
{
    http_conn *c;

    if (!req)
        return;
    if (!(c = req->conn)) {
        http_req_free(req);   /* the connection closed meanwhile: nothing to send to */
        return;
    }
    if (status < 100 || status > 999)
        status = 500;
    req->resp = format_response(status, content_type, body, body_len, extra_headers,
                                req->keep_alive);
    if (!req->resp) {
        conn_close(c);
        http_req_free(req);
        return;
    }
    conn_flush(c);
    if (c->state == CONN_OPEN && !c->in_process)
        conn_process(c);   /* room in the pipeline: what waited may go */
}

int http_stream_begin(http_req *req, int status, const char *content_type,
                      const char *extra_headers, void (*on_gone)(void *arg), void *arg)
{
    http_conn *c = req->conn;
    struct http_write *w;
    size_t cap = 160 + strlen(content_type) + (extra_headers ? strlen(extra_headers) : 0);
    int sndbuf = HTTP_STREAM_SNDBUF, rc;

    if (!c) {
        http_req_free(req);
        return UV_ECONNRESET;
    }
    if (c->head != req)
        return UV_EBUSY;
    req->streaming = 1;   /* from here on, closing the connection frees req */
    if (!(w = malloc(sizeof *w + cap))) {
        conn_close(c);
        return UV_ENOMEM;
    }
    /* cap holds the fixed text and both strings: the head always fits. */
    w->len = (size_t)snprintf(w->data, cap, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
                              "Connection: close\r\n%s\r\n", status,
                              http_status_str((enum http_status)status), content_type,
                              extra_headers ? extra_headers : "");
    req->on_gone = on_gone;
    req->gone_arg = arg;
    c->last = 1;            /* nothing after it on this connection */
    c->waiting_since = 0;   /* never the idle one evicted to make room */
    /* What the kernel holds for a reader that does not read stays small. */
    (void)uv_send_buffer_size((uv_handle_t *)&c->tcp, &sndbuf);
    if ((rc = conn_write(c, w)) < 0) {
        req->on_gone = NULL;
        conn_close(c);
    }
    return rc;
}

int http_stream_write(http_req *req, const char *data, size_t len)
{
    http_conn *c = req->conn;
    struct http_write *w;

    if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) + len > HTTP_STREAM_QUEUE) {
        c->srv->stats.refused[HTTP_REFUSED_SLOW_READER]++;
        w = NULL;
    } else if ((w = malloc(sizeof *w + len))) {
        memcpy(w->data, data, len);
        w->len = len;
    }
    if (w && conn_write(c, w) == 0 && stream_watch(c, 0) == 0)
        return 0;
    req->on_gone = NULL;
    conn_close(c);
    return -1;
}

void http_stream_on_drain(http_req *req, void (*fn)(void *arg))
{
    req->on_drain = fn;
}

void http_stream_end(http_req *req)
{
    req->on_gone = NULL;
    conn_close(req->conn);
}

void http_stream_abort(http_req *req)
{
    req->conn->reset = 1;
    http_stream_end(req);
}

static void on_listener_closed(uv_handle_t *h)
{
    http_server *s = h->data;

    s->listener_open = 0;
    server_maybe_free(s);
}

static int read_port(http_server *s)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    int rc = uv_tcp_getsockname(&s->listener, (struct sockaddr *)&ss, &len);

    if (rc < 0)
        return rc;
    if (ss.ss_family == AF_INET6)
        s->port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    else
        s->port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    return 0;
}

int http_server_new(uv_loop_t *loop, const char *host, int port,
                    const struct http_limits *limits, http_handler_fn handler, void *data,
                    http_server **out)
{
    struct sockaddr_storage ss;
    http_server *s;
    int rc;

    if (!loop || !host || !handler || !out || port < 0 || port > 65535)
        return UV_EINVAL;
    if (uv_ip4_addr(host, port, (struct sockaddr_in *)&ss) < 0 &&
        uv_ip6_addr(host, port, (struct sockaddr_in6 *)&ss) < 0)
        return UV_EINVAL;
    s = calloc(1, sizeof *s);
    if (!s)
        return UV_ENOMEM;
    s->handler = handler;
    s->data = data;
    if (limits)
        s->lim = *limits;
    else
        http_limits_default(&s->lim);
    (void)http_limits_fit(&s->lim);   /* the caller asks http_limits_fit() to warn */
    rc = uv_tcp_init(loop, &s->listener);
    if (rc < 0) {
        free(s);
        return rc;
    }
    s->listener.data = s;
    s->listener_open = 1;
    if ((rc = uv_tcp_bind(&s->listener, (struct sockaddr *)&ss, 0)) < 0 ||
        (rc = uv_listen((uv_stream_t *)&s->listener, HTTP_BACKLOG, on_connection)) < 0 ||
        (rc = read_port(s)) < 0) {
        s->closing = 1;   /* freed by the close callback on the next loop turn */
        uv_close((uv_handle_t *)&s->listener, on_listener_closed);
        return rc;
    }
    *out = s;
    return 0;
}

int http_server_port(const http_server *s)
{
    return s ? s->port : UV_EINVAL;
}

void http_server_stats(const http_server *s, struct http_stats *out)
{
    *out = s->stats;
    out->limits = s->lim;
}

void http_server_close(http_server *s, void (*done)(void *arg), void *arg)
{
    if (!s || s->closing)
        return;
    s->closing = 1;
    s->done = done;
    s->done_arg = arg;
    uv_close((uv_handle_t *)&s->listener, on_listener_closed);
    for (http_conn *c = s->conns; c; c = c->next)
        conn_close(c);
}
