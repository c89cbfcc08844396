/*
 * api — jiefenctl's requests to the daemon through ctl_client, and what they print. The node
 * is opened on the first request (its time zone then becomes TZ). A request that fails is
 * said on stderr (msg_refusal: the daemon's message, field and code; with --json its error
 * document, and nothing on stdout); the exit code then says why: EXIT_UNREACHABLE
 * (not running, connection), EXIT_REFUSED (4xx, local failure), EXIT_DAEMON (5xx, nonsense).
 * Every int function returns EXIT_OK or such an exit code.
 */
#ifndef JIEFEN_CLI_API_H
#define JIEFEN_CLI_API_H

#include "ctl.h"
#include "table.h"

#include <jansson.h>
#include <stddef.h>

/* Prints j, indented, and a line end to stdout. */
int api_print_json(const json_t *j);

/* Opens the node of ctl->dir unless it is open already. */
int api_connect(struct ctl *ctl);

/* One request. Returns 0 and *out (a new reference) when the daemon answered 2xx with
 * JSON; otherwise prints why and returns the exit code. */
int api_call(struct ctl *ctl, const char *method, const char *path, const char *body,
             size_t len, json_t **out);

/* POSTs req (NULL: an empty object) to path; *r as api_call() gives it. The body is wiped
 * afterwards: it may hold a password. */
int api_post(struct ctl *ctl, const char *path, const json_t *req, json_t **r);

/* GETs path into fd; *n is the size of the file. An answer that is not 2xx is the daemon's
 * error, printed as api_call() prints it. */
int api_fetch(struct ctl *ctl, const char *path, int fd, size_t *n);

/* Says the reply makes no sense ("unexpected reply from jiefend: what"); EXIT_DAEMON. */
int api_unexpected(const char *what);

/* GETs path and prints its array member key: as JSON with --json, else with print. */
int api_show_list(struct ctl *ctl, const char *path, const char *key,
                  int (*print)(const json_t *));

/* What a list command shows as a table: its ncols column titles, a row per item, and the
 * line `empty` when the list is empty, followed by what empty_note (NULL: nothing) gives
 * for the reply. */
struct api_table {
    const char *const *head;
    size_t ncols;
    table_row_fn row;
    const char *empty;
    const char *(*empty_note)(const json_t *reply);
};

/* The command `name` (no options): GETs path and prints its array member key: the reply
 * as JSON with --json, else the line of t->empty when the list is empty, else the table t.
 * The shape of device list, webhook dead, interop refused. */
int api_show_table(struct ctl *ctl, int argc, char **argv, const char *name, const char *path,
                   const char *key, const struct api_table *t);

/* The command `name ID` (no options): POSTs {} to "prefix/ID/verb", ID escaped; *id is
 * the argument given, *r as api_post() gives it. The shape of a verb on one record
 * (device approve ID, webhook retry ID...). */
int api_post_verb(struct ctl *ctl, int argc, char **argv, const char *name,
                  const char *prefix, const char *verb, const char **id, json_t **r);

/* Appends "?key=value" or "&key=value", the value escaped, to *path (malloc'd). */
int api_add_param(struct ctl *ctl, char **path, const char *key, const char *value);

/* Sets o[key] to the string value unless value is NULL. 0, or -1 out of memory. */
int api_set(json_t *o, const char *key, const char *value);

/* Prints one line of confirmation (cleaned, it comes from the daemon), or with --json the
 * reply. */
int api_confirm(struct ctl *ctl, const json_t *r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Posts {key: value, ...} (kv holds n strings, pairs; NULL values are left out) and
 * confirms with "WHAT: <the reply's `echo` field>". The shape of every small command. */
int api_post_fields(struct ctl *ctl, const char *path, const char *const *kv, size_t n,
                    const char *what, const char *echo);

#endif
