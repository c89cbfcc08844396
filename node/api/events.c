/* events — Server-Sent Events of the to-do journal, filtered per user (events.h). */
#include "api/events.h"
#include "api/inbox.h"
#include "case/agenda.h"
#include "log.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct stream {
    struct events *hub;
    http_req *req;
    struct api_who who;
    unsigned kinds;           /* the to-do kinds the user is told of */
    struct stream *prev, *next;
};

struct events {
    store *st;
    uv_timer_t heartbeat;
    uint64_t seq;             /* the journal's newest change sent */
    struct stream *streams;
    unsigned n;
};

static void on_heartbeat(uv_timer_t *t);

struct events *events_new(uv_loop_t *loop, store *st)
{
    struct events *e = calloc(1, sizeof *e);
    MDB_txn *txn;
    uint64_t first;
    if (!e)
        return NULL;
    e->st = st;
    if (store_txn_begin(st, MDB_RDONLY, &txn) == 0) {
        (void)agenda_changes(st, txn, UINT64_MAX, NULL, NULL, &e->seq, &first);
        store_txn_abort(txn);
    }
    uv_timer_init(loop, &e->heartbeat);
    e->heartbeat.data = e;
    uv_unref((uv_handle_t *)&e->heartbeat);   /* it never keeps the loop alive by itself */
    return e;
}

static void stream_unlink(struct stream *s)
{
    struct events *e = s->hub;
    if (s->prev)
        s->prev->next = s->next;
    else
        e->streams = s->next;
    if (s->next)
        s->next->prev = s->prev;
    e->n--;
    if (!e->n)
        uv_timer_stop(&e->heartbeat);
    free(s);
}

/* The connection closed on its own: the server has freed the request. */
static void on_gone(void *arg)
{
    stream_unlink(arg);
}

void events_stop(struct events *e)
{
    if (!e)
        return;
    uv_timer_stop(&e->heartbeat);
    while (e->streams) {
        http_req *req = e->streams->req;
        stream_unlink(e->streams);
        http_stream_end(req);
    }
}

void events_free(struct events **e)
{
    if (!e || !*e)
        return;
    free(*e);
    *e = NULL;
}

unsigned events_streams(const struct events *e)
{
    return e ? e->n : 0;
}

/* Writes one event to a stream; a stream cut off (a slow reader) is dropped. 0 or -1. */
static int stream_send(struct stream *s, const char *text, size_t len)
{
    if (http_stream_write(s->req, text, len) == 0)
        return 0;
    log_info("events", "stream of %s cut off: it does not read what it is sent",
             s->who.user[0] ? s->who.user : "the admin token");
    stream_unlink(s);
    return -1;
}

static json_t *kind_list(unsigned mask)
{
    json_t *a = json_array();
    for (int k = 0; k < AGENDA_N; k++)
        if (mask & 1u << k)
            json_array_append_new(a, json_string(agenda_kind_code(k)));
    return a;
}

static const char *const about_codes[] = {"case", "directive", "report", "access", "hazard"};

/* Sends a change to one stream, as what the user may see of it (nothing, if nothing). */
static int stream_change(struct stream *s, const struct agenda_change *ch)
{
    unsigned added = ch->added & s->kinds, removed = ch->removed & s->kinds;
    const char *event = added || removed ? "inbox" : ch->about == AGENDA_ABOUT_CASE ? "case" : NULL;
    json_t *data;
    char *text, *body;
    int rc;
    if (!event)
        return 0;
    if (added || removed)
        data = json_pack("{s:s, s:s, s:o, s:o}", "about", about_codes[ch->about], "id",
                         ch->subject, "added", kind_list(added), "removed", kind_list(removed));
    else
        data = json_pack("{s:s}", "id", ch->subject);
    body = data ? json_dumps(data, JSON_COMPACT) : NULL;
    json_decref(data);
    if (!body || asprintf(&text, "id: %" PRIu64 "\nevent: %s\ndata: %s\n\n", ch->seq, event,
                          body) < 0) {
        free(body);
        return stream_send(s, ": out of memory\n\n", 17) ? -1 : 0;
    }
    rc = stream_send(s, text, strlen(text));
    free(body);
    free(text);
    return rc;
}

/* A missed change to a stream starting, up to what the hub has sent to all: the rest
 * comes to every stream together. */
