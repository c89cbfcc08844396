/*
 * fuzz_cert — what an operator carries between machines during enrolment, in the order
 * api_net.c reads it:
 *   - armour text: cert_dearmor() as ENROL-REQUEST and as ENROL-BUNDLE, then what is inside;
 *   - raw bytes, so the fuzzer can mutate the protobuf directly: cert_request_open(); an
 *     EnrolBundle unpacked and checked with cert_chain_check() and cert_open() under its
 *     issuer's key (as check_bundle() does); a SignedCert opened with cert_open() as a
 *     self-signed root and under a fixed key.
 */
#include "cert.h"
#include "crypto.h"
#include "fuzz_keys.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static uint8_t parent_pk[32];

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    if (crypto_init())
        abort();
    fuzz_key_pk(FUZZ_KEY_PARENT, parent_pk);
    return 0;
}

static void check_request(const uint8_t *buf, size_t len)
{
    Jiefen__EnrolRequest *r = NULL;

    if (cert_request_open(buf, len, &r) != 0)
        return;
    if (!r || r->public_key.len != CRYPTO_PK_LEN || r->signature.len != CRYPTO_SIG_LEN)
        abort();
    jiefen__enrol_request__free_unpacked(r, NULL);
}

/* As check_bundle() in node/api/api_net.c: the chain, then the leaf under chain[0]'s key. */
static void check_bundle(const uint8_t *buf, size_t len)
{
    char err[CERT_ERR_MAX];
    Jiefen__EnrolBundle *b = jiefen__enrol_bundle__unpack(NULL, len, buf);
    Jiefen__Certificate *issuer = NULL, *c = NULL;
    int rc;

    if (!b)
        return;
    if (!b->cert)
        goto out;
    err[0] = '\0';
    rc = cert_chain_check(b->cert, b->chain, b->n_chain, err, sizeof err);
    if (strnlen(err, sizeof err) == sizeof err || (rc != 0 && !err[0]))
        abort();   /* a refusal names its reason, as a string */
    if (rc == 0 && cert_decode(b->chain[0], &issuer) == 0 &&
        cert_open(b->cert, issuer->public_key.data, &c) == 0)
        jiefen__certificate__free_unpacked(c, NULL);
out:
    if (issuer)
        jiefen__certificate__free_unpacked(issuer, NULL);
    jiefen__enrol_bundle__free_unpacked(b, NULL);
}

static void check_signed_cert(const uint8_t *buf, size_t len)
{
    Jiefen__SignedCert *sc = jiefen__signed_cert__unpack(NULL, len, buf);
    Jiefen__Certificate *c = NULL;

    if (!sc)
        return;
    if (cert_open(sc, NULL, &c) == 0)
        jiefen__certificate__free_unpacked(c, NULL);
    c = NULL;
    if (cert_open(sc, parent_pk, &c) == 0)
        jiefen__certificate__free_unpacked(c, NULL);
    jiefen__signed_cert__free_unpacked(sc, NULL);
}

static void check_armor(const char *kind, const char *text,
                        void (*inner)(const uint8_t *, size_t))
{
    char err[CERT_ERR_MAX];
    uint8_t *buf = NULL;
    size_t len = 0;

    if (cert_dearmor(kind, text, &buf, &len, err, sizeof err) != 0) {
        if (buf || strlen(err) >= sizeof err)
            abort();
        return;
    }
    inner(buf, len);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Armour is text: the API hands cert_dearmor() a NUL-terminated JSON string. */
    char *text = malloc(size + 1);

    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    check_armor("ENROL-REQUEST", text, check_request);
    check_armor("ENROL-BUNDLE", text, check_bundle);
    free(text);

    check_request(data, size);
    check_bundle(data, size);
    check_signed_cert(data, size);
    return 0;
}
