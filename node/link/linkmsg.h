/*
 * linkmsg — LinkMessage framing on a ZeroMQ socket, shared by both ends of a link:
 * socket options every link socket needs (no linger, bounded message size, heartbeats),
 * sending one message (after a routing id on a ROUTER) and receiving one without blocking.
 */
#ifndef JIEFEN_LINKMSG_H
#define JIEFEN_LINKMSG_H

#include "jiefen.pb-c.h"

#include <stddef.h>
#include <stdint.h>

#define LINKMSG_MAX (64 * 1024 * 1024)
#define LINK_ROUTING_MAX 256

/* The link protocol this release speaks, sent in every Hello. A parent serves children
 * from its [link] min_protocol (default 1) up: during a rolling upgrade a newer township
 * serves older villages, the fields they do not send being absent (protobuf's default)
 * and the fields they do not know skipped by their parser. Protocol 1: releases whose
 * Hello carried no version; 2: the version in Hello; 3: a restored node's own chain back
 * (SelfsyncWant, SelfsyncBatch: link/selfsync.h). A message or field added to the link
 * raises it; removing or changing the meaning of one needs min_protocol raised too. */
#define LINK_PROTOCOL 3
#define LINK_PROTOCOL_OLDEST 1

/* The protocol a Hello says (LINK_PROTOCOL_OLDEST when it says none). */
unsigned linkmsg_protocol(const Jiefen__Hello *h);

/* Linger 0 (the default blocks shutdown forever), max message size, heartbeats so that a
 * pulled cable is noticed, reconnect backoff. Returns 0 or -errno. */
int linkmsg_setup(void *sock);

/* Sends msg, preceded by a routing-id frame when rid is not NULL. Returns 0 or -errno
 * (-EAGAIN at the high-water mark, -EHOSTUNREACH for a peer a ROUTER does not know). */
int linkmsg_send(void *sock, const uint8_t *rid, size_t rid_len, const Jiefen__LinkMessage *m);

/* Where a message came from (on a ROUTER): its routing id, the peer's ZAP User-Id (the
 * handler's verdict on its CURVE key, not anything the peer claims) and the connection's
 * fd (to match the socket monitor's report when that connection is lost). */
struct linkmsg_from {
    uint8_t rid[LINK_ROUTING_MAX];
    size_t rid_len;
    char user[33];
    int fd;
};

/* Receives one message without waiting; with `from` (ROUTER), the routing id frame first.
 * Returns 0 and *out (free with jiefen__link_message__free_unpacked), -EAGAIN when none
 * is pending, JF_ECORRUPT for a message that does not decode (it is consumed), or
 * -errno. */
int linkmsg_recv(void *sock, struct linkmsg_from *from, Jiefen__LinkMessage **out);

#endif
