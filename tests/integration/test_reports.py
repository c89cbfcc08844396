"""Reports up the tree with real processes (issue 5): village dailies reach the township,
whose weekly rests on them (or on their being marked missing) and reaches the county,
which returns it with a comment that travels down; resubmitted, it is accepted."""
import datetime

import harness
from harness import NodeTest, intake, wait_for

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def today():
    return datetime.datetime.now(SHANGHAI).date()


class Reports(NodeTest):
    def submit(self, node, kind, period, **kw):
        body = {"kind": kind, "period": str(period), "analysis": "本日排查正常", **kw}
        return node.api("POST", "/api/v1/reports/submit", body)

    def status(self, node, kind, period):
        return node.ok("GET", f"/api/v1/reports?kind={kind}&period={period}")

    def test_dailies_weekly_review_and_return(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        for _ in range(2):
            v1.ok("POST", "/api/v1/cases", intake(village="村11"))
        v2.ok("POST", "/api/v1/cases", intake(village="村12", category="labour_wages"))
        d = today()
        # Today's daily at v1 holds today's figures and reaches the township in time.
        s, b = self.submit(v1, "daily", d, actor="村调解员 孙七")
        self.assertEqual(s, 200, b)
        draft = v2.ok("GET", f"/api/v1/reports/draft?kind=daily&period={d}")["draft"]
        self.assertEqual(draft["figures"]["taken_in"], 1)
        self.assertEqual(draft["figures"]["taken_in_by"]["category"]["labour_wages"], 1)

        def township_sees():
            st = self.status(town, "daily", d)
            got = {c["node"]: c for c in st["children"]}
            return got if got.get("v11", {}).get("state") == "submitted" else None
        got = wait_for(township_sees, 20, "v11's daily at the township")
        self.assertEqual(got["v11"]["figures"]["taken_in"], 2)
        self.assertEqual(got["v11"]["submitted_by"], "村调解员 孙七")
        self.assertFalse(got["v11"]["late"])
        self.assertEqual(got["v11"]["disagreements"], [])
        self.assertEqual(got["v12"]["state"], "absent")
        self.assertFalse(got["v12"]["late"])  # not due before tomorrow noon
        # A case taken in after the daily was sent: the township's own count now differs
        # from the report, and says so.
        v1.ok("POST", "/api/v1/cases", intake(village="村11"))

        def disagreement():
            c = {c["node"]: c for c in self.status(town, "daily", d)["children"]}["v11"]
            return c["disagreements"] or None
        self.assertEqual(wait_for(disagreement, 20, "the late intake at the township"),
                         [{"figure": "taken_in", "reported": 2, "recomputed": 3}])

        # The week before last: v11 sends every daily, v12 only some; all of them are late
        # now (last week's Sunday daily is not late on Monday morning, before noon).
        monday = d - datetime.timedelta(days=d.weekday() + 14)
        week = [monday + datetime.timedelta(days=i) for i in range(7)]
        for day in week:
            self.assertEqual(self.submit(v1, "daily", day)[0], 200)
        for day in week[:5]:
            self.assertEqual(self.submit(v2, "daily", day)[0], 200)
        s, b = self.submit(v1, "daily", week[0])
        self.assertEqual((s, b["error"]["code"]), (409, "already_submitted"))
        s, b = self.submit(v1, "weekly", monday)
        self.assertEqual((s, b["error"]["field"]), (400, "kind"))  # a village sends no weekly
        s, b = self.submit(v1, "daily", d + datetime.timedelta(days=1))
        self.assertEqual((s, b["error"]["field"]), (400, "period"))

        def all_in():
            st = self.status(town, "daily", week[4])
            return all(c["state"] == "submitted" for c in st["children"])
        wait_for(all_in, 20, "dailies at the township")
        late = {c["node"]: c["late"] for c in self.status(town, "daily", week[6])["children"]}
        self.assertEqual(late, {"v11": True, "v12": True})

        # The weekly waits for the two missing dailies, then goes with them marked missing.
        s, b = self.submit(town, "weekly", monday, analysis="本周矛盾纠纷总体平稳")
        self.assertEqual((s, b["error"]["code"]), (409, "children_pending"), b)
        self.assertIn(f"村12（{week[5]}、{week[6]}）", b["error"]["message"])
        missing = [f"v12/{week[5]}", f"v12/{week[6]}"]
        s, b = self.submit(town, "weekly", monday, analysis="本周矛盾纠纷总体平稳",
                           missing=missing, actor="镇综治中心主任 周八")
        self.assertEqual(s, 200, b)

        def county_sees():
            c = self.status(county, "weekly", monday)["children"]
            return c[0] if c and c[0]["state"] == "submitted" else None
        w = wait_for(county_sees, 20, "the weekly at the county")
        self.assertEqual(w["node"], "t1")
        self.assertEqual(w["missing"], missing)
        self.assertEqual(w["analysis"], "本周矛盾纠纷总体平稳")

        # Returned with a comment: the return travels down; a resubmission is accepted.
        s, b = county.api("POST", "/api/v1/reports/review",
                          {"node": "t1", "kind": "weekly", "period": str(monday),
                           "accepted": False})
        self.assertEqual((s, b["error"]["field"]), (400, "comment"))
        s, b = county.api("POST", "/api/v1/reports/review",
                          {"node": "v11", "kind": "daily", "period": str(d), "accepted": True})
        self.assertEqual((s, b["error"]["code"]), (403, "not_parent"))
        county.ok("POST", "/api/v1/reports/review",
                  {"node": "t1", "kind": "weekly", "period": str(monday), "accepted": False,
                   "comment": "请补充缺报原因"})
        own = wait_for(lambda: (lambda o: o if o and o["state"] == "returned" else None)(
            self.status(town, "weekly", monday)["own"]), 20, "the return at the township")
        self.assertEqual(own["comment"], "请补充缺报原因")
        self.assertEqual(own["reviewer"], "c-helan")
        s, b = self.submit(town, "weekly", monday, analysis="村12周六、周日停电未报", missing=missing)
        self.assertEqual(s, 200, b)
        wait_for(lambda: self.status(county, "weekly", monday)["children"][0]["analysis"]
                 == "村12周六、周日停电未报", 20, "the resubmission at the county")
        county.ok("POST", "/api/v1/reports/review",
                  {"node": "t1", "kind": "weekly", "period": str(monday), "accepted": True})
        wait_for(lambda: self.status(town, "weekly", monday)["own"]["state"] == "accepted", 20,
                 "acceptance at the township")
        for n in (v1, town, county):
            self.assertEqual(n.verify()["problems"], [], n.id)


if __name__ == "__main__":
    harness.main()
