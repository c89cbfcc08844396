/*
 * jiefenctl — the control tool of a Jiefen node (docs/cli.md). Each command is one entry
 * of a table {name, handler, flags}; a handler checks its arguments (a usage error never
 * reaches the daemon), makes its request through ctl_client, and prints either tables for
 * people or, with --json, the API's JSON. The exit code reflects the daemon's answer.
 * This file holds the table, the usage text, the global options and the dispatch; the
 * handlers are in the cmd_*.c modules (cmd.h) and in the tables of actions (action.h).
 */
#include "ctl.h"

#include "action.h"
#include "args.h"
#include "cmd.h"
#include "msg.h"
#include "text.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const struct command commands[] = {
    {"status", NULL, cmd_status, CMD_NO_ARGS, ""},
    {"case", "new", cmd_case_new, 0, "--json FILE|- [--actor NAME]"},
    {"case", "new", cmd_case_new, 0,
     "--category C --matter-type M [--village V] --source S --summary TEXT\n"
     "           --complexity simple|complex [--risk R] [--external-ref NO] [--actor NAME]\n"
     "           --party KEY=VALUE,... ..."},
    {"case", "list", cmd_case_list, 0,
     "[--status S] [--category C] [--village V] [--risk R]\n"
     "            [--department D] [--text WORDS] [--from DATE] [--to DATE]\n"
     "            [--limit N] [--after ID] [--all]"},
    {"case", "show", cmd_case_show, 0, "ID [--purpose P]"},
    {"case", "attach", cmd_case_attach, 0, "ID FILE [--kind KIND] [--note TEXT] [--actor NAME]"},
    {"case", "documents", cmd_case_documents, CMD_ONE_ARG, "ID"},
    {"case", "document", cmd_case_document, 0, "ID DOC --out FILE|- [--force] [--purpose P]"},
    /* the case actions: their arguments are in case_actions (cmd_case_action.c) */
    {"case", "route", action_run, 0, NULL},
    {"case", "guide", action_run, 0, NULL},
    {"case", "attempt", action_run, 0, NULL},
    {"case", "escalate", action_run, 0, NULL},
    {"case", "risk", action_run, 0, NULL},
    {"case", "handdown", action_run, 0, NULL},
    {"case", "assign", action_run, 0, NULL},
    {"case", "ack", action_run, 0, NULL},
    {"case", "progress", action_run, 0, NULL},
    {"case", "extend", action_run, 0, NULL},
    {"case", "decide", action_run, 0, NULL},
    {"case", "close", action_run, 0, NULL},
    {"case", "followup", action_run, 0, NULL},
    {"case", "confirm", action_run, 0, NULL},  /* 司法确认 (docs/interop.md) */
    {"case", "record", cmd_case_record, 0,
     "ID mediation_record|agreement|confirmation_application|follow_up\n"
     "                 --FIELD TEXT ... [--actor NAME]"},
    {"case", "print", cmd_case_print, 0, "ID FORM --out FILE.pdf|- [--force]"},
    {"receipt", "verify", cmd_receipt_verify, 0, "TEXT [--root ROOTCERT]"},
    {"receipt", "root", cmd_receipt_root, 0, "[--out FILE]"},
    {"case", "archive", cmd_case_archive, 0, "ID --out FILE|- [--purpose P] [--force]"},
    {"archive", "verify", cmd_archive_verify, 0, "FILE [--root ROOTCERT]"},
    {"case", "sign", action_run, 0, NULL},
    {"case", "appointment", action_run, 0, NULL},
    {"case", "return", action_run, 0, NULL},
    {"case", "feedback", action_run, 0, NULL},
    {"department", "list", cmd_department_list, CMD_NO_ARGS, ""},
    {"department", "queue", action_run, 0, NULL},
    {"department", "add", action_run, 0, NULL},
    {"department", "edit", action_run, 0, NULL},
    {"supervision", NULL, cmd_supervision, CMD_NO_ARGS, ""},
    {"party", "find", cmd_party_find, 0, "--name N | --id-number ID | --phone P --purpose P"},
    {"party", "log", cmd_party_log, CMD_NO_ARGS, ""},
    {"inbox", NULL, cmd_inbox, 0, "[--kind KIND] [--limit N]"},
    {"access", "request", action_run, 0, NULL},
    {"access", "approve", action_run, 0, NULL},
    {"access", "refuse", action_run, 0, NULL},
    {"access", "list", action_run, 0, NULL},
    {"access", "copy", action_run, 0, NULL},
    {"access", NULL, action_run, 0, NULL},
    /* 回访 and 名册: their arguments are in followup_actions (cmd_followup.c) */
    {"followup", "list", action_run, 0, NULL},
    {"followup", "record", action_run, 0, NULL},
    {"roster", "list", action_run, 0, NULL},
    {"roster", "show", action_run, 0, NULL},
    {"roster", "add", action_run, 0, NULL},
    {"roster", "edit", action_run, 0, NULL},
    {"roster", "deactivate", action_run, 0, NULL},
    {"roster", "activate", action_run, 0, NULL},
    {"outbox", NULL, cmd_outbox, 0, "[--status S] [--limit N]"},
    {"interop", "refused", cmd_interop_refused, 0, ""},
    {"interop", "filings", cmd_interop_filings, 0, "FILE|-"},
    {"webhook", "list", cmd_webhook_list, 0, ""},
    {"webhook", "dead", cmd_webhook_dead, 0, ""},
    {"webhook", "retry", cmd_webhook_retry, 0, "ID"},
    {"webhook", "discard", cmd_webhook_discard, 0, "ID"},
    {"device", "list", cmd_device_list, 0, ""},
    {"device", "approve", cmd_device_approve, 0, "ID"},
    {"device", "revoke", cmd_device_revoke, 0, "ID"},
    /* the ledger and the reports: their arguments are in report_actions (cmd_report.c) */
    {"ledger", NULL, action_run, 0, NULL},
    {"dashboard", NULL, action_run, 0, NULL},
    {"report", "export", action_run, 0, NULL},
    {"report", "draft", action_run, 0, NULL},
    {"report", "submit", action_run, 0, NULL},
    {"report", "list", action_run, 0, NULL},
    {"report", "show", action_run, 0, NULL},
    {"report", "accept", action_run, 0, NULL},
    {"report", "return", action_run, 0, NULL},
    /* the 苗头隐患 register and the reviews: actions in hazard_actions (cmd_hazard.c) */
    {"hazard", "list", action_run, 0, NULL},
    {"hazard", "show", action_run, 0, NULL},
    {"hazard", "add", action_run, 0, NULL},
    {"hazard", "checkin", action_run, 0, NULL},
    {"hazard", "close", action_run, 0, NULL},
    {"hazard", "convert", cmd_hazard_convert, 0, "ID --json FILE|-"},
    {"review", "submit", action_run, 0, NULL},
    {"review", "directive", action_run, 0, NULL},
    {"verify", NULL, cmd_verify, CMD_NO_ARGS, ""},
    {"backup", NULL, cmd_backup, 0, "--out DIR"},
    {"enrol", "root", cmd_enrol_root, CMD_NO_ARGS, ""},
    {"enrol", "request", cmd_enrol_request, 0, "[--out FILE]"},
    {"enrol", "approve", cmd_enrol_approve, 0,
     "FILE|- [--endpoint tcp://HOST:PORT] [--out FILE] [--successor]"},
    {"recovery", "status", cmd_recovery, CMD_NO_ARGS, ""},
    {"recovery", "approve", cmd_recovery_approve, 0, "NODE --reason TEXT [--out FILE]"},
    {"recovery", "reseal", cmd_recovery_reseal, 0, "--key FILE --approval FILE"},
    {"enrol", "install", cmd_enrol_install, 0, "FILE|-"},
    {"enrol", "revoke", cmd_enrol_revoke, 0, "NODE [--reason TEXT]"},
    {"nodes", NULL, cmd_nodes, CMD_NO_ARGS, ""},
    {"directive", "send", cmd_directive_send, 0,
     "(--to NODE [--to NODE ...] [--subtree] | --all)\n"
     "                 --kind supervise|screening|notice --title TEXT [--body TEXT]\n"
     "                 [--case ID] [--actor NAME]"},
    {"directive", "list", cmd_directive_list, 0, "[--case ID]"},
    {"directive", "ack", cmd_directive_ack, 0, "ID [--note TEXT] [--actor NAME]"},
    {"link", "quarantine", cmd_link_quarantine, CMD_NO_ARGS, ""},
    {"link", "clear-quarantine", cmd_link_clear_quarantine, CMD_ONE_ARG, "ORIGIN"},
    {"user", "add", cmd_user_add, 0,
     "USER --role clerk|mediator|director|leader|admin|department [--name NAME]\n"
     "           [--department DEPT] [--phone MOBILE] [--password-stdin]"},
    {"user", "passwd", cmd_user_passwd, 0, "USER [--password-stdin]"},
    {"user", "phone", cmd_user_phone, 0, "USER --set MOBILE | --remove"},
    {"user", "disable", cmd_user_switch, CMD_ONE_ARG, "USER"},
    {"user", "enable", cmd_user_switch, CMD_ONE_ARG, "USER"},
    {"user", "list", cmd_user_list, CMD_NO_ARGS, ""},
    {NULL, NULL, NULL, 0, NULL},
};

