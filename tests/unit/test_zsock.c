/* zsock (link/zsock.h): a ZeroMQ socket in the libuv loop. ZMQ_FD is edge-triggered
 * (DESIGN.md, known pitfalls): messages queued before the socket is registered must be read
 * at once, every message behind one wake-up must be read even by an owner that takes one
 * per call, a kick after a send finds what came meanwhile, and a callback that kicks again
 * does not recurse; a paused socket reads nothing until resumed. Real sockets (inproc) and a real loop, no sleeps: a guard timer ends a
 * run that would otherwise hang. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <zmq.h>

#include "link/zsock.h"
#include "testutil.h"

struct rig {
    void *ctx, *router, *dealer;
    uv_loop_t loop;
    uv_timer_t guard;
    zsock z;
    int received, writable, want, closed, depth, max_depth, timed_out, pause_at;
};

static int setup(void **state)
{
    struct rig *r = calloc(1, sizeof *r);
    r->ctx = zmq_ctx_new();
    r->router = zmq_socket(r->ctx, ZMQ_ROUTER);
    r->dealer = zmq_socket(r->ctx, ZMQ_DEALER);
    int zero = 0;
    zmq_setsockopt(r->router, ZMQ_LINGER, &zero, sizeof zero);
    zmq_setsockopt(r->dealer, ZMQ_LINGER, &zero, sizeof zero);
    assert_int_equal(zmq_bind(r->router, "inproc://zsock-test"), 0);
    assert_int_equal(zmq_connect(r->dealer, "inproc://zsock-test"), 0);
    assert_int_equal(uv_loop_init(&r->loop), 0);
    assert_int_equal(uv_timer_init(&r->loop, &r->guard), 0);
    r->guard.data = r;
    *state = r;
    return 0;
}

static void closed(uv_handle_t *h)
{
    struct rig *r = h->data;
    r->closed++;
}

static int teardown(void **state)
{
    struct rig *r = *state;
    uv_close((uv_handle_t *)&r->guard, NULL);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    assert_int_equal(uv_loop_close(&r->loop), 0);
    zmq_close(r->dealer);
    zmq_close(r->router);
    zmq_ctx_term(r->ctx);
    free(r);
    return 0;
}

static void send_n(struct rig *r, int n)
{
    for (int i = 0; i < n; i++)
        assert_int_equal(zmq_send(r->dealer, "m", 1, 0), 1);
}

/* Takes ONE message (routing id + body) per call, as a careless owner would. */
static void read_one(zsock *z)
{
    struct rig *r = z->data;
    char buf[64];
    r->depth++;
    if (r->depth > r->max_depth)
        r->max_depth = r->depth;
    if (zmq_recv(z->sock, buf, sizeof buf, ZMQ_DONTWAIT) >= 0 &&
        zmq_recv(z->sock, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
        r->received++;
    /* A callback that kicks again (after a send, say) asks for one more round only. */
    zsock_kick(z);
    if (r->want && r->received >= r->want)
        uv_stop(&r->loop);
    r->depth--;
}

static void count_writable(zsock *z)
{
    ((struct rig *)z->data)->writable++;
}

static void on_guard(uv_timer_t *t)
{
    struct rig *r = t->data;
    r->timed_out = 1;
    uv_stop(&r->loop);
}

/* Runs the loop until `want` messages have been read in all, or 5 s have passed. */
static void run_until(struct rig *r, int want)
{
    r->want = want;
    if (r->received >= want)
        return;
    assert_int_equal(uv_timer_start(&r->guard, on_guard, 5000, 0), 0);
    uv_run(&r->loop, UV_RUN_DEFAULT);
    uv_timer_stop(&r->guard);
    printf("  received %d of %d%s\n", r->received, want, r->timed_out ? " (timed out)" : "");
    assert_false(r->timed_out);
}

static void test_queued_before_start_are_read_at_once(void **state)
{
    struct rig *r = *state;
    send_n(r, 5);
    /* Let the messages reach the ROUTER: poll (no loop involved) until one is there. */
    zmq_pollitem_t it = {r->router, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&it, 1, 5000), 1);
    assert_int_equal(zsock_start(&r->z, &r->loop, r->router, read_one, count_writable, r), 0);
    /* Without running the loop: the wake-up that announced them is long gone. */
    printf("  read at start: %d, writable calls %d, deepest nesting %d\n", r->received,
           r->writable, r->max_depth);
    assert_int_equal(r->received, 5);
    assert_true(r->writable >= 1);
    assert_int_equal(r->max_depth, 1);
    zsock_stop(&r->z, NULL);
}

static void test_one_wakeup_drains_all(void **state)
{
    struct rig *r = *state;
    assert_int_equal(zsock_start(&r->z, &r->loop, r->router, read_one, NULL, r), 0);
    assert_int_equal(r->received, 0);
    send_n(r, 50);
    run_until(r, 50);
    assert_int_equal(r->received, 50);
    assert_int_equal(r->max_depth, 1);
    /* More later, through the loop again. */
    send_n(r, 7);
    run_until(r, 57);
    assert_int_equal(r->received, 57);
    zsock_stop(&r->z, NULL);
}

static void test_kick_reads_what_is_pending(void **state)
{
    struct rig *r = *state;
    assert_int_equal(zsock_start(&r->z, &r->loop, r->router, read_one, NULL, r), 0);
    send_n(r, 3);
    zmq_pollitem_t it = {r->router, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&it, 1, 5000), 1); /* consumes the edge the loop would see */
    zsock_kick(&r->z);
    assert_int_equal(r->received, 3);
    /* Nothing pending: a kick reads nothing. */
    zsock_kick(&r->z);
    assert_int_equal(r->received, 3);
    zsock_stop(&r->z, NULL);
}

