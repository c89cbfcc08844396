/*
 * api — jiefenctl's requests to the daemon (api.h).
 */
#include "api.h"
#include "args.h"

#include "field.h"
#include "msg.h"
#include "table.h"
#include "text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int api_print_json(const json_t *j)
{
    if (json_dumpf(j, stdout, JSON_INDENT(2)) != 0) {
        msg_error("output_error", "无法输出 JSON（内存不足或写出错误）");
        return EXIT_REFUSED;
    }
    putchar('\n');
    return EXIT_OK;
}

/* The code beside the message of a failure of ctl_client. */
static const char *client_code(int rc)
{
    switch (rc) {
    case CTL_ENOTRUNNING: return "not_running";
    case CTL_EADDR: return "bad_address_file";
    case CTL_ETOKEN: return "no_token";
    case CTL_ECONNECT: return "unreachable";
    case CTL_ETIMEOUT: return "timeout";
    case CTL_EREPLY: return "bad_reply";
    case CTL_ECUT: return "download_cut_short";
    case -ENOMEM: return "out_of_memory";
    default: return "client_error";
    }
}

int api_connect(struct ctl *ctl)
{
    if (ctl->opened)
        return EXIT_OK;
    int rc = ctl_client_open(ctl->client, ctl->dir);
    if (rc) {
        msg_error(client_code(rc), "%s", ctl_client_errmsg(ctl->client));
        return rc == -ENOMEM ? EXIT_REFUSED : EXIT_UNREACHABLE;
    }
    ctl->opened = 1;
    /* Times are shown as the node's staff read them, whatever this shell's TZ. */
    if (ctl_client_time_zone(ctl->client)) {
        setenv("TZ", ctl_client_time_zone(ctl->client), 1);
        tzset();
    }
    return EXIT_OK;
}

static int transport_failure(struct ctl *ctl, int rc)
{
    msg_error(client_code(rc), "%s", ctl_client_errmsg(ctl->client));
    if (rc == CTL_ECONNECT || rc == CTL_ETIMEOUT || rc == CTL_ECUT)
        return EXIT_UNREACHABLE;
    return rc == CTL_EREPLY ? EXIT_DAEMON : EXIT_REFUSED;
}

/* The daemon answered with an error (or with something that is not JSON): says so
 * (msg_refusal) and returns the exit code for the status. */
static int refusal(long status, json_t *reply)
{
    msg_refusal(reply, status);
    return status >= 400 && status < 500 ? EXIT_REFUSED : EXIT_DAEMON;
}

int api_call(struct ctl *ctl, const char *method, const char *path, const char *body,
             size_t len, json_t **out)
{
    long status;
    json_t *reply;
    *out = NULL;
    int rc = api_connect(ctl);
    if (rc)
        return rc;
    rc = ctl_client_request(ctl->client, method, path, body, len, &status, &reply);
    if (rc)
        return transport_failure(ctl, rc);
    if (status >= 200 && status < 300 && reply) {
        *out = reply;
        return EXIT_OK;
    }
    rc = refusal(status, reply);
    json_decref(reply);
    return rc;
}

int api_unexpected(const char *what)
{
    msg_error("bad_reply", "jiefend 的回复无法理解：%s", what);
    return EXIT_DAEMON;
}

/* GETs path into *r and its array member key into *list: 0, or the exit code (a reply
 * without that array is unexpected, and *r is NULL). */
static int get_list(struct ctl *ctl, const char *path, const char *key, json_t **r,
                    const json_t **list)
{
    int rc = api_call(ctl, "GET", path, NULL, 0, r);
    if (rc)
        return rc;
    *list = json_object_get(*r, key);
    if (json_is_array(*list))
        return 0;
    char what[64];
    snprintf(what, sizeof what, "no \"%s\" array", key);
    json_decref(*r);
    *r = NULL;
    return api_unexpected(what);
}

int api_show_list(struct ctl *ctl, const char *path, const char *key,
                  int (*print)(const json_t *))
{
    json_t *r;
    const json_t *list;
    int rc = get_list(ctl, path, key, &r, &list);
    if (rc)
        return rc;
    rc = ctl->json ? api_print_json(r) : print(list);
    json_decref(r);
    return rc;
}

