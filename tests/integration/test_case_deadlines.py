"""Time limits (限时办结) through real processes: the holder's warning before a limit and
its overdue record at it, what the parent's supervision list shows (even of an offline
child), automatic escalation of an overdue case, timers firing while the daemon runs and
surviving restarts, a fresh limit for each new holder, extensions decided by the direct
parent, working-day limits with a holiday file, and bad [limits] settings.

Nothing sleeps for days: a node's clock is moved with JIEFEN_CLOCK_OFFSET_MS when it is
(re)started. Limits of 3 days (simple) and the default warning 24 hours before."""
import os
import time
from datetime import datetime, timedelta, timezone

import harness
from harness import NodeTest, intake, wait_for
from test_case_path import case_at

MINUTE = 60_000
HOUR = 3_600_000
DAY = 86_400_000
WAIT = 30  # seconds: slow machines, AddressSanitizer builds
SHANGHAI = timezone(timedelta(hours=8))  # no DST


def now_ms():
    return int(time.time() * 1000)


CLOCK_CHECK_OFF = "[link]\nclock_skew_seconds = 2592000"


def append_config(node, text):
    """Appends INI text to the node's jiefend.conf (a later value overrides the one
    `jiefend init` wrote); takes effect at the next start."""
    with open(os.path.join(node.dir, "jiefend.conf"), "a") as f:
        f.write("\n" + text.strip() + "\n")


def restart_at(node, at_ms=None, offset_ms=None):
    """Stops the node (if running) and starts it with its clock reading at_ms now (or
    moved by offset_ms)."""
    node.stop()
    off = offset_ms if offset_ms is not None else at_ms - now_ms()
    node.env["JIEFEN_CLOCK_OFFSET_MS"] = str(int(off))
    return node.start()


def history(node, cid, event_kind=None, details=None):
    """The entries of the case file at node of that kind whose details match."""
    return [h for h in case_at(node, cid)["history"]
            if (event_kind is None or h["kind"] == event_kind)
            and all(h["details"].get(k) == v for k, v in (details or {}).items())]


def deadlines(node, cid, which=None):
    """The case's deadline records (warning and overdue) at node, or those of one kind."""
    return history(node, cid, "deadline", {"kind": which} if which else None)


def wait_case(node, cid, what, cond=None, **want):
    """Waits until the case at node has every field in want (and cond(case) holds)."""
    def ready():
        c = case_at(node, cid)["case"]
        ok = all(c.get(k) == v for k, v in want.items()) and (cond is None or cond(c))
        return c if ok else None
    return wait_for(ready, WAIT, f"{what}: case {cid} at {node.id} with {want}")


def wait_overdue(node, cid, what, due):
    """Waits until the case at node is overdue and the record of its limit `due` is there:
    the view says overdue from the limit on, the record is the timer's commit a moment
    later."""
    got = wait_case(node, cid, what, overdue=True)
    def recorded():
        return [d for d in deadlines(node, cid, "overdue") if d["details"]["due_ms"] == due]
    wait_for(recorded, WAIT, f"{what}: the overdue record of {cid} at {node.id}")
    return got


def supervision_ids(node, name):
    return [c["id"] for c in node.ok("GET", "/api/v1/supervision")[name]]


def settle():
    """Time for anything a restart would fire to be recorded, when the test expects
    nothing to be (a timer due at start fires in the first loop turn)."""
    time.sleep(2)


