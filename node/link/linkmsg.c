#include "link/linkmsg.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

int linkmsg_setup(void *sock)
{
    int zero = 0, ivl = 2000, timeout = 6000, rmin = 200, rmax = 10000;
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

int linkmsg_recv(void *sock, uint8_t *rid, size_t *rid_len, char *user,
                 Jiefen__LinkMessage **out)
{
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    if (rid) {
        if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&msg);
            return -zmq_errno();
        }
        *rid_len = zmq_msg_size(&msg) < LINK_ROUTING_MAX ? zmq_msg_size(&msg) : 0;
        memcpy(rid, zmq_msg_data(&msg), *rid_len);
        int more = zmq_msg_more(&msg);
        zmq_msg_close(&msg);
        zmq_msg_init(&msg);
        if (!more)
            return JF_ECORRUPT;
    }
    if (zmq_msg_recv(&msg, sock, ZMQ_DONTWAIT) < 0) {
        zmq_msg_close(&msg);
        return -zmq_errno();
    }
    if (user) {
        /* The ZAP handler's verdict on the CURVE key, not anything the peer claims. */
        const char *uid = zmq_msg_gets(&msg, "User-Id");
        snprintf(user, 33, "%s", uid ? uid : "");
    }
    int rc = 0;
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
