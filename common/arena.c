#include "arena.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>

struct chunk {
    struct chunk *next;
    size_t size, used;
    alignas(max_align_t) unsigned char data[];
};

struct arena {
    struct chunk *head; /* the chunk being filled; older ones behind it */
    size_t chunk;
    ProtobufCAllocator pb;
};

static void *pb_alloc(void *data, size_t len)
{
    return arena_alloc(data, len);
}

static void pb_free(void *data, void *p)
{
    (void)data, (void)p; /* taken back by arena_reset */
}

arena *arena_new(size_t chunk)
{
    arena *a = calloc(1, sizeof *a);
    if (!a)
        return NULL;
    a->chunk = chunk;
    a->pb = (ProtobufCAllocator){pb_alloc, pb_free, a};
    return a;
}

static void free_chunks(struct chunk *c)
{
    while (c) {
        struct chunk *next = c->next;
        free(c);
        c = next;
    }
}

void arena_free(arena **a)
{
    if (!a || !*a)
        return;
    free_chunks((*a)->head);
    free(*a);
    *a = NULL;
}

void *arena_alloc(arena *a, size_t len)
{
    const size_t align = alignof(max_align_t);
    len = (len + align - 1) & ~(align - 1);
    struct chunk *c = a->head;
    if (!c || c->size - c->used < len) {
        size_t size = len > a->chunk ? len : a->chunk;
        if (size > SIZE_MAX - sizeof *c || !(c = malloc(sizeof *c + size)))
            return NULL;
        c->size = size;
        c->used = 0;
        c->next = a->head;
        a->head = c;
    }
    void *p = c->data + c->used;
    c->used += len;
    return p;
}

void arena_reset(arena *a)
{
    if (a->head && !a->head->next) {
        a->head->used = 0;
        return;
    }
    /* The round took several chunks: the next gets one of their total size. */
    size_t total = 0;
    for (struct chunk *c = a->head; c; c = c->next)
        total += c->size;
    free_chunks(a->head);
    a->head = NULL;
    if (total > a->chunk)
        a->chunk = total;
}

ProtobufCAllocator *arena_allocator(arena *a)
{
    return &a->pb;
}
