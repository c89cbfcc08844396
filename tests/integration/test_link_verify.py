"""Verify, then judge, with real processes: a hostile child (tests/tools/peer, speaking the
link protocol with an enrolled village's own key) sends a township what a faulty relay or
a malicious village would. A corrupt copy of an event the township holds is refused as
badly signed and its origin stays trusted; two validly signed events under one seq
quarantine the origin at the township, and the proof travels up in the township's log to
the county, which checks it itself and quarantines too; a flood of bad signatures gets the
link throttled, shown in status and /metrics."""
import os

import harness
from harness import NodeTest, intake, wait_for


class LinkVerify(NodeTest):
    def peer(self, village, mode):
        return harness.run([os.path.join(harness.TOOLS, "peer"), village.dir, mode], timeout=30)

    def link(self, town, child):
        return [l for l in town.links()["children"] if l["peer"] == child][0]

    def case_arrives(self, village, town, **kw):
        cid = village.ok("POST", "/api/v1/cases", intake(**kw))["case"]["id"]
        wait_for(lambda: any(c["id"] == cid for c in town.cases()), 30, f"{cid} at {town.id}")
        return cid

    def metrics(self, node):
        status, text, _ = node.request("GET", "/metrics")
        self.assertEqual(status, 200, text)
        return text

    def test_corrupt_copy_leaves_the_origin_trusted(self):
        county, (town,), ((v,),) = self.tree((1,))
        self.case_arrives(v, town)
        v.stop()  # the tool speaks for it, with its key
        r = self.peer(v, "corrupt")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        link = self.link(town, "v11")
        self.assertEqual(link["rejected"]["bad_signature"], 1, link)
        self.assertEqual(link["rejected"]["equivocation"], 0, link)
        self.assertEqual(town.ok("GET", "/api/v1/links/quarantine")["proofs"], [])
        self.assertNotIn("quarantined until", town.log())
        # Its next honest events apply, here and at the county.
        v.start()
        cid = self.case_arrives(v, town, summary="修复之后")
        wait_for(lambda: any(c["id"] == cid for c in county.all_cases()), 30, "case at county")
        for n in (county, town, v):
            self.assertTrue(n.verify()["ok"], n.id)

    def test_equivocation_is_proved_up_to_the_county(self):
        county, (town,), ((v, good),) = self.tree((2,))
        self.case_arrives(v, town)
        v.stop()
        r = self.peer(v, "equivocate")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.link(town, "v11")["rejected"]["equivocation"], 1)
        (p,) = town.ok("GET", "/api/v1/links/quarantine")["proofs"]
        self.assertEqual((p["origin"], p["detected_by"], p["quarantined"]), ("v11", "t1", True))
        self.assertEqual((p["origin_name"], p["detected_by_name"]), ("村11", "镇1"))
        # The proof went up in t1's own log; the county verified both signatures itself.
        wait_for(lambda: county.ok("GET", "/api/v1/links/quarantine")["proofs"], 30,
                 "the proof at the county")
        (cp,) = county.ok("GET", "/api/v1/links/quarantine")["proofs"]
        self.assertEqual((cp["origin"], cp["seq"], cp["detected_by"], cp["quarantined"]),
                         ("v11", p["seq"], "t1", True))
        out = county.ctl("link", "quarantine")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("村11", out.stdout)
        self.assertIn("镇1", out.stdout)
        self.assertIn("隔离中", out.stdout)
        self.assertNotIn("ignoring the equivocation proof", county.log())
        # A restarted county keeps the proof and the quarantine.
        county.stop()
        county.start()
        self.assertTrue(county.ok("GET", "/api/v1/links/quarantine")["proofs"][0]["quarantined"])
        # Other villages are not affected.
        cid = self.case_arrives(good, town)
        wait_for(lambda: any(c["id"] == cid for c in county.all_cases()), 30, "case at county")
        for n in (county, town):
            self.assertTrue(n.verify()["ok"], n.id)

    def test_flood_of_bad_signatures_is_throttled(self):
        county, (town,), ((v, good),) = self.tree((2,))
        self.case_arrives(v, town)
        v.stop()
        r = self.peer(v, "flood")  # 150 badly signed: over the default limit of 100
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        link = self.link(town, "v11")
        self.assertEqual(link["rejected"]["bad_signature"], 150, link)
        self.assertTrue(link["throttled"], link)
        self.assertGreater(link["throttled_until_ms"], 0)
        # Refused unread now: no answer, counted as throttled.
        r = self.peer(v, "badsig")
        self.assertEqual(r.returncode, 3, r.stdout)
        link = self.link(town, "v11")
        self.assertEqual(link["rejected"]["throttled"], 1, link)
        self.assertEqual(link["rejected"]["bad_signature"], 150, link)
        m = self.metrics(town)
        self.assertIn('jiefen_link_throttled{peer="v11"} 1', m)
        self.assertIn('jiefen_link_throttled{peer="v12"} 0', m)
        self.assertIn('jiefen_link_rejected_total{peer="v11",reason="throttled"} 1', m)
        self.assertIn('jiefen_link_rejected_total{peer="v11",reason="bad_signature"} 150', m)
        out = town.ctl("status")
        self.assertEqual(out.returncode, 0, out.stderr)
        # Nothing about v11 itself was concluded; the other village is served as before.
        self.assertEqual(town.ok("GET", "/api/v1/links/quarantine")["proofs"], [])
        self.case_arrives(good, town)


if __name__ == "__main__":
    harness.main()
