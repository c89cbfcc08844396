/* linkmsg (link/linkmsg.h): LinkMessages over a real ZeroMQ DEALER/ROUTER pair in one
 * process (inproc). Each kind goes up and comes back down intact, the ROUTER learns the
 * peer's routing id; garbage, truncated and multi-frame messages are refused and consumed,
 * so the next good message still comes through; an oversized one is never delivered (over
 * TCP); nothing pending is -EAGAIN. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <zmq.h>

#include "error.h"
#include "link/linkmsg.h"
#include "testutil.h"

struct pair {
    void *ctx, *router, *dealer;
};

static int setup(void **state)
{
    struct pair *p = calloc(1, sizeof *p);
    int one = 1;
    p->ctx = zmq_ctx_new();
    p->router = zmq_socket(p->ctx, ZMQ_ROUTER);
    p->dealer = zmq_socket(p->ctx, ZMQ_DEALER);
    assert_int_equal(linkmsg_setup(p->router), 0);
    assert_int_equal(linkmsg_setup(p->dealer), 0);
    assert_int_equal(zmq_setsockopt(p->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one), 0);
    assert_int_equal(zmq_setsockopt(p->dealer, ZMQ_ROUTING_ID, "v1", 2), 0);
    assert_int_equal(zmq_bind(p->router, "inproc://linkmsg-test"), 0);
    assert_int_equal(zmq_connect(p->dealer, "inproc://linkmsg-test"), 0);
    *state = p;
    return 0;
}

static int teardown(void **state)
{
    struct pair *p = *state;
    zmq_close(p->dealer);
    zmq_close(p->router);
    zmq_ctx_term(p->ctx);
    free(p);
    return 0;
}

/* Waits (poll, no sleep) until sock has something to read. */
static void wait_readable(void *sock)
{
    zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&it, 1, 5000), 1);
}

/* Receives one message at the ROUTER, checking the peer's routing id. */
static int router_recv(struct pair *p, Jiefen__LinkMessage **out)
{
    struct linkmsg_from from = {.user = "unset", .fd = -1};
    wait_readable(p->router);
    int rc = linkmsg_recv(p->router, &from, out);
    printf("  router got rc %d from routing id '%.*s', user '%s', fd %d\n", rc,
           (int)from.rid_len, (const char *)from.rid, from.user, from.fd);
    assert_int_equal(from.rid_len, 2);
    assert_memory_equal(from.rid, "v1", 2);
    /* No ZAP handler here: the User-Id is empty, never what the peer says it is. */
    assert_string_equal(from.user, "");
    return rc;
}

/* Sends m up (DEALER to ROUTER) and back down to the DEALER, and returns what came down. */
static Jiefen__LinkMessage *there_and_back(struct pair *p, const Jiefen__LinkMessage *m)
{
    Jiefen__LinkMessage *up = NULL, *back = NULL;
    assert_int_equal(linkmsg_send(p->dealer, NULL, 0, m), 0);
    assert_int_equal(router_recv(p, &up), 0);
    assert_int_equal(up->kind_case, m->kind_case);
    assert_int_equal(linkmsg_send(p->router, (const uint8_t *)"v1", 2, up), 0);
    jiefen__link_message__free_unpacked(up, NULL);
    wait_readable(p->dealer);
    assert_int_equal(linkmsg_recv(p->dealer, NULL, &back), 0);
    assert_int_equal(back->kind_case, m->kind_case);
    return back;
}

static void test_setup_sets_socket_options(void **state)
{
    struct pair *p = *state;
    int linger = -1, ivl = 0, timeout = 0;
    int64_t max = 0;
    size_t len = sizeof linger;
    assert_int_equal(zmq_getsockopt(p->dealer, ZMQ_LINGER, &linger, &len), 0);
    len = sizeof max;
    assert_int_equal(zmq_getsockopt(p->dealer, ZMQ_MAXMSGSIZE, &max, &len), 0);
    len = sizeof ivl;
    assert_int_equal(zmq_getsockopt(p->dealer, ZMQ_HEARTBEAT_IVL, &ivl, &len), 0);
    len = sizeof timeout;
    assert_int_equal(zmq_getsockopt(p->dealer, ZMQ_HEARTBEAT_TIMEOUT, &timeout, &len), 0);
    printf("  linger %d, max message %lld, heartbeat every %d ms, timeout %d ms\n", linger,
           (long long)max, ivl, timeout);
    assert_int_equal(linger, 0);
    assert_int_equal(max, LINKMSG_MAX);
    assert_true(ivl > 0);
    assert_true(timeout > ivl);
}

