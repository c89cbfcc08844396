/*
 * resident_id — checks a PRC resident identity number (居民身份证号码, GB 11643-1999):
 * 18 characters, a plausible region code, a real birth date not after `today_ms`, and the
 * ISO 7064 MOD 11-2 check digit; and makes a typed or pasted number plain before that.
 */
#ifndef JIEFEN_RESIDENT_ID_H
#define JIEFEN_RESIDENT_ID_H

#include <stddef.h>
#include <stdint.h>

/* Returns NULL if `id` is valid, else a message in Chinese saying what is wrong
 * (static string, or written into buf of buflen bytes). */
const char *resident_id_check(const char *id, int64_t today_ms, char *buf, unsigned buflen);

/* The number as a person may type or paste it, made plain: white space (ASCII and the
 * ideographic space U+3000) dropped, full-width digits (０-９) and Ｘ/ｘ made ASCII, x made X.
 * Writes at most outlen bytes (NUL included) into out, which may be `in` itself: the result
 * is never longer. Other characters are kept, for the check to name. */
void resident_id_normalize(const char *in, char *out, size_t outlen);

/* The check character (0-9 or 'X') for the first 17 digits of id. */
char resident_id_check_char(const char *id17);

#endif
