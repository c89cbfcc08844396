"""bench_network — a village with a 100,000-event backlog drains to its township and on to
the county. Prints this machine's ceilings measured just before (one core's Ed25519
verifies per second, the disk's durable commits per second: nodebench.machine), events per
second per hop and as a multiple of those verifies, the floor under a hop measured right
after (the LMDB writes alone of folding as many received openings: bench_apply_floor), CPU
seconds per 1,000 events at each
receiver, how its loop spent the hop (working; waiting for a core, which is the machine's
other load; waiting for input or the disk, which is the hop's own waiting) and how long
its API took to answer meanwhile; then live-event latency village → county (p50/p99) and
the township's CPU seconds per 1,000 live events (each a batch of its own: what a received
batch costs beyond its events) beside the floor the disk sets (one durable commit made as
LMDB makes one, measured meanwhile: tests/bench/diskprobe.py; an escalation waits for three
in a row). Asserts nothing. Each node is polled over one kept-alive connection: a drain
every 10 ms (a tighter poll of /status would take the receiver's loop from the work it
measures), a live intake every millisecond, so its figure is resolved to about a
millisecond.

    python3 tests/bench/bench_network.py --bin build/node --tools build/tests [--events N]
"""
import http.client
import json
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402
from harness import NodeTest, intake, wait_for  # noqa: E402
from diskprobe import Probe, pct  # noqa: E402
import nodebench  # noqa: E402


def loop_times(pid):
    """The loop thread's (main thread's) seconds on a core and waiting for one, so far."""
    with open(f"/proc/{pid}/task/{pid}/schedstat") as f:
        run, wait = f.read().split()[:2]
    return int(run) / 1e9, int(wait) / 1e9


def hop(node, target, what):
    """Drains to node: wall seconds, its CPU seconds (all threads), and its loop thread's
    seconds running, runnable but waiting for a core (the machine's other load), and
    neither (waiting for input or the disk: the hop's own waits)."""
    pid = node.proc.pid
    cpu0, (run0, rq0) = cpu_seconds(pid), loop_times(pid)
    dt, took = drain(node, target, what)
    run1, rq1 = loop_times(pid)
    run, rq = run1 - run0, rq1 - rq0
    return dt, cpu_seconds(pid) - cpu0, run, rq, max(dt - run - rq, 0.0), took


def print_hop(name, receiver, n, h, verify):
    dt, cpu, run, rq, idle, took = h
    print(f"hop {name}: {n / dt:10.0f} events/s ({dt:.2f} s) = {n / dt / verify:.1f}x one "
          f"core's Ed25519 verifies, {cpu / n * 1000:.4f} CPU s "
          f"per 1,000 events at the {receiver}; its loop: {run:.2f} s working, {rq:.2f} s "
          f"waiting for a core, {idle:.2f} s waiting for input or the disk")
    print(f"  the {receiver}'s API meanwhile (GET /api/v1/status every 10 ms): {len(took)} "
          f"answers, p50 {pct(took, 0.5):.1f} ms, slowest {max(took) * 1000:.1f} ms")


def print_floor(bench_dir, n):
    """Prints the floor under a hop, measured now: the LMDB writes alone of folding n
    received case openings (bench_apply_floor)."""
    with tempfile.TemporaryDirectory(prefix="jiefen-floor-") as tmp:
        r = harness.run([os.path.join(bench_dir, "bench_apply_floor"), tmp, str(n)],
                        timeout=600)
    assert r.returncode == 0, r.stderr
    for line in r.stdout.splitlines()[1:]:
        print("  " + line)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Poller:
    """GETs on one kept-alive connection: (status, body bytes)."""

    def __init__(self, node):
        self.c = http.client.HTTPConnection(node.host, node.port, timeout=60)
        self.h = {"Authorization": "Bearer " + node.token()}
        self.took = []  # each answer's seconds

    def get(self, path):
        t0 = time.monotonic()
        self.c.request("GET", path, headers=self.h)
        r = self.c.getresponse()
        body = r.read()
        self.took.append(time.monotonic() - t0)
        return r.status, body

    def until(self, cond, timeout, what, every):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond(self):
                return time.monotonic()
            time.sleep(every)
        raise AssertionError(f"timed out waiting for {what}")

    def close(self):
        self.c.close()


