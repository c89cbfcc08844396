#include "case/partyarrival.h"
#include "case/casefile.h"
#include "case/caseindex.h"
#include "case/case.h"
#include "case/party.h"
#include "case/partyindex.h"
#include "error.h"
#include "log/drain.h"
#include "log/fold.h"
#include "log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define BATCH 200

struct partyarrival {
    drain *drain;
    const crypto_identity *id;
    const char *self;
    const uint8_t *key;
};

struct opening {
    eventlog_tx *tx;
    const uint8_t *key;
};

/* Indexes the parties of one opening this node can read (other parts have none). */
static int index_part(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    struct opening *o = arg;
    if (ev->body_case != JIEFEN__EVENT__BODY_CASE_OPENED)
        return 0;
    Jiefen__Sealed *s = jiefen__sealed__unpack(NULL, len, plain);
    if (!s)
        return JF_ECORRUPT;
    const Jiefen__CaseOpened *c = ev->case_opened;
    uint8_t (*tags)[PARTY_TAG_LEN] = NULL;
    int rc = 0;
    if (c->n_party_tags == s->n_parties && s->n_parties) {
        if (!(tags = calloc(s->n_parties, PARTY_TAG_LEN)))
            rc = -ENOMEM;
        for (size_t i = 0; tags && i < s->n_parties; i++) {
            if (c->party_tags[i].len != PARTY_TAG_LEN) {
                free(tags);
                tags = NULL;  /* not tags this version makes: indexed without them */
                break;
            }
            memcpy(tags[i], c->party_tags[i].data, PARTY_TAG_LEN);
        }
    }
    if (rc == 0)
        rc = partyindex_add(o->tx->st, o->tx->txn, o->key, ev->case_id,
                            (const Jiefen__Party *const *)s->parties,
                            (const uint8_t(*)[PARTY_TAG_LEN])tags, s->n_parties);
    free(tags);
    jiefen__sealed__free_unpacked(s, NULL);
    return rc;
}

static int index_case(partyarrival *a, eventlog_tx *tx, const char *case_id)
{
    Jiefen__CaseView *v = NULL;
    int rc = caseindex_get(tx->st, tx->txn, case_id, &v);
    if (rc == 0 && v) {
        struct opening o = {tx, a->key};
        rc = casefile_each(tx->st, tx->txn, a->id, a->self, v, index_part, &o);
    }
    case_view_free(&v);
    if (rc == JF_ECORRUPT) {
        /* Off the queue all the same: retried, it would stop every case after it. */
        log_error("search", "case %s: its parties cannot be read, not indexed", case_id);
        rc = 0;
    }
    return rc;
}

static int step(eventlog_tx *tx, void *arg, int *more)
{
    partyarrival *a = arg;
    unsigned done = 0;
    int rc = 0;
    char id[FOLD_CASE_ID_MAX + 1];
    while (rc == 0 && done < BATCH && (rc = partyindex_arrival_next(tx->st, tx->txn, id)) == 0) {
        rc = index_case(a, tx, id);
        done++;
    }
    *more = done == BATCH;
    return rc == JF_ENOTFOUND ? 0 : rc;
}

partyarrival *partyarrival_new(eventlog *log, store *st, const crypto_identity *id,
                               const char *self, const uint8_t *key)
{
    partyarrival *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    *a = (struct partyarrival){.id = id, .self = self, .key = key};
    if (!(a->drain = drain_new(log, "search", step, a))) {
        free(a);
        return NULL;
    }
    drain_watch(a->drain, st, st->search); /* partyindex_arrived notes the queue */
    return a;
}

void partyarrival_free(partyarrival **a)
{
    if (!a || !*a)
        return;
    drain_free(&(*a)->drain);
    free(*a);
    *a = NULL;
}

void partyarrival_kick(partyarrival *a)
{
    if (a)
        drain_kick(a->drain);
}

void partyarrival_stop(partyarrival *a)
{
    if (a)
        drain_stop(a->drain);
}
