#include "crypto.h"
#include "error.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct crypto_identity {
    uint8_t sk[crypto_sign_SECRETKEYBYTES];
    uint8_t pk[crypto_sign_PUBLICKEYBYTES];
    uint8_t seal_key[crypto_aead_xchacha20poly1305_ietf_KEYBYTES];
};

#define SEED_HEX_LEN (crypto_sign_SEEDBYTES * 2)

int crypto_init(void)
{
    return sodium_init() < 0 ? JF_ECRYPTO : 0;
}

/* The at-rest key is derived from the identity seed so a node has one secret to guard;
 * it protects personal data in copies of the store file made without the key file. */
static crypto_identity *identity_from_seed(const uint8_t *seed)
{
    crypto_identity *id = sodium_malloc(sizeof *id);
    if (!id)
        return NULL;
    crypto_sign_seed_keypair(id->pk, id->sk, seed);
    static const char ctx[] = "jiefen seal-at-rest v1";
    crypto_generichash(id->seal_key, sizeof id->seal_key, (const uint8_t *)ctx,
                       sizeof ctx - 1, seed, crypto_sign_SEEDBYTES);
    return id;
}

static int write_secret_file(const char *path, const char *text, size_t len)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return -errno;
    ssize_t n = write(fd, text, len);
    int rc = (n == (ssize_t)len) ? 0 : (n < 0 ? -errno : -EIO);
    if (rc == 0 && fsync(fd) < 0)
        rc = -errno;
    close(fd);
    if (rc != 0)
        unlink(path);
    return rc;
}

int crypto_identity_create(const char *path, crypto_identity **out)
{
    uint8_t seed[crypto_sign_SEEDBYTES];
    char hex[SEED_HEX_LEN + 2];
    randombytes_buf(seed, sizeof seed);
    sodium_bin2hex(hex, sizeof hex, seed, sizeof seed);
    strcat(hex, "\n");
    int rc = write_secret_file(path, hex, SEED_HEX_LEN + 1);
    if (rc == 0) {
        *out = identity_from_seed(seed);
        if (!*out)
            rc = -ENOMEM;
    }
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

int crypto_identity_load(const char *path, crypto_identity **out)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || (st.st_mode & 077)) {
        close(fd);
        return -EPERM;
    }
    char hex[SEED_HEX_LEN + 8] = {0};
    ssize_t n = read(fd, hex, sizeof hex - 1);
    close(fd);
    uint8_t seed[crypto_sign_SEEDBYTES];
    size_t bin_len = 0;
    int rc = JF_ECORRUPT;
    if (n >= SEED_HEX_LEN &&
        sodium_hex2bin(seed, sizeof seed, hex, (size_t)n, "\n", &bin_len, NULL) == 0 &&
        bin_len == sizeof seed) {
        *out = identity_from_seed(seed);
        rc = *out ? 0 : -ENOMEM;
    }
    sodium_memzero(seed, sizeof seed);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

void crypto_identity_free(crypto_identity **id)
{
    if (!id || !*id)
        return;
    sodium_free(*id); /* sodium_free wipes before releasing */
    *id = NULL;
}

const uint8_t *crypto_identity_pk(const crypto_identity *id)
{
    return id->pk;
}

void crypto_curve_keys(const crypto_identity *id, uint8_t pk[32], uint8_t sk[32])
{
    /* Our own key came from crypto_sign_seed_keypair: it always converts. */
    if (crypto_sign_ed25519_pk_to_curve25519(pk, id->pk) != 0)
        memset(pk, 0, 32);
    crypto_sign_ed25519_sk_to_curve25519(sk, id->sk);
}

int crypto_curve_pk(const uint8_t ed_pk[32], uint8_t out[32])
{
    return crypto_sign_ed25519_pk_to_curve25519(out, ed_pk) == 0 ? 0 : JF_ECRYPTO;
}

void crypto_ed25519_sign(const crypto_identity *id, const uint8_t *msg, size_t len, uint8_t *sig)
{
    crypto_sign_detached(sig, NULL, msg, len, id->sk);
}

int crypto_ed25519_verify(const uint8_t *pk, const uint8_t *msg, size_t len, const uint8_t *sig)
{
    return crypto_sign_verify_detached(sig, msg, len, pk) == 0 ? 0 : JF_EBADSIG;
}

void crypto_blake2b(const uint8_t *msg, size_t len, uint8_t out[CRYPTO_HASH_LEN])
{
    crypto_generichash(out, CRYPTO_HASH_LEN, msg, len, NULL, 0);
}