static int to_stream(const struct agenda_change *ch, void *arg)
{
    struct stream *s = arg;
    return ch->seq > s->hub->seq || stream_change(s, ch) ? STORE_STOP : 0;
}

/* A change to every stream (each may drop out while it is sent). */
static int to_all(const struct agenda_change *ch, void *arg)
{
    struct events *e = arg;
    struct stream *s = e->streams, *next;
    for (; s; s = next) {
        next = s->next;
        stream_change(s, ch);
    }
    e->seq = ch->seq;
    return 0;
}

void events_changed(struct events *e)
{
    MDB_txn *txn;
    uint64_t last, first;
    if (!e || store_txn_begin(e->st, MDB_RDONLY, &txn))
        return;
    if (!e->streams)
        (void)agenda_changes(e->st, txn, UINT64_MAX, NULL, NULL, &e->seq, &first);
    else if (agenda_changes(e->st, txn, e->seq, to_all, e, &last, &first) == 0)
        e->seq = last;
    store_txn_abort(txn);
}

static void on_heartbeat(uv_timer_t *t)
{
    struct events *e = t->data;
    struct stream *s = e->streams, *next;
    for (; s; s = next) {
        next = s->next;
        stream_send(s, ": heartbeat\n\n", 13);
    }
}

/* The id the client last saw: Last-Event-ID, or ?last_event_id= (a first connection,
 * which cannot send the header). 0: none; -1: not a number. */
static int64_t last_seen(const http_request *r)
{
    char q[24];
    const char *v = r->last_event_id;
    char *end;
    if (!v[0] && api_query_param(r->query, "last_event_id", q, sizeof q) == 0)
        v = q;
    if (!v[0])
        return 0;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    return *end || errno || n > INT64_MAX ? -1 : (int64_t)n;
}

/* The start of a stream: the newest id (to resume from), or what was missed since `after`,
 * or a reset when that is no longer kept. */
static int stream_start(struct stream *s, uint64_t after)
{
    struct events *e = s->hub;
    MDB_txn *txn;
    uint64_t last, first;
    char text[96];
    int rc = store_txn_begin(e->st, MDB_RDONLY, &txn);
    if (rc == 0)
        rc = agenda_changes(e->st, txn, UINT64_MAX, NULL, NULL, &last, &first);
    if (rc) {
        store_txn_abort(txn);
        return stream_send(s, "event: reset\ndata: {}\n\n", 24);
    }
    if (!after || after > e->seq || after + 1 < first) {
        /* A first connection, or a gap: the client reads everything anew from here. */
        snprintf(text, sizeof text, "retry: 2000\nid: %" PRIu64 "\nevent: %s\ndata: {}\n\n",
                 e->seq, after ? "reset" : "hello");
        rc = stream_send(s, text, strlen(text));
    } else {
        rc = stream_send(s, "retry: 2000\n\n", 13);
        if (rc == 0 && after < e->seq)
            rc = agenda_changes(e->st, txn, after, to_stream, s, &last, &first);
    }
    store_txn_abort(txn);
    return rc;
}

void route_events(struct api_call *c, const http_request *r, const char *tail)
{
    struct events *e = c->api->events;
    int64_t after = last_seen(r);
    (void)tail;
    if (after < 0)
        return reply_error(c, 400, "invalid_header", "Last-Event-ID",
                           "Last-Event-ID 应为事件编号（非负整数）");
    struct stream *s = calloc(1, sizeof *s);
    if (!s)
        return reply_error(c, 503, "out_of_memory", NULL, "内存不足，请稍后再试");
    *s = (struct stream){.hub = e, .req = c->req, .who = c->who, .kinds = inbox_kinds_of(&c->who)};
    int rc = http_stream_begin(c->req, 200, "text/event-stream; charset=utf-8",
                               "Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\n"
                               "X-Accel-Buffering: no\r\n", on_gone, s);
    if (rc == UV_EBUSY) {
        free(s);
        return reply_error(c, 409, "busy", NULL, "请在单独的连接上订阅事件");
    }
    reply_streamed(c);   /* the stream answers from here on */
    if (rc) {
        free(s);
        return;
    }
    s->next = e->streams;
    if (e->streams)
        e->streams->prev = s;
    e->streams = s;
    if (!e->n++)
        uv_timer_start(&e->heartbeat, on_heartbeat, EVENTS_HEARTBEAT_MS, EVENTS_HEARTBEAT_MS);
    (void)stream_start(s, (uint64_t)after);
}
