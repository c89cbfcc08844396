#include "case/document.h"
#include "blob.h"
#include "case/casefile.h"
#include "envelope.h"
#include "error.h"

#include <errno.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SEALED_CHUNK (DOCUMENT_CHUNK + crypto_secretstream_xchacha20poly1305_ABYTES)
#define HEADER_LEN crypto_secretstream_xchacha20poly1305_HEADERBYTES

int document_seal(const char *dir, const uint8_t *plain, size_t len,
                  uint8_t key[DOCUMENT_KEY_LEN], uint8_t hash[CRYPTO_HASH_LEN],
                  uint64_t *sealed_size)
{
    crypto_secretstream_xchacha20poly1305_state st;
    uint8_t header[HEADER_LEN];
    uint8_t *out = malloc(SEALED_CHUNK);
    blob_writer *w = NULL;
    int rc = out ? blob_writer_new(dir, &w) : -ENOMEM;
    crypto_secretstream_xchacha20poly1305_keygen(key);
    crypto_secretstream_xchacha20poly1305_init_push(&st, header, key);
    if (rc == 0)
        rc = blob_write(w, header, sizeof header);
    size_t off = 0;
    do {
        size_t n = len - off < DOCUMENT_CHUNK ? len - off : DOCUMENT_CHUNK;
        uint8_t tag = off + n == len ? crypto_secretstream_xchacha20poly1305_TAG_FINAL : 0;
        unsigned long long outlen;
        if (rc)
            break;
        crypto_secretstream_xchacha20poly1305_push(&st, out, &outlen, plain + off, n, NULL, 0,
                                                   tag);
        rc = blob_write(w, out, (size_t)outlen);
        off += n;
    } while (off < len);
    crypto_wipe(&st, sizeof st);
    free(out);
    if (rc) {
        blob_abort(&w);
        return rc;
    }
    *sealed_size = blob_written(w);
    return blob_commit(&w, hash);
}

/* Opens the chunks of a blob of `size` bytes read from dir into plain, hashing what it
 * reads. */
static int open_chunks(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN],
                       const uint8_t key[DOCUMENT_KEY_LEN], uint8_t *chunk, uint8_t *plain,
                       size_t *len)
{
    crypto_secretstream_xchacha20poly1305_state st;
    crypto_generichash_state h;
    uint8_t got_hash[CRYPTO_HASH_LEN], tag = 0;
    uint64_t at = 0;
    size_t got;
    crypto_generichash_init(&h, NULL, 0, CRYPTO_HASH_LEN);
    int rc = blob_read(dir, hash, 0, chunk, HEADER_LEN, &got);
    if (rc == 0 && got != HEADER_LEN)
        rc = JF_ECORRUPT;
    if (rc == 0 && crypto_secretstream_xchacha20poly1305_init_pull(&st, chunk, key))
        rc = JF_ECRYPTO;
    crypto_generichash_update(&h, chunk, got);
    at = got;
    *len = 0;
    while (rc == 0 && tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
        unsigned long long n;
        if ((rc = blob_read(dir, hash, at, chunk, SEALED_CHUNK, &got)))
            break;
        crypto_generichash_update(&h, chunk, got);
        at += got;
        if (crypto_secretstream_xchacha20poly1305_pull(&st, plain + *len, &n, &tag, chunk, got,
                                                       NULL, 0))
            rc = JF_ECRYPTO;
        else
            *len += (size_t)n;
    }
    crypto_wipe(&st, sizeof st);
    crypto_generichash_final(&h, got_hash, sizeof got_hash);
    if (rc == 0 && memcmp(got_hash, hash, CRYPTO_HASH_LEN))
        rc = JF_ECORRUPT;
    return rc;
}

int document_open(const char *dir, const uint8_t hash[CRYPTO_HASH_LEN],
                  const uint8_t key[DOCUMENT_KEY_LEN], uint8_t **plain, size_t *len)
{
    uint64_t size = 0;
    *plain = NULL;
    *len = 0;
    /* The plain text is never longer than the sealed bytes. */
    int rc = blob_size(dir, hash, &size);
    if (rc)
        return rc;
    if (size > SIZE_MAX - 1)
        return -ENOMEM;
    uint8_t *chunk = malloc(SEALED_CHUNK), *out = malloc((size_t)size + 1);
    rc = chunk && out ? open_chunks(dir, hash, key, chunk, out, len) : -ENOMEM;
    free(chunk);
    if (rc) {
        if (out)
            crypto_wipe(out, (size_t)size);
        free(out);
        *len = 0;
        return rc;
    }
    *plain = out;
    return 0;
}

int document_append(eventlog_tx *tx, const Jiefen__CaseView *v, Jiefen__DocAttached *d,
                    Jiefen__DocSecret *s, const char *actor)
{
    uint8_t salt[16];
    Jiefen__Sealed sealed = JIEFEN__SEALED__INIT;
    crypto_random(salt, sizeof salt);
    sealed.salt.data = salt;
    sealed.salt.len = sizeof salt;
    sealed.doc = s;
    size_t len = jiefen__sealed__get_packed_size(&sealed);
    uint8_t *buf = malloc(len);
    if (!buf)
        return -ENOMEM;
    jiefen__sealed__pack(&sealed, buf);
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.body_case = JIEFEN__EVENT__BODY_DOC_ATTACHED;
    ev.doc_attached = d;
    ev.case_id = v->case_id;
    ev.case_epoch = v->epoch;
    ev.actor = (char *)eventlog_actor(actor);
    int rc = eventlog_append(tx, &ev, buf, len);
    crypto_wipe(buf, len);
    free(buf);
    return rc;
}

struct each {
    int (*fn)(const Jiefen__Event *, const Jiefen__DocSecret *, void *);
    void *arg;
};

static int each_part(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    struct each *e = arg;
    if (ev->body_case != JIEFEN__EVENT__BODY_DOC_ATTACHED)
        return 0;
    Jiefen__Sealed *s = jiefen__sealed__unpack(NULL, len, plain);
    int rc = 0;
    if (s && s->doc && s->doc->key.len == DOCUMENT_KEY_LEN)
        rc = e->fn(ev, s->doc, e->arg);
    if (s && s->doc)
        crypto_wipe(s->doc->key.data, s->doc->key.len);
    jiefen__sealed__free_unpacked(s, NULL);
    return rc;
}

int document_each(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                  const Jiefen__CaseView *v,
                  int (*fn)(const Jiefen__Event *ev, const Jiefen__DocSecret *s, void *arg),
                  void *arg)
{
    struct each e = {fn, arg};
    return casefile_each(st, txn, id, self, v, each_part, &e);
}

int document_total(store *st, MDB_txn *txn, const Jiefen__CaseView *v, uint64_t *total)
{
    *total = 0;
    for (size_t i = 0; i < v->n_event_origins && i < v->n_event_seqs; i++) {
        MDB_val d;
        envelope *e = NULL;
        int rc = store_event_get(st, txn, v->event_origins[i], v->event_seqs[i], &d);
        if (rc == 0)
            rc = envelope_decode(d.mv_data, d.mv_size, &e);
        if (rc)
            return rc;
        if (e->event->body_case == JIEFEN__EVENT__BODY_DOC_ATTACHED)
            *total += e->event->doc_attached->size;
        envelope_free(&e);
    }
    return 0;
}