class Deadlines(NodeTest):
    def line(self, villages=1, conf=None, files=None):
        """County c-helan, township t1 and villages v11.. enrolled and linked; conf maps a
        node id to INI text appended to its config before its first start, files a node id
        to {name: text} written into its data directory."""
        conf, files = conf or {}, files or {}

        def make(node_id, tier, name, listen):
            n = self.node(node_id, tier, name, listen=listen)
            # Time passes here by moving one node's clock days ahead of the others: the
            # clock checks (test_clock_skew) would call that a skew and fold its times back.
            append_config(n, CLOCK_CHECK_OFF)
            if node_id in conf:
                append_config(n, conf[node_id])
            for fname, text in files.get(node_id, {}).items():
                with open(os.path.join(n.dir, fname), "w") as f:
                    f.write(text)
            return n.start()

        county = make("c-helan", "county", "贺兰县", True)
        county.ok("POST", "/api/v1/enrol/root")
        town = make("t1", "township", "镇1", True)
        self.enrol(county, town)
        vs = []
        for k in range(1, villages + 1):
            v = make(f"v1{k}", "village", f"村1{k}", False)
            self.enrol(town, v)
            vs.append(v)
        return county, town, vs

    def take_in(self, node, **kw):
        c = node.ok("POST", "/api/v1/cases", intake(**kw))["case"]
        self.assertEqual(c["holder"], node.id)
        return c

    def reaches(self, node, cid):
        wait_for(lambda: case_at(node, cid)["case"]["holder"] is not None, WAIT,
                 f"case {cid} at {node.id}")

    # (1) ---------------------------------------------------------------------------------
    def test_warning_fires_before_the_limit_and_is_recorded_by_system(self):
        county, town, (v,) = self.line()
        c = self.take_in(v)
        cid, due = c["id"], c["due_ms"]
        self.assertEqual(due, c["opened_ms"] + 3 * DAY)  # simple: 3 calendar days
        k = self.take_in(v, complexity="complex")
        self.assertEqual(k["due_ms"], k["opened_ms"] + 7 * DAY)  # complex: 7
        self.assertFalse(c["warned"])
        self.assertFalse(c["overdue"])
        self.reaches(town, cid)

        # 25 hours before the limit: not yet.
        restart_at(v, due - 25 * HOUR)
        settle()
        self.assertEqual(deadlines(v, cid), [])
        self.assertFalse(case_at(v, cid)["case"]["warned"])

        # 23 hours before: the warning fires at start.
        restart_at(v, due - 23 * HOUR)
        got = wait_case(v, cid, "warning", warned=True)
        self.assertFalse(got["overdue"])
        self.assertEqual(got["due_ms"], due)
        self.assertEqual(got["status"], "open")
        (w,) = deadlines(v, cid)
        self.assertEqual(w["details"], {"kind": "warning", "due_ms": due})
        self.assertEqual((w["actor"], w["origin"], w["tier"]), ("system", "v11", "village"))
        self.assertTrue(w["signature_ok"])
        self.assertGreaterEqual(w["time_ms"], due - 24 * HOUR)
        self.assertLess(w["time_ms"], due)
        # On the holder's supervision list as due soon, not overdue.
        self.assertIn(cid, supervision_ids(v, "due_soon"))
        self.assertNotIn(cid, supervision_ids(v, "overdue"))
        # The warning goes up with the file.
        wait_case(town, cid, "warning at the township", warned=True)
        self.assertEqual(len(deadlines(town, cid, "warning")), 1)
        # A second restart in the window warns no more.
        restart_at(v, due - 22 * HOUR)
        settle()
        self.assertEqual(len(deadlines(v, cid)), 1)

    def test_no_warning_when_warn_hours_is_zero(self):
        county, town, (v,) = self.line(1, {"v11": "[limits]\nwarn_hours = 0"})
        c = self.take_in(v)
        cid, due = c["id"], c["due_ms"]
        restart_at(v, due - HOUR)
        settle()
        self.assertEqual(deadlines(v, cid), [])
        self.assertNotIn(cid, supervision_ids(v, "due_soon"))
        restart_at(v, due + MINUTE)
        wait_overdue(v, cid, "overdue", due)
        self.assertEqual([d["details"]["kind"] for d in deadlines(v, cid)], ["overdue"])

    def test_every_case_in_the_warning_window_is_warned(self):
        # More cases enter the window at once than the timer handles per pass (256).
        v = self.node("v11", "village", "村11").start()
        made = [self.take_in(v, summary=f"第{i}件") for i in range(300)]
        self.assertLess(made[-1]["due_ms"] - made[0]["due_ms"], HOUR)
        restart_at(v, made[0]["due_ms"] - 23 * HOUR)
        try:
            wait_for(lambda: all(c["warned"] for c in v.all_cases()), WAIT, "all 300 warned")
        except AssertionError:
            warned = sum(c["warned"] for c in v.all_cases())
            self.fail(f"{warned} of 300 cases warned; the rest wait for the first limit")
        self.assertFalse(any(c["overdue"] for c in v.all_cases()))
        self.assertEqual(sum(len(deadlines(v, c["id"])) for c in made[:3] + made[-3:]), 6)

    # (2) ---------------------------------------------------------------------------------
    def test_overdue_at_the_limit_shows_at_holder_and_ancestors(self):
        county, town, (v,) = self.line()
        c = self.take_in(v)
        cid, due = c["id"], c["due_ms"]
        self.reaches(county, cid)
        self.assertNotIn(cid, supervision_ids(town, "overdue"))

        restart_at(v, due + MINUTE)
        got = wait_overdue(v, cid, "overdue", due)
        self.assertEqual(got["status"], "open")
        self.assertEqual(got["holder"], "v11")  # default: overdue does not escalate
        (o,) = deadlines(v, cid)  # already past the warning moment: no late warning
        self.assertEqual(o["details"], {"kind": "overdue", "due_ms": due})
        self.assertEqual(o["actor"], "system")
        self.assertGreaterEqual(o["time_ms"], due)
        self.assertIn(cid, supervision_ids(v, "overdue"))

        # The township and county run on the real clock: they know from the record.
        for up in (town, county):
            wait_case(up, cid, f"overdue at {up.id}", overdue=True)
            wait_for(lambda: cid in supervision_ids(up, "overdue"), WAIT,
                     f"{cid} on {up.id}'s overdue list")
            self.assertNotIn(cid, supervision_ids(up, "due_soon"))

    # (3) ---------------------------------------------------------------------------------
    def test_offline_villages_case_shows_overdue_at_the_township(self):
        county, town, (v,) = self.line()
        c = self.take_in(v)
        cid, due = c["id"], c["due_ms"]
        self.reaches(county, cid)
        v.stop()  # never comes back, never says the case is overdue

        restart_at(town, due + MINUTE)
        wait_for(lambda: cid in supervision_ids(town, "overdue"), WAIT,
                 f"{cid} on t1's overdue list")
        got = case_at(town, cid)
        self.assertTrue(got["case"]["overdue"])
        self.assertEqual(got["case"]["holder"], "v11")
        self.assertEqual(got["case"]["where"], "below")
        # Computed from the township's own clock: nothing recorded, by anyone.
        self.assertEqual(deadlines(town, cid), [])
        # The county's clock is real: the limit has not passed for it.
        self.assertNotIn(cid, supervision_ids(county, "overdue"))
        self.assertFalse(case_at(county, cid)["case"]["overdue"])

    # (4) ---------------------------------------------------------------------------------
    def test_overdue_escalates_only_when_configured(self):
        county, town, (v1, v2) = self.line(
            2, {"v11": "[limits]\noverdue_escalates = yes",
                "t1": "[limits]\noverdue_escalates = yes"})
        c1, c2 = self.take_in(v1), self.take_in(v2)
        self.reaches(town, c1["id"])
        self.reaches(town, c2["id"])

        restart_at(v1, c1["due_ms"] + MINUTE)
        restart_at(v2, c2["due_ms"] + MINUTE)

        # v11 (overdue_escalates = yes): recorded overdue, then sent up automatically.
        up = wait_case(town, c1["id"], "automatic escalation", holder="t1", where="here")
        self.assertEqual(up["status"], "open")
        self.assertEqual(up["escalations"], 1)
        self.assertEqual(up["previous_holder"], "v11")
        (o,) = deadlines(town, c1["id"], "overdue")
        self.assertEqual((o["origin"], o["actor"]), ("v11", "system"))
        (m,) = history(town, c1["id"], "case_moved")
        self.assertEqual((m["origin"], m["actor"]), ("v11", "system"))
        self.assertEqual(m["details"]["kind"], "escalate")
        self.assertEqual(m["details"]["to"], "t1")
        self.assertTrue(m["details"]["automatic"])
        self.assertIn("逾期", m["details"]["reason"])
        self.assertGreaterEqual(m["time_ms"], o["time_ms"])
        # A fresh limit for the township from the moment of escalation.
        self.assertEqual(up["due_ms"], m["time_ms"] + 3 * DAY)
        self.assertEqual(m["details"]["due_ms"], up["due_ms"])
        self.assertEqual(up["holder_since_ms"], m["time_ms"])
        self.assertFalse(up["overdue"])
        self.assertFalse(up["warned"])
        self.assertNotIn(c1["id"], supervision_ids(town, "overdue"))
        at_v1 = wait_case(v1, c1["id"], "escalated at v11", holder="t1")
        self.assertEqual(at_v1["status"], "escalated")
        self.assertFalse(at_v1["overdue"])

        # v12 (default): overdue, but it stays where it is.
        got = wait_case(v2, c2["id"], "overdue at v12", overdue=True)
        self.assertEqual((got["holder"], got["status"]), ("v12", "open"))
        settle()
        self.assertEqual(case_at(v2, c2["id"])["case"]["holder"], "v12")
        self.assertEqual(history(v2, c2["id"], "case_moved"), [])
        wait_for(lambda: c2["id"] in supervision_ids(town, "overdue"), WAIT,
                 "v12's case on t1's overdue list")

        # The township's fresh limit passes too: up to the county, which starts afresh.
        restart_at(town, up["due_ms"] + MINUTE)
        top = wait_case(county, c1["id"], "second automatic escalation", holder="c-helan",
                        where="here")
        self.assertEqual(top["escalations"], 2)
        moves = history(county, c1["id"], "case_moved")
        self.assertEqual([(h["origin"], h["details"]["to"], h["details"]["automatic"])
                          for h in moves], [("v11", "t1", True), ("t1", "c-helan", True)])
        self.assertEqual(top["due_ms"], moves[1]["time_ms"] + 3 * DAY)
        self.assertFalse(top["overdue"])
        o = deadlines(county, c1["id"], "overdue")
        self.assertEqual([(d["origin"], d["details"]["due_ms"]) for d in o],
                         [("v11", c1["due_ms"]), ("t1", up["due_ms"])])
        # v12's case is not the township's to escalate: it stays below, overdue.
        self.assertEqual(case_at(town, c2["id"])["case"]["holder"], "v12")

    # (5) ---------------------------------------------------------------------------------
    def test_timer_fires_while_running_and_rearms_for_the_next_moment(self):
        county, town, (v,) = self.line()
        c = self.take_in(v)
        cid, due = c["id"], c["due_ms"]

        # The warning moment 6 s ahead: nothing at start, the running timer fires it.
        lead = 6000
        restart_at(v, due - 24 * HOUR - lead)
        pid = v.proc.pid
        first = case_at(v, cid)["case"]
        self.assertFalse(first["warned"], "started too slowly to see the warning come")
        got = wait_case(v, cid, "warning while running", warned=True)
        self.assertFalse(got["overdue"])
        self.assertEqual(v.proc.pid, pid)
        (w,) = deadlines(v, cid)
        self.assertGreaterEqual(w["time_ms"], due - 24 * HOUR)

        # The limit 6 s ahead (the warning moment long past, already warned): after start
        # the timer waits for the limit itself and fires on time.
        restart_at(v, due - lead)
        pid = v.proc.pid
        first = case_at(v, cid)["case"]
        self.assertTrue(first["warned"])
        self.assertFalse(first["overdue"], "started too slowly to see the limit come")
        # The view says overdue from the limit on; the record is the timer's, a moment later.
        wait_for(lambda: deadlines(v, cid, "overdue"), WAIT, "the overdue record while running")
        self.assertEqual(v.proc.pid, pid)
        kinds = [d["details"]["kind"] for d in deadlines(v, cid)]
        self.assertEqual(kinds, ["warning", "overdue"])
        self.assertGreaterEqual(deadlines(v, cid, "overdue")[0]["time_ms"], due)

    def test_timer_fires_while_running_for_a_case_needing_its_warning_first(self):
        # Warning passed at start, limit 6 s later: both fire in one run (the timer is
        # armed again for the limit after the warning).
        county, town, (v,) = self.line()
        c = self.take_in(v)
        cid, due = c["id"], c["due_ms"]
        restart_at(v, due - 6000)
        pid = v.proc.pid
        wait_case(v, cid, "warning at start", warned=True)
        self.assertFalse(case_at(v, cid)["case"]["overdue"],
                         "started too slowly to see the limit come")
        wait_overdue(v, cid, "overdue while running", due)
        self.assertEqual(v.proc.pid, pid)
        self.assertEqual([d["details"]["kind"] for d in deadlines(v, cid)],
                         ["warning", "overdue"])

    # (6) ---------------------------------------------------------------------------------
    def test_overdue_survives_restarts_and_is_recorded_once(self):
        county, town, (v,) = self.line()
        c = self.take_in(v)
        cid, due = c["id"], c["due_ms"]
        # Stopped well before the warning moment, started after the limit.
        restart_at(v, due - 3 * DAY + HOUR)
        v.stop()
        restart_at(v, due + 2 * HOUR)
        wait_overdue(v, cid, "overdue after restart", due)
        self.assertEqual([d["details"]["kind"] for d in deadlines(v, cid)], ["overdue"])

        # Again, gently and then with kill -9: still one record.
        restart_at(v, due + 3 * HOUR)
        settle()
        v.kill9()
        restart_at(v, due + 4 * HOUR)
        settle()
        self.assertEqual([d["details"]["kind"] for d in deadlines(v, cid)], ["overdue"])
        self.assertTrue(case_at(v, cid)["case"]["overdue"])
        wait_case(town, cid, "overdue at t1", overdue=True)
        settle()
        self.assertEqual(len(deadlines(town, cid)), 1)
        for n in (v, town):
            self.assertEqual(n.verify()["problems"], [], n.id)

    # (7) ---------------------------------------------------------------------------------
    def test_escalation_restarts_the_clock_for_the_new_holder(self):
        county, town, (v,) = self.line()
        c = self.take_in(v)
        cid, due0 = c["id"], c["due_ms"]

        restart_at(v, c["opened_ms"] + DAY)  # a day later, at the village
        r = v.ok("POST", f"/api/v1/cases/{cid}/escalate", {"reason": "涉及多个村组，需乡镇协调"})
        self.assertEqual(r["case"]["holder"], "t1")
        got = wait_case(town, cid, "escalated", holder="t1", where="here")
        (m,) = history(town, cid, "case_moved")
        self.assertFalse(m["details"]["automatic"])
        due1 = got["due_ms"]
        self.assertEqual(due1, m["time_ms"] + 3 * DAY)
        self.assertEqual(m["details"]["due_ms"], due1)
        self.assertEqual(got["holder_since_ms"], m["time_ms"])
        self.assertGreaterEqual(due1, due0 + DAY)

        # The village's limit passes: nothing at the township, which is 23 h before its own
        # limit, so it is warned instead.
        restart_at(town, due0 + MINUTE)
        got = wait_case(town, cid, "township warned", warned=True)
        self.assertFalse(got["overdue"])
        self.assertNotIn(cid, supervision_ids(town, "overdue"))
        (w,) = deadlines(town, cid)
        self.assertEqual((w["origin"], w["details"]), ("t1", {"kind": "warning", "due_ms": due1}))

        # The township's own limit passes.
        restart_at(town, due1 + MINUTE)
        wait_overdue(town, cid, "township overdue", due1)
        o = deadlines(town, cid, "overdue")
        self.assertEqual([(d["origin"], d["details"]["due_ms"]) for d in o], [("t1", due1)])
        self.assertIn(cid, supervision_ids(town, "overdue"))
        # The county learns it from the record (its clock is real).
        wait_for(lambda: cid in supervision_ids(county, "overdue"), WAIT,
                 f"{cid} on the county's overdue list")
        # The village, no longer the holder, recorded nothing of its own.
        restart_at(v, due1 + HOUR)
        settle()
        self.assertEqual([d for d in deadlines(v, cid) if d["origin"] == "v11"], [])

        # Handed back down: the village gets a fresh limit from the township's clock.
        r = town.ok("POST", f"/api/v1/cases/{cid}/handdown",
                    {"to": "v11", "instructions": "请村调委会继续跟进"})
        self.assertEqual(r["case"]["holder"], "v11")
        got = wait_case(v, cid, "handed down", holder="v11", where="here")
        h = history(v, cid, "case_moved")[-1]
        self.assertEqual((h["origin"], h["details"]["kind"]), ("t1", "handdown"))
        self.assertEqual(got["due_ms"], h["time_ms"] + 3 * DAY)
        self.assertEqual(got["holder_since_ms"], h["time_ms"])
        self.assertFalse(got["overdue"])
        self.assertFalse(got["warned"])
        self.assertNotIn(cid, supervision_ids(town, "overdue"))
        settle()
        self.assertEqual([d for d in deadlines(v, cid) if d["origin"] == "v11"], [])

    def test_reopening_after_a_dissatisfied_follow_up_restarts_the_clock(self):
        county, town, (v,) = self.line()
        c = self.take_in(v)
        cid, due0 = c["id"], c["due_ms"]
        today = datetime.fromtimestamp(now_ms() / 1000, SHANGHAI).date().isoformat()
        v.ok("POST", f"/api/v1/cases/{cid}/attempts",
             {"mediator": "王调解", "date": today, "method": "people", "outcome": "agreement",
              "agreement": "按原界址立桩"})
        r = v.ok("POST", f"/api/v1/cases/{cid}/close",
                 {"result": "双方达成协议", "feedback": "已告知双方"})
        self.assertEqual(r["case"]["status"], "closed")
        # A closed case is not timed: its old limit passes unremarked.
        restart_at(v, due0 + HOUR)
        settle()
        self.assertEqual(deadlines(v, cid), [])
        self.assertFalse(case_at(v, cid)["case"]["overdue"])
        r = v.ok("POST", f"/api/v1/cases/{cid}/followup",
                 {"satisfaction": "dissatisfied", "note": "对方未按约定立桩"})
        got = r["case"]
        self.assertEqual(got["status"], "open")
        (f,) = history(v, cid, "follow_up")
        due1 = got["due_ms"]
        self.assertEqual(due1, f["time_ms"] + 3 * DAY)
        self.assertEqual(got["holder_since_ms"], f["time_ms"])
        self.assertFalse(got["overdue"])
        restart_at(v, due1 + MINUTE)
        wait_overdue(v, cid, "reopened case overdue", due1)
        self.assertEqual([d["details"]["due_ms"] for d in deadlines(v, cid)], [due1])
        wait_for(lambda: cid in supervision_ids(town, "overdue"), WAIT, "on t1's overdue list")

    def test_a_received_case_arms_the_running_timer(self):
        # The township's timer waits for case A's moment, a day away; case B arrives with
        # an earlier moment, 8 s away on the township's clock: the running timer is set
        # again for B and fires, without a restart.
        county, town, (v,) = self.line()
        a, b = self.take_in(v, summary="甲案"), self.take_in(v, summary="乙案")
        restart_at(v, offset_ms=DAY)
        v.ok("POST", f"/api/v1/cases/{a['id']}/escalate", {"reason": "甲案上报"})
        a_due = wait_case(town, a["id"], "A escalated", holder="t1")["due_ms"]
        lead = 8000
        restart_at(town, offset_ms=2 * DAY - lead)  # B's moment: lead after B moves
        pid = town.proc.pid
        restart_at(v, offset_ms=0)
        v.ok("POST", f"/api/v1/cases/{b['id']}/escalate", {"reason": "乙案上报"})
        got = wait_case(town, b["id"], "B escalated", holder="t1")
        b_due = got["due_ms"]
        self.assertLess(b_due, a_due)
        self.assertFalse(got["warned"], "B arrived too late to see its warning come")
        got = wait_case(town, b["id"], "B warned while running", warned=True)
        self.assertEqual(town.proc.pid, pid)
        self.assertFalse(got["overdue"])
        (w,) = deadlines(town, b["id"])
        self.assertEqual((w["origin"], w["details"]["due_ms"]), ("t1", b_due))
        self.assertGreaterEqual(w["time_ms"], b_due - 24 * HOUR)
        self.assertFalse(case_at(town, a["id"])["case"]["warned"])

    # (8) ---------------------------------------------------------------------------------
    def test_extension_through_an_offline_township(self):
        county, town, (v,) = self.line()
        c1, c2 = self.take_in(v, summary="宅基地纠纷"), self.take_in(v, summary="邻里纠纷")
        id1, id2, due1, due2 = c1["id"], c2["id"], c1["due_ms"], c2["due_ms"]
        self.reaches(county, id1)
        self.reaches(county, id2)

        # In the warning window the village asks for more time; its township is down.
        restart_at(v, due1 - 20 * HOUR)
        wait_case(v, id1, "warned", warned=True)
        wait_case(v, id2, "warned", warned=True)
        town.stop()
        r = v.ok("POST", f"/api/v1/cases/{id1}/extension", {"days": 2, "reason": "需等待土地确权结果"})
        self.assertEqual(r["case"]["extension"]["state"], "pending")
        self.assertEqual(r["case"]["extension"]["days"], 2)
        self.assertEqual(r["case"]["due_ms"], due1)  # unchanged until decided
        s, b = v.api("POST", f"/api/v1/cases/{id1}/extension", {"days": 1, "reason": "再申请"})
        self.assertEqual((s, b["error"]["code"]), (409, "extension_pending"))
        v.ok("POST", f"/api/v1/cases/{id2}/extension", {"days": 3, "reason": "当事人外出务工"})
        # The village itself cannot decide.
        s, b = v.api("POST", f"/api/v1/cases/{id1}/extension/decide", {"approved": True})
        self.assertEqual((s, b["error"]["code"]), (403, "not_parent"))

        town.start()
        for cid in (id1, id2):
            wait_case(town, cid, "request at t1",
                      cond=lambda c: (c["extension"] or {}).get("state") == "pending")
        wait_for(lambda: {id1, id2} <= set(supervision_ids(town, "extensions_to_decide")), WAIT,
                 "requests on t1's list")
        # The county is not the holder's direct parent.
        for cid in (id1, id2):
            wait_case(county, cid, "request at the county",
                      cond=lambda c: (c["extension"] or {}).get("state") == "pending")
        s, b = county.api("POST", f"/api/v1/cases/{id1}/extension/decide", {"approved": True})
        self.assertEqual((s, b["error"]["code"]), (403, "not_parent"))
        self.assertNotIn(id1, supervision_ids(county, "extensions_to_decide"))

        town.ok("POST", f"/api/v1/cases/{id1}/extension/decide",
                {"approved": True, "reason": "同意延期"})
        town.ok("POST", f"/api/v1/cases/{id2}/extension/decide",
                {"approved": False, "reason": "事实清楚，应按期办结"})
        s, b = town.api("POST", f"/api/v1/cases/{id1}/extension/decide", {"approved": False})
        self.assertEqual((s, b["error"]["code"]), (409, "no_pending_extension"))

        # The decisions come down: the approved limit moves 2 days, warning cleared.
        new1 = due1 + 2 * DAY
        got = wait_case(v, id1, "approval at v11", due_ms=new1,
                        cond=lambda c: c["extension"]["state"] == "approved")
        self.assertFalse(got["warned"])
        self.assertFalse(got["overdue"])
        (d,) = history(v, id1, "extension_decided")
        self.assertEqual((d["origin"], d["details"]["approved"], d["details"]["new_due_ms"]),
                         ("t1", True, new1))
        got = wait_case(v, id2, "refusal at v11",
                        cond=lambda c: c["extension"]["state"] == "refused")
        self.assertEqual(got["due_ms"], due2)
        self.assertTrue(got["warned"])

        # Past the old limit: the refused case is overdue, the extended one is not.
        restart_at(v, due1 + MINUTE)
        wait_case(v, id2, "refused case overdue", overdue=True)
        settle()
        got = case_at(v, id1)["case"]
        self.assertFalse(got["overdue"])
        self.assertFalse(got["warned"])  # the new warning moment is a day later
        self.assertEqual(deadlines(v, id1, "overdue"), [])
        self.assertNotIn(id1, supervision_ids(town, "overdue"))

        # Past the new limit: overdue, recorded against it.
        restart_at(v, new1 + MINUTE)
        wait_overdue(v, id1, "extended case overdue", new1)
        o = deadlines(v, id1, "overdue")
        self.assertEqual([d["details"]["due_ms"] for d in o], [new1])
        self.assertEqual([d["details"]["due_ms"] for d in deadlines(v, id1, "warning")],
                         [due1])
        wait_for(lambda: {id1, id2} <= set(supervision_ids(town, "overdue")), WAIT,
                 "both on t1's overdue list")
        for n in (v, town, county):
            self.assertEqual(n.verify()["problems"], [], n.id)

    def test_extension_of_an_overdue_case_clears_it_and_rearms(self):
        county, town, (v,) = self.line()
        c = self.take_in(v)
        cid, due = c["id"], c["due_ms"]
        restart_at(v, due + HOUR)
        wait_case(v, cid, "overdue", overdue=True)
        wait_for(lambda: cid in supervision_ids(town, "overdue"), WAIT, "on t1's overdue list")
        v.ok("POST", f"/api/v1/cases/{cid}/extension", {"days": 3, "reason": "鉴定尚未完成"})
        wait_case(town, cid, "request at t1",
                  cond=lambda c: (c["extension"] or {}).get("state") == "pending")
        r = town.ok("POST", f"/api/v1/cases/{cid}/extension/decide",
                    {"approved": True, "days": 2, "reason": "批准两天"})  # fewer than asked
        new = due + 2 * DAY
        self.assertEqual(r["case"]["due_ms"], new)
        self.assertFalse(r["case"]["overdue"])
        self.assertNotIn(cid, supervision_ids(town, "overdue"))
        got = wait_case(v, cid, "approval at v11", due_ms=new,
                        cond=lambda c: c["extension"]["state"] == "approved")
        self.assertFalse(got["overdue"])
        self.assertFalse(got["warned"])
        self.assertNotIn(cid, supervision_ids(v, "overdue"))

        # The new limit is timed again: warning, then a second overdue record.
        restart_at(v, new - 23 * HOUR)
        wait_case(v, cid, "warned for the new limit", warned=True)
        restart_at(v, new + MINUTE)
        wait_overdue(v, cid, "overdue at the new limit", new)
        self.assertEqual([(d["details"]["kind"], d["details"]["due_ms"])
                          for d in deadlines(v, cid)],
                         [("overdue", due), ("warning", new), ("overdue", new)])
        wait_for(lambda: cid in supervision_ids(town, "overdue"), WAIT,
                 "back on t1's overdue list")

    # (9) ---------------------------------------------------------------------------------
    def test_working_days_skip_weekend_and_holidays(self):
        # Friday 2026-12-04 07:30 in Shanghai (still Thursday in UTC: the node's zone must
        # decide the day). Monday 12-07 is a holiday, Saturday 12-12 a working day (调休).
        friday = datetime(2026, 12, 4, 7, 30, tzinfo=SHANGHAI)
        county, town, (v,) = self.line(
            1, {"v11": "[limits]\nworking_days = yes\nholidays = holidays.txt"},
            {"v11": {"holidays.txt": "# 2026 adjustments\n\n2026-12-07 off   # 假日\n"
                                     "2026-12-12 work\n"}})
        restart_at(v, int(friday.timestamp() * 1000))
        simple = self.take_in(v, complexity="simple")
        complex_ = self.take_in(v, complexity="complex")
        opened = datetime.fromtimestamp(simple["opened_ms"] / 1000, SHANGHAI)
        self.assertEqual(opened.date().isoformat(), "2026-12-04")

        def midnight(d):
            return int(datetime(2026, 12, d, tzinfo=SHANGHAI).timestamp() * 1000)
        # Simple, 3 working days: Tue 8, Wed 9, Thu 10 (not Mon 7): due Fri 11 00:00.
        self.assertEqual(simple["due_ms"], midnight(11))
        # Complex, 7: Tue 8, Wed 9, Thu 10, Fri 11, Sat 12 (work), Mon 14, Tue 15: Wed 16.
        self.assertEqual(complex_["due_ms"], midnight(16))

        # The limit is a working-day limit for the timers too: at Thursday 23:59 not yet.
        restart_at(v, midnight(11) - MINUTE)
        wait_case(v, simple["id"], "warned on Thursday", warned=True)
        self.assertFalse(case_at(v, simple["id"])["case"]["overdue"])
        restart_at(v, midnight(11) + MINUTE)
        wait_case(v, simple["id"], "overdue at Friday midnight", overdue=True)
        self.assertFalse(case_at(v, complex_["id"])["case"]["overdue"])

    # config --------------------------------------------------------------------------------
    def test_bad_limits_settings_stop_the_daemon_naming_file_and_line(self):
        v = self.node("v11", "village", "村11")
        conf = os.path.join(v.dir, "jiefend.conf")
        append_config(v, "[limits]\nwarn_hours = abc")
        with open(conf) as f:
            line = f.read().splitlines().index("warn_hours = abc") + 1
        for argv in (["--check-config"], []):
            r = harness.run([harness.jiefend(), "--data", v.dir, *argv], timeout=60)
            self.assertNotEqual(r.returncode, 0, argv)
            self.assertIn(f"jiefend.conf:{line}:", r.stderr)
            self.assertIn("warn_hours", r.stderr)
            self.assertIn("abc", r.stderr)

        v2 = self.node("v12", "village", "村12")
        append_config(v2, "[limits]\nwarn_hours = 721")  # out of range (0-720)
        r = harness.run([harness.jiefend(), "--data", v2.dir, "--check-config"], timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("warn_hours", r.stderr)

        v3 = self.node("v13", "village", "村13")
        append_config(v3, "[limits]\nworking_days = yes\nholidays = holidays.txt")
        with open(os.path.join(v3.dir, "holidays.txt"), "w") as f:
            f.write("2026-10-01 off\n2026-02-30 off\n")
        r = harness.run([harness.jiefend(), "--data", v3.dir, "--check-config"], timeout=60)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("holidays.txt:2:", r.stderr)
        self.assertIn("2026-02-30", r.stderr)

        v4 = self.node("v14", "village", "村14")
        append_config(v4, "[limits]\nwarn_hours = 0\noverdue_escalates = yes")
        r = harness.run([harness.jiefend(), "--data", v4.dir, "--check-config"], timeout=60)
        self.assertEqual(r.returncode, 0, r.stderr)


if __name__ == "__main__":
    harness.main()
