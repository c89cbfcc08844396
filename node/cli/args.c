/*
 * args — the command-line arguments of a command (args.h).
 */
#include "args.h"

#include "ctl.h"
#include "msg.h"
#include "text.h"
#include "utf8.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_INPUT ((size_t)64 * 1024 * 1024)   /* a --json document; the API takes 1 MiB */

int args_bad_option(int c, char **argv)
{
    const char *arg = argv[optind - 1];
    if (c == ':')
        return msg_usage_as("missing_value", "选项 %s 需要一个值", arg);
    if (optopt && optopt != '?' && arg[0] == '-' && arg[1] != '-')
        return msg_usage_as("unknown_option", "不认识的选项 -%c", optopt);
    const char *eq = strchr(arg, '=');
    if (optopt && eq)   /* getopt found the option: "--all=yes" */
        return msg_usage_as("unexpected_value", "选项 %.*s 不带值", (int)(eq - arg), arg);
    return msg_usage_as("unknown_option", "不认识的选项 %s", arg);
}

const struct option args_none[] = {{NULL, 0, NULL, 0}};

int args_take_none(void *arg, int c, char **argv)
{
    (void)arg;
    return args_bad_option(c, argv);
}

int args_set_once(const char **slot, const char *name, const char *value)
{
    if (*slot)
        return msg_usage_as("duplicate_option", "选项 --%s 给了两次", name);
    *slot = value;
    return 0;
}

int args_check_text(const char *what, const char *s)
{
    return utf8_valid(s) ? 0 : msg_usage_as("invalid_text", "%s 不是有效的 UTF-8 文字", what);
}

int args_set_text_once(const char **slot, const char *name, const char *value)
{
    char what[16];
    snprintf(what, sizeof what, "--%s", name);
    return args_set_once(slot, name, value) || args_check_text(what, value) ? EXIT_USAGE : 0;
}

int args_parse(int argc, char **argv, const char *name, const struct option *opts,
               const char *pos, const char **posval, args_option_fn take, void *arg)
{
    int c, rc = 0, rest = 0;
    optind = 0;
    while (rc == 0) {
        /* "-": getopt returns each non-option as the option 1, in order. After "--" it
         * returns -1 with optind on the rest, which must not be parsed again. */
        c = rest ? -1 : getopt_long(argc, argv, "-:", opts, NULL);
        if (c == -1 && optind < argc)
            rest = 1, c = 1, optarg = argv[optind++];
        if (c == -1)
            break;
        if (c != 1)
            rc = take(arg, c, argv);
        else if (!pos || *posval)
            rc = msg_usage_as("unexpected_argument", "%s：多余的参数“%s”", name, optarg);
        else
            *posval = optarg;
    }
    if (rc == 0 && pos && !*posval)
        rc = msg_usage_as("missing_argument", "%s 需要参数 %s", name, pos);
    return rc;
}

/* Makes room for at least 2 more bytes in *b. 0, -ENOMEM or -EFBIG. */
static int grow(char **b, size_t *cap, size_t n)
{
    if (*cap - n >= 2)
        return 0;
    if (*cap >= MAX_INPUT)
        return -EFBIG;
    size_t ncap = *cap ? *cap * 2 : 65536;
    char *nb = realloc(*b, ncap);
    if (!nb)
        return -ENOMEM;
    *b = nb, *cap = ncap;
    return 0;
}

/* Reads a whole file ("-": stdin) into *buf (malloc'd, NUL-terminated). 0 or -errno. */
static int read_input(const char *path, char **buf, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    size_t cap = 0, n = 0, r = 1;
    char *b = NULL;
    int rc = f ? 0 : -errno;
    while (rc == 0 && r > 0 && (rc = grow(&b, &cap, n)) == 0) {
        errno = 0;
        r = fread(b + n, 1, cap - n - 1, f);
        n += r;
        if (r == 0 && ferror(f))
            rc = errno ? -errno : -EIO;
    }
    if (f && f != stdin && fclose(f) != 0 && rc == 0)
        rc = -errno;
    if (rc) {
        free(b);
        return rc;
    }
    b[n] = 0;
    *buf = b, *len = n;
    return 0;
}

int args_read_file(const char *path, char **body, size_t *len)
{
    int rc = read_input(path, body, len);
    if (rc == -ENOMEM)
        return msg_oom();
    if (rc)
        return msg_usage_as("unreadable_file", "无法读取 %s：%s", path, strerror(-rc));
    return 0;
}

int args_read_text(const char *path, char **text)
{
    size_t len;
    int rc = args_read_file(path, text, &len);
    if (rc)
        return rc;
    if (memchr(*text, 0, len) || !utf8_valid(*text)) {
        free(*text);
        *text = NULL;
        return msg_usage_as("not_text", "%s 不是文本文件", path);
    }
    return 0;
}
