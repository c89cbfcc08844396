#include "report/review.h"
#include "clock.h"
#include "error.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fault(struct review_fault *f, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fault(struct review_fault *f, const char *field, const char *fmt, ...)
{
    va_list ap;
    snprintf(f->field, sizeof f->field, "%s", field);
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    return JF_EINVAL;
}

/* A list of non-empty strings under key into *out, counted in *n (borrowed). */
static int strings(const json_t *in, const char *key, const char *label, char ***out, size_t *n,
                   struct review_fault *f)
{
    const json_t *a = json_object_get(in, key), *x;
    char field[64];
    size_t i;
    snprintf(field, sizeof field, "review.%s", key);
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a) || json_array_size(a) > REVIEW_ITEMS_MAX)
        return fault(f, field, "%s应为文字的列表（最多 %d 项）", label, REVIEW_ITEMS_MAX);
    if (!(*out = calloc(json_array_size(a) + 1, sizeof **out)))
        return -ENOMEM;
    json_array_foreach(a, i, x)
    {
        if (!json_is_string(x) || !json_string_length(x) ||
            json_string_length(x) > REVIEW_TEXT_MAX)
            return fault(f, field, "%s第 %zu 项应为不超过 %d 字节的文字", label, i + 1,
                         REVIEW_TEXT_MAX);
        (*out)[(*n)++] = (char *)json_string_value(x);
    }
    return 0;
}

static const char *text_of(const json_t *o, const char *key)
{
    const json_t *j = json_object_get(o, key);
    return json_is_string(j) ? json_string_value(j) : "";
}

/* A date YYYY-MM-DD, spelled so; 0 or -1. */
static int date_ok(const char *s, int64_t *ms)
{
    return strlen(s) == 10 && clock_parse_local_date(s, ms) == 0 ? 0 : -1;
}

static int actions(const json_t *in, Jiefen__ReviewRecord *r, struct review_fault *f)
{
    const json_t *a = json_object_get(in, "actions"), *x;
    size_t i;
    int64_t ms;
    if (!a || json_is_null(a))
        return 0;
    if (!json_is_array(a) || json_array_size(a) > REVIEW_ITEMS_MAX)
        return fault(f, "review.actions", "落实事项应为列表（最多 %d 项）", REVIEW_ITEMS_MAX);
    if (!(r->actions = calloc(json_array_size(a) + 1, sizeof *r->actions)))
        return -ENOMEM;
    json_array_foreach(a, i, x)
    {
        char field[64];
        snprintf(field, sizeof field, "review.actions[%zu]", i);
        /* An item is {"text", "owner", "due"}, or its text alone. */
        const char *text = json_is_string(x) ? json_string_value(x) : text_of(x, "text");
        const char *due = text_of(x, "due");
        if (!text[0] || strlen(text) > REVIEW_TEXT_MAX)
            return fault(f, field, "落实事项第 %zu 项应写明事项内容（text，最多 %d 字节）", i + 1,
                         REVIEW_TEXT_MAX);
        if (due[0] && date_ok(due, &ms))
            return fault(f, field, "落实事项第 %zu 项的完成期限应为 YYYY-MM-DD", i + 1);
        Jiefen__ReviewAction *ra = malloc(sizeof *ra);
        if (!ra)
            return -ENOMEM;
        jiefen__review_action__init(ra);
        ra->text = (char *)text;
        ra->owner = (char *)text_of(x, "owner");
        ra->due = (char *)due;
        r->actions[r->n_actions++] = ra;
    }
    return 0;
}

/* A meeting record's own fields: its date inside the period, who attended. */
static int meeting(const json_t *in, const struct report_period *p, Jiefen__ReviewRecord *r,
                   struct review_fault *f)
{
    int64_t ms;
    r->meeting_date = (char *)text_of(in, "meeting_date");
    if (!r->meeting_date[0])
        return fault(f, "review.meeting_date", "请填写会议日期（YYYY-MM-DD）");
    if (date_ok(r->meeting_date, &ms) || ms < p->from_ms || ms >= p->to_ms)
        return fault(f, "review.meeting_date", "会议日期应为报告期（%s 起的当月）内的 YYYY-MM-DD",
                     p->period);
    if (!r->n_attendees)
        return fault(f, "review.attendees", "请填写参会人员");
    return 0;
}

int review_parse(const json_t *in, const struct report_period *p, Jiefen__ReviewRecord **out,
                 struct review_fault *f)
{
    Jiefen__ReviewRecord *r = calloc(1, sizeof *r);
    int rc = r ? 0 : -ENOMEM;
    *out = r;
    if (rc)
        return rc;
    jiefen__review_record__init(r);
    if (in && !json_is_object(in))
        return fault(f, "review", "review 应为对象：decisions、actions 等");
    if ((rc = strings(in, "decisions", "研判结论", &r->decisions, &r->n_decisions, f)) ||
        (rc = strings(in, "attendees", "参会人员", &r->attendees, &r->n_attendees, f)) ||
        (rc = strings(in, "cases", "研判案件", &r->cases, &r->n_cases, f)) ||
        (rc = actions(in, r, f)))
        return rc;
    if (!r->n_decisions)
        return fault(f, "review.decisions", "请填写至少一条研判结论（decisions）");
    return strcmp(p->kind, "meeting") == 0 ? meeting(in, p, r, f) : 0;
}

void review_free(Jiefen__ReviewRecord **r)
{
    if (!r || !*r)
        return;
    for (size_t i = 0; i < (*r)->n_actions; i++)
        free((*r)->actions[i]);
    free((*r)->actions);
    free((*r)->decisions);
    free((*r)->attendees);
    free((*r)->cases);
    free(*r);
    *r = NULL;
}

static json_t *list_json(char **s, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_string(s[i]));
    return a;
}

json_t *review_json(const Jiefen__ReviewRecord *r)
{
    if (!r)
        return json_null();
    json_t *acts = json_array();
    for (size_t i = 0; i < r->n_actions; i++)
        json_array_append_new(acts, json_pack("{s:s, s:s, s:s}", "text", r->actions[i]->text,
                                              "owner", r->actions[i]->owner, "due",
                                              r->actions[i]->due));
    return json_pack("{s:o, s:o, s:s, s:o, s:o}", "decisions",
                     list_json(r->decisions, r->n_decisions), "actions", acts, "meeting_date",
                     r->meeting_date, "attendees", list_json(r->attendees, r->n_attendees),
                     "cases", list_json(r->cases, r->n_cases));
}
