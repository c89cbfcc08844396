/* Certificates: a chain to the root checks; every way of breaking it is named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cert.h"
#include "error.h"
#include "testutil.h"

static char dir[4096];
static crypto_identity *root_id, *town_id, *village_id;

static crypto_identity *make(const char *name)
{
    char path[4200];
    crypto_identity *id = NULL;
    snprintf(path, sizeof path, "%s/%s.key", dir, name);
    assert_int_equal(crypto_identity_create(path, &id), 0);
    return id;
}

static int setup(void **state)
{
    (void)state;
    test_tmpdir(dir, sizeof dir);
    root_id = make("root");
    town_id = make("town");
    village_id = make("village");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    crypto_identity_free(&root_id);
    crypto_identity_free(&town_id);
    crypto_identity_free(&village_id);
    test_rmtree(dir);
    return 0;
}

static void issue(const crypto_identity *issuer, const char *issuer_id,
                  const crypto_identity *subject, const char *id, int tier,
                  Jiefen__SignedCert *out)
{
    Jiefen__Certificate c = JIEFEN__CERTIFICATE__INIT;
    c.node_id = (char *)id;
    c.name = (char *)id;
    c.tier = tier;
    c.public_key.data = (uint8_t *)crypto_identity_pk(subject);
    c.public_key.len = 32;
    c.issuer = (char *)issuer_id;
    assert_int_equal(cert_sign(issuer, &c, out), 0);
}

static void test_chain(void **state)
{
    (void)state;
    Jiefen__SignedCert root, town, village, forged;
    char err[CERT_ERR_MAX] = "";
    issue(root_id, "c1", root_id, "c1", JIEFEN__TIER__TIER_COUNTY, &root);
    issue(root_id, "c1", town_id, "t1", JIEFEN__TIER__TIER_TOWNSHIP, &town);
    issue(town_id, "t1", village_id, "v1", JIEFEN__TIER__TIER_VILLAGE, &village);
    Jiefen__SignedCert *chain[] = {&town, &root};
    assert_int_equal(cert_chain_check(&village, chain, 2, err, sizeof err), 0);

    /* Signed by the wrong key: the village signs its own certificate. */
    issue(village_id, "t1", village_id, "v1", JIEFEN__TIER__TIER_VILLAGE, &forged);
    assert_int_equal(cert_chain_check(&forged, chain, 2, err, sizeof err), JF_EINVAL);
    printf("  forged: %s\n", err);
    assert_non_null(strstr(err, "not signed by its issuer"));
    cert_signed_clear(&forged);

    /* A county under a township: tiers must rise towards the root. */
    issue(town_id, "t1", village_id, "v1", JIEFEN__TIER__TIER_COUNTY, &forged);
    assert_int_equal(cert_chain_check(&forged, chain, 2, err, sizeof err), JF_EINVAL);
    printf("  tier: %s\n", err);
    assert_non_null(strstr(err, "does not fit"));
    cert_signed_clear(&forged);

    /* A chain that stops short of a self-signed root. */
    Jiefen__SignedCert *short_chain[] = {&town};
    assert_int_equal(cert_chain_check(&village, short_chain, 1, err, sizeof err), JF_EINVAL);
    printf("  short: %s\n", err);
    cert_signed_clear(&root);
    cert_signed_clear(&town);
    cert_signed_clear(&village);
}

static void test_request_and_armor(void **state)
{
    (void)state;
    size_t len, blen;
    uint8_t *req = cert_request_make(village_id, "v1", "东村", JIEFEN__TIER__TIER_VILLAGE, 1, &len);
    assert_non_null(req);
    Jiefen__EnrolRequest *r = NULL;
    assert_int_equal(cert_request_open(req, len, &r), 0);
    assert_string_equal(r->name, "东村");
    jiefen__enrol_request__free_unpacked(r, NULL);
    char *text = cert_armor("ENROL-REQUEST", req, len), err[128];
    uint8_t *back;
    assert_int_equal(cert_dearmor("ENROL-REQUEST", text, &back, &blen, err, sizeof err), 0);
    assert_memory_equal(back, req, len);
    free(back);
    assert_int_equal(cert_dearmor("ENROL-BUNDLE", text, &back, &blen, err, sizeof err),
                     JF_EINVAL);
    printf("  wrong kind: %s\n", err);
    assert_non_null(strstr(err, "it is a ENROL-REQUEST"));
    req[len / 2] ^= 1; /* any change breaks the self-signature */
    assert_int_not_equal(cert_request_open(req, len, &r), 0);
    free(text);
    free(req);
}

int main(void)
{
    crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_request_and_armor, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
