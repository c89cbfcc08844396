#include "link/zsock.h"

#include <zmq.h>

static int zsock_events(zsock *z)
{
    int ev = 0;
    size_t len = sizeof ev;
    if (zmq_getsockopt(z->sock, ZMQ_EVENTS, &ev, &len) < 0)
        return 0;
    return ev;
}

/* Runs the owner's callbacks until nothing is pending. Re-entrant calls (a callback that
 * sends and kicks) only ask for one more round. */
void zsock_kick(zsock *z)
{
    if (z->pumping) {
        z->again = 1;
        return;
    }
    z->pumping = 1;
    do {
        z->again = 0;
        int ev = zsock_events(z);
        if ((ev & ZMQ_POLLIN) && !z->paused) {
            z->on_readable(z);
            z->again = !z->paused;
        }
        /* What on_writable sent may have taken the edge of a message that arrived
         * meanwhile: look again, or it waits for the next wake-up. */
        if ((ev & ZMQ_POLLOUT) && z->on_writable) {
            z->on_writable(z);
            if ((zsock_events(z) & ZMQ_POLLIN) && !z->paused)
                z->again = 1;
        }
    } while (z->again);
    z->pumping = 0;
}

static void on_poll(uv_poll_t *p, int status, int events)
{
    (void)status, (void)events;
    zsock_kick(p->data);
}

int zsock_start(zsock *z, uv_loop_t *loop, void *sock, zsock_fn on_readable,
                zsock_fn on_writable, void *data)
{
    int fd;
    size_t len = sizeof fd;
    z->sock = sock;
    z->on_readable = on_readable;
    z->on_writable = on_writable;
    z->data = data;
    z->pumping = z->again = z->paused = 0;
    if (zmq_getsockopt(sock, ZMQ_FD, &fd, &len) < 0)
        return -zmq_errno();
    int rc = uv_poll_init(loop, &z->poll, fd);
    if (rc)
        return rc;
    z->poll.data = z;
    if ((rc = uv_poll_start(&z->poll, UV_READABLE, on_poll)))
        return rc;
    /* Messages may already be queued: the edge that announced them is gone. */
    zsock_kick(z);
    return 0;
}

void zsock_pause(zsock *z, int paused)
{
    z->paused = paused;
    if (!paused)
        zsock_kick(z);
}

void zsock_stop(zsock *z, uv_close_cb cb)
{
    uv_poll_stop(&z->poll);
    uv_close((uv_handle_t *)&z->poll, cb);
}
