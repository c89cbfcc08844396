#include "api/account.h"
#include "clock.h"
#include "error.h"
#include "utf8.h"
#include "api/permission.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *account_check_user(const char *user)
{
    static const char *const reserved[] = {"admin", "system", "init"};
    size_t n = strlen(user);
    if (n < 2 || n > ACCOUNT_USER_MAX)
        return "用户名应为 2 到 32 个字符";
    if (user[0] < 'a' || user[0] > 'z')
        return "用户名应以小写字母开头";
    for (size_t i = 0; i < n; i++)
        if (!strchr("abcdefghijklmnopqrstuvwxyz0123456789._-", user[i]))
            return "用户名只能由小写字母、数字和 . _ - 组成";
    for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
        if (strcmp(user, reserved[i]) == 0)
            return "此用户名保留给系统使用（本机管理令牌、自动规则），请另取一个";
    return NULL;
}

const char *account_check_name(const char *name)
{
    size_t chars = utf8_chars(name);
    if (chars < 1 || chars > ACCOUNT_NAME_MAX)
        return "姓名应为 1 到 64 个字";
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "姓名不能含有控制字符";
    return NULL;
}

const char *account_check_password(const char *user, const char *password)
{
    if (utf8_chars(password) < ACCOUNT_PASSWORD_MIN)
        return "密码至少 8 个字符";
    if (strlen(password) > ACCOUNT_PASSWORD_MAX)
        return "密码过长（最多 256 字节）";
    if (strcmp(password, user) == 0)
        return "密码不能与用户名相同";
    return NULL;
}

int account_check_role(const char *role, int tier, const char **why)
{
    int r = permission_role_parse(role);
    *why = NULL;
    if (r == ROLE_NONE)
        *why = "角色应为 clerk（窗口受理）、mediator（调解员）、director（中心主任）、"
               "leader（领导）、admin（管理员）或 department（入驻部门）";
    else if (!permission_role_fits_tier(r, tier))
        *why = "村级中心不设领导角色：领导包案由乡镇及以上的领导承担";
    return *why ? ROLE_NONE : r;
}

int account_get(store *st, MDB_txn *txn, const char *user, Jiefen__UserRecord **out)
{
    size_t len = strlen(user);
    *out = NULL;
    if (!len || len > ACCOUNT_USER_MAX)   /* no such name can exist */
        return 0;
    return STORE_GET_MESSAGE(txn, st->users, user, len, &jiefen__user_record__descriptor, out);
}

int account_put(store *st, MDB_txn *txn, const Jiefen__UserRecord *u)
{
    return store_put_message(txn, st->users, u->user, strlen(u->user), &u->base);
}

int account_each(store *st, MDB_txn *txn, store_message_fn fn, void *arg)
{
    return store_walk_messages(txn, st->users, NULL, &jiefen__user_record__descriptor, fn, arg);
}

void account_free(Jiefen__UserRecord **u)
{
    if (!u || !*u)
        return;
    jiefen__user_record__free_unpacked(*u, NULL);
    *u = NULL;
}

int account_locked(const Jiefen__UserRecord *u, int64_t now)
{
    return u->locked_until_ms > now;
}

int64_t account_delay_ms(const Jiefen__UserRecord *u)
{
    if (u->failures < ACCOUNT_SLOW_AFTER)
        return 0;
    int64_t ms = (int64_t)(u->failures - ACCOUNT_SLOW_AFTER + 1) * 1000;
    return ms < ACCOUNT_DELAY_MAX_MS ? ms : ACCOUNT_DELAY_MAX_MS;
}

int account_failed(Jiefen__UserRecord *u, int64_t now, int lock_failures, int lock_minutes)
{
    if (++u->failures < (uint32_t)lock_failures)
        return 0;
    u->failures = 0;
    u->locked_until_ms = now + (int64_t)lock_minutes * 60000;
    return 1;
}

void account_logged_in(Jiefen__UserRecord *u, int64_t now)
{
    u->failures = 0;
    u->locked_until_ms = 0;
    u->last_login_ms = now;
}

const char *account_locked_message(const Jiefen__UserRecord *u, char *buf, size_t len)
{
    char when[32];
    clock_format_local(u->locked_until_ms, when, sizeof when);
    /* "YYYY-MM-DD HH:MM:SS": the staff want the hour and minute. */
    snprintf(buf, len, "登录失败次数过多，账户已锁定至 %.5s，请稍后再试或联系管理员", when + 11);
    return buf;
}

json_t *account_json(const Jiefen__UserRecord *u, int64_t now)
{
    int role = permission_role_parse(u->role);
    int locked = account_locked(u, now);
    return json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:I, s:i, s:I, s:I, s:I, s:s}", "user", u->user,
                     "name", u->name, "role", u->role, "role_name",
                     role ? permission_role_name(role) : "", "disabled", u->disabled, "locked",
                     locked, "locked_until_ms", (json_int_t)(locked ? u->locked_until_ms : 0),
                     "failed_logins", (int)u->failures, "created_ms", (json_int_t)u->created_ms,
                     "password_ms", (json_int_t)u->password_ms, "last_login_ms",
                     (json_int_t)u->last_login_ms, "department", u->department);
}
