"""A township's review of its villages' dailies and what a director reads (issue 14, items
3, 5, 8, 10), with real processes: the weekly's refusal names the villages and dates in a
sentence; a mark of a report that is not expected is refused and changes nothing; marks
carry their reasons up to the county and into the report's spreadsheet; review refusals
name the village; the ledger's register names the holder; the supervision risk list holds
red, orange and yellow only, red first, the holder's own red case included; the dashboard
counts this week by category and village with 12 weeks of trend."""
import datetime
import http.client

import harness
from harness import NodeTest, intake, wait_for

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def today():
    return datetime.datetime.now(SHANGHAI).date()


class ReportReview(NodeTest):
    def submit(self, node, kind, period, **kw):
        body = {"kind": kind, "period": str(period), "analysis": "本期排查正常", **kw}
        return node.api("POST", "/api/v1/reports/submit", body)

    def download(self, node, path):
        conn = http.client.HTTPConnection(node.host, node.port, timeout=60)
        conn.request("GET", path, headers={"Authorization": "Bearer " + node.token()})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 200, body[:300])
        return body.decode("utf-8-sig")

    def test_weekly_review_with_reasons_and_names(self):
        county, (town,), ((v11, v12),) = self.tree((2,))
        d = today()
        monday = d - datetime.timedelta(days=d.weekday() + 14)
        week = [monday + datetime.timedelta(days=i) for i in range(7)]
        for day in week:
            self.assertEqual(self.submit(v11, "daily", day)[0], 200)
        for day in week[:5]:
            self.assertEqual(self.submit(v12, "daily", day)[0], 200)

        def all_in():
            draft = town.ok("GET", f"/api/v1/reports/draft?kind=weekly&period={monday}")["draft"]
            got = {(c["node"], c["period"]): c for c in draft["children"]}
            done = sum(c["state"] == "submitted" for c in got.values()) == 12
            return got if done else None
        got = wait_for(all_in, 30, "twelve dailies at the township")
        self.assertEqual(len(got), 14)
        self.assertEqual(got[("v12", str(week[5]))]["name"], "村12")
        self.assertEqual(got[("v12", str(week[5]))]["state"], "absent")

        # The refusal is a sentence naming the village and its dates, no JSON in it.
        s, b = self.submit(town, "weekly", monday)
        self.assertEqual((s, b["error"]["code"]), (409, "children_pending"), b)
        self.assertEqual(b["error"]["message"],
                         f"下级报告未齐：村12（{week[5]}、{week[6]}）尚未报送日排查；"
                         "请等待报送，或标注缺报并写明原因")
        # A mark of a report the week does not rest on is refused, naming it.
        s, b = self.submit(town, "weekly", monday, missing=["v99/2026-01-01=不存在"])
        self.assertEqual((s, b["error"]["code"], b["error"]["field"]),
                         (400, "invalid_field", "missing"), b)
        self.assertIn("v99/2026-01-01", b["error"]["message"])
        s, b = self.submit(town, "weekly", monday, missing=[{"node": "v12"}])
        self.assertEqual((s, b["error"]["field"]), (400, "missing"), b)
        self.assertIn("第 1 项", b["error"]["message"])
        self.assertIsNone(town.ok("GET", f"/api/v1/reports?kind=weekly&period={monday}")["own"])

        # Review refusals name the village.
        s, b = town.api("POST", "/api/v1/reports/review",
                        {"node": "v12", "kind": "daily", "period": str(week[6]),
                         "accepted": True})
        self.assertEqual((s, b["error"]["code"]), (409, "not_submitted"))
        self.assertEqual(b["error"]["message"], f"村12的日排查报告（{week[6]}）尚未报送")
        town.ok("POST", "/api/v1/reports/review",
                {"node": "v11", "kind": "daily", "period": str(week[0]), "accepted": True})
        s, b = town.api("POST", "/api/v1/reports/review",
                        {"node": "v11", "kind": "daily", "period": str(week[0]),
                         "accepted": False, "comment": "再看看"})
        self.assertEqual(b["error"]["message"], f"村11的日排查报告（{week[0]}）已接收")

        # jiefenctl's refusal is the same sentence; marked missing with reasons, it goes.
        r = town.ctl("report", "submit", "--kind", "weekly", "--period", str(monday),
                     "--analysis", "本期排查正常")
        self.assertEqual(r.returncode, 1, r.stdout)
        self.assertIn(f"下级报告未齐：村12（{week[5]}、{week[6]}）尚未报送日排查", r.stderr)
        r = town.ctl("report", "submit", "--kind", "weekly", "--period", str(monday),
                     "--analysis", "本期排查正常", "--missing", f"v12/{week[5]}=村委停电",
                     "--missing", f"v12/{week[6]}=网格员外出培训")
        self.assertEqual(r.returncode, 0, r.stderr)

        def at_county():
            c = county.ok("GET", f"/api/v1/reports?kind=weekly&period={monday}")["children"]
            return c[0] if c and c[0]["state"] == "submitted" else None
        w = wait_for(at_county, 30, "the weekly at the county")
        self.assertEqual(w["missing"], [f"v12/{week[5]}", f"v12/{week[6]}"])
        self.assertEqual(w["missing_reasons"], ["村委停电", "网格员外出培训"])
        r = county.ctl("report", "show", "t1", "--kind", "weekly", "--period", str(monday))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn(f"v12/{week[5]}（村委停电）、v12/{week[6]}（网格员外出培训）", r.stdout)
        csv = self.download(county, f"/api/v1/reports/export?node=t1&kind=weekly"
                                    f"&period={monday}&format=csv")
        self.assertIn(f"v12/{week[5]}（村委停电）、v12/{week[6]}（网格员外出培训）", csv)

    def test_register_supervision_and_dashboard(self):
        county, (town,), ((v11, v12),) = self.tree((2,))
        red = v11.ok("POST", "/api/v1/cases", intake(village="村11", risk="red"))["case"]["id"]
        yellow = v11.ok("POST", "/api/v1/cases", intake(village="村11", risk="yellow"))["case"]["id"]
        blue = v11.ok("POST", "/api/v1/cases", intake(village="村11"))["case"]["id"]
        orange = v12.ok("POST", "/api/v1/cases", intake(village="村12", risk="orange",
                                                          category="labour_wages"))["case"]["id"]
        own_blue = county.ok("POST", "/api/v1/cases", intake(village="县城"))["case"]["id"]

        def risk_ids(node):
            return [c["id"] for c in node.ok("GET", "/api/v1/supervision")["risk"]]
        # The holder's red case is on its own list, first; blue never is.
        self.assertEqual(risk_ids(v11), [red, yellow])
        self.assertEqual(risk_ids(v12), [orange])
        wait_for(lambda: risk_ids(county) == [red] or None, 30, "the red case at the county")
        self.assertNotIn(own_blue, risk_ids(county))
        wait_for(lambda: risk_ids(town) == [orange] or None, 30, "the orange case at the town")
        self.assertNotIn(blue, risk_ids(town))

        # The ledger's register names the holder.
        csv = self.download(town, "/api/v1/ledger/export?format=csv")
        rows = [r for r in csv.splitlines() if r.startswith(red)]
        self.assertEqual(len(rows), 1, csv[-800:])
        self.assertIn(",村11,", rows[0])
        self.assertNotIn(",v11,", rows[0])

        # The dashboard: this week's intake by category and village, 12 weeks of trend.
        dash = town.ok("GET", "/api/v1/dashboard")["dashboard"]
        week = dash["week"]
        self.assertEqual((week["taken_in"], week["closed"], week["overdue"],
                          week["escalated"]), (4, 0, 0, 0))
        self.assertIsNotNone(week["closure_rate"])
        self.assertEqual({v["village"]: v["taken_in"] for v in week["by_village"]},
                         {"村11": 3, "村12": 1})
        self.assertEqual(week["by_village"][0]["village"], "村11")
        cats = {c["name"]: c["taken_in"] for c in week["by_category"]}
        self.assertEqual(cats, {"土地承包经营": 3, "劳动人事与欠薪": 1})
        self.assertEqual(len(dash["trend"]), 12)
        self.assertEqual(dash["trend"][-1]["period"], week["period"])
        self.assertEqual(dash["trend"][-1]["taken_in"], 4)
        self.assertEqual(sum(t["taken_in"] for t in dash["trend"][:-1]), 0)
        self.assertEqual(dash["open"], 4)
        monday = today() - datetime.timedelta(days=today().weekday())
        self.assertEqual(week["period"], str(monday))
        r = town.ctl("dashboard")
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = r.stdout.splitlines()
        self.assertTrue(any(l.split()[:2] == ["受理:", "4"] for l in lines if l.strip()), r.stdout)
        self.assertTrue(any(l.split()[:2] == ["村11", "3"] for l in lines if l.strip()), r.stdout)
        self.assertTrue(any(l.split()[:2] == ["土地承包经营", "3"] for l in lines if l.strip()),
                        r.stdout)


if __name__ == "__main__":
    harness.main()