/* One command's line of the usage text, after `lead` ("  " or "usage: jiefenctl "). */
static void command_usage(FILE *out, const char *lead, const struct command *c)
{
    int col = fprintf(out, "%s%s%s%s", lead, c->name, c->sub ? " " : "", c->sub ? c->sub : "");
    if (c->args)
        fprintf(out, "%s%s", c->args[0] ? " " : "", c->args);
    else
        action_usage(out, action_find(c->name, c->sub), col > 0 ? (size_t)col : 0);
    fputc('\n', out);
}

/* The usage text: global options, every command of the table, the notes, the exit codes. */
static void ctl_usage(FILE *out)
{
    fputs("usage: jiefenctl [--data DIR] [--json] COMMAND [ARGS]\n\n"
          "  --data DIR  the node's data directory (default $JIEFEN_DATA, else .)\n"
          "  --json      print the API's JSON instead of tables\n\ncommands:\n", out);
    for (const struct command *c = commands; c->name; c++)
        command_usage(out, "  ", c);
    fputs("\n--party takes role=R,name=N,id=ID,phone=P,address=A (a value holding ','\n"
          "or '\"' is quoted, address=\"1号, 2栋\", or escaped, address=1号\\, 2栋).\n"
          "FILE - is standard input. A directive ID is ORIGIN/SEQ, as directive list shows.\n"
          "case route needs --department or --lead-unit (or both), or --lead DEPT (with\n"
          "--help DEPT,... for helpers) to route it to the centre's departments; case sign,\n"
          "return and feedback are a department's (the token names it with --department).\n"
          "case attach: KIND evidence 证据, agreement 协议, record 笔录, ruling 裁定/文书 or\n"
          "other 其他 (default); the type is judged by content. DOC: a document's id or its\n"
          "number in case documents. --actor NAME is who acts\n"
          "(recorded in the case file; default admin); --village defaults at a village to its\n"
          "name. METHOD: people, administrative,\n"
          "judicial, lawyer or specialist.\n"
          "DATE is YYYY-MM-DD, a day in the node's time zone, as are the times shown.\n"
          "KIND: daily (villages), weekly (townships), monthly (counties and above) or\n"
          "ledger (every tier); a report's period is given by its first day (default: the current one). report export\n"
          "writes the ledger (--from, --to), or with --kind the report of --node (default\n"
          "this node) as submitted; --out - writes to standard output; an existing FILE is\n"
          "kept unless --force.\n"
          "FORM: intake_register, receipt, mediation_record, agreement,\n"
          "confirmation_application, follow_up or cover; case record takes the fields of its\n"
          "KIND as options (--applicant-statement TEXT ...; docs/cli.md lists them).\n"
          "receipt verify checks offline with --root (from receipt root), else at the node.\n"
          "archive verify checks a case's archive offline against --root (else the node's root).\n"
          "user add and user passwd ask for the password twice at the terminal (not shown),\n"
          "or read one line of standard input with --password-stdin (for scripts).\n"
          "exit: 0 ok, 1 refused, 2 usage, 3 jiefend unreachable, 4 verify found problems\n"
          "      or the receipt or the archive is not valid,\n"
          "      5 jiefend failed\n", out);
}

