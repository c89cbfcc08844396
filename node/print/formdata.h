/*
 * formdata — what a printable form shows of a case, read in one transaction: the case as
 * this node holds it, its parties (the opening's sealed part, when this node can open it),
 * the newest record of each kind (case/record.h), its file as a list of events with Chinese
 * names (the 卷内目录), and this node's certificate chain, which signs the receipts.
 */
#ifndef JIEFEN_FORMDATA_H
#define JIEFEN_FORMDATA_H

#include "case/record.h"
#include "crypto.h"
#include "jiefen.pb-c.h"
#include "store.h"

#define FORMDATA_NAME_MAX 256

struct form_event {
    int64_t time_ms;
    const char *kind;                   /* Chinese (static) */
    char actor[FORMDATA_NAME_MAX];
    char node[FORMDATA_NAME_MAX];
    char detail[512];
};

struct formdata {
    Jiefen__CaseView *v;
    Jiefen__Sealed *opening;            /* NULL: not readable here */
    struct record_set rec;
    struct form_event *events;
    size_t n_events;
    uint8_t opened_hash[CRYPTO_HASH_LEN];
    int64_t opened_ms;
    char opened_by[FORMDATA_NAME_MAX];  /* who took it in */
    char self_name[FORMDATA_NAME_MAX], opened_name[FORMDATA_NAME_MAX];
    Jiefen__EnrolBundle *bundle;        /* NULL: this node is not enrolled */
};

/* Reads case_id into *d. 0, JF_ENOTFOUND (no such case here), -ENOMEM or a store error;
 * release with formdata_clear() either way. */
int formdata_read(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                  const char *case_id, struct formdata *d);
void formdata_clear(struct formdata *d);

/* This node's certificate and chain (meta "own_bundle"), *out NULL when not enrolled. */
int formdata_bundle(store *st, MDB_txn *txn, Jiefen__EnrolBundle **out);

/* The root certificate of this node's tree (packed SignedCert, malloc'd). 0, JF_ENOTFOUND
 * (not enrolled), -ENOMEM or a store error. */
int formdata_root(store *st, MDB_txn *txn, uint8_t **out, size_t *len);

/* The receipt text (common/receipt.h) of `kind` for an event of the case, signed by this
 * node; *out NULL when this node is not enrolled. 0 or -ENOMEM. */
int formdata_receipt(const struct formdata *d, const crypto_identity *id, const char *self,
                     const char *kind, const uint8_t hash[CRYPTO_HASH_LEN], int64_t time_ms,
                     char **out);

/* "2026年12月7日" of a time, or of a "YYYY-MM-DD" text (len >= 32). */
const char *formdata_date(int64_t ms, char *buf, size_t len);
const char *formdata_date_text(const char *ymd, char *buf, size_t len);

#endif
