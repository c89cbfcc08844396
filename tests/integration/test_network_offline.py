"""A village offline for a long while catches up by itself, both ways, nothing lost or
doubled, order kept; and a township killed -9 over and over loses nothing."""
import os
import random
import threading

import harness
from harness import NodeTest, intake, wait_for


def village_cases(node, village):
    return [c for c in node.all_cases() if c["opened_at_node"] == village]


class Offline(NodeTest):
    def test_offline_village_converges_both_ways(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        first = v1.ok("POST", "/api/v1/cases", intake(summary="离线前"))["case"]["id"]
        wait_for(lambda: any(c["id"] == first for c in county.cases()), 20, "first case")
        v1.stop()
        sent = [county.ok("POST", "/api/v1/directives",
                          {"to": ["v11"], "kind": "notice", "title": f"通知{i}"})["directive"]["id"]
                for i in range(3)]
        # The village comes back while its township is down: it works alone.
        town.stop()
        v1.start()
        ids = [v1.ok("POST", "/api/v1/cases", intake(summary=f"离线第{i}件"))["case"]["id"]
               for i in range(500)]
        st = v1.links()["parent"]
        self.assertFalse(st["online"])
        self.assertGreaterEqual(st["backlog_up"], 500)
        self.assertIsNotNone(st["backlog_up_oldest_ms"])
        town.start()
        want = {first, *ids}
        wait_for(lambda: county.ok("GET", "/api/v1/status")["cases"]["total"] >= len(want), 120,
                 "500 cases at the county")
        got = village_cases(county, "v11")
        self.assertEqual({c["id"] for c in got}, want)
        self.assertEqual(len(got), len(want))  # nothing twice
        wait_for(lambda: {d["id"] for d in v1.directives()} >= set(sent), 30, "directives")
        self.assertEqual(v1.links()["parent"]["backlog_up"], 0)
        for n in (county, town, v1, v2):
            self.assertTrue(n.verify()["ok"], n.id)  # chains dense and in order everywhere

    def test_township_answers_while_a_backlog_drains(self):
        """A village back with 30,000 events: the township takes them in off its loop, so
        its API answers meanwhile (it used to answer only once the whole backlog was in)."""
        county, (town,), ((v1,),) = self.tree((1,))
        wait_for(lambda: v1.links()["parent"]["online"], 20, "linked")
        base = town.ok("GET", "/api/v1/status")["log"]["events"]
        base_c = county.ok("GET", "/api/v1/status")["log"]["events"]
        v1.stop()
        n = 30000
        r = harness.run([os.path.join(harness.TOOLS, "bench", "bench_backlog"), v1.dir, str(n)],
                        timeout=600)
        self.assertEqual(r.returncode, 0, r.stderr)
        seen = []
        v1.start()
        wait_for(lambda: seen.append(town.ok("GET", "/api/v1/status")["log"]["events"] - base)
                 or seen[-1] >= n, 300, "the backlog at the township")
        self.assertTrue(any(0 < k < n for k in seen), f"answers during the drain: {seen}")
        self.assertEqual(seen[-1], n)
        self.assertTrue(town.verify()["ok"])
        wait_for(lambda: county.ok("GET", "/api/v1/status")["log"]["events"] >= base_c + n, 300,
                 "the backlog at the county")

    def test_township_killed_20_times_while_villages_stream(self):
        county, (town,), ((v1, v2),) = self.tree((2,))
        per_village, made, lock = 2500, {"v11": [], "v12": []}, threading.Lock()

        def stream(v):
            for i in range(per_village):
                c = v.ok("POST", "/api/v1/cases", intake(summary=f"{v.id}第{i}件"))
                with lock:
                    made[v.id].append(c["case"]["id"])

        threads = [threading.Thread(target=stream, args=(v,)) for v in (v1, v2)]
        for t in threads:
            t.start()
        rnd = random.Random(20261124)
        for k in range(20):
            wait_for(lambda: town.proc.poll() is None, 5, "township up")
            threading.Event().wait(rnd.uniform(0.05, 0.6))
            town.kill9()
            town.start()
        for t in threads:
            t.join()
        total = per_village * 2
        self.assertEqual(sum(len(x) for x in made.values()), total)

        wait_for(lambda: county.ok("GET", "/api/v1/status")["cases"]["total"] >= total, 300,
                 f"{total} cases at the county")
        cs = county.all_cases()
        ids = [c["id"] for c in cs]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(set(ids), set(made["v11"]) | set(made["v12"]))
        for n in (county, town, v1, v2):
            r = n.verify()
            self.assertTrue(r["ok"], (n.id, r["problems"][:5]))


if __name__ == "__main__":
    harness.main()
