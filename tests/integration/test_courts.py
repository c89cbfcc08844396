"""诉前委派 (issue 17, item 3): a court, an [interop] system of kind court, delegates filed
disputes for mediation against a mock court started here on 127.0.0.1. Every delegation
makes one case (sent twice: the same case) whose time limit is the court's deadline, shown
with the court's 案号; a delegation without 案号 or with a past deadline is refused naming
the field and makes nothing. The mediation's result (agreement, no agreement, withdrawn)
goes back to the court exactly once although the court fails (500), answers too late (the
node times out and sends again), is killed -9 mid-delivery, stops and restarts; a result the
court refuses (400) is marked 发送失败."""
import base64
import hashlib
import hmac
import json
import os
import tempfile
import time
from datetime import datetime, timedelta

import harness
from harness import NodeTest, wait_for
from test_case_path import held_at
from test_forms import AGREEMENT, CONFIRMATION, pdf_text
from test_interop import SHANGHAI, Hotline, close, order, signed

KEY = "court-secret-法院密钥-0001"


def delegation(no, case_no, days=20):
    d = order(no)
    deadline = (datetime.now(SHANGHAI) + timedelta(days=days)).date().isoformat()
    d["court"] = {"case_no": case_no, "deadline": deadline}
    return d


def sent(node, cid):
    r = node.ok("GET", f"/api/v1/cases/{cid}")["interop"]["receipt"]
    return r if r and r["status"] in ("sent", "failed") else None


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def ruling(node, body, system="court_dc", key=KEY):
    """The court sends its ruling, signed like its orders."""
    data = json.dumps(body, ensure_ascii=False).encode()
    ts = str(int(time.time() * 1000))
    sig = hmac.new(key.encode(), ts.encode() + b"\n" + data, hashlib.sha256).hexdigest()
    return node.api("POST", "/api/v1/interop/rulings", token=False, raw=data,
                    headers={"Authorization": f"JF-HMAC {system}:{ts}:{sig}"})


def agree(node, cid):
    """An agreement reached, its 调解协议书 entered, the case closed, and then its
    司法确认申请书 entered: ready to apply."""
    record(node, cid, "agreement", AGREEMENT, close_first=True)
    record(node, cid, "confirmation_application", CONFIRMATION)


def record(node, cid, kind, fields, close_first=False):
    if close_first:
        today = datetime.now(SHANGHAI).date().isoformat()
        node.ok("POST", f"/api/v1/cases/{cid}/attempts",
                {"mediator": "王调解", "date": today, "method": "people",
                 "outcome": "agreement", "agreement": "按原界址立桩"})
    node.ok("POST", f"/api/v1/cases/{cid}/records", {"kind": kind, "fields": fields})
    if close_first:
        node.ok("POST", f"/api/v1/cases/{cid}/close", {"result": "双方达成协议", "feedback": "已告知"})


def documents_text(msg):
    """The application's documents as the court got them: form -> (title, name, PDF text)."""
    out = {}
    for d in msg["documents"]:
        data = base64.b64decode(d["content_base64"])
        assert data.startswith(b"%PDF-") and d["mime"] == "application/pdf", d["name"]
        with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
            f.write(data)
            f.flush()
            out[d["form"]] = (d["title"], d["name"], pdf_text(f.name))
    return out


def decision(application_no, decision, ruling_no, reason=""):
    return {"application_no": application_no, "decision": decision, "ruling_no": ruling_no,
            "reason": reason, "document": {"name": f"{ruling_no}.pdf",
                                           "content_base64": base64.b64encode(PDF).decode()}}


def configure_court(node, court):
    """Makes the mock court node's [interop] system court_dc."""
    with open(os.path.join(node.dir, "jiefend.conf"), "a") as f:
        f.write("\n".join(["", "[interop]", f"court_dc.key = {KEY}", "court_dc.kind = court",
                           "court_dc.title = 东城区人民法院",
                           f"court_dc.receipt_url = {court.url()}", "timeout_s = 2",
                           "retry_base_s = 1", "retry_max_s = 2"]) + "\n")