def log_events(node):
    return node.ok("GET", "/api/v1/status")["log"]["events"]


def events_at_least(n):
    return lambda p: json.loads(p.get("/api/v1/status")[1])["log"]["events"] >= n


def drain(node, target, what):
    """Seconds from now until node holds `target` events, and how long each of the polls
    meanwhile took to be answered."""
    p, t0 = Poller(node), time.monotonic()
    try:
        return p.until(events_at_least(target), 600, what, 0.01) - t0, p.took
    finally:
        p.close()


class Bench(NodeTest):
    N = 100000

    def runTest(self):
        county, (town,), ((village,),) = self.tree((1,))
        wait_for(lambda: village.links()["parent"]["online"], 20, "linked")
        base_t, base_c = log_events(town), log_events(county)
        village.stop()
        town.stop()
        county.stop()
        t0 = time.monotonic()
        r = harness.run([os.path.join(self.bench_dir, "bench_backlog"), village.dir, str(self.N)],
                        timeout=600)
        assert r.returncode == 0, r.stderr
        print(f"backlog: {self.N} intakes appended at the village in "
              f"{time.monotonic() - t0:.1f} s")
        verify = nodebench.print_machine(self.bench_dir, "before the hops, the tree down")

        # Hop 1: village -> township, the county down so it measures one hop.
        town.start()
        village.start()
        print_hop("village->township", "township", self.N,
                  hop(town, base_t + self.N, "hop 1"), verify)

        # Hop 2: township -> county.
        county.start()
        print_hop("township->county ", "county", self.N,
                  hop(county, base_c + self.N, "hop 2"), verify)
        nodebench.print_machine(self.bench_dir, "after the hops")
        print_floor(self.bench_dir, self.N)
        self.assertTrue(county.verify()["ok"])

        lat, local, poll = [], [], Poller(county)
        town_cpu = cpu_seconds(town.proc.pid)
        probe = Probe(county.dir)
        for i in range(200):
            t0 = time.monotonic()
            cid = village.ok("POST", "/api/v1/cases", intake(summary=f"实时{i}"))["case"]["id"]
            local.append(time.monotonic() - t0)
            t1 = poll.until(lambda p: p.get("/api/v1/cases/" + cid)[0] == 200, 10, "live",
                            0.001)
            lat.append(t1 - t0)
        disk = probe.stop()
        poll.close()
        town_cpu = cpu_seconds(town.proc.pid) - town_cpu
        print(f"live intake village->county: p50 {pct(lat, 0.5):.1f} ms, "
              f"p99 {pct(lat, 0.99):.1f} ms (200 intakes, from the village's intake "
              f"request to the county answering 200, polled every millisecond); the "
              f"village's answer alone (its own durable commit): p50 {pct(local, 0.5):.1f} ms, "
              f"p99 {pct(local, 0.99):.1f} ms")
        three = [sum(disk[i:i + 3]) for i in range(len(disk) - 2)]
        print(f"  the disk meanwhile, one durable commit ({len(disk)}): p50 "
              f"{pct(disk, 0.5):.1f} ms, p99 {pct(disk, 0.99):.1f} ms; an escalation waits "
              f"for three in a row (village, township, county), the probe's floor: p50 "
              f"{pct(three, 0.5):.1f} ms, p99 {pct(three, 0.99):.1f} ms; load "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"live intake at the township: {town_cpu / 200 * 1000:.2f} CPU s per 1,000 "
              f"events, each received in a batch of its own (and relayed on)")


def main():
    ap = nodebench.parser()
    ap.add_argument("--bench", help="directory with bench_backlog (default: TOOLS/bench)")
    ap.add_argument("--events", type=int, default=100000)
    a = ap.parse_args()
    Bench.N = a.events
    Bench.bench_dir = os.path.abspath(a.bench or os.path.join(a.tools, "bench"))
    nodebench.run(Bench, a)


if __name__ == "__main__":
    main()
