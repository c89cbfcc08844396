/*
 * action — the commands declared by a table of actions (action.h): parsing their
 * arguments by the declaration, the request, the printing, the usage text.
 */
#include "action.h"

#include "api.h"
#include "args.h"
#include "download.h"
#include "field.h"
#include "msg.h"
#include "text.h"
#include "tpl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int action_print_done(struct ctl *ctl, const struct action_args *x, json_t *r)
{
    (void)ctl;
    if (!json_is_object(r))
        return api_unexpected("not a JSON object");
    json_t *view = json_copy(x->req);
    int rc = view && json_object_update(view, r) == 0 ? tpl_print(x->a->done, view)
                                                       : msg_oom();
    json_decref(view);
    return rc;
}

static const struct action_opt actor_opt = {"actor", "actor", "NAME", ARG_TEXT, ARG_OPTIONAL};

/* Two command words, either of which may be NULL, are the same. */
static int same_word(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

const struct action *action_find(const char *name, const char *sub)
{
    static const struct action *const tables[] = {case_actions, report_actions, access_actions,
                                                  hazard_actions, followup_actions,
                                                  department_actions};
    for (size_t t = 0; t < sizeof tables / sizeof tables[0]; t++)
        for (const struct action *a = tables[t]; a->name; a++)
            if (strcmp(a->name, name) == 0 && same_word(a->sub, sub))
                return a;
    return NULL;
}

/* How many options of its own the action has. */
static size_t action_nopts(const struct action *a)
{
    size_t n = 0;
    while (n < MAX_ACTION_OPTS && a->opts[n].flag)
        n++;
    return n;
}

/* How many options it takes: its own, and --actor. */
static size_t action_nall(const struct action *a)
{
    return action_nopts(a) + ((a->flags & ACT_ACTOR) != 0);
}

/* Option i of the action: its own, then --actor. */
static const struct action_opt *action_opt_at(const struct action *a, size_t i)
{
    return i < action_nopts(a) ? &a->opts[i] : &actor_opt;
}

/* The value of an option as the request member wants it; a usage error names the flag. */
static int option_value(const struct action_opt *o, const char *value, json_t **out)
{
    char what[48], *end, *text = NULL;
    snprintf(what, sizeof what, "--%s", o->flag);
    *out = NULL;
    if (o->kind == ARG_TRUE || o->kind == ARG_FALSE || o->kind == ARG_SWITCH) {
        *out = json_boolean(o->kind != ARG_FALSE);
    } else if (o->kind == ARG_INT) {
        errno = 0;
        long long n = strtoll(value, &end, 10);
        if (!value[0] || *end || errno)
            return msg_usage_as("invalid_value", "%s 的值“%s”不是整数", what, value);
        *out = json_integer((json_int_t)n);
    } else if (o->kind == ARG_FILE) {
        int rc = args_read_text(value, &text);
        if (rc)
            return rc;
        *out = json_string(text);
        free(text);
    } else {
        if (args_check_text(what, value))
            return EXIT_USAGE;
        *out = json_string(value);
    }
    return *out ? 0 : msg_oom();
}

/* Sets the member of option o to v (reference stolen): appended to its array for ARG_LIST,
 * in x->local for jiefenctl's own options. 0, or -1 out of memory. */
static int set_member(struct action_args *x, const struct action_opt *o, json_t *v)
{
    json_t *to = o->kind == ARG_LOCAL || o->kind == ARG_SWITCH ? x->local : x->req;
    json_t *list = json_object_get(to, o->member);
    if (o->kind != ARG_LIST)
        return json_object_set_new(to, o->member, v) ? -1 : 0;
    if (!list && (json_object_set_new(to, o->member, list = json_array()) || !list)) {
        json_decref(v);
        return -1;
    }
    return json_array_append_new(list, v) ? -1 : 0;
}

static int take_action_option(void *arg, int c, char **argv)
{
    struct action_args *x = arg;
    size_t n = action_nall(x->a);
    if (c < ARGS_OPT_BASE || c >= ARGS_OPT_BASE + (int)n)
        return args_bad_option(c, argv);
    size_t i = (size_t)(c - ARGS_OPT_BASE);
    const struct action_opt *o = action_opt_at(x->a, i);
    json_t *v;
    if (x->seen[i] && o->kind != ARG_LIST)
        return msg_usage_as("duplicate_option", "选项 --%s 给了两次", o->flag);
    for (size_t j = 0; j < n; j++)
        if (j != i && x->seen[j] && strcmp(action_opt_at(x->a, j)->member, o->member) == 0)
            return msg_usage_as("conflicting_options", "%s：--%s 与 --%s 只能给一个", x->name,
                                action_opt_at(x->a, j)->flag, o->flag);
    x->seen[i] = 1;
    int rc = option_value(o, optarg, &v);
    if (rc == 0 && set_member(x, o, v) != 0)
        rc = msg_oom();
    return rc;
}

/* "--days N" or "--approve": an option as messages name it; for the usage text, a list
 * "--missing CHILD/DATE ...". */
static void opt_word(char *word, size_t len, const struct action_opt *o, int usage)
{
    snprintf(word, len, "--%s%s%s%s", o->flag, o->meta ? " " : "", o->meta ? o->meta : "",
             usage && o->kind == ARG_LIST ? " ..." : "");
}

/* "--department DEPT or --lead-unit UNIT": the action's ARG_ONE_OF options, malloc'd;
 * NULL when out of memory. */
static char *one_of_text(const struct action *a)
{
    char *s = NULL;
    size_t len = 0, n = action_nopts(a);
    const char *sep = "";   /* "或": the Chinese message reads "缺少 --a 或 --b" */
    char word[72];
    FILE *f = open_memstream(&s, &len);
    if (!f)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (a->opts[i].need != ARG_ONE_OF)
            continue;
        opt_word(word, sizeof word, &a->opts[i], 0);
        fprintf(f, "%s%s", sep, word);
        sep = " 或 ";
    }
    return text_stream_end(f, &s, 0);
}

