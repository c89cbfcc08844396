"""Accounts and sessions with real processes, no browser (issue 6, 一人一密码): login and
logout, the cookie's attributes, a session across a restart, idle and absolute expiry (the
clock moved with JIEFEN_CLOCK_OFFSET_MS), CSRF, lockout and its end, disabled accounts,
one's own password, the user as the actor of events, the admin token, and `jiefenctl user`
with its errors (the password typed at a terminal without echo, or on stdin)."""
import concurrent.futures
import datetime
import json
import os
import pty
import re
import select
import signal
import subprocess
import time

import harness
from harness import PASSWORD, NodeTest, intake

MINUTE = 60 * 1000
SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def append_config(node, text):
    with open(os.path.join(node.dir, "jiefend.conf"), "a") as f:
        f.write("\n" + text.strip() + "\n")


def restart(node, offset_ms=0):
    """Stops the node and starts it again with its clock moved by offset_ms."""
    node.stop()
    node.env["JIEFEN_CLOCK_OFFSET_MS"] = str(int(offset_ms))
    return node.start()


def error(reply):
    return reply[0], reply[1]["error"]["code"]


def log_events(node):
    return node.ok("GET", "/api/v1/status")["log"]["events"]


class Accounts(NodeTest):
    def village(self):
        n = self.node("v-dongcun", "village", "东村").start()
        n.add_user("zhang", "clerk", name="张三")
        return n

    def test_login_cookie_and_logout(self):
        n = self.village()
        s, b, h = n.request("POST", "/api/v1/session", {"user": "zhang", "password": PASSWORD},
                            token=False)
        self.assertEqual(s, 200, b)
        cookie = h["Set-Cookie"]
        print("Set-Cookie:", cookie)
        attrs = [a.strip() for a in cookie.split(";")]
        name, value = attrs[0].split("=", 1)
        self.assertEqual(name, "jiefen_session_" + n.id)  # per node: ports share cookies
        self.assertRegex(value, "^[0-9a-f]{64}$")
        self.assertIn("HttpOnly", attrs)
        self.assertIn("SameSite=Strict", attrs)
        self.assertIn("Path=/", attrs)
        self.assertIn(f"Max-Age={12 * 3600}", attrs)
        self.assertEqual((b["user"], b["name"], b["role"], b["role_name"]),
                         ("zhang", "张三", "clerk", "窗口受理"))
        self.assertEqual((b["node_id"], b["node_name"], b["tier"], b["token"]),
                         ("v-dongcun", "东村", "village", False))
        self.assertRegex(b["csrf"], "^[0-9a-f]{64}$")
        self.assertEqual(b["permissions"], ["case.create", "case.route", "case.guide",
                                            "case.parties", "access.request"])
        session = harness.Session(n, cookie, b)
        s, me = session.api("GET", "/api/v1/session")
        self.assertEqual((s, me["user"], me["csrf"]), (200, "zhang", b["csrf"]))
        # The store holds the session's hash, never the cookie itself.
        with open(os.path.join(n.dir, "store", "data.mdb"), "rb") as f:
            data = f.read()
        self.assertNotIn(value.encode(), data)
        self.assertNotIn(bytes.fromhex(value), data)
        # Without cookie or token; a wrong user and a wrong password say the same.
        self.assertEqual(error(n.api("GET", "/api/v1/session", token=False)),
                         (401, "unauthorized"))
        wrong_user = n.api("POST", "/api/v1/session", {"user": "nobody", "password": PASSWORD},
                           token=False)
        wrong_pw = n.api("POST", "/api/v1/session", {"user": "zhang", "password": "x" * 9},
                         token=False)
        self.assertEqual(error(wrong_user), (401, "bad_login"))
        self.assertEqual(wrong_user, wrong_pw)
        self.assertEqual(wrong_pw[1]["error"]["message"], "用户名或密码错误")
        self.assertEqual(error(n.api("POST", "/api/v1/session", {"user": "zhang"}, token=False)),
                         (400, "missing_field"))
        # Logout needs the CSRF token, clears the cookie, ends the session.
        self.assertEqual(error(session.api("DELETE", "/api/v1/session", csrf=False)),
                         (403, "csrf"))
        s, b, h = n.request("DELETE", "/api/v1/session", token=False,
                            headers={"Cookie": f"{session.cookie_name}={session.cookie}",
                                     "X-CSRF-Token": session.csrf})
        self.assertEqual((s, b), (200, {}))
        self.assertIn(session.cookie_name + "=;", h["Set-Cookie"])
        self.assertIn("Max-Age=0", h["Set-Cookie"])
        s, b = session.api("GET", "/api/v1/session")
        self.assertEqual((s, b["error"]["code"], b["error"]["message"]),
                         (401, "session_expired", "登录已失效，请重新登录"))

    def test_csrf(self):
        n = self.village()
        a, other = n.login("zhang"), n.login("zhang")
        before = log_events(n)
        for token in (False, "", "0" * 64, other.csrf):
            with self.subTest(token=token):
                s, b = a.api("POST", "/api/v1/cases", intake(), csrf=token)
                self.assertEqual((s, b["error"]["code"]), (403, "csrf"))
                self.assertEqual(b["error"]["message"], "请求缺少有效的 CSRF 令牌，请刷新页面后重试")
        self.assertEqual(log_events(n), before)
        self.assertEqual(n.cases(), [])
        s, b = a.api("POST", "/api/v1/cases", intake())
        self.assertEqual(s, 201, b)
        # Reading needs no token; the admin token needs none either.
        self.assertEqual(a.api("GET", "/api/v1/cases")[0], 200)
        self.assertEqual(n.api("POST", "/api/v1/cases", intake())[0], 201)

    def test_session_survives_restart_and_expires(self):
        n = self.village()
        append_config(n, "[console]\nsession_idle_minutes = 30\nsession_max_hours = 1")
        restart(n)
        a = n.login("zhang")
        restart(n)
        s, b = a.api("GET", "/api/v1/session")
        self.assertEqual((s, b.get("user")), (200, "zhang"), b)
        # Idle: 31 minutes without a request.
        restart(n, 31 * MINUTE)
        s, b = a.api("GET", "/api/v1/session")
        self.assertEqual((s, b["error"]["code"], b["error"]["message"]),
                         (401, "session_expired", "登录已过期，请重新登录"))
        # Absolute: used every 25 minutes, it still ends an hour after the login.
        restart(n, 0)
        b = n.login("zhang")
        for minutes in (25, 50):
            restart(n, minutes * MINUTE)
            self.assertEqual(b.api("GET", "/api/v1/cases")[0], 200, minutes)
        restart(n, 61 * MINUTE)
        self.assertEqual(error(b.api("GET", "/api/v1/cases")), (401, "session_expired"))

    def test_lockout_and_its_end(self):
        n = self.village()
        wrong = {"user": "zhang", "password": "wrong-password"}
        answers = [n.api("POST", "/api/v1/session", wrong, token=False) for _ in range(5)]
        self.assertEqual([s for s, _ in answers], [401, 401, 401, 401, 423])
        msg = answers[-1][1]["error"]["message"]
        print("locked:", msg)
        m = re.fullmatch(r"登录失败次数过多，账户已锁定至 (\d\d:\d\d)，请稍后再试或联系管理员", msg)
        self.assertTrue(m, msg)
        until = datetime.datetime.now(SHANGHAI) + datetime.timedelta(minutes=15)
        self.assertIn(m.group(1), [(until - datetime.timedelta(minutes=d)).strftime("%H:%M")
                                   for d in (0, 1)])
        # Locked: even the right password is refused, without being checked.
        s, b = n.api("POST", "/api/v1/session", {"user": "zhang", "password": PASSWORD},
                     token=False)
        self.assertEqual((s, b["error"]["code"], b["error"]["message"]), (423, "locked", msg))
        user = n.ok("GET", "/api/v1/users")["users"][0]
        self.assertTrue(user["locked"])
        # The lock ends after 15 minutes (the clock moved), and survived the restart.
        restart(n, 14 * MINUTE)
        self.assertEqual(error(n.api("POST", "/api/v1/session",
                                     {"user": "zhang", "password": PASSWORD}, token=False)),
                         (423, "locked"))
        restart(n, 16 * MINUTE)
        n.login("zhang")
        # A success forgets earlier failures: two more, a success, and the count is 0.
        for _ in range(2):
            n.api("POST", "/api/v1/session", wrong, token=False)
        self.assertEqual(n.ok("GET", "/api/v1/users")["users"][0]["failed_logins"], 2)
        n.login("zhang")
        self.assertEqual(n.ok("GET", "/api/v1/users")["users"][0]["failed_logins"], 0)
        # An administrator lifts a lock at once.
        for _ in range(5):
            n.api("POST", "/api/v1/session", wrong, token=False)
        self.assertEqual(n.ctl("user", "enable", "zhang").returncode, 0)
        n.login("zhang")

    def test_unknown_name_answered_as_an_account(self):
        """Guessing names tells nothing: a name that is no account is refused, slowed and
        locked after the same number of tries, with the same messages, as a real one."""
        n = self.village()
        seen = {}
        for user in ("zhang", "nosuch"):
            wrong = {"user": user, "password": "wrong-password"}
            answers, started = [], time.monotonic()
            for i in range(6):
                if i == 3:
                    started = time.monotonic()
                answers.append(error(n.api("POST", "/api/v1/session", wrong, token=False)))
                if i == 4:
                    slowed = time.monotonic() - started
            seen[user] = answers
            # The 4th and 5th are answered after 1 s and 2 s (a lower bound: never flaky).
            self.assertGreaterEqual(slowed, 3.0, user)
        self.assertEqual(seen["zhang"], seen["nosuch"])
        self.assertEqual([s for s, _ in seen["nosuch"]], [401] * 4 + [423] * 2)
        s, b = n.api("POST", "/api/v1/session", {"user": "nosuch", "password": PASSWORD},
                     token=False)
        self.assertEqual(s, 423)
        self.assertRegex(b["error"]["message"], r"^登录失败次数过多，账户已锁定至 \d\d:\d\d，")
        # A name no account could have is simply refused, however often (also one whose
        # first 32 letters could be a name).
        for user in ("No Such", "zhang" + "x" * 35):
            for _ in range(6):
                self.assertEqual(error(n.api("POST", "/api/v1/session",
                                             {"user": user, "password": "x" * 8},
                                             token=False)), (401, "bad_login"), user)

    def test_disabled_account(self):
        n = self.village()
        a = n.login("zhang")
        r = n.ctl("user", "disable", "zhang")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(error(a.api("GET", "/api/v1/cases")), (401, "session_expired"))
        s, b = n.api("POST", "/api/v1/session", {"user": "zhang", "password": PASSWORD},
                     token=False)
        self.assertEqual((s, b["error"]["code"], b["error"]["message"]),
                         (403, "disabled", "账户已停用，请联系管理员"))
        # A wrong password does not learn that the account exists and is disabled.
        self.assertEqual(error(n.api("POST", "/api/v1/session",
                                     {"user": "zhang", "password": "not-the-one"},
                                     token=False)), (401, "bad_login"))
        self.assertEqual(n.ctl("user", "enable", "zhang").returncode, 0)
        n.login("zhang")

    def test_own_password(self):
        n = self.village()
        a, b = n.login("zhang"), n.login("zhang")
        s, r = a.api("POST", "/api/v1/session/passwd", {"old": "wrong-one!", "new": "新的密码-2026"})
        self.assertEqual((s, r["error"]["code"], r["error"]["field"]), (400, "invalid_field", "old"))
        s, r = a.api("POST", "/api/v1/session/passwd", {"old": PASSWORD, "new": "short"})
        self.assertEqual((s, r["error"]["field"], r["error"]["message"]),
                         (400, "new", "密码至少 8 个字符"))
        s, r = a.api("POST", "/api/v1/session/passwd", {"old": PASSWORD, "new": "新的密码-2026"})
        self.assertEqual((s, r["user"]["user"]), (200, "zhang"), r)
        # This session goes on; the other one of the same user has ended.
        self.assertEqual(a.api("GET", "/api/v1/session")[0], 200)
        self.assertEqual(error(b.api("GET", "/api/v1/session")), (401, "session_expired"))
        self.assertEqual(error(n.api("POST", "/api/v1/session",
                                     {"user": "zhang", "password": PASSWORD}, token=False)),
                         (401, "bad_login"))
        n.login("zhang", "新的密码-2026")
        # With the token there is no session to change the password of.
        self.assertEqual(error(n.api("POST", "/api/v1/session/passwd",
                                     {"old": "a", "new": "b"})), (400, "no_session"))
        # An administrator's new password ends the user's sessions.
        r = n.ctl("user", "passwd", "zhang", "--password-stdin", stdin="第三个密码-2026\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(error(a.api("GET", "/api/v1/session")), (401, "session_expired"))
        n.login("zhang", "第三个密码-2026")

    def test_actor_is_the_user(self):
        n = self.village()
        n.add_user("li", "mediator", name="李四")
        clerk, mediator = n.login("zhang"), n.login("li")
        s, b = clerk.api("POST", "/api/v1/cases", intake())
        self.assertEqual(s, 201, b)
        cid = b["case"]["id"]
        attempt = {"mediator": "李四", "date": str(datetime.datetime.now(SHANGHAI).date()),
                   "method": "people", "outcome": "failed"}
        # A session cannot name someone else as the actor; nothing is recorded.
        before = log_events(n)
        s, b = mediator.api("POST", f"/api/v1/cases/{cid}/attempts", {**attempt, "actor": "王五"})
        self.assertEqual((s, b["error"]["code"], b["error"]["field"]),
                         (400, "invalid_field", "actor"))
        self.assertEqual(log_events(n), before)
        self.assertEqual(mediator.api("POST", f"/api/v1/cases/{cid}/attempts", attempt)[0], 200)
        # The admin token still names whom it likes, or is "admin".
        n.ok("POST", f"/api/v1/cases/{cid}/risk", {"risk": "yellow", "reason": "升级",
                                                  "actor": "王五"})
        n.ok("POST", f"/api/v1/cases/{cid}/risk", {"risk": "blue", "reason": "回落"})
        history = n.ok("GET", f"/api/v1/cases/{cid}")["history"]
        self.assertEqual([(h["kind"], h["actor"]) for h in history],
                         [("case_opened", "zhang"), ("attempt", "li"),
                          ("risk_changed", "王五"), ("risk_changed", "admin")])

    def test_admin_token_still_works(self):
        n = self.village()
        r = n.ctl("status")
        self.assertEqual(r.returncode, 0, r.stderr)
        me = n.ok("GET", "/api/v1/session")
        self.assertEqual((me["user"], me["role"], me["token"]), ("admin", "admin", True))
        self.assertEqual(len(me["permissions"]), 27)
        self.assertEqual(error(n.api("GET", "/api/v1/status", token="0" * 64)),
                         (401, "unauthorized"))
        # A token wins over a cookie, even a bad one.
        s, _ = n.api("GET", "/api/v1/status", headers={"Cookie": f"jiefen_session_{n.id}=zz"})
        self.assertEqual(s, 200)
        self.assertEqual(error(n.api("GET", "/api/v1/status", token=False,
                                     headers={"Cookie": f"jiefen_session_{n.id}=zz"})),
                         (401, "session_expired"))


class UserCommands(NodeTest):
    def test_user_commands_and_errors(self):
        n = self.node("v-dongcun", "village", "东村").start()
        add = ["user", "add", "zhang", "--role", "clerk", "--name", "张三", "--password-stdin"]
        r = n.ctl(*add, stdin=PASSWORD + "\n")
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "已添加用户 zhang（张三，窗口受理）"),
                         r.stderr)
        n.login("zhang")
        cases = [
            (add, PASSWORD, 1, "用户名 zhang 已存在 (user)"),
            (["user", "add", "li", "--role", "boss", "--password-stdin"], PASSWORD, 1,
             "(role)"),
            (["user", "add", "wang", "--role", "leader", "--password-stdin"], PASSWORD, 1,
             "村级中心不设领导角色"),
            (["user", "add", "li", "--role", "mediator", "--password-stdin"], "short", 1,
             "密码至少 8 个字符 (password)"),
            (["user", "add", "Li Si", "--role", "mediator", "--password-stdin"], PASSWORD, 1,
             "(user)"),
            (["user", "add", "admin", "--role", "admin", "--password-stdin"], PASSWORD, 1,
             "保留给系统使用"),
            (["user", "add", "li", "--password-stdin"], PASSWORD, 2,
             "user add 缺少 --role clerk|mediator|director|leader|admin|department [missing_option]"),
            (["user", "add", "li", "--role", "mediator"], None, 2,
             "没有可输入密码的终端：请用 --password-stdin 从标准输入给出密码 [no_terminal]"),
            (["user", "add", "li", "--role", "mediator", "--password-stdin"], "", 2,
             "--password-stdin：标准输入中没有密码行 [missing_value]"),
            (["user", "passwd", "nobody", "--password-stdin"], PASSWORD, 1, "无此用户：nobody"),
            (["user", "disable", "nobody"], None, 1, "无此用户：nobody"),
        ]
        for argv, stdin, code, text in cases:
            with self.subTest(argv=argv):
                if stdin is None:  # and no terminal: a session of its own, stdin empty
                    r = subprocess.run([harness.jiefenctl(), "--data", n.dir, *argv],
                                       stdin=subprocess.DEVNULL, capture_output=True,
                                       text=True, start_new_session=True, timeout=60)
                else:
                    r = n.ctl(*argv, stdin=stdin + "\n" * bool(stdin))
                print(argv, "->", r.returncode, r.stderr.strip().splitlines()[:1])
                self.assertEqual(r.returncode, code, r.stderr)
                self.assertIn(text, r.stderr)
        r = n.ctl("user", "add", "li", "--role", "调解员", "--password-stdin", stdin=PASSWORD)
        self.assertEqual((r.returncode, r.stdout.strip()), (0, "已添加用户 li（li，调解员）"),
                         r.stderr)
        self.assertEqual(n.ctl("user", "disable", "li").returncode, 0)
        r = n.ctl("user", "disable", "li")
        self.assertEqual(r.returncode, 1)
        self.assertRegex(r.stderr.strip(), r"^jiefenctl: 用户 li 已停用 \[[a-z_]+\]$")
        r = n.ctl("user", "list")
        print(r.stdout)
        lines = r.stdout.splitlines()
        self.assertEqual(lines[0].split(), ["用户", "姓名", "角色", "手机", "状态", "最近登录"])
        self.assertEqual(lines[1].split()[:5], ["li", "li", "调解员", "—", "已停用"])
        self.assertEqual(lines[2].split()[:5], ["zhang", "张三", "窗口受理", "—", "正常"])
        self.assertRegex(lines[2], r"\d{4}-\d\d-\d\d \d\d:\d\d")
        users = n.ctl_json("user", "list")["users"]
        self.assertEqual([(u["user"], u["disabled"]) for u in users],
                         [("li", True), ("zhang", False)])
        self.assertNotIn("password_hash", json.dumps(users))
        r = n.ctl("user", "passwd", "zhang", "--password-stdin", stdin="另一个密码-2026\n")
        self.assertEqual(r.returncode, 0, r.stderr)
        n.login("zhang", "另一个密码-2026")
        # Two administrators adding the same user at once: one of them gets it.
        body = {"user": "zhou", "role": "mediator", "password": PASSWORD}
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            got = sorted(pool.map(lambda _: n.api("POST", "/api/v1/users", body)[0], range(4)))
        self.assertEqual(got, [200, 409, 409, 409])

    def test_password_typed_without_echo(self):
        n = self.node("v-dongcun", "village", "东村").start()
        secret = "打字的密码-2026"
        out = self.typed(n, ["user", "add", "zhao", "--role", "director"], [secret, secret])
        print(out)
        self.assertIn("新密码：", out)
        self.assertIn("再次输入新密码：", out)
        self.assertIn("已添加用户 zhao（zhao，中心主任）", out)
        self.assertNotIn(secret, out)
        n.login("zhao", secret)
        out = self.typed(n, ["user", "passwd", "zhao"], ["甲密码-2026-x", "乙密码-2026-x"])
        self.assertIn("两次输入的密码不一致，未作修改", out)
        n.login("zhao", secret)

    def typed(self, node, args, lines):
        """Runs jiefenctl on a new terminal (its controlling tty), typing each line at each
        prompt; returns everything the terminal showed."""
        pid, fd = pty.fork()
        if pid == 0:
            os.execv(harness.jiefenctl(), [harness.jiefenctl(), "--data", node.dir, *args])
        shown, deadline = b"", time.monotonic() + 30
        pending = list(lines)
        while time.monotonic() < deadline:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
            if pending and shown.decode(errors="replace").endswith("："):
                os.write(fd, (pending.pop(0) + "\n").encode())
        else:
            os.kill(pid, signal.SIGKILL)  # still waiting for input: fail, do not hang
        os.waitpid(pid, 0)
        os.close(fd)
        return shown.decode(errors="replace")


if __name__ == "__main__":
    harness.main()
