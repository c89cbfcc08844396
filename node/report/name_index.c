#include "report/name_index.h"
#include "case/reference.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static size_t hash(const char *s)
{
    uint32_t h = 2166136261u; /* FNV-1a: short names, few of them */
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 16777619u;
    return h;
}

/* The slot holding name, or the free slot where it would go. */
static struct name_slot *slot_of(const struct name_index *x, const char *name)
{
    size_t mask = x->n_slots - 1, i = hash(name) & mask;
    while (x->slots[i].name && strcmp(x->slots[i].name, name) != 0)
        i = (i + 1) & mask;
    return &x->slots[i];
}

ssize_t name_index_get(const struct name_index *x, const char *name)
{
    if (!x->n_slots)
        return -1;
    const struct name_slot *s = slot_of(x, name);
    return s->name ? (ssize_t)s->number : -1;
}

/* Twice the slots, every name moved to its place among them. */
static int grow(struct name_index *x)
{
    struct name_index g = {calloc(x->n_slots ? x->n_slots * 2 : 16, sizeof *g.slots),
                           x->n_slots ? x->n_slots * 2 : 16, x->count};
    if (!g.slots)
        return -ENOMEM;
    for (size_t i = 0; i < x->n_slots; i++)
        if (x->slots[i].name)
            *slot_of(&g, x->slots[i].name) = x->slots[i];
    free(x->slots);
    *x = g;
    return 0;
}

int name_index_put(struct name_index *x, const char *name, size_t number)
{
    if (2 * (x->count + 1) > x->n_slots && grow(x) != 0)
        return -ENOMEM;
    struct name_slot *s = slot_of(x, name);
    if (!s->name) {
        *s = (struct name_slot){name, number};
        x->count++;
    }
    return 0;
}

int name_index_put_table(struct name_index *x, const struct ref_table *t)
{
    int rc = 0;
    for (size_t i = 0; i < t->count && rc == 0; i++)
        if ((rc = name_index_put(x, t->entries[i].code, i)) == 0)
            rc = name_index_put(x, t->entries[i].name, i);
    return rc;
}

void name_index_clear(struct name_index *x)
{
    free(x->slots);
    *x = (struct name_index){0};
}
