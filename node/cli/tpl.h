/*
 * tpl — text from templates over the daemon's JSON objects. In a template "{path}" is the
 * value at path ("leader.leader" goes through members) as people read it: codes and
 * booleans through the vocabulary of their key, a *_ms time as local time, integers in
 * decimal, reals (the API's only reals are rates) as percentages, an object of counts as
 * "村 1，乡镇 50.0%". A part in "[...]" is left out when a value in it is absent, null, "",
 * 0 or read as "". Templates are constants of jiefenctl: braces and brackets closed,
 * brackets not nested, paths under 64 bytes.
 * Functions returning int give 0, or -1 out of memory, except tpl_print() (the exit code).
 */
#ifndef JIEFEN_CLI_TPL_H
#define JIEFEN_CLI_TPL_H

#include "table.h"

#include <jansson.h>
#include <stddef.h>

/* A line of a record shown as a two-column table: label, template, and whether the line is
 * left out when it comes out empty (else it shows "-"). */
struct tpl_line {
    const char *label, *tpl;
    int optional;
};

/* tpl filled from o. Malloc'd; NULL when out of memory. */
char *tpl_expand(const char *tpl, const json_t *o);

/* tpl expanded over each object of list, joined by sep; malloc'd, NULL when out of
 * memory. */
char *tpl_list(const json_t *list, const char *tpl, const char *sep);

/* Adds the n lines expanded over o to the two-column table t. */
int tpl_lines(struct table *t, const struct tpl_line *lines, size_t n, const json_t *o);

/* Adds a row of n cells (at most 16), each a template expanded over o. */
int tpl_row(struct table *t, const char *const *cells, size_t n, const json_t *o);

/* Prints the template over o and a line end to stdout, cleaned. The exit code. */
int tpl_print(const char *tpl, const json_t *o);

#endif
