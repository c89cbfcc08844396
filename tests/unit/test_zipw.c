/* zipw and zipq: zips written here and read back by Python's zipfile (every entry inflated
 * and its CRC checked by the reader): whole parts, an entry in pieces (a head deflated in
 * memory, a middle larger than the queue deflated on its thread into a file, a last piece),
 * the zip64 records of 70,000 entries and of an entry of 5 GiB, and the misuses refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "zipq.h"
#include "zipw.h"
#include "testutil.h"
#include "testpy.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#define QBUF (64 * 1024)


/* Each entry inflated (zipfile checks its CRC): name, size, CRC and the count, as JSON. With
 * "--dir", only the central directory's figures, nothing inflated. */
static const char READER[] =
    "import json, sys, zipfile, zlib\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "out = []\n"
    "for i in z.infolist():\n"
    "    crc = i.CRC if len(sys.argv) > 2 else zlib.crc32(z.read(i.filename))\n"
    "    out.append({'name': i.filename, 'size': i.file_size, 'crc': crc,\n"
    "                'method': i.compress_type})\n"
    "print(json.dumps({'n': len(out), 'first': out[:4], 'last': out[-1]}))\n";

/* What READER prints for the zip at path; NULL (said so) where Python is missing. */
static json_t *read_back(const char *path, int dir_only)
{
    char args[4400];
    snprintf(args, sizeof args, "'%s'%s", path, dir_only ? " --dir" : "");
    return test_python_json(READER, args);
}

static void check_entry(json_t *e, const char *name, uint64_t size, uint32_t crc)
{
    assert_string_equal(json_string_value(json_object_get(e, "name")), name);
    assert_int_equal(json_integer_value(json_object_get(e, "size")), size);
    assert_int_equal(json_integer_value(json_object_get(e, "crc")), crc);
    assert_int_equal(json_integer_value(json_object_get(e, "method")), 8); /* deflated */
}

static int open_zip(const char *name, char *path, size_t len)
{
    snprintf(path, len, "%s/%s", test_dir, name);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    assert_true(fd >= 0);
    return fd;
}

/* Text that compresses as XML does, different from buffer to buffer. */
static void fill(char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (char)("<row r=\"12\"><c t=\"inlineStr\"><is><t>调解</t></is></c>"[i % 48] +
                      (char)((i * seed / 4096) % 3));
}