static void test_hello_round_trip(void **state)
{
    struct pair *p = *state;
    Jiefen__Hello h = JIEFEN__HELLO__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    h.node_id = "v1";
    h.down_cursor = 12345678901234ULL;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HELLO;
    m.hello = &h;
    Jiefen__LinkMessage *b = there_and_back(p, &m);
    assert_string_equal(b->hello->node_id, "v1");
    assert_int_equal(b->hello->down_cursor, 12345678901234ULL);
    jiefen__link_message__free_unpacked(b, NULL);
}

/* The link protocol a Hello says: this release's goes over; none (a release before the
 * field) reads as the oldest, 1. */
static void test_hello_protocol(void **state)
{
    struct pair *p = *state;
    Jiefen__Hello h = JIEFEN__HELLO__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    h.node_id = "v1";
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HELLO;
    m.hello = &h;
    Jiefen__LinkMessage *b = there_and_back(p, &m);
    printf("  no version: protocol %u\n", linkmsg_protocol(b->hello));
    assert_int_equal(linkmsg_protocol(b->hello), LINK_PROTOCOL_OLDEST);
    assert_int_equal(LINK_PROTOCOL_OLDEST, 1);
    jiefen__link_message__free_unpacked(b, NULL);
    h.protocol = LINK_PROTOCOL;
    b = there_and_back(p, &m);
    assert_int_equal(linkmsg_protocol(b->hello), LINK_PROTOCOL);
    jiefen__link_message__free_unpacked(b, NULL);
}

static void test_heads_round_trip(void **state)
{
    struct pair *p = *state;
    char *origins[] = {"v1", "v1a", "村"};
    uint64_t seqs[] = {1, 0, UINT64_MAX};
    Jiefen__Heads h = JIEFEN__HEADS__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    h.origins = origins;
    h.n_origins = 3;
    h.seqs = seqs;
    h.n_seqs = 3;
    h.resync = 1;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HEADS;
    m.heads = &h;
    Jiefen__LinkMessage *b = there_and_back(p, &m);
    assert_int_equal(b->heads->n_origins, 3);
    assert_int_equal(b->heads->n_seqs, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(b->heads->origins[i], origins[i]);
        assert_int_equal(b->heads->seqs[i], seqs[i]);
    }
    assert_true(b->heads->resync);
    jiefen__link_message__free_unpacked(b, NULL);
}

/* n envelopes of distinct bytes, sizes 0, 1000, 2000, ... */
static void fill(ProtobufCBinaryData *env, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        env[i].len = i * 1000;
        env[i].data = malloc(env[i].len + 1);
        for (size_t j = 0; j < env[i].len; j++)
            env[i].data[j] = (uint8_t)(i * 31 + j);
    }
}

static void same_envelopes(const ProtobufCBinaryData *a, const ProtobufCBinaryData *b,
                           size_t n)
{
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(a[i].len, b[i].len);
        if (a[i].len)
            assert_memory_equal(a[i].data, b[i].data, a[i].len);
    }
}

static void test_up_batch_round_trip(void **state)
{
    struct pair *p = *state;
    ProtobufCBinaryData env[5];
    fill(env, 5);
    Jiefen__UpBatch u = JIEFEN__UP_BATCH__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    u.envelopes = env;
    u.n_envelopes = 5;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_UP;
    m.up = &u;
    Jiefen__LinkMessage *b = there_and_back(p, &m);
    printf("  up batch of %zu envelopes back\n", b->up->n_envelopes);
    assert_int_equal(b->up->n_envelopes, 5);
    same_envelopes(env, b->up->envelopes, 5);
    jiefen__link_message__free_unpacked(b, NULL);
    for (int i = 0; i < 5; i++)
        free(env[i].data);
}

