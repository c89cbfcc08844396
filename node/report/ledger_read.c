#include "report/ledger_read.h"
#include "array.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_FIRST 4096
#define ALIGN 16

/* Allocations that did not fit the arena: freed at the next reset, which grows the arena
 * so that a view of this size fits from then on. */
struct spill {
    struct spill *next;
    max_align_t data[];
};

/* The memory of one unpacked view: a bump allocator, reset before each view. */
struct arena {
    unsigned char *base;
    size_t used, cap, spilled;
    struct spill *extra;
};

struct ledger_read {
    const ProtobufCFieldDescriptor **want; /* want[field number]: kept, else NULL */
    size_t n_want;
    struct held {                          /* the repeated strings of the view */
        const ProtobufCFieldDescriptor *f;
        char *s;
    } *held;
    size_t n_held, cap_held;
    struct arena arena;
    ProtobufCAllocator alloc;
};

static void *arena_alloc(void *data, size_t size)
{
    struct arena *a = data;
    size_t need = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need < size)
        return NULL;
    if (a->cap - a->used >= need) {
        void *p = a->base + a->used;
        a->used += need;
        return p;
    }
    struct spill *s = malloc(sizeof *s + size);
    if (!s)
        return NULL;
    s->next = a->extra;
    a->extra = s;
    a->spilled += need;
    return s->data;
}

/* Everything is freed at once by the next reset. */
static void arena_release(void *data, void *p)
{
    (void)data;
    (void)p;
}

static void arena_reset(struct arena *a)
{
    while (a->extra) {
        struct spill *s = a->extra;
        a->extra = s->next;
        free(s);
    }
    if (a->spilled) {
        size_t cap = (a->used + a->spilled) * 2;
        unsigned char *g = malloc(cap);
        /* Without a larger arena the next large view spills again: slower, still right. */
        if (g) {
            free(a->base);
            a->base = g;
            a->cap = cap;
        }
    }
    a->used = a->spilled = 0;
}

static void refuse(char *err, size_t errlen, const char *what, const char *name)
{
    if (err && errlen)
        snprintf(err, errlen, "ledger_read: %s \"%s\"", what, name);
}

/* The field of CaseView named so, if this reader reads its kind: singular scalars,
 * strings, bytes and messages, and repeated strings. */
static const ProtobufCFieldDescriptor *field_of(const char *name, char *err, size_t errlen)
{
    const ProtobufCFieldDescriptor *f =
        protobuf_c_message_descriptor_get_field_by_name(&jiefen__case_view__descriptor, name);
    if (!f)
        refuse(err, errlen, "CaseView has no field", name);
    else if (f->label == PROTOBUF_C_LABEL_REPEATED && f->type != PROTOBUF_C_TYPE_STRING)
        refuse(err, errlen, "cannot read the repeated field", name);
    else if (f->label != PROTOBUF_C_LABEL_NONE && f->label != PROTOBUF_C_LABEL_REPEATED)
        refuse(err, errlen, "cannot read the optional field", name);
    else
        return f;
    return NULL;
}

ledger_read *ledger_read_new(const char *const *fields, size_t n, char *err, size_t errlen)
{
    uint32_t top = 0;
    for (size_t i = 0; i < n; i++) {
        const ProtobufCFieldDescriptor *f = field_of(fields[i], err, errlen);
        if (!f)
            return NULL;
        top = f->id > top ? f->id : top;
    }
    ledger_read *r = calloc(1, sizeof *r);
    if (!r || !(r->want = calloc((size_t)top + 1, sizeof *r->want)) ||
        !(r->arena.base = malloc(ARENA_FIRST))) {
        if (err && errlen)
            snprintf(err, errlen, "ledger_read: out of memory");
        ledger_read_free(&r);
        return NULL;
    }
    r->n_want = (size_t)top + 1;
    for (size_t i = 0; i < n; i++) {
        const ProtobufCFieldDescriptor *f = field_of(fields[i], NULL, 0);
        r->want[f->id] = f;
    }
    r->arena.cap = ARENA_FIRST;
    r->alloc = (ProtobufCAllocator){arena_alloc, arena_release, &r->arena};
    return r;
}

