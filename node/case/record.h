/*
 * record — what the printable forms need that a case does not hold otherwise (调解笔录,
 * 调解协议书, 司法确认申请书, 回访单), entered at its step: a table of record kinds and
 * their fields (code, Chinese label, limits), the check of an entry, its event
 * (forms_record) with the texts as the event's sealed part, and the newest entry of each
 * kind read back from the case file (casefile.h: wherever this node got the part from).
 */
#ifndef JIEFEN_RECORD_H
#define JIEFEN_RECORD_H

#include "crypto.h"
#include "jiefen.pb-c.h"
#include "log/eventlog.h"
#include "store.h"

#include <jansson.h>

#define RECORD_FIELDS_MAX 8
#define RECORD_ERR_MAX 256

struct record_field {
    const char *code, *label;
    size_t max;              /* bytes */
    int required;
    int date;                /* YYYY-MM-DD */
};

struct record_kind {
    const char *code, *name;
    const struct record_field *fields;
    size_t n_fields;
};

enum { RECORD_MEDIATION, RECORD_AGREEMENT, RECORD_CONFIRMATION, RECORD_FOLLOW_UP, RECORD_KINDS };

extern const struct record_kind record_kinds[RECORD_KINDS];

/* The kind of a code or Chinese name, or -1. */
int record_kind_index(const char *code_or_name);

/* Why an entry is refused: the field's code, missing_field / invalid_field / unknown_field,
 * and a Chinese message naming the field by its label. */
struct record_error {
    char field[64], code[24], msg[RECORD_ERR_MAX];
};

/* Checks `fields` (a JSON object of field code -> text) for kind k and packs the sealed
 * part (salt and texts) into *out (malloc'd; wipe and free it). 0, -ENOMEM, or JF_EINVAL
 * with *e filled. */
int record_parse(int k, const json_t *fields, uint8_t **out, size_t *len,
                 struct record_error *e);

/* Appends the forms_record event of kind k for the case v holds, by actor, sealing `sealed`. */
int record_append(eventlog_tx *tx, const Jiefen__CaseView *v, int k, const uint8_t *sealed,
                  size_t len, const char *actor);

/* The newest entry of each kind this node can read of case v. */
struct record_set {
    Jiefen__FormsContent *content[RECORD_KINDS]; /* NULL: none */
    uint8_t hash[RECORD_KINDS][CRYPTO_HASH_LEN];  /* of the event that made it */
    int64_t time_ms[RECORD_KINDS];
    char actor[RECORD_KINDS][64];                 /* the person's name, or user */
    char origin[RECORD_KINDS][STORE_ORIGIN_MAX + 1];
    uint64_t seq[RECORD_KINDS];
};

int record_read(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                const Jiefen__CaseView *v, struct record_set *out);
void record_set_clear(struct record_set *rs);

/* The text of field `code` in c, "" when absent. */
const char *record_value(const Jiefen__FormsContent *c, const char *code);

#endif
