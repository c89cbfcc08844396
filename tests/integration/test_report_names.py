"""Names, not codes, in the reports (issue 14, item 5), with real processes: a village's
daily submitted by its director in a browser session and accepted by the township shows the
director's name (not the login) and the township's name (not its id) in the API, in
jiefenctl's report list and report show at both tiers, and in the report's spreadsheet
(报送人, 审核单位); a report submitted with the admin token is 管理员's."""
import datetime
import http.client

import harness
from harness import NodeTest, wait_for

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


class ReportNames(NodeTest):
    def download(self, node, path):
        conn = http.client.HTTPConnection(node.host, node.port, timeout=60)
        conn.request("GET", path, headers={"Authorization": "Bearer " + node.token()})
        r = conn.getresponse()
        body = r.read()
        conn.close()
        self.assertEqual(r.status, 200, body[:300])
        return body.decode("utf-8-sig").splitlines()

    def ctl_out(self, node, *args):
        r = node.ctl(*args)
        self.assertEqual(r.returncode, 0, (args, r.stdout, r.stderr))
        return r.stdout

    def test_submitter_and_reviewer_by_name(self):
        county, (town,), ((v11,),) = self.tree((1,))
        day = str(datetime.datetime.now(SHANGHAI).date() - datetime.timedelta(days=3))
        v11.add_user("wangzr", "director", name="王主任")
        s, b = v11.login("wangzr").api("POST", "/api/v1/reports/submit",
                                       {"kind": "daily", "period": day, "analysis": "无异常"})
        self.assertEqual(s, 200, b)
        reports = f"/api/v1/reports?kind=daily&period={day}"

        def at_town():
            c = town.ok("GET", reports)["children"]
            return c[0] if c and c[0]["state"] == "submitted" else None
        child = wait_for(at_town, 30, "the daily at the township")
        self.assertEqual((child["submitted_by"], child["submitted_by_name"]),
                         ("wangzr", "王主任"))
        self.assertEqual((child["reviewer"], child["reviewer_name"]), ("", ""))
        listed = self.ctl_out(town, "report", "list", "--kind", "daily", "--period", day)
        row = [l for l in listed.splitlines() if l.lstrip().startswith("v11")]
        self.assertEqual(len(row), 1, listed)
        self.assertIn("王主任", row[0])
        self.assertNotIn("wangzr", listed)

        self.ctl_out(town, "report", "accept", "v11", "--kind", "daily", "--period", day)

        def reviewed():
            own = v11.ok("GET", reports)["own"]
            return own if own["state"] == "accepted" else None
        own = wait_for(reviewed, 30, "the review at the village")
        self.assertEqual((own["reviewer"], own["reviewer_name"]), ("t1", "镇1"))
        self.assertEqual(own["submitted_by_name"], "王主任")
        listed = self.ctl_out(v11, "report", "list", "--kind", "daily", "--period", day)
        self.assertRegex(listed, r"本节点：已接收，\S+ \S+ 由 王主任 报送，镇1 于 \S+ \S+ 审核")
        shown = self.ctl_out(v11, "report", "show", "v11", "--kind", "daily", "--period", day)
        lines = {l.split()[0].rstrip(":"): l for l in shown.splitlines() if l.strip()}
        self.assertTrue(lines["报送"].endswith("，王主任"), shown)
        self.assertRegex(lines["审核"], r"^审核:\s+镇1，\S+ \S+$")
        self.assertRegex(lines["节点"], r"^节点:\s+v11（村11）$")
        self.assertNotIn("wangzr", shown)

        # The spreadsheet, at the village and at the township: names, the reviewer's id beside.
        for node in (v11, town):
            rows = self.download(node, f"/api/v1/reports/export?node=v11&kind=daily"
                                       f"&period={day}&format=csv")
            self.assertIn("报送人,王主任", rows, node.id)
            self.assertIn("审核单位,镇1（t1）", rows, node.id)

        # The local token's submission is the administrator's.
        day2 = str(datetime.datetime.now(SHANGHAI).date() - datetime.timedelta(days=4))
        v11.ok("POST", "/api/v1/reports/submit",
               {"kind": "daily", "period": day2, "analysis": "无异常"})
        own = v11.ok("GET", f"/api/v1/reports?kind=daily&period={day2}")["own"]
        self.assertEqual((own["submitted_by"], own["submitted_by_name"]), ("admin", "管理员"))


if __name__ == "__main__":
    harness.main()