void ledger_read_free(ledger_read **rp)
{
    ledger_read *r = *rp;
    if (!r)
        return;
    *rp = NULL;
    arena_reset(&r->arena);
    free(r->arena.base);
    free(r->held);
    free(r->want);
    free(r);
}

/* A base-128 varint at *p; -1 if cut short or over ten bytes. */
static int varint(const uint8_t **p, const uint8_t *end, uint64_t *v)
{
    uint64_t x = 0;
    for (int shift = 0; shift < 70 && *p < end; shift += 7) {
        uint8_t b = *(*p)++;
        x |= (uint64_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 0;
        }
    }
    return -1;
}

/* The wire type a field of this type is written with. */
static unsigned wire_of(ProtobufCType t)
{
    switch (t) {
    case PROTOBUF_C_TYPE_FIXED32:
    case PROTOBUF_C_TYPE_SFIXED32:
    case PROTOBUF_C_TYPE_FLOAT:
        return PROTOBUF_C_WIRE_TYPE_32BIT;
    case PROTOBUF_C_TYPE_FIXED64:
    case PROTOBUF_C_TYPE_SFIXED64:
    case PROTOBUF_C_TYPE_DOUBLE:
        return PROTOBUF_C_WIRE_TYPE_64BIT;
    case PROTOBUF_C_TYPE_STRING:
    case PROTOBUF_C_TYPE_BYTES:
    case PROTOBUF_C_TYPE_MESSAGE:
        return PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED;
    default:
        return PROTOBUF_C_WIRE_TYPE_VARINT;
    }
}

