/* The offline check of a case archive (common/archcheck.h): an archive signed by a village
 * under a township under a root checks against that root; a changed document, an extra
 * member, a manifest not signed by the node, an event changed after signing, another
 * tree's root and a file that is no archive are each refused, naming the member. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "archcheck.h"
#include "cert.h"
#include "envelope.h"
#include "testutil.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>

static char dir[4096], path[4200];
static crypto_identity *root_id, *town_id, *village_id, *other_id;
static Jiefen__SignedCert root_sc, town_sc, village_sc, other_sc;
static uint8_t *root_buf, *town_buf, *village_buf, *other_buf;
static size_t root_len, town_len, village_len, other_len;

enum { PLAIN, CHANGED_DOC = 1, EXTRA = 2, BAD_SIG = 4, CHANGED_EVENT = 8 };

static crypto_identity *make(const char *name)
{
    char p[4200];
    crypto_identity *id = NULL;
    snprintf(p, sizeof p, "%s/%s.key", dir, name);
    assert_int_equal(crypto_identity_create(p, &id), 0);
    return id;
}

static uint8_t *issue(const crypto_identity *issuer, const char *issuer_id,
                      const crypto_identity *subject, const char *id, int tier,
                      Jiefen__SignedCert *out, size_t *len)
{
    Jiefen__Certificate c = JIEFEN__CERTIFICATE__INIT;
    c.node_id = (char *)id;
    c.name = (char *)id;
    c.tier = tier;
    c.public_key = (ProtobufCBinaryData){32, (uint8_t *)crypto_identity_pk(subject)};
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
    assert_int_equal(crypto_init(), 0);
    test_tmpdir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/case.tar", dir);
    root_id = make("root"), town_id = make("town"), village_id = make("village");
    other_id = make("other");
    root_buf = issue(root_id, "c1", root_id, "c1", 3, &root_sc, &root_len);
    town_buf = issue(root_id, "c1", town_id, "t1", 2, &town_sc, &town_len);
    village_buf = issue(town_id, "t1", village_id, "v1", 1, &village_sc, &village_len);
    other_buf = issue(other_id, "c9", other_id, "c9", 3, &other_sc, &other_len);
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

struct tarw {
    struct archive *a;
    char manifest[4096];
    size_t mlen;
};

static void put(struct tarw *t, const char *name, const void *data, size_t len, int listed,
                const void *as_listed)
{
    struct archive_entry *e = archive_entry_new();
    struct archcheck_sha *s = archcheck_sha_new();
    char sha[65];
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
    assert_int_equal(archive_write_data(t->a, data, len), (la_ssize_t)len);
    archive_entry_free(e);
    archcheck_sha_update(s, as_listed ? as_listed : data, len);
    archcheck_sha_final(s, sha);
    if (listed)
        t->mlen += (size_t)snprintf(t->manifest + t->mlen, sizeof t->manifest - t->mlen,
                                    "member %s %zu %s\n", sha, len, name);
}

/* An archive of case v1-1 made by the village: a document, one event, its certificates. */
static void build(int how)
{
    struct tarw t = {.a = archive_write_new()};
    uint8_t *env = NULL, hash[32], sig[64], zero[32] = {0};
    size_t env_len = 0;
    char hex[129], pk[65];
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.origin = "v1", ev.seq = 1, ev.case_id = "v1-1", ev.time_ms = 1765000000000;
    ev.prev_hash = (ProtobufCBinaryData){32, zero};
    assert_int_equal(envelope_sign(village_id, &ev, &env, &env_len, hash), 0);
    archive_write_set_format_pax_restricted(t.a);
    assert_int_equal(archive_write_open_filename(t.a, path), ARCHIVE_OK);
    crypto_hex(crypto_identity_pk(village_id), 32, pk);
    t.mlen = (size_t)snprintf(t.manifest, sizeof t.manifest,
                              ARCHCHECK_MAGIC "\ncase v1-1\nnode v1\ntime 1\nkey v1 %s\n", pk);
    put(&t, "documents/01-a.pdf", (how & CHANGED_DOC) ? "%PDF-1.5" : "%PDF-1.4", 8, 1,
        (how & CHANGED_DOC) ? "%PDF-1.4" : NULL);
    uint8_t *listed = malloc(env_len);
    memcpy(listed, env, env_len);
    if (how & CHANGED_EVENT)   /* re-listed as changed: only the signature can tell */
        env[env_len - 80] ^= 1;   /* in its prev_hash */
    put(&t, "chain/events/0001-v1-1.env", env, env_len, 1, (how & CHANGED_EVENT) ? env : listed);
    put(&t, "chain/certs/0.cert", village_buf, village_len, 1, NULL);
    put(&t, "chain/certs/1.cert", town_buf, town_len, 1, NULL);
    if (how & EXTRA)
        put(&t, "documents/99-extra.pdf", "%PDF-1.4", 8, 0, NULL);
    crypto_ed25519_sign((how & BAD_SIG) ? town_id : village_id, (uint8_t *)t.manifest, t.mlen,
                        sig);
    crypto_hex(sig, 64, hex);
    put(&t, ARCHCHECK_MANIFEST, t.manifest, t.mlen, 0, NULL);
    put(&t, ARCHCHECK_SIGNATURE, hex, 128, 0, NULL);
    assert_int_equal(archive_write_close(t.a), ARCHIVE_OK);
    archive_write_free(t.a);
    free(listed);
    free(env);
}

static struct archcheck_result *check(const uint8_t *root, size_t len)
{
    static struct archcheck_result r;
    assert_int_equal(archcheck_file(path, root, len, &r), 0);
    for (size_t i = 0; i < r.n_faults; i++)
        printf("  %s: %s [%s]\n", r.faults[i].member, r.faults[i].message, r.faults[i].code);
    return &r;
}

static void assert_fault(const struct archcheck_result *r, const char *member, const char *code)
{
    assert_false(r->valid);
    for (size_t i = 0; i < r->n_faults; i++)
        if (strcmp(r->faults[i].member, member) == 0 && strcmp(r->faults[i].code, code) == 0)
            return;
    fail_msg("no %s fault on %s", code, member);
}

static void test_valid(void **state)
{
    (void)state;
    build(PLAIN);
    const struct archcheck_result *r = check(root_buf, root_len);
    assert_true(r->valid);
    assert_string_equal(r->case_id, "v1-1");
    assert_string_equal(r->node_id, "v1");
    assert_int_equal(r->members, 6);
    assert_int_equal(r->events, 1);
}

static void test_tampered_named(void **state)
{
    (void)state;
    build(CHANGED_DOC);
    assert_fault(check(root_buf, root_len), "documents/01-a.pdf", "hash_mismatch");
    build(EXTRA);
    assert_fault(check(root_buf, root_len), "documents/99-extra.pdf", "unlisted_member");
    build(BAD_SIG);
    assert_fault(check(root_buf, root_len), ARCHCHECK_MANIFEST, "bad_signature");
    build(CHANGED_EVENT);
    assert_fault(check(root_buf, root_len), "chain/events/0001-v1-1.env", "event_signature");
    build(PLAIN);
    assert_fault(check(other_buf, other_len), "chain/certs/0.cert", "not_signed_by_root");
}

static void test_not_an_archive(void **state)
{
    (void)state;
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs("not a tar file at all, just some text that is long enough to be read", f);
    fclose(f);
    const struct archcheck_result *r = check(root_buf, root_len);
    assert_false(r->valid);
    assert_true(r->n_faults >= 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_tampered_named),
        cmocka_unit_test(test_not_an_archive),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
