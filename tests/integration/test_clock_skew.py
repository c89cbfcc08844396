"""Clock checks (issue 13): a village whose clock runs three days fast (JIEFEN_CLOCK_OFFSET_MS)
under a township under a county. Both ends of its link see the skew (status, /metrics,
jiefenctl status), the township raises one clock_skew warning that reaches the county, and a
case taken in at the village counts today in the township's and the county's ledgers, its
view saying its times were corrected. A restart of the township raises no second warning; a
village whose clock is set right is no longer skewed and its new cases are not corrected."""
import datetime
import re

import harness
from harness import NodeTest, intake, wait_for

SHANGHAI = datetime.timezone(datetime.timedelta(hours=8))
DAY_MS = 86400000
SLACK_MS = 60000   # latency and the test's own pace are nothing against three days


class ClockSkew(NodeTest):
    def clock(self, node):
        return node.ok("GET", "/api/v1/status")["clock"]

    def peer(self, node, peer_id):
        return next((p for p in self.clock(node)["peers"] if p["peer"] == peer_id), None)

    def skew_warnings(self, node):
        return [w for w in node.ok("GET", "/api/v1/warnings")["warnings"]
                if w["rule"] == "clock_skew"]

    def today_taken_in(self, node):
        today = datetime.datetime.now(SHANGHAI).date()
        return node.ok("GET", f"/api/v1/ledger?from={today}&to={today}")["ledger"]["taken_in"]

    def test_village_three_days_fast(self):
        county = self.node("c-helan", "county", "贺兰县", listen=True).start()
        county.ok("POST", "/api/v1/enrol/root")
        town = self.node("t1", "township", "金贵镇", listen=True).start()
        self.enrol(county, town)
        v = self.node("v-dongcun", "village", "东村")
        v.env["JIEFEN_CLOCK_OFFSET_MS"] = str(3 * DAY_MS)
        v.start()
        self.enrol(town, v)

        # Both ends of the village's link see it.
        child = wait_for(lambda: (p := self.peer(town, "v-dongcun")) and p["skewed"] and p,
                         what="the township to see the village's clock")
        self.assertAlmostEqual(child["offset_ms"], 3 * DAY_MS, delta=SLACK_MS)
        self.assertEqual(child["direction"], "child")
        self.assertFalse(self.clock(town)["skewed"])   # the parent is the reference
        mine = wait_for(lambda: (c := self.clock(v))["skewed"] and c,
                        what="the village to see its own clock")
        self.assertAlmostEqual(mine["offset_ms"], 3 * DAY_MS, delta=SLACK_MS)
        self.assertEqual(mine["threshold_ms"], 120000)
        self.assertEqual(mine["text"], "本机时钟比上级快 3 天，请校准")
        parent = self.peer(v, "t1")
        self.assertEqual(parent["direction"], "parent")
        self.assertAlmostEqual(parent["offset_ms"], -3 * DAY_MS, delta=SLACK_MS)
        # The township and the county agree: neither is skewed.
        wait_for(lambda: (p := self.peer(county, "t1")) and p, what="the county to measure")
        self.assertFalse(self.peer(county, "t1")["skewed"])

        # /metrics: the offset per peer in seconds, and whether this node is skewed.
        _, text, _ = town.request("GET", "/metrics")
        m = re.search(r'^jiefen_clock_offset_seconds\{peer="v-dongcun",direction="child"\} '
                      r'([0-9.]+)$', text, re.M)
        self.assertIsNotNone(m, text)
        self.assertAlmostEqual(float(m.group(1)), 3 * 86400, delta=SLACK_MS / 1000)
        self.assertIn("\njiefen_clock_skewed 0\n", text)
        _, text, _ = v.request("GET", "/metrics")
        self.assertIn("\njiefen_clock_skewed 1\n", text)

        # jiefenctl status says it in the village's words.
        out = v.ctl("status")
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertIn("本机时钟比上级快 3 天，请校准", out.stdout)
        out = town.ctl("status")
        row = next(line for line in out.stdout.splitlines() if "v-dongcun" in line)
        self.assertIn("快 3 天 (需校准)", row)

        # One warning at the township, naming the village, and it travels up to the county.
        w = wait_for(lambda: self.skew_warnings(town), what="the clock warning")
        self.assertEqual(len(w), 1)
        self.assertEqual((w[0]["village"], w[0]["node"]), ("东村", "t1"))
        self.assertIn("东村", w[0]["detail"])
        self.assertIn("快 3 天", w[0]["detail"])
        wait_for(lambda: self.skew_warnings(county), what="the warning at the county")

        # A case taken in at the village counts today above it, its times corrected.
        before_town, before_county = self.today_taken_in(town), self.today_taken_in(county)
        case = v.ok("POST", "/api/v1/cases", intake())["case"]
        self.assertAlmostEqual(case["opened_ms"] - harness_now_ms(), 3 * DAY_MS, delta=SLACK_MS)
        for n in (town, county):
            view = wait_for(lambda n=n: n.api("GET", "/api/v1/cases/" + case["id"])[0] == 200
                            and n.ok("GET", "/api/v1/cases/" + case["id"])["case"],
                            what=f"the case at {n.id}")
            self.assertAlmostEqual(view["opened_ms"], harness_now_ms(), delta=SLACK_MS)
            self.assertAlmostEqual(view["clock_corrected_ms"], 3 * DAY_MS, delta=SLACK_MS)
            self.assertAlmostEqual(view["due_ms"], case["due_ms"] - 3 * DAY_MS, delta=SLACK_MS)
        self.assertEqual(self.today_taken_in(town), before_town + 1)
        self.assertEqual(self.today_taken_in(county), before_county + 1)
        # The village itself keeps its own times (and says nothing was corrected).
        self.assertEqual(v.ok("GET", "/api/v1/cases/" + case["id"])["case"]["clock_corrected_ms"], 0)
        # Corrected views are what a refold of the log gives.
        self.assertEqual(town.verify()["problems"], [])

        # The township restarted measures again but warns no second time.
        town.kill9()
        town.start()
        wait_for(lambda: (p := self.peer(town, "v-dongcun")) and p["skewed"],
                 what="the township to measure again")
        wait_for(lambda: self.peer(county, "t1") and self.peer(county, "t1")["skewed"] is False
                 and self.clock(town)["peers"], what="the township's links")
        self.assertEqual(len(self.skew_warnings(town)), 1)

        # The village's clock set right: no longer skewed at either end, nothing corrected.
        v.stop()
        v.env["JIEFEN_CLOCK_OFFSET_MS"] = "0"
        v.start()
        wait_for(lambda: (p := self.peer(town, "v-dongcun")) and not p["skewed"],
                 what="the township to see the clock set right")
        wait_for(lambda: self.peer(v, "t1") and not self.clock(v)["skewed"],
                 what="the village to see its clock set right")
        self.assertEqual(self.clock(v)["text"], "")
        fixed = v.ok("POST", "/api/v1/cases", intake())["case"]
        view = wait_for(lambda: town.api("GET", "/api/v1/cases/" + fixed["id"])[0] == 200
                        and town.ok("GET", "/api/v1/cases/" + fixed["id"])["case"],
                        what="the second case at the township")
        self.assertEqual((view["clock_corrected_ms"], view["opened_ms"]),
                         (0, fixed["opened_ms"]))


def harness_now_ms():
    return int(datetime.datetime.now(datetime.timezone.utc).timestamp() * 1000)


if __name__ == "__main__":
    harness.main()
