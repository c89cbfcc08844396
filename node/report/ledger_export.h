/*
 * ledger_export — the ledger of a period, and a report as stored, as a spreadsheet in the
 * layout such ledgers use. The figures' sheets are the same for both, made from the
 * figures' JSON (ledger_json, or the text a report froze): 汇总 (the figures), 按纠纷类别,
 * 按村(社区) and 按来源, each with a caption naming the centre and the period. The ledger
 * adds 案件登记台账 (one row per case taken in, no personal data; in XLSX continued on
 * 案件登记台账 (2), (3)… past a sheet's rows); a report puts 报告 first (who submitted it
 * and when, its review, the children marked missing, the staff's analysis). CSV (UTF-8 with
 * a BOM) or XLSX, written as a stream: a county's year of cases is not held in memory.
 */
#ifndef JIEFEN_LEDGER_EXPORT_H
#define JIEFEN_LEDGER_EXPORT_H

#include "report/ledger.h"

#include <stddef.h>

struct ledger_export_req {
    const char *node_id, *node_name;
    int64_t from_ms, to_ms, now_ms;
    int xlsx;                 /* else CSV */
    const char *dir;          /* where the file is written while it is made */
};

/* The ledger's file, computed in txn: its bytes in *out (malloc'd) and *len. 0, or an
 * error with a message in err. */
int ledger_export(store *st, MDB_txn *txn, const struct ledger_export_req *q, char **out,
                  size_t *len, char *err, size_t errlen);

struct report_export_req {
    const Jiefen__ReportView *v;  /* the report as stored */
    const char *node_name;        /* of v->origin */
    const char *submitter_name;   /* the person who submitted it, by name */
    const char *reviewer_name;    /* of v->reviewer, the node that reviewed it ("" if none) */
    int xlsx;                     /* else CSV */
    const char *dir;              /* where the file is written while it is made */
};

/* The report's file: its bytes in *out (malloc'd) and *len. 0, JF_ECORRUPT (figures that
 * are not JSON), or an error with a message in err. */
int ledger_export_report(const struct report_export_req *q, char **out, size_t *len,
                         char *err, size_t errlen);

#endif