class Courts(NodeTest):
    def setUp(self):
        super().setUp()
        self.court = Hotline(key=KEY)
        self.addCleanup(lambda: self.court.stop())
        self.n = self.node()
        configure_court(self.n, self.court)
        self.n.start()

    def delegate(self, body):
        return signed(self.n, body, system="court_dc", key=KEY)

    def test_delegation_makes_one_case_with_the_courts_deadline(self):
        n = self.n
        body = delegation("WT-001", "（2026）京0101民诉前调1号", days=20)
        s, b = self.delegate(body)
        self.assertEqual(s, 201, b)
        cid = b["case_id"]
        s, b = self.delegate(body)
        self.assertEqual((s, b["case_id"], b["duplicate"]), (200, cid, True))
        shown = n.ok("GET", f"/api/v1/cases/{cid}")
        self.assertEqual(shown["case"]["source"], "court")
        self.assertEqual(shown["interop"]["system_name"], "东城区人民法院")
        court = shown["interop"]["court"]
        self.assertEqual((court["case_no"], court["deadline"]),
                         ("（2026）京0101民诉前调1号", body["court"]["deadline"]))
        # The deadline is the case's time limit: the end of that day, local time.
        due = datetime.fromtimestamp(shown["case"]["due_ms"] / 1000, SHANGHAI)
        self.assertEqual((due - timedelta(seconds=1)).date().isoformat(),
                         body["court"]["deadline"])
        out = n.ctl("case", "show", cid)
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("外部工单: 东城区人民法院 WT-001", out.stdout)
        self.assertIn("法院案号: （2026）京0101民诉前调1号", out.stdout)
        self.assertIn(f"委派期限: {body['court']['deadline']}", out.stdout)
        # No 案号, a past deadline: refused naming the field, nothing made.
        bad = delegation("WT-002", "x")
        del bad["court"]["case_no"]
        s, b = self.delegate(bad)
        self.assertEqual((s, b["error"]["code"], b["error"]["field"]),
                         (400, "missing_field", "court.case_no"), b)
        s, b = self.delegate(delegation("WT-003", "（2026）京0101民诉前调3号", days=-1))
        self.assertEqual((s, b["error"]["code"], b["error"]["field"]),
                         (400, "invalid_field", "court.deadline"), b)
        self.assertIn("已过", b["error"]["message"])
        self.assertEqual(len(n.ok("GET", "/api/v1/cases")["cases"]), 1)
        refused = n.ok("GET", "/api/v1/interop/refused")["refused"]
        self.assertEqual([(r["system_name"], r["order_no"]) for r in refused],
                         [("东城区人民法院", "WT-003"), ("东城区人民法院", "WT-002")])

    def test_results_reach_the_court_exactly_once(self):
        n, c = self.n, self.court
        ids = [self.delegate(delegation(f"WT-1{i}", f"（2026）京0101民诉前调1{i}号"))[1]["case_id"]
               for i in range(4)]
        # Agreement: the first attempt fails (500), the second is answered past the node's
        # timeout (the court took it), the third is a duplicate the court answers 409.
        c.script = ["500", "slow"]
        close(n, ids[0])
        r = wait_for(lambda: sent(n, ids[0]), 40, "the agreement told")
        self.assertEqual((r["status"], r["result"], r["result_name"]),
                         ("sent", "agreement", "调解成功，达成协议"))
        self.assertGreaterEqual(r["attempts"], 3)
        # No agreement (guided back to the court): the node is killed -9 mid-delivery.
        c.script = ["hang"]
        n.ok("POST", f"/api/v1/cases/{ids[1]}/guide",
             {"channel": "court", "guidance": "调解不成，告知当事人由法院审理"})
        self.assertTrue(c.in_flight.wait(20), "the result reached the court")
        n.kill9()
        c.release.set()
        n.start()
        r = wait_for(lambda: sent(n, ids[1]), 30, "no agreement told after kill -9")
        self.assertEqual((r["status"], r["result"]), ("sent", "no_agreement"))
        # Withdrawn (said by the close, not by its text): the court is down, then back on the
        # same port. A withdrawn that is not a boolean is refused, the case left open.
        port = c.port
        c.stop()
        bad = {"result": "双方自行和解", "feedback": "已告知", "withdrawn": "yes"}
        s, b = n.api("POST", f"/api/v1/cases/{ids[2]}/close", bad)
        self.assertEqual((s, b["error"]["code"], b["error"]["field"]),
                         (400, "invalid_field", "withdrawn"), b)
        self.assertIn("撤回", b["error"]["message"])
        self.assertEqual(n.ok("GET", f"/api/v1/cases/{ids[2]}")["case"]["status"], "open")
        closed = n.ok("POST", f"/api/v1/cases/{ids[2]}/close", dict(bad, withdrawn=True))
        self.assertTrue(closed["case"]["withdrawn"])
        wait_for(lambda: n.ok("GET", f"/api/v1/cases/{ids[2]}")["interop"]["receipt"]
                 ["last_error"], 20, "a refused connection")
        c2 = Hotline(port, key=KEY)
        self.addCleanup(c2.stop)
        c2.keys, c2.accepted = c.keys, c.accepted
        r = wait_for(lambda: sent(n, ids[2]), 30, "withdrawn told after the court restarted")
        self.assertEqual((r["status"], r["result"]), ("sent", "withdrawn"))
        # A result the court refuses is marked failed, for the administrator. Its text
        # starts 撤回 but the close does not say withdrawn: the attempt's no agreement.
        c2.script = ["400"]
        n.ok("POST", f"/api/v1/cases/{ids[3]}/attempts",
             {"mediator": "王调解", "date": datetime.now(SHANGHAI).date().isoformat(),
              "method": "people", "outcome": "failed"})
        n.ok("POST", f"/api/v1/cases/{ids[3]}/close", {"result": "撤回申请", "feedback": "已告知"})
        r = wait_for(lambda: sent(n, ids[3]), 30, "the refusal recorded")
        self.assertEqual((r["status"], r["result"]), ("failed", "no_agreement"))
        self.assertIn("400", r["last_error"])
        # Exactly one accepted result per delegation, each with its 案号.
        self.assertEqual(sorted(c.accepted), ["WT-10", "WT-11", "WT-12"])
        self.assertEqual([len(v) for v in c.accepted.values()], [1, 1, 1])
        self.assertEqual(c.bad + c2.bad, 0)
        self.assertEqual({v[0]["court_case_no"] for v in c.accepted.values()},
                         {f"（2026）京0101民诉前调1{i}号" for i in range(3)})

    def test_judicial_confirmation_out_and_the_ruling_back(self):
        n, c = self.n, self.court
        ids = [n.ok("POST", "/api/v1/cases", harness.intake())["case"]["id"] for _ in range(3)]
        # No agreement yet: refused, nothing sent.
        s, b = n.api("POST", f"/api/v1/cases/{ids[0]}/confirmation", {"court": "court_dc"})
        self.assertEqual((s, b["error"]["code"]), (409, "no_agreement"), b)
        # An agreement, but neither form entered; then the 调解协议书 only: refused, naming
        # what to fill in, and nothing sent or recorded.
        close(n, ids[0])
        s, b = n.api("POST", f"/api/v1/cases/{ids[0]}/confirmation", {"court": "court_dc"})
        self.assertEqual((s, b["error"]["code"]), (409, "no_agreement_form"), b)
        self.assertIn("请先填写调解协议书", b["error"]["message"])
        record(n, ids[1], "agreement", AGREEMENT, close_first=True)
        s, b = n.api("POST", f"/api/v1/cases/{ids[1]}/confirmation", {"court": "court_dc"})
        self.assertEqual((s, b["error"]["code"]), (409, "no_application_form"), b)
        self.assertIn("请先填写司法确认申请书", b["error"]["message"])
        self.assertIsNone(n.ok("GET", f"/api/v1/cases/{ids[1]}")["case"]["confirmation"])
        record(n, ids[1], "confirmation_application", CONFIRMATION)
        ids[0] = n.ok("POST", "/api/v1/cases", harness.intake())["case"]["id"]
        agree(n, ids[0])
        s, b = n.api("POST", f"/api/v1/cases/{ids[0]}/confirmation", {"court": "12345"})
        self.assertEqual((s, b["error"]["field"]), (400, "court"), b)
        # The application goes to the court once although its first attempt fails.
        c.script = ["500"]
        got = n.ok("POST", f"/api/v1/cases/{ids[0]}/confirmation", {"court": "court_dc"})
        app = got["case"]["confirmation"]
        self.assertEqual((app["application_no"], app["decision"], app["decision_name"]),
                         (f"{ids[0]}-SQ1", "", "已申请，等待法院裁定"))
        s, b = n.api("POST", f"/api/v1/cases/{ids[0]}/confirmation", {"court": "court_dc"})
        self.assertEqual((s, b["error"]["code"]), (409, "confirm_pending"), b)
        # What the court rules on stays as applied: the two forms are locked meanwhile.
        for kind, fields in (("agreement", AGREEMENT), ("confirmation_application", CONFIRMATION)):
            s, b = n.api("POST", f"/api/v1/cases/{ids[0]}/records",
                         {"kind": kind, "fields": dict(fields, **{"reasons" if kind !=
                                                                  "agreement" else "terms":
                                                                  "改过的内容"})})
            self.assertEqual((s, b["error"]["code"]), (409, "confirm_pending"), b)
            self.assertIn("不能再修改", b["error"]["message"])
        out = n.ctl("case", "confirm", ids[1], "--court", "court_dc")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn(f"已申请司法确认：案件 {ids[1]}，申请编号 {ids[1]}-SQ1，已申请，等待法院裁定",
                      out.stdout)
        wait_for(lambda: len(c.accepted) == 2, 30, "both applications taken by the court")
        self.assertEqual(sorted(c.accepted), sorted(f"{i}-SQ1" for i in ids[:2]))
        self.assertEqual({m[0]["kind"] for m in c.accepted.values()},
                         {"confirmation_application"})
        # Each carries the case file's 司法确认申请书 and 调解协议书, as the centre prints them.
        for cid in ids[:2]:
            docs = documents_text(c.accepted[f"{cid}-SQ1"][0])
            self.assertEqual({f: d[:2] for f, d in docs.items()},
                             {"confirmation_application": ("司法确认申请书",
                                                           f"{cid}-confirmation_application.pdf"),
                              "agreement": ("调解协议书", f"{cid}-agreement.pdf")})
            flat = {f: "".join(d[2].split()) for f, d in docs.items()}
            self.assertIn("司法确认申请书", flat["confirmation_application"])
            self.assertIn("".join(CONFIRMATION["request"].split()),
                          flat["confirmation_application"])
            self.assertIn(cid, flat["confirmation_application"])
            self.assertIn("调解协议书", flat["agreement"])
            self.assertIn("".join(AGREEMENT["terms"].split()), flat["agreement"])
        # The rulings come back: confirmed (sent twice: once), refused with its reason.
        no = f"{ids[0]}-SQ1"
        s, b = ruling(n, decision(no, "confirmed", "（2026）京0101民特1号"))
        self.assertEqual((s, b["duplicate"]), (200, False), b)
        s, b = ruling(n, decision(no, "confirmed", "（2026）京0101民特1号"))
        self.assertEqual((s, b["duplicate"]), (200, True), b)
        s, b = ruling(n, decision(no, "refused", "（2026）京0101民特9号", "另一裁定"))
        self.assertEqual((s, b["error"]["code"]), (409, "already_ruled"), b)
        s, b = ruling(n, decision(f"{ids[1]}-SQ1", "refused", "（2026）京0101民特2号"))
        self.assertEqual((s, b["error"]["field"]), (400, "reason"), b)
        s, b = ruling(n, decision(f"{ids[1]}-SQ1", "refused", "（2026）京0101民特2号",
                                  "协议内容超出当事人处分范围"))
        self.assertEqual(s, 200, b)
        s, b = ruling(n, decision(f"{ids[2]}-SQ1", "confirmed", "（2026）京0101民特3号"))
        self.assertEqual((s, b["error"]["code"]), (404, "unknown_application"), b)
        s, b = ruling(n, decision(no, "confirmed", "x"), system="12345", key=KEY)
        self.assertEqual(s, 401, b)  # 12345 is not configured here
        shown = n.ok("GET", f"/api/v1/cases/{ids[0]}")["case"]["confirmation"]
        self.assertEqual((shown["decision"], shown["decision_name"], shown["ruling_no"]),
                         ("confirmed", "法院裁定确认协议有效", "（2026）京0101民特1号"))
        docs = n.ok("GET", f"/api/v1/cases/{ids[0]}/documents")["documents"]
        self.assertEqual([(d["kind"], d["name"]) for d in docs],
                         [("ruling", "（2026）京0101民特1号.pdf")])
        refused = n.ok("GET", f"/api/v1/cases/{ids[1]}")["case"]["confirmation"]
        self.assertEqual((refused["decision"], refused["reason"]),
                         ("refused", "协议内容超出当事人处分范围"))
        s, b = n.api("POST", f"/api/v1/cases/{ids[0]}/records",
                     {"kind": "agreement", "fields": AGREEMENT})
        self.assertEqual((s, b["error"]["code"]), (409, "already_confirmed"), b)
        # A refused application may be put right and followed by another.
        record(n, ids[1], "confirmation_application", CONFIRMATION)
        again = n.ok("POST", f"/api/v1/cases/{ids[1]}/confirmation", {"court": "court_dc"})
        self.assertEqual(again["case"]["confirmation"]["application_no"], f"{ids[1]}-SQ2")
        ledger = n.ok("GET", "/api/v1/ledger")["ledger"]["confirmation"]
        self.assertEqual(ledger, {"applied": 2, "confirmed": 1, "refused": 1})
        out = n.ctl("case", "show", ids[0])
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("司法确认: 法院裁定确认协议有效", out.stdout)


