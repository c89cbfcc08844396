"""The follow-up queue (回访) and the rosters (名册) through real processes.

Closing a case sets its follow-up due date ([limits] followup_days, 15) and assignee (the
closer, or one chosen); the queue and the inbox show it due, then overdue (回访逾期) to its
assignee and the director once the tree's clocks are moved past the date
(JIEFEN_CLOCK_OFFSET_MS at a restart: nothing sleeps); the record completes it; the
timeliness figures are in the ledger of the village and up at the township and county.
Rosters: add, change, deactivate and reactivate a person, choose them for an attempt, the
per-person figures, refusals that change nothing, and the canary phone absent from disk."""
import os
import time
from datetime import datetime, timedelta, timezone

import harness
from harness import NodeTest, intake, wait_for

DAY = 86_400_000
WAIT = 30
CANARY_PHONE = "13987654321"


def restart_all(nodes, offset_ms):
    for n in nodes:
        n.stop()
    for n in nodes:
        n.env["JIEFEN_CLOCK_OFFSET_MS"] = str(int(offset_ms))
        n.start()


SHANGHAI = timezone(timedelta(hours=8))


def ledger_followup(node):
    """The follow-up figures of a period around the test (whatever the day of the month)."""
    today = datetime.now(SHANGHAI).date()
    span = f"from={today - timedelta(days=2)}&to={today + timedelta(days=20)}"
    return node.ok("GET", f"/api/v1/ledger?{span}")["ledger"]["followup"]


