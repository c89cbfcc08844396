/*
 * msg — jiefenctl's own messages on stderr. For people: one line "jiefenctl: 中文说明
 * [code]", the Chinese sentence for the staff and the English code for scripts and
 * searching; a usage error adds the usage of the command being run (only that command's:
 * the whole list is --help's). Under --json (msg_set_json) each error is instead one JSON
 * document on stderr, {"error": {"code", "message", "usage"?}}, the shape of the API's
 * errors, and stdout stays empty. Each returns (where it returns anything) the exit code
 * that goes with it.
 */
#ifndef JIEFEN_CLI_MSG_H
#define JIEFEN_CLI_MSG_H

#include <jansson.h>
#include <stdio.h>

/* The usage of the command being run, as msg_usage prints it (set by main). */
void msg_set_usage(void (*usage)(FILE *out));

/* Errors as JSON on stderr from now on (--json). */
void msg_set_json(int on);

/* Prints an error: the message (Chinese) with its code. */
void msg_error(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints an error that is not one (a notice to the operator) as msg_error does, code
 * "error". */
void msg_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A usage error of code "usage": the message, then the command's usage; EXIT_USAGE. */
int msg_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* msg_usage with a more precise code ("unknown_option", "missing_option", ...). */
int msg_usage_as(const char *code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The daemon's error document (a reply {"error": {...}}; NULL when it sent none) with the
 * HTTP status: under --json the document itself on stderr, else the line "jiefenctl:
 * message (field) [code]", or one such line for each fault of its "errors" list when it
 * names several (an intake refused). */
void msg_refusal(const json_t *reply, long status);

/* Says "out of memory"; EXIT_REFUSED. */
int msg_oom(void);

#endif
