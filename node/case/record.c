#include "case/record.h"
#include "case/casefile.h"
#include "clock.h"
#include "envelope.h"
#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TEXT 4000
#define SHORT 200

static const struct record_field f_mediation[] = {
    {"date", "调解日期", 10, 1, 1},
    {"place", "调解地点", SHORT, 1, 0},
    {"mediator", "调解员", SHORT, 1, 0},
    {"recorder", "记录人", SHORT, 0, 0},
    {"applicant_statement", "申请人陈述", TEXT, 1, 0},
    {"respondent_statement", "被申请人陈述", TEXT, 1, 0},
    {"mediator_notes", "调解情况", TEXT, 1, 0},
};
static const struct record_field f_agreement[] = {
    {"facts", "纠纷主要事实及争议事项", TEXT, 1, 0},
    {"terms", "协议内容", TEXT, 1, 0},
    {"deadline", "履行期限", 10, 1, 1},
    {"method", "履行方式", SHORT * 2, 1, 0},
    {"mediator", "调解员", SHORT, 1, 0},
};
static const struct record_field f_confirmation[] = {
    {"court", "受理法院", SHORT, 1, 0},
    {"request", "请求事项", TEXT, 1, 0},
    {"reasons", "事实与理由", TEXT, 1, 0},
};
static const struct record_field f_follow_up[] = {
    {"date", "回访日期", 10, 1, 1},
    {"method", "回访方式", SHORT, 1, 0},
    {"visitor", "回访人", SHORT, 1, 0},
    {"performance", "协议履行情况", TEXT, 1, 0},
    {"opinion", "当事人意见", TEXT, 0, 0},
};

#define KIND(code, name, f) {code, name, f, sizeof f / sizeof f[0]}
const struct record_kind record_kinds[RECORD_KINDS] = {
    KIND("mediation_record", "调解笔录", f_mediation),
    KIND("agreement", "调解协议书", f_agreement),
    KIND("confirmation_application", "司法确认申请书", f_confirmation),
    KIND("follow_up", "回访单", f_follow_up),
};

int record_kind_index(const char *s)
{
    for (int i = 0; i < RECORD_KINDS; i++)
        if (strcmp(s, record_kinds[i].code) == 0 || strcmp(s, record_kinds[i].name) == 0)
            return i;
    return -1;
}

static int refuse(struct record_error *e, const char *field, const char *code, const char *fmt,
                  const char *label, size_t n)
{
    snprintf(e->field, sizeof e->field, "%s", field);
    snprintf(e->code, sizeof e->code, "%s", code);
    snprintf(e->msg, sizeof e->msg, fmt, label, n);
    return JF_EINVAL;
}

static int known_field(const struct record_kind *k, const char *code)
{
    for (size_t i = 0; i < k->n_fields; i++)
        if (strcmp(k->fields[i].code, code) == 0)
            return 1;
    return 0;
}

/* The fault of one field's value, or 0. */
static int check_field(const struct record_field *f, const json_t *j, struct record_error *e)
{
    int64_t ms;
    if (!j || json_is_null(j) || (json_is_string(j) && json_string_length(j) == 0))
        return f->required ? refuse(e, f->code, "missing_field", "请填写%s", f->label, 0) : 0;
    if (!json_is_string(j))
        return refuse(e, f->code, "invalid_field", "%s应为文字", f->label, 0);
    if (json_string_length(j) > f->max)
        return refuse(e, f->code, "invalid_field", "%s过长（最多 %zu 字节）", f->label, f->max);
    if (f->date && clock_parse_local_date(json_string_value(j), &ms))
        return refuse(e, f->code, "invalid_field", "%s应为 YYYY-MM-DD 格式的日期", f->label, 0);
    return 0;
}

static uint8_t *pack(int k, const json_t *fields, size_t *len)
{
    const struct record_kind *kind = &record_kinds[k];
    char *names[RECORD_FIELDS_MAX], *values[RECORD_FIELDS_MAX];
    Jiefen__FormsContent c = JIEFEN__FORMS_CONTENT__INIT;
    Jiefen__Sealed s = JIEFEN__SEALED__INIT;
    uint8_t salt[16];
    c.kind = (char *)kind->code;
    c.names = names;
    c.values = values;
    for (size_t i = 0; i < kind->n_fields; i++) {
        const json_t *j = json_object_get(fields, kind->fields[i].code);
        if (!j || !json_is_string(j) || !json_string_length(j))
            continue;
        names[c.n_names++] = (char *)kind->fields[i].code;
        values[c.n_values++] = (char *)json_string_value(j);
    }
    crypto_random(salt, sizeof salt);
    s.salt = (ProtobufCBinaryData){sizeof salt, salt};
    s.forms_content = &c;
    *len = jiefen__sealed__get_packed_size(&s);
    uint8_t *buf = malloc(*len);
    if (buf)
        jiefen__sealed__pack(&s, buf);
    return buf;
}

