#include "utf8.h"

size_t utf8_next(const char *s, uint32_t *cp)
{
    static const uint32_t least[] = {0, 0, 0x80, 0x800, 0x10000};
    const unsigned char *u = (const unsigned char *)s;
    size_t n = u[0] < 0x80 ? 1 : u[0] < 0xC2 ? 0 : u[0] < 0xE0 ? 2 : u[0] < 0xF0 ? 3
             : u[0] < 0xF5 ? 4 : 0;
    uint32_t c = n == 1 ? u[0] : u[0] & (0x7Fu >> n);
    *cp = UTF8_BAD;
    if (n == 0)
        return 1;
    for (size_t i = 1; i < n; i++) {
        if ((u[i] & 0xC0) != 0x80) /* also stops at the terminating NUL */
            return 1;
        c = c << 6 | (u[i] & 0x3Fu);
    }
    if (c < least[n] || (c >= 0xD800 && c <= 0xDFFF) || c > 0x10FFFF)
        return 1;
    *cp = c;
    return n;
}

int utf8_valid(const char *s)
{
    uint32_t c;
    while (*s) {
        s += utf8_next(s, &c);
        if (c == UTF8_BAD)
            return 0;
    }
    return 1;
}

size_t utf8_chars(const char *s)
{
    size_t n = 0;
    uint32_t c;
    for (; *s; n++)
        s += utf8_next(s, &c);
    return n;
}

int utf8_width(uint32_t cp)
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
