/*
 * fuzz_keys — the fixed identities the fuzz targets and the seed generator share, so that
 * the committed seeds carry real signatures the targets can check. Test keys only: each
 * seed is one byte repeated, never used outside tests/fuzz.
 *
 *   s-city   (city, root)      the parent of the node under test
 *   c-self   (county)          the node under test (fuzz_linkmsg)
 *   t-child  (township)        its enrolled child; also the fixed key of fuzz_envelope
 *   v-grand  (village)         enrolled by t-child in a seed event
 */
#ifndef JIEFEN_FUZZ_KEYS_H
#define JIEFEN_FUZZ_KEYS_H

#include <sodium.h>
#include <stdint.h>
#include <string.h>

#define FUZZ_PARENT "s-city"
#define FUZZ_SELF   "c-self"
#define FUZZ_CHILD  "t-child"
#define FUZZ_GRAND  "v-grand"

enum fuzz_key { FUZZ_KEY_PARENT = 0x11, FUZZ_KEY_SELF = 0x22, FUZZ_KEY_CHILD = 0x33,
                FUZZ_KEY_GRAND = 0x44 };

/* The Ed25519 public key of one of the fixed identities (same derivation as crypto.c). */
static inline void fuzz_key_pk(enum fuzz_key k, uint8_t pk[32])
{
    uint8_t seed[crypto_sign_SEEDBYTES], sk[crypto_sign_SECRETKEYBYTES];
    memset(seed, (int)k, sizeof seed);
    crypto_sign_seed_keypair(pk, sk, seed);
    sodium_memzero(sk, sizeof sk);
}

#endif
