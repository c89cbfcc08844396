/*
 * net_args — the options of the tier network's commands (enrol, directive): one struct that
 * each command fills with the options it takes, parsed as args_parse() parses.
 */
#ifndef JIEFEN_CLI_NET_ARGS_H
#define JIEFEN_CLI_NET_ARGS_H

#include <getopt.h>
#include <jansson.h>

/* What the options of the network commands set; each command takes some of them. Start
 * from {0}; the caller releases `to`. */
struct net_args {
    const char *pos;        /* the positional argument (FILE, NODE, ID), if any */
    const char *out, *endpoint, *reason, *note, *kind, *title, *body, *case_id, *actor;
    const char *key, *approval; /* recovery reseal: --key FILE, --approval FILE */
    json_t *to;             /* --to NODE, repeated: an array, NULL until the first */
    int subtree, all, successor;
};

/* Parses the arguments of the command `name`: the options of opts (by their getopt values:
 * 'o' --out, 'e' --endpoint, 'r' --reason, 'n' --note, 'k' --kind, 't' --title, 'b' --body,
 * 'c' --case, 'A' --actor, 'T' --to, 's' --subtree, 'a' --all, 'S' --successor,
 * 'K' --key, 'P' --approval) and, when pos names one, the positional
 * argument. 0 or the exit code. */
int net_args_parse(int argc, char **argv, const char *name, const struct option *opts,
                   const char *pos, struct net_args *a);

#endif
