#include "case/intake.h"
#include "case/warning.h"
#include "error.h"
#include "case/reference.h"
#include "case/party.h"
#include "case/partyindex.h"
#include "case/resident_id.h"
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
    int complexity, risk;
    char case_id[64];
};

static int fail(struct intake_error *err, const char *code, const char *field,
                const char *fmt, ...)
{
    va_list ap;
    err->code = code;
    snprintf(err->field, sizeof err->field, "%s", field);
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
    return JF_EINVAL;
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

/* Reads a required string field of 1..maxchars characters after trimming. */
static int get_text(struct intake *in, const json_t *obj, const char *key, const char *path,
                    size_t maxchars, char **out, struct intake_error *err)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v))
        return fail(err, "missing_field", path, "缺少必填项");
    if (!json_is_string(v))
        return fail(err, "invalid_field", path, "应为文本");
    if (memchr(json_string_value(v), 0, json_string_length(v)))
        return fail(err, "invalid_field", path, "含有非法字符");
    char *s = own(in, trim_dup(json_string_value(v)));
    if (!s)
        return -ENOMEM;
    if (!*s)
        return fail(err, "missing_field", path, "不能为空");
    if (utf8_chars(s) > maxchars)
        return fail(err, "invalid_field", path, "过长：最多%zu个字", maxchars);
    *out = s;
    return 0;
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

static int parse_party(struct intake *in, const json_t *p, size_t i, struct intake_error *err)
{
    char path[64];
    Jiefen__Party *party = &in->parties[i];
    jiefen__party__init(party);
    if (!json_is_object(p)) {
        snprintf(path, sizeof path, "parties[%zu]", i);
        return fail(err, "invalid_field", path, "当事人应为对象");
    }
    const char *keys[] = {"role", "name", "id_number", "phone", "address"};
    const char *k;
    json_t *unused;
    json_object_foreach((json_t *)p, k, unused) {
        size_t j = 0;
        while (j < 5 && strcmp(k, keys[j]))
            j++;
        if (j == 5) {
            snprintf(path, sizeof path, "parties[%zu].%s", i, k);
            return fail(err, "invalid_field", path, "未知字段");
        }
    }
    int rc;
    const json_t *role = json_object_get(p, "role");
    snprintf(path, sizeof path, "parties[%zu].role", i);
    if (role && !json_is_null(role)) {
        if (!json_is_string(role) || ref_index(&ref_roles, json_string_value(role)) < 0)
            return fail(err, "invalid_field", path, "当事人身份应为申请人、被申请人或第三人");
        party->role =
            (char *)ref_roles.entries[ref_index(&ref_roles, json_string_value(role))].code;
    } else {
        party->role = (char *)ref_roles.entries[i == 0 ? 0 : 1].code;
    }
    snprintf(path, sizeof path, "parties[%zu].name", i);
    if ((rc = get_text(in, p, "name", path, 64, &party->name, err)))
        return rc;
    snprintf(path, sizeof path, "parties[%zu].id_number", i);
    if ((rc = get_text(in, p, "id_number", path, 18, &party->id_number, err)))
        return rc;
    char buf[128];
    const char *why = resident_id_check(party->id_number, in->ctx->now_ms, buf, sizeof buf);
    if (why)
        return fail(err, "invalid_field", path, "%s", why);
    if (party->id_number[17] == 'x')
        party->id_number[17] = 'X';
    snprintf(path, sizeof path, "parties[%zu].phone", i);
    if ((rc = get_text(in, p, "phone", path, 16, &party->phone, err)))
        return rc;
    if (!valid_phone(party->phone))
        return fail(err, "invalid_field", path, "电话号码格式不正确（手机11位，或区号-号码）");
    snprintf(path, sizeof path, "parties[%zu].address", i);
    if ((rc = get_text(in, p, "address", path, 200, &party->address, err)))
        return rc;
    in->party_roles[i] = party->role;
    return 0;
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
    for (size_t i = 0; i < n; i++) {
        int rc = parse_party(in, json_array_get(ps, i), i, err);
        if (rc)
            return rc;
        in->n_parties = i + 1;
    }
    return 0;
}

static const char *const top_keys[] = {"parties", "category", "matter_type", "village",
                                       "source", "summary", "complexity", "risk"};

static int check_keys(const json_t *body, struct intake_error *err)
{
    const char *k;
    json_t *unused;
    json_object_foreach((json_t *)body, k, unused) {
        size_t j = 0, n = sizeof top_keys / sizeof top_keys[0];
        while (j < n && strcmp(k, top_keys[j]))
            j++;
        if (j == n)
            return fail(err, "invalid_field", k, "未知字段");
    }
    return 0;
}

static int parse_fields(struct intake *in, const json_t *body, struct intake_error *err)
{
    int rc, idx;
    if ((rc = check_keys(body, err)) || (rc = parse_parties(in, body, err)))
        return rc;
    if ((rc = get_choice(in, body, "category", &ref_categories, "纠纷类别", &idx, err)))
        return rc;
    in->category = (char *)ref_categories.entries[idx].code;
    in->department = (char *)policy_department(in->ctx->policy, in->category);
    if ((rc = get_choice(in, body, "matter_type", &ref_matter_types, "事项类型", &idx, err)))
        return rc;
    in->matter_type = (char *)ref_matter_types.entries[idx].code;
    const json_t *village = json_object_get(body, "village");
    if ((!village || json_is_null(village)) && in->ctx->tier == JIEFEN__TIER__TIER_VILLAGE)
        in->village = (char *)in->ctx->node_name;
    else if ((rc = get_text(in, body, "village", "village", 64, &in->village, err)))
        return rc;
    if ((rc = get_choice(in, body, "source", &ref_sources, "来源", &idx, err)))
        return rc;
    in->source = (char *)ref_sources.entries[idx].code;
    if ((rc = get_text(in, body, "summary", "summary", 2000, &in->summary, err)))
        return rc;
    if ((rc = get_choice(in, body, "complexity", &ref_complexities, "繁简类型", &idx, err)))
        return rc;
    in->complexity = idx + 1;
    in->risk = JIEFEN__RISK__RISK_BLUE;
    const json_t *risk = json_object_get(body, "risk");
    if (risk && !json_is_null(risk)) {
        if ((rc = get_choice(in, body, "risk", &ref_risks, "风险等级", &idx, err)))
            return rc;
        in->risk = idx + 1;
    }
    return 0;
}

int intake_parse(const json_t *body, const struct intake_ctx *ctx, struct intake **out,
                 struct intake_error *err)
{
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
    snprintf(key, sizeof key, "serial:%d", year);
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
    o.complexity = in->complexity;
    o.risk = in->risk;
    o.due_ms = policy_due(in->ctx->policy, tx->now_ms, in->complexity);
    o.party_count = (uint32_t)in->n_parties;
    o.party_roles = in->party_roles;
    o.n_party_roles = in->n_parties;
    o.party_tags = tag_refs;
    o.n_party_tags = tag_refs[0].len ? in->n_parties : 0;

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
        const Jiefen__Party *ps[INTAKE_MAX_PARTIES];
        for (size_t i = 0; i < in->n_parties; i++)
            ps[i] = &in->parties[i];
        rc = partyindex_add(tx->st, tx->txn, in->ctx->search_key, in->case_id, ps,
                            o.n_party_tags ? (const uint8_t(*)[PARTY_TAG_LEN])tags : NULL,
                            in->n_parties);
    }
    return rc ? rc : warning_check(tx, in->ctx->policy->cfg, in->case_id);
}
