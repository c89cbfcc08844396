/*
 * cmd_case — `case new` (from --json FILE, or from the flags and --party) and `case show ID`
 * (the case file: its fields, parties and history). The other case commands are actions
 * (cmd_case_action.c) or lists (cmd_case_list.c, cmd_supervision.c).
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "field.h"
#include "msg.h"
#include "table.h"
#include "text.h"
#include "tpl.h"
#include "vocab.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The flags of `case new` and the request fields they set. */
static const char *const new_fields[][2] = {
    {"category", "category"}, {"matter-type", "matter_type"}, {"village", "village"},
    {"source", "source"},     {"summary", "summary"},         {"complexity", "complexity"},
    {"risk", "risk"}, {"external-ref", "external_ref"},
};
#define N_NEW_FIELDS (sizeof new_fields / sizeof new_fields[0])

/* The getopt value of new_fields[i] is ARGS_OPT_BASE + i. */
static const struct option new_opts[] = {
    {"category", required_argument, NULL, ARGS_OPT_BASE + 0},
    {"matter-type", required_argument, NULL, ARGS_OPT_BASE + 1},
    {"village", required_argument, NULL, ARGS_OPT_BASE + 2},
    {"source", required_argument, NULL, ARGS_OPT_BASE + 3},
    {"summary", required_argument, NULL, ARGS_OPT_BASE + 4},
    {"complexity", required_argument, NULL, ARGS_OPT_BASE + 5},
    {"risk", required_argument, NULL, ARGS_OPT_BASE + 6},
    {"external-ref", required_argument, NULL, ARGS_OPT_BASE + 7},
    {"json", required_argument, NULL, 'j'},
    {"party", required_argument, NULL, 'p'},
    {"actor", required_argument, NULL, 'a'},
    {NULL, 0, NULL, 0},
};

/* --party keys and the party fields they set. */
static const char *const party_keys[][2] = {
    {"role", "role"}, {"name", "name"}, {"id", "id_number"}, {"phone", "phone"},
    {"address", "address"},
};
#define PARTY_KEYS "role, name, id, phone, address"

/* Sets o[field] to the string s; a usage error when s is not UTF-8 or given twice. */
static int set_text(json_t *o, const char *field, const char *what, const char *s)
{
    if (json_object_get(o, field))
        return msg_usage_as("duplicate_option", "%s 给了两次", what);
    if (args_check_text(what, s))
        return EXIT_USAGE;
    json_t *v = json_string(s);
    return v && json_object_set_new(o, field, v) == 0 ? 0 : msg_oom();
}

/* One "key=value" item of --party into party. */
static int party_item(json_t *party, char *item)
{
    char *eq = strchr(item, '=');
    while (*item == ' ')
        item++;
    if (!eq)
        return msg_usage_as("invalid_party", "--party：“%s”不是 键=值（键：" PARTY_KEYS "）",
                            item);
    char *end = eq;
    while (end > item && end[-1] == ' ')
        end--;
    *end = 0;
    for (size_t i = 0; i < sizeof party_keys / sizeof party_keys[0]; i++) {
        if (strcmp(item, party_keys[i][0]) == 0) {
            char what[48];   /* the keys are short constants */
            snprintf(what, sizeof what, "--party 的 %s", party_keys[i][0]);
            return set_text(party, party_keys[i][1], what, eq + 1);
        }
    }
    return msg_usage_as("invalid_party", "--party：不认识的键“%s”（键：" PARTY_KEYS "）", item);
}

/* Splits --party into its items, in place: each comma outside double quotes ends one (made
 * a NUL); the quotes are dropped and a backslash keeps the character after it as it is, so
 * address="1号, 2栋" and address=1号\, 2栋 give the same value. *n is how many items. */
static int split_party(char *s, size_t *n)
{
    char *out = s;
    int quoted = 0;
    *n = 1;
    for (; *s; s++) {
        if (*s == '\\' && !s[1])
            return msg_usage_as("invalid_party", "--party：末尾的反斜杠后缺少字符");
        if (*s == '\\')
            *out++ = *++s;
        else if (*s == '"')
            quoted = !quoted;
        else if (*s == ',' && !quoted)
            *out++ = 0, (*n)++;
        else
            *out++ = *s;
    }
    *out = 0;
    return quoted ? msg_usage_as("invalid_party", "--party：引号未闭合") : 0;
}

/* Parses 'role=applicant,name=张三,address="…, …"' and appends the party to `parties`;
 * empty items (",,") are skipped. */
