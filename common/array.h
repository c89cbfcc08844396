/*
 * array — room in a malloc'd array that grows by doubling, the one idiom behind every list
 * the daemon builds (ingest runs, calendars, trees, report children, export tables), and
 * one more element for an array that keeps no capacity.
 */
#ifndef JIEFEN_ARRAY_H
#define JIEFEN_ARRAY_H

#include <stddef.h>

/* items (count used of *cap elements of elem bytes) with room for one more: items itself,
 * or its reallocation with *cap doubled (`first` for an empty one). NULL when out of memory;
 * items is then unchanged and still the caller's. */
void *array_room(void *items, size_t count, size_t *cap, size_t elem, size_t first);

/* items, which holds exactly count elements of elem bytes (a protobuf message's repeated
 * field: it has no capacity to keep), reallocated to hold count + 1. NULL when out of
 * memory or the size overflows; items is then unchanged and still the caller's. */
void *array_one_more(void *items, size_t count, size_t elem);

#endif
