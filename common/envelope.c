#include "envelope.h"
#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int envelope_sign(const crypto_identity *id, const Jiefen__Event *ev, uint8_t **out,
                  size_t *outlen, uint8_t hash[CRYPTO_HASH_LEN])
{
    size_t evlen = jiefen__event__get_packed_size(ev);
    uint8_t *evbuf = malloc(evlen ? evlen : 1);
    uint8_t sig[CRYPTO_SIG_LEN];
    if (!evbuf)
        return -ENOMEM;
    jiefen__event__pack(ev, evbuf);
    crypto_ed25519_sign(id, evbuf, evlen, sig);
    crypto_blake2b(evbuf, evlen, hash);

    Jiefen__Envelope env = JIEFEN__ENVELOPE__INIT;
    env.event.data = evbuf;
    env.event.len = evlen;
    env.signature.data = sig;
    env.signature.len = sizeof sig;
    *outlen = jiefen__envelope__get_packed_size(&env);
    *out = malloc(*outlen);
    if (*out)
        jiefen__envelope__pack(&env, *out);
    free(evbuf);
    return *out ? 0 : -ENOMEM;
}

int envelope_decode(const uint8_t *buf, size_t len, envelope **out)
{
    return envelope_decode_in(NULL, buf, len, out);
}

int envelope_decode_in(ProtobufCAllocator *alloc, const uint8_t *buf, size_t len,
                       envelope **out)
{
    envelope *e = alloc ? alloc->alloc(alloc->allocator_data, sizeof *e) : malloc(sizeof *e);
    if (!e)
        return -ENOMEM;
    memset(e, 0, sizeof *e);
    e->alloc = alloc;
    e->wire = jiefen__envelope__unpack(alloc, len, buf);
    if (!e->wire || e->wire->signature.len != CRYPTO_SIG_LEN)
        goto fail;
    e->event = jiefen__event__unpack(alloc, e->wire->event.len, e->wire->event.data);
    if (!e->event || e->event->seq == 0 || !e->event->origin || !e->event->origin[0] ||
        e->event->prev_hash.len != CRYPTO_HASH_LEN)
        goto fail;
    crypto_blake2b(e->wire->event.data, e->wire->event.len, e->hash);
    *out = e;
    return 0;
fail:
    envelope_free(&e);
    return JF_ECORRUPT;
}

int envelope_verify(const envelope *e, const uint8_t *pk)
{
    return crypto_ed25519_verify(pk, e->wire->event.data, e->wire->event.len,
                         e->wire->signature.data);
}

void envelope_free(envelope **e)
{
    if (!e || !*e)
        return;
    ProtobufCAllocator *a = (*e)->alloc;
    if ((*e)->event)
        jiefen__event__free_unpacked((*e)->event, a);
    if ((*e)->wire)
        jiefen__envelope__free_unpacked((*e)->wire, a);
    if (a)
        a->free(a->allocator_data, *e);
    else
        free(*e);
    *e = NULL;
}

const char *envelope_kind(const Jiefen__Event *ev)
{
    /* The body's field name in the schema: one source of truth for every kind. */
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field(&jiefen__event__descriptor, ev->body_case);
    return f && ev->body_case != JIEFEN__EVENT__BODY__NOT_SET ? f->name : "unknown";
}