void crypto_seal(const crypto_identity *id, const uint8_t *msg, size_t len,
                 const uint8_t *ad, size_t adlen, uint8_t *out)
{
    uint8_t *nonce = out;
    randombytes_buf(nonce, crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        out + crypto_aead_xchacha20poly1305_ietf_NPUBBYTES, NULL, msg, len, ad, adlen, NULL,
        nonce, id->seal_key);
}

int crypto_unseal(const crypto_identity *id, const uint8_t *in, size_t len,
                  const uint8_t *ad, size_t adlen, uint8_t *out)
{
    if (len < CRYPTO_SEAL_OVERHEAD)
        return JF_ECRYPTO;
    const size_t nlen = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
    int rc = crypto_aead_xchacha20poly1305_ietf_decrypt(out, NULL, NULL, in + nlen, len - nlen,
                                                        ad, adlen, in, id->seal_key);
    return rc == 0 ? 0 : JF_ECRYPTO;
}

int crypto_recovery_create(const char *path, uint8_t pk[32])
{
    uint8_t sk[crypto_box_SECRETKEYBYTES];
    char hex[sizeof sk * 2 + 2];
    crypto_box_keypair(pk, sk);
    sodium_bin2hex(hex, sizeof hex, sk, sizeof sk);
    strcat(hex, "\n");
    int rc = write_secret_file(path, hex, strlen(hex));
    sodium_memzero(sk, sizeof sk);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

int crypto_recovery_parse(const char *text, uint8_t pk[32], uint8_t sk[32])
{
    size_t got = 0;
    const char *end = NULL;
    while (*text == ' ' || *text == '\n' || *text == '\r' || *text == '\t')
        text++;
    if (sodium_hex2bin(sk, 32, text, strlen(text), NULL, &got, &end) || got != 32 ||
        end[strspn(end, " \r\n\t")] || crypto_scalarmult_base(pk, sk))
        return JF_EINVAL;
    return 0;
}

int crypto_recovery_box(const uint8_t pk[32], const uint8_t *msg, size_t len, uint8_t *out)
{
    _Static_assert(CRYPTO_RECOVERY_OVERHEAD == crypto_box_SEALBYTES, "box overhead");
    return crypto_box_seal(out, msg, len, pk) ? JF_ECRYPTO : 0;
}

int crypto_recovery_open(const uint8_t pk[32], const uint8_t sk[32], const uint8_t *in,
                         size_t len, uint8_t *out)
{
    if (len < crypto_box_SEALBYTES)
        return JF_ECRYPTO;
    return crypto_box_seal_open(out, in, len, pk, sk) ? JF_ECRYPTO : 0;
}

void crypto_random(void *buf, size_t n)
{
    randombytes_buf(buf, n);
}

void crypto_wipe(void *buf, size_t n)
{
    sodium_memzero(buf, n);
}

void crypto_hex(const uint8_t *bin, size_t len, char *out)
{
    sodium_bin2hex(out, len * 2 + 1, bin, len);
}

int crypto_token_create(const char *path)
{
    uint8_t raw[32];
    char hex[sizeof raw * 2 + 2];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(hex, sizeof hex, raw, sizeof raw);
    strcat(hex, "\n");
    int rc = write_secret_file(path, hex, strlen(hex));
    sodium_memzero(raw, sizeof raw);
    sodium_memzero(hex, sizeof hex);
    return rc;
}

int crypto_unhex(const char *hex, uint8_t *out, size_t len)
{
    size_t got = 0;
    const char *end = NULL;
    if (strlen(hex) != len * 2 ||
        sodium_hex2bin(out, len, hex, len * 2, NULL, &got, &end) != 0 || got != len)
        return JF_EINVAL;
    return 0;
}

/* libsodium's "interactive" argon2id cost: 2 passes over 64 MiB, about 0.1 s on the
 * 2-core development machine. The daemon runs them on the thread pool, a few at once
 * (ACCOUNT_HASHES_MAX), so a modest village PC needs 128 MiB at the worst moment. */
#define PWHASH_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PWHASH_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

int crypto_password_hash(const char *password, char out[CRYPTO_PWHASH_MAX])
{
    _Static_assert(crypto_pwhash_STRBYTES <= CRYPTO_PWHASH_MAX, "hash buffer too small");
    return crypto_pwhash_str(out, password, strlen(password), PWHASH_OPS, PWHASH_MEM) ? -ENOMEM
                                                                                      : 0;
}

int crypto_password_verify(const char *hash, const char *password)
{
    if (!hash[0]) {
        char scratch[CRYPTO_PWHASH_MAX];
        return crypto_password_hash(password, scratch) ? -ENOMEM : JF_EBADSIG;
    }
    return crypto_pwhash_str_verify(hash, password, strlen(password)) ? JF_EBADSIG : 0;
}

int crypto_str_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la != lb)
        return -1;
    return sodium_memcmp(a, b, la) == 0 ? 0 : -1;
}
