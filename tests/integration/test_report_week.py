"""A week of reports up the tree with real processes (issue 5): two villages under one
township live through Monday to Sunday of one week, each node restarted every morning with
its clock moved there (JIEFEN_CLOCK_OFFSET_MS, never slept). Each village's dailies reach
the township with the figures worked out by hand below; a daily sent a day late shows as
late; a daily returned with a comment comes back down, is sent again and accepted; the
township's weekly, made by its timer at the end of Sunday, rests on the dailies (one marked
missing), reaches the county with the figures worked out by hand, and agrees with the
county's own computation.

The week, by case (村11 = v11, 村12 = v12; simple cases have 3 days, complex 7). Each day
starts 20 minutes later than the one before (08:00 on Monday), so a limit of 3 days has
passed by an hour when its day comes and no timer fires while a day's work is done.

  Mon  A1 v11 land_contract walk_in complex: one failed attempt
       A2 v11 labour_wages grid_screening simple yellow: never settled, overdue from Thu
       A3 v11 neighbourhood walk_in: agreement, closed, follow-up satisfied
       B1 v12 land_contract hotline_12345 complex orange
       B2 v12 marriage_family walk_in complex
  Tue  A1 two more failures: up to t1 by the 3221 rule
       A4 v11 consumer online complex red
       B3 v12 medical referral simple, a petition matter
       B1 one failed attempt
  Wed  A4 red -> orange;  A5 v11 land_contract grid_screening complex
       B1 two more failures: up to t1;  B4 v12 other walk_in: guided to the court
  Thu  A1 agreement and closed at t1 (back to v11);  A6 v11 neighbourhood walk_in:
       agreement, not closed;  B1 two failures at t1: up to the county, which names a
       leader (包案);  B5 v12 land_contract grid_screening complex
  Fri  A1 follow-up basically satisfied;  A7 v11 pollution referral complex red
       B2 agreement, closed, follow-up satisfied
  Sat  A8 v11 elderly_care walk_in simple;  B3 agreement, closed after its limit (Fri)
       B5 blue -> orange;  B6 v12 labour_wages online simple: handed up to t1 and on to
       the county by hand, settled and closed there, back to v12: basically satisfied
  Sun  A9 v11 land_contract walk_in complex: three failures, up to t1
       B3 follow-up dissatisfied: reopened at v12;  B7 v12 traffic_accident hotline simple

Reports: each village sends the previous day's daily every morning (the draft its node made
at start for the day that ended while it was stopped); v12 sends Wednesday's only on Friday
(late) and never sends Sunday's; the township returns v11's Tuesday daily, which is sent
again and accepted; the township's weekly goes at 00:00 on the next Monday with v12's
Sunday marked missing; the county accepts it."""
import datetime
import signal
import time

import harness
from harness import NodeTest, intake, wait_for
from test_case_path import FAILED, held_at
from test_case_rules import LEADER

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))  # the nodes' zone, no DST
WAIT = 30  # seconds: slow machines, AddressSanitizer builds
MINUTE = 60_000
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def figures(taken_in=0, category=None, source=None, matter=None, village=None, tier=None,
            resolved=0, resolution_rate=None, closed=0, guided=0, withdrawn=0, on_time_rate=None,
            closed_at_tier=None, local_share=None, escalation_rate=None, petitions=0,
            petition_rate=None, pending=0, overdue=0, leader_owned=0, red=0, orange=0,
            satisfaction=(0, 0, 0, None), departments=None):
    """A report's expected figures: the ledger JSON (docs/ledger.md) without from_ms, to_ms
    and cases_read; the taken_in_by counts as their non-zero entries; matter types default
    to every case a dispute mediation; rates None where their denominator is 0;
    satisfaction as (satisfied, basically satisfied, dissatisfied, rate); departments as the
    ledger's per-department figures (none routed here)."""
    return {"taken_in": taken_in,
            "taken_in_by": {"category": category or {}, "source": source or {},
                            "matter_type": matter if matter is not None else
                            ({"dispute_mediation": taken_in} if taken_in else {}),
                            "village": village or {}, "tier": tier or {}},
            "resolved": resolved, "resolution_rate": resolution_rate, "closed": closed,
            "guided": guided, "withdrawn": withdrawn, "on_time_rate": on_time_rate,
            "closed_at_tier": closed_at_tier or {}, "local_share": local_share,
            "escalation_rate": escalation_rate or {}, "petitions": petitions,
            "petition_rate": petition_rate, "pending": pending, "overdue": overdue,
            "leader_owned": leader_owned, "red": red, "orange": orange,
            "satisfaction": dict(zip(("satisfied", "basically_satisfied", "dissatisfied",
                                      "rate"), satisfaction)),
            # No 苗头隐患 is registered in this test.
            "hazards": dict.fromkeys(("registered", "converted", "resolved", "watching",
                                      "overdue"), 0),
            "departments": departments or {},
            # No 司法确认 is applied for in this test.
            "confirmation": dict.fromkeys(("applied", "confirmed", "refused"), 0),
            # No [linkage] key_file here: no case is linked (test_linkage.py).
            "linkage": {"linked_cases": 0, "first_cases": 0, "first_resolved": 0,
                        "first_resolution_rate": None, "repeat_persons": 0,
                        "repeat_cases": 0}}


