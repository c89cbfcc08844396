/*
 * utf8 — UTF-8 as the daemon, its exports and the control tool read it: one decoder that
 * never reads past the NUL and steps over a bad byte alone, validity as jansson has it
 * (no overlong forms, surrogates or code points above U+10FFFF), lengths in code points,
 * and the width of East Asian wide characters. Pure functions, no allocation: the control
 * tool links this file and nothing else of common/.
 */
#ifndef JIEFEN_UTF8_H
#define JIEFEN_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_BAD 0xFFFFFFFFu /* what utf8_next decodes a byte that starts no sequence to */

/* Decodes the code point at s (NUL-terminated, not at its NUL) into *cp and returns its
 * length, at least 1: a byte that starts no valid sequence decodes alone to UTF8_BAD. */
size_t utf8_next(const char *s, uint32_t *cp);

/* 1 if s is valid UTF-8, else 0. */
int utf8_valid(const char *s);

/* The number of code points of s (a bad byte counts as one). */
size_t utf8_chars(const char *s);

/* Columns a code point takes on a screen or in a spreadsheet: 2 for East Asian wide and
 * full-width characters (UAX #11: CJK, kana, hangul, full-width forms), else 1. */
int utf8_width(uint32_t cp);

#endif
