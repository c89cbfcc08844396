/* machine — this machine's ceilings, measured in the same run as a benchmark's figures so
 * that each figure can be read beside them (issue 19: a noisy, shared machine whose cores
 * and disk change speed from hour to hour must not mislead): Ed25519 signs and verifies per
 * second on one core, and LMDB durable commits per second of one small record. Each runs
 * for about `secs` seconds; a failure of the store exits the process. */
#ifndef JIEFEN_BENCH_MACHINE_H
#define JIEFEN_BENCH_MACHINE_H

#include "crypto.h"
#include "store.h"

double machine_sign_rate(const crypto_identity *id, double secs);
double machine_verify_rate(const crypto_identity *id, double secs);
double machine_commit_rate(store *st, double secs);

/* The identity in `path`, made there if there is none. 0 or a negative errno. */
int machine_identity(const char *path, crypto_identity **out);

#endif
