/*
 * reference — the fixed vocabularies of intake: dispute categories with their responsible
 * departments (DESIGN.md rule 2, seed 002 §4.3), matter types, sources, complexities, risk
 * colours, party roles and case statuses. Each entry has a stable English code (what is
 * stored and sent) and its Chinese name (what staff read).
 */
#ifndef JIEFEN_REFERENCE_H
#define JIEFEN_REFERENCE_H

#include <stddef.h>

struct ref_entry {
    const char *code;
    const char *name;
    const char *department; /* categories only */
};

struct ref_table {
    const char *kind;       /* "categories", "matter_types", ... */
    const struct ref_entry *entries;
    size_t count;
};

extern const struct ref_table ref_categories, ref_matter_types, ref_sources,
    ref_complexities, ref_risks, ref_roles, ref_statuses, ref_outcomes, ref_methods,
    ref_referrals, ref_channels, ref_satisfactions, ref_purposes, ref_followup_methods,
    ref_performances, ref_roster_kinds;

/* The entry whose code or Chinese name is `s`; NULL if none. */
const struct ref_entry *ref_find(const struct ref_table *t, const char *s);

/* Index of the entry whose code or name is `s` (0-based), or -1. */
int ref_index(const struct ref_table *t, const char *s);

/* All tables, NULL-terminated, for GET /api/v1/reference. */
extern const struct ref_table *const ref_all[];

#endif
