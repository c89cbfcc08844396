/* crypto (common/crypto.h): identities and their key files, Ed25519, BLAKE2b, the at-rest
 * AEAD bound to its record, CURVE keys derived from the node key, hex, tokens and
 * passwords; and the refusals of tampered or wrong input. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sodium.h>
#include <sys/stat.h>

#include "error.h"
#include "testutil.h"

static void path_in(char *buf, size_t len, const char *name)
{
    snprintf(buf, len, "%s/%s", test_dir, name);
}

static void print_hex(const char *what, const uint8_t *b, size_t n)
{
    char hex[2 * 64 + 1];
    crypto_hex(b, n < 64 ? n : 64, hex);
    printf("  %s: %s\n", what, hex);
}

static void test_identity_file_round_trip(void **state)
{
    (void)state;
    char path[4200];
    crypto_identity *a = NULL, *b = NULL, *c = NULL;
    struct stat sb;
    path_in(path, sizeof path, "node.key");
    assert_int_equal(crypto_identity_create(path, &a), 0);
    assert_int_equal(stat(path, &sb), 0);
    printf("  key file mode %o, %lld bytes\n", (unsigned)(sb.st_mode & 0777),
           (long long)sb.st_size);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sb.st_size, 65); /* 64 hex digits and a newline */
    /* Never overwrites an existing key. */
    assert_int_equal(crypto_identity_create(path, &c), -EEXIST);
    assert_null(c);
    /* Loading gives the same key, and the same at-rest key (what one seals the other opens). */
    assert_int_equal(crypto_identity_load(path, &b), 0);
    assert_memory_equal(crypto_identity_pk(a), crypto_identity_pk(b), CRYPTO_PK_LEN);
    uint8_t ad[] = "record", sealed[5 + CRYPTO_SEAL_OVERHEAD], plain[5];
    crypto_seal(a, (const uint8_t *)"hello", 5, ad, sizeof ad, sealed);
    assert_int_equal(crypto_unseal(b, sealed, sizeof sealed, ad, sizeof ad, plain), 0);
    assert_memory_equal(plain, "hello", 5);
    crypto_identity_free(&a);
    crypto_identity_free(&b);
    assert_null(a);
    crypto_identity_free(&a); /* NULL is fine */
    crypto_identity_free(NULL);
}

static void test_identity_load_refusals(void **state)
{
    (void)state;
    char path[4200];
    crypto_identity *id = NULL;
    path_in(path, sizeof path, "missing.key");
    assert_int_equal(crypto_identity_load(path, &id), -ENOENT);

    /* A key others can read is refused. */
    path_in(path, sizeof path, "open.key");
    assert_int_equal(crypto_identity_create(path, &id), 0);
    crypto_identity_free(&id);
    assert_int_equal(chmod(path, 0644), 0);
    assert_int_equal(crypto_identity_load(path, &id), -EPERM);
    assert_int_equal(chmod(path, 0640), 0);
    assert_int_equal(crypto_identity_load(path, &id), -EPERM);
    assert_null(id);

    /* Not hex, or too short. */
    const char *bad[] = {"zz" "00000000000000000000000000000000000000000000000000000000000000\n",
                         "abcdef\n", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char name[32];
        snprintf(name, sizeof name, "bad%zu.key", i);
        path_in(path, sizeof path, name);
        FILE *fp = fopen(path, "w");
        fputs(bad[i], fp);
        fclose(fp);
        assert_int_equal(chmod(path, 0600), 0);
        int rc = crypto_identity_load(path, &id);
        printf("  load of %s: %d\n", name, rc);
        assert_int_equal(rc, JF_ECORRUPT);
        assert_null(id);
    }
}

