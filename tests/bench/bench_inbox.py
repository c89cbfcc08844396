"""bench_inbox: GET /api/v1/inbox at a township holding N cases (default 100,000).

Creates a township with `jiefend init`, fills its store with bench_inbox_fill (synthetic
cases and their to-do items, written as the case fold keeps them), starts jiefend on it and
times the inbox as the director's session and as the admin token sees it (every kind), a
fresh request each time on a kept-alive connection. Prints p50/p99 in ms; asserts nothing
about speed (the goal is under 10 ms).

  python3 tests/bench/bench_inbox.py --bin build/node --tools build/tests/bench [--cases N]
"""
import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "integration"))
import harness  # noqa: E402


def timed(node, path, headers, n):
    c = http.client.HTTPConnection(node.host, node.port, timeout=60)
    times, body = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        c.request("GET", path, headers=headers)
        r = c.getresponse()
        body = r.read()
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status == 200, body
    c.close()
    times.sort()
    return times[len(times) // 2], times[int(len(times) * 0.99) - 1], json.loads(body)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--tools", required=True, help="directory with bench_inbox_fill")
    ap.add_argument("--cases", type=int, default=100000)
    ap.add_argument("--requests", type=int, default=300)
    args = ap.parse_args()
    harness.BIN = os.path.abspath(args.bin)
    root = tempfile.mkdtemp(prefix="jiefen-inbox-")
    node = harness.Node(root, "t1", "township", "镇1")
    try:
        t0 = time.perf_counter()
        fill = subprocess.run([os.path.join(args.tools, "bench_inbox_fill"), node.dir, "t1",
                               str(args.cases)], capture_output=True, text=True, timeout=1800)
        assert fill.returncode == 0, fill.stderr
        print(fill.stdout.strip(), f"({time.perf_counter() - t0:.1f} s)")
        node.start()
        node.add_user("zhuren", "director")
        s = node.login("zhuren")
        cookie = {"Cookie": f"{s.cookie_name}={s.cookie}"}
        token = {"Authorization": "Bearer " + node.token()}
        for who, h in (("director (session)", cookie), ("admin token, every kind", token)):
            for path in ("/api/v1/inbox", "/api/v1/inbox?limit=1"):
                p50, p99, b = timed(node, path, h, args.requests)
                print(f"inbox: {who} GET {path} at {args.cases} cases: p50 {p50:.2f} ms, "
                      f"p99 {p99:.2f} ms; {b['total']} items, {len(b['items'])} listed")
        node.stop()
    finally:
        if node.proc and node.proc.poll() is None:
            node.proc.kill()
            node.proc.wait()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
