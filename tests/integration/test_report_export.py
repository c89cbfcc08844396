"""A report as a spreadsheet (issue 5, item 5), with real processes: a village submits its
daily; the township, which holds its children's reports, exports it as XLSX (read back with
openpyxl) and CSV, with the figures the village signed, its analysis and its review; the
village exports its own through jiefenctl; a report that is not there is a 404 naming it."""
import datetime
import http.client
import io
import os

import harness
from harness import NodeTest, intake, wait_for

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
BOM = b"\xef\xbb\xbf"
ANALYSIS = "本日排查纠纷三件\n其中欠薪一件，已登记信访"
SHEETS = ["报告", "汇总", "按纠纷类别", "按村(社区)", "按来源", "入驻部门"]


def today():
    return str(datetime.datetime.now(SHANGHAI).date())


class ReportExport(NodeTest):
    def download(self, node, query):
        conn = http.client.HTTPConnection(node.host, node.port, timeout=60)
        conn.request("GET", "/api/v1/reports/export?" + query,
                     headers={"Authorization": "Bearer " + node.token()})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        return r.status, r.getheader("Content-Type"), r.getheader("Content-Disposition"), body

    def child_report(self, town, d):
        def sent():
            got = {c["node"]: c for c in town.ok(
                "GET", f"/api/v1/reports?kind=daily&period={d}")["children"]}
            return got["v11"] if got.get("v11", {}).get("state") in ("submitted", "returned") \
                else None
        return wait_for(sent, 20, "v11's daily at the township")

    def check_workbook(self, data, report, state):
        import openpyxl
        wb = openpyxl.load_workbook(io.BytesIO(data))
        self.assertEqual(wb.sheetnames, SHEETS)
        info = wb["报告"]
        self.assertEqual(info["A1"].value, f"村11 日排查（{report['period']} 至 {report['period']}）")
        self.assertEqual((info["A2"].value, info["B2"].value), ("项目", "内容"))
        rows = {r[0]: r[1] for r in info.iter_rows(min_row=3, values_only=True)}
        self.assertEqual(rows["报送单位"], "村11（v11）")
        self.assertEqual(rows["报告类型"], "日排查")
        self.assertEqual(rows["状态"], state)
        self.assertEqual(rows["报送人"], "村调解员 孙七")
        self.assertTrue(rows["报送时间"].startswith(report["period"]), rows["报送时间"])
        self.assertEqual(rows["分析研判"], ANALYSIS)
        # 汇总 holds the figures as the village froze and signed them.
        fig = report["figures"]
        summary = {r[0]: r[1] for r in wb["汇总"].iter_rows(min_row=3, values_only=True)}
        self.assertEqual(summary["受理案件数"], fig["taken_in"])
        self.assertEqual(summary["信访事项数"], fig["petitions"])
        self.assertEqual(summary["办结案件数"], fig["closed"])
        self.assertEqual(summary["期末在办"], fig["pending"])
        self.assertEqual(summary["红色风险"], fig["red"])
        self.assertAlmostEqual(summary["初信初访占比"], fig["petition_rate"])
        self.assertIsNone(summary["按期办结率"])   # nothing closed: no rate, an empty cell
        self.assertIsNone(fig["on_time_rate"])
        cats = {r[0]: r[1] for r in wb["按纠纷类别"].iter_rows(min_row=3, values_only=True)}
        self.assertEqual(cats["劳动人事与欠薪"], fig["taken_in_by"]["category"]["labour_wages"])
        villages = {r[0]: r[1] for r in wb["按村(社区)"].iter_rows(min_row=3, values_only=True)}
        self.assertEqual(villages, fig["taken_in_by"]["village"])
        return rows

    def test_child_and_own_report_as_xlsx_and_csv(self):
        county, (town,), ((v11, v12),) = self.tree((2,))
        for _ in range(2):
            v11.ok("POST", "/api/v1/cases", intake(village="村11", risk="red"))
        v11.ok("POST", "/api/v1/cases", intake(village="村11", category="labour_wages",
                                                 matter_type="petition"))
        d = today()
        v11.ok("POST", "/api/v1/reports/submit", {"kind": "daily", "period": d,
                                                  "analysis": ANALYSIS,
                                                  "actor": "村调解员 孙七"})
        report = self.child_report(town, d)
        self.assertEqual(report["figures"]["taken_in"], 3)
        # A case taken in after the submission changes nothing in the exported report.
        v11.ok("POST", "/api/v1/cases", intake(village="村11"))

        query = f"node=v11&kind=daily&period={d}"
        s, kind, disp, data = self.download(town, query + "&format=xlsx")
        self.assertEqual(s, 200, data[:300])
        self.assertIn("spreadsheetml", kind)
        self.assertIn(f'filename="report-v11-daily-{d}.xlsx"', disp)
        try:
            import openpyxl  # noqa: F401
        except ImportError:
            self.skipTest("openpyxl (Debian's python3-openpyxl) is not installed")
        rows = self.check_workbook(data, report, "已报送")
        self.assertEqual(rows["审核意见"], None)

        s, kind, disp, csv = self.download(town, query + "&format=csv")
        self.assertEqual(s, 200, csv[:300])
        self.assertTrue(kind.startswith("text/csv"))
        self.assertTrue(csv.startswith(BOM), "UTF-8 BOM")
        text = csv.decode("utf-8-sig")
        self.assertIn(f"村11 日排查（{d} 至 {d}）\r\n项目,内容\r\n", text)
        self.assertIn('分析研判,"本日排查纠纷三件\n其中欠薪一件，已登记信访"', text)
        self.assertIn("受理案件数,3\r\n", text)
        self.assertIn("初信初访占比,33.3%\r\n", text)

        # Returned with a comment: the export shows the review.
        town.ok("POST", "/api/v1/reports/review", {"node": "v11", "kind": "daily", "period": d,
                                                   "accepted": False, "comment": "请补充处置情况"})
        s, _, _, data = self.download(town, query)   # xlsx by default
        self.assertEqual(s, 200)
        rows = self.check_workbook(data, report, "已退回")
        self.assertEqual(rows["审核意见"], "请补充处置情况")
        self.assertEqual(rows["审核单位"], "镇1（t1）")

        # The village's own report, through jiefenctl (no --node: this node's).
        def returned_at_village():
            own = v11.ok("GET", f"/api/v1/reports?kind=daily&period={d}")["own"]
            return own if own and own["state"] == "returned" else None
        wait_for(returned_at_village, 20, "the return at the village")
        out = os.path.join(self.root, "日排查.xlsx")
        r = v11.ctl("report", "export", "--kind", "daily", "--period", d, "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, "rb") as f:
            self.check_workbook(f.read(), report, "已退回")
        # ... and the township's copy of the child's, as CSV, through jiefenctl too.
        out = os.path.join(self.root, "v11.csv")
        r = town.ctl("report", "export", "--kind", "daily", "--period", d, "--node", "v11",
                     "--format", "csv", "--out", out)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(out, "rb") as f:
            self.assertIn("分析研判".encode(), f.read())

        # A report that is not there: 404 naming it; the CLI says so and makes no file.
        s, _, _, body = self.download(town, f"node=v12&kind=daily&period={d}")
        self.assertEqual(s, 404, body)
        self.assertIn(b'"not_found"', body)
        self.assertIn(f"v12 的日排查报告（{d}）".encode(), body)
        out = os.path.join(self.root, "none.xlsx")
        r = town.ctl("report", "export", "--kind", "daily", "--period", d, "--node", "v12",
                     "--out", out)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertIn("v12 的日排查报告", r.stderr)
        self.assertFalse(os.path.exists(out))
        # Bad queries name their parameter; the CLI refuses mixed options before asking.
        s, _, _, body = self.download(town, f"node=v11&kind=daily&period={d}&format=pdf")
        self.assertEqual(s, 400)
        self.assertIn(b'"format"', body)
        s, _, _, body = self.download(town, "node=v11&kind=hourly")
        self.assertEqual(s, 400)
        self.assertIn(b'"kind"', body)
        r = town.ctl("report", "export", "--kind", "daily", "--from", d, "--out", out)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr.splitlines()[0], "jiefenctl: report export：--from/--to 选台账的"
                         "日期，--kind 选报告，只能给一种 [conflicting_options]")
        r = town.ctl("report", "export", "--node", "v11", "--out", out)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertEqual(r.stderr.splitlines()[0], "jiefenctl: report export：--period 与 --node "
                         "用于选报告，须同时给出 --kind [missing_option]")
        self.assertFalse(os.path.exists(out))
        for n in self.nodes:   # a clean exit: under the sanitizers, nothing leaked
            n.stop()


if __name__ == "__main__":
    harness.main()
