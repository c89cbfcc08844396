"""The archive of a closed case (立卷归档; issue 15, item 5): one tar file of the cover and
index, the forms, the documents decrypted and the signed chain, with a signed manifest;
exported through the API and jiefenctl only with the director's approval the default policy
asks for archives; `jiefenctl archive verify` checks it offline against the root
certificate, and one changed byte in a document, a form, an event of the chain or the
manifest is refused naming that member; the export is an access event that reaches the
county; no personal data lands on a node's disk."""
import os
import sys
import tarfile
import urllib.parse

sys.path.insert(0, os.path.dirname(__file__))
import harness  # noqa: E402
from harness import NodeTest, wait_for  # noqa: E402
from test_access import CANARY_NAME, audit, canary_intake  # noqa: E402
from test_documents import attach, pdf, png  # noqa: E402
from test_forms import AGREEMENT, MEDIATION  # noqa: E402

DOC_CANARY = "CANARY-卷宗-81d2"


def flip(src, dst, member):
    """dst: src with one byte of member's data changed."""
    with tarfile.open(src) as t:
        off = t.getmember(member).offset_data + t.getmember(member).size // 2
    with open(src, "rb") as f:
        data = bytearray(f.read())
    data[off] ^= 0x01
    with open(dst, "wb") as f:
        f.write(data)


class Archive(NodeTest):
    def test_archive_approved_exported_verified_and_tampering_named(self):
        county, (town,), ((v,),) = self.tree((1,))
        v.add_user("boss", "director", name="赵主任")
        boss = v.login("boss")
        cid = v.ok("POST", "/api/v1/cases", canary_intake())["case"]["id"]
        q = urllib.parse.quote(cid)
        photo, scan = png(), pdf(DOC_CANARY)
        for name, data in (("现场照片.png", photo), (DOC_CANARY + ".pdf", scan)):
            s, b = attach(v, cid, name, data, kind="evidence", note="关于 " + DOC_CANARY)
            self.assertEqual(s, 200, b)
        v.ok("POST", f"/api/v1/cases/{q}/records", {"kind": "mediation_record", "fields": MEDIATION})
        v.ok("POST", f"/api/v1/cases/{q}/records", {"kind": "agreement", "fields": AGREEMENT})

        # Not closed yet: refused, naming why, nothing recorded.
        s, b = v.api("GET", f"/api/v1/cases/{q}/archive?purpose=casework")
        self.assertEqual((s, b["error"]["code"]), (409, "case_not_closed"), b)
        self.assertIn("尚未办结", b["error"]["message"])
        v.ok("POST", f"/api/v1/cases/{q}/close", {"result": "调解成功", "feedback": "已告知当事人"})

        # The default policy asks the director's approval for archives: refused without one.
        out = os.path.join(self.root, "case.tar")
        r = v.ctl("case", "archive", cid, "--out", out, "--purpose", "casework")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("[approval_required]", r.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual([a for a in audit(v, case=cid) if a["what"] == "archive"], [])
        s, b = v.api("GET", f"/api/v1/cases/{q}/archive?purpose=nonsense")
        self.assertEqual((s, b["error"]["code"]), (400, "invalid_purpose"), b)

        # Asked, approved by the director, used once by jiefenctl.
        rid = v.ok("POST", "/api/v1/access/requests",
                   {"case_id": cid, "what": "archive", "purpose": "casework",
                    "reason": "结案立卷归档"})["request"]["id"]
        st, b = boss.api("POST", "/api/v1/access/decide", {"id": rid, "decision": "approve"})
        self.assertEqual(st, 200, b)
        r = v.ctl("case", "archive", cid, "--out", out, "--purpose", "casework")
        self.assertEqual(r.returncode, 0, r.stderr)
        r = v.ctl("case", "archive", cid, "--out", out + ".again", "--purpose", "casework")
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("[approval_required]", r.stderr)

        # What it holds: the cover, the forms with content, the documents as given, the chain.
        with tarfile.open(out) as t:
            names = t.getnames()
            docs = {n: t.extractfile(n).read() for n in names if n.startswith("documents/")}
        print("members:", names)
        for m in ("cover.pdf", "forms/intake_register.pdf", "forms/receipt.pdf",
                  "forms/mediation_record.pdf", "forms/agreement.pdf", "manifest.txt",
                  "manifest.sig", "chain/certs/0.cert"):
            self.assertIn(m, names)
        self.assertNotIn("forms/follow_up.pdf", names)   # nothing recorded for it
        self.assertEqual(sorted(docs.values()), sorted([photo, scan]))
        self.assertIn("documents/02-" + DOC_CANARY + ".pdf", docs)
        events = [n for n in names if n.startswith("chain/events/")]
        self.assertGreaterEqual(len(events), 6)

        # Checked offline against the tree's root certificate.
        root = os.path.join(self.root, "root.cert")
        self.assertEqual(v.ctl("receipt", "root", "--out", root).returncode, 0)
        r = harness.run([harness.jiefenctl(), "archive", "verify", out, "--root", root])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("归档有效", r.stdout)
        self.assertIn(cid, r.stdout)

        # One changed byte in each kind of member: refused, naming the member.
        for member in ("documents/01-现场照片.png", "forms/agreement.pdf", events[0],
                       "manifest.txt"):
            bad = os.path.join(self.root, "bad.tar")
            flip(out, bad, member)
            r = harness.run([harness.jiefenctl(), "archive", "verify", bad, "--root", root])
            self.assertEqual(r.returncode, 4, f"{member}: {r.stdout}{r.stderr}")
            self.assertIn(member, r.stderr)
            print(member, "->", r.stderr.strip().splitlines()[0])
        # Against another tree's root, the node's certificates lead nowhere.
        other = self.node("c-other", "county", "别县").start()
        other.ok("POST", "/api/v1/enrol/root")
        other_root = os.path.join(self.root, "other.cert")
        self.assertEqual(other.ctl("receipt", "root", "--out", other_root).returncode, 0)
        r = harness.run([harness.jiefenctl(), "archive", "verify", out, "--root", other_root])
        self.assertEqual(r.returncode, 4)
        self.assertIn("not_signed_by_root", r.stderr)

        # The export is in the record of who saw what, with its approval, up to the county.
        got = [a for a in audit(v, case=cid) if a["what"] == "archive"]
        self.assertEqual([(a["purpose"], a["approval"]) for a in got], [("casework", rid)])
        wait_for(lambda: any(a["what"] == "archive" for a in audit(county, case=cid)), 30,
                 "the archive's access event at the county")

        # Nothing personal in clear on any node's disk: not the parties, not the document.
        needles = [CANARY_NAME.encode(), DOC_CANARY.encode()]
        for n in (v, town, county):
            for top, _, files in os.walk(n.dir):
                for f in files:
                    with open(os.path.join(top, f), "rb") as fh:
                        data = fh.read()
                    for needle in needles:
                        self.assertNotIn(needle, data, f"{needle!r} in clear in {top}/{f}")

    def test_a_node_not_enrolled_cannot_sign_an_archive(self):
        n = self.node().start()
        cid = n.ok("POST", "/api/v1/cases", canary_intake())["case"]["id"]
        n.ok("POST", f"/api/v1/cases/{cid}/close", {"result": "调解成功", "feedback": "已告知"})
        s, b = n.api("GET", f"/api/v1/cases/{cid}/archive")
        self.assertEqual((s, b["error"]["code"]), (409, "archive_not_ready"), b)
        self.assertIn("尚未登记入网", b["error"]["message"])
        self.assertEqual([a for a in audit(n, case=cid) if a["what"] == "archive"], [])


if __name__ == "__main__":
    harness.main()
