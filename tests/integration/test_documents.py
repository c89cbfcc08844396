"""Documents in the case file (issue 15, items 1 and 2): attaching photos, scans, PDF and
office files by API and CLI, typed by content; refusals that store nothing; sealed at rest
(a canary inside a document, its name and its note is found in no file on disk); and the
documents following the case up the tree, village → township → county, through a kill -9
of the township in the middle of the transfer."""
import http.client
import io
import os
import struct
import sys
import urllib.parse
import zipfile
import zlib

sys.path.insert(0, os.path.dirname(__file__))
from harness import NodeTest, intake, main, wait_for  # noqa: E402

CANARY = "CANARY-材料-5c1f0e"


def png():
    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00")) + chunk(b"IEND", b""))


def jpeg():
    return (bytes.fromhex("ffd8ffe000104a46494600010100000100010000") + b"\xff\xdb\x00\x43\x00"
            + bytes(range(1, 65)) + b"\xff\xd9")


def pdf(text="调解协议", pad=0):
    return (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% " + text.encode() + b"\n"
            + b"% " + b"x" * pad + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n")


def docx(text="调解笔录"):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml",
                   '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/'
                   '2006/content-types"><Override PartName="/word/document.xml" ContentType="'
                   'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main'
                   '+xml"/></Types>')
        z.writestr("_rels/.rels",
                   '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                   'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                   'openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
                   'Target="word/document.xml"/></Relationships>')
        z.writestr("word/document.xml",
                   '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
                   'wordprocessingml/2006/main"><w:body><w:p><w:r><w:t>%s</w:t></w:r></w:p>'
                   '</w:body></w:document>' % text)
    return b.getvalue()


FILES = [("现场照片.jpg", jpeg(), "image/jpeg", "evidence"),
         ("界址图.png", png(), "image/png", "证据"),
         ("调解协议书.pdf", pdf(), "application/pdf", "agreement"),
         ("调解笔录.docx", docx(), "application/vnd.openxmlformats-officedocument."
          "wordprocessingml.document", "笔录")]


def limits(node, file_kb, case_kb):
    with open(os.path.join(node.dir, "jiefend.conf"), "a") as f:
        f.write(f"\n[documents]\nmax_file_kb = {file_kb}\nmax_case_kb = {case_kb}\n")


def attach(node, case_id, name, data, kind=None, note=None, headers=None):
    q = {"name": name}
    if kind:
        q["kind"] = kind
    if note:
        q["note"] = note
    path = (f"/api/v1/cases/{urllib.parse.quote(case_id)}/documents?"
            + urllib.parse.urlencode(q))
    h = {"Content-Type": "application/octet-stream"}
    h.update(headers or {})
    return node.api("POST", path, raw=data, headers=h)


def fetch(node, path):
    """GET with the token: (status, the body's bytes, headers)."""
    c = http.client.HTTPConnection(node.host, node.port, timeout=60)
    c.request("GET", path, headers={"Authorization": "Bearer " + node.token()})
    r = c.getresponse()
    data = r.read()
    c.close()
    return r.status, data, r.headers


def docs_files(node):
    out = set()
    for root, _, files in os.walk(os.path.join(node.dir, "docs")):
        out.update(os.path.join(root, f) for f in files)
    return out