int api_show_table(struct ctl *ctl, int argc, char **argv, const char *name, const char *path,
                   const char *key, const struct api_table *t)
{
    json_t *r;
    const json_t *list;
    int rc = args_parse(argc, argv, name, args_none, NULL, NULL, args_take_none, NULL);
    if (rc || (rc = get_list(ctl, path, key, &r, &list)))
        return rc;
    if (ctl->json)
        rc = api_print_json(r);
    else if (json_array_size(list) == 0)
        printf("%s%s\n", t->empty, t->empty_note ? t->empty_note(r) : "");
    else
        rc = table_show(NULL, 0, list, t->head, t->ncols, t->row, NULL);
    json_decref(r);
    return rc;
}

int api_post_verb(struct ctl *ctl, int argc, char **argv, const char *name,
                  const char *prefix, const char *verb, const char **id, json_t **r)
{
    char *esc = NULL, *path = NULL;
    *r = NULL;
    *id = NULL;
    int rc = args_parse(argc, argv, name, args_none, "ID", id, args_take_none, NULL);
    if (rc)
        return rc;
    if (!(esc = ctl_client_escape(ctl->client, *id)) ||
        asprintf(&path, "%s/%s/%s", prefix, esc, verb) < 0)
        path = NULL;
    rc = path ? api_post(ctl, path, NULL, r) : msg_oom();
    free(esc);
    free(path);
    return rc;
}

int api_add_param(struct ctl *ctl, char **path, const char *key, const char *value)
{
    char *esc = ctl_client_escape(ctl->client, value), *p = NULL;
    int ok = esc && asprintf(&p, "%s%c%s=%s", *path, strchr(*path, '?') ? '&' : '?', key,
                             esc) >= 0;
    free(esc);
    if (!ok)
        return msg_oom();
    free(*path);
    *path = p;
    return 0;
}

int api_post(struct ctl *ctl, const char *path, const json_t *req, json_t **r)
{
    char *body = req ? json_dumps(req, JSON_COMPACT) : strdup("{}");
    *r = NULL;
    if (!body)
        return msg_oom();
    int rc = api_call(ctl, "POST", path, body, strlen(body), r);
    explicit_bzero(body, strlen(body));
    free(body);
    return rc;
}

int api_set(json_t *o, const char *key, const char *value)
{
    return value && json_object_set_new(o, key, json_string(value)) != 0 ? -1 : 0;
}

int api_confirm(struct ctl *ctl, const json_t *r, const char *fmt, ...)
{
    if (ctl->json)
        return api_print_json(r);
    char *line = NULL;
    va_list ap;
    va_start(ap, fmt);
    int n = vasprintf(&line, fmt, ap);
    va_end(ap);
    if (n < 0)
        return msg_oom();
    text_put_clean(line, stdout);
    putchar('\n');
    free(line);
    return EXIT_OK;
}

int api_post_fields(struct ctl *ctl, const char *path, const char *const *kv, size_t n,
                    const char *what, const char *echo)
{
    json_t *req = json_object(), *r = NULL;
    int rc = req ? 0 : msg_oom();
    for (size_t i = 0; rc == 0 && i + 1 < n; i += 2)
        if (api_set(req, kv[i], kv[i + 1]))
            rc = msg_oom();
    if (rc == 0)
        rc = api_post(ctl, path, req, &r);
    if (rc == 0)
        rc = api_confirm(ctl, r, "%s: %s", what, field_str(r, echo));
    json_decref(r);
    json_decref(req);
    return rc;
}

int api_fetch(struct ctl *ctl, const char *path, int fd, size_t *n)
{
    long status;
    json_t *reply;
    int rc = api_connect(ctl);
    if (rc)
        return rc;
    if ((rc = ctl_client_download(ctl->client, path, fd, &status, n, &reply)))
        return transport_failure(ctl, rc);
    if (status >= 200 && status < 300)
        return EXIT_OK;
    rc = refusal(status, reply);
    json_decref(reply);
    return rc;
}
