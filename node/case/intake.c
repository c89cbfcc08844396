#include "case/intake.h"
#include "case/caseindex.h"
#include "case/warning.h"
#include "error.h"
#include "case/reference.h"
#include "case/party.h"
#include "case/linkage.h"
#include "case/partyindex.h"
#include "case/resident_id.h"
#include "outbox/outbox.h"
#include "array.h"
#include "clock.h"
#include "utf8.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct intake {
    const struct intake_ctx *ctx;
    Jiefen__Party parties[INTAKE_MAX_PARTIES];
    char *party_roles[INTAKE_MAX_PARTIES];
    size_t n_parties;
    char **strings;            /* every string we own, freed together */
    size_t n_strings, cap_strings;
    char *category, *department, *matter_type, *village, *source, *summary;
    const char *external_system, *external_ref;  /* "" when none */
    int complexity, risk;
    int64_t due_ms;            /* 0: the policy's */
    char case_id[64];
};

/* Notes one fault (the first also in err's own fields) and returns JF_EINVAL: the caller
 * goes on checking the other fields. */
static int fail(struct intake_error *err, const char *code, const char *field,
                const char *fmt, ...)
{
    if (err->count >= INTAKE_MAX_ERRORS)
        return JF_EINVAL;
    struct intake_fault *f = &err->all[err->count++];
    va_list ap;
    f->code = code;
    snprintf(f->field, sizeof f->field, "%s", field);
    va_start(ap, fmt);
    vsnprintf(f->message, sizeof f->message, fmt, ap);
    va_end(ap);
    if (err->count == 1) {
        err->code = f->code;
        memcpy(err->field, f->field, sizeof err->field);
        memcpy(err->message, f->message, sizeof err->message);
    }
    return JF_EINVAL;
}

/* The verdict of two checks: out of memory stops everything, a fault in either is one. */
static int worse(int a, int b)
{
    if (a == -ENOMEM || b == -ENOMEM)
        return -ENOMEM;
    return a ? a : b;
}

