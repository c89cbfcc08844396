/*
 * field — members of the daemon's JSON objects as text (field.h).
 */
#include "field.h"

#include "text.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

const char *field_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

const char *field_num(const json_t *o, const char *key, char *buf, size_t len)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else
        snprintf(buf, len, "-");
    return buf;
}

const char *field_time(const json_t *o, const char *key, const char *fmt, char *buf,
                       size_t len)
{
    json_t *v = json_object_get(o, key);
    struct tm tm;
    snprintf(buf, len, "-");
    if (!json_is_integer(v))
        return buf;
    json_int_t ms = json_integer_value(v);
    time_t t = (time_t)(ms / 1000 - (ms % 1000 < 0));
    if (!localtime_r(&t, &tm) || strftime(buf, len, fmt, &tm) == 0)
        snprintf(buf, len, "-");
    return buf;
}

const char *field_time_set(const json_t *o, const char *key, char *buf, size_t len)
{
    json_t *v = json_object_get(o, key);
    if (json_is_integer(v) && json_integer_value(v) == 0)
        return snprintf(buf, len, "-"), buf;
    return field_time(o, key, "%Y-%m-%d %H:%M:%S", buf, len);
}

const char *field_percent(double rate, char *buf, size_t len)
{
    snprintf(buf, len, "%.1f%%", rate * 100);
    return buf;
}

char *field_id_list(const json_t *list)
{
    char *s = NULL;
    size_t len = 0, i;
    json_t *v;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    json_array_foreach(list, i, v) {
        const char *id = json_is_string(v) ? json_string_value(v) : field_str(v, "node");
        fprintf(f, "%s%s", i ? "," : "", id);
    }
    return text_stream_end(f, &s, 0);
}

char *field_name_list(const json_t *list, const char *key)
{
    char *s = NULL;
    size_t len = 0, i;
    json_t *v;
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    json_array_foreach(list, i, v) {
        fprintf(f, "%s%s", i ? "、" : "", field_str(v, key));
    }
    return text_stream_end(f, &s, 0);
}
