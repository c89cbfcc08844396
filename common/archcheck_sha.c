/* archcheck's streaming SHA-256 (archcheck.h): apart from the reader, so that the daemon,
 * which writes archives, links it without libarchive. */
#include "archcheck.h"
#include "crypto.h"

#include <sodium.h>
#include <stdlib.h>

struct archcheck_sha {
    crypto_hash_sha256_state st;
};

struct archcheck_sha *archcheck_sha_new(void)
{
    struct archcheck_sha *s = malloc(sizeof *s);
    if (s)
        crypto_hash_sha256_init(&s->st);
    return s;
}

void archcheck_sha_update(struct archcheck_sha *s, const void *buf, size_t len)
{
    crypto_hash_sha256_update(&s->st, buf, len);
}

void archcheck_sha_final(struct archcheck_sha *s, char hex[65])
{
    uint8_t out[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&s->st, out);
    crypto_hex(out, sizeof out, hex);
    free(s);
}
