/*
 * text — UTF-8 strings as a terminal shows them (text.h).
 */
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decodes the UTF-8 sequence at s; returns its length, or 0 for a bad sequence (then
 * *cp is U+FFFD and the caller steps over one byte). Overlong forms, surrogates and code
 * points above U+10FFFF are bad, as jansson has them. */
static size_t utf8_decode(const char *s, uint32_t *cp)
{
    static const uint32_t min[5] = {0, 0, 0x80, 0x800, 0x10000};
    const unsigned char *u = (const unsigned char *)s;
    size_t n = u[0] < 0x80 ? 1 : u[0] < 0xC2 ? 0 : u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3
             : u[0] < 0xF5 ? 4 : 0;
    *cp = 0xFFFD;
    if (n == 0)
        return 0;
    uint32_t v = n == 1 ? u[0] : u[0] & (0x7Fu >> n);
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80)   /* also stops at the terminating NUL */
            return 0;
        v = v << 6 | (u[i] & 0x3Fu);
    }
    if (v < min[n] || (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF)
        return 0;
    *cp = v;
    return n;
}

/* Steps over one code point (or one bad byte) of s, a non-empty string. */
static const char *utf8_next(const char *s, uint32_t *cp)
{
    size_t n = utf8_decode(s, cp);
    return s + (n ? n : 1);
}

int text_utf8_valid(const char *s)
{
    uint32_t cp;
    for (size_t n; *s; s += n)
        if ((n = utf8_decode(s, &cp)) == 0)
            return 0;
    return 1;
}

/* Columns a code point takes in a terminal: 2 for East Asian wide and full-width
 * characters (CJK, kana, hangul, full-width forms, CJK punctuation), else 1. */
static int cp_width(uint32_t cp)
{
    static const struct { uint32_t lo, hi; } wide[] = {
        {0x1100, 0x115F},   {0x2E80, 0x303E},   {0x3041, 0x33FF},   {0x3400, 0x4DBF},
        {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},
        {0xFE30, 0xFE4F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x1F300, 0x1F64F},
        {0x1F900, 0x1F9FF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
    };
    for (size_t i = 0; i < sizeof wide / sizeof wide[0]; i++)
        if (cp >= wide[i].lo && cp <= wide[i].hi)
            return 2;
    return 1;
}

size_t text_width(const char *s)
{
    size_t w = 0;
    uint32_t cp;
    while (*s) {
        s = utf8_next(s, &cp);
        w += (size_t)cp_width(cp);
    }
    return w;
}

char *text_truncate(const char *s, size_t max)
{
    static const char ellipsis[] = "\xE2\x80\xA6";   /* U+2026 */
    const char *p = s, *cut = s;
    uint32_t cp;
    size_t n = 0;
    for (; *p; n++) {
        if (n == max - 1)
            cut = p;
        p = utf8_next(p, &cp);
    }
    if (n <= max)
        return strdup(s);
    char *out = NULL;
    if (asprintf(&out, "%.*s%s", (int)(cut - s), s, ellipsis) < 0)
        return NULL;
    return out;
}

char *text_clean_dup(const char *s)
{
    char *d = strdup(s ? s : "");
    for (char *p = d; p && *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
    return d;
}

void text_put_clean(const char *s, FILE *out)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s, out);
}

void text_put_block(const char *s, int indent)
{
    while (*s) {
        size_t n = strcspn(s, "\n");
        char *line = strndup(s, n);
        printf("%*s", indent, "");
        text_put_clean(line ? line : "", stdout);
        putchar('\n');
        free(line);
        s += n + (s[n] == '\n');
    }
}

char *text_stream_end(FILE *f, char **s, int failed)
{
    if (fclose(f) != 0 || failed) {
        free(*s);
        *s = NULL;
    }
    return *s;
}
