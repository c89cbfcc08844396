"""Departments inside the centre (一站式, issue 16 item 1) through real processes: the
department table with its defaults and edits, department accounts bound to one department,
routing to a lead and helpers (分流), signing for (签收), returning (退回: the case is back in
the routing queue and is routed again), progress and the result (反馈), a department seeing
no other department's case, the sign-for limit passed (the timer, surviving a restart,
raises the director's to-do), and the per-department figures of the ledger at the township
and at the county above it.

Time passes by restarting the township with its clock moved (JIEFEN_CLOCK_OFFSET_MS), as in
test_case_deadlines.py."""
import os
import time
from datetime import datetime, timedelta, timezone

import harness
from harness import NodeTest, intake, wait_for
from test_case_deadlines import CLOCK_CHECK_OFF, append_config, restart_at

DAY = 86_400_000
WAIT = 30
SHANGHAI = timezone(timedelta(hours=8))


def local_date(ms):
    return datetime.fromtimestamp(ms / 1000, SHANGHAI).strftime("%Y-%m-%d")


class Departments(NodeTest):
    def setUp(self):
        super().setUp()
        self.county = self.node("c-helan", "county", "贺兰县", listen=True)
        self.town = self.node("t1", "township", "镇1", listen=True)
        for n in (self.county, self.town):
            append_config(n, CLOCK_CHECK_OFF)
            n.start()
        self.county.ok("POST", "/api/v1/enrol/root")
        self.enrol(self.county, self.town)

    def dept_user(self, user, dept):
        s, b = self.town.api("POST", "/api/v1/users", {
            "user": user, "role": "department", "department": dept,
            "password": harness.PASSWORD})
        self.assertEqual(s, 200, b)
        self.assertEqual(b["user"]["department"], dept)
        return self.town.login(user)

    def take_in(self):
        return self.town.ok("POST", "/api/v1/cases", intake())["case"]["id"]

    def case(self, session, cid):
        s, b = session.api("GET", f"/api/v1/cases/{cid}")
        self.assertEqual(s, 200, b)
        return b["case"]

    def part(self, case, dept):
        """The newest part of dept in the case JSON."""
        parts = [p for p in case["departments"]["parts"] if p["department"] == dept]
        return parts[-1] if parts else None

    def inbox_ids(self, session, kind):
        b = session.api("GET", f"/api/v1/inbox?kind={kind}")[1]
        return [i["id"] for i in b["items"]]

    def test_table_accounts_and_refusals(self):
        town = self.town
        names = [d["name"] for d in town.ok("GET", "/api/v1/departments")["departments"]]
        print("  defaults:", names)
        for want in ("司法所", "派出所", "信访办", "人社所", "农业农村办", "自然资源所", "人民法庭",
                     "妇联", "综治中心"):
            self.assertIn(want, names)
        got = town.ok("POST", "/api/v1/departments",
                      {"name": "住建所", "duty": "物业、建设工程", "sign_hours": 4})["department"]
        self.assertEqual(got["sign_hours"], 4)
        s, b = town.api("POST", "/api/v1/departments", {"name": "住建所"})
        self.assertEqual((s, b["error"]["code"]), (409, "department_exists"))
        s, b = town.api("POST", "/api/v1/departments", {"name": "甲,乙"})
        self.assertEqual((s, b["error"]["field"]), (400, "name"))
        s, b = town.api("POST", "/api/v1/departments/edit", {"name": "无此部门"})
        self.assertEqual(s, 404, b)
        town.ok("POST", "/api/v1/departments/edit", {"name": "妇联", "disabled": True})
        listed = {d["name"]: d for d in town.ok("GET", "/api/v1/departments")["departments"]}
        self.assertTrue(listed["妇联"]["disabled"])
        self.assertEqual(listed["住建所"]["duty"], "物业、建设工程")
        # Accounts: a department account names an enabled department; others none.
        for body, field in (({"role": "department"}, "department"),
                            ({"role": "department", "department": "无此部门"}, "department"),
                            ({"role": "department", "department": "妇联"}, "department"),
                            ({"role": "clerk", "department": "司法所"}, "department")):
            body.update(user="x1", password=harness.PASSWORD)
            s, b = town.api("POST", "/api/v1/users", body)
            self.assertEqual((s, b["error"]["field"]), (400, field), body)
        # Routing: an unknown or disabled department, a lead also helping: refused, no event.
        cid = self.take_in()
        town.add_user("zhuren", "director")
        director = town.login("zhuren")
        before = len(town.ok("GET", f"/api/v1/cases/{cid}")["history"])
        why = "跨部门事项"
        for body, field in (({"lead": "无此部门", "reason": why}, "lead"),
                            ({"lead": "妇联", "reason": why}, "lead"),
                            ({"lead": "司法所", "helpers": ["司法所"], "reason": why}, "helpers"),
                            ({"lead": "司法所", "helpers": ["派出所", "派出所"], "reason": why},
                             "helpers"),
                            ({"lead": "司法所"}, "reason")):
            s, b = director.api("POST", f"/api/v1/cases/{cid}/departments/route", body)
            self.assertEqual((s, b["error"].get("field")), (400, field), (body, b))
        self.assertEqual(len(town.ok("GET", f"/api/v1/cases/{cid}")["history"]), before)
        # A department's account does no routing and reads nothing else.
        sfs = self.dept_user("sfs", "司法所")
        s, b = sfs.api("POST", f"/api/v1/cases/{cid}/departments/route",
                       {"lead": "司法所", "reason": "x"})
        self.assertEqual(s, 403, b)
        for path in ("/api/v1/cases", "/api/v1/ledger", "/api/v1/supervision",
                     "/api/v1/parties", f"/api/v1/cases/{cid}"):
            s, b = sfs.api("GET", path)
            self.assertIn(s, (403, 404), (path, b))
        # A director acts for no department.
        s, b = director.api("POST", f"/api/v1/cases/{cid}/departments/sign", {})
        self.assertEqual(s, 403, b)

    def test_sign_return_route_again_feedback_overdue_and_ledger(self):
        town, county = self.town, self.county
        town.add_user("zhuren", "director")
        director = town.login("zhuren")
        sfs = self.dept_user("sfs", "司法所")
        pcs = self.dept_user("pcs", "派出所")
        xfb = self.dept_user("xfb", "信访办")
        start = int(time.time() * 1000)

        cid = self.take_in()
        routed = director.api("POST", f"/api/v1/cases/{cid}/departments/route",
                              {"lead": "司法所", "helpers": ["派出所"], "reason": "涉治安的邻里纠纷"})
        self.assertEqual(routed[0], 200, routed[1])
        c = routed[1]["case"]
        self.assertEqual(self.part(c, "司法所")["state"], "to_sign")
        self.assertTrue(self.part(c, "司法所")["lead"])
        self.assertGreater(self.part(c, "司法所")["sign_due_ms"], start)
        # Each routed department sees it; another department does not (404, as if absent).
        self.case(pcs, cid)
        s, b = xfb.api("GET", f"/api/v1/cases/{cid}")
        self.assertEqual((s, b["error"]["code"]), (404, "not_found"))
        s, b = xfb.api("POST", f"/api/v1/cases/{cid}/departments/sign", {})
        self.assertEqual(s, 404, b)
        self.assertEqual(xfb.api("GET", "/api/v1/departments/queue")[1]["items"], [])
        # 签收, then 退回 by the lead: back in the centre's routing queue (待分流).
        s, b = sfs.api("POST", f"/api/v1/cases/{cid}/departments/feedback", {"text": "进展"})
        self.assertEqual((s, b["error"]["code"]), (409, "not_signed"))
        s, b = sfs.api("POST", f"/api/v1/cases/{cid}/departments/sign", {"note": "收到"})
        self.assertEqual(s, 200, b)
        self.assertEqual(self.part(b["case"], "司法所")["state"], "in_hand")
        s, b = sfs.api("POST", f"/api/v1/cases/{cid}/departments/sign", {})
        self.assertEqual((s, b["error"]["code"]), (409, "already_signed"))
        s, b = sfs.api("POST", f"/api/v1/cases/{cid}/departments/return", {})
        self.assertEqual((s, b["error"]["field"]), (400, "reason"))
        s, b = sfs.api("POST", f"/api/v1/cases/{cid}/departments/return",
                       {"reason": "主要涉及治安处罚，应由派出所牵头"})
        self.assertEqual(s, 200, b)
        self.assertTrue(b["case"]["departments"]["awaiting_route"])
        self.assertIn(cid, self.inbox_ids(director, "route"))
        s, b = pcs.api("POST", f"/api/v1/cases/{cid}/departments/sign", {})
        self.assertEqual((s, b["error"]["code"]), (409, "not_routed"))  # the routing ended
        # Routed again: out of the routing queue; the lead signs, reports, closes its part.
        s, b = director.api("POST", f"/api/v1/cases/{cid}/departments/route",
                            {"lead": "司法所", "reason": "经协调仍由司法所牵头"})
        self.assertEqual(s, 200, b)
        self.assertNotIn(cid, self.inbox_ids(director, "route"))
        for body in ({}, {"text": "已约谈双方"}, {"text": "双方达成调解协议", "final": True}):
            if body:
                s, b = sfs.api("POST", f"/api/v1/cases/{cid}/departments/feedback", body)
            else:
                s, b = sfs.api("POST", f"/api/v1/cases/{cid}/departments/sign", body)
            self.assertEqual(s, 200, b)
        part = self.part(b["case"], "司法所")
        self.assertEqual((part["state"], part["result"], part["feedback_count"]),
                         ("done", "双方达成调解协议", 2))
        queue = sfs.api("GET", "/api/v1/departments/queue")[1]
        print("  司法所 queue counts:", queue["counts"])
        self.assertEqual(queue["counts"]["received"], 2)
        self.assertEqual(queue["counts"]["returned"], 1)
        self.assertEqual(queue["counts"]["done"], 1)
        kinds = [h["kind"] for h in town.ok("GET", f"/api/v1/cases/{cid}")["history"]]
        self.assertEqual(kinds.count("dept_routed"), 2)
        self.assertIn("dept_returned", kinds)

        # A second case for 派出所, never signed: 8 days later (a restart) it is overdue.
        late = self.take_in()
        s, b = director.api("POST", f"/api/v1/cases/{late}/departments/route",
                            {"lead": "派出所", "reason": "治安纠纷"})
        self.assertEqual(s, 200, b)
        self.assertNotIn(late, self.inbox_ids(director, "dept_overdue"))
        restart_at(town, offset_ms=8 * DAY)
        director = town.login("zhuren")
        pcs = town.login("pcs")
        wait_for(lambda: late in self.inbox_ids(director, "dept_overdue"), WAIT,
                 "the director's 签收逾期 to-do")
        hist = town.ok("GET", f"/api/v1/cases/{late}")["history"]
        overdue = [h for h in hist if h["kind"] == "dept_sign_overdue"]
        self.assertEqual(len(overdue), 1)
        self.assertEqual(overdue[0]["details"]["department"], "派出所")
        self.assertEqual(overdue[0]["actor"], "system")
        warned = [w for w in town.ok("GET", "/api/v1/warnings")["warnings"]
                  if w["rule"] == "dept_sign_overdue"]
        self.assertEqual([w["case_id"] for w in warned], [late])
        self.assertIn("派出所未在签收时限内签收", warned[0]["detail"])
        queue = pcs.api("GET", "/api/v1/departments/queue?state=overdue")[1]
        self.assertEqual([i["case"]["id"] for i in queue["items"]], [late])
        # Signing late clears the to-do; the record of lateness stays.
        s, b = pcs.api("POST", f"/api/v1/cases/{late}/departments/sign", {})
        self.assertEqual(s, 200, b)
        self.assertTrue(self.part(b["case"], "派出所")["sign_late"])
        self.assertNotIn(late, self.inbox_ids(director, "dept_overdue"))
        # Once more after another restart: recorded and warned once only.
        restart_at(town, offset_ms=9 * DAY)
        time.sleep(2)
        hist = town.ok("GET", f"/api/v1/cases/{late}")["history"]
        self.assertEqual(len([h for h in hist if h["kind"] == "dept_sign_overdue"]), 1)
        self.assertEqual(len([w for w in town.ok("GET", "/api/v1/warnings")["warnings"]
                              if w["rule"] == "dept_sign_overdue"]), 1)

        # The ledger per department, at the township and at the county above.
        q = f"from={local_date(start - DAY)}&to={local_date(start + 10 * DAY)}"
        def figures(node):
            return node.ok("GET", f"/api/v1/ledger?{q}")["ledger"]["departments"]
        mine = figures(town)
        print("  township:", mine)
        self.assertEqual(mine["司法所"]["received"], 2)
        self.assertEqual(mine["司法所"]["signed_on_time"], 2)
        self.assertEqual(mine["司法所"]["returned"], 1)
        self.assertEqual(mine["司法所"]["done"], 1)
        self.assertEqual(mine["司法所"]["closed_on_time"], 1)
        self.assertEqual(mine["派出所"]["received"], 2)
        self.assertEqual(mine["派出所"]["overdue"], 1)
        self.assertEqual(mine["派出所"]["signed_on_time"], 0)

        # The spreadsheet export: the 入驻部门 table with its Chinese columns, the follow-ups
        # in 汇总 (CSV: the same tables one after another).
        s, body, _ = harness.fetch_bytes(town, f"/api/v1/ledger/export?{q}&format=csv")
        self.assertEqual(s, 200, body[:200])
        csv = body.decode("utf-8-sig")
        self.assertIn("部门,分流受理数,按时签收,签收逾期,退回,反馈结果,按期办结,按时签收率,按期办结率",
                      csv)
        row = [l for l in csv.splitlines() if l.startswith("派出所,")]
        self.assertEqual(row[0].split(",")[1:4], ["2", "0", "1"], row)
        for name in ("应回访数", "按期回访", "回访逾期未访", "按期回访率"):
            self.assertIn(f"\n{name},", csv)

        def county_has():
            f = figures(county)
            return f if f.get("派出所", {}).get("signed_on_time") == 0 and \
                f.get("派出所", {}).get("overdue") == 1 and \
                f.get("司法所", {}).get("done") == 1 else None
        up = wait_for(county_has, WAIT, "the department figures at the county")
        print("  county:", up)
        self.assertEqual(up["司法所"], mine["司法所"])
        # The warning travels up with the log: the county lists it too.
        wait_for(lambda: [w for w in county.ok("GET", "/api/v1/warnings")["warnings"]
                          if w["rule"] == "dept_sign_overdue" and w["case_id"] == late],
                 WAIT, "the 签收逾期 warning at the county")

    def ctl_ok(self, *args):
        r = self.town.ctl(*args)
        self.assertEqual(r.returncode, 0, f"jiefenctl {args}: {r.stdout} {r.stderr}")
        return r.stdout

    def ctl_refused(self, *args):
        r = self.town.ctl(*args)
        self.assertEqual(r.returncode, 1, f"jiefenctl {args}: {r.stdout} {r.stderr}")
        return r.stderr

    def test_cli(self):
        town = self.town
        out = self.ctl_ok("department", "add", "--name", "住建所", "--duty", "物业纠纷",
                          "--sign-hours", "3")
        self.assertIn("已添加部门：住建所", out)
        self.ctl_ok("department", "edit", "--name", "妇联", "--disable")
        listing = self.ctl_ok("department", "list")
        print(listing)
        self.assertIn("住建所", listing)
        self.assertIn("3 工作小时", listing)
        self.assertIn("已停用", listing)
        err = self.ctl_refused("department", "add", "--name", "住建所")
        self.assertIn("[department_exists]", err)
        cid = self.take_in()
        out = self.ctl_ok("case", "route", cid, "--lead", "司法所", "--help", "派出所， 人社所",
                          "--reason", "欠薪引发的治安纠纷")
        self.assertIn(f"已重新分流：案件 {cid}，归口部门 司法所", out)
        c = town.ok("GET", f"/api/v1/cases/{cid}")["case"]
        self.assertEqual(sorted(p["department"] for p in c["departments"]["parts"]),
                         ["人社所", "司法所", "派出所"])
        err = self.ctl_refused("case", "route", cid, "--lead", "妇联", "--reason", "x")
        self.assertIn("[invalid_field]", err)
        self.assertIn("妇联", err)
        r = town.ctl("case", "route", cid, "--lead", "司法所", "--department", "x",
                     "--reason", "x")
        self.assertEqual(r.returncode, 2, r.stderr)
        err = self.ctl_refused("case", "feedback", cid, "--department", "司法所", "--text", "x")
        self.assertIn("[not_signed]", err)
        self.assertIn("已签收：案件", self.ctl_ok("case", "sign", cid, "--department", "司法所"))
        self.assertIn("已退回", self.ctl_ok("case", "return", cid, "--department", "人社所",
                                            "--reason", "不涉及劳动关系"))
        self.assertIn("已反馈", self.ctl_ok("case", "feedback", cid, "--department", "司法所",
                                            "--text", "已化解", "--final"))
        queue = self.ctl_ok("department", "queue", "--department", "司法所")
        print(queue)
        self.assertIn("收案 1", queue)
        self.assertIn("已反馈结果", queue)
        got = town.ctl_json("department", "queue", "--department", "人社所")
        self.assertEqual(got["counts"]["returned"], 1)
        # A department account made with the CLI, refused without its department.
        r = town.ctl("user", "add", "rss", "--role", "department", "--password-stdin",
                     stdin=harness.PASSWORD + "\n")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("[missing_field]", r.stderr)
        r = town.ctl("user", "add", "rss", "--role", "department", "--department", "人社所",
                     "--password-stdin", stdin=harness.PASSWORD + "\n")
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    harness.main()
