/* machine — the ceilings the benchmarks print beside their figures (machine.h). */
#include "machine.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

double machine_sign_rate(const crypto_identity *id, double secs)
{
    uint8_t msg[512] = {1}, sig[CRYPTO_SIG_LEN];
    double t0 = now_s(), t;
    long n = 0;
    do {
        for (int i = 0; i < 1000; i++)
            crypto_ed25519_sign(id, msg, sizeof msg, sig);
        n += 1000;
    } while ((t = now_s() - t0) < secs);
    return n / t;
}

double machine_verify_rate(const crypto_identity *id, double secs)
{
    uint8_t msg[512] = {1}, sig[CRYPTO_SIG_LEN];
    crypto_ed25519_sign(id, msg, sizeof msg, sig);
    double t0 = now_s(), t;
    long n = 0;
    do {
        for (int i = 0; i < 1000; i++)
            if (crypto_ed25519_verify(crypto_identity_pk(id), msg, sizeof msg, sig)) {
                fprintf(stderr, "machine: a good signature did not verify\n");
                exit(1);
            }
        n += 1000;
    } while ((t = now_s() - t0) < secs);
    return n / t;
}

double machine_commit_rate(store *st, double secs)
{
    uint8_t val[512] = {0};
    double t0 = now_s(), t;
    long n = 0;
    do {
        MDB_txn *txn;
        char key[32];
        int len = snprintf(key, sizeof key, "bench:%ld", n), rc;
        if ((rc = store_txn_begin(st, 0, &txn)) ||
            (rc = store_put(txn, st->meta, key, (size_t)len, val, sizeof val, 0)) ||
            (rc = store_txn_commit(txn))) {
            fprintf(stderr, "machine: a commit failed: %s\n", jf_strerror(rc));
            exit(1);
        }
        n++;
    } while ((t = now_s() - t0) < secs);
    return n / t;
}

int machine_identity(const char *path, crypto_identity **out)
{
    int rc = crypto_identity_create(path, out);
    return rc == -EEXIST ? crypto_identity_load(path, out) : rc;
}
