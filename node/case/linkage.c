#include "case/linkage.h"
#include "case/partyindex.h"
#include "clock.h"
#include "config.h"
#include "crypto.h"
#include "error.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define DATE_LEN 10 /* YYYY-MM-DD */
#define KEY_MAX (CONFIG_ID_MAX + DATE_LEN + LINKAGE_TAG_HEX + 3)

int linkage_key_load(const char *path, uint8_t key[LINKAGE_KEY_LEN])
{
    return partyindex_key_read(path, key);
}

int linkage_tag(const uint8_t key[LINKAGE_KEY_LEN], const char *id_number, char *hex)
{
    char norm[PARTYINDEX_TEXT_MAX];
    uint8_t tag[LINKAGE_TAG_HEX / 2];
    int rc = partyindex_normalise(PARTYINDEX_ID, id_number, norm, sizeof norm);
    if (rc == 0) {
        crypto_generichash(tag, sizeof tag, (const uint8_t *)norm, strlen(norm), key,
                           LINKAGE_KEY_LEN);
        crypto_hex(tag, sizeof tag, hex);
    }
    sodium_memzero(norm, sizeof norm);
    return rc;
}

void linkage_tags(const uint8_t key[LINKAGE_KEY_LEN], const Jiefen__Party *const *parties,
                  size_t n, char *out, size_t cap)
{
    size_t len = 0;
    out[0] = 0;
    for (size_t i = 0; i < n; i++) {
        const char *id = parties[i]->id_number;
        if (id && id[0] && len + LINKAGE_TAG_HEX < cap && linkage_tag(key, id, out + len) == 0)
            len += LINKAGE_TAG_HEX;
    }
}

int linkage_tag_valid(const char *s)
{
    size_t n = strspn(s, "0123456789abcdef");
    return n == LINKAGE_TAG_HEX && s[n] == 0;
}

/* One filing checked and its key made: village "\0" date "\0" tag. The key's length, or 0
 * with the fault in err. */
static size_t filing_key(const json_t *f, size_t i, char *key, size_t cap, char *err,
                         size_t errlen)
{
    const char *tag = json_string_value(json_object_get(f, "tag"));
    const char *village = json_string_value(json_object_get(f, "village"));
    const char *date = json_string_value(json_object_get(f, "date"));
    int64_t ms;
    const char *bad = !tag || !linkage_tag_valid(tag) ? "tag"
                      : !village || config_valid_node_id(village) ? "village"
                      : !date || strlen(date) != DATE_LEN || clock_parse_local_date(date, &ms)
                          ? "date"
                          : NULL;
    if (bad) {
        snprintf(err, errlen, "filings[%zu].%s", i, bad);
        return 0;
    }
    int n = snprintf(key, cap, "%s%c%s%c%s", village, 0, date, 0, tag);
    return n > 0 && (size_t)n < cap ? (size_t)n : 0;
}

int linkage_filings_check(const json_t *body, char *err, size_t errlen)
{
    const json_t *list = json_object_get(body, "filings");
    char key[KEY_MAX];
    size_t i;
    const json_t *f;
    if (!json_is_array(list) || json_array_size(list) == 0 ||
        json_array_size(list) > LINKAGE_FILINGS_MAX) {
        snprintf(err, errlen, "filings");
        return JF_EINVAL;
    }
    json_array_foreach(list, i, f) if (!filing_key(f, i, key, sizeof key, err, errlen))
        return JF_EINVAL;
    return 0;
}

int linkage_filings_add(store *st, MDB_txn *txn, const json_t *body, size_t *added, char *err,
                        size_t errlen)
{
    const json_t *list = json_object_get(body, "filings");
    char key[KEY_MAX];
    size_t i;
    const json_t *f;
    int rc = linkage_filings_check(body, err, errlen);
    *added = 0;
    json_array_foreach(list, i, f) if (rc == 0) {
        size_t klen = filing_key(f, i, key, sizeof key, err, errlen);
        rc = store_put(txn, st->filings, key, klen, "", 0, STORE_NEW);
        *added += rc == 0;
        if (rc == JF_EEXIST)
            rc = 0; /* reported before: kept once */
    }
    return rc;
}

struct each {
    int64_t from_ms, to_ms;
    linkage_village_fn fn;
    void *arg;
    char village[CONFIG_ID_MAX + 1];
    uint64_t n;
    int rc;
};

static int flush(struct each *e)
{
    int rc = e->village[0] && e->n ? e->fn(e->village, e->n, e->arg) : 0;
    e->n = 0;
    return rc;
}

static int each_filing(const MDB_val *k, const MDB_val *v, void *arg)
{
    struct each *e = arg;
    const char *village = k->mv_data;
    char date[DATE_LEN + 1];
    int64_t ms;
    size_t vlen = strnlen(village, k->mv_size);
    (void)v;
    if (vlen > CONFIG_ID_MAX || vlen + 1 + DATE_LEN > k->mv_size)
        return e->rc = JF_ECORRUPT;
    memcpy(date, village + vlen + 1, DATE_LEN);
    date[DATE_LEN] = 0;
    if (strlen(e->village) != vlen || memcmp(e->village, village, vlen)) {
        if ((e->rc = flush(e)))
            return e->rc;
        memcpy(e->village, village, vlen);
        e->village[vlen] = 0;
    }
    if (clock_parse_local_date(date, &ms))
        return e->rc = JF_ECORRUPT;
    e->n += ms >= e->from_ms && ms < e->to_ms;
    return 0;
}

int linkage_filings_each(store *st, MDB_txn *txn, int64_t from_ms, int64_t to_ms,
                         linkage_village_fn fn, void *arg)
{
    struct each e = {.from_ms = from_ms, .to_ms = to_ms, .fn = fn, .arg = arg};
    int rc = store_walk(txn, st->filings, NULL, each_filing, &e);
    if (rc == 0 && e.rc == 0)
        rc = flush(&e);
    return rc ? rc : e.rc;
}
