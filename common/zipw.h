/*
 * zipw — a zip writer of our own on zlib, for the spreadsheets (node/report/xlsx.c).
 *
 * What it writes: a zip on a file descriptor, from offset 0, entry after entry, names in
 * UTF-8, each entry deflated at level 1 (about twice as fast as zlib's default for a file
 * 10% larger) with its CRC-32; zip64 records where an entry's size or offset reaches 4 GiB
 * or the entries number 65,535 or more, classic records otherwise (what every reader
 * takes).
 *
 * Why our own: an entry's bytes may be deflated in pieces, by several deflaters (zipw_def)
 * at different times and on different threads: every piece but the last ends on a byte
 * boundary with a sync flush, so the pieces laid end to end are one deflate stream, and
 * their CRCs combine (zipw_sum_join). A spreadsheet deflates its rows on a second thread
 * while they are made (common/zipq.h) and puts before them a header known only at the end;
 * libarchive's writer takes an entry's bytes only in order, uncompressed.
 *
 * How: the caller sums the pieces of an entry, writes its header with zipw_entry (the
 * sizes and CRC known, so no data descriptor follows), then its deflated bytes with
 * zipw_write and zipw_copy; zipw_finish writes the central directory.
 *
 * Errors: 0 or a negative errno (-ENOMEM, -EIO for zlib's own failures, a write's errno;
 * -EINVAL for an entry whose bytes do not add up to its header's size). A writer or a
 * deflater is used by one thread at a time.
 */
#ifndef JIEFEN_ZIPW_H
#define JIEFEN_ZIPW_H

#include <stddef.h>
#include <stdint.h>

typedef struct zipw zipw;
typedef struct zipw_def zipw_def;

/* What a deflater took in and gave out: the CRC-32 and size of its input, the size of its
 * output. */
struct zipw_sum {
    uint32_t crc;
    uint64_t in, out;
};

/* Where a deflater's output goes: 0, or a negative errno that the deflater returns. */
typedef int (*zipw_sink)(void *ctx, const void *p, size_t n);

/* Sinks: ctx an int * (the descriptor; written in full, EINTR retried), or a struct
 * zipw_mem (grown with realloc; free its p). */
int zipw_fd_sink(void *ctx, const void *p, size_t n);
struct zipw_mem {
    char *p;
    size_t n, cap;
};
int zipw_mem_sink(void *ctx, const void *p, size_t n);

/* A raw deflate stream at level 1 whose output goes to sink. 0 or -ENOMEM. */
int zipw_def_new(zipw_sink sink, void *ctx, zipw_def **out);

/* Deflates n bytes more. 0, -EIO, or the sink's error. */
int zipw_def_add(zipw_def *d, const void *p, size_t n);

/* Ends the stream: the last piece of an entry (last != 0) with the final block, any other
 * on a byte boundary (a sync flush), ready for the next piece. 0, -EIO or the sink's
 * error. */
int zipw_def_end(zipw_def *d, int last);

/* What the deflater has taken and given so far. */
struct zipw_sum zipw_def_sum(const zipw_def *d);

/* Frees (NULL accepted). */
void zipw_def_free(zipw_def *d);

/* a followed by b: *a becomes the sum of the two pieces laid end to end. */
void zipw_sum_join(struct zipw_sum *a, const struct zipw_sum *b);

/* A zip on fd (left open; written from offset 0). 0 or -ENOMEM. */
int zipw_open(int fd, zipw **out);

/* The header of an entry named name whose deflated bytes (sum->out of them, sum->in when
 * inflated, of CRC sum->crc) the next zipw_write and zipw_copy calls give. 0, -EINVAL (the
 * previous entry's bytes fell short of its size), -ENOMEM, or a write's error. */
int zipw_entry(zipw *z, const char *name, const struct zipw_sum *sum);

/* n deflated bytes of the current entry. 0, -EINVAL (more than its size), or a write's
 * error. */
int zipw_write(zipw *z, const void *p, size_t n);

/* len deflated bytes of the current entry, read from fd from its offset 0. 0, -EINVAL,
 * -EIO (fd is shorter), or a read's or write's error. */
int zipw_copy(zipw *z, int fd, uint64_t len);

/* A whole entry from memory, deflated here. 0 or as above. */
int zipw_part(zipw *z, const char *name, const void *p, size_t n);

/* The central directory and the end records. 0, -EINVAL (the last entry's bytes fell
 * short), -ENOMEM, or a write's error. */
int zipw_finish(zipw *z);

/* Frees (NULL accepted); the descriptor stays open. */
void zipw_free(zipw *z);

#endif
