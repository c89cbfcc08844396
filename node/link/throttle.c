#include "link/throttle.h"
#include "log.h"

#include <inttypes.h>

int throttle_active(const struct link_peer *p, int64_t now)
{
    return p->throttled_until_ms > now;
}

void throttle_count(struct link_peer *p, const struct link_throttle *t,
                    const struct ingest_result *r, int64_t now)
{
    /* Only what proves the sender sends garbage: a gap or a duplicate is what an honest
     * link looks like after a loss. */
    uint64_t bad = r->rejected[REJ_SIGNATURE] + r->rejected[REJ_UNDECODABLE];
    if (!bad)
        return;
    if (now - p->window_start_ms > t->window_ms) {
        p->window_start_ms = now;
        p->invalid_in_window = 0;
    }
    p->invalid_in_window += bad;
    if (p->invalid_in_window < t->invalid)
        return;
    p->throttled_until_ms = now + t->cooldown_ms;
    p->invalid_in_window = 0;
    p->window_start_ms = p->throttled_until_ms;
    log_warn("link", "%s sent %" PRIu64 " or more invalid envelopes within %" PRId64
                     " s: its batches are refused unread for %" PRId64 " s",
             p->id, t->invalid, t->window_ms / 1000, t->cooldown_ms / 1000);
}
