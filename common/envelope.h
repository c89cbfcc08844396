/*
 * envelope — the signed unit of every log. An Envelope holds the serialized Event bytes
 * exactly as signed, and the origin's Ed25519 signature over them. The event's hash
 * (BLAKE2b-256 of those bytes) is what the next event of the same origin names as its
 * prev_hash, so one verified signature on the newest event authenticates the chain
 * behind it. Bytes are never re-encoded after signing.
 */
#ifndef JIEFEN_ENVELOPE_H
#define JIEFEN_ENVELOPE_H

#include "crypto.h"
#include "jiefen.pb-c.h"

#include <stddef.h>
#include <stdint.h>

typedef struct envelope {
    Jiefen__Envelope *wire;   /* as decoded from bytes */
    Jiefen__Event *event;     /* decoded from wire->event */
    uint8_t hash[CRYPTO_HASH_LEN];
    ProtobufCAllocator *alloc; /* what it lives in (NULL: malloc) */
} envelope;

/* Serializes `ev` (origin, seq, prev_hash and time already set by the caller), signs it
 * with `id`, and returns the packed Envelope in *out (malloc'd, the caller frees) and the
 * event hash. Returns 0 or -ENOMEM. */
int envelope_sign(const crypto_identity *id, const Jiefen__Event *ev, uint8_t **out,
                  size_t *outlen, uint8_t hash[CRYPTO_HASH_LEN]);

/* Decodes Envelope bytes and the Event inside; checks shape (origin, seq >= 1, a 32-byte
 * prev_hash, a 64-byte signature) but not the signature. Returns 0 or JF_ECORRUPT;
 * *out is released with envelope_free(). */
int envelope_decode(const uint8_t *buf, size_t len, envelope **out);

/* The same, in memory from `alloc` (an arena's, for many envelopes freed together). */
int envelope_decode_in(ProtobufCAllocator *alloc, const uint8_t *buf, size_t len,
                       envelope **out);

/* 0 if the signature is pk's, else JF_EBADSIG. */
int envelope_verify(const envelope *e, const uint8_t *pk);

/* Frees; accepts NULL and clears the caller's pointer. */
void envelope_free(envelope **e);

/* Name of the event's body kind ("case_opened", ...), "unknown" if none. */
const char *envelope_kind(const Jiefen__Event *ev);

#endif
