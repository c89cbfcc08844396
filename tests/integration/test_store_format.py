"""The store's format and the link protocol's version, as an operator upgrading a county
one node at a time sees them.

- A village's data directory made by the release before formats existed
  (tests/fixtures/store_v1.tar.gz, remade by make_store_v1.sh) opens in this release: each
  migration step is logged, `status` says format 5, every case is there, newest first,
  its 待办 items are there, verify passes, it takes new intakes; the next start migrates
  nothing. The same store with its indexes emptied (as a release before them made it) has
  them rebuilt.
- A store of a newer format is refused with both formats named, and left as it was.
- A township serves a village speaking an older link protocol within its minimum, and
  refuses (counted and logged as protocol_too_old) one below it, then serves it again
  once it speaks a newer one.
"""
import hashlib
import os
import tarfile

import harness
from harness import NodeTest, intake, wait_for

FIXTURE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures",
                       "store_v1.tar.gz")
FORMAT = 5


def tamper(node, *args):
    r = harness.run([os.path.join(harness.TOOLS, "tamper"), node.dir, *args])
    assert r.returncode == 0, r.stderr


def data_hash(node):
    with open(os.path.join(node.dir, "store", "data.mdb"), "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


class StoreFormat(NodeTest):
    def fixture_node(self):
        """The fixture's village, unpacked here (no `init`: it exists already)."""
        with tarfile.open(FIXTURE) as t:
            t.extractall(self.root)
        n = harness.Node.__new__(harness.Node)
        n.dir, n.id, n.proc = os.path.join(self.root, "v-dongcun"), "v-dongcun", None
        n.log_path = os.path.join(self.root, "v-dongcun.log")
        n.env, n.endpoint, n.preexec = dict(os.environ), None, None
        self.nodes.append(n)
        return n

    def check_migrated(self, v):
        log = v.log()
        self.assertIn("migrating to format 2: cases by opening time", log)
        self.assertIn("migrating to format 3: what waits for this node", log)
        self.assertIn("migrating to format 4: each department's cases", log)
        self.assertIn("migrating to format 5: the outbox's messages by when they are due", log)
        self.assertIn(f"migrated from format 1 to {FORMAT}", log)
        status = v.ok("GET", "/api/v1/status")
        print(f"  status: store {status['store']}")
        self.assertEqual(status["store"]["format"], FORMAT)
        cases = v.cases()
        self.assertEqual(len(cases), 5)
        # Newest first, by the opening-time index the migration built.
        opened = [c["opened_ms"] for c in cases]
        self.assertEqual(opened, sorted(opened, reverse=True))
        inbox = v.ok("GET", "/api/v1/inbox")
        counts = {k["kind"]: k["count"] for k in inbox["kinds"]}
        print(f"  待办 counts after migration: {counts}")
        # As the fixture's release had them: the closed case's follow-up visit (回访) to make.
        self.assertEqual(counts.get("follow_up"), 1)
        self.assertEqual(sum(counts.values()), 1)
        self.assertEqual(inbox["items"][0]["id"], sorted(c["id"] for c in cases)[0])
        rep = v.verify()
        self.assertTrue(rep["ok"], rep)
        self.assertEqual(rep["cases_checked"], 5)
        c = v.ok("POST", "/api/v1/cases", intake())["case"]
        self.assertEqual(len(v.cases()), 6)
        return c

    def test_fixture_migrates_once(self):
        v = self.fixture_node().start()
        self.check_migrated(v)
        self.assertRegex(v.ctl("status").stdout, rf"store format: +{FORMAT}\n")
        v.stop()
        v.start()
        self.assertEqual(v.log().count("migrated from format"), 1)
        self.assertEqual(v.ok("GET", "/api/v1/status")["store"]["format"], FORMAT)
        self.assertEqual(len(v.cases()), 6)

    def test_indexes_missing_are_rebuilt(self):
        """A format-1 store from a release before the indexes: both empty, both rebuilt."""
        v = self.fixture_node()
        tamper(v, "empty", "opened", "-")
        tamper(v, "empty", "agenda", "-")
        v.start()
        self.check_migrated(v)

    def test_newer_store_refused_untouched(self):
        v = self.node("v-new", "village", "新村")
        tamper(v, "format", "99", "-")
        before = data_hash(v)
        v.start(wait=False)
        rc = v.proc.wait(timeout=30)
        v.proc = None
        out = v.log()
        print("  " + out.strip().splitlines()[-1])
        self.assertNotEqual(rc, 0)
        self.assertIn(f"the store is format 99, newer than this release knows (format {FORMAT})",
                      out)
        self.assertIn("nothing was changed", out)
        self.assertEqual(data_hash(v), before)
        self.assertFalse(os.path.exists(os.path.join(v.dir, "jiefend.pid")))
        self.assertFalse(os.path.exists(os.path.join(v.dir, "jiefend.addr")))

    def test_new_store_is_current(self):
        v = self.node("v-fresh", "village", "新村").start()
        self.assertEqual(v.ok("GET", "/api/v1/status")["store"]["format"], FORMAT)
        self.assertNotIn("migrat", v.log())
        s, body, _ = v.request("GET", "/metrics")
        self.assertIn(f"jiefen_store_format {FORMAT}", body)


class LinkProtocol(NodeTest):
    def peer(self, village, mode):
        return harness.run([os.path.join(harness.TOOLS, "peer"), village.dir, mode], timeout=30)

    def refused(self, town):
        return town.links()["refused"].get("protocol_too_old", 0)

    def test_older_within_range_served_below_minimum_refused(self):
        county, (town,), ((v,),) = self.tree((1,))
        v.stop()
        # Default minimum 1: an older village (protocol 1, or no version at all, as the
        # releases before it) is served as before.
        for mode in ("hello-v1", "hello-v0", "hello"):
            r = self.peer(v, mode)
            print(f"  min 1, {mode}: exit {r.returncode}")
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(self.refused(town), 0)

        # The county raised the minimum: protocol 1 is refused, named, counted, kept.
        town.stop()
        with open(os.path.join(town.dir, "jiefend.conf"), "a") as f:
            f.write("\n[link]\nmin_protocol = 2\n")
        town.start()
        for mode in ("hello-v1", "hello-v0"):
            r = self.peer(v, mode)
            print(f"  min 2, {mode}: exit {r.returncode}")
            self.assertEqual(r.returncode, 3, r.stdout + r.stderr)
        wait_for(lambda: self.refused(town) >= 2, 15, "the old protocol counted")
        self.assertIn("refused v11: it speaks link protocol 1, this node needs at least 2",
                      town.log())
        self.assertRegex(town.ctl("status").stdout, r"链路协议过旧 2")
        s, body, _ = town.request("GET", "/metrics")
        self.assertRegex(body, r'reason="protocol_too_old"\} 2')
        # Upgraded, it is served again: its events go up.
        r = self.peer(v, "hello")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        v.start()
        cid = v.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        v.ok("POST", f"/api/v1/cases/{cid}/escalate", {"reason": "涉及跨村"})
        wait_for(lambda: any(c["id"] == cid for c in town.cases()), 20, "the case at the town")
        town.stop()
        town.start()
        self.assertEqual(self.refused(town), 2)   # kept across a restart


if __name__ == "__main__":
    harness.main()
