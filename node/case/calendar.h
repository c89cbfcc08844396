/*
 * calendar — working days and the deadlines of time limits (限时办结).
 * A calendar is Monday–Friday plus a holiday file's exceptions: `off` days (public holidays)
 * and `work` days (adjusted working days, 调休). Dates are those of the process's local time
 * zone (TZ, set by the daemon at start); a deadline is the local midnight ending its last day.
 * A loaded calendar is read-only, so one may be shared by any number of readers.
 */
#ifndef JIEFEN_CALENDAR_H
#define JIEFEN_CALENDAR_H

#include <stddef.h>
#include <stdint.h>

typedef struct calendar calendar;

/* Loads a holiday calendar file. Format: one entry per line, `YYYY-MM-DD off` (a public
 * holiday on a weekday) or `YYYY-MM-DD work` (an adjusted working day on a weekend, 调休);
 * the entry decides, whatever the weekday. Text after the second field or after a '#', and
 * blank lines, are comments; a UTF-8 BOM and CRLF line ends are accepted. The same date
 * twice with the same word is accepted. On success *out owns a new calendar (free it with
 * calendar_free). Returns 0, or JF_ECONFIG with "FILE:LINE: message" in err (bad date like
 * 2026-02-30 or a year outside 1900–9999, unknown word, missing field, duplicate date with
 * a different word), a negative errno with "FILE: reason" in err if unreadable, -ENOMEM,
 * or JF_EINVAL if path or out is NULL. err may be NULL. */
int calendar_load(const char *path, calendar **out, char *err, size_t errlen);

/* An empty calendar: Monday–Friday are working days. Returns 0 with *out owning it,
 * -ENOMEM, or JF_EINVAL if out is NULL. */
int calendar_new(calendar **out);

/* Frees *c and sets it to NULL; accepts NULL and *c == NULL. */
void calendar_free(calendar **c);

/* 1 if the local date containing ms (UTC milliseconds) is a working day, else 0.
 * c == NULL means the empty calendar. */
int calendar_is_working_day(const calendar *c, int64_t ms);

/* Deadline (UTC ms) of a time limit of `days` starting at start_ms (UTC ms):
 *   c == NULL (calendar days): start_ms + days * 86,400,000.
 *   c != NULL (working days): the end (next local midnight, i.e. the first instant of the
 *   following local date, even where DST skips or repeats midnight) of the days-th working
 *   day counted from the local day after start_ms's local day; the start day never counts,
 *   whether or not it is a working day. days == 0 → end of the start day.
 * Saturates at INT64_MAX instead of overflowing. */
int64_t calendar_due(const calendar *c, int64_t start_ms, unsigned days);

/* The moment (UTC ms) when `work_ms` of working time has passed from start_ms, counting
 * only the hours [open_min, close_min) (minutes after local midnight) of working days
 * (c == NULL: Monday–Friday). A start outside them counts from the next opening. Assumes
 * no DST change inside the working hours. start_ms itself when work_ms <= 0 or the hours
 * are empty; INT64_MAX if no working day comes within 800 days. */
int64_t calendar_add_work(const calendar *c, int64_t start_ms, int64_t work_ms, int open_min,
                          int close_min);

#endif
