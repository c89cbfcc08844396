/*
 * cmd_user — `user add|passwd|phone|disable|enable|list`: the accounts of the web console
 * and their mobile numbers for staff SMS (shown masked). A new
 * password is typed twice at the terminal without echo, or read from the first line of
 * standard input with --password-stdin; it is wiped from memory once sent.
 */
#include "cmd.h"

#include "api.h"
#include "args.h"
#include "field.h"
#include "msg.h"
#include "table.h"

#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>

#define PASSWORD_LINE 1024   /* the daemon takes up to 256 bytes; it says so when longer */

struct user_args {
    const char *pos, *role, *name, *department, *phone;
    int password_stdin, remove;
};

static const struct option user_add_opts[] = {
    {"role", required_argument, NULL, 'r'}, {"name", required_argument, NULL, 'n'},
    {"department", required_argument, NULL, 'D'}, {"phone", required_argument, NULL, 'P'},
    {"password-stdin", no_argument, NULL, 'p'}, {NULL, 0, NULL, 0}};
static const struct option user_phone_opts[] = {
    {"set", required_argument, NULL, 'P'}, {"remove", no_argument, NULL, 'x'},
    {NULL, 0, NULL, 0}};
static const struct option user_passwd_opts[] = {
    {"password-stdin", no_argument, NULL, 'p'}, {NULL, 0, NULL, 0}};

static int take_user_option(void *arg, int c, char **argv)
{
    struct user_args *a = arg;
    switch (c) {
    case 'r': return args_set_text_once(&a->role, "role", optarg);
    case 'n': return args_set_text_once(&a->name, "name", optarg);
    case 'D': return args_set_text_once(&a->department, "department", optarg);
    case 'P': return args_set_text_once(&a->phone, "phone", optarg);
    case 'x': a->remove = 1; return 0;
    case 'p': a->password_stdin = 1; return 0;
    default: return args_bad_option(c, argv);
    }
}

/* One line of f into buf (len bytes) without its end of line. 0, or -1 when there is none
 * or it does not fit. */
static int read_line(FILE *f, char *buf, size_t len)
{
    if (!fgets(buf, (int)len, f))
        return -1;
    size_t n = strcspn(buf, "\r\n");
    if (!buf[n] && !feof(f))
        return -1;
    buf[n] = 0;
    return 0;
}

/* Asks at the terminal with echo off. 0, or -1. Echo goes off (dropping anything typed
 * ahead) before the prompt shows, so nothing typed after seeing it can be lost. */
static int ask_hidden(FILE *tty, const char *prompt, char *buf, size_t len)
{
    struct termios old, quiet;
    int fd = fileno(tty);
    if (tcgetattr(fd, &old) != 0)
        return -1;
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0)
        return -1;
    fputs(prompt, tty);
    fflush(tty);
    int rc = read_line(tty, buf, len);
    tcsetattr(fd, TCSANOW, &old);
    fputc('\n', tty);
    return rc;
}

/* The new password into buf: the first line of standard input with --password-stdin, else
 * typed twice at the terminal without echo. The exit code. */
static int read_password(int from_stdin, char *buf, size_t len)
{
    char again[PASSWORD_LINE];
    if (from_stdin)
        return read_line(stdin, buf, len) == 0
                   ? EXIT_OK
                   : msg_usage_as("missing_value", "--password-stdin：标准输入中没有密码行");
    FILE *tty = fopen("/dev/tty", "r+e");
    if (!tty)
        return msg_usage_as("no_terminal", "没有可输入密码的终端：请用 --password-stdin "
                            "从标准输入给出密码");
    int rc = EXIT_OK;
    if (ask_hidden(tty, "新密码：", buf, len) || ask_hidden(tty, "再次输入新密码：", again,
                                                          sizeof again)) {
        msg_error("unreadable_password", "无法从终端读取密码");
        rc = EXIT_REFUSED;
    } else if (strcmp(buf, again) != 0) {
        msg_error("password_mismatch", "两次输入的密码不一致，未作修改");
        rc = EXIT_REFUSED;
    }
    explicit_bzero(again, sizeof again);
    fclose(tty);
    return rc;
}

/* "/api/v1/users/USER/VERB" with USER escaped, malloc'd; NULL when out of memory. */
static char *user_path(struct ctl *ctl, const char *user, const char *verb)
{
    char *esc = ctl_client_escape(ctl->client, user), *path = NULL;
    if (esc && asprintf(&path, "/api/v1/users/%s/%s", esc, verb) < 0)
        path = NULL;
    free(esc);
    return path;
}

/* Posts req to path and confirms with fmt filled with the reply's user name, name and role
 * name (in that order). */
static int post_user(struct ctl *ctl, const char *path, const json_t *req, const char *fmt)
{
    json_t *r = NULL;
    int rc = api_post(ctl, path, req, &r);
    if (rc == 0) {
        const json_t *u = json_object_get(r, "user");
        rc = api_confirm(ctl, r, fmt, field_str(u, "user"), field_str(u, "name"),
                         field_str(u, "role_name"));
    }
    json_decref(r);
    return rc;
}

