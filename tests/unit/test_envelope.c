/* Envelopes: a signed event decodes to the same event, and any change is caught. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "envelope.h"
#include "error.h"
#include "testutil.h"

#include <errno.h>
#include <sys/stat.h>

static crypto_identity *make_identity(char *dir, size_t len)
{
    char path[4200];
    crypto_identity *id = NULL;
    test_tmpdir(dir, len);
    snprintf(path, sizeof path, "%s/node.key", dir);
    assert_int_equal(crypto_identity_create(path, &id), 0);
    return id;
}

static uint8_t *signed_event(crypto_identity *id, size_t *len, uint8_t *hash)
{
    uint8_t prev[CRYPTO_HASH_LEN] = {0};
    Jiefen__CaseOpened o = JIEFEN__CASE_OPENED__INIT;
    o.case_id = "v1-2026-000001";
    o.summary = "承包地边界争议";
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.origin = "v1";
    ev.seq = 7;
    ev.prev_hash.data = prev;
    ev.prev_hash.len = sizeof prev;
    ev.case_id = o.case_id;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    ev.case_opened = &o;
    uint8_t *buf;
    assert_int_equal(envelope_sign(id, &ev, &buf, len, hash), 0);
    return buf;
}

static void test_roundtrip(void **state)
{
    (void)state;
    char dir[4096];
    crypto_identity *id = make_identity(dir, sizeof dir);
    size_t len;
    uint8_t hash[CRYPTO_HASH_LEN];
    uint8_t *buf = signed_event(id, &len, hash);
    envelope *e = NULL;
    assert_int_equal(envelope_decode(buf, len, &e), 0);
    assert_string_equal(e->event->origin, "v1");
    assert_int_equal(e->event->seq, 7);
    assert_string_equal(e->event->case_opened->summary, "承包地边界争议");
    assert_memory_equal(e->hash, hash, CRYPTO_HASH_LEN);
    assert_int_equal(envelope_verify(e, crypto_identity_pk(id)), 0);
    assert_string_equal(envelope_kind(e->event), "case_opened");
    envelope_free(&e);
    assert_null(e);
    free(buf);
    crypto_identity_free(&id);
    test_rmtree(dir);
}

static void test_every_flipped_byte_is_caught(void **state)
{
    (void)state;
    char dir[4096];
    crypto_identity *id = make_identity(dir, sizeof dir);
    size_t len;
    uint8_t hash[CRYPTO_HASH_LEN];
    uint8_t *buf = signed_event(id, &len, hash);
    size_t caught = 0;
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x01;
        envelope *e = NULL;
        if (envelope_decode(buf, len, &e) != 0 || envelope_verify(e, crypto_identity_pk(id)))
            caught++;
        envelope_free(&e);
        buf[i] ^= 0x01;
    }
    printf("  flipped %zu bytes, caught %zu\n", len, caught);
    assert_int_equal(caught, len);
    free(buf);
    crypto_identity_free(&id);
    test_rmtree(dir);
}

static void test_other_key_rejected(void **state)
{
    (void)state;
    char d1[4096], d2[4096];
    crypto_identity *a = make_identity(d1, sizeof d1), *b = make_identity(d2, sizeof d2);
    size_t len;
    uint8_t hash[CRYPTO_HASH_LEN];
    uint8_t *buf = signed_event(a, &len, hash);
    envelope *e = NULL;
    assert_int_equal(envelope_decode(buf, len, &e), 0);
    assert_int_equal(envelope_verify(e, crypto_identity_pk(b)), JF_EBADSIG);
    envelope_free(&e);
    free(buf);
    crypto_identity_free(&a);
    crypto_identity_free(&b);
    test_rmtree(d1);
    test_rmtree(d2);
}

static void test_garbage_rejected(void **state)
{
    (void)state;
    envelope *e = NULL;
    const uint8_t junk[] = {0x0a, 0xff, 0xff, 0xff, 0x7f, 0x01};
    assert_int_equal(envelope_decode(junk, sizeof junk, &e), JF_ECORRUPT);
    assert_null(e);
    assert_int_equal(envelope_decode(junk, 0, &e), JF_ECORRUPT);
}

static void test_key_file_permissions(void **state)
{
    (void)state;
    char dir[4096], path[4200];
    crypto_identity *id = make_identity(dir, sizeof dir), *again = NULL;
    snprintf(path, sizeof path, "%s/node.key", dir);
    assert_int_equal(crypto_identity_load(path, &again), 0);
    assert_memory_equal(crypto_identity_pk(id), crypto_identity_pk(again), CRYPTO_PK_LEN);
    crypto_identity_free(&again);
    assert_int_equal(crypto_identity_create(path, &again), -EEXIST);
    chmod(path, 0644);
    assert_int_equal(crypto_identity_load(path, &again), -EPERM);
    crypto_identity_free(&id);
    test_rmtree(dir);
}

int main(void)
{
    crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip),
        cmocka_unit_test(test_every_flipped_byte_is_caught),
        cmocka_unit_test(test_other_key_rejected),
        cmocka_unit_test(test_garbage_rejected),
        cmocka_unit_test(test_key_file_permissions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
