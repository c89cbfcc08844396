"""Reports and the ledger through jiefenctl alone, with a real tree (county, township t1,
villages v11 and v12): a village submits its daily, the township lists its villages' dailies,
returns one with a comment that reaches the village; the ledger's figures and its export to
a spreadsheet file, which is never overwritten without --force."""
import datetime
import json
import os

import harness
from harness import NodeTest, intake, wait_for

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
BOM = b"\xef\xbb\xbf"


def today():
    return str(datetime.datetime.now(SHANGHAI).date())


class ReportCli(NodeTest):
    def ok(self, node, *args, stdin=None):
        r = node.ctl(*args, stdin=stdin)
        self.assertEqual(r.returncode, 0, (args, r.stdout, r.stderr))
        return r.stdout

    def reports(self, node, kind, period):
        return node.ctl_json("report", "list", "--kind", kind, "--period", period)

    def test_daily_list_return_ledger_and_export(self):
        county, (town,), ((v11, v12),) = self.tree((2,))
        for _ in range(2):
            v11.ok("POST", "/api/v1/cases", intake(village="村11"))
        v11.ok("POST", "/api/v1/cases", intake(village="村11", category="labour_wages",
                                                 matter_type="petition"))
        d = today()

        # The village submits today's daily, its analysis from a file.
        analysis = os.path.join(self.root, "analysis.txt")
        with open(analysis, "w") as f:
            f.write("本日排查纠纷三件\n其中欠薪一件，已登记信访\n")
        out = self.ok(v11, "report", "submit", "--kind", "daily", "--period", d,
                      "--analysis-file", analysis, "--actor", "村调解员 孙七")
        self.assertIn("已报送日排查", out)
        self.assertIn(d, out)
        r = v11.ctl("report", "submit", "--kind", "daily", "--period", d, "--analysis", "again")
        self.assertEqual(r.returncode, 1, r.stderr)   # the API's 409, its message printed
        self.assertIn("(period)", r.stderr)

        # The township sees v11's daily once the link has brought it, and v12 absent.
        def township_sees():
            got = {c["node"]: c for c in self.reports(town, "daily", d)["children"]}
            return got if got.get("v11", {}).get("state") == "submitted" else None
        got = wait_for(township_sees, 20, "v11's daily at the township")
        self.assertEqual(got["v11"]["submitted_by"], "村调解员 孙七")
        self.assertEqual(got["v11"]["figures"]["taken_in"], 3)
        self.assertEqual(got["v12"]["state"], "absent")
        table = self.ok(town, "report", "list", "--kind", "daily", "--period", d)
        rows = {line.split()[0]: line for line in table.splitlines() if line.startswith("  v1")}
        self.assertIn("已报送", rows["v11"])
        self.assertIn("村调解员", rows["v11"])
        self.assertIn("按时", rows["v11"])
        self.assertIn("未报送", rows["v12"])
        shown = self.ok(town, "report", "show", "v11", "--kind", "daily", "--period", d)
        self.assertIn("其中欠薪一件，已登记信访", shown)
        self.assertIn("受理:", shown)
        self.assertIn("劳动人事", shown)   # the category's name, from the reference tables
        one = town.ctl_json("report", "show", "v11", "--kind", "daily", "--period", d)
        self.assertEqual(one["analysis"], "本日排查纠纷三件\n其中欠薪一件，已登记信访\n")
        self.assertEqual(town.ctl("report", "show", "v99", "--kind", "daily", "--period",
                                  d).returncode, 1)

        # Returning needs a comment: refused before anything is sent; then it reaches v11.
        r = town.ctl("report", "return", "v11", "--kind", "daily", "--period", d)
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--comment", r.stderr)
        r = county.ctl("report", "accept", "v11", "--kind", "daily", "--period", d)
        self.assertEqual(r.returncode, 1, r.stderr)   # not the county's child
        self.assertIn("(node)", r.stderr)
        out = self.ok(town, "report", "return", "v11", "--kind", "daily", "--period", d,
                      "--comment", "请补充欠薪案件的处置情况")
        self.assertIn("已退回 v11 的日排查", out)
        own = wait_for(lambda: (lambda o: o if o and o["state"] == "returned" else None)(
            self.reports(v11, "daily", d)["own"]), 20, "the return at the village")
        self.assertEqual(own["comment"], "请补充欠薪案件的处置情况")
        self.assertEqual(own["reviewer"], "t1")
        out = self.ok(v11, "report", "list", "--kind", "daily", "--period", d)
        self.assertIn("本节点：已退回", out)
        self.assertIn("请补充欠薪案件的处置情况", out)

        # Resubmitted, it is accepted.
        self.ok(v11, "report", "submit", "--kind", "daily", "--period", d, "--analysis",
                "欠薪案件已转劳动监察")
        wait_for(lambda: township_sees() and township_sees()["v11"]["analysis"]
                 == "欠薪案件已转劳动监察", 20, "the resubmission at the township")
        self.assertIn("已接收", self.ok(town, "report", "accept", "v11", "--kind", "daily",
                                        "--period", d))

        # The ledger: JSON as the API gives it, figures for people.
        wait_for(lambda: county.ctl_json("ledger")["ledger"]["taken_in"] == 3, 20,
                 "the cases at the county")
        led = county.ctl_json("ledger", "--from", d, "--to", d)["ledger"]
        self.assertEqual(led["taken_in"], 3)
        self.assertEqual(led["petitions"], 1)
        human = self.ok(county, "ledger", "--from", d, "--to", d)
        self.assertIn("受理:", human)
        self.assertIn("3 件", human)
        self.assertIn("33.3%", human)   # the share of petitions
        self.assertIn("按村(社区)", human)
        r = county.ctl("ledger", "--from", "2026-13-01")
        self.assertEqual(r.returncode, 1)
        self.assertIn("(from)", r.stderr)

        # The export: a spreadsheet file, never half-written, never overwritten unasked.
        xlsx, csv = os.path.join(self.root, "台账.xlsx"), os.path.join(self.root, "台账.csv")
        out = self.ok(county, "report", "export", "--format", "xlsx", "--out", xlsx)
        with open(xlsx, "rb") as f:
            data = f.read()
        self.assertTrue(data.startswith(b"PK"), data[:10])
        self.assertIn(f"已导出 {xlsx}（{len(data)} 字节）", out)
        self.ok(county, "report", "export", "--format", "csv", "--out", csv)
        with open(csv, "rb") as f:
            self.assertTrue(f.read().startswith(BOM))
        r = county.ctl("report", "export", "--format", "csv", "--out", xlsx)
        self.assertEqual(r.returncode, 1, r.stderr)
        self.assertEqual(r.stderr, f"jiefenctl: {xlsx} 已存在；给出 --force 才会替换它 [file_exists]\n")
        with open(xlsx, "rb") as f:
            self.assertEqual(f.read(), data)
        r = county.ctl("report", "export", "--format", "pdf", "--out",
                       os.path.join(self.root, "x.pdf"))
        self.assertEqual(r.returncode, 1, r.stderr)   # the API's error, naming the parameter
        self.assertIn("(format)", r.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.root, "x.pdf")))
        meta = county.ctl_json("report", "export", "--format", "csv", "--out", xlsx, "--force")
        with open(xlsx, "rb") as f:
            self.assertTrue(f.read().startswith(BOM))
        self.assertEqual(meta["bytes"], os.path.getsize(xlsx))
        leftovers = [n for n in os.listdir(self.root) if n.startswith("台账.") and
                     n not in ("台账.xlsx", "台账.csv")]
        self.assertEqual(leftovers, [])   # no temporary file left behind


if __name__ == "__main__":
    harness.main()
