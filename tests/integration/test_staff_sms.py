"""SMS to staff and appointments (issue 16 items 2 and 6, node/outbox/staffbook.c, node/case/staffnotice.c) through a
real node and the mock gateway of test_sms.py: staff accounts get a mobile number (set by
the admin or by the user, refused when it is no mobile number, shown masked); routing a case
to a department reminds its accounts to sign for it (签收); the limit passed unsigned tells
the department again and the centre's director; closing tells the follow-up's assignee.
Each is queued once (a restart past the limit again queues nothing), none goes in quiet
hours, and the numbers are in no file of the node and not in its log. An appointment (调解预约)
set, changed and cancelled tells the parties each time, with the time and place; the day
before it they are reminded, once; bad input is refused and changes nothing.

Time passes by restarting the node with its clock moved (JIEFEN_CLOCK_OFFSET_MS)."""
import os
import time
from datetime import datetime, timedelta

import harness
from harness import NodeTest, intake, party, wait_for
from test_case_deadlines import CLOCK_CHECK_OFF, append_config, restart_at
from test_sms import CANARIES, SHANGHAI, Gateway, outbox, sms_config

DAY = 86_400_000
HOUR = 3_600_000
DEPT_PHONE, DIRECTOR_PHONE, MEDIATOR_PHONE = CANARIES[0], CANARIES[1], CANARIES[2]


def mask(phone):
    return phone[:3] + "****" + phone[-4:]


