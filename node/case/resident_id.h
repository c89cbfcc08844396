/*
 * resident_id — checks a PRC resident identity number (居民身份证号码, GB 11643-1999):
 * 18 characters, a plausible region code, a real birth date not after `today_ms`, and the
 * ISO 7064 MOD 11-2 check digit.
 */
#ifndef JIEFEN_RESIDENT_ID_H
#define JIEFEN_RESIDENT_ID_H

#include <stdint.h>

/* Returns NULL if `id` is valid, else a message in Chinese saying what is wrong
 * (static string, or written into buf of buflen bytes). */
const char *resident_id_check(const char *id, int64_t today_ms, char *buf, unsigned buflen);

/* The check character (0-9 or 'X') for the first 17 digits of id. */
char resident_id_check_char(const char *id17);

#endif
