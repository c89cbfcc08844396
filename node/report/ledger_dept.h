/*
 * ledger_dept — the ledger's figures per department (部门办理时效, docs/ledger.md): of the
 * departments' parts of the cases in a ledger (dept.h), those routed, signed for on time,
 * overdue to sign, returned, and with a result fed back (on time or not) in the period.
 * A handful of departments per centre: a list searched in order is enough.
 */
#ifndef JIEFEN_LEDGER_DEPT_H
#define JIEFEN_LEDGER_DEPT_H

#include "jiefen.pb-c.h"

#include <jansson.h>
#include <stdint.h>

struct ledger_dept {
    char *name;
    uint64_t received, signed_on_time, overdue, returned, done, closed_on_time;
};

/* Zeroed, it is empty. */
struct ledger_depts {
    struct ledger_dept *d;
    size_t n, cap;
};

/* Counts the parts of case v in [from_ms, to_ms), as of now_ms. 0 or -ENOMEM. */
int ledger_depts_add(struct ledger_depts *t, const Jiefen__CaseView *v, int64_t from_ms,
                     int64_t to_ms, int64_t now_ms);

/* {"<department>": {received, signed_on_time, overdue, returned, done, closed_on_time,
 * sign_on_time_rate, closed_on_time_rate}} (rates null when their denominator is 0). New
 * reference or NULL. */
json_t *ledger_depts_json(const struct ledger_depts *t);

/* Frees; the list is empty again. */
void ledger_depts_clear(struct ledger_depts *t);

#endif
