"""诉前委派 (issue 17, item 3): a court, an [interop] system of kind court, delegates filed
disputes for mediation against a mock court started here on 127.0.0.1. Every delegation
makes one case (sent twice: the same case) whose time limit is the court's deadline, shown
with the court's 案号; a delegation without 案号 or with a past deadline is refused naming
the field and makes nothing. The mediation's result (agreement, no agreement, withdrawn)
goes back to the court exactly once although the court fails (500), answers too late (the
node times out and sends again), is killed -9 mid-delivery, stops and restarts; a result the
court refuses (400) is marked 发送失败."""
import os
from datetime import datetime, timedelta

import harness
from harness import NodeTest, wait_for
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


class Courts(NodeTest):
    def setUp(self):
        super().setUp()
        self.court = Hotline(key=KEY)
        self.addCleanup(lambda: self.court.stop())
        self.n = self.node()
        with open(os.path.join(self.n.dir, "jiefend.conf"), "a") as f:
            f.write("\n".join(["", "[interop]", f"court_dc.key = {KEY}", "court_dc.kind = court",
                               "court_dc.title = 东城区人民法院",
                               f"court_dc.receipt_url = {self.court.url()}", "timeout_s = 2",
                               "retry_base_s = 1", "retry_max_s = 2"]) + "\n")
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
        # Withdrawn: the court is down, then back on the same port.
        port = c.port
        c.stop()
        n.ok("POST", f"/api/v1/cases/{ids[2]}/close", {"result": "撤回申请", "feedback": "已告知"})
        wait_for(lambda: n.ok("GET", f"/api/v1/cases/{ids[2]}")["interop"]["receipt"]
                 ["last_error"], 20, "a refused connection")
        c2 = Hotline(port, key=KEY)
        self.addCleanup(c2.stop)
        c2.keys, c2.accepted = c.keys, c.accepted
        r = wait_for(lambda: sent(n, ids[2]), 30, "withdrawn told after the court restarted")
        self.assertEqual((r["status"], r["result"]), ("sent", "withdrawn"))
        # A result the court refuses is marked failed, for the administrator.
        c2.script = ["400"]
        close(n, ids[3])
        r = wait_for(lambda: sent(n, ids[3]), 30, "the refusal recorded")
        self.assertEqual(r["status"], "failed")
        self.assertIn("400", r["last_error"])
        # Exactly one accepted result per delegation, each with its 案号.
        self.assertEqual(sorted(c.accepted), ["WT-10", "WT-11", "WT-12"])
        self.assertEqual([len(v) for v in c.accepted.values()], [1, 1, 1])
        self.assertEqual(c.bad + c2.bad, 0)
        self.assertEqual({v[0]["court_case_no"] for v in c.accepted.values()},
                         {f"（2026）京0101民诉前调1{i}号" for i in range(3)})


if __name__ == "__main__":
    harness.main()