static int parse_party(json_t *parties, const char *spec)
{
    char *copy = strdup(spec), *it = copy;
    json_t *party = json_object();
    size_t n = 0;
    int rc = copy && party ? split_party(copy, &n) : msg_oom();
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char *next = it + strlen(it) + 1;   /* party_item cuts the item at its '=' */
        rc = it[0] ? party_item(party, it) : 0;
        it = next;
    }
    if (rc == 0 && json_object_size(party) == 0)
        rc = msg_usage_as("invalid_party", "--party 为空");
    if (rc == 0 && json_array_append(parties, party) != 0)
        rc = msg_oom();
    json_decref(party);
    free(copy);
    return rc;
}

struct new_args {
    const char *file;   /* --json FILE */
    const char *actor;  /* --actor NAME: who takes the case in (with the flags or FILE) */
    json_t *req;        /* the request built from the flags */
    int flags;          /* how many field flags and --party went into req */
};

static int parse_new_args(int argc, char **argv, struct new_args *a)
{
    json_t *parties = json_array();
    int c, rc = parties ? 0 : msg_oom();
    optind = 0;
    while (rc == 0 && (c = getopt_long(argc, argv, "+:", new_opts, NULL)) != -1) {
        if (c >= ARGS_OPT_BASE && c < ARGS_OPT_BASE + (int)N_NEW_FIELDS) {
            const char *const *f = new_fields[c - ARGS_OPT_BASE];
            char flag[32];
            snprintf(flag, sizeof flag, "--%s", f[0]);
            rc = set_text(a->req, f[1], flag, optarg);
            a->flags++;
        } else if (c == 'j') {
            rc = a->file ? msg_usage_as("duplicate_option", "选项 --json 给了两次") : 0;
            a->file = optarg;
        } else if (c == 'p') {
            rc = parse_party(parties, optarg);
            a->flags++;
        } else if (c == 'a') {
            rc = args_set_text_once(&a->actor, "actor", optarg);
        } else {
            rc = args_bad_option(c, argv);
        }
    }
    if (rc == 0 && optind < argc)
        rc = msg_usage_as("unexpected_argument", "case new：多余的参数“%s”", argv[optind]);
    if (rc == 0 && json_array_size(parties) &&
        json_object_set(a->req, "parties", parties) != 0)
        rc = msg_oom();
    json_decref(parties);
    return rc;
}

static int print_new_case(struct ctl *ctl, const json_t *r)
{
    if (ctl->json)
        return api_print_json(r);
    const char *id = field_str(json_object_get(r, "case"), "id");
    if (!id[0])
        return api_unexpected("no case id");
    text_put_clean(id, stdout);
    putchar('\n');
    return EXIT_OK;
}

/* The request of FILE with "actor" set: the document must then be a JSON object (without
 * --actor FILE goes as it is, and the daemon judges it). */
static int file_with_actor(const char *file, const char *actor, char **body, size_t *len)
{
    json_error_t jerr;
    json_t *doc = json_loadb(*body, *len, 0, &jerr);
    int rc = json_is_object(doc) ? 0
                                 : msg_usage_as("invalid_json", "%s 不是 JSON 对象，无法加上 --actor",
                                                file);
    if (rc == 0 && api_set(doc, "actor", actor))
        rc = msg_oom();
    char *with = rc ? NULL : json_dumps(doc, JSON_COMPACT);
    if (rc == 0 && !with)
        rc = msg_oom();
    json_decref(doc);
    if (rc)
        return rc;
    free(*body);
    *body = with, *len = strlen(with);
    return 0;
}

int cmd_case_new(struct ctl *ctl, int argc, char **argv)
{
    struct new_args a = {.req = json_object()};
    char *body = NULL;
    size_t len = 0;
    json_t *r = NULL;
    int rc = a.req ? parse_new_args(argc, argv, &a) : msg_oom();
    if (rc == 0 && a.file && a.flags)
        rc = msg_usage_as("conflicting_options", "case new：--json FILE 与其他字段选项只能用一种");
    else if (rc == 0 && !a.file && !a.flags)
        rc = msg_usage_as("missing_option", "case new 需要 --json FILE|- 或各字段选项");
    if (rc == 0 && a.file)
        rc = args_read_file(a.file, &body, &len);
    if (rc == 0 && a.file && a.actor)
        rc = file_with_actor(a.file, a.actor, &body, &len);
    else if (rc == 0 && !a.file && api_set(a.req, "actor", a.actor))
        rc = msg_oom();
    if (rc == 0 && !a.file && !(body = json_dumps(a.req, JSON_COMPACT)))
        rc = msg_oom();
    if (rc == 0 && !a.file)
        len = strlen(body);
    if (rc == 0)
        rc = api_call(ctl, "POST", "/api/v1/cases", body, len, &r);
    if (rc == 0)
        rc = print_new_case(ctl, r);
    json_decref(r);
    free(body);
    json_decref(a.req);
    return rc;
}

