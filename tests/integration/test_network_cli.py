"""An operator enrols a township and a village with jiefenctl alone, sends a directive and
sees the links, as the README tells them to."""
import json
import os

import harness
from harness import NodeTest, intake, wait_for


class NetworkCli(NodeTest):
    def enrol(self, parent, child):
        req, bundle = os.path.join(self.root, child.id + ".req"), os.path.join(
            self.root, child.id + ".bundle")
        for node, args in ((child, ("enrol", "request", "--out", req)),
                           (parent, ("enrol", "approve", req, "--out", bundle)),
                           (child, ("enrol", "install", bundle))):
            r = node.ctl(*args)
            self.assertEqual(r.returncode, 0, (args, r.stdout, r.stderr))
        return req, bundle

    def test_operator_flow(self):
        county = self.node("c-helan", "county", "贺兰县", listen=True).start()
        town = self.node("t1", "township", "新镇", listen=True).start()
        village = self.node("v1", "village", "东村").start()
        self.assertEqual(county.ctl("enrol", "root").returncode, 0)
        req, bundle = self.enrol(county, town)
        self.enrol(town, village)

        # Wrong files and wrong tiers are named, and change nothing.
        r = county.ctl("enrol", "approve", bundle)
        self.assertEqual(r.returncode, 1)
        self.assertIn("ENROL-BUNDLE", r.stderr)
        r = county.ctl("enrol", "approve", os.path.join(self.root, "missing.req"))
        self.assertEqual(r.returncode, 2)
        self.assertIn("missing.req", r.stderr)
        vreq = os.path.join(self.root, "v-again.req")
        village.ctl("enrol", "request", "--out", vreq)
        r = village.ctl("enrol", "approve", vreq)
        self.assertEqual(r.returncode, 1)

        cid = json.loads(village.ctl("--json", "case", "new", "--json", "-",
                                     stdin=json.dumps(intake())).stdout)["case"]["id"]
        wait_for(lambda: cid in county.ctl("case", "list").stdout, 20, "case at the county")

        r = county.ctl("--json", "directive", "send", "--all", "--kind", "screening",
                       "--title", "开展排查")
        self.assertEqual(r.returncode, 0, r.stderr)
        did = json.loads(r.stdout)["directive"]["id"]
        wait_for(lambda: did in village.ctl("directive", "list").stdout, 20, "directive")
        self.assertEqual(village.ctl("directive", "ack", did, "--note", "收到").returncode, 0)
        self.assertEqual(town.ctl("directive", "ack", did).returncode, 0)
        wait_for(lambda: [d for d in county.ctl_json("directive", "list")["directives"]
                          if d["id"] == did and not d["pending"]], 20, "acks at the county")

        st = county.ctl("status")
        self.assertEqual(st.returncode, 0)
        self.assertIn("t1", st.stdout)
        nodes = {n["id"]: n for n in county.ctl_json("nodes")["nodes"]}
        self.assertEqual(nodes["v1"]["parent"], "t1")
        self.assertEqual(nodes["v1"]["relation"], "descendant")
        self.assertEqual(town.ctl("enrol", "revoke", "v1", "--reason", "更换设备").returncode, 0)
        self.assertEqual(town.ctl("enrol", "revoke", "v1").returncode, 1)


if __name__ == "__main__":
    harness.main()
