"""Printable forms and receipts anyone can verify (issue 15, items 3 and 4): the content of
each step's form recorded (sealed) through the API and jiefenctl, every form rendered as PDF
through both, its text read back with pdftotext and drawn with pdftoppm, the QR code of the
receipt and the agreement decoded from the drawing with zbarimg and checked by
`jiefenctl receipt verify` against the root certificate, offline; a changed byte refused
with the reason; a village's receipt checked at the county's API."""
import os
import subprocess

import harness
from harness import NodeTest, intake

MEDIATION = {"date": "2026-01-05", "place": "东村调解室", "mediator": "王调解", "recorder": "赵记录",
             "applicant_statement": "申请人称被申请人占用其承包地约两分。",
             "respondent_statement": "被申请人称边界以老石桩为准。",
             "mediator_notes": "经实地测量，双方同意以测量结果为准。"}
AGREEMENT = {"facts": "双方因承包地边界发生争议。", "terms": "被申请人于十日内退还所占承包地两分并恢复原状。",
             "deadline": "2026-02-01", "method": "当面交接，村委会见证", "mediator": "王调解"}
CONFIRMATION = {"court": "贺兰县人民法院", "request": "请求确认双方于2026年1月5日达成的调解协议有效。",
                "reasons": "协议系双方自愿达成，内容不违反法律规定。"}
FOLLOW_UP = {"date": "2026-02-10", "method": "上门回访", "visitor": "刘回访",
             "performance": "协议已履行完毕，界桩已恢复。", "opinion": "满意"}
FORMS = {"intake_register": "受理登记表", "receipt": "受理回执", "mediation_record": "调解笔录",
         "agreement": "调解协议书", "confirmation_application": "司法确认申请书",
         "follow_up": "回访单", "cover": "卷宗"}


def pdf_text(path):
    r = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return r.stdout