class Documents(NodeTest):
    def village(self, file_kb=64, case_kb=200):
        n = self.node()
        limits(n, file_kb, case_kb)
        n.start()
        return n, n.ok("POST", "/api/v1/cases", intake())["case"]["id"]

    def history(self, n, cid):
        return n.ok("GET", f"/api/v1/cases/{urllib.parse.quote(cid)}")["history"]

    def test_round_trips_by_api_and_cli(self):
        n, cid = self.village()
        q = urllib.parse.quote(cid)
        ids = {}
        for name, data, mime, kind in FILES:
            s, b = attach(n, cid, name, data, kind=kind, note="当事人提交")
            self.assertEqual(s, 200, b)
            d = b["document"]
            self.assertEqual((d["name"], d["mime"], d["size"]), (name, mime, len(data)))
            ids[name] = d["id"]
        listed = n.ok("GET", f"/api/v1/cases/{q}/documents")
        self.assertEqual([d["name"] for d in listed["documents"]], [f[0] for f in FILES])
        self.assertEqual([d["kind_name"] for d in listed["documents"]],
                         ["证据", "证据", "协议", "笔录"])
        self.assertEqual({d["state"] for d in listed["documents"]}, {"present"})
        self.assertEqual(listed["in_transit"], 0)
        self.assertEqual(listed["documents"][0]["actor_name"], "管理员")
        for name, data, mime, _ in FILES:
            s, body, h = fetch(n, f"/api/v1/cases/{q}/documents/{ids[name]}")
            self.assertEqual((s, body), (200, data))
            self.assertEqual(h["Content-Type"], mime)
            self.assertIn("filename*=UTF-8''" + urllib.parse.quote(name), h["Content-Disposition"])
        # The bytes themselves, through the CLI both ways.
        for name, data, mime, kind in FILES:
            src = os.path.join(self.root, "in-" + name)
            with open(src, "wb") as f:
                f.write(data)
            r = n.ctl("case", "attach", cid, src, "--kind", kind, "--note", "复印件")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("已添加材料", r.stdout)
            doc = r.stdout.split("（")[1].split("）")[0] if "（" in r.stdout else None
            out = os.path.join(self.root, "out-" + name)
            r = n.ctl("case", "document", cid, ids[name], "--out", out)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(out, "rb") as f:
                self.assertEqual(f.read(), data, name)
            self.assertTrue(doc)
        r = n.ctl("case", "documents", cid)
        self.assertEqual(r.returncode, 0, r.stderr)
        for name, *_ in FILES:
            self.assertIn(name, r.stdout)
        self.assertIn("证据", r.stdout)
        listed = n.ctl_json("case", "documents", cid)
        self.assertEqual(len(listed["documents"]), 2 * len(FILES))
        # The chain records each attachment (no name in clear), and verify covers the blobs.
        kinds = [h["kind"] for h in self.history(n, cid)]
        self.assertEqual(kinds.count("doc_attached"), 2 * len(FILES))
        self.assertTrue(n.verify()["ok"])

    def test_refused_types_and_sizes_store_nothing(self):
        n, cid = self.village(file_kb=64, case_kb=150)
        with open("/bin/true", "rb") as f:
            elf = f.read()
        before_files, before_events = docs_files(n), len(self.history(n, cid))
        for name, data, why in (("报告.pdf", elf, "application/x-"),
                                ("照片.jpg", b"#!/bin/sh\nrm -rf /\n", "text/x-shellscript"),
                                ("扫描.png", os.urandom(4000), "application/octet-stream")):
            s, b = attach(n, cid, name, data)
            self.assertEqual(s, 415, b)
            self.assertEqual(b["error"]["code"], "unsupported_type")
            self.assertIn(why, b["error"]["message"])
        s, b = attach(n, cid, "大文件.pdf", pdf(pad=70 * 1024))
        self.assertEqual(s, 413, b)
        for kind, note, field in (("照片", None, "kind"), (None, "x" * 2001, "note")):
            s, b = attach(n, cid, "a.pdf", pdf(), kind=kind, note=note)
            self.assertEqual((s, b["error"]["field"]), (400, field), b)
        s, b = attach(n, cid, "", pdf())
        self.assertEqual((s, b["error"]["field"]), (400, "name"), b)
        s, b = attach(n, "JF-NO-SUCH", "a.pdf", pdf())
        self.assertEqual(s, 404, b)
        self.assertEqual(docs_files(n), before_files)
        self.assertEqual(len(self.history(n, cid)), before_events)
        # The case's limit: two of 60 KiB fit under 150, the third does not.
        for i in range(2):
            s, b = attach(n, cid, f"卷{i}.pdf", pdf(pad=60 * 1024))
            self.assertEqual(s, 200, b)
        files, events = docs_files(n), len(self.history(n, cid))
        s, b = attach(n, cid, "卷2.pdf", pdf(pad=60 * 1024))
        self.assertEqual((s, b["error"]["code"]), (413, "case_documents_full"), b)
        self.assertIn("每案上限 150 KiB", b["error"]["message"])
        self.assertEqual(docs_files(n), files)
        self.assertEqual(len(self.history(n, cid)), events)
        # The CLI says why in Chinese with the code, and exits non-zero.
        src = os.path.join(self.root, "evil.docx")
        with open(src, "wb") as f:
            f.write(elf[:30000])
        r = n.ctl("case", "attach", cid, src)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("[unsupported_type]", r.stderr)
        self.assertEqual(docs_files(n), files)

    def test_roles(self):
        n, cid = self.village()
        n.add_user("li", "admin", name="李管理")
        admin = n.login("li")
        q = urllib.parse.quote(cid)
        s, b = admin.api("GET", f"/api/v1/cases/{q}/documents")
        self.assertEqual(s, 403, b)

    def test_canary_is_sealed_at_rest(self):
        n, cid = self.village()
        s, b = attach(n, cid, CANARY + ".docx", docx(CANARY), note="关于 " + CANARY)
        self.assertEqual(s, 200, b)
        s, b = attach(n, cid, "协议.pdf", pdf(CANARY))
        self.assertEqual(s, 200, b)
        n.stop()
        needles = [CANARY.encode(), CANARY.encode("utf-16-le")]
        for root, _, files in os.walk(n.dir):
            for f in files:
                with open(os.path.join(root, f), "rb") as fh:
                    data = fh.read()
                for needle in needles:
                    self.assertNotIn(needle, data, f"{needle!r} in clear in {root}/{f}")
        n.start()
        q = urllib.parse.quote(cid)
        doc = n.ok("GET", f"/api/v1/cases/{q}/documents")["documents"][1]
        s, body, _ = fetch(n, f"/api/v1/cases/{q}/documents/{doc['id']}")
        self.assertIn(CANARY.encode(), body)

    def test_verify_finds_a_damaged_blob(self):
        n, cid = self.village()
        s, b = attach(n, cid, "协议.pdf", pdf())
        self.assertEqual(s, 200, b)
        h = b["document"]["id"]
        path = os.path.join(n.dir, "docs", h[:2], h)
        with open(path, "r+b") as f:
            f.seek(40)
            c = f.read(1)
            f.seek(40)
            f.write(bytes([c[0] ^ 1]))
        v = n.verify()
        self.assertFalse(v["ok"])
        self.assertIn("document", str(v))
        s, b, _ = n.request("GET", f"/api/v1/cases/{urllib.parse.quote(cid)}/documents/{h}")
        self.assertEqual((s, b["error"]["code"]), (500, "document_damaged"))


