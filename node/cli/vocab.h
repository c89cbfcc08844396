/*
 * vocab — the Chinese names people read for the API's codes (docs/api.md): a vocabulary per
 * kind of code, and the vocabulary of the values at each key wherever the key is. A code
 * that is not in its vocabulary is shown as it is.
 */
#ifndef JIEFEN_CLI_VOCAB_H
#define JIEFEN_CLI_VOCAB_H

/* A vocabulary: an array ended by {NULL, NULL}. */
struct vocab {
    const char *code, *name;
};

/* The vocabularies the commands name directly. */
extern const struct vocab vocab_statuses[], vocab_risks[], vocab_roles[], vocab_tiers[],
    vocab_kinds[], vocab_refusals[];

/* The Chinese name of a code, or the code itself when it is not in the vocabulary. */
const char *vocab_name(const struct vocab *v, const char *code);

/* The vocabulary of the values at `key`, NULL when it has none. */
const struct vocab *vocab_of_key(const char *key);

/* What people read of the value at `key` whose code (or "true"/"false") is `code`. */
const char *vocab_shown(const char *key, const char *code);

#endif