/* The options the action must have were given. */
static int check_action_args(const struct action_args *x)
{
    int one_of = 0, any = 0;
    char word[72];
    for (size_t i = 0; i < action_nopts(x->a); i++) {
        const struct action_opt *o = &x->a->opts[i];
        if (o->need == ARG_REQUIRED && !x->seen[i])
            return opt_word(word, sizeof word, o, 0),
                   msg_usage_as("missing_option", "%s 缺少 %s", x->name, word);
        one_of |= o->need == ARG_ONE_OF;
        any |= o->need == ARG_ONE_OF && x->seen[i];
    }
    if (!one_of || any)
        return 0;
    char *which = one_of_text(x->a);
    int rc = which ? msg_usage_as("missing_option", "%s 缺少 %s", x->name, which) : msg_oom();
    free(which);
    return rc;
}

/* Parses `NAME SUB [POS] [options]` into x. */
static int parse_action_args(int argc, char **argv, struct action_args *x)
{
    struct option opts[MAX_ACTION_OPTS + 2];
    size_t n = action_nall(x->a);
    for (size_t i = 0; i < n; i++) {
        const struct action_opt *o = action_opt_at(x->a, i);
        opts[i] = (struct option){o->flag, o->meta ? required_argument : no_argument, NULL,
                                  ARGS_OPT_BASE + (int)i};
    }
    opts[n] = (struct option){NULL, 0, NULL, 0};
    snprintf(x->name, sizeof x->name, "%s%s%s", x->a->name, x->a->sub ? " " : "",
             x->a->sub ? x->a->sub : "");
    x->req = x->a->fixed ? json_loads(x->a->fixed, 0, NULL) : json_object();
    x->local = json_object();
    int rc = x->req && x->local ? 0 : msg_oom();
    if (rc == 0)
        rc = args_parse(argc, argv, x->name, opts, x->a->pos, &x->pos, take_action_option, x);
    if (rc == 0 && x->a->pos)
        rc = args_check_text(x->a->pos, x->pos);
    if (rc == 0)
        rc = check_action_args(x);
    if (rc == 0 && x->a->pos_member && api_set(x->req, x->a->pos_member, x->pos))
        rc = msg_oom();
    x->path = x->a->path;
    if (rc == 0 && x->a->route)
        rc = x->a->route(x);
    return rc;
}

