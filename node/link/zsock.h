/*
 * zsock — a ZeroMQ socket driven by the libuv loop. ZMQ_FD is edge-triggered: a wake-up
 * says only that ZMQ_EVENTS may have changed, and a send can consume the read signal.
 * So every wake-up, and every zsock_kick() after a send, re-reads ZMQ_EVENTS and calls the
 * owner's on_readable until no message is pending. on_readable must receive with
 * ZMQ_DONTWAIT until EAGAIN, or pause the socket (zsock_pause) and stop: a paused socket's
 * pending messages wait, unread, until it is resumed.
 */
#ifndef JIEFEN_ZSOCK_H
#define JIEFEN_ZSOCK_H

#include <uv.h>

typedef struct zsock zsock;
typedef void (*zsock_fn)(zsock *z);

struct zsock {
    uv_poll_t poll;
    void *sock;            /* the ZeroMQ socket, owned by the caller */
    zsock_fn on_readable;  /* drain: receive until EAGAIN */
    zsock_fn on_writable;  /* may be NULL: called when the socket can take more */
    void *data;
    int pumping, again, paused;
};

/* Registers sock's ZMQ_FD with the loop and checks for pending messages at once.
 * Returns 0 or a negative libuv/errno code. */
int zsock_start(zsock *z, uv_loop_t *loop, void *sock, zsock_fn on_readable,
                zsock_fn on_writable, void *data);

/* Re-checks ZMQ_EVENTS now (after a send, or when there is new data to send). */
void zsock_kick(zsock *z);

/* Pauses reading (on_readable is not called; on_writable still is) or resumes it, then
 * reading what is pending at once. */
void zsock_pause(zsock *z, int paused);

/* Stops polling; `cb` runs when libuv has closed the poll handle. The ZeroMQ socket is the
 * caller's to close. */
void zsock_stop(zsock *z, uv_close_cb cb);

#endif