class StaffSms(NodeTest):
    def staff(self, n):
        """A department account (its number set at creation), a director whose number the
        admin sets, a mediator who sets their own."""
        n.ok("POST", "/api/v1/users", {"user": "sfs", "role": "department",
                                       "department": "司法所", "password": harness.PASSWORD,
                                       "phone": DEPT_PHONE})
        n.ok("POST", "/api/v1/users", {"user": "zhu", "role": "director",
                                       "password": harness.PASSWORD})
        n.ok("POST", "/api/v1/users", {"user": "li", "role": "mediator",
                                       "password": harness.PASSWORD})
        got = n.ok("POST", "/api/v1/users/zhu/phone", {"phone": DIRECTOR_PHONE})["user"]
        self.assertEqual(got["phone"], mask(DIRECTOR_PHONE))
        li = n.login("li")
        for bad in ("12345", "0951-5012345", "1391234567x"):
            s, b = li.api("POST", "/api/v1/session/phone", {"phone": bad})
            self.assertEqual((s, b["error"]["code"], b["error"]["field"]),
                             (400, "invalid_field", "phone"), b)
            self.assertIn("手机号码", b["error"]["message"])
        s, b = n.api("POST", "/api/v1/users/nobody/phone", {"phone": MEDIATOR_PHONE})
        self.assertEqual(s, 404, b)
        s, b = li.api("POST", "/api/v1/session/phone", {"phone": MEDIATOR_PHONE})
        self.assertEqual(s, 200, b)
        self.assertEqual(b["user"]["phone"], mask(MEDIATOR_PHONE))
        users = {u["user"]: u["phone"] for u in n.ok("GET", "/api/v1/users")["users"]}
        self.assertEqual(users, {"sfs": mask(DEPT_PHONE), "zhu": mask(DIRECTOR_PHONE),
                                 "li": mask(MEDIATOR_PHONE)})
        return li

    def sms_of(self, n, template):
        return [m for m in outbox(n) if m["template"] == template]

    def test_reminders_once_not_in_quiet_hours_and_no_number_on_disk(self):
        gw = Gateway()
        self.addCleanup(gw.stop)
        now = datetime.now(SHANGHAI)
        quiet = f"{now - timedelta(hours=1):%H:%M}-{now + timedelta(hours=1):%H:%M}"
        n = self.node()
        append_config(n, CLOCK_CHECK_OFF)
        sms_config(n, gw, quiet=quiet)
        n.start()
        li = self.staff(n)
        landlines = [party(i, phone="0951-5012345") for i in range(2)]  # parties get no SMS
        cid = n.ok("POST", "/api/v1/cases", intake(parties=landlines))["case"]["id"]
        n.ok("POST", f"/api/v1/cases/{cid}/departments/route",
             {"lead": "司法所", "reason": "土地承包，归口司法所"})
        held = wait_for(lambda: [m for m in self.sms_of(n, "sign_reminder")
                                 if m["status"] == "held"], 20, "the reminder held")
        self.assertEqual([m["recipient"] for m in held], [mask(DEPT_PHONE)])
        self.assertEqual(held[0]["template_name"], "签收提醒")
        self.assertEqual(gw.requests, 0)
        # Two hours later the quiet hours are over: it goes.
        def sent(count=None):
            ms = outbox(n)
            return (count is None or len(ms) == count) and \
                all(m["status"] == "sent" for m in ms) and ms
        restart_at(n, offset_ms=2 * HOUR)
        wait_for(lambda: [m for m in self.sms_of(n, "sign_reminder") if m["status"] == "sent"],
                 30, "the reminder sent")
        wait_for(sent, 30, "what is queued sent")  # the 签收 limit may have passed by now
        # Eight days later the limit has long passed unsigned.
        restart_at(n, offset_ms=8 * DAY + 2 * HOUR)
        done = wait_for(lambda: sent(3), 30, "the reminder and the two overdue notices sent")
        got = sorted((m["template"], m["recipient"]) for m in done)
        self.assertEqual(got, [("sign_overdue", mask(DEPT_PHONE)),
                               ("sign_overdue_director", mask(DIRECTOR_PHONE)),
                               ("sign_reminder", mask(DEPT_PHONE))])
        texts = {p: t for (p, t) in gw.by_content}
        self.assertIn(cid, texts[DIRECTOR_PHONE])
        self.assertIn("司法所", texts[DIRECTOR_PHONE])
        # The case shows them with their delivery status.
        case_sms = n.ok("GET", f"/api/v1/cases/{cid}")["sms"]
        self.assertEqual({m["status_name"] for m in case_sms}, {"已发送"})
        self.assertEqual(len(case_sms), 3)
        # Once: a later restart past the limit queues nothing again.
        restart_at(n, offset_ms=9 * DAY + 2 * HOUR)
        n.ok("GET", "/api/v1/outbox")
        self.assertEqual(len(outbox(n)), 3)
        # Closing assigns the follow-up to li, who is told, once.
        li = n.login("li")
        s, b = li.api("POST", f"/api/v1/cases/{cid}/close",
                      {"result": "达成协议", "feedback": "已告知双方"})
        self.assertEqual(s, 200, b)
        m = wait_for(lambda: [m for m in self.sms_of(n, "followup_assigned")
                              if m["status"] == "sent"], 30, "the follow-up task sent")
        self.assertEqual(m[0]["recipient"], mask(MEDIATOR_PHONE))
        self.assertEqual(sorted(gw.by_content.values()), [1] * 4)
        # A disabled account is sent nothing; removing a number removes it.
        n.ok("POST", "/api/v1/users/li/phone", {"phone": ""})
        users = {u["user"]: u["phone"] for u in n.ok("GET", "/api/v1/users")["users"]}
        self.assertEqual(users["li"], "")
        n.stop()
        needles = [p.encode() for p in (DEPT_PHONE, DIRECTOR_PHONE, MEDIATOR_PHONE)]
        self.assert_no_canary(n, needles)

    def test_appointment_set_changed_cancelled_and_reminded(self):
        gw = Gateway()
        self.addCleanup(gw.stop)
        n = self.node()
        append_config(n, CLOCK_CHECK_OFF)
        sms_config(n, gw)
        n.start()
        parties = [party(0, phone=CANARIES[3]), party(1, phone="0951-5012345")]
        cid = n.ok("POST", "/api/v1/cases", intake(parties=parties))["case"]["id"]
        path = f"/api/v1/cases/{cid}/appointment"
        at = int(time.time() * 1000) + 3 * DAY
        for body, status, code, field in (
                ({"place": "调解室"}, 400, "missing_field", "at"),
                ({"at": "2026-13-01 10:00", "place": "调解室"}, 400, "invalid_field", "at"),
                ({"at_ms": at - 4 * DAY, "place": "调解室"}, 400, "invalid_field", "at_ms"),
                ({"at_ms": at}, 400, "missing_field", "place"),
                ({"at_ms": at, "place": "调解室", "room": 1}, 400, "unknown_field", "room"),
                ({"cancel": True}, 409, "no_appointment", None)):
            s, b = n.api("POST", path, body)
            self.assertEqual((s, b["error"]["code"], b["error"].get("field")),
                             (status, code, field), b)
        self.assertIsNone(n.ok("GET", f"/api/v1/cases/{cid}")["case"]["appointment"])
        case = n.ok("POST", path, {"at_ms": at, "place": "东村村委会调解室"})["case"]
        self.assertEqual((case["appointment"]["at_ms"], case["appointment"]["place"]),
                         (at, "东村村委会调解室"))
        n.ok("POST", path, {"at_ms": at + HOUR, "place": "东村村委会二楼"})
        n.ok("POST", path, {"cancel": True})
        shown = n.ok("GET", f"/api/v1/cases/{cid}")
        self.assertIsNone(shown["case"]["appointment"])
        kinds = [h["kind"] for h in shown["history"]]
        self.assertEqual(kinds.count("appointment_set"), 3, kinds)
        n.ok("POST", path, {"at_ms": at, "place": "东村村委会调解室"})

        def texts(count):
            ms = outbox(n)
            return len(ms) == count and all(m["status"] == "sent" for m in ms) and \
                [t for (p, t) in gw.by_content if p == CANARIES[3]]
        got = wait_for(lambda: texts(5), 30, "receipt, set, change, cancel, set again")
        when = datetime.fromtimestamp((at + HOUR) / 1000, SHANGHAI)
        self.assertTrue(any("东村村委会二楼" in t and f"{when:%H:%M}" in t for t in got), got)
        self.assertEqual(len([t for t in got if "取消" in t]), 1, got)
        # Two days and a bit later: the reminder, once, even across another restart.
        restart_at(n, offset_ms=2 * DAY + HOUR)
        wait_for(lambda: texts(6), 30, "the reminder")
        restart_at(n, offset_ms=2 * DAY + 2 * HOUR)
        self.assertEqual(len(outbox(n)), 6)
        reminder = [m for m in outbox(n) if m["template"] == "appointment_reminder"]
        self.assertEqual(reminder[0]["template_name"], "调解前一日提醒")
        # Delivered once each (set and set again say the same: two messages, two keys).
        self.assertEqual((len(gw.by_key), sum(gw.by_content.values())), (6, 6))
        n.stop()
        self.assert_no_canary(n, [CANARIES[3].encode()])

    def test_cli(self):
        n = self.node()
        n.start()
        r = n.ctl("user", "add", "sfs", "--role", "department", "--department", "司法所",
                  "--phone", "12345", "--password-stdin", stdin=harness.PASSWORD)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("手机号码", r.stderr)
        self.assertIn("[invalid_field]", r.stderr)
        self.assertEqual(n.ctl("user", "list").stdout.count("sfs"), 0)  # nothing added
        r = n.ctl("user", "add", "sfs", "--role", "department", "--department", "司法所",
                  "--phone", DEPT_PHONE, "--password-stdin", stdin=harness.PASSWORD)
        self.assertEqual(r.returncode, 0, r.stderr)
        r = n.ctl("user", "phone", "sfs")
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--set", r.stderr)
        r = n.ctl("user", "phone", "sfs", "--set", DIRECTOR_PHONE)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("已设置用户 sfs", r.stdout)
        lines = n.ctl("user", "list").stdout.splitlines()
        self.assertEqual(lines[0].split()[:4], ["用户", "姓名", "角色", "手机"])
        self.assertEqual(lines[1].split()[:4], ["sfs", "sfs", "入驻部门", mask(DIRECTOR_PHONE)])
        r = n.ctl("user", "phone", "sfs", "--remove")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual(n.ctl_json("user", "list")["users"][0]["phone"], "")
        r = n.ctl("user", "phone", "nobody", "--set", DEPT_PHONE)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("[not_found]", r.stderr)

    def test_appointment_cli(self):
        n = self.node()
        n.start()
        cid = n.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        at = datetime.now(SHANGHAI) + timedelta(days=3)
        r = n.ctl("case", "appointment", cid, "--at", "明天下午", "--place", "调解室")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("YYYY-MM-DD HH:MM", r.stderr)
        self.assertIn("[invalid_field]", r.stderr)
        r = n.ctl("case", "appointment", cid, "--at", f"{at:%Y-%m-%d} 14:30")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("[missing_field]", r.stderr)
        r = n.ctl("case", "appointment", cid, "--at", f"{at:%Y-%m-%d} 14:30", "--place",
                  "东村村委会调解室")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("东村村委会调解室", r.stdout)
        self.assertIn("14:30", r.stdout)
        got = n.ok("GET", f"/api/v1/cases/{cid}")["case"]["appointment"]
        self.assertEqual(datetime.fromtimestamp(got["at_ms"] / 1000, SHANGHAI).strftime(
            "%Y-%m-%d %H:%M"), f"{at:%Y-%m-%d} 14:30")
        r = n.ctl("case", "appointment", cid, "--cancel")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIsNone(n.ok("GET", f"/api/v1/cases/{cid}")["case"]["appointment"])
        r = n.ctl("case", "appointment", cid, "--cancel")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("没有可取消的调解预约 [no_appointment]", r.stderr)

    def assert_no_canary(self, n, needles):
        for root, _, files in os.walk(n.dir):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    data = fh.read()
                for needle in needles:
                    self.assertNotIn(needle, data, f"{needle!r} in clear in {root}/{f}")
        log = n.log()
        for needle in needles:
            self.assertNotIn(needle.decode(), log)


if __name__ == "__main__":
    harness.main()
