/*
 * zipout — the zip module (jiefen-zip.so, built from zipout.c with libarchive): a zip
 * written to a file descriptor, entry after entry, deflated at level 1 (about twice as
 * fast as zlib's default for a file 10% larger). Exported as the table `jiefen_zipout_ops`;
 * xlsx.c loads it when a workbook is closed (common/module.h says why a node maps
 * libarchive, and ICU and libxml2 with it, only once it writes a spreadsheet).
 */
#ifndef JIEFEN_ZIPOUT_H
#define JIEFEN_ZIPOUT_H

#include <stddef.h>
#include <stdint.h>

struct zipout;

struct zipout_ops {
    /* A zip on fd (left open); NULL with the reason in why when it cannot be made. */
    struct zipout *(*open)(int fd, char *why, size_t whylen);
    /* An entry of size bytes named name, whose bytes the next data() calls give. 0 or -1. */
    int (*entry)(struct zipout *z, const char *name, int64_t size);
    /* n bytes of the current entry. 0 or -1. */
    int (*data)(struct zipout *z, const void *p, size_t n);
    /* Writes the zip's directory. 0 or -1. */
    int (*finish)(struct zipout *z);
    /* What the last failure was ("zip failure" when nothing says). */
    const char *(*error)(struct zipout *z);
    /* Frees; accepts NULL. */
    void (*free)(struct zipout *z);
};

#define ZIPOUT_OPS_SYMBOL "jiefen_zipout_ops"
#define ZIPOUT_MODULE "jiefen-zip.so"

#endif
