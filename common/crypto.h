/*
 * crypto — the node's identity and the primitives every module uses, all libsodium:
 * Ed25519 signatures, BLAKE2b-256 hashes, XChaCha20-Poly1305 for personal data at rest,
 * argon2id for the staff's passwords.
 * Secret material lives in a `crypto_identity`, wiped by crypto_identity_free().
 */
#ifndef JIEFEN_CRYPTO_H
#define JIEFEN_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define CRYPTO_HASH_LEN 32
#define CRYPTO_PK_LEN 32
#define CRYPTO_SIG_LEN 64
#define CRYPTO_SEAL_OVERHEAD (24 + 16) /* nonce + tag */
#define CRYPTO_PWHASH_MAX 128           /* a password hash string with its NUL */

typedef struct crypto_identity crypto_identity;

/* Must be called once before anything else. Returns 0 or JF_ECRYPTO. */
int crypto_init(void);

/* Creates a new identity and writes its seed to `path` (hex, mode 0600, O_EXCL).
 * Returns 0, -EEXIST, or another negative errno. *out is the caller's. */
int crypto_identity_create(const char *path, crypto_identity **out);

/* Loads the identity from `path`. Refuses a key file readable by group or others
 * (-EPERM). Returns 0, a negative errno, or JF_ECORRUPT. */
int crypto_identity_load(const char *path, crypto_identity **out);

/* Wipes and frees; accepts NULL and clears the caller's pointer. */
void crypto_identity_free(crypto_identity **id);

const uint8_t *crypto_identity_pk(const crypto_identity *id);

/* The node's CURVE (X25519) key pair for ZeroMQ, derived from its Ed25519 key, so one
 * key identifies a node on the wire and in the log. */
void crypto_curve_keys(const crypto_identity *id, uint8_t pk[32], uint8_t sk[32]);

/* The CURVE public key of another node from its Ed25519 key. 0 or JF_ECRYPTO. */
int crypto_curve_pk(const uint8_t ed_pk[32], uint8_t out[32]);

/* Ed25519 signature of msg into sig (CRYPTO_SIG_LEN bytes). */
void crypto_ed25519_sign(const crypto_identity *id, const uint8_t *msg, size_t len, uint8_t *sig);

/* 0 if sig is pk's signature of msg, else JF_EBADSIG. */
int crypto_ed25519_verify(const uint8_t *pk, const uint8_t *msg, size_t len, const uint8_t *sig);

void crypto_blake2b(const uint8_t *msg, size_t len, uint8_t out[CRYPTO_HASH_LEN]);

/* Encrypts with the identity's at-rest key; `ad` binds the ciphertext to its record.
 * out must hold len + CRYPTO_SEAL_OVERHEAD bytes. */
void crypto_seal(const crypto_identity *id, const uint8_t *msg, size_t len,
                 const uint8_t *ad, size_t adlen, uint8_t *out);

/* Inverse of crypto_seal; out holds len - CRYPTO_SEAL_OVERHEAD bytes. 0 or JF_ECRYPTO. */
int crypto_unseal(const crypto_identity *id, const uint8_t *in, size_t len,
                  const uint8_t *ad, size_t adlen, uint8_t *out);

/* The tree's recovery key (docs/operations.md, "Rebuilding a lost node"): an X25519 key
 * pair whose private half the county keeps offline. Every sealed part a node writes is
 * also boxed to its public half (crypto_box_seal: only the private half opens it). */
#define CRYPTO_RECOVERY_OVERHEAD 48 /* crypto_box_SEALBYTES */

/* Makes a new recovery key pair: the private half written to `path` (hex, mode 0600,
 * O_EXCL), the public half into pk. 0 or a negative errno (-EEXIST). */
int crypto_recovery_create(const char *path, uint8_t pk[32]);

/* The private half from the text of its file (hex, surrounding white space ignored) and
 * the public half derived from it. 0 or JF_EINVAL. The caller wipes sk. */
int crypto_recovery_parse(const char *text, uint8_t pk[32], uint8_t sk[32]);

/* Boxes msg to the recovery public key: out holds len + CRYPTO_RECOVERY_OVERHEAD bytes.
 * 0 or JF_ECRYPTO (pk is no valid key). */
int crypto_recovery_box(const uint8_t pk[32], const uint8_t *msg, size_t len, uint8_t *out);

/* Opens a box: out holds len - CRYPTO_RECOVERY_OVERHEAD bytes. 0 or JF_ECRYPTO. */
int crypto_recovery_open(const uint8_t pk[32], const uint8_t sk[32], const uint8_t *in,
                         size_t len, uint8_t *out);

/* Fills buf with n random bytes. */
void crypto_random(void *buf, size_t n);

/* Overwrites n bytes of secret data before they are freed. */
void crypto_wipe(void *buf, size_t n);

/* Lower-case hex of bin into out (2*len+1 bytes). */
void crypto_hex(const uint8_t *bin, size_t len, char *out);

/* Writes a new random token (64 hex chars) to path with mode 0600, O_EXCL. */
int crypto_token_create(const char *path);

/* Decodes exactly 2*len hex digits into out. 0, or JF_EINVAL for anything else. */
int crypto_unhex(const char *hex, uint8_t *out, size_t len);

/* The argon2id hash string (crypto_pwhash_str: salt and parameters inside) of a password,
 * into out (CRYPTO_PWHASH_MAX bytes). Slow on purpose (about 0.1 s and 64 MiB): call it off
 * the event loop. 0, or -ENOMEM. */
int crypto_password_hash(const char *password, char out[CRYPTO_PWHASH_MAX]);

/* 0 if password matches the hash string, else JF_EBADSIG. A hash of "" (no such user)
 * never matches but costs as much time, so a wrong user name is not told apart from a
 * wrong password by how long the answer takes. Slow: off the event loop. */
int crypto_password_verify(const char *hash, const char *password);

/* Constant-time comparison of two NUL-terminated strings. 0 if equal. */
int crypto_str_equal(const char *a, const char *b);

#endif
