/*
 * tpl — text from templates over the daemon's JSON objects (tpl.h).
 */
#include "tpl.h"

#include "ctl.h"
#include "field.h"
#include "msg.h"
#include "text.h"
#include "vocab.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHOWN_CHARS 256   /* what shown() writes in its buffer: a time, a number, a few */

/* Appends "name value" (a count, or a rate as a percentage) to the used bytes of buf;
 * returns the bytes used then, unchanged when it does not fit. */
static size_t member_add(char *buf, size_t len, size_t used, const char *name, const json_t *v)
{
    char num[32];
    if (json_is_real(v))
        field_percent(json_real_value(v), num, sizeof num);
    else if (json_is_integer(v))
        snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        snprintf(num, sizeof num, "-");
    int n = snprintf(buf + used, len - used, "%s%s %s", used ? "，" : "", name, num);
    if (n < 0 || (size_t)n >= len - used) {
        buf[used] = 0;
        return used;
    }
    return used + (size_t)n;
}

/* An object of counts or rates as "村 1，乡镇 50.0%" into buf: the members named in vocab
 * (may be NULL) first, by their names and in its order (tiers bottom-up), then the others. */
static const char *members_text(const json_t *o, const struct vocab *vocab, char *buf,
                                size_t len)
{
    const char *key;
    json_t *v;
    size_t used = 0;
    buf[0] = 0;
    for (const struct vocab *w = vocab; w && w->code; w++)
        if ((v = json_object_get(o, w->code)))
            used = member_add(buf, len, used, w->name, v);
    json_object_foreach((json_t *)o, key, v)
        if (!vocab || vocab_name(vocab, key) == key)   /* not in the vocabulary */
            used = member_add(buf, len, used, key, v);
    return buf;
}

/* The value at `path` of o ("leader.leader" goes through members), as people read it:
 * codes and booleans through the vocabulary of their key, a *_ms time as local time,
 * integers in decimal, reals (the API's only reals are rates) as percentages, an object as
 * members_text(). The text is a JSON string of o, a constant, or in buf. *empty: the value
 * is absent, null, "", 0 or read as "". */
static const char *shown(const json_t *o, const char *path, char *buf, size_t len, int *empty)
{
    char key[64];
    const char *p = path;
    size_t n;
    for (;;) {   /* o becomes the object holding the last member, key its name */
        n = strcspn(p, ".");
        snprintf(key, sizeof key, "%.*s", (int)n, p);
        if (!p[n])
            break;
        o = json_object_get(o, key);
        p += n + 1;
    }
    const json_t *v = json_object_get(o, key);
    const char *s = "";
    size_t klen = strlen(key);
    if (json_is_string(v))
        s = vocab_shown(key, json_string_value(v));
    else if (json_is_boolean(v))
        s = vocab_shown(key, json_is_true(v) ? "true" : "false");
    else if (json_is_integer(v) && klen > 3 && strcmp(key + klen - 3, "_ms") == 0)
        s = json_integer_value(v) ? field_time(o, key, "%Y-%m-%d %H:%M", buf, len) : "";
    else if (json_is_integer(v))
        s = field_num(o, key, buf, len);
    else if (json_is_real(v))
        s = field_percent(json_real_value(v), buf, len);
    else if (json_is_object(v))
        s = members_text(v, vocab_of_key(key), buf, len);
    *empty = !s[0] || (json_is_integer(v) && json_integer_value(v) == 0);
    return s;
}

/* Whether a value named in tpl[0, end) is empty, as shown() says. */
static int part_empty(const char *tpl, const char *end, const json_t *o)
{
    char path[64], buf[SHOWN_CHARS];
    int empty = 0;
    for (const char *p = tpl; p < end && (p = memchr(p, '{', (size_t)(end - p))); ) {
        const char *close = strchr(p, '}');
        snprintf(path, sizeof path, "%.*s", (int)(close - p - 1), p + 1);
        shown(o, path, buf, sizeof buf, &empty);
        if (empty)
            return 1;
        p = close + 1;
    }
    return 0;
}

char *tpl_expand(const char *tpl, const json_t *o)
{
    char *s = NULL, path[64], buf[SHOWN_CHARS];
    size_t len = 0;
    int empty;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    for (const char *p = tpl; *p;) {
        if (*p == '[') {
            const char *end = strchr(p, ']');
            p = part_empty(p + 1, end, o) ? end + 1 : p + 1;
        } else if (*p == '{') {
            const char *end = strchr(p, '}');
            snprintf(path, sizeof path, "%.*s", (int)(end - p - 1), p + 1);
            fputs(shown(o, path, buf, sizeof buf, &empty), f);
            p = end + 1;
        } else if (*p++ != ']') {
            fputc(p[-1], f);
        }
    }
    return text_stream_end(f, &s, 0);
}

char *tpl_list(const json_t *list, const char *tpl, const char *sep)
{
    char *s = NULL;
    size_t len = 0, i;
    json_t *o;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    int rc = 0;
    json_array_foreach(list, i, o) {
        char *one = rc ? NULL : tpl_expand(tpl, o);
        rc = rc || !one || fprintf(f, "%s%s", i ? sep : "", one) < 0;
        free(one);
    }
    return text_stream_end(f, &s, rc);
}

int tpl_lines(struct table *t, const struct tpl_line *lines, size_t n, const json_t *o)
{
    for (size_t i = 0; i < n; i++) {
        char *v = tpl_expand(lines[i].tpl, o);
        int rc = !v || ((v[0] || !lines[i].optional) && table_kv(t, lines[i].label, v));
        free(v);
        if (rc)
            return -1;
    }
    return 0;
}

int tpl_row(struct table *t, const char *const *cells, size_t n, const json_t *o)
{
    char *cell[16] = {NULL};
    int rc = n > sizeof cell / sizeof cell[0] ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = !(cell[i] = tpl_expand(cells[i], o));
    if (rc == 0)
        rc = table_add(t, (const char *const *)cell);
    for (size_t i = 0; i < n && i < sizeof cell / sizeof cell[0]; i++)
        free(cell[i]);
    return rc;
}

int tpl_print(const char *tpl, const json_t *o)
{
    char *line = tpl_expand(tpl, o);
    if (!line)
        return msg_oom();
    text_put_clean(line, stdout);
    putchar('\n');
    free(line);
    return EXIT_OK;
}
