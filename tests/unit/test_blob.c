/* blob (common/blob.h): content-addressed sealed files. A committed blob is at the place
 * its hash names and reads back whole; an aborted one leaves nothing; a damaged one fails
 * its check; a partial blob grows only from its own length, and is put in place only when
 * it hashes to its name (otherwise it is dropped, to be fetched again). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "blob.h"
#include "error.h"
#include "testutil.h"

/* Files under dir, recursively. */
static int count_files(const char *dir)
{
    char sub[BLOB_PATH_MAX];
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        struct stat s;
        if (e->d_name[0] == '.')
            continue;
        snprintf(sub, sizeof sub, "%.3000s/%s", dir, e->d_name);
        if (stat(sub, &s) == 0)
            n += S_ISDIR(s.st_mode) ? count_files(sub) : 1;
    }
    if (d)
        closedir(d);
    return n;
}

static void test_commit_read_check(void **state)
{
    (void)state;
    static const char part1[] = "sealed bytes, part one; ", part2[] = "part two";
    uint8_t hash[CRYPTO_HASH_LEN], want[CRYPTO_HASH_LEN], buf[64];
    char both[sizeof part1 + sizeof part2], path[BLOB_PATH_MAX];
    blob_writer *w = NULL;
    size_t got;
    uint64_t size;
    snprintf(both, sizeof both, "%s%s", part1, part2);
    crypto_blake2b((const uint8_t *)both, strlen(both), want);
    assert_int_equal(blob_writer_new(test_dir, &w), 0);
    assert_int_equal(blob_write(w, part1, strlen(part1)), 0);
    assert_int_equal(blob_write(w, part2, strlen(part2)), 0);
    assert_int_equal(blob_written(w), strlen(both));
    assert_int_equal(blob_commit(&w, hash), 0);
    assert_null(w);
    assert_memory_equal(hash, want, sizeof hash);
    assert_int_equal(count_files(test_dir), 1); /* the temporary name is gone */
    assert_true(blob_exists(test_dir, hash));
    assert_int_equal(blob_check(test_dir, hash), 0);
    assert_int_equal(blob_size(test_dir, hash, &size), 0);
    assert_int_equal(size, strlen(both));
    assert_int_equal(blob_read(test_dir, hash, 7, buf, 5, &got), 0);
    assert_int_equal(got, 5);
    assert_memory_equal(buf, both + 7, 5);
    assert_int_equal(blob_read(test_dir, hash, size, buf, 5, &got), 0);
    assert_int_equal(got, 0);
    /* Its place: DIR/ab/ab…, named by its hash. */
    char hex[BLOB_HEX];
    crypto_hex(hash, sizeof hash, hex);
    blob_path(test_dir, hash, path);
    assert_non_null(strstr(path, hex));
    assert_int_equal(path[strlen(test_dir) + 1], hex[0]);
    assert_int_equal(path[strlen(test_dir) + 3], '/');
    /* One changed byte is found. */
    FILE *f = fopen(path, "r+b");
    assert_non_null(f);
    fputc('X', f);
    fclose(f);
    assert_int_equal(blob_check(test_dir, hash), JF_ECORRUPT);
    assert_int_equal(blob_remove(test_dir, hash), 0);
    assert_false(blob_exists(test_dir, hash));
    assert_int_equal(blob_check(test_dir, hash), JF_ENOTFOUND);
    assert_int_equal(blob_remove(test_dir, hash), 0);
}

static void test_abort_leaves_nothing(void **state)
{
    (void)state;
    blob_writer *w = NULL;
    assert_int_equal(blob_writer_new(test_dir, &w), 0);
    assert_int_equal(blob_write(w, "abc", 3), 0);
    blob_abort(&w);
    assert_null(w);
    blob_abort(&w);
    assert_int_equal(count_files(test_dir), 0);
}

static void test_partial_resumes_and_checks(void **state)
{
    (void)state;
    static const char data[] = "0123456789abcdefghij";
    uint8_t hash[CRYPTO_HASH_LEN], wrong[CRYPTO_HASH_LEN];
    crypto_blake2b((const uint8_t *)data, 20, hash);
    assert_int_equal(blob_partial_size(test_dir, hash), 0);
    assert_int_equal(blob_partial_append(test_dir, hash, 0, data, 8, 1), 0);
    assert_int_equal(blob_partial_size(test_dir, hash), 8);
    /* A piece from another offset (a resent one, or one after a gap) is refused. */
    assert_int_equal(blob_partial_append(test_dir, hash, 4, data + 4, 8, 1), -ESPIPE);
    assert_int_equal(blob_partial_append(test_dir, hash, 12, data + 12, 8, 1), -ESPIPE);
    assert_int_equal(blob_partial_size(test_dir, hash), 8);
    assert_int_equal(blob_partial_append(test_dir, hash, 8, data + 8, 12, 1), 0);
    assert_false(blob_exists(test_dir, hash));
    assert_int_equal(blob_partial_finish(test_dir, hash), 0);
    assert_true(blob_exists(test_dir, hash));
    assert_int_equal(blob_check(test_dir, hash), 0);
    assert_int_equal(blob_partial_size(test_dir, hash), 0);
    /* Bytes that do not hash to the name are dropped, to be fetched from 0 again. */
    crypto_blake2b((const uint8_t *)"other", 5, wrong);
    assert_int_equal(blob_partial_append(test_dir, wrong, 0, data, 20, 1), 0);
    assert_int_equal(blob_partial_finish(test_dir, wrong), JF_ECORRUPT);
    assert_false(blob_exists(test_dir, wrong));
    assert_int_equal(blob_partial_size(test_dir, wrong), 0);
}

/* The lane's way: pieces appended unsynced (their write-back only started), the whole
 * synced and checked at the end; a torn tail (bytes lost after the last piece) fails the
 * hash and leaves nothing. */
static void test_unsynced_pieces_then_finish(void **state)
{
    (void)state;
    enum { PIECE = 4096, PIECES = 5 };
    uint8_t *data = malloc(PIECE * PIECES), hash[CRYPTO_HASH_LEN];
    assert_non_null(data);
    randombytes_buf(data, PIECE * PIECES);
    crypto_blake2b(data, PIECE * PIECES, hash);
    for (size_t i = 0; i < PIECES - 1; i++)
        assert_int_equal(blob_partial_append(test_dir, hash, i * PIECE, data + i * PIECE,
                                             PIECE, 0), 0);
    assert_int_equal(blob_partial_size(test_dir, hash), (PIECES - 1) * PIECE);
    assert_int_equal(blob_partial_finish(test_dir, hash), JF_ECORRUPT); /* the tail missing */
    assert_int_equal(blob_partial_size(test_dir, hash), 0);
    for (size_t i = 0; i < PIECES; i++)
        assert_int_equal(blob_partial_append(test_dir, hash, i * PIECE, data + i * PIECE,
                                             PIECE, 0), 0);
    assert_int_equal(blob_partial_finish(test_dir, hash), 0);
    assert_int_equal(blob_check(test_dir, hash), 0);
    free(data);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_read_check, test_dir_setup, test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_abort_leaves_nothing, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_partial_resumes_and_checks, test_dir_setup,
                                        test_dir_teardown),
        cmocka_unit_test_setup_teardown(test_unsynced_pieces_then_finish, test_dir_setup,
                                        test_dir_teardown),
    };
    if (crypto_init())
        return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
