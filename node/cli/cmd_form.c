/*
 * cmd_form — the printable forms and their receipts (docs/cli.md): `case record ID KIND`
 * enters a form's content at its step, `case print ID FORM --out F.pdf` writes a form,
 * `receipt verify TEXT [--root FILE]` checks a receipt's QR text (offline against the root
 * certificate file with --root, else at the node), `receipt root` writes that file.
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "download.h"
#include "field.h"
#include "msg.h"
#include "receipt.h"
#include "vocab.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The fields of every record kind, as options (--applicant-statement is applicant_statement);
 * which belong to a kind is the daemon's to check. */
static const char *const record_fields[] = {
    "date",  "place", "mediator", "recorder", "applicant-statement", "respondent-statement",
    "mediator-notes", "facts", "terms", "deadline", "method", "court", "request", "reasons",
    "visitor", "performance", "opinion"};
#define N_FIELDS (sizeof record_fields / sizeof record_fields[0])

struct record_args {
    json_t *fields;
    const char *actor;
};

static int take_record(void *arg, int c, char **argv)
{
    struct record_args *a = arg;
    char key[64];
    if (c == 'a')
        return args_set_text_once(&a->actor, "actor", optarg);
    if (c < ARGS_OPT_BASE || c >= ARGS_OPT_BASE + (int)N_FIELDS)
        return args_bad_option(c, argv);
    snprintf(key, sizeof key, "%s", record_fields[c - ARGS_OPT_BASE]);
    for (char *p = key; *p; p++)
        *p = *p == '-' ? '_' : *p;
    if (json_object_get(a->fields, key))
        return msg_usage("--%s 只能给一次", record_fields[c - ARGS_OPT_BASE]);
    if (args_check_text(record_fields[c - ARGS_OPT_BASE], optarg))
        return EXIT_USAGE;
    return api_set(a->fields, key, optarg) ? msg_oom() : 0;
}

int cmd_case_record(struct ctl *ctl, int argc, char **argv)
{
    struct option opts[N_FIELDS + 2];
    struct record_args a = {json_object(), NULL};
    char *esc = NULL, *path = NULL;
    json_t *req = NULL, *r = NULL;
    int rc = a.fields ? 0 : msg_oom();
    if (rc == 0 && argc < 3)
        rc = msg_usage("请给出案件编号和文书种类");
    for (size_t i = 0; i < N_FIELDS; i++)
        opts[i] = (struct option){record_fields[i], required_argument, NULL,
                                  ARGS_OPT_BASE + (int)i};
    opts[N_FIELDS] = (struct option){"actor", required_argument, NULL, 'a'};
    opts[N_FIELDS + 1] = (struct option){NULL, 0, NULL, 0};
    if (rc == 0)
        rc = args_parse(argc - 2, argv + 2, "record", opts, NULL, NULL, take_record, &a);
    if (rc == 0 && (!(esc = ctl_client_escape(ctl->client, argv[1])) ||
                    asprintf(&path, "/api/v1/cases/%s/records", esc) < 0 ||
                    !(req = json_pack("{s:s, s:O}", "kind", argv[2], "fields", a.fields)) ||
                    api_set(req, "actor", a.actor)))
        rc = msg_oom();
    if (rc == 0)
        rc = api_post(ctl, path, req, &r);
    if (rc == 0)
        rc = api_confirm(ctl, r, "已录入 %s 的%s", argv[1], vocab_name(vocab_kinds, argv[2]));
    json_decref(r);
    json_decref(req);
    json_decref(a.fields);
    free(path);
    free(esc);
    return rc;
}

int cmd_case_print(struct ctl *ctl, int argc, char **argv)
{
    if (argc < 3)
        return msg_usage("请给出案件编号和表单名称");
    return download_copy(ctl, argc, argv, 2, "/api/v1/cases/%s/forms/%s.pdf", "PDF 文件");
}

/* ---- receipts ------------------------------------------------------------------------ */

static const char *kind_name(const char *kind)
{
    return strcmp(kind, "agreement") == 0 ? "调解协议书" : "受理回执";
}

