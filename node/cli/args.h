/*
 * args — the command-line arguments of a command (after its words), checked before anything
 * is sent: a usage error is printed with the usage text and gives EXIT_USAGE, so it never
 * reaches the daemon. Text that goes into JSON must be UTF-8; files named by arguments ("-"
 * is standard input) are read whole. Every int function returns 0 or the exit code.
 */
#ifndef JIEFEN_CLI_ARGS_H
#define JIEFEN_CLI_ARGS_H

#include <getopt.h>
#include <stddef.h>

/* getopt values of a table's options that are numbered by index start here. */
#define ARGS_OPT_BASE 1000

/* Takes one option (getopt's value c, its value in optarg) into arg; the exit code. */
typedef int (*args_option_fn)(void *arg, int c, char **argv);

/* Parses the arguments of the command `name` (argv[0] is its last word): the options
 * `opts` in any order, each handed to take(), and, when `pos` names one ("FILE"), exactly
 * one positional argument into *posval, which may come before, between or after the
 * options ("--" ends them, so a positional may start with '-'; "-" alone is one). */
int args_parse(int argc, char **argv, const char *name, const struct option *opts,
               const char *pos, const char **posval, args_option_fn take, void *arg);

/* getopt_long() returned '?' or ':' (opterr is 0, so the messages are ours). */
int args_bad_option(int c, char **argv);

/* The options of a command that takes none, and its take(): any option is a usage error. */
extern const struct option args_none[];
int args_take_none(void *arg, int c, char **argv);

/* Sets *slot to value; a usage error when the option --name was given before. */
int args_set_once(const char **slot, const char *name, const char *value);

/* A text argument that goes into JSON must be UTF-8; `what` names it in the error. */
int args_check_text(const char *what, const char *s);

/* Sets the text option --name *slot once, as UTF-8. */
int args_set_text_once(const char **slot, const char *name, const char *value);

/* The bytes of a file ("-": stdin) into *body (malloc'd, NUL-terminated), unchanged: as a
 * request body, whether they are a good request is the daemon's to say. One that cannot be
 * read is a usage error naming it. */
int args_read_file(const char *path, char **body, size_t *len);

/* The text of a file ("-": stdin) into *text, malloc'd; one that is not UTF-8 text is a
 * usage error naming it. */
int args_read_text(const char *path, char **text);

#endif