V = {"village": 0.0}  # the day's intakes all stayed at the village
# Each village's dailies as of the end of each day.
DAILY = {
    "v11": [
        # Mon: A1 A2 A3 in; A3 settled, closed and visited; A1 A2 pending.
        figures(3, {"land_contract": 1, "labour_wages": 1, "neighbourhood": 1},
                {"walk_in": 2, "grid_screening": 1}, village={"村11": 3},
                tier={"village": 3}, resolved=1, resolution_rate=1 / 3, closed=1,
                on_time_rate=1.0, closed_at_tier={"village": 1}, local_share=1.0,
                escalation_rate=V, petition_rate=0.0, pending=2,
                satisfaction=(1, 0, 0, 1.0)),
        # Tue: A4 in (red); A1 (at t1), A2, A4 pending.
        figures(1, {"consumer": 1}, {"online": 1}, village={"村11": 1}, tier={"village": 1},
                resolution_rate=0.0, escalation_rate=V, petition_rate=0.0, pending=3, red=1),
        # Wed: A5 in; A4 now orange; A1 A2 A4 A5 pending.
        figures(1, {"land_contract": 1}, {"grid_screening": 1}, village={"村11": 1},
                tier={"village": 1}, resolution_rate=0.0, escalation_rate=V,
                petition_rate=0.0, pending=4, orange=1),
        # Thu: A6 in and settled (not closed); A1 closed at t1 in time; A2 past its limit.
        figures(1, {"neighbourhood": 1}, {"walk_in": 1}, village={"村11": 1},
                tier={"village": 1}, resolved=1, resolution_rate=1.0, closed=1,
                on_time_rate=1.0, closed_at_tier={"township": 1}, local_share=1.0,
                escalation_rate=V, petition_rate=0.0, pending=4, overdue=1, orange=1),
        # Fri: A7 in (red); A2 A4 A5 A6 A7 pending.
        figures(1, {"pollution": 1}, {"referral": 1}, village={"村11": 1}, tier={"village": 1},
                resolution_rate=0.0, escalation_rate=V, petition_rate=0.0, pending=5,
                overdue=1, red=1, orange=1),
        # Sat: A8 in.
        figures(1, {"elderly_care": 1}, {"walk_in": 1}, village={"村11": 1},
                tier={"village": 1}, resolution_rate=0.0, escalation_rate=V,
                petition_rate=0.0, pending=6, overdue=1, red=1, orange=1),
        # Sun: A9 in and up to t1 the same day.
        figures(1, {"land_contract": 1}, {"walk_in": 1}, village={"村11": 1},
                tier={"village": 1}, resolution_rate=0.0,
                escalation_rate={"village": 1.0, "township": 0.0}, petition_rate=0.0,
                pending=7, overdue=1, red=1, orange=1),
    ],
    "v12": [
        # Mon: B1 (orange) B2 in, pending.
        figures(2, {"land_contract": 1, "marriage_family": 1},
                {"hotline_12345": 1, "walk_in": 1}, village={"村12": 2}, tier={"village": 2},
                resolution_rate=0.0, escalation_rate=V, petition_rate=0.0, pending=2,
                orange=1),
        # Tue: B3 in, a petition matter.
        figures(1, {"medical": 1}, {"referral": 1}, {"petition": 1}, village={"村12": 1},
                tier={"village": 1}, resolution_rate=0.0, escalation_rate=V, petitions=1,
                petition_rate=1.0, pending=3, orange=1),
        # Wed: B4 in and guided (closed); B1 (at t1) B2 B3 pending.
        figures(1, {"other": 1}, {"walk_in": 1}, village={"村12": 1}, tier={"village": 1},
                resolution_rate=0.0, closed=1, guided=1, on_time_rate=1.0,
                closed_at_tier={"village": 1}, local_share=1.0, escalation_rate=V,
                petition_rate=0.0, pending=3, orange=1),
        # Thu: B5 in; B1 at the county with a leader.
        figures(1, {"land_contract": 1}, {"grid_screening": 1}, village={"村12": 1},
                tier={"village": 1}, resolution_rate=0.0, escalation_rate=V,
                petition_rate=0.0, pending=4, leader_owned=1, orange=1),
        # Fri: nothing in; B2 closed and visited; B3 past its limit.
        figures(closed=1, on_time_rate=1.0, closed_at_tier={"village": 1}, local_share=1.0,
                pending=3, overdue=1, leader_owned=1, orange=1, satisfaction=(1, 0, 0, 1.0)),
        # Sat: B6 in, up two tiers and closed at the county; B3 closed late; B5 orange.
        figures(1, {"labour_wages": 1}, {"online": 1}, village={"村12": 1},
                tier={"village": 1}, resolved=1, resolution_rate=1.0, closed=2,
                on_time_rate=0.5, closed_at_tier={"village": 1, "county": 1}, local_share=0.5,
                escalation_rate={"village": 1.0, "township": 1.0, "county": 0.0},
                petition_rate=0.0, pending=2, leader_owned=1, orange=2,
                satisfaction=(0, 1, 0, 1.0)),
        # Sun (never sent): B7 in; B3 reopened; B1 B3 B5 B7 pending.
        figures(1, {"traffic_accident": 1}, {"hotline_12345": 1}, village={"村12": 1},
                tier={"village": 1}, resolution_rate=0.0, escalation_rate=V,
                petition_rate=0.0, pending=4, leader_owned=1, orange=2),
    ],
}

