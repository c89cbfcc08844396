/* ledger_dept — the ledger's figures per department (ledger_dept.h). */
#include "report/ledger_dept.h"
#include "array.h"
#include "case/dept.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static struct ledger_dept *row_of(struct ledger_depts *t, const char *name)
{
    for (size_t i = 0; i < t->n; i++)
        if (strcmp(t->d[i].name, name) == 0)
            return &t->d[i];
    struct ledger_dept *d = array_room(t->d, t->n, &t->cap, sizeof *d, 8);
    if (!d)
        return NULL;
    t->d = d;
    memset(&d[t->n], 0, sizeof d[t->n]);
    if (!(d[t->n].name = strdup(name)))
        return NULL;
    return &d[t->n++];
}

static int within(int64_t ms, int64_t from_ms, int64_t to_ms)
{
    return ms > 0 && ms >= from_ms && ms < to_ms;
}

/* Not signed by its limit: signed late, recorded overdue, or still unsigned past it at the
 * end of the period (or now, if earlier). Returned or ended (a new routing, the lead's
 * return, a move) unsigned, it was late only if that came after its limit. */
static int sign_late(const Jiefen__DeptPart *p, int64_t end)
{
    if (p->signed_ms)
        return p->signed_ms > p->sign_due_ms;
    if (p->sign_overdue)
        return 1;
    if (p->returned_ms && p->returned_ms < end)
        end = p->returned_ms;
    if (p->ended_ms && p->ended_ms < end)
        end = p->ended_ms;
    return end > p->sign_due_ms;
}

static void count(struct ledger_dept *d, const Jiefen__DeptPart *p, int64_t from_ms,
                  int64_t to_ms, int64_t end)
{
    if (within(p->routed_ms, from_ms, to_ms)) {
        d->received++;
        d->signed_on_time += p->signed_ms && p->signed_ms <= p->sign_due_ms;
        d->overdue += sign_late(p, end);
    }
    d->returned += within(p->returned_ms, from_ms, to_ms);
    if (within(p->done_ms, from_ms, to_ms)) {
        d->done++;
        d->closed_on_time += p->done_due_ms <= 0 || p->done_ms <= p->done_due_ms;
    }
}

int ledger_depts_add(struct ledger_depts *t, const Jiefen__CaseView *v, int64_t from_ms,
                     int64_t to_ms, int64_t now_ms)
{
    int64_t end = to_ms < now_ms ? to_ms : now_ms;
    for (size_t i = 0; v->dept && i < v->dept->n_parts; i++) {
        const Jiefen__DeptPart *p = v->dept->parts[i];
        if (p->routed_ms >= to_ms)
            continue;
        struct ledger_dept *d = row_of(t, p->department);
        if (!d)
            return -ENOMEM;
        count(d, p, from_ms, to_ms, end);
    }
    return 0;
}

static json_t *rate(uint64_t part, uint64_t whole)
{
    return whole ? json_real((double)part / (double)whole) : json_null();
}

json_t *ledger_depts_json(const struct ledger_depts *t)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < t->n; i++) {
        const struct ledger_dept *d = &t->d[i];
        json_t *row = json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}", "received",
                                (json_int_t)d->received, "signed_on_time",
                                (json_int_t)d->signed_on_time, "overdue", (json_int_t)d->overdue,
                                "returned", (json_int_t)d->returned, "done",
                                (json_int_t)d->done, "closed_on_time",
                                (json_int_t)d->closed_on_time, "sign_on_time_rate",
                                rate(d->signed_on_time, d->received), "closed_on_time_rate",
                                rate(d->closed_on_time, d->done));
        if (json_object_set_new(o, d->name, row)) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

void ledger_depts_clear(struct ledger_depts *t)
{
    for (size_t i = 0; i < t->n; i++)
        free(t->d[i].name);
    free(t->d);
    memset(t, 0, sizeof *t);
}
