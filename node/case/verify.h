/*
 * verify — checks a whole store the way `git fsck` checks a repository: every event's
 * place (dense seq per origin, key matching content), the hash chain, every signature,
 * every sealed part (decrypts, and its hash is the one the event signed), every event
 * received from an ancestor (its own signature), and every case
 * view against a fresh fold of its events, plus the counters derived from the views.
 * Read-only; runs in one read transaction, so it can run off the loop thread.
 */
#ifndef JIEFEN_VERIFY_H
#define JIEFEN_VERIFY_H

#include "crypto.h"
#include "envelope.h"
#include "store.h"

#include <jansson.h>
#include <stdint.h>

#define VERIFY_MAX_LISTED 1000

struct verify_problem {
    char origin[STORE_ORIGIN_MAX + 1];
    uint64_t seq;
    char case_id[64];
    char what[160];
};

struct verify_report {
    uint64_t events, cases, problem_count;
    struct verify_problem *problems;  /* the first VERIFY_MAX_LISTED */
    size_t n_problems;
};

/* Checks the store as read in txn. Returns 0 when the check ran (problems or not: see the
 * report) or a negative code when it could not run. Free the report with
 * verify_report_free(). */
int verify_run(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
               struct verify_report *out);

void verify_report_free(struct verify_report *r);

/* Checks one event's signature with its origin's key: this node's own (`self`, `id`) or
 * the registry's, read in txn (so it is safe off the loop thread). A revoked origin's past
 * events still verify with its key. 0, JF_ENOTFOUND (origin unknown) or JF_EBADSIG. */
int verify_signature(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                     const envelope *e);

/* The report as docs/api.md describes it. New reference. */
json_t *verify_report_json(const struct verify_report *r);

#endif