# The township's weekly: the 16 cases above. Settled: A1 A3 A6 B2 B6 (B3's agreement was
# undone by its reopening); closed in the week: A3 B4 B2 B3 at the villages, A1 at t1, B6
# at the county, all in time but B3; up from a village A1 A9 B1 B6 (of 16), from t1 B1 B6
# (of the 4 that reached it), from the county none (of 2); pending at the end A2 A4 A5
# A6 A7 A8 A9 B1 B3 B5 B7, of which A2 overdue, B1 under a leader, A7 red, A4 B1 B5
# orange; visits: A3 B2 satisfied, A1 B6 basically, B3 dissatisfied.
WEEKLY = figures(
    16, {"land_contract": 5, "labour_wages": 2, "neighbourhood": 2, "consumer": 1,
         "pollution": 1, "elderly_care": 1, "marriage_family": 1, "medical": 1, "other": 1,
         "traffic_accident": 1},
    {"walk_in": 7, "grid_screening": 3, "online": 2, "referral": 2, "hotline_12345": 2},
    {"dispute_mediation": 15, "petition": 1}, village={"村11": 9, "村12": 7},
    tier={"village": 16}, resolved=5, resolution_rate=5 / 16, closed=6, guided=1,
    on_time_rate=5 / 6, closed_at_tier={"village": 4, "township": 1, "county": 1},
    local_share=5 / 6, escalation_rate={"village": 4 / 16, "township": 2 / 4, "county": 0.0},
    petitions=1, petition_rate=1 / 16, pending=11, overdue=1, leader_owned=1, red=1,
    orange=3, satisfaction=(2, 2, 1, 0.8))

