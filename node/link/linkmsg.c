#include "link/linkmsg.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int linkmsg_setup(void *sock)
{
    /* Reconnect within rmax + a jitter below rmin of a parent's return (libzmq doubles the
     * interval from rmin and adds the jitter), at four tries a second while it is away: a
     * township is linked again 0.11 s on average after its county comes back (12 restarts,
     * at most 0.25 s), where a 500 ms ceiling made it 0.29 s (up to 0.52 s), the spread of
     * a 100k backlog's hop to the county. A try at a parent that is down costs a refused
     * connect.
     * A PING every 5 s, and a peer silent for 9 s after one is gone: a pulled cable is
     * noticed within 15 s, and an idle tree's pings (each wakes both ends' I/O threads)
     * cost two fifths of what they did at one every 2 s. */
    int zero = 0, ivl = 5000, timeout = 9000, rmin = 100, rmax = 200;
    int64_t max = LINKMSG_MAX;
    if (zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof zero) ||
        zmq_setsockopt(sock, ZMQ_MAXMSGSIZE, &max, sizeof max) ||
        zmq_setsockopt(sock, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl) ||
        zmq_setsockopt(sock, ZMQ_HEARTBEAT_TIMEOUT, &timeout, sizeof timeout) ||
        zmq_setsockopt(sock, ZMQ_HEARTBEAT_TTL, &timeout, sizeof timeout) ||
        zmq_setsockopt(sock, ZMQ_RECONNECT_IVL, &rmin, sizeof rmin) ||
        zmq_setsockopt(sock, ZMQ_RECONNECT_IVL_MAX, &rmax, sizeof rmax))
        return -zmq_errno();
    return 0;
}

int linkmsg_send(void *sock, const uint8_t *rid, size_t rid_len, const Jiefen__LinkMessage *m)
{
    size_t len = jiefen__link_message__get_packed_size(m);
    zmq_msg_t msg;
    if (zmq_msg_init_size(&msg, len) < 0)
        return -ENOMEM;
    jiefen__link_message__pack(m, zmq_msg_data(&msg));
    if (rid && zmq_send(sock, rid, rid_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        return -zmq_errno();
    }
    if (zmq_msg_send(&msg, sock, ZMQ_DONTWAIT) < 0) {
        int e = zmq_errno();
        zmq_msg_close(&msg);
        return -e;
    }
    return 0;
}

/* Discards the rest of a multipart message that does not have our shape. */
static void drop_more(void *sock, zmq_msg_t *msg)
{
    while (zmq_msg_more(msg)) {
        zmq_msg_close(msg);
        zmq_msg_init(msg);
        if (zmq_msg_recv(msg, sock, ZMQ_DONTWAIT) < 0)
            break;
    }
}

/* The routing id frame of a ROUTER's message. 0, JF_ECORRUPT (no frame follows) or
 * -errno. */
static int recv_rid(void *sock, struct linkmsg_from *from)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        return -zmq_errno();
    }
    from->rid_len = zmq_msg_size(&msg) < LINK_ROUTING_MAX ? zmq_msg_size(&msg) : 0;
    memcpy(from->rid, zmq_msg_data(&msg), from->rid_len);
    int more = zmq_msg_more(&msg);
    zmq_msg_close(&msg);
    return more ? 0 : JF_ECORRUPT;
}

int linkmsg_recv(void *sock, struct linkmsg_from *from, Jiefen__LinkMessage **out)
{
    zmq_msg_t msg;
    int rc = from ? recv_rid(sock, from) : 0;
    if (rc)
        return rc;
    zmq_msg_init(&msg);
    if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        return -zmq_errno();
    }
    if (from) {
        const char *uid = zmq_msg_gets(&msg, "User-Id");
        snprintf(from->user, sizeof from->user, "%s", uid ? uid : "");
        from->fd = zmq_msg_get(&msg, ZMQ_SRCFD);
    }
    if (zmq_msg_more(&msg)) {
        drop_more(sock, &msg);
        rc = JF_ECORRUPT;
    } else {
        *out = jiefen__link_message__unpack(NULL, zmq_msg_size(&msg), zmq_msg_data(&msg));
        rc = *out ? 0 : JF_ECORRUPT;
    }
    zmq_msg_close(&msg);
    return rc;
}

unsigned linkmsg_protocol(const Jiefen__Hello *h)
{
    return h->protocol ? h->protocol : LINK_PROTOCOL_OLDEST;
}
