/* zipw — a zip writer on zlib, entries deflated in pieces (see zipw.h). */
#include "zipw.h"
#include "array.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#define OUT_SIZE (64 * 1024)  /* a deflater's output gathered before each call of its sink */
#define COPY_SIZE (1024 * 1024)
#define U32_MAX 0xFFFFFFFFu
#define U16_MAX 0xFFFFu
#define VERSION_ZIP 20 /* deflate */
#define VERSION_ZIP64 45
#define MADE_BY (3 << 8) /* Unix: the external attributes hold the mode */
#define FLAG_UTF8 0x0800
#define METHOD_DEFLATE 8

struct zipw_def {
    z_stream zs;
    struct zipw_sum sum;
    zipw_sink sink;
    void *ctx;
    unsigned char out[OUT_SIZE];
};

struct zipw_file {
    char *name;
    struct zipw_sum sum;
    uint64_t offset;
};

struct zipw {
    int fd;
    uint64_t at;   /* bytes written */
    uint64_t left; /* deflated bytes the current entry still expects */
    uint16_t time, date;
    struct zipw_file *files;
    size_t n, cap;
};

/* ---- sinks ---- */

int zipw_fd_sink(void *ctx, const void *p, size_t n)
{
    int fd = *(const int *)ctx;
    for (size_t done = 0; done < n;) {
        ssize_t w = write(fd, (const char *)p + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        done += (size_t)w;
    }
    return 0;
}

int zipw_mem_sink(void *ctx, const void *p, size_t n)
{
    struct zipw_mem *m = ctx;
    if (n > m->cap - m->n) {
        size_t cap = m->cap ? m->cap : 4096;
        while (cap - m->n < n)
            cap *= 2;
        char *g = realloc(m->p, cap);
        if (!g)
            return -ENOMEM;
        m->p = g;
        m->cap = cap;
    }
    memcpy(m->p + m->n, p, n);
    m->n += n;
    return 0;
}

/* ---- deflaters ---- */

int zipw_def_new(zipw_sink sink, void *ctx, zipw_def **out)
{
    zipw_def *d = calloc(1, sizeof *d);
    if (!d)
        return -ENOMEM;
    /* Raw deflate (negative window bits): the zip has its own header and CRC. */
    if (deflateInit2(&d->zs, 1, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        free(d);
        return -ENOMEM;
    }
    d->sink = sink;
    d->ctx = ctx;
    d->sum.crc = (uint32_t)crc32(0, NULL, 0);
    *out = d;
    return 0;
}

/* Runs deflate with flush until it has taken all its input (and, for a flush, given all
 * its output), each full output buffer to the sink. */
static int pump(zipw_def *d, int flush)
{
    for (;;) {
        d->zs.next_out = d->out;
        d->zs.avail_out = OUT_SIZE;
        int z = deflate(&d->zs, flush);
        if (z != Z_OK && z != Z_STREAM_END && z != Z_BUF_ERROR)
            return -EIO;
        size_t got = OUT_SIZE - d->zs.avail_out;
        int rc = got ? d->sink(d->ctx, d->out, got) : 0;
        if (rc != 0)
            return rc;
        d->sum.out += got;
        if (d->zs.avail_out != 0 && d->zs.avail_in == 0)
            return 0;
    }
}

int zipw_def_add(zipw_def *d, const void *p, size_t n)
{
    const unsigned char *b = p;
    while (n > 0) {
        uInt take = n > U32_MAX ? U32_MAX : (uInt)n;
        d->sum.crc = (uint32_t)crc32(d->sum.crc, b, take);
        d->sum.in += take;
        d->zs.next_in = (unsigned char *)b;
        d->zs.avail_in = take;
        int rc = pump(d, Z_NO_FLUSH);
        if (rc != 0)
            return rc;
        b += take;
        n -= take;
    }
    return 0;
}

int zipw_def_end(zipw_def *d, int last)
{
    d->zs.next_in = NULL;
    d->zs.avail_in = 0;
    return pump(d, last ? Z_FINISH : Z_SYNC_FLUSH);
}

struct zipw_sum zipw_def_sum(const zipw_def *d)
{
    return d->sum;
}

void zipw_def_free(zipw_def *d)
{
    if (!d)
        return;
    deflateEnd(&d->zs);
    free(d);
}

void zipw_sum_join(struct zipw_sum *a, const struct zipw_sum *b)
{
    a->crc = (uint32_t)crc32_combine(a->crc, b->crc, (z_off_t)b->in);
    a->in += b->in;
    a->out += b->out;
}

/* ---- the zip ---- */

int zipw_open(int fd, zipw **out)
{
    zipw *z = calloc(1, sizeof *z);
    if (!z)
        return -ENOMEM;
    z->fd = fd;
    time_t now = time(NULL);
    struct tm tm;
    if (!localtime_r(&now, &tm) || tm.tm_year < 80)
        tm = (struct tm){.tm_year = 80, .tm_mday = 1};
    z->time = (uint16_t)(tm.tm_hour << 11 | tm.tm_min << 5 | tm.tm_sec / 2);
    z->date = (uint16_t)((tm.tm_year - 80) << 9 | (tm.tm_mon + 1) << 5 | tm.tm_mday);
    *out = z;
    return 0;
}

void zipw_free(zipw *z)
{
    if (!z)
        return;
    for (size_t i = 0; i < z->n; i++)
        free(z->files[i].name);
    free(z->files);
    free(z);
}

/* Little-endian fields into a record being built. */
static unsigned char *le(unsigned char *p, uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; i++)
        *p++ = (unsigned char)(v >> (8 * i));
    return p;
}

static int put(zipw *z, const void *p, size_t n)
{
    int rc = zipw_fd_sink(&z->fd, p, n);
    if (rc == 0)
        z->at += n;
    return rc;
}

static int big(const struct zipw_sum *s)
{
    return s->in >= U32_MAX || s->out >= U32_MAX;
}

int zipw_entry(zipw *z, const char *name, const struct zipw_sum *sum)
{
    size_t len = strlen(name);
    if (z->left != 0 || len > U16_MAX)
        return -EINVAL;
    struct zipw_file *g = array_room(z->files, z->n, &z->cap, sizeof *g, 16);
    if (!g)
        return -ENOMEM;
    z->files = g;
    char *copy = strdup(name);
    if (!copy)
        return -ENOMEM;
    int wide = big(sum);
    unsigned char h[30 + 20], *p = h;
    p = le(p, 0x04034b50, 4);
    p = le(p, wide ? VERSION_ZIP64 : VERSION_ZIP, 2);
    p = le(p, FLAG_UTF8, 2);
    p = le(p, METHOD_DEFLATE, 2);
    p = le(p, z->time, 2);
    p = le(p, z->date, 2);
    p = le(p, sum->crc, 4);
    p = le(p, wide ? U32_MAX : sum->out, 4);
    p = le(p, wide ? U32_MAX : sum->in, 4);
    p = le(p, len, 2);
    p = le(p, wide ? 20 : 0, 2);
    if (wide) { /* the zip64 extra field: both sizes, inflated first */
        p = le(p, 0x0001, 2);
        p = le(p, 16, 2);
        p = le(p, sum->in, 8);
        p = le(p, sum->out, 8);
    }
    z->files[z->n] = (struct zipw_file){copy, *sum, z->at};
    int rc = put(z, h, 30);
    if (rc == 0)
        rc = put(z, name, len);
    if (rc == 0)
        rc = put(z, h + 30, (size_t)(p - h) - 30);
    if (rc != 0) {
        free(copy);
        return rc;
    }
    z->n++;
    z->left = sum->out;
    return 0;
}

int zipw_write(zipw *z, const void *p, size_t n)
{
    if (n > z->left)
        return -EINVAL;
    int rc = put(z, p, n);
    if (rc == 0)
        z->left -= n;
    return rc;
}

int zipw_copy(zipw *z, int fd, uint64_t len)
{
    if (len > z->left)
        return -EINVAL;
    char *buf = malloc(COPY_SIZE);
    if (!buf)
        return -ENOMEM;
    int rc = 0;
    for (uint64_t at = 0; rc == 0 && at < len;) {
        size_t want = len - at < COPY_SIZE ? (size_t)(len - at) : COPY_SIZE;
        ssize_t got = pread(fd, buf, want, (off_t)at);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            rc = got < 0 ? -errno : -EIO;
        else if ((rc = zipw_write(z, buf, (size_t)got)) == 0)
            at += (uint64_t)got;
    }
    free(buf);
    return rc;
}

int zipw_part(zipw *z, const char *name, const void *p, size_t n)
{
    struct zipw_mem m = {0};
    zipw_def *d = NULL;
    int rc = zipw_def_new(zipw_mem_sink, &m, &d);
    if (rc == 0)
        rc = zipw_def_add(d, p, n);
    if (rc == 0)
        rc = zipw_def_end(d, 1);
    struct zipw_sum sum = d ? zipw_def_sum(d) : (struct zipw_sum){0};
    if (rc == 0)
        rc = zipw_entry(z, name, &sum);
    if (rc == 0)
        rc = zipw_write(z, m.p, m.n);
    zipw_def_free(d);
    free(m.p);
    return rc;
}

/* One entry's record in the central directory. */
static int central(zipw *z, const struct zipw_file *f)
{
    int off64 = f->offset >= U32_MAX, wide = big(&f->sum);
    size_t len = strlen(f->name), extra = (wide ? 16 : 0) + (off64 ? 8 : 0);
    unsigned char h[46], x[4 + 24], *p = h;
    p = le(p, 0x02014b50, 4);
    p = le(p, MADE_BY | VERSION_ZIP64, 2);
    p = le(p, wide || off64 ? VERSION_ZIP64 : VERSION_ZIP, 2);
    p = le(p, FLAG_UTF8, 2);
    p = le(p, METHOD_DEFLATE, 2);
    p = le(p, z->time, 2);
    p = le(p, z->date, 2);
    p = le(p, f->sum.crc, 4);
    p = le(p, wide ? U32_MAX : f->sum.out, 4);
    p = le(p, wide ? U32_MAX : f->sum.in, 4);
    p = le(p, len, 2);
    p = le(p, extra ? extra + 4 : 0, 2);
    p = le(p, 0, 2 + 2 + 2); /* comment, disk, internal attributes */
    p = le(p, (uint64_t)0100644 << 16, 4);
    le(p, off64 ? U32_MAX : f->offset, 4);
    p = le(x, 0x0001, 2);
    p = le(p, extra, 2);
    if (wide) {
        p = le(p, f->sum.in, 8);
        p = le(p, f->sum.out, 8);
    }
    if (off64)
        le(p, f->offset, 8);
    int rc = put(z, h, sizeof h);
    if (rc == 0)
        rc = put(z, f->name, len);
    return rc == 0 && extra ? put(z, x, extra + 4) : rc;
}

/* The zip64 end of central directory record and its locator. */
static int end64(zipw *z, uint64_t start, uint64_t size)
{
    unsigned char h[56 + 20], *p = h;
    uint64_t at = z->at;
    p = le(p, 0x06064b50, 4);
    p = le(p, 44, 8);
    p = le(p, MADE_BY | VERSION_ZIP64, 2);
    p = le(p, VERSION_ZIP64, 2);
    p = le(p, 0, 4 + 4); /* this disk, the directory's disk */
    p = le(p, z->n, 8);
    p = le(p, z->n, 8);
    p = le(p, size, 8);
    p = le(p, start, 8);
    p = le(p, 0x07064b50, 4);
    p = le(p, 0, 4);
    p = le(p, at, 8);
    le(p, 1, 4);
    return put(z, h, sizeof h);
}

int zipw_finish(zipw *z)
{
    if (z->left != 0)
        return -EINVAL;
    uint64_t start = z->at;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < z->n; i++)
        rc = central(z, &z->files[i]);
    uint64_t size = z->at - start;
    int wide = z->n >= U16_MAX || start >= U32_MAX || size >= U32_MAX;
    if (rc == 0 && wide)
        rc = end64(z, start, size);
    unsigned char h[22], *p = h;
    p = le(p, 0x06054b50, 4);
    p = le(p, 0, 2 + 2);
    p = le(p, wide ? U16_MAX : z->n, 2);
    p = le(p, wide ? U16_MAX : z->n, 2);
    p = le(p, wide ? U32_MAX : size, 4);
    p = le(p, wide ? U32_MAX : start, 4);
    le(p, 0, 2);
    return rc == 0 ? put(z, h, sizeof h) : rc;
}
