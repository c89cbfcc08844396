/*
 * runfiles — what a running jiefend leaves in its data directory for others to find, and
 * the lock that keeps a second daemon off the directory.
 *
 *   the lock     flock on the data directory itself, held for the life of the process:
 *                taking it writes nothing, so a node starts on a full disk
 *   jiefend.pid  "PID\n" of the daemon holding the lock
 *   jiefend.addr "HOST:PORT\n" of its HTTP API, then its time zone (jiefenctl reads it)
 *
 * Both files are written whole or not at all (a temp file renamed over the old one), so
 * neither is ever empty or half-written. When one cannot be written (a full disk), any
 * old one is removed instead (it was a dead process's: the lock is ours) and the node
 * serves on; the caller logs it. On a clean exit both are removed (runfiles_remove).
 */
#ifndef JIEFEN_RUNFILES_H
#define JIEFEN_RUNFILES_H

#include <stddef.h>

/* Takes the lock of directory `dir` into *fd. 0, or -1 with err saying why (another
 * daemon holds it: its pid, as jiefend.pid names it). */
int runfiles_lock(const char *dir, int *fd, char *err, size_t errlen);

/* Writes `text` as DIR/name whole (temp and rename). 0 or a negative errno; on failure
 * DIR/name no longer exists. */
int runfiles_put(const char *dir, const char *name, const char *text);

/* Removes jiefend.pid and jiefend.addr of DIR and releases the lock fd (accepts -1). */
void runfiles_release(const char *dir, int fd);

#endif