static void test_parts_and_an_entry_in_pieces(void **state)
{
    (void)state;
    char path[4200], rows_path[4200];
    int fd = open_zip("pieces.zip", path, sizeof path);
    int rows_fd = open_zip("rows.tmp", rows_path, sizeof rows_path);
    zipw *z = NULL;
    assert_int_equal(zipw_open(fd, &z), 0);
    const char small[] = "<?xml version=\"1.0\"?><a>一</a>";
    assert_int_equal(zipw_part(z, "[Content_Types].xml", small, sizeof small - 1), 0);
    assert_int_equal(zipw_part(z, "empty.xml", "", 0), 0);

    /* The pieces: head (memory), rows (the queue's thread, a file), tail (memory, last). */
    const size_t head_n = 1000, rows_n = 9 * QBUF * ZIPQ_DEPTH + 123, tail_n = 777;
    char *all = malloc(head_n + rows_n + tail_n);
    assert_non_null(all);
    fill(all, head_n + rows_n + tail_n, 7);
    struct zipw_mem h = {0}, t = {0};
    zipw_def *dh = NULL, *dr = NULL, *dt = NULL;
    assert_int_equal(zipw_def_new(zipw_mem_sink, &h, &dh), 0);
    assert_int_equal(zipw_def_new(zipw_fd_sink, &rows_fd, &dr), 0);
    assert_int_equal(zipw_def_new(zipw_mem_sink, &t, &dt), 0);
    zipq *q = NULL;
    assert_int_equal(zipq_new(QBUF, &q), 0);
    for (size_t at = 0; at < rows_n;) {
        size_t n = rows_n - at < QBUF ? rows_n - at : QBUF;
        char *buf = zipq_buffer(q);
        assert_non_null(buf);
        memcpy(buf, all + head_n + at, n);
        assert_int_equal(zipq_submit(q, dr, buf, n), 0);
        at += n;
    }
    assert_int_equal(zipw_def_add(dh, all, head_n), 0); /* while the thread deflates */
    assert_int_equal(zipw_def_end(dh, 0), 0);
    assert_int_equal(zipq_wait(q), 0);
    assert_int_equal(zipw_def_end(dr, 0), 0);
    assert_int_equal(zipw_def_add(dt, all + head_n + rows_n, tail_n), 0);
    assert_int_equal(zipw_def_end(dt, 1), 0);
    struct zipw_sum sum = zipw_def_sum(dh), rows = zipw_def_sum(dr), tail = zipw_def_sum(dt);
    zipw_sum_join(&sum, &rows);
    zipw_sum_join(&sum, &tail);
    assert_int_equal(sum.in, head_n + rows_n + tail_n);

    assert_int_equal(zipw_entry(z, "xl/worksheets/sheet1.xml", &sum), 0);
    assert_int_equal(zipw_finish(z), -EINVAL); /* its bytes not yet given */
    assert_int_equal(zipw_write(z, h.p, h.n), 0);
    assert_int_equal(zipw_copy(z, rows_fd, rows.out), 0);
    assert_int_equal(zipw_write(z, t.p, t.n + 1), -EINVAL); /* one byte too many */
    assert_int_equal(zipw_write(z, t.p, t.n), 0);
    assert_int_equal(zipw_finish(z), 0);
    json_t *root = read_back(path, 0);
    if (root) {
        assert_int_equal(json_integer_value(json_object_get(root, "n")), 3);
        json_t *first = json_object_get(root, "first");
        check_entry(json_array_get(first, 0), "[Content_Types].xml", sizeof small - 1,
                    (uint32_t)crc32(0, (const unsigned char *)small, sizeof small - 1));
        check_entry(json_array_get(first, 1), "empty.xml", 0, 0);
        check_entry(json_array_get(first, 2), "xl/worksheets/sheet1.xml", sum.in,
                    (uint32_t)crc32(0, (unsigned char *)all, (uInt)sum.in));
        json_decref(root);
    }
    zipq_free(q);
    zipw_def_free(dh);
    zipw_def_free(dr);
    zipw_def_free(dt);
    zipw_free(z);
    free(h.p);
    free(t.p);
    free(all);
    close(rows_fd);
    close(fd);
}

static void test_zip64_for_70000_entries(void **state)
{
    (void)state;
    char path[4200], name[32];
    int fd = open_zip("many.zip", path, sizeof path);
    zipw *z = NULL;
    assert_int_equal(zipw_open(fd, &z), 0);
    for (int i = 0; i < 70000; i++) {
        snprintf(name, sizeof name, "e%05d", i);
        assert_int_equal(zipw_part(z, name, name, strlen(name)), 0);
    }
    assert_int_equal(zipw_finish(z), 0);
    json_t *root = read_back(path, 0);
    if (root) {
        assert_int_equal(json_integer_value(json_object_get(root, "n")), 70000);
        check_entry(json_object_get(root, "last"), "e69999", 6,
                    (uint32_t)crc32(0, (const unsigned char *)"e69999", 6));
        json_decref(root);
    }
    zipw_free(z);
    close(fd);
}

/* An entry's header saying 5 GiB (its bytes not made: the directory's figures are read). */
static void test_zip64_for_an_entry_of_5_gib(void **state)
{
    (void)state;
    char path[4200];
    int fd = open_zip("big.zip", path, sizeof path);
    zipw *z = NULL;
    assert_int_equal(zipw_open(fd, &z), 0);
    assert_int_equal(zipw_part(z, "before", "x", 1), 0);
    struct zipw_sum big = {.crc = 0x12345678, .in = (uint64_t)5 << 30, .out = 3};
    assert_int_equal(zipw_entry(z, "big", &big), 0);
    assert_int_equal(zipw_write(z, "\x03\x00\x00", 3), 0);
    assert_int_equal(zipw_finish(z), 0);
    json_t *root = read_back(path, 1);
    if (root) {
        check_entry(json_object_get(root, "last"), "big", (uint64_t)5 << 30, 0x12345678);
        json_decref(root);
    }
    zipw_free(z);
    close(fd);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parts_and_an_entry_in_pieces),
        cmocka_unit_test(test_zip64_for_70000_entries),
        cmocka_unit_test(test_zip64_for_an_entry_of_5_gib),
    };
    return cmocka_run_group_tests(tests, test_dir_setup, test_dir_teardown);
}
