/*
 * table — the tables jiefenctl prints for people: rows of cells (cleaned copies; NULL or ""
 * shows as "-"), each column but the last padded to its widest cell by display width, two
 * spaces between columns. Functions returning int give 0, or -1 out of memory, except
 * table_show(), which prints and gives the exit code.
 */
#ifndef JIEFEN_CLI_TABLE_H
#define JIEFEN_CLI_TABLE_H

#include <jansson.h>
#include <stddef.h>

/* Set ncols and zero the rest ({.ncols = N}) to start; release with table_free(). */
struct table {
    size_t ncols, nrows, cap;
    char **cell;     /* row-major, nrows * ncols cleaned copies, owned */
    size_t *width;   /* ncols display widths: the widest cell of each column */
};

/* Frees the cells; the table is empty again. */
void table_free(struct table *t);

/* Appends a row of ncols strings, copied. */
int table_add(struct table *t, const char *const *row);

/* Prints the rows to stdout, each indented by `indent` spaces. */
void table_print(const struct table *t, int indent);

/* Adds "key:" "value" to a two-column table. */
int table_kv(struct table *t, const char *key, const char *value);

/* Adds the row of an item of a list to t, arg as the caller of table_fill() gave it. */
typedef int (*table_row_fn)(struct table *t, const json_t *item, const void *arg);

/* Adds head (t->ncols cells), then a row per item of list, made by row. */
int table_fill(struct table *t, const char *const *head, const json_t *list, table_row_fn row,
               const void *arg);

/* Prints a table of ncols columns made by table_fill(), indented, after a line `title`
 * (NULL: none). Nothing is printed when memory runs out. The exit code. */
int table_show(const char *title, int indent, const json_t *list, const char *const *head,
               size_t ncols, table_row_fn row, const void *arg);

#endif
