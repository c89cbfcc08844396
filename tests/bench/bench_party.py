#!/usr/bin/env python3
"""Party search (查当事人) at a node holding N cases (default 100,000) of N different people:
fills a fresh node's log with bench_party, starts jiefend, and times GET /api/v1/parties by
name, ID number and phone for random people over one keep-alive connection, each search
answered after its record is durable. Prints p50/p99 per field (issue 14's goal: < 10 ms).
Then the case list at that size (GET /api/v1/cases, newest first): the first page, pages
deep in the list by `after`, and a filter by words of the summary that no case has (the
worst case: every view is read). Last, the case file with its parties, each view recorded
durably as an access event (查阅记录), beside the same file without them (nothing recorded).

  tests/bench/bench_party.py [--build build] [--cases 100000] [--searches 300]
"""
import argparse
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse


def party_id(i):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    s = f"{110101 + i // 1000:06d}19800101{i % 1000:03d}"
    return s + "10X98765432"[sum(int(c) * k for c, k in zip(s, w)) % 11]


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(len(xs) * p / 100))]


def timed_get(conn, hdr, path):
    t = time.perf_counter()
    conn.request("GET", path, headers=hdr)
    r = conn.getresponse()
    body = r.read()
    if r.status != 200:
        sys.exit(f"{path}: {r.status} {body[:200]!r}")
    return (time.perf_counter() - t) * 1000, json.loads(body)


def list_bench(conn, hdr, reps=20):
    first = [timed_get(conn, hdr, "/api/v1/cases?limit=50")[0] for _ in range(reps)]
    print(f"list: first page of 50, newest first: p50 {pct(first, 50):.2f} ms, "
          f"p99 {pct(first, 99):.2f} ms ({reps} requests)")
    after, deep = "", []
    for _ in range(reps):
        ms, page = timed_get(conn, hdr, "/api/v1/cases?limit=500" + (f"&after={after}" if after else ""))
        deep.append(ms)
        after = page["next"]
    print(f"list: pages of 500 by after, down to case {reps * 500}: p50 {pct(deep, 50):.2f} ms, "
          f"p99 {pct(deep, 99):.2f} ms")
    text = urllib.parse.urlencode({"text": "无此字词"})
    scan = [timed_get(conn, hdr, "/api/v1/cases?" + text)[0] for _ in range(5)]
    print(f"list: text filter matching none (reads every view): p50 {pct(scan, 50):.1f} ms")


def view_bench(conn, hdr, ids):
    """GET /api/v1/cases/{id}: with the parties (an access event recorded before the answer)
    and without them (a read transaction only)."""
    for label, q in (("with parties, recorded", "?purpose=casework"), ("without parties", "?parties=no")):
        ms = [timed_get(conn, hdr, f"/api/v1/cases/{i}{q}")[0] for i in ids[:300]]
        print(f"view: case file {label}: p50 {pct(ms, 50):.2f} ms, p99 {pct(ms, 99):.2f} ms "
              f"({len(ms)} views, one at a time)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--cases", type=int, default=100000)
    ap.add_argument("--searches", type=int, default=300)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix="jiefen-bench-party-")
    d = os.path.join(work, "node")
    proc = None
    try:
        subprocess.run([f"{a.build}/node/jiefend", "init", "--data", d, "--tier", "village",
                        "--id", "bench", "--name", "东村", "--http", "127.0.0.1:0"],
                       check=True, capture_output=True)
        t0 = time.monotonic()
        subprocess.run([f"{a.build}/tests/bench/bench_party", d, str(a.cases)], check=True)
        print(f"party: filled {a.cases} cases in {time.monotonic() - t0:.1f} s")
        proc = subprocess.Popen([f"{a.build}/node/jiefend", "--data", d],
                                stderr=open(os.path.join(work, "jiefend.log"), "w"))
        addr = os.path.join(d, "jiefend.addr")
        for _ in range(600):
            if os.path.exists(addr) and os.path.getsize(addr):
                break
            time.sleep(0.05)
        host, port = open(addr).readline().strip().rsplit(":", 1)
        token = open(os.path.join(d, "admin.token")).read().strip()
        conn = http.client.HTTPConnection(host, int(port))
        hdr = {"Authorization": f"Bearer {token}", "Host": f"{host}:{port}"}
        rng = random.Random(14)
        found = []
        for field, value in (("name", lambda i: f"测试人{i}"), ("id_number", party_id),
                             ("phone", lambda i: f"139 {i:08d}")):
            ms = []
            for _ in range(a.searches):
                i = rng.randrange(a.cases)
                path = "/api/v1/parties?" + urllib.parse.urlencode({field: value(i),
                                                                     "purpose": "casework"})
                t = time.perf_counter()
                conn.request("GET", path, headers=hdr)
                r = conn.getresponse()
                body = r.read()
                ms.append((time.perf_counter() - t) * 1000)
                if r.status != 200 or f"bench-".encode() not in body:
                    sys.exit(f"{path}: {r.status} {body[:200]!r}")
                found.append(json.loads(body)["cases"][0]["id"])
            print(f"party: search by {field:9s} at {a.cases} cases: p50 {pct(ms, 50):.2f} ms, "
                  f"p99 {pct(ms, 99):.2f} ms ({a.searches} searches, each recorded durably)")
        list_bench(conn, hdr)
        view_bench(conn, hdr, found)
    finally:
        if proc:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
