/*
 * action — the commands that are one request each, declared by a table instead of written
 * as a handler: the case actions (cmd_case_action.c), the ledger and the reports
 * (cmd_report.c). action_run() is their handler in the command table: it parses `NAME SUB
 * [POS] [options]` by the action's declaration, sends the request and prints the reply;
 * action_usage() writes their usage from the same declaration.
 */
#ifndef JIEFEN_CLI_ACTION_H
#define JIEFEN_CLI_ACTION_H

#include "ctl.h"

#include <jansson.h>
#include <stddef.h>
#include <stdio.h>

/* How an option of an action goes into the request. */
enum {
    ARG_TEXT,     /* the value */
    ARG_INT,      /* the value, a number */
    ARG_TRUE,     /* true (the option takes no value) */
    ARG_FALSE,    /* false */
    ARG_LIST,     /* the value, appended to an array; the option may be repeated */
    ARG_FILE,     /* the text of the file the value names ("-": standard input) */
    ARG_LOCAL,    /* the value is jiefenctl's own (--out FILE): not sent */
    ARG_SWITCH,   /* jiefenctl's own, without a value (--force): not sent */
};
/* Whether it must be given. Of the ARG_ONE_OF options of an action at least one must be;
 * those that set the same member exclude each other (--approve|--refuse). */
enum { ARG_OPTIONAL, ARG_REQUIRED, ARG_ONE_OF };

struct action_opt {
    const char *flag, *member;
    const char *meta;           /* the value in the usage text; NULL when it takes none */
    unsigned char kind, need;
};

#define MAX_ACTION_OPTS 10

#define ACT_ACTOR 0x1u      /* takes --actor NAME too (actor_opt) */
#define ACT_FILE 0x2u /* the reply is a file: download_file() writes it where --out says   \
                       */
#define ACT_OWN_JSON 0x4u   /* the printer prints --json itself (else: the reply) */

struct action_args;

/* Prints what the action did from the daemon's reply r (a JSON object). */
typedef int (*action_print_fn)(struct ctl *ctl, const struct action_args *x, json_t *r);

/* Picks the route from the options parsed into x (x->path), or says why they do not go
 * together. 0 or the exit code. */
typedef int (*action_route_fn)(struct action_args *x);

/* One action: `NAME SUB [POS] [options]` checks the options (a missing one is a usage error,
 * nothing is sent), turns them into the members of a request (with `fixed`, members always
 * sent) and sends it to `path` (or where `route` says), as the JSON body of a POST or as the
 * query of a GET; then prints the reply through `print`, or with --json the reply itself.
 * The positional argument goes into the path at "{}", or into the request as pos_member, or
 * else only to `print`. A table of actions ends with one whose name is NULL. */
struct action {
    const char *name, *sub;        /* the command's words; sub NULL for one word */
    const char *method, *path;
    const char *pos, *pos_member;  /* "ID" (NULL: none) and the member it sets */
    unsigned flags;
    action_print_fn print;
    struct action_opt opts[MAX_ACTION_OPTS];   /* up to the first without a flag */
    const char *done;              /* the line its printer prints; NULL: none */
    const char *fixed;             /* a JSON object of members always sent; NULL: none */
    action_route_fn route;         /* NULL: always `path` */
};

struct action_args {
    const struct action *a;
    char name[32];                 /* "case route", for messages */
    const char *pos;               /* the positional argument */
    const char *path;              /* the route: the action's, or its route()'s pick */
    json_t *req;                   /* the members sent */
    json_t *local;                 /* the values of ARG_LOCAL options, true for ARG_SWITCH */
    int seen[MAX_ACTION_OPTS + 1];
};

/* The tables of actions. */
extern const struct action case_actions[], report_actions[], access_actions[];
extern const struct action hazard_actions[];   /* hazards and reviews (cmd_hazard.c) */
extern const struct action followup_actions[]; /* 回访 and 名册 (cmd_followup.c) */
extern const struct action department_actions[]; /* departments (cmd_department.c) */

/* The action of the command "name sub" (sub NULL for one word), NULL if it is none. */
const struct action *action_find(const char *name, const char *sub);

/* The handler of every action: the command that runs names it. */
int action_run(struct ctl *ctl, int argc, char **argv);

/* A printer: the action's `done` line over what was sent, updated with the reply. */
int action_print_done(struct ctl *ctl, const struct action_args *x, json_t *r);

/* "ID --reason TEXT [--note TEXT] (--approve|--refuse) [--actor NAME]" for the action,
 * after the command's name (already printed, `col` columns); nothing for NULL. */
void action_usage(FILE *out, const struct action *a, size_t col);

#endif