int record_parse(int k, const json_t *fields, uint8_t **out, size_t *len,
                 struct record_error *e)
{
    const struct record_kind *kind = &record_kinds[k];
    const char *key;
    json_t *val;
    int rc;
    *out = NULL;
    if (!json_is_object(fields))
        return refuse(e, "fields", "invalid_field", "%s应为由字段组成的对象", "文书内容", 0);
    json_object_foreach((json_t *)fields, key, val)
    {
        if (!known_field(kind, key)) {
            refuse(e, key, "unknown_field", "%s没有此字段", kind->name, 0);
            snprintf(e->msg, sizeof e->msg, "%s没有字段“%.64s”", kind->name, key);
            return JF_EINVAL;
        }
    }
    for (size_t i = 0; i < kind->n_fields; i++)
        if ((rc = check_field(&kind->fields[i], json_object_get(fields, kind->fields[i].code),
                              e)))
            return rc;
    return (*out = pack(k, fields, len)) ? 0 : -ENOMEM;
}

int record_append(eventlog_tx *tx, const Jiefen__CaseView *v, int k, const uint8_t *sealed,
                  size_t len, const char *actor)
{
    Jiefen__FormsRecord r = JIEFEN__FORMS_RECORD__INIT;
    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    r.kind = (char *)record_kinds[k].code;
    ev.body_case = JIEFEN__EVENT__BODY_FORMS_RECORD;
    ev.forms_record = &r;
    ev.case_id = v->case_id;
    ev.case_epoch = v->epoch;
    ev.actor = (char *)eventlog_actor(actor);
    return eventlog_append(tx, &ev, sealed, len);
}

/* Keeps the part if it is a record newer than the one kept of its kind (file order). */
static int keep(const Jiefen__Event *ev, const uint8_t *plain, size_t len, void *arg)
{
    struct record_set *rs = arg;
    if (ev->body_case != JIEFEN__EVENT__BODY_FORMS_RECORD)
        return 0;
    int k = record_kind_index(ev->forms_record->kind);
    Jiefen__Sealed *s = k < 0 ? NULL : jiefen__sealed__unpack(NULL, len, plain);
    if (!s)
        return 0;
    Jiefen__FormsContent *c = s->forms_content;
    s->forms_content = NULL;
    jiefen__sealed__free_unpacked(s, NULL);
    if (!c)
        return 0;
    if (rs->content[k])
        jiefen__forms_content__free_unpacked(rs->content[k], NULL);
    rs->content[k] = c;
    rs->time_ms[k] = ev->time_ms;
    snprintf(rs->actor[k], sizeof rs->actor[k], "%s", ev->actor_name[0] ? ev->actor_name : ev->actor);
    snprintf(rs->origin[k], sizeof rs->origin[k], "%s", ev->origin);
    rs->seq[k] = ev->seq;
    return 0;
}

/* The hash of the event of each entry, as signed (never re-encoded). */
static int hashes(store *st, MDB_txn *txn, struct record_set *rs)
{
    for (int k = 0; k < RECORD_KINDS; k++) {
        MDB_val d;
        envelope *e = NULL;
        if (!rs->content[k])
            continue;
        int rc = store_event_get(st, txn, rs->origin[k], rs->seq[k], &d);
        if (rc == 0)
            rc = envelope_decode(d.mv_data, d.mv_size, &e);
        if (rc)
            return rc;
        memcpy(rs->hash[k], e->hash, CRYPTO_HASH_LEN);
        envelope_free(&e);
    }
    return 0;
}

int record_read(store *st, MDB_txn *txn, const crypto_identity *id, const char *self,
                const Jiefen__CaseView *v, struct record_set *out)
{
    memset(out, 0, sizeof *out);
    int rc = casefile_each(st, txn, id, self, v, keep, out);
    if (rc == 0)
        rc = hashes(st, txn, out);
    if (rc)
        record_set_clear(out);
    return rc;
}

void record_set_clear(struct record_set *rs)
{
    for (int k = 0; k < RECORD_KINDS; k++)
        if (rs->content[k])
            jiefen__forms_content__free_unpacked(rs->content[k], NULL);
    memset(rs, 0, sizeof *rs);
}

const char *record_value(const Jiefen__FormsContent *c, const char *code)
{
    for (size_t i = 0; c && i < c->n_names && i < c->n_values; i++)
        if (strcmp(c->names[i], code) == 0)
            return c->values[i];
    return "";
}
