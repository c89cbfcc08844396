/* Receipts (common/receipt.h): a receipt made by a village under a township under a root
 * checks against that root; each kind of tamper is refused with its own reason. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cert.h"
#include "receipt.h"
#include "testutil.h"

#include <errno.h>
#include <sodium.h>

static char dir[4096];
static crypto_identity *root_id, *town_id, *village_id, *other_id;
static Jiefen__SignedCert root_sc, town_sc, village_sc, other_sc;
static uint8_t *root_buf, *town_buf, *village_buf, *other_buf;
static size_t root_len, town_len, village_len, other_len;
static const uint8_t HASH[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

static crypto_identity *make(const char *name)
{
    char path[4200];
    crypto_identity *id = NULL;
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    assert_int_equal(crypto_identity_create(path, &id), 0);
    return id;
}

static uint8_t *issue(const crypto_identity *issuer, const char *issuer_id,
                      const crypto_identity *subject, const char *id, const char *name,
                      int tier, Jiefen__SignedCert *out, size_t *len)
{
    Jiefen__Certificate c = JIEFEN__CERTIFICATE__INIT;
    c.node_id = (char *)id;
    c.name = (char *)name;
    c.tier = tier;
    c.public_key.data = (uint8_t *)crypto_identity_pk(subject);
    c.public_key.len = 32;
    c.issuer = (char *)issuer_id;
    assert_int_equal(cert_sign(issuer, &c, out), 0);
    *len = jiefen__signed_cert__get_packed_size(out);
    uint8_t *buf = malloc(*len);
    jiefen__signed_cert__pack(out, buf);
    return buf;
}

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir);
    root_id = make("root");
    town_id = make("town");
    village_id = make("village");
    other_id = make("other");
    root_buf = issue(root_id, "c1", root_id, "c1", "贺兰县", 3, &root_sc, &root_len);
    town_buf = issue(root_id, "c1", town_id, "t1", "镇1", 2, &town_sc, &town_len);
    village_buf = issue(town_id, "t1", village_id, "v1", "东村", 1, &village_sc, &village_len);
    other_buf = issue(other_id, "c9", other_id, "c9", "别县", 3, &other_sc, &other_len);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    cert_signed_clear(&root_sc), cert_signed_clear(&town_sc);
    cert_signed_clear(&village_sc), cert_signed_clear(&other_sc);
    free(root_buf), free(town_buf), free(village_buf), free(other_buf);
    crypto_identity_free(&root_id), crypto_identity_free(&town_id);
    crypto_identity_free(&village_id), crypto_identity_free(&other_id);
    test_rmtree(dir);
    return 0;
}

static void sign(const uint8_t *msg, size_t len, uint8_t sig[64], void *arg)
{
    crypto_ed25519_sign(arg, msg, len, sig);
}

/* The village's receipt, with its own and the township's certificates. */
static char *village_receipt(const crypto_identity *signer)
{
    const uint8_t *chain[] = {village_buf, town_buf};
    size_t lens[] = {village_len, town_len};
    char *text = NULL;
    assert_int_equal(receipt_make("receipt", "v1-2026-000001", HASH, "v1", 1765000000000,
                                  chain, lens, 2, sign, (void *)signer, &text),
                     0);
    return text;
}

static void test_valid(void **state)
{
    (void)state;
    struct receipt_info info;
    char *text = village_receipt(village_id);
    printf("receipt: %zu characters\n", strlen(text));
    assert_true(strncmp(text, RECEIPT_PREFIX, 5) == 0);
    assert_int_equal(receipt_verify(text, root_buf, root_len, &info), RECEIPT_OK);
    assert_string_equal(info.case_id, "v1-2026-000001");
    assert_string_equal(info.kind, "receipt");
    assert_string_equal(info.node_id, "v1");
    assert_string_equal(info.node_name, "东村");
    assert_string_equal(info.event_hash, "0102030405060708090a0000000000000000000000000000000000000000"
                                         "0000");
    assert_int_equal(info.time_ms, 1765000000000);
    free(text);
}

static void test_root_signs_itself(void **state)
{
    (void)state;
    struct receipt_info info;
    char *text = NULL;
    assert_int_equal(receipt_make("agreement", "c1-2026-000009", HASH, "c1", 1, NULL, NULL, 0,
                                  sign, root_id, &text),
                     0);
    assert_int_equal(receipt_verify(text, root_buf, root_len, &info), RECEIPT_OK);
    assert_string_equal(info.kind, "agreement");
    free(text);
}

/* Every single changed character of the base64 part is refused, never accepted. */
static void test_every_changed_character(void **state)
{
    (void)state;
    struct receipt_info info;
    char *text = village_receipt(village_id);
    size_t n = strlen(text), refused[6] = {0};
    for (size_t i = 5; i < n; i++) {
        char was = text[i];
        text[i] = was == 'A' ? 'B' : 'A';
        int rc = receipt_verify(text, root_buf, root_len, &info);
        assert_int_not_equal(rc, RECEIPT_OK);
        refused[-rc]++;
        text[i] = was;
    }
    printf("refused: malformed %zu, unknown node %zu, not root %zu, bad signature %zu\n",
           refused[1], refused[2], refused[3], refused[4]);
    assert_true(refused[-RECEIPT_BAD_SIGNATURE] > 0);
    free(text);
}

