#include "cert.h"
#include "error.h"

#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cert_sign(const crypto_identity *issuer, const Jiefen__Certificate *c,
              Jiefen__SignedCert *out)
{
    jiefen__signed_cert__init(out);
    out->cert.len = jiefen__certificate__get_packed_size(c);
    out->cert.data = malloc(out->cert.len ? out->cert.len : 1);
    out->signature.data = malloc(CRYPTO_SIG_LEN);
    if (!out->cert.data || !out->signature.data) {
        cert_signed_clear(out);
        return -ENOMEM;
    }
    jiefen__certificate__pack(c, out->cert.data);
    crypto_ed25519_sign(issuer, out->cert.data, out->cert.len, out->signature.data);
    out->signature.len = CRYPTO_SIG_LEN;
    return 0;
}

void cert_signed_clear(Jiefen__SignedCert *sc)
{
    free(sc->cert.data);
    free(sc->signature.data);
    jiefen__signed_cert__init(sc);
}

int cert_decode(const Jiefen__SignedCert *sc, Jiefen__Certificate **out)
{
    Jiefen__Certificate *c = jiefen__certificate__unpack(NULL, sc->cert.len, sc->cert.data);
    if (!c || c->public_key.len != CRYPTO_PK_LEN || sc->signature.len != CRYPTO_SIG_LEN ||
        !c->node_id[0]) {
        if (c)
            jiefen__certificate__free_unpacked(c, NULL);
        return JF_ECORRUPT;
    }
    *out = c;
    return 0;
}

int cert_open(const Jiefen__SignedCert *sc, const uint8_t *issuer_pk,
              Jiefen__Certificate **out)
{
    Jiefen__Certificate *c;
    if (cert_decode(sc, &c))
        return JF_ECORRUPT;
    const uint8_t *pk = issuer_pk ? issuer_pk : c->public_key.data;
    if (crypto_ed25519_verify(pk, sc->cert.data, sc->cert.len, sc->signature.data)) {
        jiefen__certificate__free_unpacked(c, NULL);
        return JF_EBADSIG;
    }
    *out = c;
    return 0;
}

static int chain_fail(char *err, size_t len, const char *why, const char *id)
{
    snprintf(err, len, "%s%s%s", why, id ? ": " : "", id ? id : "");
    return JF_EINVAL;
}

int cert_chain_check(const Jiefen__SignedCert *leaf, Jiefen__SignedCert *const *chain,
                     size_t n, char *err, size_t errlen)
{
    Jiefen__Certificate *certs[16] = {0};
    int rc = 0;
    if (n == 0 || n >= 16)
        return chain_fail(err, errlen, "certificate chain is empty or too long", NULL);
    /* Open from the root down, each with its issuer's key. */
    if (cert_open(chain[n - 1], NULL, &certs[n]) ||
        strcmp(certs[n]->issuer, certs[n]->node_id)) {
        rc = chain_fail(err, errlen, "chain does not end in a self-signed root", NULL);
        goto out;
    }
    for (size_t i = n; i-- > 0;) {
        const Jiefen__SignedCert *sc = i == 0 ? leaf : chain[i - 1];
        const Jiefen__Certificate *up = certs[i + 1];
        if (cert_open(sc, up->public_key.data, &certs[i])) {
            rc = chain_fail(err, errlen, "certificate not signed by its issuer", up->node_id);
            goto out;
        }
        if (strcmp(certs[i]->issuer, up->node_id) || certs[i]->tier >= up->tier ||
            strcmp(certs[i]->node_id, up->node_id) == 0) {
            rc = chain_fail(err, errlen, "certificate does not fit under its issuer",
                            certs[i]->node_id);
            goto out;
        }
    }
out:
    for (size_t i = 0; i <= n; i++)
        if (certs[i])
            jiefen__certificate__free_unpacked(certs[i], NULL);
    return rc;
}

