#include "api/http.h"

#include <http_parser.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTTP_MAX_HEADER (16 * 1024)
#define HTTP_IDLE_MS    (30 * 1000)
#define HTTP_READ_BUF   (16 * 1024)
#define HTTP_BACKLOG    128

/* The headers we keep; Transfer-Encoding only to refuse it, Expect to answer it. */
enum { H_HOST, H_AUTHORIZATION, H_ORIGIN, H_CONTENT_TYPE, H_COOKIE, H_CSRF, H_IF_NONE_MATCH,
       H_TRANSFER_ENCODING, H_EXPECT, H_NONE };
static const char *const header_names[H_NONE] = {
    "host", "authorization", "origin", "content-type", "cookie", "x-csrf-token", "if-none-match",
    "transfer-encoding", "expect",
};

enum { CB_NONE, CB_URL, CB_FIELD, CB_VALUE };

/* DRAINING: the last response is queued and a shutdown waits for it. CLOSED: both handles
 * are closing; the connection is freed when the second close callback runs. */
enum conn_state { CONN_OPEN, CONN_DRAINING, CONN_CLOSED };

typedef struct http_conn http_conn;

struct http_req {
    http_conn *conn;            /* NULL once the connection is closed */
    http_request r;
    int keep_alive;
    int last_cb;                /* the parser hands over url, names and values in pieces */
    int slot;                   /* header whose value is arriving, H_NONE if not kept */
    size_t field_len;
    char field[24];             /* longer names are none we keep */
    size_t hdr_bytes;
    size_t url_off, off[H_NONE];  /* into text; 0 is the empty string */
    size_t used;
    char *body;
    size_t body_cap;
    char text[HTTP_MAX_HEADER + 64];  /* url and kept values, NUL-terminated; see piece() */
};

struct http_conn {
    uv_tcp_t tcp;
    uv_timer_t idle;
    uv_shutdown_t shutdown;
    http_server *srv;
    http_conn *prev, *next;
    http_parser parser;
    http_req *req;              /* being parsed, or with the handler while busy */
    enum conn_state state;
    int busy, in_process, fail_status, handles;
    size_t in_off, in_len;
    char in[HTTP_READ_BUF];
};

struct http_server {
    uv_tcp_t listener;
    http_handler_fn handler;
    void *data;
    size_t max_body;
    int port, closing, listener_open;
    http_conn *conns;
    void (*done)(void *arg);
    void *done_arg;
};

struct http_write {
    uv_write_t w;               /* first, so the uv_write_t pointer is the allocation */
    char data[];
};

static const struct http_error {
    int status;
    const char *code, *message;
} http_errors[] = {
    {400, "bad_request", "请求格式错误"},
    {411, "length_required", "需要 Content-Length，不支持分块传输"},
    {413, "body_too_large", "请求体过大"},
    {431, "headers_too_large", "请求头过大"},
};

static void conn_process(http_conn *c);
static void conn_close(http_conn *c);
static int conn_write(http_conn *c, const char *text, size_t len);

static void req_free(http_req *q)
{
    if (!q)
        return;
    free(q->body);
    free(q);
}

/* ---- collecting a request ------------------------------------------------------------ */

/* Starts a string after the previous one's NUL. */
static void text_start(http_req *q, size_t *off)
{
    *off = ++q->used;
    q->text[q->used] = '\0';
}

static int text_append(http_req *q, const char *at, size_t n)
{
    if (q->used + n + 1 > sizeof q->text)
        return -1;
    memcpy(q->text + q->used, at, n);
    q->used += n;
    q->text[q->used] = '\0';
    return 0;
}

/* Returns 1 when this callback starts a new piece, 0 when it continues one, -1 over the
 * limit. The +2 stands for the separators we never see, so text always has room. */
