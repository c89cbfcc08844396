/*
 * field — members of the daemon's JSON objects as text: absent or mistyped members read as
 * "" (strings) or "-" (numbers, times), never as an error. Times are *_ms since the epoch,
 * shown in local time (TZ: jiefenctl sets the node's zone). Those taking buf write there and
 * return it.
 */
#ifndef JIEFEN_CLI_FIELD_H
#define JIEFEN_CLI_FIELD_H

#include <jansson.h>
#include <stddef.h>

/* The string at key, "" when absent or not a string. */
const char *field_str(const json_t *o, const char *key);

/* The integer at key as text in buf, "-" when absent. */
const char *field_num(const json_t *o, const char *key, char *buf, size_t len);

/* The *_ms at key as local time formatted with fmt (strftime) into buf, "-" when absent. */
const char *field_time(const json_t *o, const char *key, const char *fmt, char *buf,
                       size_t len);

/* field_time() "%Y-%m-%d %H:%M:%S" for times where 0 means "never": "-" for 0 as for
 * absent. */
const char *field_time_set(const json_t *o, const char *key, char *buf, size_t len);

/* A rate (a fraction of 1) as a percentage, "33.3%", into buf. */
const char *field_percent(double rate, char *buf, size_t len);

/* The strings of `list` (or the "node" of each of its objects: node ids), comma-separated.
 * Malloc'd; NULL when out of memory. */
char *field_id_list(const json_t *list);

/* The names of a list's objects (each one's member `key`), joined by "、" as people write
 * them. Malloc'd; NULL when out of memory. */
char *field_name_list(const json_t *list, const char *key);

#endif
