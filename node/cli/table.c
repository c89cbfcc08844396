/*
 * table — the tables jiefenctl prints for people (table.h).
 */
#include "table.h"

#include "ctl.h"
#include "msg.h"
#include "text.h"

#include <stdio.h>
#include <stdlib.h>

void table_free(struct table *t)
{
    for (size_t i = 0; i < t->nrows * t->ncols; i++)
        free(t->cell[i]);
    free(t->cell);
    free(t->width);
    t->cell = NULL;
    t->width = NULL;
    t->nrows = t->cap = 0;
}

static void table_measure(struct table *t, char **row)
{
    for (size_t c = 0; c < t->ncols; c++) {
        size_t w = text_width(row[c]);
        t->width[c] = w > t->width[c] ? w : t->width[c];
    }
}

int table_add(struct table *t, const char *const *row)
{
    if (!t->width && !(t->width = calloc(t->ncols, sizeof *t->width)))
        return -1;
    if (t->nrows == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        char **cell = reallocarray(t->cell, cap * t->ncols, sizeof *cell);
        if (!cell)
            return -1;
        t->cell = cell, t->cap = cap;
    }
    char **r = t->cell + t->nrows * t->ncols;
    for (size_t i = 0; i < t->ncols; i++) {
        if (!(r[i] = text_clean_dup(row[i] && row[i][0] ? row[i] : "-"))) {
            while (i--)
                free(r[i]);
            return -1;
        }
    }
    table_measure(t, r);
    t->nrows++;
    return 0;
}

void table_print(const struct table *t, int indent)
{
    for (size_t r = 0; r < t->nrows; r++) {
        printf("%*s", indent, "");
        for (size_t c = 0; c < t->ncols; c++) {
            const char *s = t->cell[r * t->ncols + c];
            fputs(s, stdout);
            if (c + 1 < t->ncols)
                printf("%*s", (int)(t->width[c] - text_width(s) + 2), "");
        }
        putchar('\n');
    }
}

int table_kv(struct table *t, const char *key, const char *value)
{
    char *k = NULL;
    if (asprintf(&k, "%s:", key) < 0)
        return -1;
    const char *row[2] = {k, value};
    int rc = table_add(t, row);
    free(k);
    return rc;
}

int table_fill(struct table *t, const char *const *head, const json_t *list, table_row_fn row,
               const void *arg)
{
    int rc = table_add(t, head);
    size_t i;
    json_t *item;
    json_array_foreach(list, i, item) {
        if (rc == 0)
            rc = row(t, item, arg);
    }
    return rc;
}

int table_show(const char *title, int indent, const json_t *list, const char *const *head,
               size_t ncols, table_row_fn row, const void *arg)
{
    struct table t = {.ncols = ncols};
    int rc = table_fill(&t, head, list, row, arg);
    if (rc == 0 && title)
        puts(title);
    if (rc == 0)
        table_print(&t, indent);
    table_free(&t);
    return rc ? msg_oom() : EXIT_OK;
}
