"""bench_tree — a county, 20 townships and 400 villages on this machine, all linked.
Prints: the idle cost of the whole tree (cores used while nothing happens), its memory
(the sum of each process's Pss), and the relink time (the county and every township
killed with -9 and started again: from their start until every one of the 420 links is
online again). Asserts nothing.

Before and after, the machine's ceilings (one core's Ed25519 verifies per second, the
disk's durable commits per second: nodebench.print_machine). Beside the memory, the floor: once the tree is gone, as many bench_floor processes (the
libraries jiefend links, each called once, nothing else: tests/bench/bench_floor.c) are
started and their Pss per process printed, with jiefend's as a multiple of it; and where
the Pss of an idle village, a township and the county goes (smaps.py).

    python3 tests/bench/bench_tree.py --bin build/node [--townships 20 --villages 20]
                                      [--floor build/tests/bench/bench_floor]
"""
import argparse
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402
import nodebench  # noqa: E402
import smaps  # noqa: E402
from harness import NodeTest, wait_for  # noqa: E402


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pss_kib(pid):
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            if line.startswith("Pss:"):
                return int(line.split()[1])
    return 0


def children_online(parent):
    return sum(1 for c in parent.links()["children"] if c["online"])


def floor_pss_kib(floor, n):
    """The mean Pss of n bench_floor processes running at once (killed by PID after)."""
    procs = []
    try:
        for _ in range(n):
            procs.append(subprocess.Popen([floor], stdout=subprocess.PIPE))
        for p in procs:
            p.stdout.readline()  # "ready": every library called
        return sum(pss_kib(p.pid) for p in procs) / n
    finally:
        for p in procs:
            p.kill()
            p.wait()
            p.stdout.close()


class Bench(NodeTest):
    TOWNSHIPS, VILLAGES = 20, 20
    FLOOR = None

    def build(self):
        county = self.node("c-helan", "county", "贺兰县", listen=True).start()
        county.ok("POST", "/api/v1/enrol/root")
        towns = []
        for t in range(1, self.TOWNSHIPS + 1):
            town = self.node(f"t{t}", "township", f"镇{t}", listen=True).start()
            self.enrol(county, town)
            towns.append(town)
            for k in range(1, self.VILLAGES + 1):
                self.enrol(town, self.node(f"v{t}-{k}", "village", f"村{t}-{k}").start())
        return county, towns

    def all_linked(self, county, towns):
        return children_online(county) == len(towns) and all(
            children_online(t) == self.VILLAGES for t in towns)

    def runTest(self):
        bench_dir = os.path.dirname(self.FLOOR)
        nodebench.print_machine(bench_dir, "before the tree")
        t0 = time.monotonic()
        county, towns = self.build()
        wait_for(lambda: self.all_linked(county, towns), 300, "the tree linked")
        n = len(self.nodes)
        print(f"tree: {n} nodes built and linked in {time.monotonic() - t0:.0f} s")

        time.sleep(5)  # let start-up work settle
        pids = [x.proc.pid for x in self.nodes]
        cpu0, w0 = sum(cpu_seconds(p) for p in pids), time.monotonic()
        time.sleep(20)
        idle = (sum(cpu_seconds(p) for p in pids) - cpu0) / (time.monotonic() - w0)
        pss = sum(pss_kib(p) for p in pids) / 1024
        print(f"idle: {idle:.3f} cores for {n} processes (goal < 0.1); "
              f"Pss {pss:.0f} MiB in all, {pss / n:.2f} MiB ({pss * 1024 / n:.0f} KiB) each "
              f"(goal < 300 MiB)")

        for title, node in (("an idle village", self.nodes[-1]),
                            (f"a township with {self.VILLAGES} villages", towns[0]),
                            (f"the county with {len(towns)} townships", county)):
            smaps.print_breakdown(title, node.proc.pid)

        parents = [county] + towns
        for p in parents:
            p.kill9()
        t0 = time.monotonic()
        for p in parents:
            p.start(wait=False)
        for p in parents:
            wait_for(p.addr_ready, 60, f"{p.id} serving")
        wait_for(lambda: self.all_linked(county, towns), 300, "the tree relinked")
        print(f"relink: {n - 1} links online {time.monotonic() - t0:.2f} s after the county "
              f"and {len(towns)} townships were restarted (goal < 5 s)")
        nodebench.print_machine(bench_dir, "with the tree relinked")

        for x in self.nodes:
            x.kill9()
        floor = floor_pss_kib(self.FLOOR, n) / 1024
        print(f"floor: {floor:.2f} MiB each for {n} bench_floor processes (the same libraries, "
              f"nothing else); jiefend {pss / n:.2f} MiB each, {pss / n / floor:.2f}x the floor, "
              f"{pss / n - floor:.2f} MiB above it")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--townships", type=int, default=20)
    ap.add_argument("--villages", type=int, default=20)
    ap.add_argument("--floor", help="bench_floor (default: beside --bin, in tests/bench)")
    a = ap.parse_args()
    harness.BIN = os.path.abspath(a.bin)
    Bench.TOWNSHIPS, Bench.VILLAGES = a.townships, a.villages
    Bench.FLOOR = os.path.abspath(a.floor or os.path.join(a.bin, "..", "tests", "bench",
                                                          "bench_floor"))
    import unittest
    res = unittest.TextTestRunner(verbosity=0).run(Bench())
    sys.exit(0 if res.wasSuccessful() else 1)


if __name__ == "__main__":
    main()
