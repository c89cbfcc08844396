/*
 * cert — enrolment certificates: a parent's signature binding a child's node id, tier and
 * Ed25519 key. A chain runs from a node's certificate up to the root's self-signed one, so
 * any node can check any other's key against the root it trusts. Also the enrolment
 * request (self-signed by the child) and the bundle handed back to it.
 */
#ifndef JIEFEN_CERT_H
#define JIEFEN_CERT_H

#include "crypto.h"
#include "jiefen.pb-c.h"

#include <stddef.h>

#define CERT_ERR_MAX 256

/* Signs `c` with `issuer`; *out gets malloc'd cert bytes and signature, released with
 * cert_signed_clear(). Returns 0 or -ENOMEM. */
int cert_sign(const crypto_identity *issuer, const Jiefen__Certificate *c,
              Jiefen__SignedCert *out);
void cert_signed_clear(Jiefen__SignedCert *sc);

/* Decodes the certificate inside sc without checking its signature (for certificates
 * already checked when they were installed). 0 or JF_ECORRUPT. */
int cert_decode(const Jiefen__SignedCert *sc, Jiefen__Certificate **out);

/* Decodes the certificate inside sc and checks its signature with issuer_pk (NULL: the
 * certificate's own key, for a self-signed root). Returns 0, JF_ECORRUPT or JF_EBADSIG;
 * *out is freed with jiefen__certificate__free_unpacked(). */
int cert_open(const Jiefen__SignedCert *sc, const uint8_t *issuer_pk,
              Jiefen__Certificate **out);

/* Checks that leaf is issued by chain[0], chain[i] by chain[i+1], the last is a
 * self-signed root, tiers strictly rise, and ids do not repeat. Returns 0 or JF_EINVAL
 * with the reason in err. */
int cert_chain_check(const Jiefen__SignedCert *leaf, Jiefen__SignedCert *const *chain,
                     size_t n, char *err, size_t errlen);

/* Fills and signs an enrolment request for `id`. Returns packed bytes (malloc'd). */
uint8_t *cert_request_make(const crypto_identity *id, const char *node_id, const char *name,
                           int tier, int64_t now_ms, size_t *len);

/* Decodes and checks a request's self-signature. 0 or JF_ECORRUPT/JF_EBADSIG. */
int cert_request_open(const uint8_t *buf, size_t len, Jiefen__EnrolRequest **out);

/* Text armour for files operators carry between machines: "JIEFEN <KIND>\n<base64>\n".
 * cert_armor returns a malloc'd string; cert_dearmor decodes into a malloc'd buffer and
 * fails (JF_EINVAL, reason in err) on a different kind or bad base64. */
char *cert_armor(const char *kind, const uint8_t *buf, size_t len);
int cert_dearmor(const char *kind, const char *text, uint8_t **out, size_t *len, char *err,
                 size_t errlen);

#endif
