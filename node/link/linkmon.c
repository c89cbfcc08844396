#include "link/linkmon.h"
#include "link/zsock.h"
#include "array.h"
#include "log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <zmq.h>

struct conn {
    int fd;
    char addr[LINKMON_ADDR_MAX];
};

struct linkmon {
    zsock z;
    void *pair, *watched;
    linkmon_fn fn;
    void *arg;
    struct conn *conns;      /* the open connections, by fd */
    size_t n_conns, cap_conns;
    int pending;             /* a handshake failure waiting for its DISCONNECTED, or -1 */
};

static const char *reason_names[LINKMON_REASONS] = {
    "mechanism_mismatch", "unenrolled_key", "protocol_error", "handshake_failed",
    "dropped_before_hello", "protocol_too_old"};

const char *linkmon_reason_name(int reason)
{
    return reason >= 0 && reason < LINKMON_REASONS ? reason_names[reason] : "unknown";
}

static void peer_address(int fd, char *out)
{
    struct sockaddr_storage sa;
    socklen_t len = sizeof sa;
    char ip[INET6_ADDRSTRLEN] = "";
    snprintf(out, LINKMON_ADDR_MAX, "unknown");
    if (getpeername(fd, (struct sockaddr *)&sa, &len) < 0)
        return;
    if (sa.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)&sa;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        snprintf(out, LINKMON_ADDR_MAX, "%s:%u", ip, ntohs(in->sin_port));
    } else if (sa.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        snprintf(out, LINKMON_ADDR_MAX, "[%s]:%u", ip, ntohs(in6->sin6_port));
    }
}

static struct conn *conn_of(linkmon *m, int fd)
{
    for (size_t i = 0; i < m->n_conns; i++)
        if (m->conns[i].fd == fd)
            return &m->conns[i];
    return NULL;
}

static void remember(linkmon *m, int fd)
{
    struct conn *c = conn_of(m, fd);
    if (!c) {
        struct conn *grown = array_room(m->conns, m->n_conns, &m->cap_conns, sizeof *grown, 16);
        if (!grown)
            return; /* only its address is lost: it will be "unknown" */
        m->conns = grown;
        c = &m->conns[m->n_conns++];
    }
    c->fd = fd;
    peer_address(fd, c->addr);
}

/* The address of connection fd, forgetting it: its DISCONNECTED is its last event. */
static void recall(linkmon *m, int fd, char *out)
{
    struct conn *c = conn_of(m, fd);
    snprintf(out, LINKMON_ADDR_MAX, "%s", c ? c->addr : "unknown");
    if (c)
        *c = m->conns[--m->n_conns];
}

int linkmon_open(linkmon *m, int fd)
{
    linkmon_drain(m);
    return conn_of(m, fd) != NULL;
}

static int failure_reason(uint16_t event, uint32_t value)
{
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH)
        return LINKMON_KEY;
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL)
        return value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH ? LINKMON_MECHANISM
                                                                   : LINKMON_PROTOCOL;
    return LINKMON_HANDSHAKE;
}

static void on_event(linkmon *m, uint16_t event, uint32_t value)
{
    struct linkmon_event ev = {.fd = (int)value};
    switch (event) {
    case ZMQ_EVENT_ACCEPTED:
    case ZMQ_EVENT_CONNECTED:
        remember(m, (int)value);
        return;
    case ZMQ_EVENT_HANDSHAKE_SUCCEEDED:
        ev.kind = LINKMON_UP;
        ev.fd = -1;
        snprintf(ev.addr, sizeof ev.addr, "unknown");
        break;
    case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL:
    case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH:
        m->pending = failure_reason(event, value);
        return;
    case ZMQ_EVENT_DISCONNECTED:
        ev.kind = m->pending >= 0 ? LINKMON_REFUSED : LINKMON_LOST;
        ev.reason = m->pending;
        m->pending = -1;
        recall(m, ev.fd, ev.addr);
        break;
    default:
        return;
    }
    m->fn(&ev, m->arg);
}

/* Each event is two frames: 6 bytes (event, value) and the endpoint. */
void linkmon_drain(linkmon *m)
{
    for (;;) {
        uint8_t head[6];
        char endpoint[256];
        int more = 0;
        size_t len = sizeof more;
        int got = zmq_recv(m->pair, head, sizeof head, ZMQ_DONTWAIT);
        if (got < 0)
            return;
        zmq_getsockopt(m->pair, ZMQ_RCVMORE, &more, &len);
        if (more)
            zmq_recv(m->pair, endpoint, sizeof endpoint, 0);
        if (got != (int)sizeof head)
            continue;
        uint16_t event;
        uint32_t value;
        memcpy(&event, head, 2);
        memcpy(&value, head + 2, 4);
        on_event(m, event, value);
    }
}

static void pair_readable(zsock *z)
{
    linkmon_drain(z->data);
}

int linkmon_start(uv_loop_t *loop, void *zctx, void *sock, const char *name, linkmon_fn fn,
                  void *arg, linkmon **out)
{
    char endpoint[128];
    int events = ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED |
                 ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                 ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    linkmon *m = calloc(1, sizeof *m);
    if (!m)
        return -ENOMEM;
    m->fn = fn;
    m->arg = arg;
    m->pending = -1;
    m->watched = sock;
    snprintf(endpoint, sizeof endpoint, "inproc://linkmon-%s-%p", name, (void *)m);
    int rc = 0;
    if (zmq_socket_monitor(sock, endpoint, events) < 0 ||
        !(m->pair = zmq_socket(zctx, ZMQ_PAIR)) || zmq_connect(m->pair, endpoint) < 0)
        rc = -zmq_errno();
    if (rc == 0)
        rc = zsock_start(&m->z, loop, m->pair, pair_readable, NULL, m);
    if (rc) {
        log_error("link", "cannot watch the %s socket (%s)", name, zmq_strerror(-rc));
        zmq_socket_monitor(sock, NULL, 0);
        if (m->pair)
            zmq_close(m->pair);
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

static void on_closed(uv_handle_t *h)
{
    linkmon *m = h->data;
    free(m->conns);
    free(m);
}

void linkmon_close(linkmon *m)
{
    if (!m)
        return;
    zmq_socket_monitor(m->watched, NULL, 0);
    zsock_stop(&m->z, on_closed);
    zmq_close(m->pair);
}