uint8_t *cert_request_make(const crypto_identity *id, const char *node_id, const char *name,
                           int tier, int64_t now_ms, size_t *len)
{
    uint8_t sig[CRYPTO_SIG_LEN];
    Jiefen__EnrolRequest r = JIEFEN__ENROL_REQUEST__INIT;
    r.node_id = (char *)node_id;
    r.name = (char *)name;
    r.tier = tier;
    r.public_key.data = (uint8_t *)crypto_identity_pk(id);
    r.public_key.len = CRYPTO_PK_LEN;
    r.time_ms = now_ms;
    size_t ulen = jiefen__enrol_request__get_packed_size(&r);
    uint8_t *unsigned_buf = malloc(ulen ? ulen : 1);
    if (!unsigned_buf)
        return NULL;
    jiefen__enrol_request__pack(&r, unsigned_buf);
    crypto_ed25519_sign(id, unsigned_buf, ulen, sig);
    free(unsigned_buf);
    r.signature.data = sig;
    r.signature.len = sizeof sig;
    *len = jiefen__enrol_request__get_packed_size(&r);
    uint8_t *buf = malloc(*len);
    if (buf)
        jiefen__enrol_request__pack(&r, buf);
    return buf;
}

int cert_request_open(const uint8_t *buf, size_t len, Jiefen__EnrolRequest **out)
{
    Jiefen__EnrolRequest *r = jiefen__enrol_request__unpack(NULL, len, buf);
    if (!r || r->public_key.len != CRYPTO_PK_LEN || r->signature.len != CRYPTO_SIG_LEN) {
        if (r)
            jiefen__enrol_request__free_unpacked(r, NULL);
        return JF_ECORRUPT;
    }
    /* The signature covers the request as packed without it. */
    ProtobufCBinaryData sig = r->signature;
    r->signature.len = 0;
    size_t ulen = jiefen__enrol_request__get_packed_size(r);
    uint8_t *ubuf = malloc(ulen ? ulen : 1);
    int rc = ubuf ? 0 : -ENOMEM;
    if (ubuf) {
        jiefen__enrol_request__pack(r, ubuf);
        rc = crypto_ed25519_verify(r->public_key.data, ubuf, ulen, sig.data);
        free(ubuf);
    }
    r->signature = sig;
    if (rc) {
        jiefen__enrol_request__free_unpacked(r, NULL);
        return rc;
    }
    *out = r;
    return 0;
}

char *cert_armor(const char *kind, const uint8_t *buf, size_t len)
{
    size_t b64 = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    size_t cap = strlen(kind) + b64 + 16;
    char *out = malloc(cap);
    if (!out)
        return NULL;
    int n = snprintf(out, cap, "JIEFEN %s\n", kind);
    sodium_bin2base64(out + n, b64, buf, len, sodium_base64_VARIANT_ORIGINAL);
    strcat(out, "\n");
    return out;
}

int cert_dearmor(const char *kind, const char *text, uint8_t **out, size_t *len, char *err,
                 size_t errlen)
{
    char head[64];
    snprintf(head, sizeof head, "JIEFEN %s\n", kind);
    if (strncmp(text, head, strlen(head)) != 0) {
        char got[40] = "";
        sscanf(text, "JIEFEN %39[A-Z-]", got);
        snprintf(err, errlen, "not a %s file%s%s", kind, got[0] ? " (it is a " : "",
                 got[0] ? got : "");
        if (got[0])
            strncat(err, ")", errlen - strlen(err) - 1);
        return JF_EINVAL;
    }
    const char *b = text + strlen(head);
    size_t blen = strcspn(b, "\r\n");
    *out = malloc(blen + 1);
    if (!*out)
        return -ENOMEM;
    if (sodium_base642bin(*out, blen + 1, b, blen, NULL, len, NULL,
                          sodium_base64_VARIANT_ORIGINAL)) {
        free(*out);
        *out = NULL;
        snprintf(err, errlen, "%s file is damaged (bad base64)", kind);
        return JF_EINVAL;
    }
    return 0;
}
