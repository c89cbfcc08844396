"""Permissions by role (issue 6, 一级一权限), with real processes and no browser: at a
township (under a county, over a village) one user per role tries every action of
docs/permissions.md. An allowed action succeeds; a refused one is 403 `forbidden` and the
node's log is unchanged. Every role reads what the node sees; personal data only for the
roles whose work needs it; a leader acts only on the cases they lead."""
import datetime

import harness
from harness import NodeTest, intake, wait_for

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
ROLES = ["clerk", "mediator", "director", "leader", "admin"]
LEADER_NAME = "王镇长"

# docs/permissions.md, as the test reads it: who may do each action (leader's ack and
# progress only on cases they lead, as prepared here).
ALLOWED = {
    "case.create": {"clerk", "director"},
    "case.route": {"clerk", "director"},
    "case.guide": {"clerk", "director"},
    "case.attempt": {"mediator"},
    "case.escalate": {"director"},
    "case.risk": {"mediator", "director"},
    "case.handdown": {"director"},
    "case.leader": {"director"},
    "case.leader.ack": {"director", "leader"},
    "case.leader.progress": {"director", "leader"},
    "case.extension": {"mediator", "director"},
    "case.extension.decide": {"director"},
    "case.close": {"mediator", "director"},
    "case.followup": {"mediator", "director"},
    "report.submit": {"director"},
    "report.review": {"director"},
    "directive.send": {"director"},
    "directive.ack": {"director"},
    "user.admin": {"admin"},
    "node.admin": {"admin"},
    "roster.edit": {"director", "admin"},
    "department.table": {"director", "admin"},
    "department.act": set(),  # only a department's account (test_departments.py)
}
PARTIES = {"clerk", "mediator", "director"}


def today():
    return datetime.datetime.now(SHANGHAI).date()


def assignment(leader):
    return {"leader": leader, "organisation": "镇人民调解委员会", "liaison_unit": "镇司法所",
            "plan": "三日内召集双方调解", "legal_consultation": "司法所长提供法律意见"}


# Who saw what (test_access.py): auditing, asking for and deciding an approval.
ACCESS = {"access.audit": {"director", "leader", "admin"},
          "access.request": {"clerk", "mediator", "director"},
          "access.decide": {"director"}}


