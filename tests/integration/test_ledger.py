"""The ledger figures (综合台账) of each tier over its subtree, against hand-computed values,
with real processes (issue 5, figures)."""
import concurrent.futures
import http.client
import io
import json

import harness
from harness import PASSWORD, NodeTest, intake, wait_for
from test_case_path import FAILED, held_at

AGREED = dict(FAILED, outcome="agreement", agreement="双方同意按原界址")


class Ledger(NodeTest):
    def ledger(self, node, **q):
        query = "&".join(f"{k}={v}" for k, v in q.items())
        return node.ok("GET", "/api/v1/ledger" + ("?" + query if query else ""))["ledger"]

    def test_figures_of_each_tier_over_its_subtree(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        a = v1.ok("POST", "/api/v1/cases", intake(village="村11"))["case"]["id"]
        b = v1.ok("POST", "/api/v1/cases", intake(village="村11", risk="red"))["case"]["id"]
        c = v1.ok("POST", "/api/v1/cases", intake(village="村11", category="labour_wages",
                                                   matter_type="petition"))["case"]["id"]
        d = v2.ok("POST", "/api/v1/cases", intake(village="村12", source="hotline_12345"))["case"]["id"]
        # a: settled and closed at the village; b: escalated to the township (3221)
        v1.ok("POST", f"/api/v1/cases/{a}/attempts", AGREED)
        v1.ok("POST", f"/api/v1/cases/{a}/close", {"result": "已履行", "feedback": "已告知"})
        v1.ok("POST", f"/api/v1/cases/{a}/followup", {"satisfaction": "satisfied"})
        for _ in range(3):
            v1.ok("POST", f"/api/v1/cases/{b}/attempts", FAILED)
        held_at(town, b, holder="t1", where="here")
        # d: settled at the township after a hand-up
        v2.ok("POST", f"/api/v1/cases/{d}/escalate", {"reason": "涉及两村"})
        held_at(town, d, holder="t1", where="here")
        town.ok("POST", f"/api/v1/cases/{d}/attempts", AGREED)
        town.ok("POST", f"/api/v1/cases/{d}/close", {"result": "已调解", "feedback": "已告知"})
        held_at(county, d, status="closed")
        held_at(county, c, holder="v11")

        lv = self.ledger(v1)
        self.assertEqual(lv["taken_in"], 3)
        self.assertEqual(lv["taken_in_by"]["category"]["land_contract"], 2)
        self.assertEqual(lv["taken_in_by"]["category"]["labour_wages"], 1)
        self.assertEqual(lv["taken_in_by"]["village"], {"村11": 3})
        self.assertEqual(lv["petitions"], 1)
        self.assertAlmostEqual(lv["petition_rate"], 1 / 3)
        self.assertEqual((lv["resolved"], lv["closed"], lv["pending"]), (1, 1, 2))
        self.assertAlmostEqual(lv["resolution_rate"], 1 / 3)
        self.assertEqual(lv["on_time_rate"], 1.0)
        self.assertEqual(lv["closed_at_tier"], {"village": 1})
        self.assertEqual(lv["red"], 1)
        self.assertEqual(lv["satisfaction"]["satisfied"], 1)
        self.assertAlmostEqual(lv["escalation_rate"]["village"], 1 / 3)

        lt = self.ledger(town)
        self.assertEqual(lt["taken_in"], 4)
        self.assertEqual(lt["taken_in_by"]["village"], {"村11": 3, "村12": 1})
        self.assertEqual(lt["taken_in_by"]["source"]["hotline_12345"], 1)
        self.assertEqual(lt["taken_in_by"]["tier"], {"village": 4})
        self.assertEqual((lt["resolved"], lt["closed"], lt["pending"]), (2, 2, 2))
        self.assertEqual(lt["closed_at_tier"], {"village": 1, "township": 1})
        self.assertEqual(lt["local_share"], 1.0)
        self.assertAlmostEqual(lt["escalation_rate"]["village"], 2 / 4)
        self.assertEqual(lt["escalation_rate"]["township"], 0.0)
        lc = self.ledger(county)
        for k in ("taken_in", "resolved", "closed", "pending", "red", "petitions"):
            self.assertEqual(lc[k], lt[k], k)
        # A village's ledger holds only its own subtree.
        self.assertEqual(self.ledger(v2)["taken_in"], 1)
        # A period before any of it is empty; a bad date names the parameter.
        self.assertEqual(self.ledger(county, **{"from": "2020-01-01", "to": "2020-01-31"})["taken_in"], 0)
        self.check_spreadsheets(county, [a, b, c, d])
        s, b = county.api("GET", "/api/v1/ledger?from=2026-13-01")
        self.assertEqual((s, b["error"]["field"]), (400, "from"))
        s, b = county.api("GET", "/api/v1/ledger?from=2026-02-01&to=2026-01-01")
        self.assertEqual((s, b["error"]["field"]), (400, "to"))


    def test_many_reads_at_once_each_answered(self):
        """More exports and ledgers than the node runs at once on its thread pool, all asked
        before any answer is read: the rest wait their turn, every one is answered in full,
        and a login among them goes through (the password hashes have places of their own)."""
        n = self.node("v-dongcun", "village", "东村").start()
        ids = [n.ok("POST", "/api/v1/cases", intake(village="东村"))["case"]["id"]
               for _ in range(5)]
        n.ok("POST", "/api/v1/users", {"user": "zhao", "role": "director", "password": PASSWORD})
        paths = ["/api/v1/ledger/export?format=xlsx", "/api/v1/ledger/export?format=csv",
                 "/api/v1/ledger"] * 6
        conns = [http.client.HTTPConnection(n.host, n.port, timeout=60) for _ in paths]
        for conn in conns:
            conn.connect()
        with concurrent.futures.ThreadPoolExecutor(1) as pool:
            for conn, path in zip(conns, paths):
                conn.request("GET", path, headers={"Authorization": "Bearer " + n.token()})
            login = pool.submit(n.login, "zhao")
            answers = {}
            for conn, path in zip(conns, paths):
                r = conn.getresponse()
                body = r.read()
                conn.close()
                self.assertEqual(r.status, 200, body[:300])
                answers.setdefault(path, set()).add(body)
            self.assertEqual(login.result().info["user"], "zhao")
        csv = answers[paths[1]]
        self.assertEqual(len(csv), 1, "the same export every time")
        text = csv.pop().decode("utf-8-sig")
        for cid in ids:
            self.assertIn(cid, text)
        self.assertTrue(all(b.startswith(b"PK") for b in answers[paths[0]]))
        self.assertEqual(len(answers[paths[2]]), 1)
        self.assertEqual(json.loads(answers[paths[2]].pop())["ledger"]["taken_in"], 5)

    def download(self, node, query):
        conn = http.client.HTTPConnection(node.host, node.port, timeout=60)
        conn.request("GET", "/api/v1/ledger/export?" + query,
                     headers={"Authorization": "Bearer " + node.token()})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 200, body[:300])
        return r.getheader("Content-Type"), r.getheader("Content-Disposition"), body

    def check_spreadsheets(self, county, ids):
        kind, disp, csv = self.download(county, "format=csv")
        self.assertTrue(kind.startswith("text/csv"))
        self.assertIn("attachment", disp)
        self.assertTrue(csv.startswith(b"\xef\xbb\xbf"), "UTF-8 BOM")
        text = csv.decode("utf-8-sig")
        self.assertIn("贺兰县 综合台账", text)
        self.assertIn("受理案件数,4", text)
        self.assertIn("案件编号,受理日期,村(社区),纠纷类别", text)
        for cid in ids:
            self.assertIn(cid, text)
        self.assertNotIn("张三", text)        # no personal data in a ledger
        kind, disp, data = self.download(county, "format=xlsx")
        self.assertIn("spreadsheetml", kind)
        self.assertIn(".xlsx", disp)
        try:
            import openpyxl
        except ImportError:
            self.skipTest("openpyxl (Debian's python3-openpyxl) is not installed")
        wb = openpyxl.load_workbook(io.BytesIO(data))
        self.assertEqual(wb.sheetnames, ["汇总", "按纠纷类别", "按村(社区)", "按来源", "入驻部门",
                                         "案件登记台账"])
        rows = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=3, values_only=True)}
        self.assertEqual(rows["受理案件数"], 4)
        self.assertEqual(rows["化解案件数"], 2)
        self.assertAlmostEqual(rows["化解率"], 0.5)
        self.assertEqual(wb["汇总"]["B5"].number_format.count("%"), 1)
        reg = list(wb["案件登记台账"].iter_rows(min_row=2, values_only=True))
        self.assertEqual(reg[0][:4], ("案件编号", "受理日期", "村(社区)", "纠纷类别"))
        self.assertEqual(sorted(r[0] for r in reg[1:]), sorted(ids))
        villages = {r[0]: r[1] for r in wb["按村(社区)"].iter_rows(min_row=3, values_only=True)}
        self.assertEqual(villages, {"村11": 3, "村12": 1})
        s, b = county.api("GET", "/api/v1/ledger/export?format=pdf")
        self.assertEqual((s, b["error"]["field"]), (400, "format"))


if __name__ == "__main__":
    harness.main()
