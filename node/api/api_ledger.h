/*
 * api_ledger — what every spreadsheet route shares (the ledger's here, the reports' in
 * api_report.c): the export job's common part, the query's format and the answer.
 */
#ifndef JIEFEN_API_LEDGER_H
#define JIEFEN_API_LEDGER_H

#include "api/api_core.h"

/* A spreadsheet made on the thread pool (the first member of each export job). */
struct api_export {
    struct api_call *c;
    int xlsx;
    char filename[128];
    char *out; /* the file, malloc'd */
    size_t len;
    char err[256];
};

/* The query's `format` (xlsx, the default, or csv) into *xlsx; NULL or "format" when it is
 * bad. */
const char *api_export_format(const char *query, int *xlsx);

/* The answer: the file, or 500 export_failed with e->err (or rc's text) when rc is not 0;
 * e->out is freed after. */
void api_export_done(struct api_export *e, int rc);

#endif