int cmd_user_add(struct ctl *ctl, int argc, char **argv)
{
    struct user_args a = {0};
    char pw[PASSWORD_LINE];
    json_t *req = NULL;
    int rc = args_parse(argc, argv, "user add", user_add_opts, "USER", &a.pos, take_user_option,
                        &a);
    if (rc == 0 && !a.role)
        rc = msg_usage_as("missing_option", "user add 缺少 --role clerk|mediator|director|leader|admin|department");
    if (rc == 0)
        rc = args_check_text("USER", a.pos);
    if (rc == 0)
        rc = read_password(a.password_stdin, pw, sizeof pw);
    if (rc == 0 && (!(req = json_object()) || api_set(req, "user", a.pos) ||
                    api_set(req, "role", a.role) || api_set(req, "name", a.name) ||
                    api_set(req, "department", a.department) || api_set(req, "phone", a.phone) ||
                    api_set(req, "password", pw)))
        rc = msg_oom();
    if (rc == 0)
        rc = post_user(ctl, "/api/v1/users", req, "已添加用户 %s（%s，%s）");
    explicit_bzero(pw, sizeof pw);
    json_decref(req);
    return rc;
}

int cmd_user_passwd(struct ctl *ctl, int argc, char **argv)
{
    struct user_args a = {0};
    char pw[PASSWORD_LINE], *path = NULL;
    json_t *req = NULL;
    int rc = args_parse(argc, argv, "user passwd", user_passwd_opts, "USER", &a.pos,
                        take_user_option, &a);
    if (rc == 0)
        rc = args_check_text("USER", a.pos);
    if (rc == 0)
        rc = read_password(a.password_stdin, pw, sizeof pw);
    if (rc == 0 && (!(path = user_path(ctl, a.pos, "passwd")) || !(req = json_object()) ||
                    api_set(req, "password", pw)))
        rc = msg_oom();
    if (rc == 0)
        rc = post_user(ctl, path, req, "已设置用户 %s（%s，%s）的密码；其已登录的会话均已退出");
    explicit_bzero(pw, sizeof pw);
    json_decref(req);
    free(path);
    return rc;
}

int cmd_user_phone(struct ctl *ctl, int argc, char **argv)
{
    struct user_args a = {0};
    char *path = NULL;
    json_t *req = NULL;
    int rc = args_parse(argc, argv, "user phone", user_phone_opts, "USER", &a.pos,
                        take_user_option, &a);
    if (rc == 0 && !a.phone == !a.remove)
        rc = msg_usage_as("missing_option", "user phone 需要 --set 手机号 或 --remove 二者之一");
    if (rc == 0)
        rc = args_check_text("USER", a.pos);
    if (rc == 0 && (!(path = user_path(ctl, a.pos, "phone")) || !(req = json_object()) ||
                    json_object_set_new(req, "phone", json_string(a.remove ? "" : a.phone))))
        rc = msg_oom();
    if (rc == 0)
        rc = post_user(ctl, path, req,
                       a.remove ? "已删除用户 %s（%s，%s）的手机号，不再向其发送短信"
                                : "已设置用户 %s（%s，%s）的手机号，短信提醒将发至该号码");
    json_decref(req);
    free(path);
    return rc;
}

/* user disable|enable USER: argv[0] is the verb. */
int cmd_user_switch(struct ctl *ctl, int argc, char **argv)
{
    (void)argc;
    int disable = strcmp(argv[0], "disable") == 0;
    char *path = NULL;
    int rc = args_check_text("USER", argv[1]);
    if (rc == 0 && !(path = user_path(ctl, argv[1], argv[0])))
        rc = msg_oom();
    if (rc == 0)
        rc = post_user(ctl, path, NULL,
                       disable ? "已停用用户 %s（%s，%s）；其已登录的会话均已退出"
                               : "已启用用户 %s（%s，%s）");
    free(path);
    return rc;
}

/* 正常, 已停用, or 已锁定至 HH:MM. */
static const char *user_state(const json_t *u, char *buf, size_t len)
{
    char until[32];
    if (json_is_true(json_object_get(u, "disabled")))
        return "已停用";
    if (!json_is_true(json_object_get(u, "locked")))
        return "正常";
    snprintf(buf, len, "已锁定至 %s", field_time(u, "locked_until_ms", "%H:%M", until, sizeof until));
    return buf;
}

static int user_row(struct table *t, const json_t *u, const void *arg)
{
    (void)arg;
    char state[48], last[32];
    const char *phone = field_str(u, "phone");
    const char *row[6] = {field_str(u, "user"), field_str(u, "name"), field_str(u, "role_name"),
                          phone[0] ? phone : "—", user_state(u, state, sizeof state),
                          field_time_set(u, "last_login_ms", last, sizeof last)};
    return table_add(t, row);
}

static int print_users(const json_t *users)
{
    static const char *const head[6] = {"用户", "姓名", "角色", "手机", "状态", "最近登录"};
    return table_show(NULL, 0, users, head, 6, user_row, NULL);
}

int cmd_user_list(struct ctl *ctl, int argc, char **argv)
{
    (void)argc, (void)argv;
    return api_show_list(ctl, "/api/v1/users", "users", print_users);
}