static void test_sign_and_verify(void **state)
{
    (void)state;
    crypto_identity *a = test_identity(test_dir, "a"), *b = test_identity(test_dir, "b");
    const uint8_t msg[] = "一窗受理";
    uint8_t sig[CRYPTO_SIG_LEN], sig2[CRYPTO_SIG_LEN];
    crypto_ed25519_sign(a, msg, sizeof msg, sig);
    print_hex("signature", sig, sizeof sig);
    assert_int_equal(crypto_ed25519_verify(crypto_identity_pk(a), msg, sizeof msg, sig), 0);
    /* Ed25519 is deterministic. */
    crypto_ed25519_sign(a, msg, sizeof msg, sig2);
    assert_memory_equal(sig, sig2, sizeof sig);
    /* Another key, another message, a flipped bit anywhere: refused. */
    assert_int_equal(crypto_ed25519_verify(crypto_identity_pk(b), msg, sizeof msg, sig),
                     JF_EBADSIG);
    assert_int_equal(crypto_ed25519_verify(crypto_identity_pk(a), msg, sizeof msg - 1, sig),
                     JF_EBADSIG);
    uint8_t other[sizeof msg];
    memcpy(other, msg, sizeof msg);
    other[0] ^= 1;
    assert_int_equal(crypto_ed25519_verify(crypto_identity_pk(a), other, sizeof other, sig),
                     JF_EBADSIG);
    for (size_t i = 0; i < sizeof sig; i += 7) {
        memcpy(sig2, sig, sizeof sig);
        sig2[i] ^= 0x10;
        assert_int_equal(crypto_ed25519_verify(crypto_identity_pk(a), msg, sizeof msg, sig2),
                         JF_EBADSIG);
    }
    /* Two identities are two keys. */
    assert_memory_not_equal(crypto_identity_pk(a), crypto_identity_pk(b), CRYPTO_PK_LEN);
    crypto_identity_free(&a);
    crypto_identity_free(&b);
}

static void test_blake2b_known_answer(void **state)
{
    (void)state;
    uint8_t h[CRYPTO_HASH_LEN], expect[CRYPTO_HASH_LEN];
    /* BLAKE2b-256("abc") */
    assert_int_equal(crypto_unhex("bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319",
                                  expect, sizeof expect),
                     0);
    crypto_blake2b((const uint8_t *)"abc", 3, h);
    print_hex("blake2b-256(abc)", h, sizeof h);
    assert_memory_equal(h, expect, sizeof h);
    /* BLAKE2b-256("") */
    assert_int_equal(crypto_unhex("0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8",
                                  expect, sizeof expect),
                     0);
    crypto_blake2b((const uint8_t *)"", 0, h);
    assert_memory_equal(h, expect, sizeof h);
}

static void test_seal_binds_record(void **state)
{
    (void)state;
    crypto_identity *a = test_identity(test_dir, "a"), *b = test_identity(test_dir, "b");
    const uint8_t msg[] = "张三 11010519491231002X 13800138000";
    const uint8_t ad1[] = "v1\0\0\0\0\0\0\0\1", ad2[] = "v1\0\0\0\0\0\0\0\2";
    enum { N = sizeof msg, S = sizeof msg + CRYPTO_SEAL_OVERHEAD };
    uint8_t s1[S], s2[S], bad[S], plain[N];
    crypto_seal(a, msg, N, ad1, sizeof ad1, s1);
    crypto_seal(a, msg, N, ad1, sizeof ad1, s2);
    /* A random nonce: the same plaintext seals differently, and no plaintext shows. */
    assert_memory_not_equal(s1, s2, S);
    assert_null(memmem(s1, S, "11010519491231002X", 18));
    assert_int_equal(crypto_unseal(a, s1, S, ad1, sizeof ad1, plain), 0);
    assert_memory_equal(plain, msg, N);
    assert_int_equal(crypto_unseal(a, s2, S, ad1, sizeof ad1, plain), 0);
    /* Moved to another record (other associated data): refused. */
    int rc = crypto_unseal(a, s1, S, ad2, sizeof ad2, plain);
    printf("  unseal as another record: %d\n", rc);
    assert_int_equal(rc, JF_ECRYPTO);
    assert_int_equal(crypto_unseal(a, s1, S, NULL, 0, plain), JF_ECRYPTO);
    /* Another node's at-rest key: refused. */
    assert_int_equal(crypto_unseal(b, s1, S, ad1, sizeof ad1, plain), JF_ECRYPTO);
    /* Any flipped byte (nonce, ciphertext, tag): refused. */
    for (size_t i = 0; i < S; i++) {
        memcpy(bad, s1, S);
        bad[i] ^= 0x80;
        assert_int_equal(crypto_unseal(a, bad, S, ad1, sizeof ad1, plain), JF_ECRYPTO);
    }
    /* Truncated: refused, also below the overhead. */
    assert_int_equal(crypto_unseal(a, s1, S - 1, ad1, sizeof ad1, plain), JF_ECRYPTO);
    assert_int_equal(crypto_unseal(a, s1, CRYPTO_SEAL_OVERHEAD - 1, ad1, sizeof ad1, plain),
                     JF_ECRYPTO);
    /* The empty message seals too. */
    uint8_t e[CRYPTO_SEAL_OVERHEAD], none[1];
    crypto_seal(a, NULL, 0, ad1, sizeof ad1, e);
    assert_int_equal(crypto_unseal(a, e, sizeof e, ad1, sizeof ad1, none), 0);
    crypto_identity_free(&a);
    crypto_identity_free(&b);
}

