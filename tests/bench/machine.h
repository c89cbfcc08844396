/* machine — this machine's ceilings, measured in the same run as a benchmark's figures so
 * that each figure can be read beside them (issue 19: a noisy, shared machine whose cores
 * and disk change speed from hour to hour must not mislead). Each measures for about
 * `secs` seconds on the calling thread; a failure exits the process with a message. */
#ifndef JIEFEN_BENCH_MACHINE_H
#define JIEFEN_BENCH_MACHINE_H

#include "crypto.h"
#include "store.h"

/* Ed25519 signatures of 512 bytes made per second with id's key, on one core. */
double machine_sign_rate(const crypto_identity *id, double secs);

/* Ed25519 signatures of 512 bytes checked per second, on one core. */
double machine_verify_rate(const crypto_identity *id, double secs);

/* Durable LMDB commits per second, each one put of 512 bytes into st's meta table. */
double machine_commit_rate(store *st, double secs);

/* The key the rates above sign with: the one in `path`, made there if there is none (a
 * throwaway key, kept so that a second run need not make another). 0 or a negative errno. */
int machine_identity(const char *path, crypto_identity **out);

#endif