static void test_down_batch_and_ack_round_trip(void **state)
{
    struct pair *p = *state;
    ProtobufCBinaryData env[3];
    fill(env, 3);
    Jiefen__DownBatch d = JIEFEN__DOWN_BATCH__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    d.first_qseq = 42;
    d.envelopes = env;
    d.n_envelopes = 3;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_DOWN;
    m.down = &d;
    Jiefen__LinkMessage *b = there_and_back(p, &m);
    assert_int_equal(b->down->first_qseq, 42);
    assert_int_equal(b->down->n_envelopes, 3);
    same_envelopes(env, b->down->envelopes, 3);
    jiefen__link_message__free_unpacked(b, NULL);
    for (int i = 0; i < 3; i++)
        free(env[i].data);

    Jiefen__DownAck a = JIEFEN__DOWN_ACK__INIT;
    Jiefen__LinkMessage am = JIEFEN__LINK_MESSAGE__INIT;
    a.qseq = 44;
    am.kind_case = JIEFEN__LINK_MESSAGE__KIND_DOWN_ACK;
    am.down_ack = &a;
    b = there_and_back(p, &am);
    assert_int_equal(b->down_ack->qseq, 44);
    jiefen__link_message__free_unpacked(b, NULL);
}

static void test_nothing_pending_is_eagain(void **state)
{
    struct pair *p = *state;
    Jiefen__LinkMessage *m = NULL;
    struct linkmsg_from from;
    assert_int_equal(linkmsg_recv(p->router, &from, &m), -EAGAIN);
    assert_int_equal(linkmsg_recv(p->dealer, NULL, &m), -EAGAIN);
    assert_null(m);
}

/* A good Hello from the dealer, to show the stream goes on after a refusal. */
static void send_hello(struct pair *p, uint64_t cursor)
{
    Jiefen__Hello h = JIEFEN__HELLO__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    h.node_id = "v1";
    h.down_cursor = cursor;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HELLO;
    m.hello = &h;
    assert_int_equal(linkmsg_send(p->dealer, NULL, 0, &m), 0);
}

static void expect_hello(struct pair *p, uint64_t cursor)
{
    Jiefen__LinkMessage *m = NULL;
    assert_int_equal(router_recv(p, &m), 0);
    assert_int_equal(m->kind_case, JIEFEN__LINK_MESSAGE__KIND_HELLO);
    assert_int_equal(m->hello->down_cursor, cursor);
    jiefen__link_message__free_unpacked(m, NULL);
}

static void test_garbage_is_refused_and_consumed(void **state)
{
    struct pair *p = *state;
    Jiefen__LinkMessage *m = NULL;
    assert_int_equal(zmq_send(p->dealer, "\xff\xff\xff\xff\xff\xff", 6, 0), 6);
    send_hello(p, 7);
    assert_int_equal(router_recv(p, &m), JF_ECORRUPT);
    assert_null(m);
    expect_hello(p, 7);
}

static void test_truncated_message_is_refused(void **state)
{
    struct pair *p = *state;
    ProtobufCBinaryData env[3];
    fill(env, 3);
    Jiefen__UpBatch u = JIEFEN__UP_BATCH__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT, *got = NULL;
    u.envelopes = env;
    u.n_envelopes = 3;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_UP;
    m.up = &u;
    size_t len = jiefen__link_message__get_packed_size(&m);
    uint8_t *buf = malloc(len);
    jiefen__link_message__pack(&m, buf);
    /* Cut inside the last envelope. */
    assert_int_equal(zmq_send(p->dealer, buf, len - 100, 0), (int)(len - 100));
    send_hello(p, 8);
    assert_int_equal(router_recv(p, &got), JF_ECORRUPT);
    assert_null(got);
    expect_hello(p, 8);
    /* The same bytes whole decode. */
    assert_int_equal(zmq_send(p->dealer, buf, len, 0), (int)len);
    assert_int_equal(router_recv(p, &got), 0);
    assert_int_equal(got->up->n_envelopes, 3);
    jiefen__link_message__free_unpacked(got, NULL);
    free(buf);
    for (int i = 0; i < 3; i++)
        free(env[i].data);
}

static void test_extra_frames_are_refused_and_dropped(void **state)
{
    struct pair *p = *state;
    Jiefen__LinkMessage *m = NULL;
    Jiefen__Hello h = JIEFEN__HELLO__INIT;
    Jiefen__LinkMessage hm = JIEFEN__LINK_MESSAGE__INIT;
    h.node_id = "v1";
    hm.kind_case = JIEFEN__LINK_MESSAGE__KIND_HELLO;
    hm.hello = &h;
    uint8_t buf[64];
    size_t len = jiefen__link_message__pack(&hm, buf);
    /* A valid message followed by two more frames of the same multipart message. */
    assert_int_equal(zmq_send(p->dealer, buf, len, ZMQ_SNDMORE), (int)len);
    assert_int_equal(zmq_send(p->dealer, "x", 1, ZMQ_SNDMORE), 1);
    assert_int_equal(zmq_send(p->dealer, "y", 1, 0), 1);
    send_hello(p, 9);
    assert_int_equal(router_recv(p, &m), JF_ECORRUPT);
    assert_null(m);
    /* The rest of that message is gone: the next read is the next message. */
    expect_hello(p, 9);
    Jiefen__LinkMessage *none = NULL;
    struct linkmsg_from from;
    assert_int_equal(linkmsg_recv(p->router, &from, &none), -EAGAIN);
}