static void test_curve_keys_from_node_key(void **state)
{
    (void)state;
    crypto_identity *a = test_identity(test_dir, "a"), *b = test_identity(test_dir, "b");
    uint8_t pk[32], sk[32], pk2[32], derived[32], bpk[32], bsk[32];
    crypto_curve_keys(a, pk, sk);
    /* The CURVE public key follows from the secret one, and from the Ed25519 public key
     * alone (what a parent knows of its child). */
    assert_int_equal(crypto_scalarmult_base(pk2, sk), 0);
    assert_memory_equal(pk, pk2, 32);
    assert_int_equal(crypto_curve_pk(crypto_identity_pk(a), derived), 0);
    assert_memory_equal(pk, derived, 32);
    /* The same pair every time; another node, another pair. */
    crypto_curve_keys(a, pk2, bsk);
    assert_memory_equal(pk, pk2, 32);
    crypto_curve_keys(b, bpk, bsk);
    assert_memory_not_equal(pk, bpk, 32);
    /* Both ends of an X25519 exchange agree (what CURVE relies on). */
    uint8_t s1[32], s2[32];
    assert_int_equal(crypto_scalarmult(s1, sk, bpk), 0);
    assert_int_equal(crypto_scalarmult(s2, bsk, pk), 0);
    assert_memory_equal(s1, s2, 32);
    /* Not a point on the curve: refused. */
    uint8_t junk[32];
    memset(junk, 0xff, sizeof junk);
    int rc = crypto_curve_pk(junk, derived);
    printf("  curve key of an invalid Ed25519 key: %d\n", rc);
    assert_int_equal(rc, JF_ECRYPTO);
    crypto_wipe(sk, sizeof sk);
    crypto_wipe(bsk, sizeof bsk);
    crypto_identity_free(&a);
    crypto_identity_free(&b);
}

static void test_hex(void **state)
{
    (void)state;
    const uint8_t bin[] = {0x00, 0x01, 0xab, 0xff};
    uint8_t out[4];
    char hex[9];
    crypto_hex(bin, sizeof bin, hex);
    assert_string_equal(hex, "0001abff");
    assert_int_equal(crypto_unhex("0001abff", out, sizeof out), 0);
    assert_memory_equal(out, bin, sizeof out);
    assert_int_equal(crypto_unhex("0001ABFF", out, sizeof out), 0);
    assert_memory_equal(out, bin, sizeof out);
    /* Exactly 2*len hex digits, nothing else. */
    assert_int_equal(crypto_unhex("0001abf", out, sizeof out), JF_EINVAL);
    assert_int_equal(crypto_unhex("0001abff00", out, sizeof out), JF_EINVAL);
    assert_int_equal(crypto_unhex("0001abfg", out, sizeof out), JF_EINVAL);
    assert_int_equal(crypto_unhex("00 1abff", out, sizeof out), JF_EINVAL);
    assert_int_equal(crypto_unhex("", out, sizeof out), JF_EINVAL);
}

static void test_token_file(void **state)
{
    (void)state;
    char path[4200], text[80] = "";
    struct stat sb;
    path_in(path, sizeof path, "token");
    assert_int_equal(crypto_token_create(path), 0);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    FILE *fp = fopen(path, "r");
    assert_non_null(fgets(text, sizeof text, fp));
    fclose(fp);
    printf("  token length %zu\n", strlen(text));
    assert_int_equal(strlen(text), 65);
    uint8_t raw[32];
    text[64] = 0;
    assert_int_equal(crypto_unhex(text, raw, sizeof raw), 0);
    assert_int_equal(crypto_token_create(path), -EEXIST);
}