def partial_bytes(node):
    d = os.path.join(node.dir, "docs", "partial")
    try:
        return sum(os.path.getsize(os.path.join(d, f)) for f in os.listdir(d))
    except FileNotFoundError:
        return 0


def doc_list(node, cid):
    s, b = node.api("GET", f"/api/v1/cases/{urllib.parse.quote(cid)}/documents")
    return b if s == 200 else None


def held_here(node, cid):
    s, b = node.api("GET", f"/api/v1/cases/{urllib.parse.quote(cid)}")
    return s == 200 and b["case"]["where"] == "here"


class DocumentsTravel(NodeTest):
    def test_documents_follow_the_case_to_the_county_through_a_kill9(self):
        county, (town,), ((v1, v2),) = self.tree(villages_per_township=(2,))
        cid = v1.ok("POST", "/api/v1/cases", intake(village="村11"))["case"]["id"]
        q = urllib.parse.quote(cid)
        sent = {}
        for i in range(3):  # about 51 MiB, each one a PDF by its content
            data = pdf(f"卷{i}") + os.urandom(17 * 1024 * 1024)
            s, b = attach(v1, cid, f"卷{i}.pdf", data, kind="evidence")
            self.assertEqual(s, 200, b)
            sent[b["document"]["id"]] = data
        v1.ok("POST", f"/api/v1/cases/{q}/escalate", {"reason": "跨村纠纷"})
        wait_for(lambda: held_here(town, cid), 30, "the case at the township")
        # The township shows them in transit, names and all, before the bytes are there.
        listed = doc_list(town, cid)
        self.assertEqual(sorted(d["name"] for d in listed["documents"]),
                         ["卷0.pdf", "卷1.pdf", "卷2.pdf"])
        town.ok("POST", f"/api/v1/cases/{q}/escalate", {"reason": "重大疑难"})
        wait_for(lambda: held_here(county, cid), 30, "the case at the county")
        # kill -9 of the township in the middle of its transfer.
        wait_for(lambda: partial_bytes(town) > 2 * 1024 * 1024, 60, "the township's transfer")
        town.kill9()
        left = partial_bytes(town)
        self.assertGreater(left, 0)
        town.start()
        # A small event meanwhile: another village's escalation reaches the township and the
        # county while the documents are still in transit to the county.
        other = v2.ok("POST", "/api/v1/cases", intake(village="村12"))["case"]["id"]
        v2.ok("POST", f"/api/v1/cases/{urllib.parse.quote(other)}/escalate", {"reason": "急"})
        wait_for(lambda: held_here(town, other), 30, "the small escalation at the township")
        at_county = doc_list(county, cid)
        self.assertGreater(at_county["in_transit"], 0,
                           "the escalation waited for the documents")
        # Then every document arrives at the county, whole.
        wait_for(lambda: doc_list(county, cid)["in_transit"] == 0, 240, "the documents at the county")
        for node in (town, county):
            for d in doc_list(node, cid)["documents"]:
                # The township no longer holds the case: it says why it reads (查阅目的).
                s, body, _ = fetch(node, f"/api/v1/cases/{q}/documents/{d['id']}?purpose=audit")
                self.assertEqual(s, 200)
                self.assertTrue(body == sent[d["id"]], f"{d['name']} at {node.id}")
            self.assertTrue(node.verify()["ok"])
        # Every download is in the record of who saw what, never without its purpose.
        got = {(a["what"], a["purpose"]) for a in
               town.ok("GET", f"/api/v1/access?case={q}&limit=500")["access"]}
        self.assertEqual({w for w, _ in got if w.startswith("document:")},
                         {"document:" + h for h in sent})
        self.assertEqual({p for w, p in got if w.startswith("document:")}, {"audit"})
        s, b, _ = fetch(town, f"/api/v1/cases/{q}/documents/{next(iter(sent))}")
        self.assertEqual(s, 400, b)
        # jiefenctl too: the purpose said, or refused naming it.
        one, path = next(iter(sent)), os.path.join(self.root, "dl.bin")
        r = town.ctl("case", "document", cid, one, "--out", path)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("[invalid_purpose]", r.stderr)
        r = town.ctl("case", "document", cid, one, "--out", path, "--purpose", "audit")
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(path, "rb") as f:
            self.assertTrue(f.read() == sent[one])
        # The same blob (the same hash) at every tier: the key was re-boxed, not the blob.
        self.assertEqual({d["id"] for d in doc_list(county, cid)["documents"]}, set(sent))

    def test_a_bad_blob_is_fetched_again(self):
        county, (town,), ((v1,),) = self.tree(villages_per_township=(1,))
        cid = v1.ok("POST", "/api/v1/cases", intake(village="村11"))["case"]["id"]
        q = urllib.parse.quote(cid)
        s, b = attach(v1, cid, "协议.pdf", pdf(pad=600 * 1024))
        self.assertEqual(s, 200, b)
        h = b["document"]["id"]
        # Damage the village's copy: the township gets bytes that do not match the hash.
        path = os.path.join(v1.dir, "docs", h[:2], h)
        with open(path, "r+b") as f:
            f.seek(100)
            original = f.read(4)
            f.seek(100)
            f.write(bytes(b ^ 0xff for b in original))
        v1.ok("POST", f"/api/v1/cases/{q}/escalate", {"reason": "跨村纠纷"})
        wait_for(lambda: town.ok("GET", "/api/v1/status")["documents"]["bad_blobs"] >= 1, 60,
                 "the bad blob refused")
        self.assertIn("does not match its hash", town.log())
        self.assertEqual(doc_list(town, cid)["in_transit"], 1)
        self.assertFalse(os.path.exists(os.path.join(town.dir, "docs", h[:2], h)))
        # Repaired at the source, it is fetched again and arrives.
        with open(path, "r+b") as f:
            f.seek(100)
            f.write(original)
        wait_for(lambda: doc_list(town, cid)["in_transit"] == 0, 60, "the good blob")
        self.assertTrue(town.verify()["ok"])


if __name__ == "__main__":
    main()
