"""Durability: an intake answered 201 survives kill -9 of the daemon mid-stream."""

import harness
from harness import NodeTest, intake


class Durability(NodeTest):
    def test_kill9_loses_nothing_acknowledged(self):
        n = self.node().start()
        load = harness.IntakeLoad(n, 8, timeout=10)
        acked = load.acked
        harness.wait_for(lambda: len(acked) >= 300, 60, "300 acknowledged intakes")
        n.kill9()  # while the clients are still sending
        load.stop()
        print(f"  {len(acked)} intakes acknowledged before kill -9")

        n.start()
        listed = n.ctl_json("case", "list", "--all", "--limit", "500")
        ids = [c["id"] for c in listed["cases"]]
        have = {c["id"]: c["summary"] for c in listed["cases"]}
        missing = [a for a in acked if have.get(a[0]) != a[1]]
        self.assertEqual(missing, [])
        self.assertEqual(len(ids), len(set(ids)))  # no case listed twice
        r = n.ctl("verify")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # The next intake continues the numbering after the highest case that exists.
        s, b = n.api("POST", "/api/v1/cases", intake())
        self.assertEqual(s, 201)
        self.assertGreater(b["case"]["id"], max(have))


if __name__ == "__main__":
    harness.main()
