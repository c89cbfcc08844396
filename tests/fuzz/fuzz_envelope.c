/*
 * fuzz_envelope — Envelope bytes as they arrive in a link batch or sit in a store:
 * envelope_decode(), then envelope_verify() against a fixed key (t-child's, which signs
 * the seeds) and envelope_kind().
 */
#include "crypto.h"
#include "envelope.h"
#include "fuzz_keys.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint8_t pk[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (crypto_init())
        abort();
    fuzz_key_pk(FUZZ_KEY_CHILD, pk);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    envelope *e = NULL;

    if (envelope_decode(data, size, &e) != 0)
        return 0;
    /* What decode promises: the shape ingest relies on without checking again. */
    if (!e || !e->wire || !e->event || e->event->seq == 0 || !e->event->origin[0] ||
        e->event->prev_hash.len != CRYPTO_HASH_LEN || e->wire->signature.len != CRYPTO_SIG_LEN)
        abort();
    (void)envelope_verify(e, pk);
    if (!envelope_kind(e->event))
        abort();
    envelope_free(&e);
    if (e)
        abort();
    return 0;
}