/* Prints the outcome (JSON with --json); EXIT_OK when valid, else EXIT_PROBLEMS. */
static int report(struct ctl *ctl, const json_t *r)
{
    const json_t *rec = json_object_get(r, "receipt");
    int valid = json_is_true(json_object_get(r, "valid"));
    if (ctl->json)
        api_print_json(r);
    else if (valid)
        printf("回执有效：案件 %s 的%s，由 %s（%s）签发，事件哈希 %.16s…\n",
               field_str(rec, "case_id"), kind_name(field_str(rec, "kind")),
               field_str(rec, "node_name"), field_str(rec, "node_id"),
               field_str(rec, "event_hash"));
    if (!valid && !ctl->json)
        msg_error(field_str(r, "code"), "回执无效：%s", field_str(r, "message"));
    return valid ? EXIT_OK : EXIT_PROBLEMS;
}

static json_t *offline(const char *text, const uint8_t *root, size_t len)
{
    struct receipt_info info;
    int fault = receipt_verify(text, root, len, &info);
    json_t *r = json_pack("{s:b, s:s, s:s}", "valid", fault == RECEIPT_OK, "code",
                          receipt_fault_code(fault), "message", receipt_fault_message(fault));
    if (r && fault == RECEIPT_OK)
        json_object_set_new(r, "receipt",
                            json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "kind", info.kind,
                                      "case_id", info.case_id, "node_id", info.node_id,
                                      "node_name", info.node_name, "event_hash",
                                      info.event_hash, "time_ms", (json_int_t)info.time_ms));
    return r;
}

static int take_root(void *arg, int c, char **argv)
{
    if (c == 'r' || c == 'o')
        return args_set_once(arg, c == 'r' ? "root" : "out", optarg);
    return args_bad_option(c, argv);
}

int cmd_receipt_verify(struct ctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {{"root", required_argument, NULL, 'r'},
                                         {NULL, 0, NULL, 0}};
    const char *text = NULL, *root_path = NULL;
    char *root_text = NULL;
    uint8_t *root = NULL;
    size_t len = 0;
    json_t *r = NULL, *req = NULL;
    int rc = args_parse(argc, argv, "verify", opts, "TEXT", &text, take_root, &root_path);
    if (rc == 0 && root_path && (rc = args_read_text(root_path, &root_text)) == 0 &&
        receipt_root_read(root_text, &root, &len))
        rc = msg_usage_as("bad_root", "%s 不是根证书文件（JIEFEN ROOT-CERT）", root_path);
    if (rc == 0 && root && !(r = offline(text, root, len)))
        rc = msg_oom();
    if (rc == 0 && !root) {
        if (!(req = json_pack("{s:s}", "text", text)))
            rc = msg_oom();
        else
            rc = api_post(ctl, "/api/v1/receipts/verify", req, &r);
    }
    if (rc == 0)
        rc = report(ctl, r);
    json_decref(r);
    json_decref(req);
    free(root);
    free(root_text);
    return rc;
}

int cmd_receipt_root(struct ctl *ctl, int argc, char **argv)
{
    static const struct option opts[] = {{"out", required_argument, NULL, 'o'},
                                         {NULL, 0, NULL, 0}};
    const char *out = NULL;
    json_t *r = NULL;
    FILE *f = NULL;
    int rc = args_parse(argc, argv, "root", opts, NULL, NULL, take_root, &out);
    if (rc == 0)
        rc = api_call(ctl, "GET", "/api/v1/receipts/root", NULL, 0, &r);
    const char *text = rc ? NULL : field_str(r, "root");
    if (rc == 0 && (!out || strcmp(out, "-") == 0))
        fputs(text, stdout);
    else if (rc == 0 && (!(f = fopen(out, "w")) || fputs(text, f) < 0 || fclose(f))) {
        msg_error("unwritable_file", "无法写入 %s", out);
        rc = EXIT_REFUSED;
    } else if (rc == 0)
        rc = api_confirm(ctl, r, "根证书已写入 %s", out);
    json_decref(r);
    return rc;
}