class Permissions(NodeTest):
    def setUp(self):
        super().setUp()
        self.county, (self.town,), ((self.village,),) = self.tree((1,))
        self.sessions = {}
        for role in ROLES:
            name = LEADER_NAME if role == "leader" else None
            self.town.add_user("t1" + role, role, name=name)
            self.sessions[role] = self.town.login("t1" + role)
        self.serial = 0

    # -- fixtures: each returns the request (method, path, body) the action makes ------
    def new_case(self, node=None):
        return (node or self.town).ok("POST", "/api/v1/cases", intake(village="村11"))["case"]["id"]

    def case_action(self, action, body):
        return lambda: ("POST", f"/api/v1/cases/{self.new_case()}/{action}", body)

    def seen_at(self, node, cid, cond, what):
        def check():
            s, b = node.api("GET", f"/api/v1/cases/{cid}")
            return s == 200 and cond(b["case"])
        return wait_for(check, 20, what)

    def assigned_from_county(self):
        cid = self.new_case()
        self.seen_at(self.county, cid, lambda c: True, "the case at the county")
        self.county.ok("POST", f"/api/v1/cases/{cid}/leader", assignment(LEADER_NAME))
        self.seen_at(self.town, cid, lambda c: c["leader"], "the county's assignment at t1")
        return "POST", f"/api/v1/cases/{cid}/leader/ack", {"note": "已签收"}

    def led_here(self):
        cid = self.new_case()
        self.town.ok("POST", f"/api/v1/cases/{cid}/leader", assignment(LEADER_NAME))
        return "POST", f"/api/v1/cases/{cid}/leader/progress", {"text": "已约谈双方"}

    def extension_from_village(self):
        cid = self.new_case(self.village)
        self.village.ok("POST", f"/api/v1/cases/{cid}/extension", {"days": 3, "reason": "需鉴定"})
        self.seen_at(self.town, cid, lambda c: (c["extension"] or {}).get("state") == "pending",
                     "the request at t1")
        return "POST", f"/api/v1/cases/{cid}/extension/decide", {"approved": True}

    def closed_case(self):
        cid = self.new_case()
        self.town.ok("POST", f"/api/v1/cases/{cid}/close", {"result": "达成协议",
                                                             "feedback": "已电话告知"})
        return "POST", f"/api/v1/cases/{cid}/followup", {"satisfaction": "satisfied"}

    def weekly(self):
        monday = today() - datetime.timedelta(days=today().weekday())
        draft = self.town.ok("GET", f"/api/v1/reports/draft?kind=weekly&period={monday}")
        missing = [f"{c['node']}/{c['period']}" for c in draft["draft"]["children"]]
        return "POST", "/api/v1/reports/submit", {"kind": "weekly", "period": str(monday),
                                                  "analysis": "本周平稳", "missing": missing}

    def village_daily(self):
        self.serial += 1
        day = str(today() - datetime.timedelta(days=self.serial))
        self.village.ok("POST", "/api/v1/reports/submit",
                        {"kind": "daily", "period": day, "analysis": "排查正常"})

        def arrived():
            st = self.town.ok("GET", f"/api/v1/reports?kind=daily&period={day}")
            return any(c["node"] == "v11" and c["state"] == "submitted" for c in st["children"])
        wait_for(arrived, 20, "the village's daily at t1")
        return "POST", "/api/v1/reports/review", {"node": "v11", "kind": "daily", "period": day,
                                                  "accepted": True}

    def county_directive(self):
        d = self.county.ok("POST", "/api/v1/directives", {"to": ["t1"], "kind": "notice",
                                                          "title": "开展矛盾纠纷大排查"})
        did = d["directive"]["id"]
        wait_for(lambda: any(x["id"] == did and x["awaiting_me"] for x in self.town.directives()),
                 20, "the directive at t1")
        return "POST", "/api/v1/directives/ack", {"id": did, "note": "收到"}

    def new_user(self):
        self.serial += 1
        return "POST", "/api/v1/users", {"user": f"new{self.serial}", "role": "clerk",
                                         "password": "新同事-2026-pass"}

    def fixtures(self):
        attempt = {"mediator": "李调解员", "date": str(today()), "method": "people",
                   "outcome": "failed"}
        return {
            "case.create": lambda: ("POST", "/api/v1/cases", intake(village="村11")),
            "case.route": self.case_action("route", {"department": "镇司法所", "reason": "归口"}),
            "case.guide": self.case_action("guide", {"channel": "court", "guidance": "已判决"}),
            "case.attempt": self.case_action("attempts", attempt),
            "case.escalate": self.case_action("escalate", {"reason": "跨镇纠纷"}),
            "case.risk": self.case_action("risk", {"risk": "yellow", "reason": "有激化苗头"}),
            "case.handdown": self.case_action("handdown", {"to": "v11", "instructions": "就地化解"}),
            "case.leader": self.case_action("leader", assignment(LEADER_NAME)),
            "case.leader.ack": self.assigned_from_county,
            "case.leader.progress": self.led_here,
            "case.extension": self.case_action("extension", {"days": 2, "reason": "当事人外出"}),
            "case.extension.decide": self.extension_from_village,
            "case.close": self.case_action("close", {"result": "达成协议", "feedback": "已告知"}),
            "case.followup": self.closed_case,
            "report.submit": self.weekly,
            "report.review": self.village_daily,
            "directive.send": lambda: ("POST", "/api/v1/directives",
                                       {"to": ["v11"], "kind": "notice", "title": "通知"}),
            "directive.ack": self.county_directive,
            "user.admin": self.new_user,
            "node.admin": lambda: ("POST", "/api/v1/enrol/request", None),
            "roster.edit": lambda: ("POST", "/api/v1/roster", {"name": "王律师", "kind": "lawyer"}),
            "department.table": lambda: ("POST", "/api/v1/departments/edit",
                                         {"name": "司法所", "duty": "人民调解"}),
            "department.act": self.case_action("departments/sign", {"department": "司法所"}),
        }

    def own_log_seq(self):
        """The town's own log: a refusal appends nothing to it. (Not the store's event
        count, which the village's events, still arriving after the tree is made, raise.)"""
        return self.town.ok("GET", "/api/v1/status")["log"]["last_seq"]

    def test_every_role_and_action(self):
        """For each action: the refused roles first, on one prepared request, then each
        allowed role on a request prepared for it."""
        fixtures = self.fixtures()
        self.assertEqual(set(fixtures), set(ALLOWED))
        for action, prepare in fixtures.items():
            request = prepare()
            refused = [r for r in ROLES if r not in ALLOWED[action]]
            allowed = [r for r in ROLES if r in ALLOWED[action]]
            for role in refused:
                with self.subTest(action=action, role=role):
                    events, users = self.own_log_seq(), self.town.ok("GET", "/api/v1/users")
                    s, b = self.sessions[role].api(*request)
                    print(f"{action:24} {role:9} {s}")
                    self.assertEqual((s, b["error"]["code"]), (403, "forbidden"), b)
                    self.assertRegex(b["error"]["message"], r"^当前角色（.+）无权执行此操作$")
                    self.assertEqual(self.own_log_seq(), events)
                    self.assertEqual(self.town.ok("GET", "/api/v1/users"), users)
            for i, role in enumerate(allowed):
                with self.subTest(action=action, role=role):
                    s, b = self.sessions[role].api(*(request if i == 0 else prepare()))
                    print(f"{action:24} {role:9} {s}")
                    self.assertIn(s, (200, 201), b)

    def test_every_role_reads(self):
        cid = self.new_case()
        reads = ["/api/v1/status", "/api/v1/reference", "/api/v1/cases", f"/api/v1/cases/{cid}",
                 "/api/v1/supervision", "/api/v1/ledger", "/api/v1/reports?kind=weekly",
                 "/api/v1/reports/draft?kind=weekly", "/api/v1/warnings", "/api/v1/nodes",
                 "/api/v1/directives", "/api/v1/session", "/metrics", "/api/v1/followups",
                 "/api/v1/roster"]
        for role, session in self.sessions.items():
            for path in reads:
                with self.subTest(role=role, path=path):
                    self.assertEqual(session.api("GET", path)[0], 200)
            with self.subTest(role=role, path="/api/v1/users"):
                s, _ = session.api("GET", "/api/v1/users")
                self.assertEqual(s, 200 if role == "admin" else 403)
            with self.subTest(role=role, what="personal data"):
                s, b = session.api("GET", f"/api/v1/cases/{cid}")
                if role in PARTIES:
                    self.assertEqual([p["name"] for p in b["parties"]], ["张三", "李四"])
                else:
                    self.assertIsNone(b["parties"])
                self.assertEqual(b["case"]["party_count"], 2)
            with self.subTest(role=role, what="permissions listed"):
                listed = set(session.api("GET", "/api/v1/session")[1]["permissions"])
                want = {a for a, roles in ALLOWED.items() if role in roles}
                if role in PARTIES:
                    want.add("case.parties")
                want |= {a for a, roles in ACCESS.items() if role in roles}
                self.assertEqual(listed, want)

    def test_leader_acts_only_on_own_cases(self):
        leader, director = self.sessions["leader"], self.sessions["director"]
        cid = self.new_case()
        self.town.ok("POST", f"/api/v1/cases/{cid}/leader", assignment("李副镇长"))
        events = self.own_log_seq()
        s, b = leader.api("POST", f"/api/v1/cases/{cid}/leader/progress", {"text": "代记"})
        self.assertEqual((s, b["error"]["code"]), (403, "forbidden"))
        self.assertEqual(b["error"]["message"], f"您不是案件 {cid} 的包案领导，不能记录包案进展")
        self.assertEqual(self.own_log_seq(), events)
        self.assertEqual(director.api("POST", f"/api/v1/cases/{cid}/leader/progress",
                                      {"text": "主任代记"})[0], 200)
        # Assigned by user name rather than name: theirs too.
        cid = self.new_case()
        self.town.ok("POST", f"/api/v1/cases/{cid}/leader", assignment("t1leader"))
        s, b = leader.api("POST", f"/api/v1/cases/{cid}/leader/progress", {"text": "已约谈"})
        self.assertEqual(s, 200, b)
        history = self.town.ok("GET", f"/api/v1/cases/{cid}")["history"]
        self.assertEqual(history[-1]["actor"], "t1leader")


if __name__ == "__main__":
    harness.main()
