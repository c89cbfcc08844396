/*
 * name_index — names to numbers in a hash table (open addressing, kept at most half full),
 * for the lookups a scan of a million cases makes per case: the node of an id, the entry
 * of a reference code or name, the ledger row of a village. The names are not copied: each
 * must outlive the index.
 */
#ifndef JIEFEN_NAME_INDEX_H
#define JIEFEN_NAME_INDEX_H

#include <stddef.h>
#include <sys/types.h>

struct ref_table;

struct name_slot {
    const char *name; /* NULL: free */
    size_t number;
};

/* Zeroed, it is empty. */
struct name_index {
    struct name_slot *slots;
    size_t n_slots, count; /* n_slots a power of two (or 0) */
};

/* The number put for name, or -1 when it has none. */
ssize_t name_index_get(const struct name_index *x, const char *name);

/* Puts name → number unless name has a number already (the first one stays). 0 or -ENOMEM
 * (the index unchanged). */
int name_index_put(struct name_index *x, const char *name, size_t number);

/* Puts a reference table's codes and Chinese names, each to its entry's index, so that a
 * get finds what ref_index finds (the first entry whose code or name it is). 0 or -ENOMEM. */
int name_index_put_table(struct name_index *x, const struct ref_table *t);

/* Frees the table; the index is empty again. */
void name_index_clear(struct name_index *x);

#endif