class FollowUps(NodeTest):
    def setUp(self):
        super().setUp()
        self.county, (self.town,), ((self.v,),) = self.tree((1,))
        v = self.v
        v.add_user("v11med", "mediator", name="李调解")
        v.add_user("v11med2", "mediator", name="王调解")
        v.add_user("v11dir", "director", name="赵主任")
        v.add_user("v11clerk", "clerk", name="钱窗口")
        self.med, self.med2, self.dir = (v.login(u) for u in ("v11med", "v11med2", "v11dir"))

    def new_case(self, summary):
        return self.v.ok("POST", "/api/v1/cases", intake(summary=summary))["case"]["id"]

    def close(self, who, cid, **extra):
        s, b = who.api("POST", f"/api/v1/cases/{cid}/close",
                       dict({"result": "达成协议", "feedback": "已告知双方"}, **extra))
        self.assertEqual(s, 200, b)
        return b["case"]

    def inbox_followups(self, who):
        s, b = who.api("GET", "/api/v1/inbox?kind=follow_up")
        self.assertEqual(s, 200, b)
        return {i["id"]: (i["kind_name"], i["overdue"]) for i in b["items"]}

    def test_queue_overdue_record_and_ledger_up_the_tree(self):
        v = self.v
        a, b = self.new_case("邻里漏水纠纷"), self.new_case("土地边界纠纷")
        before = int(time.time() * 1000)
        case_a = self.close(self.med, a)
        fu = case_a["followup"]
        print("closed A:", fu)
        self.assertEqual((fu["state"], fu["assignee"]), ("due", "v11med"))
        # Due [limits] followup_days (15) after closing.
        self.assertGreaterEqual(fu["due_ms"], before + 15 * DAY)
        self.assertLess(fu["due_ms"], int(time.time() * 1000) + 15 * DAY + 1000)
        # A bad assignee is refused by name and changes nothing.
        s, err = v.api("POST", f"/api/v1/cases/{b}/close",
                       {"result": "达成协议", "feedback": "已告知", "followup_assignee": "v11clerk"})
        self.assertEqual((s, err["error"]["field"]), (400, "followup_assignee"), err)
        print("refused:", err["error"]["message"])
        self.assertEqual(v.ok("GET", f"/api/v1/cases/{b}")["case"]["status"], "open")
        self.assertEqual(self.close(self.dir, b, followup_assignee="v11med2")["followup"]["assignee"],
                         "v11med2")

        # E, the director's own, is never followed up.
        e = self.new_case("噪音扰民纠纷")
        self.close(self.dir, e)
        q = v.ok("GET", "/api/v1/followups")
        print("queue:", [(i["id"], i["state"], i["assignee_name"]) for i in q["items"]])
        self.assertEqual({i["id"]: (i["state"], i["assignee_name"]) for i in q["items"]},
                         {a: ("due", "李调解"), b: ("due", "王调解"), e: ("due", "赵主任")})
        self.assertEqual((q["due"], q["overdue"], q["followup_days"]), (3, 0, 15))
        # Each mediator sees their own; the director both.
        self.assertEqual(self.inbox_followups(self.med), {a: ("待回访", False)})
        self.assertEqual(self.inbox_followups(self.med2), {b: ("待回访", False)})
        self.assertEqual(set(self.inbox_followups(self.dir)), {a, b, e})
        mine = self.med.api("GET", "/api/v1/followups?assignee=me")[1]
        self.assertEqual([i["id"] for i in mine["items"]], [a])
        s, bad = v.api("GET", "/api/v1/followups?state=later")
        self.assertEqual((s, bad["error"]["field"]), (400, "state"))

        # The CLI shows the queue by name, in Chinese.
        out = v.ctl("followup", "list")
        self.assertEqual(out.returncode, 0, out.stderr)
        print(out.stdout)
        self.assertIn("待回访 3 件，回访逾期 0 件", out.stdout)
        self.assertIn("李调解（v11med）", out.stdout)
        bad = v.ctl("followup", "list", "--state", "later")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("state", bad.stderr)

        # 16 days on (every node of the tree): both overdue, a to-do for assignee and director.
        nodes = [self.county, self.town, v]
        restart_all(nodes, 16 * DAY)
        self.med, self.dir = v.login("v11med"), v.login("v11dir")
        q = v.ok("GET", "/api/v1/followups?state=overdue")
        self.assertEqual({i["id"] for i in q["items"]}, {a, b, e})
        self.assertEqual((q["due"], q["overdue"]), (0, 3))
        self.assertEqual(self.inbox_followups(self.med), {a: ("回访逾期", True)})
        self.assertEqual(self.inbox_followups(self.dir),
                         {a: ("回访逾期", True), b: ("回访逾期", True), e: ("回访逾期", True)})
        kinds = {k["kind"]: k for k in self.dir.api("GET", "/api/v1/inbox")[1]["kinds"]}
        self.assertEqual((kinds["follow_up"]["count"], kinds["follow_up"]["overdue"]), (3, 3))

        # A bad record is refused by name; the record completes it (late).
        s, err = self.med.api("POST", f"/api/v1/cases/{a}/followup",
                              {"satisfaction": "satisfied", "method": "fax"})
        self.assertEqual((s, err["error"]["field"]), (400, "method"), err)
        s, done = self.med.api("POST", f"/api/v1/cases/{a}/followup",
                               {"satisfaction": "satisfied", "method": "电话",
                                "performance": "performed", "note": "已履行完毕"})
        self.assertEqual(s, 200, done)
        fu = done["case"]["followup"]
        self.assertEqual((fu["state"], fu["method"], fu["performance"], fu["satisfaction"]),
                         ("late", "phone", "performed", "satisfied"))
        self.assertEqual(self.inbox_followups(self.med), {})
        # Recorded through the CLI: B, late too.
        out = v.ctl("followup", "record", b, "--satisfaction", "satisfied", "--method", "visit",
                    "--performance", "partly", "--actor", "v11med2")
        self.assertEqual(out.returncode, 0, out.stderr)
        print(out.stdout)
        self.assertIn("逾期回访", out.stdout)
        # C closed and followed up at once: on time.
        c = self.new_case("婚姻家庭纠纷")
        self.close(self.med, c)
        self.med.api("POST", f"/api/v1/cases/{c}/followup",
                     {"satisfaction": "basically_satisfied", "method": "visit",
                      "performance": "partly"})
        # A reopening requested at the follow-up reopens the case.
        d = self.new_case("劳务费纠纷")
        self.close(self.med, d)
        s, r = self.med.api("POST", f"/api/v1/cases/{d}/followup",
                            {"satisfaction": "basically_satisfied", "method": "sms",
                             "performance": "not_performed", "reopen": True})
        self.assertEqual((s, r["case"]["status"]), (200, "open"), r)
        self.assertEqual(r["case"]["followup"]["state"], "on_time")

        # The figures: at the village, and travelled up to the township and the county.
        want = {"due": 5, "waiting": 0, "on_time": 2, "late": 2, "overdue": 1}
        got = ledger_followup(v)
        print("ledger v11:", got)
        self.assertEqual({k: got[k] for k in want}, want)
        self.assertAlmostEqual(got["on_time_rate"], 0.4)
        for n in (self.town, self.county):
            wait_for(lambda: {k: ledger_followup(n)[k] for k in want} == want, WAIT,
                     f"the follow-up figures at {n.id}")
            print(f"ledger {n.id}:", ledger_followup(n))


    def attempt(self, who, cid, **body):
        base = {"date": datetime.now(SHANGHAI).date().isoformat(), "method": "lawyer",
                "outcome": "agreement", "agreement": "赔偿三千元"}
        return who.api("POST", f"/api/v1/cases/{cid}/attempts", dict(base, **body))

    def test_roster_add_edit_deactivate_choose_and_figures(self):
        v = self.v
        person = {"name": "王律师", "kind": "lawyer", "specialties": "婚姻家庭、继承",
                  "organisation": "贺兰县正义律师事务所", "phone": CANARY_PHONE}
        # Only the director (and admin) edit; bad fields are refused by name.
        s, err = self.med.api("POST", "/api/v1/roster", person)
        self.assertEqual(s, 403, err)
        for field, bad in (("kind", "judge"), ("phone", "call me"), ("name", "")):
            s, err = self.dir.api("POST", "/api/v1/roster", dict(person, **{field: bad}))
            self.assertEqual((s, err["error"]["field"]), (400, field), err)
            print("refused:", err["error"]["message"])
        self.assertEqual(v.ok("GET", "/api/v1/roster")["people"], [])
        s, b = self.dir.api("POST", "/api/v1/roster", person)
        self.assertEqual(s, 200, b)
        p = b["person"]
        print("added:", p)
        self.assertEqual((p["id"], p["kind_name"], p["specialties"], p["phone"], p["active"]),
                         ("R1", "律师", ["婚姻家庭", "继承"], CANARY_PHONE, True))
        expert = self.dir.api("POST", "/api/v1/roster", {"name": "刘专家", "kind": "专家"})[1]
        self.assertEqual(expert["person"]["kind"], "expert")
        # A change keeps what it does not name; the phone is not shown to a leader-less
        # mediator? It is: mediators read parties' data, and so the roster's phones.
        s, b = self.dir.api("POST", "/api/v1/roster/R1", {"organisation": "宁夏某律师事务所"})
        self.assertEqual((s, b["person"]["organisation"], b["person"]["phone"]),
                         (200, "宁夏某律师事务所", CANARY_PHONE), b)
        listed = v.ok("GET", "/api/v1/roster?kind=lawyer")["people"]
        self.assertEqual([x["id"] for x in listed], ["R1"])

        # Deactivated: not choosable; reactivated: chosen for an attempt, named on the case.
        cid = self.new_case("婚姻家庭纠纷")
        self.assertFalse(self.dir.api("POST", "/api/v1/roster/R1", {"active": False})[1]
                         ["person"]["active"])
        self.assertEqual([x["id"] for x in v.ok("GET", "/api/v1/roster?active=1")["people"]],
                         ["R2"])
        s, err = self.attempt(self.med, cid, roster_id="R1")
        self.assertEqual((s, err["error"]["field"]), (400, "roster_id"), err)
        print("refused:", err["error"]["message"])
        s, err = self.attempt(self.med, cid, roster_id="R99")
        self.assertEqual((s, err["error"]["field"]), (400, "roster_id"), err)
        self.assertEqual(v.ok("GET", f"/api/v1/cases/{cid}")["case"]["attempts"], 0)
        self.dir.api("POST", "/api/v1/roster/R1", {"active": True})
        s, b = self.attempt(self.med, cid, roster_id="R1")
        self.assertEqual(s, 200, b)
        hist = [h for h in v.ok("GET", f"/api/v1/cases/{cid}")["history"] if h["kind"] == "attempt"]
        self.assertEqual(hist[0]["details"]["mediator"], "王律师")
        self.close(self.med, cid)
        self.med.api("POST", f"/api/v1/cases/{cid}/followup", {"satisfaction": "satisfied"})
        shown = v.ok("GET", "/api/v1/roster/R1")["person"]
        print("figures:", shown["cases"], shown["agreements"], shown["satisfaction"])
        self.assertEqual((shown["cases"], shown["agreements"], shown["satisfaction"]["satisfied"]),
                         (1, 1, 1))
        s, b = v.api("GET", "/api/v1/roster/R404")
        self.assertEqual(s, 404, b)

        # The CLI: add, list, show, deactivate, refusals with the field named.
        out = v.ctl("roster", "add", "--name", "张顾问", "--kind", "adviser", "--specialty", "劳动",
                    "--specialty", "合同", "--phone", "0951-1234567")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("已加入名册：R3 张顾问（法律顾问）", out.stdout)
        out = v.ctl("roster", "show", "R1")
        print(out.stdout)
        self.assertIn("办理案件", out.stdout)
        self.assertIn("1 件，调解成功 1 件", out.stdout)
        self.assertIn("婚姻家庭,继承", out.stdout)
        out = v.ctl("roster", "deactivate", "R3")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("已停用名册人员：R3 张顾问", out.stdout)
        out = v.ctl("roster", "list", "--active", "1")
        print(out.stdout)
        self.assertIn("王律师", out.stdout)
        self.assertNotIn("张顾问", out.stdout)
        bad = v.ctl("roster", "add", "--name", "某人", "--kind", "judge")
        self.assertNotEqual(bad.returncode, 0)
        self.assertIn("kind", bad.stderr)
        j = v.ctl_json("roster", "list")
        self.assertEqual([p["id"] for p in j["people"]], ["R1", "R2", "R3"])

        # The phone is sealed at rest: nowhere on disk in clear, the log included.
        for n in self.nodes:
            n.stop()
        needle = CANARY_PHONE.encode()
        for n in self.nodes:
            for root, _, files in os.walk(n.dir):
                for f in files:
                    with open(os.path.join(root, f), "rb") as fh:
                        self.assertNotIn(needle, fh.read(), f"canary phone in {root}/{f}")
            with open(n.log_path, "rb") as fh:
                self.assertNotIn(needle, fh.read())


if __name__ == "__main__":
    harness.main()
