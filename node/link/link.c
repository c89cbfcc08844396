/* link — what both ends of a link keep about their peer, for status and metrics, and how
 * both read what they send from the store. */
#include "link/link.h"
#include "error.h"
#include "log.h"

#include <stdio.h>
#include <string.h>


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
        json_object_set_new(rej, ingest_reason_name(i),
                            json_integer((json_int_t)p->rejected[i]));
        total += p->rejected[i];
    }
    return json_pack("{s:s, s:b, s:I, s:o, s:o, s:I, s:I, s:I, s:o}", "peer", p->id, "online",
                     p->online, "since_ms", (json_int_t)p->since_ms, "last_contact_ms",
                     p->last_rx_ms ? json_integer(p->last_rx_ms) : json_null(), "last_ack_ms",
                     p->last_ack_ms ? json_integer(p->last_ack_ms) : json_null(), "applied",
                     (json_int_t)p->applied, "duplicates", (json_int_t)p->duplicates,
                     "rejected_total", (json_int_t)total, "rejected", rej);
}

struct batch {
    const char *name;
    uint64_t first;
    ProtobufCBinaryData *env;
    size_t room, n, *bytes;
};

static int batch_add(const MDB_val *k, const MDB_val *d, void *arg)
{
    struct batch *b = arg;
    char name[STORE_ORIGIN_MAX + 1];
    uint64_t seq;
    if (b->n == b->room || *b->bytes >= LINK_BATCH_BYTES ||
        store_event_key_parse(k, name, &seq) || strcmp(name, b->name) ||
        seq != b->first + b->n)
        return STORE_STOP;
    b->env[b->n].data = d->mv_data;
    b->env[b->n].len = d->mv_size;
    *b->bytes += d->mv_size;
    b->n++;
    return 0;
}

size_t link_batch(MDB_txn *txn, MDB_dbi dbi, const char *name, uint64_t first,
                  ProtobufCBinaryData *env, size_t room, size_t *bytes)
{
    uint8_t key[STORE_KEY_MAX];
    size_t len = store_event_key(name, first, key);
    struct batch b = {name, first, env, room, 0, bytes};
    /* The prefix: the name and its terminating 0, without the seq. */
    struct store_range r = {key, len - 8, key, len, 0};
    int rc = len ? store_walk(txn, dbi, &r, batch_add, &b) : JF_EINVAL;
    if (rc)
        log_warn("link", "cannot read a batch of %s (%s)", name, jf_strerror(rc));
    return b.n;
}
