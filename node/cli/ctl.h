/*
 * ctl — what every part of jiefenctl shares: the exit codes, the run (`struct ctl`: the
 * node's directory, --json, the HTTP client) and the entry type of the command table.
 * The table and its usage text are jiefenctl.c's; a handler gets the run and its argv,
 * argv[0] being the last command word, and returns the exit code.
 */
#ifndef JIEFEN_CTL_H
#define JIEFEN_CTL_H

#include "ctl_client.h"

#include <stdio.h>

enum {
    EXIT_OK = 0,
    EXIT_REFUSED = 1,       /* the daemon refused (4xx); also local failures */
    EXIT_USAGE = 2,
    EXIT_UNREACHABLE = 3,   /* not running, wrong DIR, no token, connection failed */
    EXIT_PROBLEMS = 4,      /* verify found problems */
    EXIT_DAEMON = 5,        /* the daemon failed (5xx) or answered nonsense */
};

#define SUMMARY_CHARS 20    /* a title or summary in a table is cut to this */

struct command;

struct ctl {
    const char *dir;        /* the node's data directory */
    int json;               /* --json: print the API's JSON */
    ctl_client *client;     /* created at start, opened on the first request */
    int opened;             /* client holds the node's address and token */
    const struct command *cmd;   /* the command running */
};

typedef int (*cmd_fn)(struct ctl *ctl, int argc, char **argv);

#define CMD_NO_ARGS 0x1u    /* takes no arguments */
#define CMD_ONE_ARG 0x2u    /* takes exactly one argument, argv[1] */

struct command {
    const char *name, *sub;   /* "case" "new"; sub NULL for one-word commands */
    cmd_fn run;               /* argv[0] is the last command word */
    unsigned flags;
    const char *args;         /* for the usage text */
};

#endif
