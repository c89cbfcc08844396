/*
 * msg — jiefenctl's own messages on stderr (msg.h).
 */
#include "msg.h"

#include "ctl.h"
#include "field.h"
#include "text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void (*usage)(FILE *out);
static int as_json;

void msg_set_usage(void (*fn)(FILE *out))
{
    usage = fn;
}

void msg_set_json(int on)
{
    as_json = on;
}

/* The usage of the running command as text, malloc'd; NULL when there is none. */
static char *usage_text(void)
{
    char *s = NULL;
    size_t len = 0;
    FILE *f = usage ? open_memstream(&s, &len) : NULL;
    if (!f)
        return NULL;
    usage(f);
    return text_stream_end(f, &s, 0);
}

/* Writes {"error": {"code", "message", "field"?, "usage"?}} and a line end to stderr. When
 * even that cannot be built, the message alone, so that it is never lost. */
static void put_json(const char *code, const char *message, const char *field,
                     const char *use)
{
    json_t *err = json_pack("{s:s, s:s}", "code", code, "message", message);
    json_t *doc = err ? json_pack("{s:o}", "error", err) : NULL;
    if (doc && field && field[0])
        json_object_set_new(err, "field", json_string(field));
    if (doc && use)
        json_object_set_new(err, "usage", json_string(use));
    if (!doc || json_dumpf(doc, stderr, JSON_COMPACT) != 0)
        fprintf(stderr, "jiefenctl: %s [%s]", message, code);
    fputc('\n', stderr);
    json_decref(doc);
}

/* One error: the line (and the command's usage when with_usage), or the JSON document. */
static void put_error(const char *code, int with_usage, const char *fmt, va_list ap)
{
    char *message = NULL;
    if (vasprintf(&message, fmt, ap) < 0)
        message = NULL;
    const char *m = message ? message : "内存不足";
    if (as_json) {
        char *use = with_usage ? usage_text() : NULL;
        put_json(code, m, NULL, use);
        free(use);
    } else {
        fputs("jiefenctl: ", stderr);
        text_put_clean(m, stderr);
        fprintf(stderr, " [%s]\n", code);
        if (with_usage && usage)
            usage(stderr);
    }
    free(message);
}

void msg_error(const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_error(code, 0, fmt, ap);
    va_end(ap);
}

void msg_say(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_error("error", 0, fmt, ap);
    va_end(ap);
}

int msg_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_error("usage", 1, fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

int msg_usage_as(const char *code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    put_error(code, 1, fmt, ap);
    va_end(ap);
    return EXIT_USAGE;
}

/* One line of a refusal: "jiefenctl: message (field) [code]", each part cleaned (it comes
 * from the daemon). */
static void put_refusal_line(const char *message, const char *field, const char *code)
{
    fputs("jiefenctl: ", stderr);
    text_put_clean(message, stderr);
    if (field[0]) {
        fputs(" (", stderr);
        text_put_clean(field, stderr);
        fputc(')', stderr);
    }
    fputs(" [", stderr);
    text_put_clean(code, stderr);
    fputs("]\n", stderr);
}

/* A refusal naming several faults at once (an intake's error.errors): a line for each, so
 * that every field can be put right in one go. 0 when there is no such list. */
static int put_each_error(const json_t *err)
{
    const json_t *all = json_object_get(err, "errors"), *e;
    size_t i;
    if (!json_is_array(all) || json_array_size(all) == 0)
        return 0;
    json_array_foreach(all, i, e)
        put_refusal_line(field_str(e, "message"), field_str(e, "field"),
                         field_str(e, "code")[0] ? field_str(e, "code") : "refused");
    return 1;
}

void msg_refusal(const json_t *reply, long status)
{
    const json_t *err = json_object_get(reply, "error");
    const char *message = field_str(err, "message"), *field = field_str(err, "field");
    const char *code = field_str(err, "code");
    char fallback[96];
    if (!message[0] && status >= 200 && status < 300)
        snprintf(fallback, sizeof fallback, "jiefend 的回复不是 JSON（HTTP %ld）", status);
    else if (!message[0])
        snprintf(fallback, sizeof fallback, "jiefend 回复 HTTP %ld", status);
    if (!message[0])
        message = fallback;
    if (!code[0])
        code = status >= 500 || status < 300 ? "bad_reply" : "refused";
    if (as_json && json_is_object(err)) {
        if (json_dumpf(reply, stderr, JSON_COMPACT) == 0)
            fputc('\n', stderr);
        return;
    }
    if (as_json)
        put_json(code, message, field, NULL);
    else if (!put_each_error(err))
        put_refusal_line(message, field, code);
}

int msg_oom(void)
{
    msg_error("out_of_memory", "内存不足");
    return EXIT_REFUSED;
}
