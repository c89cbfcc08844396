"""Hostile peers: an unenrolled key cannot connect; a bad signature, a gap, a foreign
origin and an equivocation are rejected and counted (the last quarantines its origin
until an operator clears it); a replay changes nothing; a revoked child is cut off at
once; and all the while valid traffic keeps flowing."""
import os

import harness
from harness import NodeTest, intake, wait_for


class Hostile(NodeTest):
    def peer(self, village, mode):
        return harness.run([os.path.join(harness.TOOLS, "peer"), village.dir, mode], timeout=30)

    def rejected(self, town, child):
        link = [l for l in town.links()["children"] if l["peer"] == child][0]
        return link["rejected"], link["duplicates"]

    def case_arrives(self, village, town):
        cid = village.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        wait_for(lambda: any(c["id"] == cid for c in town.cases()), 20, f"{cid} at {town.id}")
        return cid

    def test_hostile_children(self):
        county, (town,), ((bad, good),) = self.tree((2,))
        self.case_arrives(bad, town)
        bad.stop()  # the tool speaks for it, with its key

        r = self.peer(bad, "hello")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)  # the real key is admitted
        r = self.peer(bad, "newkey")
        self.assertEqual(r.returncode, 3, r.stdout)  # nobody enrolled that key
        self.assertIn("refused a connection", town.log())

        events_before = town.ok("GET", "/api/v1/status")["log"]["events"]
        for mode, reason in (("badsig", "bad_signature"), ("gap", "gap"),
                             ("foreign", "foreign_origin")):
            r = self.peer(bad, mode)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            rej, _ = self.rejected(town, "v11")
            self.assertEqual(rej[reason], 1, (mode, rej))
            self.case_arrives(good, town)  # valid traffic keeps flowing
        _, dups_before = self.rejected(town, "v11")
        self.assertEqual(self.peer(bad, "replay").returncode, 0)
        rej, dups = self.rejected(town, "v11")
        self.assertEqual(dups, dups_before + 1)
        # Nothing of the above was applied (the good village's 3 cases were).
        self.assertEqual(town.ok("GET", "/api/v1/status")["log"]["events"], events_before + 3)

        self.assertEqual(self.peer(bad, "equivocate").returncode, 0)
        rej, _ = self.rejected(town, "v11")
        self.assertEqual(rej["equivocation"], 1)
        self.assertIn("quarantined", town.log())
        bad.start()
        cid = bad.ok("POST", "/api/v1/cases", intake(summary="隔离期间"))["case"]["id"]
        wait_for(lambda: self.rejected(town, "v11")[0]["quarantined"] > 0, 20, "quarantine hit")
        self.assertFalse(any(c["id"] == cid for c in town.cases()))
        self.case_arrives(good, town)
        town.ok("POST", "/api/v1/links/clear-quarantine", {"origin": "v11"})
        wait_for(lambda: any(c["id"] == cid for c in town.cases()), 30, "case after clearing")
        for n in (county, town, bad, good):
            self.assertTrue(n.verify()["ok"], n.id)

    def test_signed_event_that_cannot_fold_does_not_wedge_the_link(self):
        county, (town, ), ((v1, v2),) = self.tree((2,))
        self.case_arrives(v1, town)
        v1.stop()
        applied = [l for l in town.links()["children"] if l["peer"] == "v11"][0]["applied"]
        # Signed by v11 and chained, but naming an empty directive origin, which cannot be a
        # store key: kept in the chain without folding, and acked, not a failed batch.
        r = self.peer(v1, "poison")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("does not apply", town.log())
        link = [l for l in town.links()["children"] if l["peer"] == "v11"][0]
        self.assertEqual(link["applied"], applied + 1)
        self.assertEqual(self.peer(v1, "hello").returncode, 0)  # the link still answers
        self.case_arrives(v2, town)
        self.assertTrue(town.verify()["ok"])

    def test_revoked_child_is_cut_off(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        self.case_arrives(v1, town)
        town.ok("POST", "/api/v1/enrol/revoke", {"node_id": "v11", "reason": "设备丢失"})
        wait_for(lambda: not [l for l in town.links()["children"] if l["peer"] == "v11"][0]
                 ["online"], 20, "v11 offline at the township")
        cid = v1.ok("POST", "/api/v1/cases", intake(summary="撤销之后"))["case"]["id"]
        self.case_arrives(v2, town)
        harness.time.sleep(2)
        self.assertFalse(any(c["id"] == cid for c in town.cases()))
        self.assertIn("refused a connection", town.log())
        wait_for(lambda: {n["id"]: n for n in county.ok("GET", "/api/v1/nodes")["nodes"]}
                 ["v11"]["revoked"], 20, "revocation known at the county")
        s, b = town.api("POST", "/api/v1/enrol/revoke", {"node_id": "v11"})
        self.assertEqual((s, b["error"]["code"]), (409, "already_revoked"))
        nodes = {n["id"]: n for n in county.ok("GET", "/api/v1/nodes")["nodes"]}
        self.assertEqual((nodes["v11"]["parent"], nodes["v11"]["revoked"]), ("t1", True))


if __name__ == "__main__":
    harness.main()
