/*
 * decoy — failed logins of user names that do not exist, counted in memory on stand-in
 * records, so that an unknown name is slowed and locked by the very rules of a real one
 * (account_delay_ms, account_failed, account_locked) and the answers do not tell which names
 * are accounts. At most DECOY_MAX names are remembered; when full, an unlocked one before a
 * locked one, the fewest failures, the one tried longest ago is forgotten. Lost at a restart
 * (real counts are not). A flood of thousands of names can still push one out: bounded
 * memory cannot hide names from that, only make it slow (each try costs a password hash).
 */
#ifndef JIEFEN_DECOY_H
#define JIEFEN_DECOY_H

#include <stdint.h>

#include "jiefen.pb-c.h"

#define DECOY_MAX 4096

struct decoys;

/* The stand-in of `user`, or NULL when it has none. Valid until the next decoy_get. */
Jiefen__UserRecord *decoy_find(struct decoys *d, const char *user);

/* The stand-in of `user`, made when it has none (the table too, when *d is NULL), marked
 * as tried at `now`. NULL when out of memory or no account could have the name. */
Jiefen__UserRecord *decoy_get(struct decoys **d, const char *user, int64_t now);

/* Frees the table; accepts NULL and clears the caller's pointer. */
void decoy_free(struct decoys **d);

#endif
