/* http_url — percent-decoding, query parameters and cookies (http_url.h). */
#include "api/http_url.h"

#include <limits.h>
#include <string.h>

static int hex(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes the character at *p and moves past it; -1 on a bad escape. */
static int decode_char(const char **p, const char *end, int plus)
{
    const char *s = *p;

    if (*s != '%') {
        *p = s + 1;
        return *s == '+' && plus ? ' ' : (unsigned char)*s;
    }
    if (end - s < 3 || hex(s[1]) < 0 || hex(s[2]) < 0)
        return -1;
    *p = s + 3;
    return hex(s[1]) << 4 | hex(s[2]);
}

int http_url_decode(const char *in, size_t inlen, char *out, size_t outlen, int plus)
{
    const char *p = in ? in : "", *end = p + (in ? inlen : 0);
    size_t n = 0;

    if (!out || outlen == 0)
        return -1;
    while (p < end) {
        int ch = decode_char(&p, end, plus);

        if (ch < 0 || n + 1 >= outlen || n >= INT_MAX)
            return -1;
        out[n++] = (char)ch;
    }
    out[n] = '\0';
    return (int)n;
}

/* Compares a still-encoded key with `key`; a badly encoded key matches nothing. */
static int key_matches(const char *p, const char *end, const char *key)
{
    while (p < end) {
        int ch = decode_char(&p, end, 1);

        if (ch < 0 || *key == '\0' || (unsigned char)*key++ != ch)
            return 0;
    }
    return *key == '\0';
}

int http_query_get(const char *query, const char *key, char *out, size_t outlen)
{
    const char *p = query;

    if (!query || !key || !*key)
        return -1;
    for (;;) {
        const char *amp = strchr(p, '&');
        const char *end = amp ? amp : p + strlen(p);
        const char *eq = memchr(p, '=', (size_t)(end - p));

        if (key_matches(p, eq ? eq : end, key)) {
            const char *v = eq ? eq + 1 : end;
            int n = http_url_decode(v, (size_t)(end - v), out, outlen, 1);

            return n < 0 ? -2 : n;
        }
        if (!amp)
            return -1;
        p = amp + 1;
    }
}

int http_cookie_get(const char *header, const char *name, char *out, size_t outlen)
{
    size_t nlen = name ? strlen(name) : 0;
    const char *p = header;

    if (!header || !nlen || !outlen)
        return -1;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ';')
            p++;
        size_t len = strcspn(p, ";");
        if (len > nlen && p[nlen] == '=' && strncmp(p, name, nlen) == 0) {
            const char *v = p + nlen + 1;
            size_t vlen = len - nlen - 1;
            while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
                vlen--;
            if (vlen >= outlen)
                return -2;
            memcpy(out, v, vlen);
            out[vlen] = '\0';
            return (int)vlen;
        }
        p += len;
    }
    return -1;
}