/* The lines of a case. */
static const struct tpl_line case_lines[] = {
    {"案件编号", "{id}", 0},
    {"状态", "{status}", 0},
    {"类别", "{category_name}", 0},
    {"归口部门", "{department}", 0},
    {"牵头单位", "{lead_unit}", 1},
    {"事项类型", "{matter_type}", 0},
    {"村", "{village}", 0},
    {"来源", "{source}", 0},
    {"外部工单号", "[{external.system} ]{external.ref}", 1},
    {"复杂程度", "{complexity}", 0},
    {"风险", "{risk}[（{risk_official}）]", 0},
    {"摘要", "{summary}", 0},
    {"承办节点", "{holder_name}（{holder}）", 0},
    {"案件位置", "{where}", 0},
    {"承办阶段", "第 {period} 段[，{holder_since_ms} 起][，前一承办节点 {previous_holder}]", 0},
    {"受理节点", "{opened_at_node}", 0},
    {"受理时间", "{opened_ms}", 0},
    {"办理期限", "{due_ms}", 0},
    {"超期", "{overdue}", 0},
    {"调解", "[共 {attempts} 次][，本级不成 {failed_attempts_here} 次]"
             "[，最近一次{last_outcome}]", 0},
    {"上报次数", "{escalations}", 1},
    {"包案领导", "[{needs_leader}][{leader.leader}（{leader.organisation}，联络单位 "
                 "{leader.liaison_unit}）][，{leader.acknowledged}][，由 {leader.assigned_by} "
                 "安排][，进展 {leader.progress_entries} 条]", 0},
    {"延期", "[申请延长 {extension.days} 天，{extension.state}][：{extension.reason}]", 0},
    {"法定途径", "[{guided_channel}][：{guidance}]", 1},
    {"办理结果", "{result}[（{withdrawn}）]", 1},
    {"办结", "[{closed_ms}，{closed_at_node}]", 1},
    {"反馈", "{feedback}", 1},
    {"回访", "{satisfaction}", 1},
    {"重新办理", "[回访{reopened.satisfaction}，已重新办理；前次于 {reopened.closed_at_node} "
                 "办结][：{reopened.result}][（{reopened.withdrawn}）]", 1},
    {"更新时间", "{updated_ms}", 0},
    {"当事人数", "{party_count}", 0},
    {"事件数", "{event_count}", 0},
};

int cmd_party_row(struct table *t, const json_t *p, const void *arg)
{
    (void)arg;
    const char *row[5] = {vocab_name(vocab_roles, field_str(p, "role")), field_str(p, "name"),
                          field_str(p, "id_number"), field_str(p, "phone"),
                          field_str(p, "address")};
    return table_add(t, row);
}

#define DETAILS_CHARS 40

/* What the history shows of each kind of event: a template over its "details". */
static const char *const detail_templates[][2] = {
    {"case_opened", "{summary}"},
    {"case_routed", "{reason}[（归口 {department}）][（牵头 {lead_unit}）]"},
    {"case_guided", "{channel}：{guidance}"},
    {"attempt", "{outcome}，{mediator}，{method}[，{judicial_confirmation}][，转{referral}]"
                "[：{agreement}][（{note}）]"},
    {"case_moved", "[{automatic}]{kind} {from} → {to}：{reason}"},
    {"risk_changed", "{risk}：{reason}"},
    {"leader_assigned", "{leader}，{organisation}，联络单位 {liaison_unit}"},
    {"leader_ack", "{note}"},
    {"leader_progress", "{text}"},
    {"leader_required", "{reason}"},
    {"deadline", "{kind}：期限 {due_ms}"},
    {"extension_requested", "延长 {days} 天：{reason}"},
    {"extension_decided", "{approved}[，期限延至 {new_due_ms}][：{reason}]"},
    {"case_closed", "[{withdrawn}：]{result}[（交回 {return_to} 回访）]"},
    {"follow_up", "{satisfaction}[：{note}]"},
    {"forms_record", "{kind}（内容已加密保存，可打印）"},
};

/* The details of a history entry in a few words, malloc'd; NULL when out of memory. */
static char *details_text(const json_t *h)
{
    const char *kind = field_str(h, "kind");
    for (size_t i = 0; i < sizeof detail_templates / sizeof detail_templates[0]; i++) {
        if (strcmp(detail_templates[i][0], kind) != 0)
            continue;
        char *full = tpl_expand(detail_templates[i][1], json_object_get(h, "details"));
        char *cut = full ? text_truncate(full, DETAILS_CHARS) : NULL;
        free(full);
        return cut;
    }
    return strdup("");
}