/* The command being run, once its words are known: a usage error shows its usage only. */
static const struct command *running;

/* The usage a usage error shows: the running command's lines (`case new` has two), or
 * where the whole list is. */
static void running_usage(FILE *out)
{
    const char *lead = "usage: jiefenctl ";
    if (!running) {
        fputs("jiefenctl --help 列出全部命令\n", out);
        return;
    }
    for (const struct command *c = commands; c->name; c++) {
        if (strcmp(c->name, running->name) != 0 ||
            !(c->sub == running->sub || (c->sub && running->sub && !strcmp(c->sub, running->sub))))
            continue;
        command_usage(out, lead, c);
        lead = "       jiefenctl ";
    }
}

/* Finds the command argv names; *words is how many words name it. */
static const struct command *find_command(int argc, char **argv, int *words)
{
    for (const struct command *c = commands; c->name; c++) {
        if (strcmp(c->name, argv[0]) != 0)
            continue;
        if (!c->sub) {
            *words = 1;
            return c;
        }
        if (argc > 1 && strcmp(c->sub, argv[1]) == 0) {
            *words = 2;
            return c;
        }
    }
    return NULL;
}

/* "new, list or show": the second words of the commands named `name`, malloc'd; NULL
 * when `name` has none (or out of memory). */
static char *sub_words(const char *name)
{
    const char *words[32];
    size_t n = 0;
    for (const struct command *c = commands; c->name; c++) {
        if (!c->sub || strcmp(c->name, name) != 0 || (n && strcmp(words[n - 1], c->sub) == 0))
            continue;
        if (n < sizeof words / sizeof words[0])
            words[n++] = c->sub;
    }
    char *s = NULL;
    size_t len = 0;
    FILE *f = n ? open_memstream(&s, &len) : NULL;
    if (!f)
        return NULL;
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%s", i == 0 ? "" : i + 1 < n ? ", " : " or ", words[i]);
    return text_stream_end(f, &s, 0);
}

