/*
 * zipout — the archive-writing module (jiefen-zip.so, built from zipout.c with
 * libarchive): a POSIX tar (pax) written to a file descriptor, entry after entry, names in
 * UTF-8. Exported as the table `jiefen_zipout_ops`; node/print/casearchive.c loads it when a
 * case is archived (common/module.h says why a node maps libarchive, and ICU and libxml2
 * with it, only once it needs it). The spreadsheets' zips are our own (common/zipw.h): its
 * entries are deflated in pieces, on a second thread, which libarchive's writer cannot take.
 */
#ifndef JIEFEN_ZIPOUT_H
#define JIEFEN_ZIPOUT_H

#include <stddef.h>
#include <stdint.h>

struct zipout;

enum zipout_format { ZIPOUT_TAR };

struct zipout_ops {
    /* An archive of format f on fd (left open); NULL with the reason in why when it cannot
     * be made. */
    struct zipout *(*open)(int fd, enum zipout_format f, char *why, size_t whylen);
    /* An entry of size bytes named name, whose bytes the next data() calls give. 0 or -1. */
    int (*entry)(struct zipout *z, const char *name, int64_t size);
    /* n bytes of the current entry. 0 or -1. */
    int (*data)(struct zipout *z, const void *p, size_t n);
    /* Ends the archive (a zip's directory, a tar's last blocks). 0 or -1. */
    int (*finish)(struct zipout *z);
    /* What the last failure was ("zip failure" when nothing says). */
    const char *(*error)(struct zipout *z);
    /* Frees; accepts NULL. */
    void (*free)(struct zipout *z);
};

#define ZIPOUT_OPS_SYMBOL "jiefen_zipout_ops"
#define ZIPOUT_MODULE "jiefen-zip.so"

#endif