/* Takes one message per call and pauses the socket once it holds pause_at (an owner
 * waiting for work of its own to finish). */
static void read_then_pause(zsock *z)
{
    struct rig *r = z->data;
    char buf[64];
    if (zmq_recv(z->sock, buf, sizeof buf, ZMQ_DONTWAIT) >= 0 &&
        zmq_recv(z->sock, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
        r->received++;
    if (r->received == r->pause_at)
        zsock_pause(z, 1);
}

/* Paused with messages pending: the kick returns (no spinning), nothing more is read
 * through the loop's wake-ups, and resuming reads what waited at once. */
static void test_paused_reads_nothing_until_resumed(void **state)
{
    struct rig *r = *state;
    r->pause_at = 2;
    send_n(r, 5);
    zmq_pollitem_t it = {r->router, 0, ZMQ_POLLIN, 0};
    assert_int_equal(zmq_poll(&it, 1, 5000), 1);
    assert_int_equal(zsock_start(&r->z, &r->loop, r->router, read_then_pause, NULL, r), 0);
    assert_int_equal(r->received, 2);
    send_n(r, 3);
    for (int i = 0; i < 20; i++)
        uv_run(&r->loop, UV_RUN_NOWAIT);
    zsock_kick(&r->z);
    assert_int_equal(r->received, 2);
    zsock_pause(&r->z, 0);
    printf("  read before the pause 2, after resuming %d\n", r->received);
    assert_int_equal(r->received, 8);
    zsock_stop(&r->z, NULL);
}

static void test_stop_closes_the_handle(void **state)
{
    struct rig *r = *state;
    assert_int_equal(zsock_start(&r->z, &r->loop, r->router, read_one, NULL, r), 0);
    r->z.poll.data = r; /* for the close callback */
    zsock_stop(&r->z, closed);
    uv_run(&r->loop, UV_RUN_NOWAIT);
    assert_int_equal(r->closed, 1);
    /* Stopped: messages stay in the socket. */
    send_n(r, 2);
    uv_run(&r->loop, UV_RUN_NOWAIT);
    assert_int_equal(r->received, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_queued_before_start_are_read_at_once),
        T(test_one_wakeup_drains_all),
        T(test_kick_reads_what_is_pending),
        T(test_stop_closes_the_handle),
        T(test_paused_reads_nothing_until_resumed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
