"""Who saw what (查阅记录) and 摘抄复印报批: every view of parties' details and every search
is an access event in the signed log, which travels up so the county audits any village;
a search's event has the count, never the query; no access event carries personal data;
a copy the policy reserves needs the director's approval, which is used once."""
import os
import urllib.parse

import harness
from harness import NodeTest, intake, party, wait_for

CANARY_NAME = "欧阳金丝雀"
CANARY_ID = "11010119850615006X"
CANARY_PHONE = "13912345678"
CANARY_ADDR = "金丝雀村99号"


def canary_intake():
    return intake(parties=[party(0, name=CANARY_NAME, id_number=CANARY_ID, phone=CANARY_PHONE,
                                 address=CANARY_ADDR), party(1)])


def audit(n, **kw):
    return n.ok("GET", "/api/v1/access?" + urllib.parse.urlencode(kw))["access"]


class Access(NodeTest):
    def assert_no_canary(self, nodes):
        needles = [s.encode() for s in (CANARY_NAME, CANARY_ID, CANARY_PHONE, CANARY_ADDR)]
        for n in nodes:
            for root, _, files in os.walk(n.dir):
                for f in files:
                    with open(os.path.join(root, f), "rb") as fh:
                        data = fh.read()
                    for needle in needles:
                        self.assertNotIn(needle, data, f"{needle!r} in clear in {root}/{f}")

    def test_views_audited_at_the_county(self):
        county, (town,), ((v,),) = self.tree((1,))
        cid = v.ok("POST", "/api/v1/cases", canary_intake())["case"]["id"]
        v.add_user("zhang", "mediator", name="张调解")
        s = v.login("zhang")
        # The holder's own staff: 办案 unless they say otherwise.
        st, b = s.api("GET", f"/api/v1/cases/{cid}")
        self.assertEqual(st, 200, b)
        self.assertEqual(b["parties"][0]["name"], CANARY_NAME)
        st, b = s.api("GET", f"/api/v1/cases/{cid}?purpose=" + urllib.parse.quote("回访"))
        self.assertEqual(st, 200, b)
        st, b = s.api("GET", f"/api/v1/cases/{cid}?purpose=" + urllib.parse.quote("看看"))
        self.assertEqual((st, b["error"]["field"]), (400, "purpose"), b)
        print("bad purpose ->", b["error"]["message"])
        here = audit(v, case=cid)
        print("village:", [(a["user_name"], a["what_name"], a["purpose_name"]) for a in here])
        self.assertEqual([(a["user"], a["what"], a["purpose"]) for a in here],
                         [("zhang", "parties", "follow_up"), ("zhang", "parties", "casework")])
        self.assertEqual(here[0]["user_name"], "张调解")
        self.assertEqual(here[0]["node_name"], "村11")
        # The link carries them up: the county's director audits the village.
        county.add_user("boss", "director", name="县主任")
        boss = county.login("boss")
        got = wait_for(lambda: len(audit(county, case=cid)) == 2 and audit(county, case=cid),
                       20, "the village's access events at the county")
        print("county:", [(a["node_name"], a["user_name"], a["what_name"]) for a in got])
        self.assertEqual([a["node"] for a in got], ["v11", "v11"])
        st, b = boss.api("GET", "/api/v1/access?node=v11&user=zhang")
        self.assertEqual((st, len(b["access"])), (200, 2), b)
        # A search at the village: a node-level event, its count, and up it goes too.
        st, b = s.api("GET", "/api/v1/parties?" + urllib.parse.urlencode(
            {"id_number": CANARY_ID, "purpose": "casework"}))
        self.assertEqual((st, len(b["cases"])), (200, 1), b)
        got = wait_for(lambda: audit(county, node="v11", user="zhang")[0]["what"] == "search"
                       and audit(county, node="v11", user="zhang"), 20, "the search at the county")
        self.assertEqual((got[0]["case_id"], got[0]["count"]), ("", 1))
        # A mediator does not audit; the county's leader would.
        st, b = s.api("GET", "/api/v1/access")
        self.assertEqual(st, 403, b)
        self.assert_no_canary([county, town, v])

    def test_search_recorded_without_query(self):
        n = self.node().start()
        n.ok("POST", "/api/v1/cases", canary_intake())
        n.add_user("li", "clerk", name="李窗口")
        s = n.login("li")
        path = "/api/v1/parties?" + urllib.parse.urlencode({"name": CANARY_NAME})
        st, b = s.api("GET", path)
        self.assertEqual((st, b["error"]["code"], b["error"]["field"]),
                         (400, "invalid_purpose", "purpose"), b)
        print("no purpose ->", b["error"]["message"])
        self.assertEqual(audit(n), [])
        st, b = s.api("GET", path + "&purpose=casework")
        self.assertEqual((st, len(b["cases"])), (200, 1), b)
        st, b = s.api("GET", "/api/v1/parties?" + urllib.parse.urlencode(
            {"phone": CANARY_PHONE, "purpose": "审计"}))
        self.assertEqual(st, 200, b)
        got = audit(n)
        print([(a["what_name"], a["purpose_name"], a["count"], a["case_id"]) for a in got])
        self.assertEqual([(a["what"], a["purpose"], a["count"], a["case_id"], a["user"])
                          for a in got],
                         [("search", "audit", 1, "", "li"), ("search", "casework", 1, "", "li")])
        n.stop()
        self.assert_no_canary([n])

    def test_copy_approval_refused_then_granted(self):
        n = self.node()
        with open(os.path.join(n.dir, "jiefend.conf"), "a") as f:
            f.write("\n[access]\napproval_for = archive,print,copy\n")
        n.start()
        cid = n.ok("POST", "/api/v1/cases", canary_intake())["case"]["id"]
        n.add_user("wang", "mediator", name="王调解")
        n.add_user("boss", "director", name="赵主任")
        med, boss = n.login("wang"), n.login("boss")
        copy = {"case_id": cid, "purpose": "casework"}
        # Without an approval: refused, naming why, nothing recorded.
        st, b = med.api("POST", "/api/v1/access/copy", copy)
        self.assertEqual((st, b["error"]["code"]), (403, "approval_required"), b)
        print("no approval ->", b["error"]["message"])
        self.assertEqual(audit(n, case=cid, user="wang"), [])
        # Asked without a reason: refused.
        st, b = med.api("POST", "/api/v1/access/requests", dict(copy, what="copy:parties"))
        self.assertEqual((st, b["error"]["field"]), (400, "reason"), b)
        req = dict(copy, what="copy:parties", reason="当事人申请调取登记信息")
        st, b = med.api("POST", "/api/v1/access/requests", req)
        self.assertEqual(st, 200, b)
        rid = b["request"]["id"]
        self.assertEqual(b["request"]["state"], "pending")
        # The director's inbox has it; the requester cannot decide it.
        box = boss.api("GET", "/api/v1/inbox")[1]
        self.assertEqual([(i["kind"], i["id"]) for i in box["items"] if i["kind"] == "access"],
                         [("access", rid)])
        st, b = med.api("POST", "/api/v1/access/decide", {"id": rid, "decision": "approve"})
        self.assertEqual(st, 403, b)
        # Refused without a reason: refused; with one: the request is refused.
        st, b = boss.api("POST", "/api/v1/access/decide", {"id": rid, "decision": "refuse"})
        self.assertEqual(st, 409, b)
        st, b = boss.api("POST", "/api/v1/access/decide",
                         {"id": rid, "decision": "refuse", "reason": "理由不充分"})
        self.assertEqual((st, b["request"]["state"]), (200, "refused"), b)
        self.assertEqual(b["request"]["decided_by_name"], "赵主任")
        st, b = med.api("POST", "/api/v1/access/copy", copy)
        self.assertEqual((st, b["error"]["code"]), (403, "approval_required"), b)
        print("refused ->", b["error"]["message"])
        self.assertEqual(audit(n, case=cid, user="wang"), [])
        self.assertEqual([i for i in boss.api("GET", "/api/v1/inbox")[1]["items"]
                          if i["kind"] == "access"], [])
        # Granted: the copy works once, naming the approval; the second is refused.
        rid = med.api("POST", "/api/v1/access/requests", req)[1]["request"]["id"]
        st, b = boss.api("POST", "/api/v1/access/decide", {"id": rid, "decision": "approve"})
        self.assertEqual((st, b["request"]["state"]), (200, "approved"), b)
        st, b = med.api("POST", "/api/v1/access/copy", copy)
        self.assertEqual(st, 200, b)
        self.assertEqual((b["approval"], b["parties"][0]["name"]), (rid, CANARY_NAME))
        st, b = med.api("POST", "/api/v1/access/copy", copy)
        self.assertEqual((st, b["error"]["code"]), (403, "approval_required"), b)
        print("second use ->", b["error"]["message"])
        used = audit(n, case=cid, user="wang")
        self.assertEqual([(a["what"], a["approval"]) for a in used], [("copy:parties", rid)])
        reqs = n.ok("GET", f"/api/v1/access/requests?case={cid}")["requests"]
        self.assertEqual([r["state"] for r in reqs], ["refused", "used"])
        # The request, the decision and the use are events of the signed log.
        self.assertEqual(n.verify()["problems"], [])
        n.stop()
        self.assert_no_canary([n])

    def test_cli(self):
        n = self.node()
        with open(os.path.join(n.dir, "jiefend.conf"), "a") as f:
            f.write("\n[access]\napproval_for = copy\n")
        n.start()
        cid = n.ok("POST", "/api/v1/cases", canary_intake())["case"]["id"]
        n.add_user("wang", "mediator", name="王调解")
        n.add_user("boss", "director", name="赵主任")
        r = n.ctl("access", "copy", cid, "--purpose", "办案", "--actor", "wang")
        print(r.stderr.strip())
        self.assertEqual(r.returncode, 1)
        self.assertIn("[approval_required]", r.stderr)
        r = n.ctl("access", "request", cid, "--what", "copy:parties", "--purpose", "办案",
                  "--actor", "wang")
        self.assertEqual(r.returncode, 2, r.stderr)   # --reason is required: nothing sent
        got = n.ctl_json("access", "request", cid, "--what", "copy:parties", "--purpose", "办案",
                         "--reason", "当事人申请调取", "--actor", "wang")
        rid = got["request"]["id"]
        r = n.ctl("access", "approve", rid, "--actor", "wang")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn("不能审批本人提出的申请", r.stderr)
        r = n.ctl("access", "approve", rid, "--actor", "boss")
        self.assertEqual(r.returncode, 0, r.stderr)
        print(r.stdout.strip())
        self.assertIn("已批准申请", r.stdout)
        r = n.ctl("access", "copy", cid, "--purpose", "办案", "--actor", "wang")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(CANARY_NAME, r.stdout)
        r = n.ctl("access", "copy", cid, "--purpose", "办案", "--actor", "wang")
        self.assertEqual(r.returncode, 1)
        self.assertIn("已使用", r.stderr)
        r = n.ctl("access", "list", "--case", cid)
        print(r.stdout)
        self.assertIn("已使用", r.stdout)
        r = n.ctl("access", "--case", cid)
        print(r.stdout)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("摘抄当事人信息", r.stdout)
        self.assertIn("王调解", r.stdout)
        self.assertNotIn(CANARY_NAME, r.stdout)
        shown = n.ctl_json("case", "show", cid, "--purpose", "审计")
        self.assertEqual(shown["parties"][0]["name"], CANARY_NAME)
        self.assertEqual(audit(n, case=cid, user="admin")[0]["purpose"], "audit")
        r = n.ctl("case", "show", cid, "--purpose", "看看")
        self.assertEqual(r.returncode, 1)
        self.assertIn("[invalid_purpose]", r.stderr)
        r = n.ctl("party", "find", "--name", CANARY_NAME)
        self.assertEqual(r.returncode, 2)   # no --purpose: nothing sent
        r = n.ctl("party", "find", "--name", CANARY_NAME, "--purpose", "审计")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertEqual([a["what"] for a in audit(n, user="admin")][:1], ["search"])


if __name__ == "__main__":
    harness.main()