static int piece(http_conn *c, int kind, size_t n)
{
    http_req *q = c->req;
    int fresh = q->last_cb != kind;

    q->last_cb = kind;
    q->hdr_bytes += n + (fresh ? 2 : 0);
    if (q->hdr_bytes > HTTP_MAX_HEADER) {
        c->fail_status = 431;
        return -1;
    }
    return fresh;
}

static int on_message_begin(http_parser *p)
{
    http_conn *c = p->data;

    c->req = calloc(1, sizeof *c->req);
    if (!c->req) {
        c->fail_status = -1;
        return -1;
    }
    c->req->conn = c;
    c->req->slot = H_NONE;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    http_conn *c = p->data;
    int fresh = piece(c, CB_URL, n);

    if (fresh < 0)
        return -1;
    if (fresh)
        text_start(c->req, &c->req->url_off);
    return text_append(c->req, at, n);
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    http_conn *c = p->data;
    http_req *q = c->req;
    int fresh = piece(c, CB_FIELD, n);

    if (fresh < 0)
        return -1;
    if (fresh)
        q->field_len = 0;
    if (q->field_len + n >= sizeof q->field) {
        q->field_len = sizeof q->field;   /* marks it as too long to match */
        return 0;
    }
    memcpy(q->field + q->field_len, at, n);
    q->field_len += n;
    return 0;
}

static int header_slot(const char *name, size_t len)
{
    for (int i = 0; i < H_NONE; i++)
        if (strlen(header_names[i]) == len && strncasecmp(header_names[i], name, len) == 0)
            return i;
    return H_NONE;
}

static int on_header_value(http_parser *p, const char *at, size_t n)
{
    http_conn *c = p->data;
    http_req *q = c->req;
    int fresh = piece(c, CB_VALUE, n);

    if (fresh < 0)
        return -1;
    if (fresh) {
        q->slot = header_slot(q->field, q->field_len);
        if (q->slot != H_NONE)
            text_start(q, &q->off[q->slot]);   /* a repeated header: the last one wins */
    }
    return q->slot == H_NONE ? 0 : text_append(q, at, n);
}

static void split_url(http_req *q)
{
    char *url = q->text + q->url_off;
    char *hash = strchr(url, '#');
    char *mark;

    if (hash)
        *hash = '\0';
    mark = strchr(url, '?');
    q->r.path = url;
    q->r.query = "";
    if (mark) {
        *mark = '\0';
        q->r.query = mark + 1;
    }
}

/* The parser keeps trailing whitespace, which is not part of a field value (RFC 9110). */
static const char *trimmed(char *s)
{
    size_t n = strlen(s);

    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        s[--n] = '\0';
    return s;
}

/* Refuses what we will not read before reading it: the body may be huge or endless. */
static int on_headers_complete(http_parser *p)
{
    http_conn *c = p->data;
    http_req *q = c->req;
    uint64_t len = (p->flags & F_CONTENTLENGTH) ? p->content_length : 0;

    if ((p->flags & F_CHUNKED) || q->off[H_TRANSFER_ENCODING]) {
        c->fail_status = 411;
        return -1;
    }
    if (len > c->srv->max_body) {
        c->fail_status = 413;
        return -1;
    }
    q->body_cap = (size_t)len;
    q->body = malloc(q->body_cap + 1);
    if (!q->body) {
        c->fail_status = -1;
        return -1;
    }
    split_url(q);
    q->r.method = http_method_str((enum http_method)p->method);
    q->r.host = trimmed(q->text + q->off[H_HOST]);
    q->r.authorization = trimmed(q->text + q->off[H_AUTHORIZATION]);
    q->r.origin = trimmed(q->text + q->off[H_ORIGIN]);
    q->r.content_type = trimmed(q->text + q->off[H_CONTENT_TYPE]);
    q->r.cookie = trimmed(q->text + q->off[H_COOKIE]);
    q->r.csrf_token = trimmed(q->text + q->off[H_CSRF]);
    q->r.if_none_match = trimmed(q->text + q->off[H_IF_NONE_MATCH]);
    /* curl asks before sending bodies over 1 KiB; without an answer it waits a second. */
    if (strcasecmp(trimmed(q->text + q->off[H_EXPECT]), "100-continue") == 0) {
        static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";
        if (conn_write(c, cont, sizeof cont - 1) < 0) {
            c->fail_status = -1;
            return -1;
        }
    }
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    http_req *q = ((http_conn *)p->data)->req;

    if (n > q->body_cap - q->r.body_len)
        return -1;
    memcpy(q->body + q->r.body_len, at, n);
    q->r.body_len += n;
    return 0;
}

