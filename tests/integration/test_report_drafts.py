"""Report drafts made by the node's timer at the end of each period (issue 5), with the
clock moved (JIEFEN_CLOCK_OFFSET_MS), never slept past a day: the draft freezes the figures
as of the period's end, and the submission keeps them."""
import datetime
import os
import time

import harness
from harness import NodeTest, intake, wait_for

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))


def now_local():
    return datetime.datetime.now(SHANGHAI)


class Drafts(NodeTest):
    def restart_at(self, node, offset_ms):
        node.stop()
        node.env["JIEFEN_CLOCK_OFFSET_MS"] = str(int(offset_ms))
        node.start()

    def own(self, node, kind, period):
        return node.ok("GET", f"/api/v1/reports?kind={kind}&period={period}")["own"]

    def test_draft_at_the_end_of_the_day_freezes_the_figures(self):
        v = self.node("v-dongcun", "village", "东村").start()
        today = now_local().date()
        # No draft of a day before the node existed.
        yesterday = today - datetime.timedelta(days=1)
        self.assertIsNone(self.own(v, "daily", yesterday))

        cid = v.ok("POST", "/api/v1/cases", intake(risk="blue"))["case"]["id"]
        self.assertIsNone(self.own(v, "daily", today))
        # Three seconds before local midnight the timer is armed for the end of the day.
        midnight = datetime.datetime.combine(today + datetime.timedelta(days=1),
                                             datetime.time(), SHANGHAI)
        offset = (midnight - now_local()).total_seconds() * 1000 - 3000
        self.restart_at(v, offset)
        d = wait_for(lambda: self.own(v, "daily", today), 30, "today's draft at midnight")
        self.assertEqual(d["state"], "draft")
        self.assertEqual(d["figures"]["taken_in"], 1)
        self.assertEqual(d["figures"]["red"], 0)
        self.assertGreaterEqual(d["generated_ms"], int(midnight.timestamp() * 1000))

        # After the day: the risk turns red; the submission keeps the figures of midnight.
        v.ok("POST", f"/api/v1/cases/{cid}/risk", {"risk": "red", "reason": "次日激化"})
        now = v.ok("GET", f"/api/v1/ledger?from={today}&to={today}")["ledger"]
        self.assertEqual(now["red"], 1)
        v.ok("POST", "/api/v1/reports/submit",
             {"kind": "daily", "period": str(today), "analysis": "当日排查纠纷1件", "actor": "孙七"})
        sub = self.own(v, "daily", today)
        self.assertEqual(sub["state"], "submitted")
        self.assertEqual(sub["figures"]["red"], 0)
        self.assertEqual(sub["submitted_by"], "孙七")
        # A restart does not make the draft again over the submitted report.
        self.restart_at(v, offset + 60000)
        self.assertEqual(self.own(v, "daily", today)["state"], "submitted")

        # Stopped for three days: at start each day that ended meanwhile gets its draft.
        day = datetime.timedelta(days=1)
        self.restart_at(v, offset + 3 * 86400 * 1000)
        for d in (today + day, today + 2 * day):
            got = wait_for(lambda: self.own(v, "daily", d), 20, f"the draft of {d}")
            self.assertEqual((got["state"], got["figures"]["taken_in"]), ("draft", 0))
        self.assertEqual(self.own(v, "daily", today)["state"], "submitted")

    def test_no_draft_before_the_node_existed(self):
        """Started again two days later, a new node drafts the days it lived through, and
        none before it was made (its catch-up has no report to stop at)."""
        v = self.node("v-xicun", "village", "西村").start()
        today = now_local().date()
        day = datetime.timedelta(days=1)
        self.restart_at(v, 2 * 86400 * 1000)
        for d in (today + day, today):
            wait_for(lambda: self.own(v, "daily", d), 20, f"the draft of {d}")
        self.assertIsNone(self.own(v, "daily", today - day))


if __name__ == "__main__":
    harness.main()