/* Copies s without leading and trailing ASCII white space and ideographic spaces. */
static char *trim_dup(const char *s)
{
    static const char ideo[] = "\xE3\x80\x80"; /* U+3000 */
    for (;;) {
        if (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
            s++;
        else if (strncmp(s, ideo, 3) == 0)
            s += 3;
        else
            break;
    }
    size_t n = strlen(s);
    for (;;) {
        if (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
            n--;
        else if (n >= 3 && memcmp(s + n - 3, ideo, 3) == 0)
            n -= 3;
        else
            break;
    }
    return strndup(s, n);
}

/* Keeps s to be freed with the intake; NULL (s freed) if out of memory. */
static char *own(struct intake *in, char *s)
{
    char **room = s ? array_room(in->strings, in->n_strings, &in->cap_strings,
                                 sizeof *in->strings, 16)
                    : NULL;
    if (!room) {
        free(s);
        return NULL;
    }
    in->strings = room;
    in->strings[in->n_strings++] = s;
    return s;
}

/* Reads a required string field, trimmed, into *out (owned by the intake). */
static int get_string(struct intake *in, const json_t *obj, const char *key, const char *path,
                      char **out, struct intake_error *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return fail(err, "missing_field", path, "缺少必填项");
    if (!json_is_string(v))
        return fail(err, "invalid_field", path, "应为文本");
    if (memchr(json_string_value(v), 0, json_string_length(v)))
        return fail(err, "invalid_field", path, "含有非法字符");
    if (!(*out = own(in, trim_dup(json_string_value(v)))))
        return -ENOMEM;
    if (!**out)
        return fail(err, "missing_field", path, "不能为空");
    return 0;
}

/* Reads a required string field of 1..maxchars characters after trimming. */
static int get_text(struct intake *in, const json_t *obj, const char *key, const char *path,
                    size_t maxchars, char **out, struct intake_error *err)
{
    int rc = get_string(in, obj, key, path, out, err);
    if (rc == 0 && utf8_chars(*out) > maxchars)
        return fail(err, "invalid_field", path, "过长：最多%zu个字，现有%zu个字", maxchars,
                    utf8_chars(*out));
    return rc;
}

/* Reads a field that must name an entry of `t` (by code or Chinese name). */
static int get_choice(struct intake *in, const json_t *obj, const char *key,
                      const struct ref_table *t, const char *what, int *index,
                      struct intake_error *err)
{
    char *s;
    int rc = get_text(in, obj, key, key, 64, &s, err);
    if (rc)
        return rc;
    if ((*index = ref_index(t, s)) < 0)
        return fail(err, "invalid_field", key, "未知的%s：%s", what, s);
    return 0;
}

static int valid_phone(const char *p)
{
    size_t n = strlen(p);
    if (n == 11 && p[0] == '1' && p[1] >= '3' && p[1] <= '9')
        return strspn(p, "0123456789") == 11;
    if (p[0] != '0')
        return 0;
    const char *dash = strchr(p, '-');
    size_t area = dash ? (size_t)(dash - p) : 0;
    if (dash) {
        size_t local = n - area - 1;
        return area >= 3 && area <= 4 && strspn(p, "0123456789") == area &&
               local >= 7 && local <= 8 && strspn(dash + 1, "0123456789") == local;
    }
    /* Without a dash: area code (3-4 digits incl. 0) + 7-8 digits = 10-12 digits. */
    return n >= 10 && n <= 12 && strspn(p, "0123456789") == n;
}

static int check_party_keys(const json_t *p, size_t i, struct intake_error *err)
{
    static const char *const keys[] = {"role", "name", "id_number", "phone", "address"};
    const char *k;
    json_t *unused;
    char path[64];
    int rc = 0;
    json_object_foreach((json_t *)p, k, unused) {
        size_t j = 0;
        while (j < 5 && strcmp(k, keys[j]))
            j++;
        if (j == 5) {
            snprintf(path, sizeof path, "parties[%zu].%s", i, k);
            rc = fail(err, "invalid_field", path, "未知字段");
        }
    }
    return rc;
}

static int parse_role(const json_t *p, size_t i, Jiefen__Party *party, struct intake_error *err)
{
    char path[64];
    const json_t *role = json_object_get(p, "role");
    snprintf(path, sizeof path, "parties[%zu].role", i);
    int idx = role && json_is_string(role) ? ref_index(&ref_roles, json_string_value(role)) : -1;
    if (role && !json_is_null(role) && idx < 0)
        return fail(err, "invalid_field", path, "当事人身份应为申请人、被申请人或第三人");
    party->role = (char *)ref_roles.entries[idx >= 0 ? idx : i == 0 ? 0 : 1].code;
    return 0;
}

/* The ID number as typed, normalised (resident_id_normalize), then checked. */
static int parse_id_number(struct intake *in, const json_t *p, size_t i, Jiefen__Party *party,
                           struct intake_error *err)
{
    char path[64], buf[128], *raw;
    snprintf(path, sizeof path, "parties[%zu].id_number", i);
    int rc = get_string(in, p, "id_number", path, &raw, err);
    if (rc)
        return rc;
    /* Normalising never lengthens: full-width characters become one byte. */
    resident_id_normalize(raw, raw, strlen(raw) + 1);
    const char *why = resident_id_check(raw, in->ctx->now_ms, buf, sizeof buf);
    if (why)
        return fail(err, "invalid_field", path, "%s", why);
    party->id_number = raw;
    return 0;
}

static int parse_party(struct intake *in, const json_t *p, size_t i, struct intake_error *err)
{
    char path[64];
    Jiefen__Party *party = &in->parties[i];
    jiefen__party__init(party);
    if (!json_is_object(p)) {
        snprintf(path, sizeof path, "parties[%zu]", i);
        return fail(err, "invalid_field", path, "当事人应为对象");
    }
    int rc = worse(check_party_keys(p, i, err), parse_role(p, i, party, err));
    snprintf(path, sizeof path, "parties[%zu].name", i);
    rc = worse(rc, get_text(in, p, "name", path, INTAKE_NAME_MAX, &party->name, err));
    rc = worse(rc, parse_id_number(in, p, i, party, err));
    snprintf(path, sizeof path, "parties[%zu].phone", i);
    int phone = get_text(in, p, "phone", path, INTAKE_PHONE_MAX, &party->phone, err);
    if (phone == 0 && !valid_phone(party->phone))
        phone = fail(err, "invalid_field", path, "电话号码格式不正确（手机11位，或区号-号码）");
    rc = worse(rc, phone);
    snprintf(path, sizeof path, "parties[%zu].address", i);
    rc = worse(rc, get_text(in, p, "address", path, INTAKE_ADDRESS_MAX, &party->address, err));
    in->party_roles[i] = party->role;
    return rc;
}

/* One person is one party of a case: a second party with the same ID number is refused
 * beside that second number. */
static int check_same_person(const struct intake *in, size_t n, struct intake_error *err)
{
    char path[64];
    int rc = 0;
    for (size_t j = 1; j < n; j++)
        for (size_t i = 0; i < j; i++)
            if (in->parties[i].id_number && in->parties[j].id_number &&
                strcmp(in->parties[i].id_number, in->parties[j].id_number) == 0) {
                snprintf(path, sizeof path, "parties[%zu].id_number", j);
                rc = fail(err, "invalid_field", path,
                          "与当事人%zu的身份证号码相同：同一人在一个案件中只能登记一次", i + 1);
                break;
            }
    return rc;
}

static int parse_parties(struct intake *in, const json_t *body, struct intake_error *err)
{
    const json_t *ps = json_object_get(body, "parties");
    if (!ps || json_is_null(ps))
        return fail(err, "missing_field", "parties", "至少需要一名当事人");
    if (!json_is_array(ps))
        return fail(err, "invalid_field", "parties", "当事人应为数组");
    size_t n = json_array_size(ps);
    if (n == 0)
        return fail(err, "missing_field", "parties", "至少需要一名当事人");
    if (n > INTAKE_MAX_PARTIES)
        return fail(err, "invalid_field", "parties", "当事人最多%d名", INTAKE_MAX_PARTIES);
    int rc = 0;
    for (size_t i = 0; i < n; i++)
        rc = worse(rc, parse_party(in, json_array_get(ps, i), i, err));
    in->n_parties = n;
    return worse(rc, check_same_person(in, n, err));
}

static const char *const top_keys[] = {"parties", "category", "matter_type", "village",
                                       "source", "summary", "complexity", "risk",
                                       "external_ref"};

static int check_keys(const json_t *body, struct intake_error *err)
{
    const char *k;
    json_t *unused;
    int rc = 0;
    json_object_foreach((json_t *)body, k, unused) {
        size_t j = 0, n = sizeof top_keys / sizeof top_keys[0];
        while (j < n && strcmp(k, top_keys[j]))
            j++;
        if (j == n)
            rc = fail(err, "invalid_field", k, "未知字段");
    }
    return rc;
}

/* A reference field: its code into *code (and the table's index + 1 into *number, if
 * given). */
static int get_code(struct intake *in, const json_t *body, const char *key,
                    const struct ref_table *t, const char *what, char **code, int *number,
                    struct intake_error *err)
{
    int idx, rc = get_choice(in, body, key, t, what, &idx, err);
    if (rc == 0 && code)
        *code = (char *)t->entries[idx].code;
    if (rc == 0 && number)
        *number = idx + 1;
    return rc;
}

static int parse_village(struct intake *in, const json_t *body, struct intake_error *err)
{
    const json_t *village = json_object_get(body, "village");
    if ((!village || json_is_null(village)) && in->ctx->tier == JIEFEN__TIER__TIER_VILLAGE) {
        in->village = (char *)in->ctx->node_name;
        return 0;
    }
    return get_text(in, body, "village", "village", INTAKE_VILLAGE_MAX, &in->village, err);
}

/* The hotline's ticket number typed at the window (optional): letters, digits, '-', '_'. */
static int parse_external(struct intake *in, const json_t *body, struct intake_error *err)
{
    const json_t *v = json_object_get(body, "external_ref");
    char *ref;
    in->external_system = in->external_ref = "";
    if (!v || json_is_null(v) || (json_is_string(v) && !json_string_value(v)[0]))
        return 0;
    int rc = get_text(in, body, "external_ref", "external_ref", INTAKE_EXTERNAL_REF_MAX, &ref,
                      err);
    if (rc == 0 && strspn(ref, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789-_") != strlen(ref))
        return fail(err, "invalid_field", "external_ref",
                    "外部工单号只能由字母、数字、“-”和“_”组成");
    if (rc == 0) {
        in->external_ref = ref;
        in->external_system = in->source && strcmp(in->source, "hotline_12345") == 0
                                  ? "12345" : "";
    }
    return rc;
}

void intake_set_external(struct intake *in, const char *system, const char *ref)
{
    in->external_system = system;
    in->external_ref = ref;
}

static int parse_fields(struct intake *in, const json_t *body, struct intake_error *err)
{
    int rc = worse(check_keys(body, err), parse_parties(in, body, err));
    int cat = get_code(in, body, "category", &ref_categories, "纠纷类别", &in->category, NULL, err);
    if (cat == 0)
        in->department = (char *)policy_department(in->ctx->policy, in->category);
    rc = worse(rc, cat);
    rc = worse(rc, get_code(in, body, "matter_type", &ref_matter_types, "事项类型",
                            &in->matter_type, NULL, err));
    rc = worse(rc, parse_village(in, body, err));
    rc = worse(rc, get_code(in, body, "source", &ref_sources, "来源", &in->source, NULL, err));
    rc = worse(rc, get_text(in, body, "summary", "summary", INTAKE_SUMMARY_MAX, &in->summary, err));
    rc = worse(rc, get_code(in, body, "complexity", &ref_complexities, "繁简类型", NULL,
                            &in->complexity, err));
    rc = worse(rc, parse_external(in, body, err));
    in->risk = JIEFEN__RISK__RISK_BLUE;
    const json_t *risk = json_object_get(body, "risk");
    if (risk && !json_is_null(risk))
        rc = worse(rc, get_code(in, body, "risk", &ref_risks, "风险等级", NULL, &in->risk, err));
    return rc;
}

int intake_parse(const json_t *body, const struct intake_ctx *ctx, struct intake **out,
                 struct intake_error *err)
{
    err->count = 0;
    if (!json_is_object(body))
        return fail(err, "invalid_json", "", "请求体应为JSON对象");
    struct intake *in = calloc(1, sizeof *in);
    if (!in)
        return -ENOMEM;
    in->ctx = ctx;
    int rc = parse_fields(in, body, err);
    if (rc) {
        intake_free(&in);
        return rc;
    }
    *out = in;
    return 0;
}

json_t *intake_rules_json(const struct policy *p)
{
    const struct config *cfg = p->cfg;
    return json_pack("{s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}, s:{s:b, s:i, s:i}}",
                     "limits", "external_ref", INTAKE_EXTERNAL_REF_MAX, "name", INTAKE_NAME_MAX, "id_number", INTAKE_ID_MAX, "phone",
                     INTAKE_PHONE_MAX, "address", INTAKE_ADDRESS_MAX, "village",
                     INTAKE_VILLAGE_MAX, "summary", INTAKE_SUMMARY_MAX, "parties",
                     INTAKE_MAX_PARTIES, "deadline", "working_days", p->cal != NULL,
                     "simple_days", cfg->simple_days, "complex_days", cfg->complex_days);
}

void intake_free(struct intake **in)
{
    if (!in || !*in)
        return;
    for (size_t i = 0; i < (*in)->n_strings; i++)
        free((*in)->strings[i]);
    free((*in)->strings);
    free(*in);
    *in = NULL;
}

const char *intake_case_id(const struct intake *in)
{
    return in->case_id;
}

/* Next serial of this node for the year of `now`, from the store (so it survives restarts
 * and is rolled back with a failed batch). */
static int next_case_id(eventlog_tx *tx, struct intake *in)
{
    int year = clock_local_year(tx->now_ms);
    char key[48];
    uint64_t serial;
    snprintf(key, sizeof key, CASEINDEX_SERIAL_KEY "%d", year);
    int rc = store_meta_get_u64(tx->st, tx->txn, key, &serial);
    if (rc || (rc = store_meta_put_u64(tx->st, tx->txn, key, serial + 1)))
        return rc;
    snprintf(in->case_id, sizeof in->case_id, "%s-%d-%06llu", in->ctx->node_id, year,
             (unsigned long long)serial + 1);
    return 0;
}

static uint8_t *pack_sealed(const struct intake *in, size_t *len)
{
    Jiefen__Sealed s = JIEFEN__SEALED__INIT;
    Jiefen__Party *ptrs[INTAKE_MAX_PARTIES];
    uint8_t salt[16];
    crypto_random(salt, sizeof salt);
    s.salt.data = salt;
    s.salt.len = sizeof salt;
    for (size_t i = 0; i < in->n_parties; i++)
        ptrs[i] = (Jiefen__Party *)&in->parties[i];
    s.parties = ptrs;
    s.n_parties = in->n_parties;
    *len = jiefen__sealed__get_packed_size(&s);
    uint8_t *buf = malloc(*len);
    if (buf)
        jiefen__sealed__pack(&s, buf);
    return buf;
}

/* Without the tree's key (a node enrolled before keys existed) the case has no tags: the
 * repeat-party rule does not see it, everything else works. */
static int party_tags(eventlog_tx *tx, const struct intake *in,
                      uint8_t tags[][PARTY_TAG_LEN], ProtobufCBinaryData *out)
{
    uint8_t key[PARTY_KEY_LEN];
    int rc = in->ctx->id ? party_key_get(tx->st, tx->txn, in->ctx->id, key) : JF_ENOTFOUND;
    if (rc)
        return rc == JF_ENOTFOUND ? 0 : rc;
    for (size_t i = 0; i < in->n_parties; i++) {
        party_tag(key, in->parties[i].id_number, tags[i]);
        out[i] = (ProtobufCBinaryData){PARTY_TAG_LEN, tags[i]};
    }
    crypto_wipe(key, sizeof key);
    return 0;
}

/* 受理回执: each party with a mobile number is told the case number by SMS, queued with
 * the case_opened event (outbox.h). */
static int queue_receipts(eventlog_tx *tx, const struct intake *in)
{
    int rc = 0;
    for (size_t i = 0; i < in->n_parties && rc == 0; i++)
        if (in->parties[i].phone && outbox_is_mobile(in->parties[i].phone))
            rc = notify_queue(tx, "receipt", in->parties[i].phone, in->case_id, NULL, 0);
    return rc;
}

void intake_set_due(struct intake *in, int64_t due_ms)
{
    in->due_ms = due_ms;
}

int intake_apply(eventlog_tx *tx, void *arg)
{
    struct intake *in = arg;
    uint8_t tags[INTAKE_MAX_PARTIES][PARTY_TAG_LEN];
    ProtobufCBinaryData tag_refs[INTAKE_MAX_PARTIES] = {{0, NULL}};
    int rc = next_case_id(tx, in);
    if (rc || (rc = party_tags(tx, in, tags, tag_refs)))
        return rc;
    Jiefen__CaseOpened o = JIEFEN__CASE_OPENED__INIT;
    o.case_id = in->case_id;
    o.category = in->category;
    o.department = in->department;
    o.matter_type = in->matter_type;
    o.village = in->village;
    o.source = in->source;
    o.summary = in->summary;
    o.external_system = (char *)in->external_system;
    o.external_ref = (char *)in->external_ref;
    o.complexity = in->complexity;
    o.risk = in->risk;
    o.due_ms = in->due_ms ? in->due_ms : policy_due(in->ctx->policy, tx->now_ms, in->complexity);
    o.party_count = (uint32_t)in->n_parties;
    o.party_roles = in->party_roles;
    o.n_party_roles = in->n_parties;
    o.party_tags = tag_refs;
    o.n_party_tags = tag_refs[0].len ? in->n_parties : 0;
    char linkage[INTAKE_MAX_PARTIES * LINKAGE_TAG_HEX + 1] = "";
    const Jiefen__Party *ps[INTAKE_MAX_PARTIES];
    for (size_t i = 0; i < in->n_parties; i++)
        ps[i] = &in->parties[i];
    if (in->ctx->linkage_key)
        linkage_tags(in->ctx->linkage_key, ps, in->n_parties, linkage, sizeof linkage);
    o.linkage_tags = linkage;

    Jiefen__Event ev = JIEFEN__EVENT__INIT;
    ev.actor = (char *)in->ctx->actor;
    ev.case_id = in->case_id;
    ev.body_case = JIEFEN__EVENT__BODY_CASE_OPENED;
    ev.case_opened = &o;
    size_t slen;
    uint8_t *sealed = pack_sealed(in, &slen);
    if (!sealed)
        return -ENOMEM;
    rc = eventlog_append(tx, &ev, sealed, slen);
    crypto_wipe(sealed, slen);
    free(sealed);
    if (rc == 0 && in->ctx->search_key) {
        rc = partyindex_add(tx->st, tx->txn, in->ctx->search_key, in->case_id, ps,
                            o.n_party_tags ? (const uint8_t(*)[PARTY_TAG_LEN])tags : NULL,
                            in->n_parties);
    }
    if (rc == 0)
        rc = queue_receipts(tx, in);
    return rc ? rc : warning_check(tx, in->ctx->policy->cfg, in->case_id);
}