/* Over TCP (inproc does not enforce it): a message over LINKMSG_MAX ends the connection
 * before it is delivered; the peer reconnects and what it sends next arrives first. */
static void test_oversized_message_is_not_delivered(void **state)
{
    (void)state;
    void *ctx = zmq_ctx_new(), *router = zmq_socket(ctx, ZMQ_ROUTER),
         *dealer = zmq_socket(ctx, ZMQ_DEALER);
    char endpoint[256];
    size_t len = sizeof endpoint;
    assert_int_equal(linkmsg_setup(router), 0);
    assert_int_equal(linkmsg_setup(dealer), 0);
    assert_int_equal(zmq_bind(router, "tcp://127.0.0.1:*"), 0);
    assert_int_equal(zmq_getsockopt(router, ZMQ_LAST_ENDPOINT, endpoint, &len), 0);
    assert_int_equal(zmq_connect(dealer, endpoint), 0);
    size_t big = (size_t)LINKMSG_MAX + 1;
    uint8_t *buf = calloc(1, big);
    assert_non_null(buf);
    buf[0] = 0x1a; /* starts like an UpBatch */
    assert_int_equal(zmq_send(dealer, buf, big, 0), (int)big);
    free(buf);
    Jiefen__Hello h = JIEFEN__HELLO__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT, *got = NULL;
    h.node_id = "v1";
    h.down_cursor = 77;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_HELLO;
    m.hello = &h;
    assert_int_equal(linkmsg_send(dealer, NULL, 0, &m), 0);
    struct linkmsg_from from;
    wait_readable(router);
    int rc = linkmsg_recv(router, &from, &got);
    printf("  after %zu bytes: rc %d, kind %d\n", big, rc, got ? (int)got->kind_case : -1);
    assert_int_equal(rc, 0);
    assert_int_equal(got->kind_case, JIEFEN__LINK_MESSAGE__KIND_HELLO);
    assert_int_equal(got->hello->down_cursor, 77);
    jiefen__link_message__free_unpacked(got, NULL);
    got = NULL;
    assert_int_equal(linkmsg_recv(router, &from, &got), -EAGAIN);
    zmq_close(dealer);
    zmq_close(router);
    zmq_ctx_term(ctx);
}

static void test_send_refusals(void **state)
{
    struct pair *p = *state;
    Jiefen__DownAck a = JIEFEN__DOWN_ACK__INIT;
    Jiefen__LinkMessage m = JIEFEN__LINK_MESSAGE__INIT;
    m.kind_case = JIEFEN__LINK_MESSAGE__KIND_DOWN_ACK;
    m.down_ack = &a;
    /* A ROUTER does not drop silently what is addressed to a peer it does not know. */
    int rc = linkmsg_send(p->router, (const uint8_t *)"v9", 2, &m);
    printf("  send to an unknown peer: %d\n", rc);
    assert_int_equal(rc, -EHOSTUNREACH);
    /* A DEALER with no peer cannot take the message now. */
    void *lone = zmq_socket(p->ctx, ZMQ_DEALER);
    assert_int_equal(linkmsg_setup(lone), 0);
    rc = linkmsg_send(lone, NULL, 0, &m);
    printf("  send with no peer: %d\n", rc);
    assert_int_equal(rc, -EAGAIN);
    zmq_close(lone);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_setup_sets_socket_options),
        T(test_hello_round_trip),
        T(test_hello_protocol),
        T(test_heads_round_trip),
        T(test_up_batch_round_trip),
        T(test_down_batch_and_ack_round_trip),
        T(test_nothing_pending_is_eagain),
        T(test_garbage_is_refused_and_consumed),
        T(test_truncated_message_is_refused),
        T(test_extra_frames_are_refused_and_dropped),
        cmocka_unit_test(test_oversized_message_is_not_delivered),
        T(test_send_refusals),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
