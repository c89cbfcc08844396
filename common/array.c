#include "array.h"

#include <stdint.h>
#include <stdlib.h>

void *array_room(void *items, size_t count, size_t *cap, size_t elem, size_t first)
{
    if (count < *cap)
        return items;
    size_t grown = *cap ? *cap * 2 : first;
    if (grown < *cap || grown > SIZE_MAX / elem)
        return NULL;
    void *g = realloc(items, grown * elem);
    if (g)
        *cap = grown;
    return g;
}

void *array_one_more(void *items, size_t count, size_t elem)
{
    if (elem == 0 || count >= SIZE_MAX / elem - 1)
        return NULL;
    return realloc(items, (count + 1) * elem);
}
