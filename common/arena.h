/*
 * arena — memory for many small objects that die together: allocation moves a pointer,
 * freeing one object does nothing, arena_reset() takes everything back at once (keeping
 * the chunks for the next round). What ingest decodes of a batch lives here: a thousand
 * envelopes of a dozen allocations each, all released when the batch is applied, cost the
 * loop far less than a thousand rounds through malloc and free.
 *
 * One owner, one thread. arena_allocator() hands protobuf-c the arena, so an unpacked
 * message lives in it (and its free_unpacked, given the same allocator, does nothing).
 */
#ifndef JIEFEN_ARENA_H
#define JIEFEN_ARENA_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>

typedef struct arena arena;

/* An arena that takes memory from malloc in chunks of at least chunk bytes. NULL when out
 * of memory. Freed with arena_free(). */
arena *arena_new(size_t chunk);
void arena_free(arena **a);

/* len bytes aligned for any type, valid until the next arena_reset(); NULL when out of
 * memory. */
void *arena_alloc(arena *a, size_t len);

/* Everything allocated is gone. The memory is kept for the next round: in one chunk as
 * large as this round took. */
void arena_reset(arena *a);

/* The arena as protobuf-c's allocator (valid while a is). */
ProtobufCAllocator *arena_allocator(arena *a);

#endif
