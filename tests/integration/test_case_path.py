"""The full path of one dispute through real processes (issue 4): three failed attempts at
a village, two at its township, two at the county, a county leader (包案), resolution at
the county, the case back at its village for the follow-up, and a dissatisfied follow-up
reopening it there."""
import harness
from harness import NodeTest, intake, wait_for

FAILED = {"mediator": "王调解", "date": "2026-01-05", "method": "people", "outcome": "failed"}


def case_at(node, cid):
    """The case file at a node, or an empty one until the case has reached it."""
    s, b = node.api("GET", "/api/v1/cases/" + cid)
    if s == 404:
        return {"case": {"holder": None, "where": None, "status": None}, "history": []}
    assert s == 200, f"{node.id}: {s} {b}"
    return b


def held_at(node, cid, **want):
    """Waits until the case at node has every field in want; returns its file."""
    def ready():
        f = case_at(node, cid)
        return f if all(f["case"].get(k) == v for k, v in want.items()) else None
    return wait_for(ready, 20, f"case {cid} at {node.id} with {want}")


class CasePath(NodeTest):
    def attempt(self, node, cid, **kw):
        return node.ok("POST", f"/api/v1/cases/{cid}/attempts", dict(FAILED, **kw))

    def test_3221_path_leader_resolution_return_and_follow_up(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        cid = v1.ok("POST", "/api/v1/cases", intake(summary="宅基地边界纠纷"))["case"]["id"]

        for i in range(2):
            r = self.attempt(v1, cid, actor="李四")
            self.assertIsNone(r["rule"])
            self.assertEqual(r["case"]["failed_attempts_here"], i + 1)
        r = self.attempt(v1, cid)
        self.assertEqual(r["rule"], "escalated")
        self.assertEqual(r["case"]["holder"], "t1")
        self.assertEqual(r["case"]["status"], "escalated")
        self.assertEqual(r["case"]["where"], "above")
        listed = v1.ok("GET", "/api/v1/cases?status=escalated&held=above")["cases"]
        self.assertEqual([c["id"] for c in listed], [cid])
        self.assertEqual(v1.ok("GET", "/api/v1/cases?held=here")["cases"], [])

        # The township now holds it with the parties' data: the full file came up.
        got = held_at(town, cid, holder="t1", where="here")
        self.assertEqual(len(got["parties"]), 2)
        self.assertEqual(got["parties"][0]["name"], "张三")
        # The village can no longer act on it.
        s, b = v1.api("POST", f"/api/v1/cases/{cid}/attempts", FAILED)
        self.assertEqual((s, b["error"]["code"]), (409, "not_holder"))
        self.assertIn("镇1", b["error"]["message"])

        self.attempt(town, cid)
        r = self.attempt(town, cid)
        self.assertEqual(r["rule"], "escalated")
        self.assertEqual(r["case"]["holder"], "c-helan")
        got = held_at(county, cid, where="here")
        self.assertEqual(len(got["parties"]), 2)
        # The village sees where its case went.
        held_at(v1, cid, holder="c-helan", status="escalated")

        self.attempt(county, cid)
        r = self.attempt(county, cid)
        self.assertEqual(r["rule"], "leader_required")
        self.assertTrue(r["case"]["needs_leader"])
        self.assertEqual(r["case"]["holder"], "c-helan")
        sup = county.ok("GET", "/api/v1/supervision")
        self.assertIn(cid, [c["id"] for c in sup["needs_leader"]])

        lead = county.ok("POST", f"/api/v1/cases/{cid}/leader", {
            "leader": "县委副书记 赵六", "organisation": "县矛调中心", "liaison_unit": "县司法局",
            "plan": "召集双方现场勘界", "legal_consultation": "县法律援助中心"})["case"]
        self.assertFalse(lead["needs_leader"])
        self.assertTrue(lead["leader"]["acknowledged"])
        county.ok("POST", f"/api/v1/cases/{cid}/leader/progress", {"text": "已现场勘界"})
        r = self.attempt(county, cid, outcome="agreement", agreement="按1985年界址重新立桩",
                         judicial_confirmation=True)
        self.assertEqual(r["case"]["status"], "resolved")
        r = county.ok("POST", f"/api/v1/cases/{cid}/close",
                      {"result": "双方达成协议并已履行", "feedback": "已电话告知双方"})
        self.assertEqual(r["case"]["status"], "closed")
        self.assertEqual(r["case"]["holder"], "v11")

        back = held_at(v1, cid, status="closed")
        self.assertEqual(back["case"]["where"], "here")
        kinds = [h["kind"] for h in back["history"]]
        self.assertEqual(kinds.count("attempt"), 8)
        self.assertEqual(kinds.count("case_moved"), 2)
        self.assertIn("case_closed", kinds)
        self.assertTrue(all(h["signature_ok"] for h in back["history"]))
        self.assertEqual({h["tier"] for h in back["history"]}, {"village", "township", "county"})
        self.assertIn("李四", [h["actor"] for h in back["history"]])

        r = v1.ok("POST", f"/api/v1/cases/{cid}/followup",
                  {"satisfaction": "dissatisfied", "note": "对方未按约定立桩"})
        self.assertEqual(r["case"]["status"], "open")
        self.assertEqual(r["case"]["holder"], "v11")
        self.assertEqual(r["case"]["failed_attempts_here"], 0)
        self.assertGreater(r["case"]["due_ms"], back["case"]["closed_ms"])
        held_at(county, cid, status="open", holder="v11")
        for n in (v1, town, county):
            rep = n.verify()
            self.assertEqual(rep["problems"], [], n.id)
        # The sibling village never sees the case.
        self.assertEqual([c for c in v2.cases() if c["id"] == cid], [])


if __name__ == "__main__":
    harness.main()