/* No command matched argv: says why, as a usage error. */
static int unknown_command(int argc, char **argv)
{
    char *subs = sub_words(argv[0]);
    int rc;
    if (subs && argc > 1)
        rc = msg_usage_as("unknown_command", "没有命令“%s %s”（%s 之后可用：%s）", argv[0],
                          argv[1], argv[0], subs);
    else if (subs)
        rc = msg_usage_as("unknown_command", "%s 之后需要 %s", argv[0], subs);
    else
        rc = msg_usage_as("unknown_command", "没有命令“%s”", argv[0]);
    free(subs);
    return rc;
}

static int dispatch(struct ctl *ctl, int argc, char **argv)
{
    int words = 0;
    const struct command *c = find_command(argc, argv, &words);
    if (!c)
        return unknown_command(argc, argv);
    argc -= words - 1, argv += words - 1;   /* argv[0] is now the last command word */
    running = c;
    if ((c->flags & CMD_NO_ARGS) && argc != 1)
        return msg_usage_as("unexpected_argument", "%s 不接受参数：“%s”", argv[0], argv[1]);
    if (c->flags & CMD_ONE_ARG) {
        int dashdash = argc == 3 && strcmp(argv[1], "--") == 0;   /* "show -- -odd-id" */
        if (dashdash)
            argv[1] = argv[0], argc--, argv++;
        if (argc != 2 || !argv[1][0] || (argv[1][0] == '-' && !dashdash))
            return msg_usage_as("missing_argument", "%s %s 需要且只需要一个参数 %s", c->name,
                                argv[0], c->args);
    }
    ctl->cmd = c;
    return c->run(ctl, argc, argv);
}

/* Parses the options before the command; returns -1 to go on, else the exit code. */
static int parse_globals(int argc, char **argv, struct ctl *ctl)
{
    static const struct option opts[] = {
        {"data", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "+:h", opts, NULL)) != -1) {
        if (c == 'd')
            ctl->dir = optarg;
        else if (c == 'j')
            msg_set_json(ctl->json = 1);
        else if (c == 'h')
            return ctl_usage(stdout), EXIT_OK;
        else
            return args_bad_option(c, argv);
    }
    if (optind >= argc)
        return msg_usage_as("missing_command", "没有给出命令");
    if (!ctl->dir || !ctl->dir[0]) {
        const char *env = getenv("JIEFEN_DATA");
        ctl->dir = env && env[0] ? env : ".";
    }
    return -1;
}

int main(int argc, char **argv)
{
    struct ctl ctl = {NULL, 0, NULL, 0, NULL};
    msg_set_usage(running_usage);
    int rc = parse_globals(argc, argv, &ctl);
    if (rc >= 0)
        return rc;
    tzset();
    if (!(ctl.client = ctl_client_new())) {
        msg_error("client_error", "无法启动 libcurl（内存不足？）");
        return EXIT_REFUSED;
    }
    int first = optind;
    rc = dispatch(&ctl, argc - first, argv + first);
    ctl_client_destroy(&ctl.client);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        msg_error("output_error", "无法写出结果：%s", strerror(errno));
        return rc ? rc : EXIT_REFUSED;
    }
    return rc;
}
