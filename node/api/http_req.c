/* http_req — collecting one request from http-parser's pieces (http_req.h). */
#include "api/http_req.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const header_names[H_NONE] = {
    "host", "authorization", "origin", "content-type", "cookie", "x-csrf-token", "if-none-match",
    "last-event-id", "transfer-encoding", "expect",
};

enum { CB_NONE, CB_URL, CB_FIELD, CB_VALUE };

void http_req_free(http_req *q)
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
static int piece(struct http_collect *c, int kind, size_t n)
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
    struct http_collect *c = p->data;

    c->req = calloc(1, sizeof *c->req);
    if (!c->req) {
        c->fail_status = -1;
        return -1;
    }
    c->req->slot = H_NONE;
    c->phase = HTTP_PHASE_HEADERS;
    c->begun++;
    return 0;
}

static int on_url(http_parser *p, const char *at, size_t n)
{
    struct http_collect *c = p->data;
    int fresh = piece(c, CB_URL, n);

    if (fresh < 0)
        return -1;
    if (fresh)
        text_start(c->req, &c->req->url_off);
    return text_append(c->req, at, n);
}

static int on_header_field(http_parser *p, const char *at, size_t n)
{
    struct http_collect *c = p->data;
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
    struct http_collect *c = p->data;
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
    struct http_collect *c = p->data;
    http_req *q = c->req;
    uint64_t len = (p->flags & F_CONTENTLENGTH) ? p->content_length : 0;

    if ((p->flags & F_CHUNKED) || q->off[H_TRANSFER_ENCODING]) {
        c->fail_status = 411;
        return -1;
    }
    split_url(q);
    q->r.method = http_method_str((enum http_method)p->method);
    if (len > (c->is_upload && c->is_upload(q->r.method, q->r.path) ? c->max_upload
                                                                        : c->max_body)) {
        c->fail_status = 413;
        return -1;
    }
    q->body_cap = (size_t)len;
    q->body = malloc(q->body_cap + 1);
    if (!q->body) {
        c->fail_status = -1;
        return -1;
    }
    q->r.host = trimmed(q->text + q->off[H_HOST]);
    q->r.authorization = trimmed(q->text + q->off[H_AUTHORIZATION]);
    q->r.origin = trimmed(q->text + q->off[H_ORIGIN]);
    q->r.content_type = trimmed(q->text + q->off[H_CONTENT_TYPE]);
    q->r.cookie = trimmed(q->text + q->off[H_COOKIE]);
    q->r.csrf_token = trimmed(q->text + q->off[H_CSRF]);
    q->r.if_none_match = trimmed(q->text + q->off[H_IF_NONE_MATCH]);
    q->r.last_event_id = trimmed(q->text + q->off[H_LAST_EVENT_ID]);
    q->safe = p->method == HTTP_GET || p->method == HTTP_HEAD;
    /* curl asks before sending bodies over 1 KiB; without an answer it waits a second. */
    q->expect_continue = len > 0 &&
                         strcasecmp(trimmed(q->text + q->off[H_EXPECT]), "100-continue") == 0;
    c->phase = HTTP_PHASE_BODY;
    return 0;
}

static int on_body(http_parser *p, const char *at, size_t n)
{
    http_req *q = ((struct http_collect *)p->data)->req;

    if (n > q->body_cap - q->r.body_len)
        return -1;
    memcpy(q->body + q->r.body_len, at, n);
    q->r.body_len += n;
    return 0;
}

/* Pauses so that the feed hands this request over before parsing the next one. */
static int on_message_complete(http_parser *p)
{
    http_req *q = ((struct http_collect *)p->data)->req;

    ((struct http_collect *)p->data)->phase = HTTP_PHASE_IDLE;
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

void http_collect_init(struct http_collect *col, size_t max_body)
{
    memset(col, 0, sizeof *col);
    col->max_body = max_body;
    http_parser_init(&col->parser, HTTP_REQUEST);
    col->parser.data = col;
}

size_t http_collect_feed(struct http_collect *col, const char *p, size_t n, http_req **done,
                         enum http_errno *err)
{
    size_t used = http_parser_execute(&col->parser, &parser_settings, p, n);
    enum http_errno e = HTTP_PARSER_ERRNO(&col->parser);

    *done = NULL;
    *err = HPE_OK;
    if (e == HPE_PAUSED) {
        http_parser_pause(&col->parser, 0);
        *done = col->req;
        col->req = NULL;
    } else if (e != HPE_OK || used == 0) {
        *err = e != HPE_OK ? e : HPE_UNKNOWN;
    }
    return used;
}

int http_collect_status(const struct http_collect *col, enum http_errno e)
{
    if (col->fail_status)
        return col->fail_status;
    if (e == HPE_HEADER_OVERFLOW)
        return 431;
    if (col->req && col->req->off[H_TRANSFER_ENCODING])
        return 411;   /* the parser rejects some encodings before we see the headers end */
    return 400;
}

void http_collect_clear(struct http_collect *col)
{
    http_req_free(col->req);
    col->req = NULL;
}