static char *arena_string(ledger_read *r, const uint8_t *p, size_t n)
{
    char *s = arena_alloc(&r->arena, n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

/* A varint's value stored as the field's C type at dst. */
static void put_varint(ProtobufCType t, uint64_t v, void *dst)
{
    switch (t) {
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_UINT64:
        *(uint64_t *)dst = v;
        break;
    case PROTOBUF_C_TYPE_SINT64:
        *(int64_t *)dst = (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
        break;
    case PROTOBUF_C_TYPE_SINT32:
        *(int32_t *)dst = (int32_t)((uint32_t)(v >> 1) ^ -(uint32_t)(v & 1));
        break;
    case PROTOBUF_C_TYPE_BOOL:
        *(protobuf_c_boolean *)dst = v != 0;
        break;
    default: /* int32, uint32, enum: the low 32 bits, as protobuf-c keeps them */
        *(uint32_t *)dst = (uint32_t)v;
        break;
    }
}

/* One kept singular field's value into the view: n bytes at p (past the length of a
 * length-prefixed one), v the value of a varint. A field met twice keeps the last value,
 * a message too (protobuf would merge the two; a stored view has each field once). */
static int put_field(ledger_read *r, const ProtobufCFieldDescriptor *f, const uint8_t *p,
                     size_t n, uint64_t v, void *view)
{
    char *dst = (char *)view + f->offset;
    switch (f->type) {
    case PROTOBUF_C_TYPE_STRING:
        return (*(char **)dst = arena_string(r, p, n)) ? 0 : -1;
    case PROTOBUF_C_TYPE_BYTES:
        ((ProtobufCBinaryData *)dst)->len = n;
        ((ProtobufCBinaryData *)dst)->data = (uint8_t *)arena_string(r, p, n);
        return ((ProtobufCBinaryData *)dst)->data ? 0 : -1;
    case PROTOBUF_C_TYPE_MESSAGE:
        *(ProtobufCMessage **)dst = protobuf_c_message_unpack(f->descriptor, &r->alloc, n, p);
        return *(ProtobufCMessage **)dst ? 0 : -1;
    default:
        if (wire_of(f->type) == PROTOBUF_C_WIRE_TYPE_VARINT)
            put_varint(f->type, v, dst);
        else
            memcpy(dst, p, n); /* fixed32 / 64, float, double: little-endian hosts */
        return 0;
    }
}

/* One field at *p, *p then moved past it: its number in *id, its wire type in *wire, its
 * value's bytes at *val (n of them, without a length prefix) and a varint's value in *v.
 * -1 if it does not fit or is a group (proto3 has none). */
static int next_field(const uint8_t **p, const uint8_t *end, uint64_t *id, unsigned *wire,
                      const uint8_t **val, size_t *n, uint64_t *v)
{
    uint64_t tag, len;
    if (varint(p, end, &tag))
        return -1;
    *id = tag >> 3;
    *wire = (unsigned)(tag & 7);
    *v = 0;
    switch (*wire) {
    case PROTOBUF_C_WIRE_TYPE_VARINT:
        *val = *p;
        if (varint(p, end, v))
            return -1;
        *n = (size_t)(*p - *val);
        return 0;
    case PROTOBUF_C_WIRE_TYPE_64BIT:
        len = 8;
        break;
    case PROTOBUF_C_WIRE_TYPE_32BIT:
        len = 4;
        break;
    case PROTOBUF_C_WIRE_TYPE_LENGTH_PREFIXED:
        if (varint(p, end, &len))
            return -1;
        break;
    default:
        return -1;
    }
    if (len > (uint64_t)(end - *p))
        return -1;
    *val = *p;
    *n = (size_t)len;
    *p += len;
    return 0;
}

/* The repeated strings met, in order, moved into their arrays once the view is read. */
static int hold_repeated(ledger_read *r, const ProtobufCFieldDescriptor *f, const uint8_t *p,
                         size_t n)
{
    struct held *g = array_room(r->held, r->n_held, &r->cap_held, sizeof *g, 16);
    if (!g)
        return -1;
    r->held = g;
    r->held[r->n_held].f = f;
    return (r->held[r->n_held++].s = arena_string(r, p, n)) ? 0 : -1;
}

static int place_repeated(ledger_read *r, void *view)
{
    for (size_t i = 0; i < r->n_held; i++) {
        const ProtobufCFieldDescriptor *f = r->held[i].f;
        size_t *count = (size_t *)((char *)view + f->quantifier_offset);
        char ***array = (char ***)((char *)view + f->offset);
        if (!*array) {
            size_t n = 0;
            for (size_t j = i; j < r->n_held; j++)
                n += r->held[j].f == f;
            if (!(*array = arena_alloc(&r->arena, n * sizeof **array)))
                return -1;
        }
        (*array)[(*count)++] = r->held[i].s;
    }
    return 0;
}

const Jiefen__CaseView *ledger_read_view(ledger_read *r, const void *buf, size_t len)
{
    const ProtobufCMessageDescriptor *d = &jiefen__case_view__descriptor;
    const uint8_t *p = buf, *end = p + len;
    arena_reset(&r->arena);
    void *view = arena_alloc(&r->arena, d->sizeof_message);
    if (!view)
        return NULL;
    d->message_init(view);
    r->n_held = 0;
    while (p < end) {
        uint64_t id, v;
        unsigned wire;
        const uint8_t *val;
        size_t n;
        if (next_field(&p, end, &id, &wire, &val, &n, &v))
            return NULL;
        const ProtobufCFieldDescriptor *f = id < r->n_want ? r->want[id] : NULL;
        if (!f)
            continue;
        if (wire != wire_of(f->type))
            return NULL;
        if (f->label == PROTOBUF_C_LABEL_REPEATED ? hold_repeated(r, f, val, n)
                                                  : put_field(r, f, val, n, v, view))
            return NULL;
    }
    return place_repeated(r, view) ? NULL : view;
}