static void test_random_and_wipe(void **state)
{
    (void)state;
    uint8_t a[32] = {0}, b[32] = {0}, zero[32] = {0};
    crypto_random(a, sizeof a);
    crypto_random(b, sizeof b);
    assert_memory_not_equal(a, b, sizeof a);
    assert_memory_not_equal(a, zero, sizeof a);
    crypto_wipe(a, sizeof a);
    assert_memory_equal(a, zero, sizeof a);
}

static void test_passwords(void **state)
{
    (void)state;
    char h1[CRYPTO_PWHASH_MAX], h2[CRYPTO_PWHASH_MAX];
    assert_int_equal(crypto_password_hash("correct horse 马", h1), 0);
    printf("  hash: %.30s...\n", h1);
    assert_non_null(strstr(h1, "$argon2id$"));
    assert_null(strstr(h1, "correct horse"));
    assert_int_equal(crypto_password_verify(h1, "correct horse 马"), 0);
    assert_int_equal(crypto_password_verify(h1, "correct horse"), JF_EBADSIG);
    assert_int_equal(crypto_password_verify(h1, ""), JF_EBADSIG);
    /* A salt per hash. */
    assert_int_equal(crypto_password_hash("correct horse 马", h2), 0);
    assert_string_not_equal(h1, h2);
    /* No user: never matches, not even the empty password. */
    assert_int_equal(crypto_password_verify("", ""), JF_EBADSIG);
    assert_int_equal(crypto_password_verify("", "anything"), JF_EBADSIG);
    /* A damaged hash string never matches. */
    h1[strlen(h1) - 2] ^= 1;
    assert_int_equal(crypto_password_verify(h1, "correct horse 马"), JF_EBADSIG);
}

static void test_str_equal(void **state)
{
    (void)state;
    assert_int_equal(crypto_str_equal("abc", "abc"), 0);
    assert_int_equal(crypto_str_equal("", ""), 0);
    assert_int_not_equal(crypto_str_equal("abc", "abd"), 0);
    assert_int_not_equal(crypto_str_equal("abc", "ab"), 0);
    assert_int_not_equal(crypto_str_equal("", "a"), 0);
}

/* The tree's recovery key: the private file, its parse, a box only it opens. */
static void test_recovery_key(void **state)
{
    (void)state;
    char path[4200], text[100] = "";
    uint8_t pk[32], pk2[32], sk[32], box[5 + CRYPTO_RECOVERY_OVERHEAD], out[5];
    struct stat sb;
    path_in(path, sizeof path, "recovery.key");
    assert_int_equal(crypto_recovery_create(path, pk), 0);
    assert_int_equal(crypto_recovery_create(path, pk2), -EEXIST);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    FILE *fp = fopen(path, "r");
    assert_non_null(fgets(text, sizeof text, fp));
    fclose(fp);
    assert_int_equal(crypto_recovery_parse(text, pk2, sk), 0);
    assert_memory_equal(pk, pk2, 32);
    assert_int_equal(crypto_recovery_box(pk, (const uint8_t *)"甄", 3, box), 0);
    assert_int_equal(crypto_recovery_open(pk, sk, box, 3 + CRYPTO_RECOVERY_OVERHEAD, out), 0);
    assert_memory_equal(out, "甄", 3);
    box[10] ^= 1;
    assert_int_equal(crypto_recovery_open(pk, sk, box, 3 + CRYPTO_RECOVERY_OVERHEAD, out),
                     JF_ECRYPTO);
    assert_int_equal(crypto_recovery_open(pk, sk, box, 10, out), JF_ECRYPTO);
    assert_int_equal(crypto_recovery_parse("zz", pk2, sk), JF_EINVAL);
    text[10] = 0;
    assert_int_equal(crypto_recovery_parse(text, pk2, sk), JF_EINVAL);
    crypto_wipe(sk, sizeof sk);
}

int main(void)
{
    if (crypto_init())
        return 1;
#define T(name) cmocka_unit_test_setup_teardown(name, test_dir_setup, test_dir_teardown)
    const struct CMUnitTest tests[] = {
        T(test_identity_file_round_trip),
        T(test_identity_load_refusals),
        T(test_sign_and_verify),
        cmocka_unit_test(test_blake2b_known_answer),
        T(test_seal_binds_record),
        T(test_curve_keys_from_node_key),
        cmocka_unit_test(test_hex),
        T(test_token_file),
        T(test_recovery_key),
        cmocka_unit_test(test_random_and_wipe),
        cmocka_unit_test(test_passwords),
        cmocka_unit_test(test_str_equal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