/* The request's path: the action's, with "{}" the positional argument escaped, and with
 * GET the request's members as the query. Malloc'd into *path. */
static int action_path(struct ctl *ctl, const struct action_args *x, char **path)
{
    const char *p = x->path, *hole = strstr(p, "{}"), *key;
    char *esc = hole ? ctl_client_escape(ctl->client, x->pos) : NULL;
    json_t *v;
    int ok = hole ? esc && asprintf(path, "%.*s%s%s", (int)(hole - p), p, esc, hole + 2) >= 0
                  : (*path = strdup(p)) != NULL;
    free(esc);
    if (!ok) {
        *path = NULL;
        return msg_oom();
    }
    if (strcmp(x->a->method, "GET") != 0)
        return 0;
    json_object_foreach(x->req, key, v) {   /* GET actions take text options only */
        int rc = api_add_param(ctl, path, key, json_string_value(v));
        if (rc)
            return rc;
    }
    return 0;
}

int action_run(struct ctl *ctl, int argc, char **argv)
{
    struct action_args x = {.a = action_find(ctl->cmd->name, ctl->cmd->sub)};
    char *path = NULL;
    json_t *r = NULL;
    int rc = x.a ? parse_action_args(argc, argv, &x)
                 : msg_usage_as("unknown_command", "没有命令“%s”", argv[0]);
    if (rc == 0)
        rc = action_path(ctl, &x, &path);
    if (rc == 0 && (x.a->flags & ACT_FILE))
        rc = download_file(ctl, path, field_str(x.local, "out"),
                           json_is_true(json_object_get(x.local, "force")));
    else if (rc == 0 && strcmp(x.a->method, "GET") == 0)
        rc = api_call(ctl, "GET", path, NULL, 0, &r);
    else if (rc == 0)
        rc = api_post(ctl, path, x.req, &r);
    if (rc == 0 && r)
        rc = ctl->json && !(x.a->flags & ACT_OWN_JSON) ? api_print_json(r)
                                                       : x.a->print(ctl, &x, r);
    json_decref(r);
    free(path);
    json_decref(x.local);
    json_decref(x.req);
    return rc;
}

#define USAGE_COLUMNS 88

/* Prints word at column *col, on a new line indented by `indent` when it would go past
 * USAGE_COLUMNS. */
static void usage_word(FILE *out, const char *word, size_t indent, size_t *col)
{
    size_t w = strlen(word);
    if (*col + 1 + w > USAGE_COLUMNS)
        fprintf(out, "\n%*s", (int)indent, ""), *col = indent;
    else
        fputc(' ', out), (*col)++;
    fputs(word, out);
    *col += w;
}

void action_usage(FILE *out, const struct action *a, size_t col)
{
    size_t n = a ? action_nall(a) : 0, indent = col + 1;
    char word[160], one[72], two[72];
    if (!a)   /* a command table entry without its action: nothing to say */
        return;
    if (a->pos)
        usage_word(out, a->pos, indent, &col);
    for (size_t i = 0; i < n; i++) {
        const struct action_opt *o = action_opt_at(a, i), *next = action_opt_at(a, i + 1);
        int pair = i + 1 < action_nopts(a) && o->need == ARG_ONE_OF &&
                   next->need == ARG_ONE_OF && strcmp(o->member, next->member) == 0;
        opt_word(one, sizeof one, o, 1);
        if (pair) {   /* two flags for one member: (--approve|--refuse) */
            opt_word(two, sizeof two, next, 1);
            snprintf(word, sizeof word, "(%s|%s)", one, two), i++;
        } else {
            snprintf(word, sizeof word, o->need == ARG_REQUIRED ? "%s" : "[%s]", one);
        }
        usage_word(out, word, indent, &col);
    }
}