/* Pauses so that pipelined requests wait until this one is answered. */
static int on_message_complete(http_parser *p)
{
    http_req *q = ((http_conn *)p->data)->req;

    q->body[q->r.body_len] = '\0';
    q->r.body = q->body;
    q->keep_alive = http_should_keep_alive(p);
    http_parser_pause(p, 1);
    return 0;
}

static const http_parser_settings parser_settings = {
    .on_message_begin = on_message_begin,
    .on_url = on_url,
    .on_header_field = on_header_field,
    .on_header_value = on_header_value,
    .on_headers_complete = on_headers_complete,
    .on_body = on_body,
    .on_message_complete = on_message_complete,
};

/* ---- connections --------------------------------------------------------------------- */

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
    req_free(c->req);
    free(c);
    server_maybe_free(s);
}

static void conn_close(http_conn *c)
{
    if (c->state == CONN_CLOSED)
        return;
    c->state = CONN_CLOSED;
    if (c->busy && c->req) {
        c->req->conn = NULL;   /* the handler still owns it; http_respond() frees it */
        c->req = NULL;
    }
    uv_close((uv_handle_t *)&c->tcp, on_conn_closed);
    uv_close((uv_handle_t *)&c->idle, on_conn_closed);
}

static void on_idle(uv_timer_t *t)
{
    conn_close(t->data);
}

static void on_shutdown(uv_shutdown_t *sr, int status)
{
    (void)status;
    conn_close(sr->data);
}

/* Half-closes once the queued writes are out, so the last response is not cut off by a
 * reset. The idle timer stays armed in case the peer never reads them. */
static void conn_drain(http_conn *c)
{
    if (c->state != CONN_OPEN)
        return;
    c->state = CONN_DRAINING;
    uv_read_stop((uv_stream_t *)&c->tcp);
    c->shutdown.data = c;
    if (uv_timer_start(&c->idle, on_idle, HTTP_IDLE_MS, 0) < 0 ||
        uv_shutdown(&c->shutdown, (uv_stream_t *)&c->tcp, on_shutdown) < 0)
        conn_close(c);
}

static void on_write(uv_write_t *w, int status)
{
    http_conn *c = w->handle->data;

    free(w);
    if (status < 0)
        conn_close(c);
}

/* Queues bytes that need no formatting (interim responses). */
static int conn_write(http_conn *c, const char *text, size_t len)
{
    struct http_write *w = malloc(sizeof *w + len);
    if (!w)
        return UV_ENOMEM;
    memcpy(w->data, text, len);
    uv_buf_t buf = {.base = w->data, .len = len};
    int rc = uv_write(&w->w, (uv_stream_t *)&c->tcp, &buf, 1, on_write);
    if (rc < 0)
        free(w);
    return rc;
}

