/* arena (common/arena.h): aligned bump allocation, objects larger than a chunk, a reset
 * that keeps one chunk as large as the round took, and envelopes decoded into it that
 * read the same as decoded with malloc. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "arena.h"
#include "envelope.h"
#include "error.h"
#include "testutil.h"

static void test_allocations_are_aligned_and_apart(void **state)
{
    (void)state;
    arena *a = arena_new(256);
    assert_non_null(a);
    unsigned char *p[100];
    for (int i = 0; i < 100; i++) {
        p[i] = arena_alloc(a, (size_t)i + 1);
        assert_non_null(p[i]);
        assert_int_equal((uintptr_t)p[i] % _Alignof(max_align_t), 0);
        memset(p[i], i, (size_t)i + 1);
    }
    for (int i = 0; i < 100; i++) /* no allocation overwrote another */
        for (int j = 0; j <= i; j++)
            assert_int_equal(p[i][j], i);
    unsigned char *big = arena_alloc(a, 10000); /* larger than a chunk */
    assert_non_null(big);
    memset(big, 0xab, 10000);
    assert_int_equal(p[99][99], 99);
    arena_free(&a);
    assert_null(a);
    arena_free(&a); /* NULL is fine */
}

static void test_reset_keeps_one_chunk_for_the_round(void **state)
{
    (void)state;
    arena *a = arena_new(128);
    assert_non_null(a);
    void *first = arena_alloc(a, 64);
    arena_reset(a);
    /* One chunk: the next round starts in it again. */
    assert_ptr_equal(arena_alloc(a, 64), first);
    for (int i = 0; i < 50; i++)
        assert_non_null(arena_alloc(a, 100)); /* a round of many chunks */
    arena_reset(a);
    void *one = arena_alloc(a, 100);
    for (int i = 1; i < 50; i++)              /* now they all fit in one */
        assert_ptr_equal(arena_alloc(a, 100), (char *)one + i * 112);
    arena_free(&a);
}

static void test_envelope_decoded_into_an_arena(void **state)
{
    crypto_identity *id = test_identity(test_dir, "v1");
    (void)state;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    uint8_t prev[CRYPTO_HASH_LEN] = {1}, hash[CRYPTO_HASH_LEN], *bytes;
    size_t len;
    ev.origin = "v1";
    ev.seq = 7;
    ev.case_id = "v1-case-7";
    ev.prev_hash.data = prev;
    ev.prev_hash.len = sizeof prev;
    assert_int_equal(envelope_sign(id, &ev, &bytes, &len, hash), 0);
    arena *a = arena_new(64);
    envelope *e = NULL, *m = NULL;
    assert_int_equal(envelope_decode_in(arena_allocator(a), bytes, len, &e), 0);
    assert_int_equal(envelope_decode(bytes, len, &m), 0);
    assert_string_equal(e->event->origin, "v1");
    assert_string_equal(e->event->case_id, m->event->case_id);
    assert_int_equal(e->event->seq, 7);
    assert_memory_equal(e->hash, hash, CRYPTO_HASH_LEN);
    assert_int_equal(envelope_verify(e, crypto_identity_pk(id)), 0);
    envelope_free(&e); /* the arena's memory: nothing to free until the reset */
    assert_null(e);
    envelope_free(&m);
    /* Undecodable bytes fail the same way in an arena. */
    assert_int_equal(envelope_decode_in(arena_allocator(a), bytes, len / 2, &e), JF_ECORRUPT);
    arena_free(&a);
    free(bytes);
    crypto_identity_free(&id);
}

int main(void)
{
    if (test_init())
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocations_are_aligned_and_apart),
        cmocka_unit_test(test_reset_keeps_one_chunk_for_the_round),
        cmocka_unit_test_setup_teardown(test_envelope_decoded_into_an_arena, test_dir_setup,
                                        test_dir_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
