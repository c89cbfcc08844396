/*
 * linkstat — the evidence a node keeps about its links: per peer, when it was last heard
 * from and what was applied, repeated or refused of what it sent; per link end, the
 * connections refused before they named a peer (plain ZMTP, an unenrolled key, ...).
 *
 * Everything here survives a restart: changes mark the record dirty and the owner's
 * periodic tick writes the dirty ones (linkstat_save) in one transaction, so a kill -9
 * loses at most one tick of counts. Refusals are logged at most once a minute per
 * remote address, so a flood cannot flood the log.
 */
#ifndef JIEFEN_LINKSTAT_H
#define JIEFEN_LINKSTAT_H

#include "link/linkmon.h"
#include "link/linkmsg.h"
#include "log/ingest.h"
#include "store.h"

#include <jansson.h>
#include <stdint.h>

#define LINKSTAT_LOGGED 32

/* What `status` and /metrics show of one peer. */
struct link_peer {
    char id[33];
    int online;
    int64_t since_ms;             /* when online last changed */
    int64_t last_rx_ms, last_ack_ms;
    uint64_t applied, duplicates, rejected[REJ_COUNT], disconnects;
    int dirty;                    /* counters changed since they were saved */
    /* parent side: the child's connection and its down queue */
    uint8_t rid[LINK_ROUTING_MAX];
    size_t rid_len;
    int fd;                       /* the connection its last message came by, or -1 */
    uint64_t down_sent, down_acked;
    uint64_t down_epoch;          /* the numbering of its queue the child is told of */
    /* parent side: invalid envelopes from the child, and its throttle (link/throttle.h) */
    uint64_t invalid_in_window;
    int64_t window_start_ms, throttled_until_ms;
    /* parent side: the protocol of its last Hello; below the minimum nothing of it is
     * taken or sent until a Hello says better */
    unsigned protocol;
    int too_old;
};

/* Connections refused at one link end, by reason, and when each address was last
 * logged. */
struct link_refusals {
    const char *key;              /* meta key of the record: "link-refused:up" | ":down" */
    uint64_t count[LINKMON_REASONS];
    int dirty;
    struct {
        char addr[LINKMON_ADDR_MAX];
        int reason;
        int64_t ms;
    } logged[LINKSTAT_LOGGED];
    size_t next;
};

/* Reads what the store keeps of peer p (id set) or of r (key set). Missing: zeros. */
void linkstat_peer_load(store *st, MDB_txn *txn, struct link_peer *p);
void linkstat_refusals_load(store *st, MDB_txn *txn, struct link_refusals *r);

/* Writes the dirty records among peers[0..n) and r (either may be empty/NULL) in one
 * transaction and clears their dirty marks. Returns 0 or a store error (logged; the
 * marks stay for the next try). */
int linkstat_save(store *st, struct link_peer *peers, size_t n, struct link_refusals *r);

/* A message came from the peer / a connection to it was lost. */
void linkstat_seen(struct link_peer *p, int64_t now);
void linkstat_lost(struct link_peer *p, int64_t now);

/* Adds an ingest's counts to the peer. */
void linkstat_count(struct link_peer *p, const struct ingest_result *r);

/* Counts a refused connection, and logs it ("what" names the link end) unless its
 * address was logged for the same reason in the last minute. */
void linkstat_refused(struct link_refusals *r, const struct linkmon_event *ev,
                      const char *what, int64_t now);

/* 1 (and remembers it) if this reason was not logged for `addr` (its host part) within
 * the last minute. */
int linkstat_should_log(struct link_refusals *r, int reason, const char *addr, int64_t now);

/* JSON as docs/api.md shows: a peer's link; refusals by reason name. New references. */
json_t *linkstat_peer_json(const struct link_peer *p);
json_t *linkstat_refusals_json(const struct link_refusals *r);

#endif