static int history_row(struct table *t, const json_t *h, const void *arg)
{
    (void)arg;
    char when[32];
    char *details = details_text(h);
    json_t *ok = json_object_get(h, "signature_ok");
    const char *name = field_str(h, "origin_name");
    const char *row[7] = {field_time(h, "time_ms", "%Y-%m-%d %H:%M:%S", when, sizeof when),
                          vocab_name(vocab_tiers, field_str(h, "tier")),
                          name[0] ? name : field_str(h, "origin"), field_str(h, "actor"),
                          vocab_name(vocab_kinds, field_str(h, "kind")), details,
                          json_is_true(ok) ? "✓" : json_is_false(ok) ? "✗" : "?"};
    int rc = !details || table_add(t, row);
    free(details);
    return rc ? -1 : 0;
}

/* The case as case_lines show it. A case reopened by a dissatisfied follow-up is open
 * again (closed_ms 0) but keeps its former closing: that goes to the member "reopened",
 * so that it reads as what happened before, not as the case's closing. A new reference;
 * NULL when out of memory. */
static json_t *case_for_display(const json_t *c)
{
    json_t *v = json_deep_copy(c);
    json_t *closed = json_object_get(c, "closed_ms");
    if (!v || !json_is_integer(closed) || json_integer_value(closed) != 0 ||
        !field_str(c, "closed_at_node")[0])
        return v;
    static const char *const moved[] = {"closed_at_node", "result", "feedback", "satisfaction",
                                        "withdrawn"};
    json_t *before = json_object();
    int bad = !before || json_object_set_new(v, "reopened", before);
    for (size_t i = 0; !bad && i < sizeof moved / sizeof moved[0]; i++) {
        bad = json_object_set(before, moved[i], json_object_get(c, moved[i])) != 0;
        json_object_del(v, moved[i]);
    }
    if (bad)
        json_decref(v), v = NULL;
    return v;
}

static int print_case_file(const json_t *r)
{
    static const char *const party_head[5] = {"角色", "姓名", "身份证号码", "电话", "住址"};
    static const char *const history_head[7] = {"时间", "级别", "节点", "操作人", "事件", "内容",
                                                "签名"};
    if (!json_is_object(json_object_get(r, "case")))
        return api_unexpected("no \"case\"");
    struct table fields = {.ncols = 2}, parties = {.ncols = 5}, history = {.ncols = 7};
    struct table sms = {.ncols = CMD_OUTBOX_COLS};
    json_t *c = case_for_display(json_object_get(r, "case"));
    int rc = !c || tpl_lines(&fields, case_lines, sizeof case_lines / sizeof case_lines[0], c) ||
             table_fill(&parties, party_head, json_object_get(r, "parties"), cmd_party_row, NULL) ||
             table_fill(&history, history_head, json_object_get(r, "history"), history_row,
                        NULL) ||
             table_fill(&sms, cmd_outbox_head, json_object_get(r, "sms"), cmd_outbox_row, NULL);
    if (rc == 0) {
        table_print(&fields, 0);
        printf("\n当事人:\n");
        table_print(&parties, 2);
        printf("\n短信通知:\n");
        if (json_array_size(json_object_get(r, "sms")))
            table_print(&sms, 2);
        else
            printf("  无\n");
        cmd_interop_print_of_case(r);
        cmd_interop_print_confirmation(r);
        printf("\n历史:\n");
        table_print(&history, 2);
    }
    table_free(&sms);
    table_free(&history);
    table_free(&parties);
    table_free(&fields);
    json_decref(c);
    return rc ? msg_oom() : EXIT_OK;
}

/* `case show ID [--purpose P]`: the purpose (查阅目的) of seeing the parties is recorded
 * with the view; without one only the holder's own view shows them (as 办案). */
int cmd_case_show(struct ctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {
        {"purpose", required_argument, NULL, ARGS_OPT_BASE},
        {NULL, 0, NULL, 0},
    };
    const char *purpose = NULL;
    int c;
    optind = 0; /* the ID may come before or after --purpose: argv is permuted */
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        if (c != ARGS_OPT_BASE)
            return args_bad_option(c, argv);
        purpose = optarg;
    }
    if (optind != argc - 1)
        return msg_usage("case show: 需要一个案件编号");
    char *esc = ctl_client_escape(ctl->client, argv[optind]), *path = NULL;
    json_t *r = NULL;
    int rc = esc && asprintf(&path, "/api/v1/cases/%s", esc) >= 0 ? 0 : msg_oom();
    if (rc == 0 && purpose && api_add_param(ctl, &path, "purpose", purpose))
        rc = EXIT_REFUSED;
    if (rc == 0)
        rc = api_call(ctl, "GET", path, NULL, 0, &r);
    if (rc == 0)
        rc = ctl->json ? api_print_json(r) : print_case_file(r);
    json_decref(r);
    free(path);
    free(esc);
    return rc;
}
