#include "case/migrations.h"
#include "case/caseindex.h"
#include "case/deptindex.h"
#include "outbox/outbox.h"

static int to_opened(store *st, MDB_txn *txn, const char *self)
{
    (void)self;
    return caseindex_opened_fill(st, txn);
}

static int to_agenda(store *st, MDB_txn *txn, const char *self)
{
    return caseindex_agenda_fill(st, txn, self);
}

static int to_deptq(store *st, MDB_txn *txn, const char *self)
{
    return deptindex_fill(st, txn, self);
}

static int to_due(store *st, MDB_txn *txn, const char *self)
{
    (void)self;
    return outbox_due_fill(st, txn);
}

static const struct migrate_step steps[] = {
    {2, "cases by opening time (index opened)", to_opened},
    {3, "what waits for this node (index agenda, 待办)", to_agenda},
    {4, "each department's cases (index deptq)", to_deptq},
    {5, "the outbox's messages by when they are due (db notify, 'q')", to_due},
};

const struct migrate_step *migrations_steps(size_t *n)
{
    *n = sizeof steps / sizeof steps[0];
    return steps;
}