static char *remake(Jiefen__FormsReceipt *r)
{
    size_t len = jiefen__forms_receipt__get_packed_size(r);
    uint8_t *buf = malloc(len);
    jiefen__forms_receipt__pack(r, buf);
    size_t tlen = 5 + sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *text = malloc(tlen);
    memcpy(text, RECEIPT_PREFIX, 5);
    sodium_bin2base64(text + 5, tlen - 5, buf, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    free(buf);
    return text;
}

static Jiefen__FormsReceipt *open_text(const char *text)
{
    uint8_t bin[4096];
    size_t len;
    assert_int_equal(sodium_base642bin(bin, sizeof bin, text + 5, strlen(text + 5), NULL, &len,
                                       NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                     0);
    return jiefen__forms_receipt__unpack(NULL, len, bin);
}

static void test_each_tamper_named(void **state)
{
    (void)state;
    struct receipt_info info;
    char *good = village_receipt(village_id), *bad;
    Jiefen__FormsReceipt *r = open_text(good);

    /* Another case number under the same signature. */
    char *was = r->case_id;
    r->case_id = "v1-2026-000002";
    bad = remake(r);
    assert_int_equal(receipt_verify(bad, root_buf, root_len, &info), RECEIPT_BAD_SIGNATURE);
    assert_string_equal(receipt_fault_code(RECEIPT_BAD_SIGNATURE), "bad_signature");
    free(bad);
    r->case_id = was;

    /* Claimed by another node than the certificate's. */
    was = r->node_id;
    r->node_id = "v2";
    bad = remake(r);
    assert_int_equal(receipt_verify(bad, root_buf, root_len, &info), RECEIPT_UNKNOWN_NODE);
    free(bad);
    r->node_id = was;

    /* No certificates: only the root may sign without them. */
    size_t n = r->n_chain;
    r->n_chain = 0;
    bad = remake(r);
    assert_int_equal(receipt_verify(bad, root_buf, root_len, &info), RECEIPT_UNKNOWN_NODE);
    free(bad);
    r->n_chain = n;

    /* The township's certificate left out: the chain no longer reaches the root. */
    r->n_chain = 1;
    bad = remake(r);
    assert_int_equal(receipt_verify(bad, root_buf, root_len, &info), RECEIPT_NOT_ROOT);
    free(bad);
    r->n_chain = n;

    /* Good text, another tree's root. */
    assert_int_equal(receipt_verify(good, other_buf, other_len, &info), RECEIPT_NOT_ROOT);
    /* Not a root certificate at all. */
    assert_int_equal(receipt_verify(good, town_buf, town_len, &info), RECEIPT_BAD_ROOT);
    jiefen__forms_receipt__free_unpacked(r, NULL);
    free(good);

    /* Signed by a key that is not the certified one (a forger). */
    bad = village_receipt(other_id);
    assert_int_equal(receipt_verify(bad, root_buf, root_len, &info), RECEIPT_BAD_SIGNATURE);
    free(bad);
}

static void test_malformed(void **state)
{
    (void)state;
    struct receipt_info info;
    const char *texts[] = {"", "hello", "JFR1.", "JFR1.!!!!", "JFR2.AAAA", "JFR1.AAAA AAAA"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        assert_int_equal(receipt_verify(texts[i], root_buf, root_len, &info), RECEIPT_MALFORMED);
    assert_string_equal(receipt_fault_code(RECEIPT_MALFORMED), "malformed");
    /* Surrounding blanks (a pasted line) are accepted. */
    char *text = village_receipt(village_id), line[4096];
    snprintf(line, sizeof line, "  %s\n", text);
    assert_int_equal(receipt_verify(line, root_buf, root_len, &info), RECEIPT_OK);
    free(text);
    /* Bad arguments to make. */
    char *out = NULL;
    assert_int_equal(receipt_make("bill", "x", HASH, "v1", 0, NULL, NULL, 0, sign, village_id,
                                  &out),
                     -EINVAL);
    assert_int_equal(receipt_make("receipt", "has space", HASH, "v1", 0, NULL, NULL, 0, sign,
                                  village_id, &out),
                     -EINVAL);
    assert_null(out);
}

static void test_root_file(void **state)
{
    (void)state;
    char *armour = cert_armor("ROOT-CERT", root_buf, root_len);
    uint8_t *buf = NULL;
    size_t len = 0;
    assert_int_equal(receipt_root_read(armour, &buf, &len), 0);
    assert_int_equal(len, root_len);
    assert_memory_equal(buf, root_buf, len);
    free(buf);
    free(armour);
    armour = cert_armor("ENROL-BUNDLE", root_buf, root_len);
    assert_int_equal(receipt_root_read(armour, &buf, &len), RECEIPT_BAD_ROOT);
    free(armour);
}

int main(void)
{
    if (crypto_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_root_signs_itself),
        cmocka_unit_test(test_every_changed_character),
        cmocka_unit_test(test_each_tamper_named),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_root_file),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