class Forms(NodeTest):
    def record(self, node, cid, kind, fields):
        return node.ok("POST", f"/api/v1/cases/{cid}/records", {"kind": kind, "fields": fields})

    def get_pdf(self, node, cid, form, purpose=None):
        query = f"?purpose={purpose}" if purpose else ""
        return harness.fetch_bytes(node, f"/api/v1/cases/{cid}/forms/{form}.pdf{query}")

    def test_forms_by_api_and_cli_and_receipts_verified(self):
        county, (town,), ((v1,),) = self.tree((1,))
        cid = v1.ok("POST", "/api/v1/cases", intake(summary="承包地边界争议"))["case"]["id"]
        out = os.path.join(self.root, "pdf")
        os.makedirs(out)

        # A form whose step has no record yet is refused, naming what to enter.
        s, b = v1.api("GET", f"/api/v1/cases/{cid}/forms/agreement.pdf")
        self.assertEqual((s, b["error"]["code"]), (409, "form_not_ready"))
        self.assertIn("调解协议书", b["error"]["message"])
        s, b = v1.api("GET", f"/api/v1/cases/{cid}/forms/nonsense.pdf")
        self.assertEqual((s, b["error"]["code"]), (404, "unknown_form"))

        # Bad content is refused naming the field, and nothing is recorded.
        before = len(v1.ok("GET", f"/api/v1/cases/{cid}")["history"])
        s, b = v1.api("POST", f"/api/v1/cases/{cid}/records",
                      {"kind": "mediation_record", "fields": dict(MEDIATION, date="5 Jan")})
        self.assertEqual((s, b["error"]["code"], b["error"]["field"]), (400, "invalid_field", "date"))
        self.assertIn("调解日期", b["error"]["message"])
        s, b = v1.api("POST", f"/api/v1/cases/{cid}/records",
                      {"kind": "agreement", "fields": {k: v for k, v in AGREEMENT.items() if k != "terms"}})
        self.assertEqual((s, b["error"]["code"], b["error"]["field"]), (400, "missing_field", "terms"))
        self.assertIn("协议内容", b["error"]["message"])
        s, b = v1.api("POST", f"/api/v1/cases/{cid}/records",
                      {"kind": "confirmation_application", "fields": CONFIRMATION})
        self.assertEqual((s, b["error"]["code"]), (409, "invalid_state"))
        s, b = v1.api("POST", f"/api/v1/cases/{cid}/records", {"kind": "minutes", "fields": {}})
        self.assertEqual((s, b["error"]["field"]), (400, "kind"))
        self.assertEqual(len(v1.ok("GET", f"/api/v1/cases/{cid}")["history"]), before)

        # The content of each step: by the API, and the agreement by jiefenctl.
        self.record(v1, cid, "mediation_record", MEDIATION)
        r = v1.ctl("case", "record", cid, "agreement", *[f"--{k}={v}" for k, v in AGREEMENT.items()])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("调解协议书", r.stdout)
        self.record(v1, cid, "confirmation_application", CONFIRMATION)
        hist = v1.ok("GET", f"/api/v1/cases/{cid}")["history"]
        kinds = [h["details"].get("kind") for h in hist if h["kind"] == "forms_record"]
        self.assertEqual(kinds, ["mediation_record", "agreement", "confirmation_application"])
        # The texts are sealed: the event carries only the kind.
        self.assertNotIn("terms", str(hist))

        # Every form through the API (application/pdf) and jiefenctl.
        texts = {}
        for form, title in FORMS.items():
            if form == "follow_up":
                continue
            s, body, h = self.get_pdf(v1, cid, form)
            self.assertEqual(s, 200, body)
            self.assertEqual(h["Content-Type"], "application/pdf")
            self.assertTrue(body.startswith(b"%PDF-"))
            with open(os.path.join(out, f"api-{form}.pdf"), "wb") as f:
                f.write(body)
            self.assertIn(cid, pdf_text(f.name), form)
            path = os.path.join(out, f"cli-{form}.pdf")
            r = v1.ctl("case", "print", cid, form, "--out", path)
            self.assertEqual(r.returncode, 0, r.stderr)
            texts[form] = pdf_text(path)
            self.assertIn(cid, texts[form], form)
            self.assertIn(title, texts[form].replace(" ", ""), form)
        self.assertIn("张三", texts["receipt"])
        self.assertIn("张三", texts["intake_register"])
        self.assertIn("退还所占承包地两分", texts["agreement"].replace(" ", "").replace("\n", ""))
        self.assertIn("占用其承包地约两分", texts["mediation_record"].replace(" ", "").replace("\n", ""))
        self.assertIn("贺兰县人民法院", texts["confirmation_application"])
        self.assertIn("第1页共1页", texts["receipt"].replace(" ", ""))
        self.assertIn("卷内目录", texts["cover"])

        # The follow-up form after closing.
        v1.ok("POST", f"/api/v1/cases/{cid}/close", {"result": "调解成功", "feedback": "已告知当事人"})
        self.record(v1, cid, "follow_up", FOLLOW_UP)
        path = os.path.join(out, "cli-follow_up.pdf")
        self.assertEqual(v1.ctl("case", "print", cid, "follow_up", "--out", path).returncode, 0)
        self.assertIn("界桩已恢复", pdf_text(path).replace(" ", ""))

        # The receipt's and the agreement's QR codes, checked offline against the root.
        root = os.path.join(self.root, "root.cert")
        r = v1.ctl("receipt", "root", "--out", root)
        self.assertEqual(r.returncode, 0, r.stderr)
        for form in ("receipt", "agreement"):
            text = harness.pdf_qr(os.path.join(out, f"cli-{form}.pdf"), out)
            self.assertTrue(text.startswith("JFR1."), text)
            r = harness.run([harness.jiefenctl(), "receipt", "verify", text, "--root", root])
            self.assertEqual(r.returncode, 0, r.stderr + r.stdout)
            self.assertIn(cid, r.stdout)
            self.assertIn("村11", r.stdout)
            # At the county's API, the village's receipt is valid too.
            got = county.ok("POST", "/api/v1/receipts/verify", {"text": text})
            self.assertTrue(got["valid"], got)
            self.assertEqual(got["receipt"]["case_id"], cid)
            self.assertEqual(got["receipt"]["node_id"], "v11")
            # One changed byte: refused, naming why.
            i = len(text) // 2
            bad = text[:i] + ("A" if text[i] != "A" else "B") + text[i + 1:]
            r = harness.run([harness.jiefenctl(), "receipt", "verify", bad, "--root", root])
            self.assertEqual(r.returncode, 4, r.stdout + r.stderr)
            self.assertRegex(r.stdout + r.stderr, "签名不符|格式错误|证书")
            got = county.ok("POST", "/api/v1/receipts/verify", {"text": bad})
            self.assertFalse(got["valid"])

        # Against another tree's root, the chain does not lead to it.
        other = self.node("c-other", "county", "别县").start()
        other.ok("POST", "/api/v1/enrol/root")
        other_root = os.path.join(self.root, "other.cert")
        self.assertEqual(other.ctl("receipt", "root", "--out", other_root).returncode, 0)
        r = harness.run([harness.jiefenctl(), "receipt", "verify", text, "--root", other_root])
        self.assertEqual(r.returncode, 4)
        self.assertIn("not_signed_by_root", r.stdout + r.stderr)
        got = other.ok("POST", "/api/v1/receipts/verify", {"text": "JFR1.garbage"})
        self.assertEqual((got["valid"], got["code"]), (False, "malformed"))

    def test_records_travel_sealed_with_the_case(self):
        county, (town,), ((v1,),) = self.tree((1,))
        cid = v1.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        canary = "金丝雀陈述QX7Z9"
        self.record(v1, cid, "mediation_record", dict(MEDIATION, applicant_statement=canary))
        v1.ok("POST", f"/api/v1/cases/{cid}/escalate", {"reason": "村级无法化解"})
        harness.wait_for(lambda: town.api("GET", f"/api/v1/cases/{cid}")[0] == 200 and
                         town.ok("GET", f"/api/v1/cases/{cid}")["case"]["where"] == "here",
                         20, "the case at the township")
        # The township, now holding it, prints the village's record: the part came boxed to it.
        path = os.path.join(self.root, "town-record.pdf")
        r = town.ctl("case", "print", cid, "mediation_record", "--out", path)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(canary, pdf_text(path).replace(" ", ""))
        os.unlink(path)
        # Verify covers the record event at each tier, and no text is on any disk in clear.
        for n in (v1, town):
            self.assertEqual(n.verify()["problems"], [], n.id)
        for n in (v1, town, county):
            for root, _, files in os.walk(n.dir):
                for f in files:
                    with open(os.path.join(root, f), "rb") as fh:
                        self.assertNotIn(canary.encode(), fh.read(), f"{root}/{f}")

    def test_printing_is_recorded_and_approved_when_the_policy_asks(self):
        county, towns, villages = self.tree((1,))
        v, town = villages[0][0], towns[0]
        cid = v.ok("POST", "/api/v1/cases", intake())["case"]["id"]
        st, _, _ = self.get_pdf(v, cid, "receipt")
        self.assertEqual(st, 200)
        v.ok("POST", f"/api/v1/cases/{cid}/escalate", {"reason": "村级无法化解"})
        harness.wait_for(lambda: town.api("GET", f"/api/v1/cases/{cid}?parties=no")[1]
                         .get("case", {}).get("holder") == town.id, 20, "the case at the township")
        # No longer the holder: the village must say why it prints the parties' data.
        st, body, _ = self.get_pdf(v, cid, "intake_register")
        self.assertEqual(st, 400, body)
        self.assertIn(b"invalid_purpose", body)
        st, body, _ = self.get_pdf(v, cid, "intake_register", "nonsense")
        self.assertEqual(st, 400, body)
        st, _, _ = self.get_pdf(v, cid, "intake_register", "audit")
        self.assertEqual(st, 200)
        got = [(a["what"], a["purpose"]) for a in
               v.ok("GET", f"/api/v1/access?case={cid}")["access"] if a["what"].startswith("form:")]
        self.assertEqual(got, [("form:intake_register", "audit"), ("form:receipt", "casework")])  # newest first
        # The township's policy asks approval for print: refused, nothing made, then once.
        town.stop()
        with open(os.path.join(town.dir, "jiefend.conf"), "a") as f:
            f.write("\n[access]\napproval_for = archive,print\n")
        town.start()
        st, body, _ = self.get_pdf(town, cid, "receipt")
        self.assertEqual(st, 403, body)
        self.assertIn(b"approval_required", body)
        town.add_user("boss", "director", name="赵主任")
        req = town.ok("POST", "/api/v1/access/requests",
                      {"case_id": cid, "what": "form:receipt", "purpose": "casework",
                       "reason": "当事人要求补发回执"})["request"]["id"]
        town.login("boss").api("POST", "/api/v1/access/decide", {"id": req, "decision": "approve"})
        st, pdf, _ = self.get_pdf(town, cid, "receipt")
        self.assertEqual(st, 200)
        self.assertTrue(pdf.startswith(b"%PDF"))
        st, body, _ = self.get_pdf(town, cid, "receipt")
        self.assertEqual(st, 403, body)
        harness.wait_for(lambda: ("form:intake_register", v.id) in
                         [(a["what"], a["node"]) for a in
                          county.ok("GET", f"/api/v1/access?case={cid}")["access"]],
                         20, "the village's print in the county's audit")


if __name__ == "__main__":
    harness.main()
