#include "case.h"
#include "error.h"
#include "reference.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Views are allocated with the system allocator field by field, exactly as protobuf-c's
 * default allocator does on unpack, so one free_unpacked() frees both kinds. */
static int set_str(char **field, const char *v)
{
    char *copy = strdup(v ? v : "");
    if (!copy)
        return -ENOMEM;
    if (*field && *field != protobuf_c_empty_string)
        free(*field);
    *field = copy;
    return 0;
}

static int add_ref(Jiefen__CaseView *v, const char *origin, uint64_t seq)
{
    size_t n = v->n_event_origins;
    char **o = realloc(v->event_origins, (n + 1) * sizeof *o);
    if (!o)
        return -ENOMEM;
    v->event_origins = o;
    uint64_t *s = realloc(v->event_seqs, (n + 1) * sizeof *s);
    if (!s)
        return -ENOMEM;
    v->event_seqs = s;
    if (!(o[n] = strdup(origin)))
        return -ENOMEM;
    s[n] = seq;
    v->n_event_origins = v->n_event_seqs = n + 1;
    v->event_count = (uint32_t)(n + 1);
    return 0;
}

static Jiefen__CaseView *view_from_opened(const Jiefen__Event *ev)
{
    const Jiefen__CaseOpened *o = ev->case_opened;
    Jiefen__CaseView *v = malloc(sizeof *v);
    if (!v)
        return NULL;
    jiefen__case_view__init(v);
    v->status = JIEFEN__CASE_STATUS__CASE_STATUS_OPEN;
    v->complexity = o->complexity;
    v->risk = o->risk;
    v->opened_ms = v->updated_ms = ev->time_ms;
    v->due_ms = o->due_ms;
    v->party_count = o->party_count;
    if (set_str(&v->case_id, o->case_id) || set_str(&v->category, o->category) ||
        set_str(&v->department, o->department) || set_str(&v->matter_type, o->matter_type) ||
        set_str(&v->village, o->village) || set_str(&v->source, o->source) ||
        set_str(&v->summary, o->summary) || set_str(&v->holder, ev->origin) ||
        set_str(&v->opened_at_node, ev->origin)) {
        case_view_free(&v);
        return NULL;
    }
    return v;
}

int case_apply(Jiefen__CaseView **view, const Jiefen__Event *ev)
{
    if (ev->body_case != JIEFEN__EVENT__BODY_CASE_OPENED)
        return JF_EINVAL;
    if (*view || strcmp(ev->case_id, ev->case_opened->case_id) != 0)
        return JF_EINVAL;
    Jiefen__CaseView *v = view_from_opened(ev);
    if (!v)
        return -ENOMEM;
    if (add_ref(v, ev->origin, ev->seq)) {
        case_view_free(&v);
        return -ENOMEM;
    }
    *view = v;
    return 0;
}

Jiefen__CaseView *case_view_decode(const void *buf, size_t len)
{
    return jiefen__case_view__unpack(NULL, len, buf);
}

uint8_t *case_view_encode(const Jiefen__CaseView *v, size_t *len)
{
    *len = jiefen__case_view__get_packed_size(v);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (buf)
        jiefen__case_view__pack(v, buf);
    return buf;
}

void case_view_free(Jiefen__CaseView **v)
{
    if (!v || !*v)
        return;
    jiefen__case_view__free_unpacked(*v, NULL);
    *v = NULL;
}

/* Code of enum value `i` (1-based, 0 = unspecified) in a table, "" when out of range. */
static const char *ref_code(const struct ref_table *t, int i)
{
    return (i >= 1 && (size_t)i <= t->count) ? t->entries[i - 1].code : "";
}

const char *case_status_code(int status)
{
    return ref_code(&ref_statuses, status);
}

json_t *case_view_json(const Jiefen__CaseView *v)
{
    const struct ref_entry *cat = ref_find(&ref_categories, v->category);
    return json_pack(
        "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:I,"
        " s:I, s:I}",
        "id", v->case_id, "status", case_status_code(v->status), "category", v->category,
        "category_name", cat ? cat->name : v->category, "department", v->department,
        "matter_type", v->matter_type, "village", v->village, "source", v->source,
        "summary", v->summary, "complexity", ref_code(&ref_complexities, v->complexity),
        "risk", ref_code(&ref_risks, v->risk), "holder", v->holder, "opened_at_node",
        v->opened_at_node, "opened_ms", (json_int_t)v->opened_ms, "due_ms",
        (json_int_t)v->due_ms, "updated_ms", (json_int_t)v->updated_ms, "party_count",
        (json_int_t)v->party_count, "event_count", (json_int_t)v->event_count);
}
