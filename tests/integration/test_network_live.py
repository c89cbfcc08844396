"""The live path through real processes: county, township, two villages."""
import os

import harness
from harness import NodeTest, intake, wait_for


class Live(NodeTest):
    def test_case_travels_up_and_directives_come_down_and_are_acknowledged(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        made = v1.ok("POST", "/api/v1/cases", intake(summary="村里的纠纷"))["case"]
        for n in (town, county):
            got = wait_for(lambda: [c for c in n.cases() if c["id"] == made["id"]], 20,
                           f"case at {n.id}")
            self.assertEqual(got[0]["summary"], "村里的纠纷")
            self.assertEqual(got[0]["holder"], "v11")
            # The ledger carries no personal data: the parties stay in the village.
            shown = n.ok("GET", "/api/v1/cases/" + made["id"] + "?purpose=audit")
            self.assertEqual(shown["parties"], [])
            self.assertTrue(all(h["signature_ok"] for h in shown["history"]))
        self.assertEqual(len(v1.ok("GET", "/api/v1/cases/" + made["id"])["parties"]), 2)

        d = county.ok("POST", "/api/v1/directives",
                      {"to": "all", "kind": "screening", "title": "开展矛盾纠纷排查"})["directive"]
        self.assertEqual(sorted(d["pending"]), ["t1", "v11", "v12"])
        for v in (v1, v2):
            got = wait_for(lambda: [x for x in v.directives() if x["id"] == d["id"]], 20,
                           f"directive at {v.id}")
            self.assertTrue(got[0]["addressed_to_me"])
            v.ok("POST", "/api/v1/directives/ack", {"id": d["id"], "note": "已部署"})
        town.ok("POST", "/api/v1/directives/ack", {"id": d["id"]})

        def acked():
            x = [x for x in county.directives() if x["id"] == d["id"]][0]
            return x if not x["pending"] else None
        done = wait_for(acked, 20, "acknowledgements at the county")
        self.assertEqual(sorted(a["node"] for a in done["acks"]), ["t1", "v11", "v12"])

        # A directive to one village reaches it and not its sibling.
        one = county.ok("POST", "/api/v1/directives",
                        {"to": ["v12"], "kind": "notice", "title": "通知"})["directive"]
        wait_for(lambda: any(x["id"] == one["id"] for x in v2.directives()), 20, "v12 notice")
        self.assertFalse(any(x["id"] == one["id"] for x in v1.directives()))

        # Bad directives are refused and change nothing.
        s, b = county.api("POST", "/api/v1/directives",
                          {"to": ["nowhere"], "kind": "notice", "title": "x"})
        self.assertEqual((s, b["error"]["field"]), (400, "to"))
        for n in (county, town, v1, v2):
            r = n.verify()
            self.assertTrue(r["ok"], (n.id, r))
        links = county.links()["children"]
        self.assertEqual([(l["peer"], l["online"]) for l in links], [("t1", True)])
        self.assertTrue(v1.links()["parent"]["online"])
        self.assertEqual(v1.links()["parent"]["backlog_up"], 0)

    def test_enrolment_errors(self):
        county = self.node("c-helan", "county", "贺兰县", listen=True).start()
        town = self.node("t1", "township", "镇1", listen=True).start()
        req = town.ok("POST", "/api/v1/enrol/request")["request"]
        s, b = county.api("POST", "/api/v1/enrol/approve", {"request": req})
        self.assertEqual((s, b["error"]["code"]), (409, "not_enrolled"))
        county.ok("POST", "/api/v1/enrol/root")
        s, b = town.api("POST", "/api/v1/enrol/approve", {"request": req})
        self.assertEqual((s, b["error"]["code"]), (409, "not_enrolled"))
        other = self.node("c-other", "county", "别县", listen=True).start()
        creq = other.ok("POST", "/api/v1/enrol/request")["request"]
        s, b = county.api("POST", "/api/v1/enrol/approve", {"request": creq})
        self.assertEqual((s, b["error"]["code"]), (400, "wrong_tier"))
        bundle = county.ok("POST", "/api/v1/enrol/approve", {"request": req})["bundle"]
        # The same child asking again gets a new bundle (its first was lost) ...
        county.ok("POST", "/api/v1/enrol/approve", {"request": req})
        # ... but another machine asking for the same id (another key) is refused.
        os.mkdir(os.path.join(self.root, "elsewhere"))
        impostor = harness.Node(os.path.join(self.root, "elsewhere"), "t1", "township", "冒名")
        self.nodes.append(impostor)
        impostor.start()
        ireq = impostor.ok("POST", "/api/v1/enrol/request")["request"]
        s, b = county.api("POST", "/api/v1/enrol/approve", {"request": ireq})
        self.assertEqual((s, b["error"]["code"]), (409, "duplicate_id"))
        s, b = other.api("POST", "/api/v1/enrol/install", {"bundle": req})
        self.assertEqual((s, b["error"]["field"]), (400, "bundle"))
        self.assertIn("ENROL-REQUEST", b["error"]["message"])
        s, b = other.api("POST", "/api/v1/enrol/install", {"bundle": bundle})
        self.assertEqual((s, b["error"]["code"]), (400, "wrong_node"))
        broken = bundle[:40] + ("A" if bundle[40] != "A" else "B") + bundle[41:]
        s, b = town.api("POST", "/api/v1/enrol/install", {"bundle": broken})
        self.assertEqual(s, 400)
        town.ok("POST", "/api/v1/enrol/install", {"bundle": bundle})
        s, b = town.api("POST", "/api/v1/enrol/install", {"bundle": bundle})
        self.assertEqual((s, b["error"]["code"]), (409, "already_enrolled"))


if __name__ == "__main__":
    harness.main()
