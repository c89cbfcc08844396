"""Rebuilding a lost village from its township (issue 18, item 2): a village with cases,
parties and a document, one case escalated to the township and on to the county, loses its
data directory. It is initialised again with a new key, enrolled by the township as the
successor of its old identity (a signed key rotation), fetches its whole chain back, and
continues it; the county verifies the chain across the rotation. Without the county's
recovery key the parties stay sealed and the cases are named; with it, after the county's
recorded approval, they are readable again. The canary is never on any disk in clear."""
import os
import shutil
import urllib.parse

import harness
from harness import NodeTest, intake, party, run, jiefend, wait_for
from test_hazards import hazard

CANARY = "甄恢复金丝雀"


def with_recovery(node, pub):
    with open(os.path.join(node.dir, "jiefend.conf"), "a") as f:
        f.write(f"\n[recovery]\npublic_key = {pub}\n")


def status(node):
    return node.ok("GET", "/api/v1/status")


def caught_up(child):
    up = child.links().get("parent")
    return up is not None and up.get("backlog_up") == 0


def canary_on_disk(node):
    needles = [CANARY.encode(), CANARY.encode("utf-16-le")]
    for root, _, files in os.walk(node.dir):
        for f in files:
            with open(os.path.join(root, f), "rb") as fh:
                data = fh.read()
            for n in needles:
                if n in data:
                    return os.path.join(root, f)
    return None