class CourtsInTheTree(NodeTest):
    def test_a_delegated_case_settled_above_is_told_by_the_village_once(self):
        """A village takes a court's delegation and escalates it; the township settles and
        closes it: the village, which holds the order, tells the court the agreement once,
        across its own kill -9."""
        court = Hotline(key=KEY)
        self.addCleanup(court.stop)
        _, (town,), ((v,),) = self.tree((1,))
        v.stop()
        configure_court(v, court)
        v.start()
        s, b = signed(v, delegation("WT-31", "（2026）京0101民诉前调31号"), system="court_dc",
                      key=KEY)
        self.assertEqual(s, 201, b)
        cid = b["case_id"]
        v.ok("POST", f"/api/v1/cases/{cid}/escalate", {"reason": "涉及镇内多个村"})
        held_at(town, cid, holder="t1", where="here")
        self.assertEqual(court.requests, 0)  # an escalation tells the court nothing
        close(town, cid)
        r = wait_for(lambda: sent(v, cid), 30, "the township's result told by the village")
        self.assertEqual((r["status"], r["result"]), ("sent", "agreement"))
        self.assertEqual(court.accepted["WT-31"][0]["court_case_no"], "（2026）京0101民诉前调31号")
        v.kill9()
        v.start()
        v.ok("POST", "/api/v1/cases", harness.intake())  # the village works on
        self.assertEqual(sent(v, cid)["status"], "sent")
        self.assertEqual(len(court.accepted["WT-31"]), 1)
        self.assertEqual(court.bad, 0)
        self.assertIsNone(town.ok("GET", f"/api/v1/cases/{cid}")["interop"])  # the village's


if __name__ == "__main__":
    harness.main()
