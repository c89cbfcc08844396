/* roster — the node's rosters of mediators, lawyers, advisers and experts (roster.h). */
#include "case/roster.h"
#include "case/case.h"
#include "case/followup.h"
#include "error.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEQ_KEY "roster_seq"
#define SEQ_KEY_LEN (sizeof SEQ_KEY - 1)

/* Keys sort by number: a length byte, then the id ("R9" before "R10"). */
static size_t person_key(const char *id, uint8_t *buf)
{
    size_t n = strlen(id);
    buf[0] = (uint8_t)n;
    memcpy(buf + 1, id, n);
    return n + 1;
}

int roster_get(store *st, MDB_txn *txn, const char *id, Jiefen__RosterRecord **out)
{
    uint8_t key[ROSTER_ID_MAX + 2];
    *out = NULL;
    if (strlen(id) > ROSTER_ID_MAX)
        return JF_ENOTFOUND;
    int rc = STORE_GET_MESSAGE(txn, st->roster, key, person_key(id, key),
                               &jiefen__roster_record__descriptor, out);
    return rc == 0 && !*out ? JF_ENOTFOUND : rc;
}

int roster_put(store *st, MDB_txn *txn, const Jiefen__RosterRecord *r)
{
    uint8_t key[ROSTER_ID_MAX + 2];
    if (strlen(r->id) > ROSTER_ID_MAX)
        return JF_EINVAL;
    return store_put_message(txn, st->roster, key, person_key(r->id, key),
                             (const ProtobufCMessage *)r);
}

int roster_next_id(store *st, MDB_txn *txn, char out[ROSTER_ID_MAX + 1])
{
    MDB_val d;
    uint64_t seq = 0;
    int rc = store_get(txn, st->meta, SEQ_KEY, SEQ_KEY_LEN, &d);
    if (rc == 0 && d.mv_size == sizeof seq)
        memcpy(&seq, d.mv_data, sizeof seq);
    else if (rc && rc != JF_ENOTFOUND)
        return rc;
    seq++;
    if ((rc = store_put(txn, st->meta, SEQ_KEY, SEQ_KEY_LEN, &seq, sizeof seq, 0)))
        return rc;
    snprintf(out, ROSTER_ID_MAX + 1, "R%" PRIu64, seq);
    return 0;
}

int roster_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg)
{
    return store_walk_messages(txn, st->roster, NULL, &jiefen__roster_record__descriptor, fn,
                               arg);
}

int roster_seal_phone(const crypto_identity *cid, const char *id, const char *phone,
                      uint8_t *out, size_t *outlen)
{
    size_t n = strlen(phone);
    *outlen = 0;
    if (n > ROSTER_PHONE_MAX)
        return JF_EINVAL;
    if (n) {
        crypto_seal(cid, (const uint8_t *)phone, n, (const uint8_t *)id, strlen(id), out);
        *outlen = n + CRYPTO_SEAL_OVERHEAD;
    }
    return 0;
}

int roster_phone(const crypto_identity *id, const Jiefen__RosterRecord *r, char *buf,
                 size_t len)
{
    size_t n = r->sealed_phone.len;
    buf[0] = '\0';
    if (!n)
        return 0;
    if (n <= CRYPTO_SEAL_OVERHEAD || n - CRYPTO_SEAL_OVERHEAD >= len ||
        crypto_unseal(id, r->sealed_phone.data, n, (const uint8_t *)r->id, strlen(r->id),
                      (uint8_t *)buf))
        return JF_ECRYPTO;
    buf[n - CRYPTO_SEAL_OVERHEAD] = '\0';
    return 0;
}

void roster_free(Jiefen__RosterRecord **r)
{
    if (!r || !*r)
        return;
    jiefen__roster_record__free_unpacked(*r, NULL);
    *r = NULL;
}

struct figures_walk {
    const char *const *ids;
    size_t n;
    struct roster_figures *out;
};

static void count_case(struct roster_figures *f, const Jiefen__CaseView *v)
{
    f->cases++;
    f->agreements += v->last_outcome == JIEFEN__OUTCOME__OUTCOME_AGREEMENT;
    f->satisfied += strcmp(v->satisfaction, "satisfied") == 0;
    f->basically_satisfied += strcmp(v->satisfaction, "basically_satisfied") == 0;
    f->dissatisfied += strcmp(v->satisfaction, "dissatisfied") == 0;
}

static int figures_case(const MDB_val *key, const MDB_val *val, void *arg)
{
    const struct figures_walk *w = arg;
    (void)key;
    Jiefen__CaseView *v = case_view_decode(val->mv_data, val->mv_size);
    if (!v)
        return JF_ECORRUPT;
    for (size_t i = 0; i < w->n && v->n_roster_ids; i++)
        if (followup_has_roster(v, w->ids[i]))
            count_case(&w->out[i], v);
    case_view_free(&v);
    return 0;
}

int roster_figures(store *st, MDB_txn *txn, const char *const *ids, size_t n,
                   struct roster_figures *out)
{
    struct figures_walk w = {ids, n, out};
    memset(out, 0, n * sizeof *out);
    return n ? store_walk(txn, st->cases, NULL, figures_case, &w) : 0;
}