AGREED = dict(FAILED, outcome="agreement", agreement="双方达成调解协议")


def now_ms():
    return int(time.time() * 1000)


def local_ms(day):
    """Local midnight starting day, in UTC milliseconds."""
    return int(datetime.datetime.combine(day, datetime.time(), SHANGHAI).timestamp() * 1000)


class ReportWeek(NodeTest):
    # -- the clock -----------------------------------------------------------------------
    def restart_all(self, at_ms):
        """Stops every node and starts it again with its clock reading at_ms now (one
        offset for all, so their clocks agree)."""
        offset = at_ms - now_ms()
        for n in self.nodes:
            n.proc.send_signal(signal.SIGTERM)
        for n in self.nodes:
            self.assertEqual(n.proc.wait(timeout=WAIT), 0, n.log())
            n.proc = None
            n.env["JIEFEN_CLOCK_OFFSET_MS"] = str(offset)
            n.start(wait=False)
        for n in self.nodes:
            wait_for(lambda: n.proc.poll() is not None or n.addr_ready(), WAIT,
                     f"{n.id} to listen")
            self.assertIsNone(n.proc.poll(), n.log())

    def morning(self, i):
        """Day i of the week (0 = Monday) at its hour: 08:00, then 20 minutes later a day."""
        self.today = self.week[i]
        self.restart_all(local_ms(self.today) + (8 * 60 + 20 * i) * MINUTE)

    # -- cases ---------------------------------------------------------------------------
    def new_case(self, node, name, **kw):
        village = {"v11": "村11", "v12": "村12"}[node.id]
        cid = node.ok("POST", "/api/v1/cases", intake(village=village, **kw))["case"]["id"]
        self.cases[name] = cid

    def act(self, node, name, action, body=None, times=1):
        cid = self.cases[name]
        out = None
        for _ in range(times):
            out = node.ok("POST", f"/api/v1/cases/{cid}/{action}", body)
        return out

    def attempt(self, node, name, outcome="failed", times=1):
        body = dict(FAILED if outcome == "failed" else AGREED, date=str(self.today))
        return self.act(node, name, "attempts", body, times)

    def close(self, node, name):
        self.act(node, name, "close", {"result": "已履行协议", "feedback": "已告知双方"})

    def sync(self):
        """Waits until every node that should know each case (its village, t1, the county)
        holds the same view of it: nothing of the day is still on its way."""
        fields = ("stored_status", "holder", "event_count", "risk", "due_ms", "leader",
                  "satisfaction", "closed_ms")

        def views(node):
            return {c["id"]: tuple(str(c[f]) for f in fields) for c in node.cases()}

        def same():
            town, county = views(self.town), views(self.county)
            local = {**views(self.v11), **views(self.v12)}
            return all(local.get(cid) == town.get(cid) == county.get(cid) is not None
                       for cid in self.cases.values())
        wait_for(same, WAIT, "every case the same at its village, t1 and the county")

    def held(self, node, name, **want):
        return held_at(node, self.cases[name], **want)

    # -- reports -------------------------------------------------------------------------
    def reports(self, node, kind, day):
        return node.ok("GET", f"/api/v1/reports?kind={kind}&period={day}")

    def own(self, node, kind, day):
        return self.reports(node, kind, day)["own"]

    def child(self, kind, day, node_id, parent=None):
        got = self.reports(parent or self.town, kind, day)["children"]
        return {c["node"]: c for c in got}[node_id]

    def submit(self, node, kind, day, analysis="本日排查正常", **kw):
        return node.api("POST", "/api/v1/reports/submit",
                        {"kind": kind, "period": str(day), "analysis": analysis, **kw})

    def send_daily(self, node, i):
        """The village sends day i's daily: the draft its node made when day i ended."""
        day = self.week[i]
        d = wait_for(lambda: self.own(node, "daily", day), WAIT, f"{node.id}'s draft of {day}")
        self.assertEqual(d["state"], "draft")
        self.assertGreaterEqual(d["generated_ms"], local_ms(day + datetime.timedelta(days=1)))
        s, b = self.submit(node, "daily", day, actor=f"{node.id} 调解员")
        self.assertEqual(s, 200, b)

    def arrived(self, node_id, i, parent=None, kind="daily"):
        """The report as the parent sees it, once there."""
        def there():
            c = self.child(kind, self.week[i], node_id, parent)
            return c if c["state"] == "submitted" else None
        return wait_for(there, WAIT, f"{node_id}'s {kind} of {self.week[i]} upstairs")

    def check_figures(self, got, want, what):
        got = dict(got)
        # The follow-ups' timeliness depends on the day the test runs (due 15 days after
        # closing, judged against now): test_followups checks it.
        for k in ("from_ms", "to_ms", "cases_read", "followup"):
            got.pop(k, None)
        # GET /api/v1/ledger adds the court filings (none here) to what a report freezes.
        got["linkage"] = {k: v for k, v in got["linkage"].items()
                          if k not in ("villages", "no_lawsuit_villages")}
        got["taken_in_by"] = {k: {c: n for c, n in v.items() if n}
                              for k, v in got["taken_in_by"].items()}
        self.assertEqual(sorted(got), sorted(want), what)
        for k, v in want.items():
            self.assert_close(got[k], v, f"{what}: {k}")

    def assert_close(self, got, want, what):
        if isinstance(want, dict):
            self.assertEqual(sorted(got), sorted(want), what)
            for k in want:
                self.assert_close(got[k], want[k], f"{what}.{k}")
        elif isinstance(want, float):
            self.assertIsNotNone(got, what)
            self.assertAlmostEqual(got, want, 9, what)
        else:
            self.assertEqual(got, want, what)

    def check_daily(self, node_id, i, late=False):
        c = self.arrived(node_id, i)
        what = f"{node_id}'s daily of {DAY_NAMES[i]} at t1"
        self.check_figures(c["figures"], DAILY[node_id][i], what)
        self.assertEqual((c["late"], c["disagreements"]), (late, []), what)
        return c

    # -- the week ------------------------------------------------------------------------
    def test_a_week_of_dailies_and_a_weekly(self):
        self.county, (self.town,), ((self.v11, self.v12),) = self.tree((2,))
        v11, v12, town, county = self.v11, self.v12, self.town, self.county
        today = datetime.datetime.now(SHANGHAI).date()
        monday = today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=14)
        self.week = [monday + datetime.timedelta(days=i) for i in range(7)]
        self.cases = {}

        # Monday.
        self.morning(0)
        self.new_case(v11, "A1", complexity="complex")
        self.new_case(v11, "A2", category="labour_wages", source="grid_screening",
                      risk="yellow")
        self.new_case(v11, "A3", category="neighbourhood", complexity="complex")
        self.new_case(v12, "B1", source="hotline_12345", complexity="complex", risk="orange")
        self.new_case(v12, "B2", category="marriage_family", complexity="complex")
        self.attempt(v11, "A1")
        self.attempt(v11, "A3", "agreement")
        self.close(v11, "A3")
        self.act(v11, "A3", "followup", {"satisfaction": "satisfied"})
        self.sync()

        # Tuesday.
        self.morning(1)
        self.send_daily(v11, 0)
        self.send_daily(v12, 0)
        self.assertEqual(self.attempt(v11, "A1", times=2)["rule"], "escalated")
        self.new_case(v11, "A4", category="consumer", source="online", complexity="complex",
                      risk="red")
        self.new_case(v12, "B3", category="medical", source="referral", matter_type="petition")
        self.attempt(v12, "B1")
        self.check_daily("v11", 0)
        self.check_daily("v12", 0)
        self.sync()

        # Wednesday: v11's Tuesday daily is returned with a comment, sent again, accepted.
        self.morning(2)
        self.send_daily(v11, 1)
        self.send_daily(v12, 1)
        self.check_daily("v11", 1)
        s, b = town.api("POST", "/api/v1/reports/review",
                        {"node": "v11", "kind": "daily", "period": str(self.week[1]),
                         "accepted": False, "comment": "请补充红色风险案件的稳控措施"})
        self.assertEqual(s, 200, b)
        back = wait_for(lambda: (lambda o: o if o["state"] == "returned" else None)(
            self.own(v11, "daily", self.week[1])), WAIT, "the return at v11")
        self.assertEqual((back["comment"], back["reviewer"]), ("请补充红色风险案件的稳控措施", "t1"))
        s, b = self.submit(v11, "daily", self.week[1], analysis="红色风险案件已落实专人稳控")
        self.assertEqual(s, 200, b)
        wait_for(lambda: self.child("daily", self.week[1], "v11")["analysis"]
                 == "红色风险案件已落实专人稳控", WAIT, "the resubmission at t1")
        self.check_daily("v11", 1)
        town.ok("POST", "/api/v1/reports/review", {"node": "v11", "kind": "daily",
                                                   "period": str(self.week[1]),
                                                   "accepted": True})
        wait_for(lambda: self.own(v11, "daily", self.week[1])["state"] == "accepted", WAIT,
                 "the acceptance at v11")
        self.act(v11, "A4", "risk", {"risk": "orange", "reason": "已落实稳控"})
        self.new_case(v11, "A5", source="grid_screening", complexity="complex")
        self.assertEqual(self.attempt(v12, "B1", times=2)["rule"], "escalated")
        self.new_case(v12, "B4", category="other", complexity="complex")
        self.act(v12, "B4", "guide", {"channel": "court", "guidance": "已经法院判决，引导申请执行"})
        self.check_daily("v12", 1)
        self.sync()

        # Thursday: v12 does not send Wednesday's daily.
        self.morning(3)
        self.send_daily(v11, 2)
        self.held(v11, "A2", overdue=True)
        self.held(town, "A1", holder="t1", where="here")
        self.attempt(town, "A1", "agreement")
        self.close(town, "A1")
        self.held(town, "B1", holder="t1", where="here")
        self.assertEqual(self.attempt(town, "B1", times=2)["rule"], "escalated")
        self.held(county, "B1", holder="c-helan", where="here")
        self.act(county, "B1", "leader", LEADER)
        self.new_case(v11, "A6", category="neighbourhood", complexity="complex")
        self.attempt(v11, "A6", "agreement")
        self.new_case(v12, "B5", source="grid_screening", complexity="complex")
        self.check_daily("v11", 2)
        absent = self.child("daily", self.week[2], "v12")
        self.assertEqual((absent["state"], absent["late"]), ("absent", False))  # due at noon
        self.sync()

        # Friday: v12's Wednesday daily is late, then sent late.
        self.morning(4)
        self.send_daily(v11, 3)
        self.send_daily(v12, 3)
        absent = self.child("daily", self.week[2], "v12")
        self.assertEqual((absent["state"], absent["late"]), ("absent", True))
        self.send_daily(v12, 2)
        self.held(v11, "A1", holder="v11", where="here", status="closed")
        self.act(v11, "A1", "followup", {"satisfaction": "basically_satisfied"})
        self.new_case(v11, "A7", category="pollution", source="referral", complexity="complex",
                      risk="red")
        self.attempt(v12, "B2", "agreement")
        self.close(v12, "B2")
        self.act(v12, "B2", "followup", {"satisfaction": "satisfied"})
        self.check_daily("v11", 3)
        self.check_daily("v12", 2, late=True)
        self.check_daily("v12", 3)
        self.sync()

        # Saturday.
        self.morning(5)
        self.send_daily(v11, 4)
        self.send_daily(v12, 4)
        self.new_case(v11, "A8", category="elderly_care")
        self.attempt(v12, "B3", "agreement")
        self.close(v12, "B3")
        self.act(v12, "B5", "risk", {"risk": "orange", "reason": "双方多次冲突"})
        self.new_case(v12, "B6", category="labour_wages", source="online")
        self.act(v12, "B6", "escalate", {"reason": "欠薪企业在镇外"})
        self.held(town, "B6", holder="t1", where="here")
        self.act(town, "B6", "escalate", {"reason": "涉及县外企业"})
        self.held(county, "B6", holder="c-helan", where="here")
        self.attempt(county, "B6", "agreement")
        self.close(county, "B6")
        self.held(v12, "B6", holder="v12", where="here", status="closed")
        self.act(v12, "B6", "followup", {"satisfaction": "basically_satisfied"})
        self.check_daily("v11", 4)
        self.check_daily("v12", 4)
        self.sync()

        # Sunday.
        self.morning(6)
        self.send_daily(v11, 5)
        self.send_daily(v12, 5)
        self.new_case(v11, "A9", complexity="complex")
        self.assertEqual(self.attempt(v11, "A9", times=3)["rule"], "escalated")
        self.act(v12, "B3", "followup", {"satisfaction": "dissatisfied"})
        self.new_case(v12, "B7", category="traffic_accident", source="hotline_12345",
                      risk="yellow")
        self.check_daily("v11", 5)
        self.check_daily("v12", 5)
        self.sync()

        # Sunday night: eight seconds before midnight, so the timers make the Sunday
        # dailies and the weekly (on a machine slow enough to start after midnight, the
        # drafts come from the start instead: the same figures).
        end = local_ms(self.week[6] + datetime.timedelta(days=1))
        self.restart_all(end - 8000)
        for node, kind in ((v11, "daily"), (v12, "daily"), (town, "weekly")):
            period = self.week[6] if kind == "daily" else monday
            d = wait_for(lambda: self.own(node, kind, period), WAIT,
                         f"{node.id}'s {kind} draft at midnight")
            self.assertEqual(d["state"], "draft")
            self.assertGreaterEqual(d["generated_ms"], end)
        self.check_figures(self.own(v12, "daily", self.week[6])["figures"], DAILY["v12"][6],
                           "v12's Sunday draft")
        self.send_daily(v11, 6)
        self.check_daily("v11", 6)
        absent = self.child("daily", self.week[6], "v12")
        self.assertEqual((absent["state"], absent["late"]), ("absent", False))

        # The weekly waits for v12's Sunday daily, then goes with it marked missing.
        s, b = self.submit(town, "weekly", monday, analysis="本周矛盾纠纷总体可控")
        self.assertEqual((s, b["error"]["code"]), (409, "children_pending"), b)
        self.assertEqual(b["error"]["message"], f"下级报告未齐：村12（{self.week[6]}）尚未报送日排查；"
                         "请等待报送，或标注缺报并写明原因")
        missing = [f"v12/{self.week[6]}"]
        s, b = self.submit(town, "weekly", monday, analysis="本周矛盾纠纷总体可控",
                           missing=missing, actor="镇综治中心主任 周八")
        self.assertEqual(s, 200, b)
        w = self.arrived("t1", 0, parent=county, kind="weekly")
        self.assertEqual((w["missing"], w["submitted_by"], w["late"], w["disagreements"]),
                         (missing, "镇综治中心主任 周八", False, []))
        self.check_figures(w["figures"], WEEKLY, "t1's weekly at the county")
        mine = county.ok("GET", f"/api/v1/ledger?from={monday}&to={self.week[6]}")["ledger"]
        self.assertEqual(mine.pop("node"), "c-helan")
        self.check_figures(mine, WEEKLY, "the county's own ledger of the week")
        county.ok("POST", "/api/v1/reports/review", {"node": "t1", "kind": "weekly",
                                                     "period": str(monday), "accepted": True})
        wait_for(lambda: self.own(town, "weekly", monday)["state"] == "accepted", WAIT,
                 "the acceptance at t1")
        for n in self.nodes:
            self.assertEqual(n.verify()["problems"], [], n.id)
            n.stop()  # a clean exit: under the sanitizers, nothing leaked or went wrong


if __name__ == "__main__":
    harness.main()
