/*
 * text — UTF-8 strings as a terminal shows them (text.h).
 */
#include "text.h"
#include "utf8.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t text_width(const char *s)
{
    size_t w = 0;
    uint32_t cp;
    while (*s) {
        s += utf8_next(s, &cp);
        w += (size_t)utf8_width(cp);
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
        p += utf8_next(p, &cp);
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