static int conn_send(http_conn *c, int status, const char *type, const char *body, size_t len,
                     const char *extra, int keep_alive)
{
    size_t cap = 192 + (type ? strlen(type) : 0) + (extra ? strlen(extra) : 0) + len;
    struct http_write *w = malloc(sizeof *w + cap);
    int head, rc;
    uv_buf_t buf;

    if (!w)
        return UV_ENOMEM;
    head = snprintf(w->data, cap, "HTTP/1.1 %d %s\r\n%s%s%sContent-Length: %zu\r\n"
                    "Connection: %s\r\n%s\r\n", status, http_status_str((enum http_status)status),
                    type ? "Content-Type: " : "", type ? type : "", type ? "\r\n" : "", len,
                    keep_alive ? "keep-alive" : "close", extra ? extra : "");
    if (head < 0 || (size_t)head + len > cap) {
        free(w);
        return UV_EINVAL;
    }
    if (len)
        memcpy(w->data + head, body, len);
    buf = (uv_buf_t){.base = w->data,
                     .len = (size_t)head + len}; /* not uv_buf_init(): unsigned */
    rc = uv_write(&w->w, (uv_stream_t *)&c->tcp, &buf, 1, on_write);
    if (rc < 0)
        free(w);
    return rc;
}

/* Answers a request we refuse, then closes: after a parse error the stream cannot resync. */
static void conn_fail(http_conn *c, enum http_errno e)
{
    int status = c->fail_status;
    const struct http_error *err = &http_errors[0];
    char body[192];
    int n;

    if (!status && e == HPE_HEADER_OVERFLOW)
        status = 431;
    else if (!status && c->req && c->req->off[H_TRANSFER_ENCODING])
        status = 411;   /* the parser rejects some encodings before we see the headers end */
    if (status < 0) {
        conn_close(c);
        return;
    }
    for (size_t i = 0; i < sizeof http_errors / sizeof http_errors[0]; i++)
        if (http_errors[i].status == status)
            err = &http_errors[i];
    n = snprintf(body, sizeof body, "{\"error\":{\"code\":\"%s\",\"message\":\"%s\"}}",
                 err->code, err->message);
    if (conn_send(c, err->status, "application/json; charset=utf-8", body, (size_t)n, NULL, 0) < 0)
        conn_close(c);
    else
        conn_drain(c);
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
    if (nread < 0) {
        conn_close(c);
        return;
    }
    c->in_len += (size_t)nread;
    conn_process(c);
}

/* Reading resumes only once everything buffered is parsed, so `in` is empty here. */
static void conn_listen(http_conn *c)
{
    int rc = uv_timer_start(&c->idle, on_idle, HTTP_IDLE_MS, 0);

    if (rc == 0)
        rc = uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
    if (rc < 0 && rc != UV_EALREADY)
        conn_close(c);
}

/* The handler gets the request with the connection paused: nothing is read or parsed,
 * and no idle timeout runs, until http_respond(). */
static void conn_dispatch(http_conn *c)
{
    c->busy = 1;
    uv_read_stop((uv_stream_t *)&c->tcp);
    uv_timer_stop(&c->idle);
    c->srv->handler(c->req, &c->req->r, c->srv->data);
}

static void conn_process(http_conn *c)
{
    c->in_process = 1;   /* a handler answering at once must not re-enter this loop */
    while (c->state == CONN_OPEN && !c->busy && c->in_off < c->in_len) {
        size_t n = http_parser_execute(&c->parser, &parser_settings, c->in + c->in_off,
                                       c->in_len - c->in_off);
        enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);

        c->in_off += n;
        if (e == HPE_PAUSED) {
            http_parser_pause(&c->parser, 0);
            conn_dispatch(c);
        } else if (e != HPE_OK || n == 0) {
            conn_fail(c, e);
        }
    }
    c->in_process = 0;
    if (c->state != CONN_OPEN || c->busy)
        return;
    c->in_off = c->in_len = 0;
    conn_listen(c);
}

static void on_connection(uv_stream_t *l, int status)
{
    http_server *s = l->data;
    http_conn *c;

    if (status < 0 || !(c = calloc(1, sizeof *c)))
        return;
    if (uv_tcp_init(l->loop, &c->tcp) < 0) {
        free(c);
        return;
    }
    (void)uv_timer_init(l->loop, &c->idle);   /* only fills in the handle; cannot fail */
    c->tcp.data = c->idle.data = c;
    c->srv = s;
    c->handles = 2;
    c->next = s->conns;
    if (s->conns)
        s->conns->prev = c;
    s->conns = c;
    http_parser_init(&c->parser, HTTP_REQUEST);
    c->parser.data = c;
    if (uv_accept(l, (uv_stream_t *)&c->tcp) < 0 || uv_tcp_nodelay(&c->tcp, 1) < 0)
        conn_close(c);
    else
        conn_listen(c);
}

