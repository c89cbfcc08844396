/*
 * durfile — a file written whole and durably, for what leaves the store as files (the
 * exchange folder's 回单), and the folder's fsync (blobs, backups): the bytes go to a temp file in the same directory (".NAME.tmp",
 * hidden from a reader that looks for NAME's pattern), which is fsynced, renamed over NAME
 * and the directory fsynced. A reader sees the old file or the new one, never half of one;
 * once durfile_put returns 0 the file survives a crash or kill -9 of the writer.
 */
#ifndef JIEFEN_DURFILE_H
#define JIEFEN_DURFILE_H

#include <stddef.h>
#include <sys/types.h>

/* fsyncs directory dir (a rename or a new entry in it made durable). 0 or a negative errno. */
int durfile_fsync_dir(const char *dir);

/* Writes len bytes of data as dir/name (mode, e.g. 0644; an existing file is replaced).
 * 0, or a negative errno (-ENAMETOOLONG, -ENOTDIR, -EACCES, -EROFS, -ENOSPC …); on failure
 * the temp file is removed and dir/name is as it was. */
int durfile_put(const char *dir, const char *name, const void *data, size_t len, mode_t mode);

#endif
