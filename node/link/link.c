/* link — what both ends of a link share: reading what they send from the store, and the
 * rhythm of their housekeeping tick. */
#include "link/link.h"
#include "error.h"
#include "log.h"

#include <stdio.h>
#include <string.h>

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

void link_tick_arm(uv_timer_t *t, uv_timer_cb cb, int busy)
{
    uint64_t ms = busy ? LINK_TICK_MS : LINK_IDLE_TICK_MS;
    if (!uv_is_active((uv_handle_t *)t) || uv_timer_get_due_in(t) > ms)
        uv_timer_start(t, cb, ms, 0);
}