class Rebuild(NodeTest):
    def start_tree(self, pub):
        county = self.node("c-helan", "county", "贺兰县", listen=True)
        town = self.node("t1", "township", "镇1", listen=True)
        v = self.node("v11", "village", "村11")
        for n in (county, town, v):
            with_recovery(n, pub)
            n.start()
        county.ok("POST", "/api/v1/enrol/root")
        self.enrol(county, town)
        self.enrol(town, v)
        return county, town, v

    def test_rebuild_from_the_township(self):
        keys = os.path.join(self.root, "usb")
        os.mkdir(keys)
        r = run([jiefend(), "recovery-key", "--out", keys])
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(keys, "recovery.pub")) as f:
            pub = f.read().strip()
        self.assertEqual(os.stat(os.path.join(keys, "recovery.key")).st_mode & 0o777, 0o600)
        county, town, v = self.start_tree(pub)

        kept = v.ok("POST", "/api/v1/cases", intake(
            parties=[party(0, name=CANARY), party(1)]))["case"]["id"]
        q = urllib.parse.quote(kept)
        s, b = v.api("POST", f"/api/v1/cases/{q}/documents?" + urllib.parse.urlencode(
            {"name": CANARY + ".pdf", "note": "证据"}), raw=b"%PDF-1.4\n%" + CANARY.encode()
            + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
            headers={"Content-Type": "application/octet-stream"})
        self.assertEqual(s, 200, b)
        first_hazard = v.ok("POST", "/api/v1/hazards", hazard())["hazard"]["id"]
        up = v.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        v.ok("POST", f"/api/v1/cases/{up}/escalate", {"reason": "村级无法协调"})
        wait_for(lambda: town.api("GET", f"/api/v1/cases/{up}")[0] == 200, 20, "escalated")
        town.ok("POST", f"/api/v1/cases/{up}/escalate", {"reason": "镇级无法协调"})
        wait_for(lambda: county.api("GET", f"/api/v1/cases/{up}")[0] == 200, 20, "at county")
        wait_for(lambda: caught_up(v) and caught_up(town), 20, "chains up the tree")
        old_head = status(v)["log"]["last_seq"]
        old_key = status(v)["node"]["public_key"]

        # The disk is gone.
        v.kill9()
        shutil.rmtree(v.dir)
        r = run([jiefend(), "init", "--rebuild", "--data", v.dir, "--tier", "village", "--id",
                 "v11", "--name", "村11", "--http", "127.0.0.1:0"])
        self.assertEqual(r.returncode, 0, r.stderr)
        with_recovery(v, pub)
        v.start()
        self.assertNotEqual(status(v)["node"]["public_key"], old_key)
        req = v.ok("POST", "/api/v1/enrol/request")["request"]
        # Without --successor the township refuses a second v11.
        s, b = town.api("POST", "/api/v1/enrol/approve", {"request": req})
        self.assertEqual((s, b["error"]["code"]), (409, "duplicate_id"), b)
        out = town.ctl("enrol", "approve", "-", "--successor", "--out",
                       os.path.join(self.root, "bundle"), stdin=req)
        self.assertEqual(out.returncode, 0, out.stderr)
        out = v.ctl("enrol", "install", os.path.join(self.root, "bundle"))
        self.assertEqual(out.returncode, 0, out.stderr)
        print("install ->", out.stdout.strip())

        rec = wait_for(lambda: (lambda r: r if not r["rebuilding"] and r["own_head"] == old_head
                                else None)(v.ok("GET", "/api/v1/recovery")), 20, "chain back")
        self.assertEqual(rec["chain_floor"], old_head)
        sealed = {c["case_id"]: c for c in rec["sealed_cases"]}
        self.assertIn(kept, sealed)
        self.assertIn(up, sealed)
        self.assertTrue(all(c["recoverable"] == c["parts"] for c in sealed.values()), sealed)
        self.assertIn("恢复", rec["message"])
        self.assertEqual(status(v)["recovery"]["message"], rec["message"])  # the console's banner
        out = v.ctl("recovery", "status")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(kept, out.stdout)
        print("recovery status ->\n" + out.stdout)
        # Everything but the parties came back; the parties stay sealed.
        f = v.ok("GET", f"/api/v1/cases/{q}")
        self.assertEqual(f["case"]["summary"], "承包地边界争议")
        self.assertNotIn(CANARY, str(f.get("parties")))

        # New intakes continue the chain with the new key; every tier verifies it; a new
        # 苗头隐患 numbers after the one the chain brought back.
        new = v.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        self.assertEqual(status(v)["log"]["last_seq"], old_head + 1)
        self.assertEqual(first_hazard, "YH-v11-1")
        s, b = v.api("POST", "/api/v1/hazards", hazard())
        self.assertEqual((s, b.get("hazard", {}).get("id")), (200, "YH-v11-2"), b)
        wait_for(lambda: county.api("GET", f"/api/v1/cases/{new}")[0] == 200 or
                 caught_up(v) and caught_up(town), 20, "new events up")
        wait_for(lambda: caught_up(v) and caught_up(town), 20, "new events at the county")
        for n in (v, town, county):
            res = n.ok("POST", "/api/v1/verify")
            self.assertTrue(res["ok"], f"{n.id}: {res}")
        out = county.ctl("verify")
        self.assertEqual(out.returncode, 0, out.stdout + out.stderr)

        # The recovery key needs the county's recorded approval.
        with open(os.path.join(keys, "recovery.key")) as fh:
            key = fh.read()
        s, b = v.api("POST", "/api/v1/recovery/reseal", {"recovery_key": key})
        self.assertEqual((s, b["error"]["field"]), (400, "approval"), b)
        s, b = town.api("POST", "/api/v1/recovery/approvals", {"node": "v11", "reason": "硬盘损坏"})
        self.assertEqual((s, b["error"]["field"]), (400, "node"), b)
        s, b = county.api("POST", "/api/v1/recovery/approvals", {"node": "v11"})
        self.assertEqual((s, b["error"]["field"]), (400, "reason"), b)
        approval = os.path.join(self.root, "approval")
        out = county.ctl("recovery", "approve", "v11", "--reason", "村电脑硬盘损坏，重建",
                         "--out", approval)
        self.assertEqual(out.returncode, 0, out.stderr)
        with open(approval) as fh:
            approval_text = fh.read()
        wrong = os.path.join(self.root, "wrong")
        os.mkdir(wrong)
        self.assertEqual(run([jiefend(), "recovery-key", "--out", wrong]).returncode, 0)
        with open(os.path.join(wrong, "recovery.key")) as fh:
            s, b = v.api("POST", "/api/v1/recovery/reseal",
                         {"recovery_key": fh.read(), "approval": approval_text})
        self.assertEqual((s, b["error"]["code"]), (400, "wrong_key"), b)
        self.assertTrue(v.ok("GET", "/api/v1/recovery")["sealed_cases"])
        out = v.ctl("recovery", "reseal", "--key", os.path.join(keys, "recovery.key"),
                    "--approval", approval)
        self.assertEqual(out.returncode, 0, out.stderr)
        print("reseal ->", out.stdout.strip())
        self.assertEqual(v.ok("GET", "/api/v1/recovery")["sealed_cases"], [])
        self.assertIsNone(status(v)["recovery"]["message"])
        f = v.ok("GET", f"/api/v1/cases/{q}")
        self.assertEqual(f["parties"][0]["name"], CANARY)
        docs = v.ok("GET", f"/api/v1/cases/{q}/documents")["documents"]
        self.assertEqual(docs[0]["name"], CANARY + ".pdf")
        self.assertTrue(v.ok("POST", "/api/v1/verify")["ok"])

        for n in (v, town, county):
            n.stop()
            self.assertIsNone(canary_on_disk(n))


if __name__ == "__main__":
    harness.main()
