/* link — what both ends of a link keep about their peer, for status and metrics. */
#include "link/link.h"
#include "log.h"

#include <stdio.h>

void link_peer_seen(struct link_peer *p, int64_t now)
{
    p->last_rx_ms = now;
    if (!p->online) {
        p->online = 1;
        p->since_ms = now;
        log_info("link", "%s is online", p->id);
    }
}

void link_peer_tick(struct link_peer *p, int64_t now)
{
    if (p->online && now - p->last_rx_ms > LINK_DEAD_MS) {
        p->online = 0;
        p->since_ms = now;
        log_warn("link", "%s is offline (nothing heard for %d s)", p->id, LINK_DEAD_MS / 1000);
    }
}

void link_peer_count(struct link_peer *p, const struct ingest_result *r)
{
    p->applied += r->applied;
    p->duplicates += r->duplicates;
    for (int i = 0; i < REJ_COUNT; i++)
        p->rejected[i] += r->rejected[i];
}

json_t *link_peer_json(const struct link_peer *p)
{
    json_t *rej = json_object();
    uint64_t total = 0;
    for (int i = 0; i < REJ_COUNT; i++) {
        json_object_set_new(rej, ingest_reason_name(i), json_integer((json_int_t)p->rejected[i]));
        total += p->rejected[i];
    }
    return json_pack("{s:s, s:b, s:I, s:o, s:o, s:I, s:I, s:I, s:o}", "peer", p->id, "online",
                     p->online, "since_ms", (json_int_t)p->since_ms, "last_contact_ms",
                     p->last_rx_ms ? json_integer(p->last_rx_ms) : json_null(), "last_ack_ms",
                     p->last_ack_ms ? json_integer(p->last_ack_ms) : json_null(), "applied",
                     (json_int_t)p->applied, "duplicates", (json_int_t)p->duplicates,
                     "rejected_total", (json_int_t)total, "rejected", rej);
}
