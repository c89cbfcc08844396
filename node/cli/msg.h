/*
 * msg — jiefenctl's own messages on stderr, each "jiefenctl: ..." on one line. Each returns
 * (where it returns anything) the exit code that goes with it.
 */
#ifndef JIEFEN_CLI_MSG_H
#define JIEFEN_CLI_MSG_H

#include <stdio.h>

/* The usage text msg_usage prints (the command table's, set by main). */
void msg_set_usage(void (*usage)(FILE *out));

/* Prints a message. */
void msg_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Prints a message, then the usage text; EXIT_USAGE. */
int msg_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Says "out of memory"; EXIT_REFUSED. */
int msg_oom(void);

#endif
