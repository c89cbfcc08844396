"""Reviews (分析研判, issue 16 item 4) with real village → township → county processes: a
quarterly review drafted with the figures of the ledger for the quarter, refused without a
decision, submitted at the township with its decisions and action items, accepted at the
county; an action item sent down as a directive and received by a village; the township's
monthly 研判 meeting record (date inside the month, attendees, cases discussed); periods
checked; the half-year review through jiefenctl and shown by `report show`."""
import datetime

import harness
from harness import NodeTest, intake, wait_for

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def today():
    return datetime.datetime.now(SHANGHAI).date()


def quarter_start(d):
    return d.replace(month=(d.month - 1) // 3 * 3 + 1, day=1)


def report(node, kind, period, who):
    r = node.ok("GET", f"/api/v1/reports?kind={kind}&period={period}")
    if who == node.id:
        return r["own"]
    # A child listed before its report arrived (missing, late) has no "review" yet.
    return next((c for c in r["children"] if c["node"] == who and "review" in c), None)


class Reviews(NodeTest):
    def test_quarterly_review_up_and_action_item_down(self):
        county, (town,), ((v,),) = self.tree((1,))
        case_id = v.ok("POST", "/api/v1/cases", intake(village="村11"))["case"]["id"]
        wait_for(lambda: any(c["id"] == case_id for c in town.cases()), 20, "case at township")
        q = quarter_start(today())

        # The draft carries the quarter's figures from the ledger, the village's case in.
        draft = town.ok("GET", f"/api/v1/reports/draft?kind=quarterly&period={q}")["draft"]
        self.assertEqual((draft["kind"], draft["period"]), ("quarterly", str(q)))
        self.assertEqual(draft["figures"]["taken_in"], 1)
        self.assertIn("hazards", draft["figures"])

        # Refused without a decision, or with a period that is not a quarter's first day.
        body = {"kind": "quarterly", "period": str(q), "analysis": "本季度矛盾纠纷总体平稳"}
        s, b = town.api("POST", "/api/v1/reports/submit", body)
        self.assertEqual((s, b["error"]["field"]), (400, "review.decisions"), b)
        s, b = town.api("POST", "/api/v1/reports/submit",
                        dict(body, period=str(q.replace(month=q.month + 1)), review={}))
        self.assertEqual((s, b["error"]["field"]), (400, "period"), b)
        self.assertIn("季度", b["error"]["message"])
        s, b = town.api("POST", "/api/v1/reports/submit",
                        dict(body, review={"decisions": ["加强土地承包纠纷排查"],
                                           "actions": [{"text": "开展土地承包专项排查", "owner": "司法所",
                                                        "due": "2099-01-31"}, {"text": ""}]}))
        self.assertEqual((s, b["error"]["field"]), (400, "review.actions[1]"), b)
        self.assertIsNone(report(town, "quarterly", q, "t1"))

        review = {"decisions": ["加强土地承包纠纷排查"],
                  "actions": [{"text": "开展土地承包专项排查", "owner": "司法所", "due": "2099-01-31"}]}
        s, b = town.api("POST", "/api/v1/reports/submit", dict(body, review=review))
        self.assertEqual(s, 200, b)

        # The county sees it with its review record and accepts it; the township sees that.
        up = wait_for(lambda: report(county, "quarterly", q, "t1"), 20, "review at the county")
        self.assertEqual((up["state"], up["kind_name"]), ("submitted", "季度分析研判"))
        self.assertEqual(up["review"]["decisions"], ["加强土地承包纠纷排查"])
        self.assertEqual(up["review"]["actions"][0]["owner"], "司法所")
        self.assertEqual(up["figures"]["taken_in"], 1)
        county.ok("POST", "/api/v1/reports/review",
                  {"node": "t1", "kind": "quarterly", "period": str(q), "accepted": True})
        wait_for(lambda: report(town, "quarterly", q, "t1")["state"] == "accepted", 20,
                 "acceptance at the township")

        # The action item becomes a directive to the village, which receives it.
        r = town.ctl("review", "directive", "--to", "v11", "--action", "开展土地承包专项排查",
                     "--body", "来源：季度分析研判")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("开展土地承包专项排查", r.stdout)
        got = wait_for(lambda: [d for d in v.ok("GET", "/api/v1/directives")["directives"]
                                if d["title"] == "开展土地承包专项排查"], 20, "directive at the village")
        self.assertTrue(got[0]["awaiting_me"])

    def test_meeting_record_and_halfyear_through_the_cli(self):
        county, (town,), ((v,),) = self.tree((1,))
        month = today().replace(day=1)
        case_id = v.ok("POST", "/api/v1/cases", intake(village="村11"))["case"]["id"]
        base = {"kind": "meeting", "period": str(month), "analysis": "本月研判会议"}
        rec = {"decisions": ["由司法所牵头化解"], "meeting_date": str(today()),
               "attendees": ["李主任", "王所长"], "cases": [case_id]}
        s, b = town.api("POST", "/api/v1/reports/submit",
                        dict(base, review=dict(rec, meeting_date="2001-01-01")))
        self.assertEqual((s, b["error"]["field"]), (400, "review.meeting_date"), b)
        s, b = town.api("POST", "/api/v1/reports/submit", dict(base, review=dict(rec, attendees=[])))
        self.assertEqual((s, b["error"]["field"]), (400, "review.attendees"), b)
        # A village holds no monthly meeting record.
        s, b = v.api("POST", "/api/v1/reports/submit", dict(base, review=rec))
        self.assertEqual((s, b["error"]["field"]), (400, "kind"), b)
        town.ok("POST", "/api/v1/reports/submit", dict(base, review=rec))
        up = wait_for(lambda: report(county, "meeting", month, "t1"), 20, "meeting at the county")
        self.assertEqual((up["review"]["attendees"], up["review"]["cases"], up["kind_name"]),
                         (["李主任", "王所长"], [case_id], "月研判会议记录"))

        # The half-year review from jiefenctl, read back by `report show` at the county.
        half = today().replace(month=1 if today().month <= 6 else 7, day=1)
        r = v.ctl("review", "submit", "--kind", "halfyear", "--period", str(half),
                  "--analysis", "上半年平稳", "--decision", "网格员每周排查",
                  "--action", "完善调解台账")
        self.assertEqual(r.returncode, 0, r.stderr)
        wait_for(lambda: report(town, "halfyear", half, "v11"), 20, "half-year at the township")
        r = town.ctl("report", "show", "v11", "--kind", "halfyear", "--period", str(half))
        self.assertEqual(r.returncode, 0, r.stderr)
        for text in ("半年分析研判", "网格员每周排查", "完善调解台账", "研判结论"):
            self.assertIn(text, r.stdout)
        r = v.ctl("review", "submit", "--kind", "halfyear", "--period", str(half),
                  "--analysis", "再报")
        self.assertNotEqual(r.returncode, 0)


if __name__ == "__main__":
    harness.main()
