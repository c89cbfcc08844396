"""bench_docs — documents following a case up the tree (docs/casefile.md, "Documents"): a
village attaches --mib MiB of documents (20 MiB PDFs of random bytes) to one case and
escalates it; prints the throughput of each hop (village → township, township → county:
from the escalation to the last blob present at the receiver) and the latency of small
events on the same link (an intake at the village until the township answers 200 for it,
polled every millisecond; p50/p99), first with no transfer, then during the first hop's
transfer, one every 50 ms or so. Beside them, the floor the disk sets: the latency of one
durable commit made as LMDB makes one (tests/bench/diskprobe.py) in the township's
directory (a small event waits for two, the village's commit and the township's), with no
transfer and during it. Asserts nothing.

    python3 tests/bench/bench_docs.py --bin build/node --tools build/tests [--mib 1024]
"""
import http.client
import json
import os
import sys
import time
import urllib.parse

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
from harness import NodeTest, intake  # noqa: E402
from diskprobe import Probe, pct  # noqa: E402
import nodebench  # noqa: E402

FILE_MIB = 20


class Conn:
    """One kept-alive connection to a node, with its token."""

    def __init__(self, node):
        self.node, self.c = node, http.client.HTTPConnection(node.host, node.port, timeout=60)
        self.h = {"Authorization": "Bearer " + node.token()}

    def req(self, method, path, body=None, ctype="application/json"):
        h = dict(self.h, **{"Content-Type": ctype})
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        self.c.request(method, path, body=body, headers=h)
        r = self.c.getresponse()
        data = r.read()
        return r.status, data

    def json(self, method, path, body=None):
        s, data = self.req(method, path, body)
        return s, json.loads(data or b"{}")


class Bench(NodeTest):
    MIB = 1024

    def runTest(self):
        county, (town,), ((village,),) = self.tree(villages_per_township=(1,))
        for n in (county, town, village):
            n.stop()
            with open(os.path.join(n.dir, "jiefend.conf"), "a") as f:
                f.write(f"\n[documents]\nmax_case_kb = {4 * 1024 * 1024}\n")
            n.start()
        v, t, c = Conn(village), Conn(town), Conn(county)
        s, b = v.json("POST", "/api/v1/cases", intake(village="村11"))
        cid = b["case"]["id"]
        q = urllib.parse.quote(cid)
        files = max(1, self.MIB // FILE_MIB)
        total = 0
        t0 = time.monotonic()
        for i in range(files):
            data = b"%PDF-1.4\n" + os.urandom(FILE_MIB * 1024 * 1024 - 9)
            s, b = v.req("POST", f"/api/v1/cases/{q}/documents?name=f{i}.pdf", data,
                         "application/octet-stream")
            assert s == 200, b
            total += len(data)
        up = time.monotonic() - t0
        print(f"attached {files} documents, {total / 2**20:.0f} MiB at the village in "
              f"{up:.1f} s ({total / 2**20 / up:.0f} MiB/s: upload, type check, sealing, fsync)")

        def small_event():
            s0 = time.monotonic()
            s, b = v.json("POST", "/api/v1/cases", intake(village="村11", summary="实时"))
            small = urllib.parse.quote(b["case"]["id"])
            while t.req("GET", f"/api/v1/cases/{small}")[0] != 200:
                time.sleep(0.001)
            return time.monotonic() - s0

        probe = Probe(town.dir)
        base = [small_event() for _ in range(50)]
        disk = probe.stop()
        print(f"small events with no transfer (50): p50 {pct(base, 0.5):.1f} ms, "
              f"p99 {pct(base, 0.99):.1f} ms")
        print(f"  the disk meanwhile, one durable commit ({len(disk)}): "
              f"p50 {pct(disk, 0.5):.1f} ms, p99 {pct(disk, 0.99):.1f} ms")

        def arrived(conn):
            s, b = conn.json("GET", f"/api/v1/cases/{q}/documents")
            return s == 200 and b["in_transit"] == 0 and len(b["documents"]) == files

        t0 = time.monotonic()
        v.json("POST", f"/api/v1/cases/{q}/escalate", {"reason": "bench"})
        lat = []
        probe = Probe(town.dir)
        while not arrived(t):
            for _ in range(10):
                lat.append(small_event())
                time.sleep(0.05)
        hop1 = time.monotonic() - t0
        disk = probe.stop()
        print(f"hop village -> township: {total / 2**20 / hop1:.0f} MiB/s ({hop1:.1f} s for "
              f"{total / 2**20:.0f} MiB, goal >= 50 MiB/s)")
        print(f"small events during the transfer (intake at the village until the "
              f"township answers 200, {len(lat)} of them): p50 {pct(lat, 0.5):.1f} ms, "
              f"p99 {pct(lat, 0.99):.1f} ms (goal < 20 ms)")
        print(f"  the disk meanwhile, one durable commit ({len(disk)}): "
              f"p50 {pct(disk, 0.5):.1f} ms, p99 {pct(disk, 0.99):.1f} ms; load "
              f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        t0 = time.monotonic()
        t.json("POST", f"/api/v1/cases/{q}/escalate", {"reason": "bench"})
        while not arrived(c):
            time.sleep(0.1)
        hop2 = time.monotonic() - t0
        print(f"hop township -> county: {total / 2**20 / hop2:.0f} MiB/s ({hop2:.1f} s)")
        st = town.ok("GET", "/api/v1/status")["documents"]
        print(f"township lane: {st}")


def main():
    ap = nodebench.parser()
    ap.add_argument("--mib", type=int, default=1024)
    a = ap.parse_args()
    Bench.MIB = a.mib
    nodebench.run(Bench, a)


if __name__ == "__main__":
    main()
