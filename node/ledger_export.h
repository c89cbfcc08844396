/*
 * ledger_export — the ledger of a period as a spreadsheet, in the layout such ledgers use:
 * 汇总 (the figures), 按纠纷类别, 按村(社区), 按来源, and 案件登记台账 (one row per case taken
 * in, no personal data), each with a caption naming the centre and the period. CSV (UTF-8
 * with a BOM) or XLSX. The figures and the rows come from one read transaction.
 */
#ifndef JIEFEN_LEDGER_EXPORT_H
#define JIEFEN_LEDGER_EXPORT_H

#include "ledger.h"

#include <stddef.h>

struct ledger_export_req {
    const char *node_id, *node_name;
    int64_t from_ms, to_ms, now_ms;
    int xlsx;                 /* else CSV */
    const char *dir;          /* where the XLSX file is written while it is made */
};

/* The file's bytes in *out (malloc'd) and *len. 0, or an error (err says more for XLSX). */
int ledger_export(store *st, MDB_txn *txn, const struct ledger_export_req *q, char **out,
                  size_t *len, char *err, size_t errlen);

#endif
