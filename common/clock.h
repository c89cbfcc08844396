/*
 * clock — wall-clock time in UTC milliseconds, with an offset so tests can move a node's
 * time forward (days) without sleeping. All time the node records goes through here.
 */
#ifndef JIEFEN_CLOCK_H
#define JIEFEN_CLOCK_H

#include <stdint.h>

#define CLOCK_DAY_MS 86400000LL

int64_t clock_now_ms(void);

/* Shifts every later clock_now_ms() by offset_ms. */
void clock_set_offset(int64_t offset_ms);
int64_t clock_offset(void);

/* Local calendar fields of `ms` in the process time zone (TZ, set from the node config). */
int clock_local_year(int64_t ms);

/* Formats ms as "YYYY-MM-DD HH:MM:SS" local time into buf (at least 20 bytes). */
void clock_format_local(int64_t ms, char *buf, unsigned len);

/* Parses "YYYY-MM-DD" as local midnight; returns 0 and sets *ms, or -1 if invalid. */
int clock_parse_local_date(const char *s, int64_t *ms);

/* The local midnight that ends the local day containing ms (a DST day is not 24 h). */
int64_t clock_local_day_end(int64_t ms);

#endif