/* ---- public API ---------------------------------------------------------------------- */

void http_respond(http_req *req, int status, const char *content_type,
                  const char *body, size_t body_len, const char *extra_headers)
{
    http_conn *c;
    int keep_alive;

    if (!req)
        return;
    c = req->conn;
    keep_alive = req->keep_alive;
    req_free(req);
    if (!c)
        return;   /* the connection closed meanwhile: nothing to send to */
    c->req = NULL;
    c->busy = 0;
    if (status < 100 || status > 999)
        status = 500;
    if (conn_send(c, status, content_type, body, body_len, extra_headers, keep_alive) < 0)
        conn_close(c);
    else if (!keep_alive)
        conn_drain(c);
    else if (!c->in_process)
        conn_process(c);   /* pipelined bytes may already be buffered */
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

int http_server_new(uv_loop_t *loop, const char *host, int port, size_t max_body,
                    http_handler_fn handler, void *data, http_server **out)
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
    s->max_body = max_body;
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

/* ---- URL decoding -------------------------------------------------------------------- */

static int hex(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes the character at *p and moves past it; -1 on a bad escape. */
static int decode_char(const char **p, const char *end, int plus)
{
    const char *s = *p;

    if (*s != '%') {
        *p = s + 1;
        return *s == '+' && plus ? ' ' : (unsigned char)*s;
    }
    if (end - s < 3 || hex(s[1]) < 0 || hex(s[2]) < 0)
        return -1;
    *p = s + 3;
    return hex(s[1]) << 4 | hex(s[2]);
}

int http_url_decode(const char *in, size_t inlen, char *out, size_t outlen, int plus)
{
    const char *p = in ? in : "", *end = p + (in ? inlen : 0);
    size_t n = 0;

    if (!out || outlen == 0)
        return -1;
    while (p < end) {
        int ch = decode_char(&p, end, plus);

        if (ch < 0 || n + 1 >= outlen || n >= INT_MAX)
            return -1;
        out[n++] = (char)ch;
    }
    out[n] = '\0';
    return (int)n;
}

/* Compares a still-encoded key with `key`; a badly encoded key matches nothing. */
static int key_matches(const char *p, const char *end, const char *key)
{
    while (p < end) {
        int ch = decode_char(&p, end, 1);

        if (ch < 0 || *key == '\0' || (unsigned char)*key++ != ch)
            return 0;
    }
    return *key == '\0';
}

int http_query_get(const char *query, const char *key, char *out, size_t outlen)
{
    const char *p = query;

    if (!query || !key || !*key)
        return -1;
    for (;;) {
        const char *amp = strchr(p, '&');
        const char *end = amp ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));

        if (key_matches(p, eq ? eq : end, key)) {
            const char *v = eq ? eq + 1 : end;
            int n = http_url_decode(v, (size_t)(end - v), out, outlen, 1);

            return n < 0 ? -2 : n;
        }
        if (!amp)
            return -1;
        p = amp + 1;
    }
}

int http_cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
    size_t nlen = name ? strlen(name) : 0;
    const char *p = header;

    if (!header || !nlen || !outlen)
        return -1;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        size_t len = strcspn(p, ";");
        if (len > nlen && p[nlen] == '=' && strncmp(p, name, nlen) == 0) {
            const char *v = p + nlen + 1;
            size_t vlen = len - nlen - 1;
            while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen >= outlen)
                return -2;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return (int)vlen;
        }
        p += len;
    }
    return -1;
}
