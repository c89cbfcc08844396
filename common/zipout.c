/* The archive module: zipout.h's tar over libarchive. A struct zipout is libarchive's writer. */
#include "zipout.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <time.h>

static const char *zip_error(struct zipout *z)
{
    const char *e = archive_error_string((struct archive *)z);
    return e ? e : "zip failure";
}

static void zip_free(struct zipout *z)
{
    if (z)
        archive_write_free((struct archive *)z);
}

static struct zipout *zip_open(int fd, enum zipout_format f, char *why, size_t whylen)
{
    struct archive *a = archive_write_new();
    if (!a) {
        snprintf(why, whylen, "out of memory");
        return NULL;
    }
    (void)f; /* a tar: the one format */
    if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
        archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
        archive_write_open_fd(a, fd) != ARCHIVE_OK) {
        snprintf(why, whylen, "%s", zip_error((struct zipout *)a));
        archive_write_free(a);
        return NULL;
    }
    return (struct zipout *)a;
}

static int zip_entry(struct zipout *z, const char *name, int64_t size)
{
    struct archive_entry *e = archive_entry_new();
    if (!e)
        return -1;
    archive_entry_set_pathname_utf8(e, name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, size);
    archive_entry_set_mtime(e, time(NULL), 0);
    int r = archive_write_header((struct archive *)z, e);
    archive_entry_free(e);
    return r == ARCHIVE_OK ? 0 : -1;
}

static int zip_data(struct zipout *z, const void *p, size_t n)
{
    return archive_write_data((struct archive *)z, p, n) == (la_ssize_t)n ? 0 : -1;
}

static int zip_finish(struct zipout *z)
{
    return archive_write_close((struct archive *)z) == ARCHIVE_OK ? 0 : -1;
}

__attribute__((visibility("default"))) const struct zipout_ops jiefen_zipout_ops = {
    zip_open, zip_entry, zip_data, zip_finish, zip_error, zip_free,
};
