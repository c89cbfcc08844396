/*
 * migrations — the numbered steps that bring an older store to this release's format
 * (MIGRATIONS_FORMAT), run by log/migrate.c at start in one transaction.
 *
 *   format 1  stores made before the format was recorded (releases up to 2026-12-06)
 *   format 2  every case view in the `opened` index (the case list newest first)
 *   format 3  every case's items in the `agenda` index (待办)
 *   format 4  each department's cases (`deptq`)
 *   format 5  the outbox's pending messages by when they are due (outbox.h)
 *
 * Each step rebuilds a derived index, idempotently: a format-1 store
 * may have been made by a release that had the index already, or one that had not.
 * A later release that adds a derived database adds its step here, numbered next.
 */
#ifndef JIEFEN_MIGRATIONS_H
#define JIEFEN_MIGRATIONS_H

#include "log/migrate.h"

#include <stddef.h>

#define MIGRATIONS_FORMAT 5

/* The steps, ordered by format; *n gets their number. Static: never freed. */
const struct migrate_step *migrations_steps(size_t *n);

#endif
