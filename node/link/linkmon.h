/*
 * linkmon — what libzmq's socket monitor says about one link socket, made usable: a
 * handshake that succeeded, a connection that was refused (and why), a connection lost.
 *
 * libzmq reports on an inproc PAIR socket, asynchronously, and names no peer in a
 * handshake failure: its value is the reason, and the DISCONNECTED that follows carries
 * the connection's fd. So the reason is held until that DISCONNECTED, and the address is
 * the one read (getpeername) when the connection's ACCEPTED or CONNECTED event was read;
 * a connection already gone by then (libzmq refuses a plain client within microseconds)
 * is named "unknown". libzmq 4.3 reports a frame over
 * the size limit only as a lost connection (no reason), so the owner counts it as one.
 */
#ifndef JIEFEN_LINKMON_H
#define JIEFEN_LINKMON_H

#include <uv.h>

enum linkmon_kind {
    LINKMON_UP,      /* a handshake succeeded */
    LINKMON_LOST,    /* a connection closed without a handshake failure */
    LINKMON_REFUSED, /* a handshake failed: see reason */
};

enum linkmon_reason {
    LINKMON_MECHANISM, /* the peer spoke another security mechanism (plain ZMTP) */
    LINKMON_KEY,       /* CURVE key refused by the ZAP handler (not an enrolled child) */
    LINKMON_PROTOCOL,  /* a ZMTP or CURVE protocol error */
    LINKMON_HANDSHAKE, /* closed or unreadable before the handshake ended */
    LINKMON_SILENT,    /* never reported here: the owner's name for an admitted connection
                        * lost before its first message (a frame over the size limit) */
    LINKMON_OLD_PROTOCOL, /* never reported here: the parent's name for a child whose Hello
                           * says a link protocol below [link] min_protocol */
    LINKMON_REASONS
};

#define LINKMON_ADDR_MAX 64

struct linkmon_event {
    enum linkmon_kind kind;
    int reason;                  /* LINKMON_REFUSED: enum linkmon_reason */
    int fd;                      /* LINKMON_LOST, LINKMON_REFUSED: the connection's fd */
    char addr[LINKMON_ADDR_MAX]; /* "IP:PORT" of the other end, or "unknown" */
};

typedef struct linkmon linkmon;
typedef void (*linkmon_fn)(const struct linkmon_event *ev, void *arg);

/* Monitors sock (a socket of zctx) and calls fn on the loop for each event. `name` makes
 * the monitor's inproc endpoint unique. Returns 0 or a negative code. */
int linkmon_start(uv_loop_t *loop, void *zctx, void *sock, const char *name, linkmon_fn fn,
                  void *arg, linkmon **out);

/* Reads the events waiting now. A message read from the monitored socket after this was
 * sent before any loss not yet reported: so read the monitor first. */
void linkmon_drain(linkmon *m);

/* 1 if connection fd is open as far as the monitor has said (drains it first). A
 * message can still be read from a connection already closed; and an fd number is
 * reused at once for the next connection. */
int linkmon_open(linkmon *m, int fd);

/* Stops monitoring and frees (after the loop has closed its handle). Call before
 * closing the monitored socket. Accepts NULL. */
void linkmon_close(linkmon *m);

/* "mechanism_mismatch", "unenrolled_key", "protocol_error", "handshake_failed",
 * "dropped_before_hello". */
const char *linkmon_reason_name(int reason);

#endif
