"""Rules of a case's life across real processes (issue 4): who may act, escalation while
the link is down, risk colours reaching the right official, leader assignment down and
progress up, hand-down with the whole file, guidance to the legal channel, routing."""
import os

import harness
from harness import NodeTest, intake, run, wait_for, jiefend
from test_case_path import FAILED, case_at, held_at

LEADER = {"leader": "县委副书记 赵六", "organisation": "县矛调中心", "liaison_unit": "县司法局",
          "plan": "分步化解", "legal_consultation": "县法律援助中心"}


class CaseRules(NodeTest):
    def new_case(self, node, **kw):
        return node.ok("POST", "/api/v1/cases", intake(**kw))["case"]["id"]

    def fail(self, node, cid, times):
        r = None
        for _ in range(times):
            r = node.ok("POST", f"/api/v1/cases/{cid}/attempts", FAILED)
        return r

    def test_non_holder_actions_refused_naming_the_holder(self):
        county, (town,), ((v1, _),) = self.tree((2,))
        cid = self.new_case(v1)
        held_at(town, cid, holder="v11", where="below")
        refusals = [("attempts", FAILED), ("escalate", {"reason": "x"}),
                    ("risk", {"risk": "red", "reason": "x"}),
                    ("close", {"result": "x", "feedback": "y"}),
                    ("extension", {"days": 2, "reason": "x"}),
                    ("route", {"lead_unit": "镇综治办", "reason": "x"})]
        before = case_at(town, cid)
        for action, body in refusals:
            s, b = town.api("POST", f"/api/v1/cases/{cid}/{action}", body)
            self.assertEqual(s, 409, action)
            self.assertEqual(b["error"]["code"], "not_holder")
            self.assertIn("村11", b["error"]["message"])
            self.assertIn("v11", b["error"]["message"])
        self.assertEqual(case_at(town, cid)["history"], before["history"])
        # A village cannot decide its own extension; a sibling's parent cannot either.
        v1.ok("POST", f"/api/v1/cases/{cid}/extension", {"days": 2, "reason": "当事人外出"})
        s, b = v1.api("POST", f"/api/v1/cases/{cid}/extension/decide", {"approved": True})
        self.assertEqual((s, b["error"]["code"]), (403, "not_parent"))
        s, b = v1.api("POST", f"/api/v1/cases/{cid}/extension", {"days": 2, "reason": "再延"})
        self.assertEqual((s, b["error"]["code"]), (409, "extension_pending"))
        # Bad input names the field and changes nothing.
        for body, field in [({**FAILED, "outcome": "maybe"}, "outcome"),
                            ({**FAILED, "date": "2026-13-01"}, "date"),
                            ({**FAILED, "mediator": ""}, "mediator"),
                            ({**FAILED, "colour": "red"}, "colour"),
                            ({**FAILED, "outcome": "agreement"}, "agreement"),
                            ({**FAILED, "actor": "system"}, "actor")]:
            s, b = v1.api("POST", f"/api/v1/cases/{cid}/attempts", body)
            self.assertEqual((s, b["error"]["field"]), (400, field), body)
        self.assertEqual(case_at(v1, cid)["case"]["attempts"], 0)
        s, b = v1.api("POST", "/api/v1/cases/nope-2026-000001/attempts", FAILED)
        self.assertEqual(s, 404)

    def test_escalation_while_the_link_is_down_leaves_when_it_returns(self):
        county, (town,), ((v1, _),) = self.tree((2,))
        cid = self.new_case(v1)
        held_at(town, cid, holder="v11")
        town.stop()
        r = self.fail(v1, cid, 3)
        self.assertEqual(r["rule"], "escalated")
        self.assertEqual(r["case"]["status"], "escalated")
        self.assertEqual(r["case"]["holder"], "t1")
        town.start()
        got = held_at(town, cid, holder="t1", where="here")
        self.assertEqual(len(got["parties"]), 2)
        held_at(county, cid, holder="t1", where="below")

    def test_red_risk_at_a_village_is_on_the_county_secretary_list(self):
        county, (town,), ((v1, _),) = self.tree((2,))
        cid = self.new_case(v1)
        r = v1.ok("POST", f"/api/v1/cases/{cid}/risk",
                  {"risk": "red", "reason": "扬言过激行为", "actor": "村调解员 孙七"})
        self.assertEqual(r["case"]["risk"], "red")

        def on_list(node):
            return [c for c in node.ok("GET", "/api/v1/supervision")["risk"] if c["id"] == cid]
        got = wait_for(lambda: on_list(county), 20, "red case on the county's list")
        self.assertEqual(got[0]["risk_official"], "县委政法委书记")
        self.assertEqual(got[0]["holder"], "v11")
        self.assertEqual(on_list(town), [])      # orange would be the township's
        entry = [h for h in case_at(county, cid)["history"] if h["kind"] == "risk_changed"][0]
        self.assertEqual(entry["actor"], "村调解员 孙七")
        self.assertEqual(entry["details"]["reason"], "扬言过激行为")
        v1.ok("POST", f"/api/v1/cases/{cid}/risk", {"risk": "orange", "reason": "情绪平稳"})
        wait_for(lambda: on_list(town), 20, "orange case on the township's list")
        wait_for(lambda: not on_list(county), 20, "off the county's list")

    def test_leader_assignment_travels_down_and_progress_up(self):
        county, (town,), ((v1, _),) = self.tree((2,))
        cid = self.new_case(v1)
        self.fail(v1, cid, 3)
        held_at(county, cid, holder="t1")
        s, b = v1.api("POST", f"/api/v1/cases/{cid}/leader", LEADER)
        self.assertEqual((s, b["error"]["code"]), (403, "not_above_holder"))
        r = county.ok("POST", f"/api/v1/cases/{cid}/leader", LEADER)["case"]
        self.assertFalse(r["leader"]["acknowledged"])
        self.assertEqual(r["holder"], "t1")       # ownership does not move the case
        got = wait_for(lambda: case_at(town, cid)["case"]["leader"], 20, "assignment at t1")
        self.assertEqual(got["leader"], "县委副书记 赵六")
        town.ok("POST", f"/api/v1/cases/{cid}/leader/ack", {"note": "已签收"})
        town.ok("POST", f"/api/v1/cases/{cid}/leader/progress", {"text": "第一次联席会议"})
        town.ok("POST", f"/api/v1/cases/{cid}/leader/progress", {"text": "第二次联席会议"})
        c = held_at(county, cid, progress_entries=2)["case"]
        self.assertTrue(c["leader"]["acknowledged"])
        own = county.ok("GET", "/api/v1/supervision")["leader_owned"]
        self.assertIn(cid, [x["id"] for x in own])
        # The village that started it sees the assignment too (the file comes back down).
        wait_for(lambda: case_at(v1, cid)["case"]["leader"], 20, "assignment at the village")

    def test_hand_down_carries_the_whole_file(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        cid = self.new_case(county, village="村11")
        r = county.ok("POST", f"/api/v1/cases/{cid}/handdown",
                      {"to": "t1", "instructions": "请镇里牵头化解"})["case"]
        self.assertEqual((r["holder"], r["where"]), ("t1", "below"))
        got = held_at(town, cid, holder="t1", where="here")
        self.assertEqual(len(got["parties"]), 2)
        self.assertGreater(got["case"]["due_ms"], got["case"]["opened_ms"])
        town.ok("POST", f"/api/v1/cases/{cid}/attempts", FAILED)
        town.ok("POST", f"/api/v1/cases/{cid}/handdown", {"to": "v11", "instructions": "就地化解"})
        got = held_at(v1, cid, holder="v11", where="here")
        self.assertEqual(len(got["parties"]), 2)
        kinds = [h["kind"] for h in got["history"]]
        self.assertEqual(kinds[0], "case_opened")
        self.assertEqual(kinds.count("case_moved"), 2)
        self.assertTrue(all(h["signature_ok"] for h in got["history"]))
        self.assertEqual(got["case"]["failed_attempts_here"], 0)
        # A hand-down is to a direct child only, and a file the child cannot verify is refused.
        s, b = county.api("POST", f"/api/v1/cases/{cid}/handdown", {"to": "v12", "instructions": "x"})
        self.assertEqual(s, 409)  # the county no longer holds it
        c2 = self.new_case(v1)
        self.fail(v1, c2, 3)
        held_at(town, c2, holder="t1", where="here")
        s, b = town.api("POST", f"/api/v1/cases/{c2}/handdown", {"to": "v12", "instructions": "x"})
        self.assertEqual((s, b["error"]["code"]), (409, "file_not_verifiable"))
        s, b = town.api("POST", f"/api/v1/cases/{c2}/handdown", {"to": "c-helan", "instructions": "x"})
        self.assertEqual((s, b["error"]["field"]), (400, "to"))
        town.ok("POST", f"/api/v1/cases/{c2}/handdown", {"to": "v11", "instructions": "退回村里"})
        held_at(v1, c2, holder="v11", where="here")
        self.assertEqual([c for c in v2.cases() if c["id"] in (cid, c2)], [])
        for n in (county, town, v1):
            self.assertEqual(n.verify()["problems"], [], n.id)

    def test_guided_to_the_legal_channel_and_routing(self):
        v = self.node("v-dongcun", "village", "东村")
        with open(os.path.join(v.dir, "jiefend.conf"), "a") as f:
            f.write("\n[routing]\nland_contract = 县农业农村局承包管理股\n")
        v.start()
        cid = self.new_case(v)
        c = case_at(v, cid)["case"]
        self.assertEqual(c["department"], "县农业农村局承包管理股")
        r = v.ok("POST", f"/api/v1/cases/{cid}/route",
                 {"lead_unit": "镇司法所", "reason": "涉及两村土地", "actor": "中心主任 周八"})
        self.assertEqual(r["case"]["lead_unit"], "镇司法所")
        self.assertEqual(r["case"]["department"], "县农业农村局承包管理股")
        r = v.ok("POST", f"/api/v1/cases/{cid}/guide",
                 {"channel": "court", "guidance": "已经法院判决，告知依法申请执行"})
        self.assertEqual(r["case"]["status"], "guided")
        self.assertEqual(r["case"]["guided_channel"], "court")
        s, b = v.api("POST", f"/api/v1/cases/{cid}/attempts", FAILED)
        self.assertEqual((s, b["error"]["code"]), (409, "invalid_state"))
        s, b = v.api("POST", f"/api/v1/cases/{cid}/guide", {"channel": "temple", "guidance": "x"})
        self.assertEqual((s, b["error"]["field"]), (400, "channel"))
        v.stop()
        # A category the table does not know stops the daemon, naming the line.
        with open(os.path.join(v.dir, "jiefend.conf"), "a") as f:
            f.write("land_contrac = 错字\n")
        r = run([jiefend(), "--data", v.dir, "--check-config"])
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("land_contrac", r.stderr)
        self.assertRegex(r.stderr, r"jiefend\.conf:\d+")


if __name__ == "__main__":
    harness.main()
